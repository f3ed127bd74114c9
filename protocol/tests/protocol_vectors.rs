//! Runs every case of `tests/vectors/responses.json` and `tests/vectors/notifications.json`.

use std::path::PathBuf;
use std::sync::Arc;

use alipay_isv_protocol::Error;
use alipay_isv_protocol::aes::AesKey;
use alipay_isv_protocol::key::PublicKey;
use alipay_isv_protocol::notify::{Notification, NotificationVerifier};
use alipay_isv_protocol::response::ResponseVerifier;
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

/// The verifier a response case describes: its key, sign type, charset, AES key and size limit.
fn verifier_for(case: &Value) -> ResponseVerifier {
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
    verifier
}

#[test]
fn every_response_case_gives_the_expected_verdict() {
    let cases = load("responses.json");
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let verifier = verifier_for(case);
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

/// `verify_node` (fields left as JSON text) agrees with `verify` on every case: same fields, same error.
#[test]
fn verify_node_agrees_with_verify_on_every_response_case() {
    for case in &load("responses.json") {
        let name = case["name"].as_str().unwrap();
        let verifier = verifier_for(case);
        let method = case["method"].as_str().unwrap();
        match (
            verifier.verify(method, &body(case)),
            verifier.verify_node(method, &body(case)),
        ) {
            (Ok(verified), Ok(node)) => {
                let parsed: Value = serde_json::from_str(&node.json).unwrap();
                assert_eq!(parsed, Value::Object(verified.fields), "{name}");
                assert_eq!(node.alipay_cert_sn, verified.alipay_cert_sn, "{name}");
                assert!(
                    !format!("{node:?}").contains(&node.json[1..]),
                    "{name}: Debug shows the node"
                );
            }
            (Err(error), Err(node_error)) => {
                assert_eq!(error.to_string(), node_error.to_string(), "{name}")
            }
            (verified, node) => panic!(
                "{name}: verify gave {:?}, verify_node {:?}",
                verified.map(|_| "ok"),
                node.map(|_| "ok")
            ),
        }
    }
}

#[test]
fn every_notification_case_gives_the_expected_verdict() {
    let cases = load("notifications.json");
    assert!(cases.len() >= 16, "{} cases", cases.len());
    check_notification_cases(&cases);
}

/// Genuine notifications signed by Alipay, published in the official SDKs' test suites (see
/// tests/vectors/real_notifications.json for the source of each), and a tampered twin of each.
#[test]
fn every_real_signed_notification_verifies_and_every_tampered_twin_fails() {
    let cases = load("real_notifications.json");
    assert!(cases.len() >= 10, "{} cases", cases.len());
    let genuine = cases.iter().filter(|case| case["expect"] == "ok").count();
    assert!(genuine >= 5, "{genuine} genuine samples");
    check_notification_cases(&cases);
}

fn check_notification_cases(cases: &[Value]) {
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let verifier = NotificationVerifier::new(public_key(case));
        let result = verifier.verify_body_with_form(&body(case));
        let notification = match (expected_kind(case), result) {
            ("ok", Ok(verified)) => {
                if let Some(form) = case["signed_form"].as_str() {
                    assert_eq!(verified.signed_form.name(), form, "{name}");
                }
                verified.notification
            }
            (expected, Err(error)) => {
                assert_eq!(error.kind(), expected, "{name}: {error}");
                continue;
            }
            (expected, Ok(verified)) => {
                panic!("{name}: expected {expected}, got {verified:?}")
            }
        };
        let params = notification.params();
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
            ("servicemarket_order", Notification::ServiceMarketOrder(order)) => {
                let expected = &case["order"];
                let text = |field: &str| expected[field].as_str().map(str::to_string);
                assert_eq!(
                    Some(order.commodity_order_id.clone()),
                    text("commodity_order_id"),
                    "{name}"
                );
                assert_eq!(
                    Some(order.merchant_pid.clone()),
                    text("merchant_pid"),
                    "{name}"
                );
                assert_eq!(Some(order.notify_id.clone()), text("notify_id"), "{name}");
                assert_eq!(order.merchant_name, text("merchant_name"), "{name}");
                assert_eq!(
                    order.consumer_mini_app_id,
                    text("consumer_mini_app_id"),
                    "{name}"
                );
                assert_eq!(order.title, text("title"), "{name}");
                assert_eq!(order.total_price, text("total_price"), "{name}");
                assert_eq!(order.order_ticket, text("order_ticket"), "{name}");
                assert_eq!(
                    order.order_item_num.map(i64::from),
                    expected["order_item_num"].as_i64(),
                    "{name}"
                );
                let debug = format!("{order:?}");
                for personal in [&order.contactor, &order.phone].into_iter().flatten() {
                    assert!(!debug.contains(personal.as_str()), "{name}: {debug}");
                }
            }
            ("other", Notification::Other { .. }) => {}
            (kind, other) => panic!("{name}: expected {kind}, got {other:?}"),
        }
    }
}

/// A signed node naming `code` twice is ambiguous (which one is the verdict?): refused as a protocol
/// error, by both `verify` and `verify_node`, rather than one of them picked.
#[test]
fn a_node_with_two_codes_is_refused() {
    use alipay_isv_protocol::key::PrivateKey;
    use alipay_isv_protocol::sign::{Charset, SignType, Signer};
    let keys = vectors_dir().join("keys");
    let private = PrivateKey::from_text(
        &std::fs::read_to_string(keys.join("alipay_2048_pkcs8.pem")).unwrap(),
    )
    .unwrap();
    let public = Arc::new(private.public_key().clone());
    let signer = Signer::new(Arc::new(private), SignType::Rsa2, Charset::Utf8).unwrap();
    let node = r#"{"code":"40004","msg":"Business Failed","code":"10000","trade_no":"1"}"#;
    let body = format!(
        r#"{{"alipay_trade_query_response":{node},"sign":"{}"}}"#,
        signer.sign(node).unwrap()
    );
    let verifier = ResponseVerifier::new(public, SignType::Rsa2, Charset::Utf8).unwrap();
    for error in [
        verifier
            .verify("alipay.trade.query", body.as_bytes())
            .unwrap_err(),
        verifier
            .verify_node("alipay.trade.query", body.as_bytes())
            .unwrap_err(),
    ] {
        assert_eq!(error.kind(), "protocol", "{error}");
        assert!(error.reason().contains("duplicate field `code`"), "{error}");
    }
}
