//! The CLI's flow commands: `auth-url` builds links the emulator accepts, and `emulator` serves a gateway
//! that the library's client can call.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use alipay_isv::Error;
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::request::CallOptions;
use common::{run, vectors};
use serde_json::Value;

fn json_output(args: &[&str]) -> Value {
    let output = run(args, "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn auth_url_prints_single_batch_console_and_user_links() {
    let base = [
        "auth-url",
        "--app-id",
        "2021000000000001",
        "--redirect-uri",
        "https://isv.example.com/cb",
    ];
    let single = json_output(&base);
    assert_eq!(single["kind"], "single");
    assert!(
        single["url"]
            .as_str()
            .unwrap()
            .starts_with("https://openauth.alipay.com/oauth2/appToAppAuth.htm?")
    );
    assert_eq!(single["state"].as_str().unwrap().len(), 32);

    let batch = json_output(
        &[
            &base[..],
            &["--host", "sandbox", "--application-types", "TINYAPP,WEBAPP"],
        ]
        .concat(),
    );
    assert_eq!(batch["kind"], "batch");
    assert!(
        batch["url"]
            .as_str()
            .unwrap()
            .contains("application_type=TINYAPP%2CWEBAPP")
    );

    let console = json_output(
        &[
            &base[..],
            &[
                "--console",
                "--application-types",
                "TINYAPP",
                "--state",
                "c3RhdGU=",
            ],
        ]
        .concat(),
    );
    assert_eq!(console["kind"], "console");
    assert_eq!(console["state"], "c3RhdGU=");

    let user = json_output(&[&base[..], &["--user-scope", "auth_user"]].concat());
    assert!(
        user["url"]
            .as_str()
            .unwrap()
            .contains("publicAppAuthorize.htm?app_id=2021000000000001&scope=auth_user")
    );

    let bad = run(&[&base[..], &["--state", "not base64!"]].concat(), "");
    assert_eq!(bad.status.code(), Some(2));
}

/// Kills the emulator process when the test ends, passed or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_emulator_command_serves_a_gateway_the_client_can_call() {
    let keys = vectors().join("keys");
    let app_public = keys.join("app_2048_public.pem");
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_alipay-isv"))
            .args([
                "emulator",
                "--port",
                "0",
                "--app-id",
                "2021000000000001",
                "--app-public-key",
            ])
            .arg(&app_public)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    // The settings are one pretty-printed JSON object: read lines until it parses.
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    let mut text = String::new();
    let settings: Value = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the emulator exited: {text}"
        );
        text.push_str(&line);
        if let Ok(value) = serde_json::from_str(&text) {
            break value;
        }
    };
    let alipay_public =
        PublicKey::from_text(settings["alipay_public_key_pem"].as_str().unwrap()).unwrap();
    let app_private =
        PrivateKey::from_text(&std::fs::read_to_string(keys.join("app_2048_pkcs8.pem")).unwrap())
            .unwrap();
    let config = IsvConfig::builder(
        "2021000000000001",
        Arc::new(app_private),
        Arc::new(alipay_public),
    )
    .gateway(settings["gateway_url"].as_str().unwrap())
    .build()
    .unwrap();
    let client = Client::new(config).unwrap();
    match client.execute(
        "alipay.open.mini.version.list.query",
        &CallOptions::default(),
    ) {
        Err(Error::Api(api)) => {
            assert_eq!(api.sub_code.as_deref(), Some("isv.self-invoke-forbidden"));
            assert!(api.signed);
        }
        other => panic!("expected the signed self-invoke error, got {other:?}"),
    }
}
