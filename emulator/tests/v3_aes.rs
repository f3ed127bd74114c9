//! AES content encryption over the emulator's `/v3/…` front, driven by our signer and `AesKey` over raw
//! HTTP: the request body is the Base64 ciphertext and is what is signed; the success answer is
//! encrypted (`text/plain`), verifies over its ciphertext and decrypts to the flat JSON; errors stay
//! plain unsigned JSON; a wrong key, a ciphertext changed after signing, a plaintext body, an emulator
//! without a key and other algorithms are refused with their v3 codes.

mod common;
mod v3_support;

use alipay_isv::aes::AesKey;
use alipay_isv::v3::V3Verdict;
use alipay_isv_emulator::Emulator;
use serde_json::Value;

use common::{APP_ID, CALLBACK, config, options, query_param};
use v3_support::{AES_KEY, OTHER_AES_KEY, Send, assert_error, send, send_tampered, verdict};

fn key(text: &str) -> AesKey {
    AesKey::from_base64(text).unwrap()
}

fn start_with_key() -> Emulator {
    let mut options = options();
    options.aes_key = Some(key(AES_KEY));
    Emulator::start(options).unwrap()
}

/// A fresh merchant `app_auth_code`.
fn merchant_code(emulator: &Emulator) -> String {
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, Some("c3RhdGU=")))
        .unwrap();
    query_param(&location, "app_auth_code").unwrap()
}

/// The decrypted JSON of an encrypted success, after checking it is signed over the ciphertext.
fn decrypted(config: &alipay_isv::config::IsvConfig, raw: &common::Raw) -> Value {
    assert_eq!(raw.status, 200, "{}", raw.text());
    // Exactly `text/plain`: the Java v3 SDK's typed calls read an answer of no other text type.
    assert_eq!(raw.header("content-type").as_deref(), Some("text/plain"));
    assert_eq!(verdict(config, raw).unwrap(), V3Verdict::Verified);
    let plain = key(AES_KEY).decrypt(&raw.text()).unwrap();
    serde_json::from_slice(&plain).unwrap()
}

#[test]
fn an_aes_round_trip_answers_encrypted_signed_over_the_ciphertext() {
    let emulator = start_with_key();
    let config = config(&emulator);
    let plain = format!(
        r#"{{"grant_type":"authorization_code","code":"{}"}}"#,
        merchant_code(&emulator)
    );
    let ciphertext = key(AES_KEY).encrypt(plain.as_bytes()).unwrap();
    let raw = send(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &ciphertext, None),
    );
    let fields = decrypted(&config, &raw);
    let token = fields["app_auth_token"].as_str().unwrap().to_string();
    assert!(fields.get("code").is_none(), "flat: {fields}");
    assert!(!raw.text().contains(&token), "the answer is ciphertext");

    // A delegated call, encrypted, with Node's second header; the token line is signed as usual.
    let body = key(AES_KEY)
        .encrypt(br#"{"bundle_id":"com.alipay.alipaywallet"}"#)
        .unwrap();
    let mut delegated = Send::aes(
        "/v3/alipay/open/mini/version/list/query",
        &body,
        Some(&token),
    );
    delegated
        .extra
        .push(("alipay-encryption-algm".into(), "AES".into()));
    let fields = decrypted(&config, &send(&emulator, &config, &delegated));
    assert_eq!(fields["app_versions"][0], "0.0.1");

    // A business error of an encrypted call is plain, unsigned JSON.
    let raw = send(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &ciphertext, None),
    );
    assert_error(&raw, 400, "code-invalid");
    assert_eq!(verdict(&config, &raw).unwrap(), V3Verdict::Unsigned);

    // An encrypted call without content (a GET, as Java sends it) is answered encrypted.
    let target = format!("/v3/alipay/open/auth/token/app/query?app_auth_token={token}");
    let mut query = Send::aes(&target, "", None);
    query.method = "GET";
    let fields = decrypted(&config, &send(&emulator, &config, &query));
    assert_eq!(fields["status"], "valid");
}

#[test]
fn a_ciphertext_under_another_key_is_a_decryption_error() {
    let emulator = start_with_key();
    let config = config(&emulator);
    let body = r#"{"grant_type":"authorization_code","code":"x"}"#;
    let wrong = key(OTHER_AES_KEY).encrypt(body.as_bytes()).unwrap();
    let raw = send(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &wrong, None),
    );
    let message = assert_error(&raw, 400, "decryption-error");
    assert!(!message.contains(AES_KEY));
    // Plain JSON sent as if encrypted, and Base64 that is not whole blocks.
    for body in [body, "AAAA"] {
        let raw = send(
            &emulator,
            &config,
            &Send::aes("/v3/alipay/open/auth/token/app", body, None),
        );
        assert_error(&raw, 400, "decryption-error");
    }
}

#[test]
fn a_ciphertext_changed_after_signing_is_an_invalid_signature() {
    let emulator = start_with_key();
    let config = config(&emulator);
    let ciphertext = key(AES_KEY)
        .encrypt(br#"{"grant_type":"authorization_code","code":"x"}"#)
        .unwrap();
    let other = key(AES_KEY)
        .encrypt(br#"{"grant_type":"authorization_code","code":"y"}"#)
        .unwrap();
    let raw = send_tampered(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &ciphertext, None),
        |_, body| *body = other.clone().into_bytes(),
    );
    assert_error(&raw, 400, "invalid-signature");
}

#[test]
fn an_emulator_without_a_key_answers_missing_encrypt_key() {
    let emulator = common::start();
    let config = config(&emulator);
    let ciphertext = key(AES_KEY).encrypt(b"{}").unwrap();
    let raw = send(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &ciphertext, None),
    );
    assert_error(&raw, 400, "missing-encrypt-key");
}

#[test]
fn only_aes_is_an_encryption_type() {
    let emulator = start_with_key();
    let config = config(&emulator);
    let ciphertext = key(AES_KEY).encrypt(b"{}").unwrap();
    let with_headers = |headers: &[(&str, &str)]| {
        let mut request = Send::json("/v3/alipay/open/auth/token/app", &ciphertext, None);
        request.content_type = "text/plain".into();
        request.extra = headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        send(&emulator, &config, &request)
    };
    assert_error(
        &with_headers(&[("alipay-encrypt-type", "SM4")]),
        400,
        "invalid-encrypt-type",
    );
    assert_error(
        &with_headers(&[
            ("alipay-encrypt-type", "AES"),
            ("alipay-encryption-algm", "RSA"),
        ]),
        400,
        "invalid-encrypt-type",
    );
    assert_error(
        &with_headers(&[("alipay-encryption-algm", "AES")]),
        400,
        "missing-encrypt-type",
    );
    // The signature is checked first: a forged encrypted request learns nothing about the key.
    let raw = send_tampered(
        &emulator,
        &config,
        &Send::aes("/v3/alipay/open/auth/token/app", &ciphertext, None),
        |headers, _| {
            headers.retain(|(name, _)| name != "authorization");
            headers.push((
                "authorization".into(),
                format!("ALIPAY-SHA256withRSA app_id={APP_ID},nonce=n,timestamp=1,sign=AAAA"),
            ));
        },
    );
    assert_error(&raw, 400, "invalid-signature");
}
