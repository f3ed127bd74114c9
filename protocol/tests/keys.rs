//! Key-handling behaviour beyond the vectors: RSA2 size rule, own-key probe, secrets in output.

use std::sync::Arc;

use alipay_isv_protocol::key::{PrivateKey, PublicKey, generate_key_pair};
use alipay_isv_protocol::sign::{Charset, SignType, Signer, Verifier, looks_like_own_key};

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn a_1024_bit_key_is_refused_for_rsa2_but_signs_legacy_rsa() {
    let key = Arc::new(PrivateKey::from_text(&key_file("app_1024_pkcs1.pem")).unwrap());
    let error = Signer::new(key.clone(), SignType::Rsa2, Charset::Utf8)
        .err()
        .unwrap();
    assert_eq!(error.kind(), "config");
    assert!(error.reason().contains("2048"), "{error}");
    let signer = Signer::new(key.clone(), SignType::Rsa, Charset::Utf8).unwrap();
    let sign = signer.sign("a=1").unwrap();
    let public = Arc::new(key.public_key().clone());
    assert!(Verifier::new(public.clone(), SignType::Rsa2, Charset::Utf8).is_err());
    Verifier::new(public, SignType::Rsa, Charset::Utf8)
        .unwrap()
        .verify("a=1", &sign)
        .unwrap();
}

#[test]
fn own_public_key_is_detected_and_the_alipay_key_is_not() {
    let app = PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap();
    let own = PublicKey::from_text(&key_file("app_2048_public.txt")).unwrap();
    let alipay = PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap();
    assert!(looks_like_own_key(&app, &own));
    assert!(!looks_like_own_key(&app, &alipay));
}

#[test]
fn gbk_signing_refuses_characters_gbk_lacks() {
    let key = Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap());
    let signer = Signer::new(key, SignType::Rsa2, Charset::Gbk).unwrap();
    let error = signer.sign("subject=红包😀").err().unwrap();
    assert_eq!(error.kind(), "config");
}

#[test]
fn garbage_signatures_are_signature_errors() {
    let public = Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap());
    let verifier = Verifier::new(public, SignType::Rsa2, Charset::Utf8).unwrap();
    for sign in ["", "not base64 !!", "AAAA", "===="] {
        let error = verifier.verify("a=1", sign).err().unwrap();
        assert_eq!(error.kind(), "signature", "{sign:?}: {error}");
    }
}

#[test]
fn generated_keys_sign_and_verify_and_never_print_their_secret() {
    let pair = generate_key_pair(2048).unwrap();
    let pkcs8 = pair.private_key.to_pkcs8_base64().unwrap();
    let debug = format!("{:?}", pair);
    assert!(!debug.contains(&pkcs8[..40]), "{debug}");
    let signer = Signer::new(Arc::new(pair.private_key), SignType::Rsa2, Charset::Utf8).unwrap();
    let verifier = Verifier::new(Arc::new(pair.public_key), SignType::Rsa2, Charset::Utf8).unwrap();
    let (content, sign) = signer.sign_params([("b", "2"), ("a", "1")]).unwrap();
    assert_eq!(content, "a=1&b=2");
    verifier.verify(&content, &sign).unwrap();
    assert!(verifier.verify("a=1&b=3", &sign).is_err());
}
