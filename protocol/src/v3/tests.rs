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
    let auth = auth_string("2021000000000001", None, "n-1", 1_796_600_000_000).unwrap();
    assert_eq!(
        auth,
        "app_id=2021000000000001,nonce=n-1,timestamp=1796600000000"
    );
    let with_cert = auth_string("2021000000000001", Some("18feac94"), "n-1", 1).unwrap();
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
    let auth = auth_string("2021000000000001", None, "n", 1).unwrap();
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
            auth_string(app_id, None, nonce, 1).unwrap_err().kind(),
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
