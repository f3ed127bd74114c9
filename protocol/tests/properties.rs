//! Property tests of the protocol's invariants over generated inputs: canonical content ignores parameter
//! order; sign → verify round-trips for any parameters (Unicode, empty values, `=`/`&` inside values); a
//! form body built from any parameters parses back to them; any single-byte change to a signed response
//! node fails verification.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use alipay_isv_protocol::key::{PrivateKey, PublicKey};
use alipay_isv_protocol::notify::parse_form;
use alipay_isv_protocol::request::form_encode;
use alipay_isv_protocol::response::ResponseVerifier;
use alipay_isv_protocol::sign::{Charset, SignType, Signer, Verifier, sign_content};
use proptest::prelude::*;

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let key = PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap();
        Signer::new(Arc::new(key), SignType::Rsa2, Charset::Utf8).unwrap()
    })
}

fn public_key() -> Arc<PublicKey> {
    static KEY: OnceLock<Arc<PublicKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(PublicKey::from_text(&key_file("app_2048_public.pem")).unwrap()))
        .clone()
}

/// Parameter names: ASCII identifiers as the protocol uses, never `sign` (excluded from the content).
fn names() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,15}".prop_filter("sign is not signed", |name| name != "sign")
}

/// Values: any Unicode, including empty, spaces, `=`, `&`, `%`, `+`, quotes and CJK.
fn values() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ =&%+\"'a-zA-Z0-9]{1,24}",
        "\\PC{1,24}",
        "[支付宝用户测试]{1,8}",
    ]
}

fn params() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(names(), values(), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn canonical_content_ignores_parameter_order(
        params in params(),
        rotation in 0usize..12,
        reverse in any::<bool>(),
    ) {
        let sorted: Vec<(&str, &str)> =
            params.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        let mut shuffled = sorted.clone();
        if !shuffled.is_empty() {
            let len = shuffled.len();
            shuffled.rotate_left(rotation % len);
        }
        if reverse {
            shuffled.reverse();
        }
        prop_assert_eq!(sign_content(sorted), sign_content(shuffled));
    }

    #[test]
    fn sign_then_verify_round_trips_for_any_parameters(params in params()) {
        let content = sign_content(params.iter().map(|(key, value)| (key.as_str(), value.as_str())));
        if content.is_empty() {
            // Nothing left to sign is an input error, as in the Java SDK.
            let error = signer().sign(&content).unwrap_err();
            prop_assert_eq!(error.kind(), "config");
            return Ok(());
        }
        let sign = signer().sign(&content).unwrap();
        let verifier = Verifier::new(public_key(), SignType::Rsa2, Charset::Utf8).unwrap();
        prop_assert!(verifier.verify(&content, &sign).is_ok());
        let altered = format!("{content}x");
        prop_assert!(verifier.verify(&altered, &sign).is_err());
    }

    #[test]
    fn a_form_body_parses_back_to_its_parameters(params in params()) {
        let params: BTreeMap<String, String> = params
            .into_iter()
            .filter(|(key, value)| key != "charset" && !value.is_empty())
            .collect();
        let body = form_encode(
            params.iter().map(|(key, value)| (key.as_str(), value.as_str())),
            Charset::Utf8,
        )
        .unwrap();
        let parsed: BTreeMap<String, String> = parse_form(body.as_bytes()).unwrap().into_iter().collect();
        prop_assert_eq!(parsed, params);
    }

    #[test]
    fn any_single_byte_change_to_a_signed_node_fails_verification(
        params in params(),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let node = serde_json::json!({"code": "10000", "msg": "Success", "detail": params}).to_string();
        let sign = signer().sign(&node).unwrap();
        let body = format!("{{\"alipay_user_info_share_response\":{node},\"sign\":\"{sign}\"}}");
        let verifier = ResponseVerifier::new(public_key(), SignType::Rsa2, Charset::Utf8).unwrap();
        prop_assert!(verifier.verify("alipay.user.info.share", body.as_bytes()).is_ok());

        let start = body.find(&node).unwrap();
        let index = start + position.index(node.len());
        let mut tampered = body.into_bytes();
        prop_assume!(tampered[index] != replacement);
        tampered[index] = replacement;
        prop_assert!(verifier.verify("alipay.user.info.share", &tampered).is_err());
    }
}
