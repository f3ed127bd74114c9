//! `Charset::Gbk` is Java's `GBK` charset, checked without a JDK: the digests below were printed by
//! `java scripts/gen-java-gbk/GbkTable.java protocol/src/sign/java_gbk.bin` (JDK 17.0.15) from the JDK's own
//! encoder and decoder, and this test recomputes them through `Charset::Gbk` alone. Regenerate the table
//! and paste the new digests here if a JDK ever changes its GBK.
//!
//! * `TABLE_SHA256`: the table file itself (a corrupted table fails here).
//! * `ENCODE_SHA256`: for every non-surrogate BMP code point in order, `[n]` + the `n` bytes Java
//!   encodes it to, or `[0]` when Java cannot encode it.
//! * `DECODE_SHA256`: for every single byte, then every byte pair (first byte major), `[n]` + the `n`
//!   UTF-8 bytes of what Java decodes, or `[0xFF]` when Java refuses the input.

use std::sync::Arc;

use alipay_isv_protocol::key::PrivateKey;
use alipay_isv_protocol::sign::{Charset, SignType, Signer, Verifier, sign_content};
use aws_lc_rs::digest::{Context, SHA256, digest};

const TABLE_SHA256: &str = "a731affe11e4d60ccda014434ba297e585805358791fb08894bab5847f21e52f";
const ENCODE_SHA256: &str = "69bcfd78494634db39f30585b37e5fcc0a8bc9e88e4d773cfbb833fe632c2f76";
const DECODE_SHA256: &str = "24e92ad9ebac449f1b6007cd179649a10d1d31ff340d37607c382a74308cfb3e";

static TABLE: &[u8] = include_bytes!("../src/sign/java_gbk.bin");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn bmp() -> impl Iterator<Item = char> {
    (0u32..=0xFFFF).filter_map(char::from_u32)
}

#[test]
fn the_table_is_the_one_the_jdk_wrote() {
    assert_eq!(TABLE.len(), 126 * 191 * 2);
    assert_eq!(hex(digest(&SHA256, TABLE).as_ref()), TABLE_SHA256);
}

#[test]
fn encoding_is_java_s_for_every_bmp_code_point() {
    let mut context = Context::new(&SHA256);
    let mut encodable = 0;
    for character in bmp() {
        match Charset::Gbk.encode(character.encode_utf8(&mut [0; 4])) {
            Ok(bytes) => {
                encodable += 1;
                context.update(&[bytes.len() as u8]);
                context.update(&bytes);
            }
            Err(error) => {
                assert_eq!(error.kind(), "config", "{error}");
                let name = format!("U+{:04X}", character as u32);
                assert!(error.reason().contains(&name), "{error}");
                context.update(&[0]);
            }
        }
    }
    assert_eq!(encodable, 24_068, "128 ASCII + 23,940 two-byte characters");
    assert_eq!(hex(context.finish().as_ref()), ENCODE_SHA256);
}

#[test]
fn decoding_is_java_s_for_every_byte_and_byte_pair() {
    let mut context = Context::new(&SHA256);
    let mut record = |bytes: &[u8]| match Charset::Gbk.decode(bytes) {
        Ok(text) => {
            context.update(&[text.len() as u8]);
            context.update(text.as_bytes());
        }
        Err(error) => {
            assert_eq!(error.kind(), "protocol", "{bytes:02X?}: {error}");
            context.update(&[0xFF]);
        }
    };
    for byte in 0..=0xFFu8 {
        record(&[byte]);
    }
    for pair in 0..=0xFFFFu16 {
        record(&pair.to_be_bytes());
    }
    assert_eq!(hex(context.finish().as_ref()), DECODE_SHA256);
}

#[test]
fn every_character_java_encodes_decodes_back() {
    let mut text = String::new();
    for character in bmp() {
        let mut buffer = [0; 4];
        let one = character.encode_utf8(&mut buffer);
        if let Ok(bytes) = Charset::Gbk.encode(one) {
            assert_eq!(
                Charset::Gbk.decode(&bytes).unwrap(),
                *one,
                "U+{:04X}",
                character as u32
            );
            text.push(character);
        }
    }
    // All of them at once, ASCII interleaved: the same bytes as one by one.
    let bytes = Charset::Gbk.encode(&text).unwrap();
    assert_eq!(bytes.len(), 128 + 23_940 * 2);
    assert_eq!(Charset::Gbk.decode(&bytes).unwrap(), text);
}

#[test]
fn where_java_and_whatwg_differ_java_wins() {
    let encode = |text: &str| Charset::Gbk.encode(text).unwrap().into_owned();
    assert_eq!(encode("€"), [0xA2, 0xE3], "WHATWG writes 0x80");
    assert_eq!(encode("\u{2641}"), [0xA8, 0x92], "WHATWG cannot encode ♁");
    assert_eq!(
        encode("\u{E5E5}"),
        [0xA3, 0xA0],
        "WHATWG cannot encode U+E5E5"
    );
    assert_eq!(
        encode("\u{E7C7}"),
        [0xA8, 0xBC],
        "WHATWG writes ḿ U+1E3F there"
    );
    assert_eq!(Charset::Gbk.decode(&[0xA8, 0x92]).unwrap(), "\u{2641}");
    assert_eq!(Charset::Gbk.decode(&[0xA3, 0xA0]).unwrap(), "\u{E5E5}");
    assert_eq!(Charset::Gbk.decode(&[0xA6, 0xD9]).unwrap(), "\u{E78D}");
    assert_eq!(Charset::Gbk.decode(&[0xFE, 0x50]).unwrap(), "\u{E815}");
    assert_eq!(Charset::Gbk.decode(&[0xA2, 0xE3]).unwrap(), "€");
    for refused in ["\u{2295}", "\u{1E3F}", "\u{2E81}", "\u{FE10}", "\u{9FB4}"] {
        let error = Charset::Gbk.encode(refused).err().unwrap();
        assert_eq!(error.kind(), "config", "{error}");
    }
}

#[test]
fn a_character_java_cannot_encode_is_a_config_error_naming_it() {
    let error = Charset::Gbk.encode("商品\u{2295}").err().unwrap();
    assert_eq!(error.kind(), "config");
    assert!(error.reason().contains("U+2295"), "{error}");
    for code in (0x1_0000u32..=0x10_FFFF).step_by(0x1003) {
        let character = char::from_u32(code).unwrap();
        let error = Charset::Gbk.encode(&format!("a{character}")).err().unwrap();
        assert_eq!(error.kind(), "config", "U+{code:X}");
        assert!(error.reason().contains(&format!("U+{code:04X}")), "{error}");
    }
}

#[test]
fn invalid_bytes_are_a_protocol_error_never_a_replacement() {
    for bytes in [
        &b"\x80"[..],
        b"\xFF",
        b"a\x80b",
        b"\xD6\xD0\xD6",
        b"\xD6\x7F",
        b"\xD6\x30",
        b"\xD6\xFF",
        b"\xFF\xA1",
    ] {
        let error = Charset::Gbk.decode(bytes).err().unwrap();
        assert_eq!(error.kind(), "protocol", "{bytes:02X?}: {error}");
        assert!(error.reason().contains("not valid GBK"), "{error}");
    }
}

#[test]
fn gbk_signatures_are_over_java_s_bytes() {
    let path = format!(
        "{}/../tests/vectors/keys/app_2048_pkcs8.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let key = PrivateKey::from_text(&std::fs::read_to_string(path).unwrap()).unwrap();
    let public = Arc::new(key.public_key().clone());
    let signer = Signer::new(Arc::new(key), SignType::Rsa2, Charset::Gbk).unwrap();
    let verifier = Verifier::new(public, SignType::Rsa2, Charset::Gbk).unwrap();
    let content = sign_content([("subject", "€1 \u{2641}"), ("app_id", "1")]);
    let sign = signer.sign(&content).unwrap();
    verifier
        .verify_bytes(b"app_id=1&subject=\xA2\xE31 \xA8\x92", &sign)
        .unwrap();
    verifier.verify(&content, &sign).unwrap();
}
