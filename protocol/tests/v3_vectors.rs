//! The OpenAPI v3 vectors of `tests/vectors/v3.json`, made by the official Node SDK (alipay-sdk 4.14.0):
//! our `Authorization` header is byte-identical with the SDK's for the same nonce and clock (key and
//! certificate mode, with and without a merchant token, query escapes, empty and Unicode bodies, the
//! SDK's `additionalAuthInfo` as our `v3_additional_auth_info`), and
//! our verdict on every answer is the SDK's.

use std::path::PathBuf;
use std::sync::Arc;

use alipay_isv_protocol::aes::AesKey;
use alipay_isv_protocol::config::IsvConfig;
use alipay_isv_protocol::key::{PrivateKey, PublicKey};
use alipay_isv_protocol::v3::{V3Answer, V3Body, V3Call, V3File, V3Request, V3Verdict};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn read(file: &str) -> String {
    std::fs::read_to_string(vectors_dir().join(file)).unwrap()
}

fn vectors() -> Value {
    serde_json::from_str(&read("v3.json")).unwrap()
}

fn app_key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_text(&read("keys/app_2048_pkcs8.pem")).unwrap())
}

fn key_config() -> IsvConfig {
    let alipay = PublicKey::from_text(&read("keys/alipay_2048_public.pem")).unwrap();
    IsvConfig::builder("2021000000000001", app_key(), Arc::new(alipay))
        .build()
        .unwrap()
}

fn text<'a>(case: &'a Value, name: &str) -> &'a str {
    case[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {case}"))
}

#[test]
fn our_authorization_header_is_the_official_sdks_byte_for_byte() {
    let cases = vectors()["requests"].as_array().unwrap().clone();
    assert!(cases.len() >= 7);
    let extended: Vec<&Value> = cases
        .iter()
        .filter(|case| case["additional_auth_info"].is_string())
        .collect();
    assert!(extended.iter().any(|case| case["cert_mode"] == true));
    assert!(extended.iter().any(|case| case["cert_mode"] == false));
    assert!(
        extended
            .iter()
            .any(|case| case["app_auth_token"].is_string())
    );
    for case in &cases {
        let extension = &case["additional_auth_info"];
        assert!(
            extension.is_null() || extension.is_string(),
            "{}: additional_auth_info",
            case["name"]
        );
        let config = &config_of(case);
        assert_eq!(config.v3_additional_auth_info(), extension.as_str());
        let request = V3Request {
            method: text(case, "method"),
            request_target: text(case, "request_target"),
            body: text(case, "body"),
            app_auth_token: case["app_auth_token"].as_str(),
        };
        let signed = request
            .sign_with(
                config,
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
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(
            header("alipay-root-cert-sn"),
            case["alipay_root_cert_sn"].as_str()
        );
        assert_eq!(
            header("alipay-app-auth-token"),
            case["app_auth_token"].as_str()
        );
        assert_eq!(header("authorization"), Some(text(case, "authorization")));
        // The extension, when there is one, ends the auth string, after the timestamp.
        let tail = match extension.as_str() {
            Some(pairs) => format!(",timestamp={},{pairs}", case["timestamp_ms"]),
            None => format!(",timestamp={}", case["timestamp_ms"]),
        };
        assert!(
            signed.auth_string.ends_with(&tail),
            "{}",
            signed.auth_string
        );
        // The token is the last signed line exactly when it is sent.
        assert_eq!(
            signed.string_to_sign.ends_with(&format!(
                "{}\n",
                case["app_auth_token"].as_str().unwrap_or("\u{0}")
            )),
            case["app_auth_token"].is_string(),
        );
        // Debug never shows the token.
        if let Some(token) = case["app_auth_token"].as_str() {
            assert!(!format!("{signed:?}{request:?}").contains(token));
        }
    }
}

#[test]
fn our_verdict_on_every_answer_is_the_official_sdks() {
    let config = key_config();
    for case in vectors()["answers"].as_array().unwrap() {
        let headers: Vec<(String, String)> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_string(),
                    pair[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let answer = V3Answer {
            status: case["status"].as_u64().unwrap() as u16,
            headers: &headers,
            body: text(case, "body").as_bytes(),
        };
        let verdict = answer.verify(&config);
        let name = &case["name"];
        match text(case, "expect") {
            "verified" => assert_eq!(verdict.unwrap(), V3Verdict::Verified, "{name}"),
            "unsigned" => assert_eq!(verdict.unwrap(), V3Verdict::Unsigned, "{name}"),
            "signature_error" => {
                assert_eq!(verdict.unwrap_err().kind(), "signature", "{name}")
            }
            "protocol_error" => assert_eq!(verdict.unwrap_err().kind(), "protocol", "{name}"),
            other => panic!("unknown expectation {other}"),
        }
    }
}

#[test]
fn an_unsigned_success_says_the_endpoint_may_be_a_v2_gateway() {
    let headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    let answer = V3Answer {
        status: 200,
        headers: &headers,
        body: b"{}",
    };
    let error = answer.verify(&key_config()).unwrap_err();
    assert!(error.reason().contains("gateway.do"), "{error}");
}

#[test]
fn a_ten_mebibyte_answer_or_one_that_is_not_utf8_is_a_protocol_error() {
    let headers = vec![
        ("alipay-signature".to_string(), "AAAA".to_string()),
        ("alipay-timestamp".to_string(), "1796600100000".to_string()),
        ("alipay-nonce".to_string(), "n".to_string()),
    ];
    let huge = vec![b'a'; 10 * 1024 * 1024 + 1];
    for body in [huge.as_slice(), b"\xff\xfe{}".as_slice()] {
        let answer = V3Answer {
            status: 200,
            headers: &headers,
            body,
        };
        let error = answer.verify(&key_config()).unwrap_err();
        assert_eq!(error.kind(), "protocol");
        assert!(error.reason().len() < 200, "nothing echoed unbounded");
    }
}

/// The configuration of a case (key or certificate mode), with the case's AES key and auth-string
/// extension (`additional_auth_info`, the SDK's `additionalAuthInfo`) when it has them.
fn config_of(case: &Value) -> IsvConfig {
    let base = if case["cert_mode"].as_bool() == Some(true) {
        IsvConfig::cert_builder(
            "2021000000000001",
            app_key(),
            read("certs/app_cert.crt").into_bytes(),
            read("certs/alipay_cert.crt").into_bytes(),
            read("certs/root_bundle.crt").into_bytes(),
        )
    } else {
        let alipay = PublicKey::from_text(&read("keys/alipay_2048_public.pem")).unwrap();
        IsvConfig::builder("2021000000000001", app_key(), Arc::new(alipay))
    };
    let base = match case["additional_auth_info"].as_str() {
        Some(pairs) => base.v3_additional_auth_info(pairs),
        None => base,
    };
    match case["aes_key"].as_str() {
        Some(key) => base.aes_key(AesKey::from_base64(key).unwrap()),
        None => base,
    }
    .build()
    .unwrap()
}

#[test]
fn our_encrypted_requests_and_uploads_are_the_official_sdks_byte_for_byte() {
    let cases = vectors()["requests"].as_array().unwrap().clone();
    let mut aes = 0;
    let mut uploads = 0;
    for case in &cases {
        let name = &case["name"];
        let mut call = V3Call::new(text(case, "method"), text(case, "request_target"))
            .app_auth_token(case["app_auth_token"].as_str());
        if let Some(plaintext) = case["plaintext"].as_str() {
            // Encrypting the SDK's plaintext gives its ciphertext (zero IV: deterministic) and its header.
            call.body = Some(plaintext.to_string());
            call.encrypt = true;
            aes += 1;
        } else if case["multipart"].as_bool() == Some(true) {
            // An upload signs the data part only: the SDK's data text gives its header whatever the file.
            call.body = Some(text(case, "body").to_string());
            call = call.file(V3File::from_bytes(
                "file_content",
                text(case, "file_name"),
                vec![0x89, b'P', b'N', b'G'],
            ));
            uploads += 1;
        } else {
            continue;
        }
        let request = config_of(case)
            .prepare_v3_with(
                &call,
                text(case, "nonce"),
                case["timestamp_ms"].as_u64().unwrap(),
            )
            .unwrap();
        assert_eq!(
            request.signature.authorization,
            text(case, "authorization"),
            "{name}"
        );
        match &request.body {
            V3Body::Text(body) => assert_eq!(body, text(case, "body"), "{name}"),
            V3Body::Multipart(body) => assert_eq!(body.data_text(), text(case, "body"), "{name}"),
            V3Body::Empty => panic!("{name}: no body"),
        }
        assert_eq!(
            request.header("alipay-root-cert-sn"),
            case["alipay_root_cert_sn"].as_str(),
            "{name}"
        );
    }
    assert!(
        aes >= 2 && uploads >= 1,
        "{aes} AES and {uploads} upload vectors"
    );
}

#[test]
fn encrypted_answers_verify_over_the_ciphertext_then_decrypt_as_the_sdk_says() {
    let mut checked = 0;
    for case in vectors()["answers"].as_array().unwrap() {
        if case["aes_key"].as_str().is_none() {
            continue;
        }
        checked += 1;
        let name = &case["name"];
        let headers: Vec<(String, String)> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_string(),
                    pair[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let answer = V3Answer {
            status: case["status"].as_u64().unwrap() as u16,
            headers: &headers,
            body: text(case, "body").as_bytes(),
        };
        let read = config_of(case).read_v3_answer(&answer, true);
        match (text(case, "expect"), case["decrypted"].as_str()) {
            ("verified", Some(decrypted)) => {
                let response = read.unwrap();
                assert_eq!(response.body, decrypted, "{name}");
                assert_eq!(response.verdict, V3Verdict::Verified);
            }
            ("verified", None) => {
                let expected = case["decrypt_expect"].as_str().unwrap();
                assert_eq!(
                    read.unwrap_err().kind(),
                    expected.trim_end_matches("_error")
                );
            }
            ("signature_error", _) => assert_eq!(read.unwrap_err().kind(), "signature", "{name}"),
            (other, _) => panic!("{name}: unknown expectation {other}"),
        }
    }
    assert!(checked >= 3);
}
