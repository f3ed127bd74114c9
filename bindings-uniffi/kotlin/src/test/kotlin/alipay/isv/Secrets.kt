package alipay.isv

import com.sun.jna.Library
import com.sun.jna.Native
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.net.URLDecoder
import java.nio.file.Files
import java.nio.file.Path
import java.util.Base64

/**
 * The secrets of a test, and a search for them in text: each token and code whole and as every
 * 10-character window (a masked prefix of ≤ 4 characters never matches one), each private key as
 * every 16-character window of its PKCS#8 and PKCS#1 Base64 that is not also part of its public
 * key's encodings (the public key may be shown), markers whole, and any token-shaped text at all
 * (also tokens this test never saw, e.g. of an answer refused as unsigned).
 */
class SecretCatalog {
    private val tokenWindows = HashMap<String, String>()
    private val keyWindows = HashMap<String, String>()
    private val wholes = LinkedHashMap<String, String>()

    /** How many token values were added (for the caller to assert the flow collected them). */
    var tokens = 0
        private set

    /** A token, refresh token or code; null is ignored. */
    fun token(label: String, value: String?) {
        if (value == null) return
        require(value.length >= TOKEN_WINDOW) { "$label is implausibly short" }
        wholes[value] = label
        for (at in 0..value.length - TOKEN_WINDOW) tokenWindows[value.substring(at, at + TOKEN_WINDOW)] = label
        tokens++
    }

    /** A recognisable marker that must never be echoed. */
    fun marker(label: String, value: String) {
        wholes[value] = label
    }

    /** Secret Base64 text (e.g. a token key): every window. */
    fun base64(label: String, value: String) {
        wholes[value] = label
        for (at in 0..value.length - KEY_WINDOW) keyWindows[value.substring(at, at + KEY_WINDOW)] = label
    }

    /** A private key: every window of its PKCS#8 and PKCS#1 Base64 not found in its public encodings. */
    fun privateKey(label: String, key: PrivateKey) {
        val der = key.publicKey().toDer()
        val public = (0..2).map { Base64.getEncoder().encodeToString(der.copyOfRange(it, der.size)) }
        for (text in listOf(key.toPkcs8Base64(), key.toPkcs1Base64())) {
            wholes[text] = "$label (Base64)"
            for (at in 0..text.length - KEY_WINDOW) {
                val window = text.substring(at, at + KEY_WINDOW)
                if (public.none { it.contains(window) }) keyWindows[window] = label
            }
        }
        require(keyWindows.size > 1000) { "too few private windows: ${keyWindows.size}" }
    }

    /** Every secret found in `texts` (name → text), as readable findings; empty when clean. */
    fun findIn(texts: List<Pair<String, String>>): List<String> {
        val findings = ArrayList<String>()
        for ((name, raw) in texts) {
            for (text in variants(raw)) {
                for ((value, label) in wholes) {
                    if (text.contains(value)) findings += "$name contains $label whole"
                }
                for (at in 0..text.length - TOKEN_WINDOW) {
                    tokenWindows[text.substring(at, at + TOKEN_WINDOW)]?.let { label -> findings += "$name contains part of $label at $at" }
                    if (at + KEY_WINDOW <= text.length) {
                        keyWindows[text.substring(at, at + KEY_WINDOW)]?.let { label -> findings += "$name contains part of $label at $at" }
                    }
                }
                for (shape in SHAPES) {
                    shape.find(text)?.let { findings += "$name contains a token-shaped ${it.value}" }
                }
                if (PEM_PRIVATE.containsMatchIn(text)) findings += "$name contains a private key PEM header"
            }
        }
        return findings.distinct()
    }

    /** `text`, without whitespace and `\n` escapes (PEM bodies split in lines), and URL-decoded. */
    private fun variants(text: String): List<String> {
        val squeezed = text.replace("\\n", "").replace("\\r", "").filterNot { it.isWhitespace() }
        val decoded = runCatching { URLDecoder.decode(text, Charsets.UTF_8) }.getOrNull()
        return listOfNotNull(text, squeezed, decoded).distinct()
    }

    private companion object {
        const val TOKEN_WINDOW = 10
        const val KEY_WINDOW = 16

        /** Emulator token shapes (`yyyyMMBB` + hex, `authusrB` + hex): more than a masked prefix. */
        val SHAPES = listOf(Regex("""\d{6}BB[0-9a-f]{6}"""), Regex("""authusrB[0-9a-f]{6}"""))
        val PEM_PRIVATE = Regex("""-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{16}""")
    }
}

/** The C library calls the capture needs (`creat` is not variadic, unlike `open`). */
private interface LibC : Library {
    fun dup(fd: Int): Int
    fun dup2(from: Int, to: Int): Int
    fun close(fd: Int): Int
    fun creat(path: String, mode: Int): Int
    fun write(fd: Int, bytes: ByteArray, count: Long): Long
}

/**
 * Captures everything written while it is open: `System.out`/`System.err` of the JVM, and the native
 * file descriptors 1 and 2 (Rust's stdout/stderr, e.g. a panic message) redirected into files with
 * `dup2`. Surefire talks to this JVM over TCP (see the pom), so fd 1 is free to borrow.
 */
class OutputCapture : AutoCloseable {
    private val libc: LibC = Native.load("c", LibC::class.java)
    private val jvmOut = ByteArrayOutputStream()
    private val jvmErr = ByteArrayOutputStream()
    private val savedOut = System.out
    private val savedErr = System.err
    private val files = listOf(1, 2).associateWith { Files.createTempFile("capture-fd$it-", ".txt") }
    private val saved = HashMap<Int, Int>()
    private var open = true

    init {
        savedOut.flush()
        savedErr.flush()
        for ((fd, file) in files) {
            val target = libc.creat(file.toString(), 384)
            check(target >= 0) { "creat $file failed" }
            saved[fd] = libc.dup(fd)
            check(libc.dup2(target, fd) == fd) { "dup2 onto fd $fd failed" }
            libc.close(target)
        }
        System.setOut(PrintStream(jvmOut, true, Charsets.UTF_8))
        System.setErr(PrintStream(jvmErr, true, Charsets.UTF_8))
    }

    /** Writes `text` straight to native file descriptor `fd` (a probe that the capture works). */
    fun writeNative(fd: Int, text: String) {
        val bytes = text.toByteArray()
        check(libc.write(fd, bytes, bytes.size.toLong()) == bytes.size.toLong())
    }

    override fun close() {
        if (!open) return
        open = false
        System.out.flush()
        System.err.flush()
        System.setOut(savedOut)
        System.setErr(savedErr)
        for ((fd, copy) in saved) {
            libc.dup2(copy, fd)
            libc.close(copy)
        }
    }

    /** What was captured, by source (after `close()`). */
    fun texts(): List<Pair<String, String>> {
        check(!open) { "close the capture first" }
        val native = files.map { (fd, file) -> "native fd $fd" to read(file) }
        files.values.forEach { Files.deleteIfExists(it) }
        return listOf("System.out" to jvmOut.toString(Charsets.UTF_8), "System.err" to jvmErr.toString(Charsets.UTF_8)) + native
    }

    private fun read(file: Path): String = String(Files.readAllBytes(file), Charsets.ISO_8859_1)
}
