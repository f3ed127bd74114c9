//! The v3 lines and their refusals; the official SDK's headers are checked in `protocol/tests/v3_vectors.rs`.

use super::*;

fn request<'a>(method: &'a str, target: &'a str, token: Option<&'a str>) -> V3Request<'a> {
    V3Request {
        method,
        request_target: target,
        body: "",
        app_auth_token: token,
    }
}

#[test]
fn the_string_to_sign_has_a_line_per_part_each_ending_with_a_line_feed() {
    let auth = auth_string("2021000000000001", None, "n-1", 1_796_600_000_000, None).unwrap();
    assert_eq!(
        auth,
        "app_id=2021000000000001,nonce=n-1,timestamp=1796600000000"
    );
    let with_cert = auth_string("2021000000000001", Some("18feac94"), "n-1", 1, None).unwrap();
    assert_eq!(
        with_cert,
        "app_id=2021000000000001,app_cert_sn=18feac94,nonce=n-1,timestamp=1"
    );
    // An empty body is an empty line; no token, no token line.
    let plain = request("GET", "/v3/x?a=1", None)
        .string_to_sign(&auth)
        .unwrap();
    assert_eq!(plain, format!("{auth}\nGET\n/v3/x?a=1\n\n"));
    // An empty token is no token.
    assert_eq!(
        request("GET", "/v3/x?a=1", Some(""))
            .string_to_sign(&auth)
            .unwrap(),
        plain
    );
    let delegated = request("POST", "/v3/y", Some("202612BBtoken"))
        .string_to_sign(&auth)
        .unwrap();
    assert_eq!(delegated, format!("{auth}\nPOST\n/v3/y\n\n202612BBtoken\n"));
}

#[test]
fn values_that_would_change_the_signed_lines_are_refused() {
    let auth = auth_string("2021000000000001", None, "n", 1, None).unwrap();
    for (method, target, token) in [
        ("post", "/v3/y", None),
        ("", "/v3/y", None),
        ("POST", "v3/y", None),
        ("POST", "/v3/y?a=b c", None),
        ("POST", "/v3/y\nGET", None),
        ("POST", "/v3/y", Some("token\nline")),
    ] {
        let error = request(method, target, token)
            .string_to_sign(&auth)
            .unwrap_err();
        assert_eq!(error.kind(), "config", "{method} {target}");
        assert!(!error.reason().contains("token\nline"));
    }
    for (app_id, nonce) in [
        ("2021000000000001,x=1", "n"),
        ("2021000000000001", "n,timestamp=0"),
        ("", "n"),
        ("2021000000000001", ""),
        ("2021\n", "n"),
    ] {
        assert_eq!(
            auth_string(app_id, None, nonce, 1, None)
                .unwrap_err()
                .kind(),
            "config"
        );
    }
}

#[test]
fn nonces_are_fresh_and_the_clock_is_milliseconds() {
    let (first, second) = (new_nonce(), new_nonce());
    assert_eq!(first.len(), 32);
    assert_ne!(first, second);
    assert!(now_ms() > 1_700_000_000_000);
}

#[test]
fn a_request_target_is_shown_with_its_tokens_masked() {
    let shown = crate::secret::mask_query(
        "/v3/alipay/user/info/share?auth_token=authusrB0123456789abcdef&x=1",
    );
    assert!(shown.starts_with("/v3/alipay/user/info/share?auth_token="));
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(shown.ends_with("&x=1"));
    assert_eq!(crate::secret::mask_query("/v3/a"), "/v3/a");
}

#[test]
fn the_extension_follows_the_timestamp_in_the_auth_string() {
    assert_eq!(
        auth_string(
            "2021000000000001",
            None,
            "n-1",
            1,
            Some("expired_seconds=120")
        )
        .unwrap(),
        "app_id=2021000000000001,nonce=n-1,timestamp=1,expired_seconds=120"
    );
    assert_eq!(
        auth_string(
            "2021000000000001",
            Some("18feac94"),
            "n-1",
            1,
            Some("expired_seconds=120,x-trace_id=A-1")
        )
        .unwrap(),
        "app_id=2021000000000001,app_cert_sn=18feac94,nonce=n-1,timestamp=1,\
         expired_seconds=120,x-trace_id=A-1"
    );
    // An empty extension is none; a value may be empty or hold `=` and non-ASCII text.
    assert_eq!(
        auth_string("2021000000000001", None, "n-1", 1, Some("")).unwrap(),
        "app_id=2021000000000001,nonce=n-1,timestamp=1"
    );
    assert!(check_additional_auth_info("a=,b=x=y,c=中文 值").is_ok());
}

/// The reason of the refusal of `text`, which must be a configuration error.
fn refusal(text: &str) -> String {
    let error = check_additional_auth_info(text).unwrap_err();
    assert_eq!(error.kind(), "config", "{text:?}");
    assert!(
        error.reason().contains("v3_additional_auth_info"),
        "{}",
        error.reason()
    );
    // The same refusal when signing from an identity.
    let signed = auth_string("2021000000000001", None, "n", 1, Some(text)).unwrap_err();
    assert_eq!(signed.reason(), error.reason());
    error.reason().to_string()
}

#[test]
fn an_extension_that_is_not_key_value_pairs_is_refused() {
    assert!(refusal("expired_seconds").contains("`expired_seconds` is not a pair"));
    assert!(refusal("expired_seconds=120,").contains("`` is not a pair"));
    assert!(refusal(",expired_seconds=120").contains("`` is not a pair"));
    assert!(refusal("a=1,,b=2").contains("key=value"));
    // A comma in a value makes a piece that is not a pair.
    assert!(refusal("list=1,2").contains("no comma inside a value"));
}

#[test]
fn an_extension_with_a_bad_key_is_refused() {
    for (text, key) in [
        ("=120", "``"),
        (" expired_seconds=120", "` expired_seconds`"),
        ("a b=1", "`a b`"),
        ("a.b=1", "`a.b`"),
        ("键=1", "`键`"),
        ("a=1,b;c=2", "`b;c`"),
    ] {
        let reason = refusal(text);
        assert!(reason.contains(&format!("has the key {key}")), "{reason}");
        assert!(reason.contains("letters, digits, `_` and `-`"), "{reason}");
    }
}

#[test]
fn an_extension_with_a_line_break_or_a_control_character_is_refused() {
    for text in ["a=1\nb=2", "a=1\r\nGET", "a=1\r", "\na=1", "a=1,b=2\n"] {
        let reason = refusal(text);
        assert!(reason.contains("remove the line break"), "{reason}");
        // The text is shown escaped, on one line.
        assert!(!reason.contains(['\n', '\r']), "{reason}");
    }
    assert!(refusal("a=1\tb").contains("control characters"));
    assert!(refusal("a=\u{0}").contains("control characters"));
}

#[test]
fn an_extension_naming_a_pair_the_gateway_reads_is_refused() {
    for key in [
        "app_id",
        "app_cert_sn",
        "nonce",
        "timestamp",
        "sign",
        "SIGN",
        "Nonce",
    ] {
        let reason = refusal(&format!("expired_seconds=120,{key}=x"));
        assert!(
            reason.contains(&format!("must not set `{key}`")),
            "{reason}"
        );
    }
    assert!(refusal("a=1,a=2").contains("names `a` twice"));
    assert!(refusal("a=1,A=2").contains("names `A` twice"));
}

#[test]
fn a_refused_extension_is_shown_shortened() {
    let long = format!("a=1,{}", "b".repeat(500));
    let reason = refusal(&long);
    assert!(!reason.contains(&"b".repeat(100)), "{reason}");
    assert!(reason.contains("(504 bytes)"), "{reason}");
}
