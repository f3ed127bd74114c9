//! The CLI in certificate mode: `cert-sn` on the shared vectors, `emulator --cert-mode` serving a gateway
//! the certificate-mode client can call with the app certificate it wrote, and `demo --cert-mode`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::PrivateKey;
use alipay_isv::request::CallOptions;
use common::{run, vectors};
use serde_json::Value;

fn path(relative: &str) -> String {
    vectors().join(relative).to_string_lossy().into_owned()
}

#[test]
fn cert_sn_prints_the_sns_of_the_vectors() {
    let cases: Value =
        serde_json::from_slice(&std::fs::read(vectors().join("certs.json")).unwrap()).unwrap();
    for case in cases["sn_cases"].as_array().unwrap() {
        let output = run(
            &[
                "cert-sn",
                "--app-cert",
                &path(case["file"].as_str().unwrap()),
            ],
            "",
        );
        assert!(output.status.success(), "{output:?}");
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(printed["app_cert_sn"], case["sn"], "{case}");
    }
    let output = run(
        &[
            "cert-sn",
            "--root-cert",
            &path("certs/production/alipayRootCert.crt"),
            "--alipay-cert",
            &path("certs/production/alipayCertPublicKey_RSA2.crt"),
        ],
        "",
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed["alipay_root_cert_sn"],
        "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
    );
    assert_eq!(
        printed["alipay_cert_sn"],
        "7513daaaa48aa3ba2e4018d84402479c"
    );
    assert_eq!(printed["rsa_roots"].as_array().unwrap().len(), 2);

    let sm2 = run(
        &[
            "cert-sn",
            "--root-cert",
            &path("certs/root_bundle_only_sm2.crt"),
        ],
        "",
    );
    assert_eq!(sm2.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&sm2.stderr).unwrap();
    assert_eq!(error["kind"], "config");
    assert_eq!(run(&["cert-sn"], "").status.code(), Some(2));
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
fn the_emulator_in_cert_mode_prints_what_a_cert_mode_client_needs() {
    let directory = std::env::temp_dir().join(format!("alipay-isv-cert-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let app_cert_file = directory.join("appCertPublicKey.crt");
    let mut child = Running(
        Command::new(env!("CARGO_BIN_EXE_alipay-isv"))
            .args([
                "emulator",
                "--cert-mode",
                "--app-id",
                "2021000000000001",
                "--app-public-key",
            ])
            .arg(path("keys/app_2048_public.pem"))
            .arg("--app-cert-out")
            .arg(&app_cert_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
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
    let cert = &settings["cert_mode"];
    let app_private =
        PrivateKey::from_text(&std::fs::read_to_string(path("keys/app_2048_pkcs8.pem")).unwrap())
            .unwrap();
    let config = IsvConfig::cert_builder(
        "2021000000000001",
        Arc::new(app_private),
        std::fs::read(&app_cert_file).unwrap(),
        cert["alipay_cert_pem"].as_str().unwrap(),
        cert["root_cert_bundle_pem"].as_str().unwrap(),
    )
    .gateway(settings["gateway_url"].as_str().unwrap())
    .build()
    .unwrap();
    assert_eq!(
        config.cert_mode().unwrap().app_cert_sn(),
        cert["app_cert_sn"]
    );
    assert_eq!(
        config.cert_mode().unwrap().alipay_root_cert_sn(),
        cert["alipay_root_cert_sn"]
    );
    let client = Client::new(config).unwrap();
    match client.execute(
        "alipay.open.mini.version.list.query",
        &CallOptions::default(),
    ) {
        Err(alipay_isv::Error::Api(api)) => {
            assert_eq!(api.sub_code.as_deref(), Some("isv.self-invoke-forbidden"));
            assert!(api.signed);
        }
        other => panic!("expected the signed self-invoke error, got {other:?}"),
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn demo_in_cert_mode_passes_every_step_including_the_rotation() {
    let output = run(&["demo", "--cert-mode"], "");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("all 32 steps passed"), "{stdout}");
    assert!(
        stdout.contains("alipay.open.app.alipaycert.download (1 download)"),
        "{stdout}"
    );
    assert!(!stdout.contains("FAILED"), "{stdout}");
}
