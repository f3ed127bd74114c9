//! Drives `alipay-isv verify-response` and `verify-notification` over the shared vectors: exit codes,
//! printed JSON, typed one-line errors, and masked tokens.

mod common;

use std::process::Output;

use common::{run, vectors};
use serde_json::Value;

fn case(file: &str, name: &str) -> Value {
    let text = std::fs::read_to_string(vectors().join(file)).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name}"))
        .clone()
}

fn names_with(file: &str, expect: &str) -> Vec<String> {
    let text = std::fs::read_to_string(vectors().join(file)).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["expect"] == expect && c.get("body").is_some())
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn key_path(case: &Value) -> String {
    vectors()
        .join(case["alipay_public_key"].as_str().unwrap())
        .to_str()
        .unwrap()
        .to_string()
}

fn verify_response(case: &Value) -> Output {
    let key = key_path(case);
    let mut args = vec![
        "verify-response",
        "--alipay-public-key",
        &key,
        "--method",
        case["method"].as_str().unwrap(),
    ];
    args.extend([
        "--charset",
        case["charset"].as_str().unwrap(),
        "--body",
        "-",
    ]);
    run(&args, case["body"].as_str().unwrap())
}

#[test]
fn a_verified_response_is_printed_with_tokens_masked() {
    let ok = names_with("responses.json", "ok");
    let name = ok.iter().find(|n| {
        let c = case("responses.json", n);
        c["method"] == "alipay.open.auth.token.app" && c["aes_key"].is_null()
    });
    let c = case("responses.json", name.expect("a token.app success case"));
    let output = verify_response(&c);
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    if let Some(token) = c["fields"]["app_auth_token"].as_str() {
        assert!(!stdout.contains(token), "token printed: {stdout}");
        assert!(printed["app_auth_token"].as_str().unwrap().contains('…'));
    }
    if let Some(user_id) = c["fields"]["user_id"].as_str() {
        assert_eq!(printed["user_id"], user_id);
    }
}

#[test]
fn response_errors_exit_with_their_kind() {
    for (expect, code, kind) in [
        ("api_error", 1, "api"),
        ("signature_error", 1, "signature"),
        ("protocol_error", 2, "protocol"),
    ] {
        for name in names_with("responses.json", expect) {
            let c = case("responses.json", &name);
            if c["max_body_bytes"].is_number() {
                continue; // the CLI uses the default limit
            }
            let output = verify_response(&c);
            assert_eq!(output.status.code(), Some(code), "{name}: {output:?}");
            let error: Value = serde_json::from_slice(&output.stderr).unwrap();
            assert_eq!(error["kind"], kind, "{name}");
            if kind == "api" {
                assert_eq!(error["code"], c["code"], "{name}");
                assert_eq!(error["signed"], c["signed"], "{name}");
            }
        }
    }
}

#[test]
fn notifications_verify_and_print_their_kind() {
    check_notification_file("notifications.json");
}

/// Genuine notifications signed by Alipay (official SDKs' test suites) and their tampered twins.
#[test]
fn real_signed_notifications_verify_and_their_tampered_twins_fail() {
    check_notification_file("real_notifications.json");
}

fn check_notification_file(file: &str) {
    let text = std::fs::read_to_string(vectors().join(file)).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    for c in all["cases"].as_array().unwrap() {
        let Some(body) = c["body"].as_str() else {
            continue;
        };
        let name = c["name"].as_str().unwrap();
        let key = key_path(c);
        let output = run(
            &[
                "verify-notification",
                "--alipay-public-key",
                &key,
                "--body",
                "-",
            ],
            body,
        );
        match c["expect"].as_str().unwrap() {
            "ok" => {
                assert!(output.status.success(), "{name}: {output:?}");
                let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
                let expected = match c["kind"].as_str().unwrap() {
                    "app_auth" => "app_auth",
                    "message" => "message",
                    "servicemarket_order" => "servicemarket_order",
                    _ => "other",
                };
                assert_eq!(printed["kind"], expected, "{name}");
                if let Some(form) = c["signed_form"].as_str() {
                    assert_eq!(printed["signed_form"], form, "{name}");
                }
                if let Some(order) = c.get("order") {
                    assert_eq!(
                        printed["commodity_order_id"], order["commodity_order_id"],
                        "{name}"
                    );
                    let phone = c["params"]["phone"].as_str().unwrap();
                    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
                    assert!(!stdout.contains(phone), "{name}: the phone printed");
                    let contactor = c["params"]["contactor"].as_str().unwrap();
                    assert_ne!(
                        printed["contactor"], contactor,
                        "{name}: the contactor printed"
                    );
                    assert_ne!(printed["params"]["contactor"], contactor, "{name}");
                }
                if let Some(token) = c["detail"]["app_auth_token"].as_str() {
                    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
                    assert!(!stdout.contains(token), "{name}: token printed");
                }
            }
            "signature_error" => assert_eq!(output.status.code(), Some(1), "{name}"),
            _ => assert_eq!(output.status.code(), Some(2), "{name}"),
        }
    }
}
