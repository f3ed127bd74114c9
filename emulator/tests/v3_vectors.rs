//! The official Node SDK's own AES and upload requests (`tests/vectors/v3.json`, captured on the wire from
//! alipay-sdk 4.14.0) replayed against the emulator, its timestamp window opened wide for their fixed
//! clocks: the signature over the ciphertext, and over an upload's `data` part, verifies and the
//! ciphertext decrypts with the vector's key — the calls get as far as the merchant token, which is a
//! made-up one (401 `invalid-app-auth-token`), instead of `invalid-signature` or `decryption-error`.
//! Its requests made with `additionalAuthInfo` (`additional_auth_info`) are signed the same by our
//! signer given that extension, and the key-mode one is accepted by the emulator as sent and refused once
//! its extension is changed. And our `AesKey` reads the AES answer vectors as the SDK does.

mod common;
mod v3_support;

use std::sync::Arc;
use std::time::Duration;

use alipay_isv::aes::AesKey;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::PublicKey;
use alipay_isv::v3::V3Request;
use alipay_isv_emulator::Emulator;
use serde_json::Value;

use common::send_raw;
use v3_support::{BOUNDARY, assert_error};

fn vectors() -> Value {
    let path = format!("{}/../tests/vectors/v3.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn case<'a>(vectors: &'a Value, list: &str, name: &str) -> &'a Value {
    vectors[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

fn text<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().unwrap()
}

/// An emulator with the vectors' AES key whose window accepts the vectors' fixed timestamps.
fn start(aes_key: &str) -> Emulator {
    let mut options = common::options();
    options.aes_key = Some(AesKey::from_base64(aes_key).unwrap());
    options.timestamp_window = Duration::from_secs(60 * 365 * 24 * 3600);
    Emulator::start(options).unwrap()
}

/// Sends a vector's request as the SDK did: its headers, `body` bytes and content type.
fn replay(
    emulator: &Emulator,
    case: &Value,
    content_type: &str,
    extra: &str,
    body: &[u8],
) -> common::Raw {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nAuthorization: {}\r\n{extra}",
        text(case, "method"),
        text(case, "request_target"),
        body.len(),
        text(case, "authorization"),
    );
    if let Some(token) = case["app_auth_token"].as_str() {
        head.push_str(&format!("alipay-app-auth-token: {token}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    send_raw(emulator.local_addr(), &bytes).unwrap()
}

#[test]
fn the_sdks_aes_request_verifies_over_its_ciphertext_and_decrypts() {
    let vectors = vectors();
    let request = case(&vectors, "requests", "aes_post_json");
    let key = AesKey::from_base64(text(request, "aes_key")).unwrap();
    assert_eq!(
        key.decrypt(text(request, "body")).unwrap(),
        text(request, "plaintext").as_bytes()
    );
    let emulator = start(text(request, "aes_key"));
    let headers = "alipay-encrypt-type: AES\r\nalipay-encryption-algm: AES\r\n";
    let raw = replay(
        &emulator,
        request,
        "text/plain",
        headers,
        text(request, "body").as_bytes(),
    );
    assert_error(&raw, 401, "invalid-app-auth-token");
    // One byte of the ciphertext changed: the signature no longer holds.
    let tampered = text(request, "body").replacen('a', "b", 1);
    let raw = replay(
        &emulator,
        request,
        "text/plain",
        headers,
        tampered.as_bytes(),
    );
    assert_error(&raw, 400, "invalid-signature");
    // Under another key the same request does not decrypt.
    let other = start(v3_support::OTHER_AES_KEY);
    let raw = replay(
        &other,
        request,
        "text/plain",
        headers,
        text(request, "body").as_bytes(),
    );
    assert_error(&raw, 400, "decryption-error");
}

#[test]
fn the_sdks_upload_is_signed_over_its_data_part_only() {
    let vectors = vectors();
    let request = case(&vectors, "requests", "multipart_upload_data_part");
    assert_eq!(request["multipart"], true);
    let emulator = start(v3_support::AES_KEY);
    let form = |file: &[u8]| {
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file_content\"; filename=\"{}\"\r\nContent-Type: image/png\r\n\r\n",
            text(request, "body"),
            text(request, "file_name"),
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        body
    };
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    // Whatever the file, the signature holds: the call reaches the (made-up) merchant token.
    for file in [&b"any bytes"[..], &b"other bytes"[..]] {
        let raw = replay(&emulator, request, &content_type, "", &form(file));
        assert_error(&raw, 401, "invalid-app-auth-token");
    }
    // The data part changed: refused.
    let changed = String::from_utf8(form(b"x"))
        .unwrap()
        .replace("openpt_appstore", "openpt_appstorx");
    let raw = replay(&emulator, request, &content_type, "", changed.as_bytes());
    assert_error(&raw, 400, "invalid-signature");
}

/// The vectors' file `name`.
fn vector_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_sdks_additional_auth_info_is_signed_as_ours_and_accepted_as_sent() {
    let vectors = vectors();
    let cases: Vec<&Value> = vectors["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| case["additional_auth_info"].is_string())
        .collect();
    assert!(cases.len() >= 2);
    for case in &cases {
        let builder = if case["cert_mode"] == true {
            IsvConfig::cert_builder(
                common::APP_ID,
                common::app_key(),
                vector_file("certs/app_cert.crt").into_bytes(),
                vector_file("certs/alipay_cert.crt").into_bytes(),
                vector_file("certs/root_bundle.crt").into_bytes(),
            )
        } else {
            let alipay = PublicKey::from_text(&vector_file("keys/alipay_2048_public.pem")).unwrap();
            IsvConfig::builder(common::APP_ID, common::app_key(), Arc::new(alipay))
        };
        let config = builder
            .v3_additional_auth_info(text(case, "additional_auth_info"))
            .build()
            .unwrap();
        let signed = V3Request {
            method: text(case, "method"),
            request_target: text(case, "request_target"),
            body: text(case, "body"),
            app_auth_token: case["app_auth_token"].as_str(),
        }
        .sign_with(
            &config,
            text(case, "nonce"),
            case["timestamp_ms"].as_u64().unwrap(),
        )
        .unwrap();
        assert_eq!(
            signed.authorization,
            text(case, "authorization"),
            "{}",
            case["name"]
        );
    }

    // The key-mode request as the SDK sent it gets past the signature to the (made-up) token.
    let request = case(
        &vectors,
        "requests",
        "additional_auth_info_with_app_auth_token",
    );
    assert!(text(request, "authorization").contains(",expired_seconds=120,sign="));
    let emulator = start(v3_support::AES_KEY);
    let body = text(request, "body").as_bytes();
    let raw = replay(&emulator, request, "application/json", "", body);
    assert_error(&raw, 401, "invalid-app-auth-token");
    // Its extension changed after signing: refused.
    let mut changed = request.clone();
    changed["authorization"] = Value::String(
        text(request, "authorization").replace("expired_seconds=120", "expired_seconds=600"),
    );
    let raw = replay(&emulator, &changed, "application/json", "", body);
    assert_error(&raw, 400, "invalid-signature");
}

#[test]
fn our_aes_key_reads_the_aes_answer_vectors() {
    let vectors = vectors();
    for name in ["aes_success", "aes_tampered_ciphertext", "aes_wrong_key"] {
        let answer = case(&vectors, "answers", name);
        let key = AesKey::from_base64(text(answer, "aes_key")).unwrap();
        let decrypted = key.decrypt(text(answer, "body"));
        match (
            answer["decrypted"].as_str(),
            answer["decrypt_expect"].as_str(),
        ) {
            (Some(plain), _) => assert_eq!(decrypted.unwrap(), plain.as_bytes(), "{name}"),
            (None, Some("protocol_error")) => {
                assert_eq!(decrypted.unwrap_err().kind(), "protocol", "{name}")
            }
            (None, _) => assert!(decrypted.is_ok(), "{name}: a ciphertext of another text"),
        }
    }
}
