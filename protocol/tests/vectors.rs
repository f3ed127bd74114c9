//! Runs every case of the shared conformance vectors (`tests/vectors/*.json`) against the core.

use std::path::PathBuf;
use std::sync::Arc;

use alipay_isv_protocol::key::{PrivateKey, PublicKey};
use alipay_isv_protocol::sign::{Charset, SignType, Signer, Verifier, sign_content};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Value {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn read_key_file(relative: &str) -> String {
    std::fs::read_to_string(vectors_dir().join(relative)).unwrap()
}

fn text(case: &Value, field: &str) -> String {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {case}"))
        .to_string()
}

#[test]
fn every_key_case_loads_or_fails_as_expected() {
    let vectors = load("keys.json");
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = text(case, "name");
        let key_text = read_key_file(&text(case, "file"));
        let result = match text(case, "role").as_str() {
            "private" => PrivateKey::from_text(&key_text).map(|k| k.bits()),
            "public" => PublicKey::from_text(&key_text).map(|k| k.bits()),
            other => panic!("unknown role {other}"),
        };
        match text(case, "expect").as_str() {
            "ok" => {
                let bits = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(bits as u64, case["bits"].as_u64().unwrap(), "{name}");
            }
            "config_error" => {
                let error = result.err().unwrap_or_else(|| panic!("{name}: loaded"));
                assert_eq!(error.kind(), "config", "{name}");
                let expected = text(case, "reason_contains");
                assert!(
                    error.reason().to_lowercase().contains(&expected),
                    "{name}: `{}` lacks `{expected}`",
                    error.reason()
                );
                let body: String = key_text
                    .lines()
                    .filter(|l| !l.starts_with("-----"))
                    .collect();
                if body.len() > 16 {
                    assert!(!error.reason().contains(&body[..16]), "{name}: key echoed");
                }
            }
            other => panic!("unknown expectation {other}"),
        }
    }
}

#[test]
fn every_sign_case_gives_the_expected_content_and_signature() {
    let vectors = load("sign.json");
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = text(case, "name");
        let params: Vec<(String, String)> = case["params"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(content, text(case, "content"), "{name}");
        let sign_type: SignType = text(case, "sign_type").parse().unwrap();
        let charset: Charset = text(case, "charset").parse().unwrap();
        let private = PrivateKey::from_text(&read_key_file(&text(case, "private_key"))).unwrap();
        let signer = Signer::new(Arc::new(private), sign_type, charset).unwrap();
        let sign = signer.sign(&content).unwrap();
        assert_eq!(sign, text(case, "sign"), "{name}");
        let public = PublicKey::from_text(&read_key_file(&text(case, "public_key"))).unwrap();
        let verifier = Verifier::new(Arc::new(public), sign_type, charset).unwrap();
        verifier
            .verify(&content, &sign)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn every_verify_case_gives_the_expected_verdict() {
    let vectors = load("sign.json");
    let cases = vectors["verify_cases"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for case in cases {
        let name = text(case, "name");
        let public = PublicKey::from_text(&read_key_file(&text(case, "public_key"))).unwrap();
        let sign_type: SignType = text(case, "sign_type").parse().unwrap();
        let charset: Charset = text(case, "charset").parse().unwrap();
        let verifier = Verifier::new(Arc::new(public), sign_type, charset).unwrap();
        let result = verifier.verify(&text(case, "content"), &text(case, "sign"));
        if case["valid"].as_bool().unwrap() {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            let error = result.err().unwrap_or_else(|| panic!("{name}: verified"));
            assert_eq!(error.kind(), "signature", "{name}: {error}");
        }
    }
}
