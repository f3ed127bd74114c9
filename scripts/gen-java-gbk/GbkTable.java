// Dumps the JDK's own `GBK` charset (sun.nio.cs.GBK, what the Java SDK and the Alipay gateway use) as
// the table protocol/src/sign/java_gbk.bin that `Charset::Gbk` encodes and decodes by.
//
// Run (JDK 11+, single-file source launch) from the repository root:
//     java scripts/gen-java-gbk/GbkTable.java protocol/src/sign/java_gbk.bin
// then paste the three digests it prints into protocol/tests/java_gbk.rs.
//
// Table format: 126 x 191 little-endian u16, 48,132 bytes, no header. Entry (lead - 0x81) * 191 +
// (trail - 0x40), for lead 0x81..=0xFE and trail 0x40..=0xFE, is the BMP character Java decodes the
// two bytes to, or 0 when Java refuses them (every trail 0x7F slot is 0).
//
// The Rust side relies on what this program checks, and it refuses to write the table otherwise:
//   * single bytes: 0x00..=0x7F decode to themselves (ASCII) and 0x80..=0xFF do not decode at all;
//   * every two-byte sequence decodes to at most one BMP non-surrogate character, and no two
//     sequences decode to the same one;
//   * encoding is the exact inverse: Java encodes a character iff some sequence decodes to it (ASCII
//     as its single byte, the rest as that sequence), and no supplementary character at all.
//
// The digests let the Rust test check the behaviour independently of the table:
//   table:  SHA-256 of the table file;
//   encode: SHA-256 over every non-surrogate BMP code point, in order, of [n] + the n bytes Java
//           encodes it to, or [0] when Java cannot encode it;
//   decode: SHA-256 over every single byte 0x00..=0xFF, then every byte pair 0x0000..=0xFFFF (first
//           byte major), of [n] + the n UTF-8 bytes of what Java decodes the input to, or [0xFF] when
//           Java refuses the input.
// Encoders and decoders REPORT malformed and unmappable input (never '?' or U+FFFD).

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

public class GbkTable {
    static final int LEADS = 0xFE - 0x81 + 1; // 126
    static final int TRAILS = 0xFE - 0x40 + 1; // 191

    static CharsetDecoder decoder;
    static CharsetEncoder encoder;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java GbkTable.java <out.bin>");
            System.exit(2);
        }
        Charset gbk = Charset.forName("GBK");
        decoder = gbk.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        encoder = gbk.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);

        // Single bytes.
        for (int b = 0; b <= 0xFF; b++) {
            String text = decode(new byte[] {(byte) b});
            boolean expected = b < 0x80;
            if (expected ? !(text != null && text.length() == 1 && text.charAt(0) == b) : text != null) {
                fail(String.format("single byte %02X decodes to %s", b, describe(text)));
            }
        }

        // Two-byte sequences.
        char[] table = new char[LEADS * TRAILS];
        int[] sequenceOf = new int[0x10000]; // character -> lead << 8 | trail, 0 = none
        int mapped = 0;
        for (int lead = 0x81; lead <= 0xFE; lead++) {
            for (int trail = 0x40; trail <= 0xFE; trail++) {
                String text = decode(new byte[] {(byte) lead, (byte) trail});
                if (text == null) {
                    continue;
                }
                char c = text.charAt(0);
                if (text.length() != 1 || c == 0 || Character.isSurrogate(c) || c < 0x80) {
                    fail(String.format("%02X%02X decodes to %s", lead, trail, describe(text)));
                }
                if (sequenceOf[c] != 0) {
                    fail(String.format("%04X and %02X%02X both decode to U+%04X", sequenceOf[c], lead, trail, (int) c));
                }
                sequenceOf[c] = lead << 8 | trail;
                table[(lead - 0x81) * TRAILS + (trail - 0x40)] = c;
                mapped++;
            }
        }

        // Encoding, checked against the inverse of the table, and its digest.
        MessageDigest encodeDigest = MessageDigest.getInstance("SHA-256");
        int encodable = 0;
        for (int cp = 0; cp <= 0xFFFF; cp++) {
            if (Character.isSurrogate((char) cp)) {
                continue;
            }
            byte[] bytes = encode(String.valueOf((char) cp));
            encoder.reset();
            boolean can = encoder.canEncode((char) cp);
            if (can != (bytes != null)) {
                fail(String.format("canEncode(U+%04X) is %s but encode %s", cp, can, bytes == null ? "fails" : "works"));
            }
            byte[] expected = cp < 0x80
                    ? new byte[] {(byte) cp}
                    : sequenceOf[cp] == 0 ? null : new byte[] {(byte) (sequenceOf[cp] >> 8), (byte) sequenceOf[cp]};
            if (!java.util.Arrays.equals(bytes, expected)) {
                fail(String.format("U+%04X encodes to %s, not the inverse of the decode table %s", cp, hex(bytes), hex(expected)));
            }
            if (bytes == null) {
                encodeDigest.update((byte) 0);
            } else {
                encodable++;
                encodeDigest.update((byte) bytes.length);
                encodeDigest.update(bytes);
            }
        }
        for (int cp = 0x10000; cp <= 0x10FFFF; cp++) {
            String text = new String(Character.toChars(cp));
            encoder.reset();
            if (encoder.canEncode(text) || encode(text) != null) {
                fail(String.format("Java GBK encodes the supplementary U+%X", cp));
            }
        }

        // Decoding digest over every single byte and every byte pair.
        MessageDigest decodeDigest = MessageDigest.getInstance("SHA-256");
        for (int b = 0; b <= 0xFF; b++) {
            digestDecoded(decodeDigest, new byte[] {(byte) b});
        }
        for (int pair = 0; pair <= 0xFFFF; pair++) {
            digestDecoded(decodeDigest, new byte[] {(byte) (pair >> 8), (byte) pair});
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(table.length * 2);
        for (char c : table) {
            out.write(c & 0xFF);
            out.write(c >> 8);
        }
        byte[] file = out.toByteArray();
        Files.write(Path.of(args[0]), file);

        System.out.println("JDK " + System.getProperty("java.version") + ", " + gbk.getClass().getName());
        System.out.println("wrote " + args[0] + ": " + file.length + " bytes, " + mapped
                + " two-byte sequences mapped, " + encodable + " BMP code points encodable");
        System.out.println("table  SHA-256 " + hex(MessageDigest.getInstance("SHA-256").digest(file)));
        System.out.println("encode SHA-256 " + hex(encodeDigest.digest()));
        System.out.println("decode SHA-256 " + hex(decodeDigest.digest()));
    }

    static void digestDecoded(MessageDigest digest, byte[] input) {
        String text = decode(input);
        if (text == null) {
            digest.update((byte) 0xFF);
        } else {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            digest.update((byte) utf8.length);
            digest.update(utf8);
        }
    }

    /** What Java decodes, or null when it refuses the input. */
    static String decode(byte[] bytes) {
        try {
            decoder.reset();
            return decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** What Java encodes, or null when it refuses the input. */
    static byte[] encode(String text) {
        try {
            encoder.reset();
            ByteBuffer buffer = encoder.encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String describe(String text) {
        if (text == null) {
            return "nothing (refused)";
        }
        StringBuilder builder = new StringBuilder();
        text.chars().forEach(c -> builder.append(String.format("U+%04X ", c)));
        return builder.toString().trim();
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "none" : HexFormat.of().formatHex(bytes);
    }

    static void fail(String reason) {
        System.err.println("GbkTable: " + reason + "; the Rust side assumes otherwise, refusing to write the table");
        System.exit(1);
    }
}
