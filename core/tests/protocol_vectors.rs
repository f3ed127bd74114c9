//! Runs every case of `tests/vectors/responses.json` and `tests/vectors/notifications.json`.

use std::path::PathBuf;
use std::sync::Arc;

use alipay_isv::Error;
use alipay_isv::aes::AesKey;
use alipay_isv::key::PublicKey;
use alipay_isv::notify::{Notification, NotificationVerifier};
use alipay_isv::response::ResponseVerifier;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    vectors["cases"].as_array().unwrap().clone()
}

fn public_key(case: &Value) -> Arc<PublicKey> {
    let path = vectors_dir().join(case["alipay_public_key"].as_str().unwrap());
    Arc::new(PublicKey::from_text(&std::fs::read_to_string(path).unwrap()).unwrap())
}

fn body(case: &Value) -> Vec<u8> {
    match (
        case.get("body").and_then(Value::as_str),
        case.get("body_base64").and_then(Value::as_str),
    ) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(encoded)) => STANDARD.decode(encoded).unwrap(),
        _ => panic!("case without body: {case}"),
    }
}

fn expected_kind(case: &Value) -> &str {
    match case["expect"].as_str().unwrap() {
        "signature_error" => "signature",
        "protocol_error" => "protocol",
        "config_error" => "config",
        "api_error" => "api",
        other => other,
    }
}

fn assert_subset(actual: &Value, expected: &Value, name: &str) {
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(
            actual.get(key),
            Some(value),
            "{name}: field `{key}` in {actual}"
        );
    }
}

#[test]
fn every_response_case_gives_the_expected_verdict() {
    let cases = load("responses.json");
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let mut verifier = ResponseVerifier::new(
            public_key(case),
            case["sign_type"].as_str().unwrap().parse().unwrap(),
            case["charset"].as_str().unwrap().parse().unwrap(),
        )
        .unwrap();
        if let Some(key) = case["aes_key"].as_str() {
            verifier = verifier.with_aes_key(AesKey::from_base64(key).unwrap());
        }
        if let Some(limit) = case.get("max_body_bytes").and_then(Value::as_u64) {
            verifier = verifier.with_max_body_bytes(limit as usize);
        }
        let result = verifier.verify(case["method"].as_str().unwrap(), &body(case));
        match (expected_kind(case), result) {
            ("ok", Ok(verified)) => {
                assert_subset(&Value::Object(verified.fields), &case["fields"], name)
            }
            ("api", Err(Error::Api(api))) => {
                assert_eq!(api.code, case["code"].as_str().unwrap(), "{name}");
                assert_eq!(api.sub_code.as_deref(), case["sub_code"].as_str(), "{name}");
                assert_eq!(api.signed, case["signed"].as_bool().unwrap(), "{name}");
            }
            (expected, Err(error)) => assert_eq!(error.kind(), expected, "{name}: {error}"),
            (expected, Ok(verified)) => panic!(
                "{name}: expected {expected}, verified {:?}",
                verified.fields
            ),
        }
    }
}

#[test]
fn every_notification_case_gives_the_expected_verdict() {
    let cases = load("notifications.json");
    assert!(cases.len() >= 16, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let verifier = NotificationVerifier::new(public_key(case));
        let result = verifier.verify_body(&body(case));
        let notification = match (expected_kind(case), result) {
            ("ok", Ok(notification)) => notification,
            (expected, Err(error)) => {
                assert_eq!(error.kind(), expected, "{name}: {error}");
                continue;
            }
            (expected, Ok(notification)) => {
                panic!("{name}: expected {expected}, got {notification:?}")
            }
        };
        let params = match &notification {
            Notification::AppAuth(auth) => &auth.params,
            Notification::Message(message) => &message.params,
            Notification::Other { params } => params,
        };
        let params = Value::Object(
            params
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        );
        assert_subset(&params, &case["params"], name);
        match (case["kind"].as_str().unwrap(), &notification) {
            ("app_auth", Notification::AppAuth(auth)) => {
                let detail = &case["detail"];
                assert_eq!(
                    auth.detail.app_auth_token,
                    detail["app_auth_token"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    auth.detail.auth_app_id,
                    detail["auth_app_id"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    auth.detail.user_id.as_deref(),
                    detail["user_id"].as_str(),
                    "{name}"
                );
                assert_eq!(
                    auth.detail.expires_in,
                    detail["expires_in"].as_i64(),
                    "{name}"
                );
                assert_eq!(
                    auth.detail.re_expires_in,
                    detail["re_expires_in"].as_i64(),
                    "{name}"
                );
                assert_eq!(
                    auth.detail.auth_time,
                    detail["auth_time"].as_i64(),
                    "{name}"
                );
                let debug = format!("{:?}", auth.detail);
                assert!(
                    !debug.contains(&auth.detail.app_auth_token),
                    "{name}: token in Debug"
                );
            }
            ("message", Notification::Message(message)) => {
                assert_eq!(
                    message.msg_method,
                    case["msg_method"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    message.is_app_auth_cancelled(),
                    message.msg_method == "alipay.open.auth.appauth.cancelled"
                );
            }
            ("other", Notification::Other { .. }) => {}
            (kind, other) => panic!("{name}: expected {kind}, got {other:?}"),
        }
    }
}
