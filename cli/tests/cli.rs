//! Drives the built `alipay-isv` binary: outputs, exit codes (0 ok, 1 verification failed, 2 bad input)
//! and the one-line JSON errors.

mod common;

use std::process::Output;

use common::{run, vectors};
use serde_json::Value;

fn error_line(output: &Output) -> Value {
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    serde_json::from_str(stderr.trim()).unwrap()
}

fn first_sign_case() -> Value {
    let text = std::fs::read_to_string(vectors().join("sign.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    vectors["cases"][0].clone()
}

#[test]
fn sign_reproduces_a_vector_and_verify_accepts_it() {
    let case = first_sign_case();
    let key = vectors().join(case["private_key"].as_str().unwrap());
    let params = serde_json::to_string(&case["params"]).unwrap();
    let output = run(
        &[
            "sign",
            "--private-key",
            key.to_str().unwrap(),
            "--params",
            "-",
        ],
        &params,
    );
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["content"], case["content"]);
    assert_eq!(printed["sign"], case["sign"]);

    let public = vectors().join(case["public_key"].as_str().unwrap());
    let content = case["content"].as_str().unwrap();
    let sign = case["sign"].as_str().unwrap();
    let ok = run(
        &[
            "verify",
            "--public-key",
            public.to_str().unwrap(),
            "--content",
            "-",
            "--sign",
            sign,
        ],
        content,
    );
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");

    let tampered = run(
        &[
            "verify",
            "--public-key",
            public.to_str().unwrap(),
            "--content",
            "-",
            "--sign",
            sign,
        ],
        &content.replace("authorization_code", "authorization_codf"),
    );
    assert_eq!(tampered.status.code(), Some(1));
    assert_eq!(error_line(&tampered)["kind"], "signature");
}

#[test]
fn bad_inputs_exit_2_with_a_typed_json_error() {
    let garbage = vectors().join("keys/bad_garbage.txt");
    let bad_key = run(
        &[
            "sign",
            "--private-key",
            garbage.to_str().unwrap(),
            "--params",
            "-",
        ],
        "{}",
    );
    assert_eq!(bad_key.status.code(), Some(2));
    let error = error_line(&bad_key);
    assert_eq!(error["kind"], "config");
    assert!(
        error["reason"].as_str().unwrap().contains("Base64"),
        "{error}"
    );

    let key = vectors().join("keys/app_2048_pkcs8.pem");
    let number = run(
        &[
            "sign",
            "--private-key",
            key.to_str().unwrap(),
            "--params",
            "-",
        ],
        r#"{"a": 1}"#,
    );
    assert_eq!(number.status.code(), Some(2));
    assert!(
        error_line(&number)["reason"]
            .as_str()
            .unwrap()
            .contains("`a`")
    );

    let missing = run(
        &[
            "sign",
            "--private-key",
            "/nonexistent/key.pem",
            "--params",
            "-",
        ],
        "{}",
    );
    assert_eq!(missing.status.code(), Some(2));

    let rsa2_1024 = vectors().join("keys/app_1024_pkcs1.pem");
    let small = run(
        &[
            "sign",
            "--private-key",
            rsa2_1024.to_str().unwrap(),
            "--params",
            "-",
        ],
        "{}",
    );
    assert_eq!(small.status.code(), Some(2));
    assert!(
        error_line(&small)["reason"]
            .as_str()
            .unwrap()
            .contains("2048")
    );

    let legacy = run(
        &[
            "sign",
            "--private-key",
            rsa2_1024.to_str().unwrap(),
            "--sign-type",
            "RSA",
            "--params",
            "-",
        ],
        r#"{"a": "1"}"#,
    );
    assert!(legacy.status.success(), "{legacy:?}");
}

#[test]
fn keygen_writes_every_format_and_refuses_to_overwrite() {
    let directory = std::env::temp_dir().join(format!("alipay-isv-keygen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    let first = run(&["keygen", "--out-dir", directory.to_str().unwrap()], "");
    assert!(first.status.success(), "{first:?}");
    for name in [
        "app_private_key_pkcs8.pem",
        "app_private_key_pkcs1.pem",
        "app_private_key.txt",
        "app_public_key.pem",
        "app_public_key.txt",
    ] {
        assert!(directory.join(name).exists(), "{name}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(directory.join("app_private_key.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key readable by others: {mode:o}");
    }
    let summary = String::from_utf8(first.stdout).unwrap();
    assert!(!summary.contains("PRIVATE KEY"), "{summary}");
    let second = run(&["keygen", "--out-dir", directory.to_str().unwrap()], "");
    assert_eq!(second.status.code(), Some(2));
    assert!(
        error_line(&second)["reason"]
            .as_str()
            .unwrap()
            .contains("--force")
    );

    let key = directory.join("app_private_key.txt");
    let signed = run(
        &[
            "sign",
            "--private-key",
            key.to_str().unwrap(),
            "--params",
            "-",
        ],
        r#"{"b":"2","a":"1"}"#,
    );
    let printed: Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert_eq!(printed["content"], "a=1&b=2");
    let public = directory.join("app_public_key.txt");
    let verified = run(
        &[
            "verify",
            "--public-key",
            public.to_str().unwrap(),
            "--content",
            "-",
            "--sign",
            printed["sign"].as_str().unwrap(),
        ],
        "a=1&b=2",
    );
    assert!(verified.status.success(), "{verified:?}");
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn demo_passes_every_step() {
    let output = run(&["demo"], "");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("all 30 steps passed"), "{stdout}");
    assert!(!stdout.contains("FAILED"), "{stdout}");
}
