//! Anything POSTed to the application gateway: the form parser and V1/V2 verification and typing.
#![no_main]

use std::sync::Arc;

use alipay_isv::key::PublicKey;
use alipay_isv::notify::{NotificationVerifier, parse_form};
use libfuzzer_sys::fuzz_target;

const ALIPAY_PUBLIC: &str = include_str!("../../tests/vectors/keys/alipay_2048_public.pem");

fuzz_target!(|data: &[u8]| {
    let _ = parse_form(data);
    let key = Arc::new(PublicKey::from_text(ALIPAY_PUBLIC).expect("the vector key parses"));
    let _ = NotificationVerifier::new(key).verify_body(data);
});
