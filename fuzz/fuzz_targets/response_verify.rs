//! Gateway answers: raw node extraction and the whole verification policy over any body.
#![no_main]

use std::sync::Arc;

use alipay_isv::key::PublicKey;
use alipay_isv::response::{ResponseVerifier, extract_signed_node};
use alipay_isv::sign::{Charset, SignType};
use libfuzzer_sys::fuzz_target;

const ALIPAY_PUBLIC: &str = include_str!("../../tests/vectors/keys/alipay_2048_public.pem");

fuzz_target!(|data: &[u8]| {
    let key = Arc::new(PublicKey::from_text(ALIPAY_PUBLIC).expect("the vector key parses"));
    for charset in [Charset::Utf8, Charset::Gbk] {
        let verifier = ResponseVerifier::new(key.clone(), SignType::Rsa2, charset).expect("RSA2 key");
        let _ = verifier.verify("alipay.user.info.share", data);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = extract_signed_node(text, "alipay.open.auth.token.app");
    }
});
