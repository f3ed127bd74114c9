//! `alipay-isv v3-sign` prints the official SDK's `Authorization` header for the same inputs (every request
//! vector of `tests/vectors/v3.json`, key and certificate mode, with and without the auth string's
//! extension), with the token masked, and refuses an extension that is not `key=value` pairs; `v3-verify` gives
//! every answer vector's verdict (exit 1 for a signature error, 2 for a malformed answer).

mod common;

use std::process::{Command, Stdio};

use common::{run, vectors};
use serde_json::Value;

fn v3() -> Value {
    serde_json::from_str(&std::fs::read_to_string(vectors().join("v3.json")).unwrap()).unwrap()
}

fn path(file: &str) -> String {
    vectors().join(file).to_str().unwrap().to_string()
}

#[test]
fn v3_sign_prints_the_official_sdks_header_and_masks_the_token() {
    for case in v3()["requests"].as_array().unwrap() {
        let timestamp = case["timestamp_ms"].as_u64().unwrap().to_string();
        let mut args = vec![
            "v3-sign".to_string(),
            "--app-id".into(),
            case["app_id"].as_str().unwrap().into(),
            "--private-key".into(),
            path("keys/app_2048_pkcs8.pem"),
            "--method".into(),
            case["method"].as_str().unwrap().into(),
            "--target".into(),
            case["request_target"].as_str().unwrap().into(),
            "--body".into(),
            "-".into(),
            "--nonce".into(),
            case["nonce"].as_str().unwrap().into(),
            "--timestamp-ms".into(),
            timestamp,
        ];
        if case["cert_mode"].as_bool().unwrap() {
            args.extend([
                "--app-cert".into(),
                path("certs/app_cert.crt"),
                "--root-cert".into(),
                path("certs/root_bundle.crt"),
            ]);
        }
        if let Some(extension) = case["additional_auth_info"].as_str() {
            args.extend(["--additional-auth-info".into(), extension.into()]);
        }
        let token = case["app_auth_token"].as_str();
        if token.is_some() {
            args.extend(["--app-auth-token-env".into(), "V3_TEST_TOKEN".into()]);
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_alipay-isv"));
        command
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.env("V3_TEST_TOKEN", token);
        }
        let mut child = command.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(case["body"].as_str().unwrap().as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            case["name"],
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            printed["authorization"], case["authorization"],
            "{}",
            case["name"]
        );
        assert_eq!(
            printed["headers"]["alipay-root-cert-sn"],
            case["alipay_root_cert_sn"]
        );
        if let Some(token) = token {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(!text.contains(token), "the token is masked: {text}");
            assert!(
                printed["string_to_sign"]
                    .as_str()
                    .unwrap()
                    .ends_with("(40 chars)\n")
            );
        }
        // A user's auth_token in the query is masked too.
        let target = case["request_target"].as_str().unwrap();
        if let Some((_, user_token)) = target.split_once("?auth_token=") {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(!text.contains(user_token), "{}: {text}", case["name"]);
        }
    }
}

#[test]
fn v3_verify_gives_every_answers_verdict() {
    let body_dir = std::env::temp_dir().join(format!("alipay-isv-v3-{}", std::process::id()));
    std::fs::create_dir_all(&body_dir).unwrap();
    for case in v3()["answers"].as_array().unwrap() {
        let body = body_dir.join("body");
        std::fs::write(&body, case["body"].as_str().unwrap()).unwrap();
        let status = case["status"].as_u64().unwrap().to_string();
        let mut args = vec![
            "v3-verify".to_string(),
            "--alipay-public-key".into(),
            path("keys/alipay_2048_public.pem"),
            "--status".into(),
            status,
            "--body".into(),
            body.to_str().unwrap().into(),
        ];
        for pair in case["headers"].as_array().unwrap() {
            args.extend([
                "--header".into(),
                format!(
                    "{}: {}",
                    pair[0].as_str().unwrap(),
                    pair[1].as_str().unwrap()
                ),
            ]);
        }
        let arguments: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&arguments, "");
        let name = &case["name"];
        match case["expect"].as_str().unwrap() {
            expected @ ("verified" | "unsigned") => {
                assert!(output.status.success(), "{name}");
                let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
                assert_eq!(printed["verdict"], expected, "{name}");
            }
            "signature_error" => assert_eq!(output.status.code(), Some(1), "{name}"),
            "protocol_error" => assert_eq!(output.status.code(), Some(2), "{name}"),
            other => panic!("unknown expectation {other}"),
        }
    }
    let half = run(
        &[
            "v3-sign",
            "--app-id",
            "2021000000000001",
            "--private-key",
            &path("keys/app_2048_pkcs8.pem"),
            "--method",
            "GET",
            "--target",
            "/v3/x",
            "--nonce",
            "n",
        ],
        "",
    );
    assert_eq!(
        half.status.code(),
        Some(2),
        "a nonce without a timestamp is refused"
    );
    let malformed = run(
        &[
            "v3-verify",
            "--alipay-public-key",
            &path("keys/alipay_2048_public.pem"),
            "--header",
            "no colon",
            "--body",
            "-",
        ],
        "{}",
    );
    assert_eq!(malformed.status.code(), Some(2));
    std::fs::remove_dir_all(&body_dir).unwrap();
}

#[test]
fn v3_sign_appends_the_additional_auth_info_and_refuses_a_malformed_one() {
    let sign = |extension: &str| {
        run(
            &[
                "v3-sign",
                "--app-id",
                "2021000000000001",
                "--private-key",
                &path("keys/app_2048_pkcs8.pem"),
                "--method",
                "GET",
                "--target",
                "/v3/x",
                "--nonce",
                "n-1",
                "--timestamp-ms",
                "1796600000000",
                "--additional-auth-info",
                extension,
            ],
            "",
        )
    };
    let output = sign("expired_seconds=120");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let auth = "app_id=2021000000000001,nonce=n-1,timestamp=1796600000000,expired_seconds=120";
    assert_eq!(printed["auth_string"], auth);
    assert!(
        printed["string_to_sign"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{auth}\nGET\n/v3/x\n"))
    );
    assert!(
        printed["authorization"]
            .as_str()
            .unwrap()
            .starts_with(&format!("ALIPAY-SHA256withRSA {auth},sign="))
    );
    for (extension, says) in [
        ("nonce=x", "must not set `nonce`"),
        ("expired_seconds", "key=value"),
        ("a=1,sign=x", "must not set `sign`"),
    ] {
        let refused = sign(extension);
        assert_eq!(refused.status.code(), Some(2), "{extension}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(says), "{extension}: {stderr}");
    }
}
