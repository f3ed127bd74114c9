//! Authorisation callbacks: any URL or query string into both callback parsers, every state rule.
#![no_main]

use alipay_isv::auth::{StateCheck, parse_app_auth_callback, parse_user_auth_callback};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for check in [
        StateCheck::Expect("c3RhdGU="),
        StateCheck::AllowMissing { issued: None },
        StateCheck::AllowMissing { issued: Some("c3RhdGU=") },
    ] {
        let _ = parse_app_auth_callback(&text, "2021000000000001", check);
        let _ = parse_user_auth_callback(&text, "2021000000000001", check);
    }
});
