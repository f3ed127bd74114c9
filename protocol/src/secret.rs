//! The one rule for secrets on display: which fields hold a secret ([`SECRET_FIELDS`]), how a secret
//! is shown ([`mask_secret`]: a short prefix and the length), and helpers that apply both — for one
//! named value ([`shown`]) and for a whole JSON document ([`mask_json`]).
//!
//! Every textual form in the project goes through this module: the core's `Debug` impls, the Python
//! `repr()`s, the Node `toString()`/`util.inspect` forms, the Kotlin `toString()`s, the CLI's printed
//! JSON, the emulator's error texts and the observability events. Adding a field name here masks it
//! everywhere at once.

use serde_json::Value;

/// Field names whose values are secrets: the merchant's token and its refresh token, the user's
/// access and refresh tokens, the token a delegated call carries, and the single-use authorisation
/// codes that buy them.
pub const SECRET_FIELDS: &[&str] = &[
    "app_auth_token",
    "app_refresh_token",
    "access_token",
    "refresh_token",
    "auth_token",
    "app_auth_code",
    "auth_code",
];

/// Field names whose values are personal data of the merchant's staff (the contact person and phone of
/// a service-market order): shown by their length only, not even a prefix.
pub const PERSONAL_FIELDS: &[&str] = &["contactor", "phone"];

/// Request parameters that are secret beyond [`SECRET_FIELDS`]: `code`, the user's authorisation
/// code that `alipay.system.oauth.token` takes as a top-level parameter. (In an answer, `code` is the
/// result code and is shown.)
pub const SECRET_REQUEST_PARAMS: &[&str] = &["code"];

/// Field names whose values are not secret themselves but may embed a secret (`biz_content` carries
/// the `code` or `refresh_token` of the token calls): shown by their length only.
pub const SECRET_CARRYING_FIELDS: &[&str] = &["biz_content"];

/// Whether a field of this name holds a secret (exact, case-sensitive protocol names).
pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

/// Whether a field of this name holds personal data ([`PERSONAL_FIELDS`]).
pub fn is_personal_field(name: &str) -> bool {
    PERSONAL_FIELDS.contains(&name)
}

/// Whether a request parameter of this name holds a secret: a [`SECRET_FIELDS`] name or one of
/// [`SECRET_REQUEST_PARAMS`].
pub fn is_secret_request_param(name: &str) -> bool {
    is_secret_field(name) || SECRET_REQUEST_PARAMS.contains(&name)
}

/// Masks a secret for display: at most the first four characters, then `…` and the length; secrets
/// of eight characters or fewer show nothing but their length.
///
/// `mask_secret("202311BB5d8a1e6b8f9e4a0b")` is `"2023…(24 chars)"`.
pub fn mask_secret(secret: &str) -> String {
    let count = secret.chars().count();
    if count <= 8 {
        return format!("…({count} chars)");
    }
    let prefix: String = secret.chars().take(4).collect();
    format!("{prefix}…({count} chars)")
}

/// The value of the field `name` as it may be shown: masked when the field is secret, its length
/// when it may carry a secret or is personal data, as it is otherwise.
pub fn shown(name: &str, value: &str) -> String {
    if is_secret_field(name) {
        mask_secret(value)
    } else if is_personal_field(name) {
        format!("…({} chars)", value.chars().count())
    } else if SECRET_CARRYING_FIELDS.contains(&name) {
        format!("({} chars)", value.chars().count())
    } else {
        value.to_string()
    }
}

/// [`shown`] for a request parameter: [`is_secret_request_param`] decides what is masked.
pub fn shown_param(name: &str, value: &str) -> String {
    if is_secret_request_param(name) {
        mask_secret(value)
    } else {
        shown(name, value)
    }
}

/// [`shown`] for an optional value.
pub fn shown_optional(name: &str, value: Option<&str>) -> Option<String> {
    value.map(|value| shown(name, value))
}

/// A URL or a request target (`/path?a=1&auth_token=…`) for display: the value of every secret request
/// parameter in its query (`auth_token`, `app_auth_token`, `code`, …) masked as [`shown_param`] masks it.
pub fn mask_query(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_string();
    };
    let shown: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_secret_request_param(name) => {
                format!("{name}={}", shown_param(name, value))
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{path}?{}", shown.join("&"))
}

/// Masks, at any depth of a JSON document, every string under a secret, personal or secret-carrying
/// field name.
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                match field {
                    Value::String(text)
                        if is_secret_field(name)
                            || is_personal_field(name)
                            || SECRET_CARRYING_FIELDS.contains(&name.as_str()) =>
                    {
                        *text = shown(name, text);
                    }
                    other => mask_json(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "202311BBsecretsecretsecret";

    #[test]
    fn a_mask_keeps_only_a_short_prefix_and_the_length() {
        let masked = mask_secret(SECRET);
        assert_eq!(masked, "2023…(26 chars)");
        assert_eq!(mask_secret("short"), "…(5 chars)");
        assert_eq!(mask_secret("12345678"), "…(8 chars)");
    }

    #[test]
    fn every_secret_field_is_masked_and_no_other() {
        for name in SECRET_FIELDS {
            assert_eq!(shown(name, SECRET), mask_secret(SECRET), "{name}");
        }
        assert_eq!(shown("auth_app_id", "2021000000000001"), "2021000000000001");
        assert_eq!(shown("biz_content", r#"{"code":"x"}"#), "(12 chars)");
        assert_eq!(shown_optional("access_token", None), None);
        assert_eq!(shown("phone", "17826894615"), "…(11 chars)");
        assert_eq!(shown("contactor", "赵华杰"), "…(3 chars)");
    }

    #[test]
    fn json_is_masked_at_any_depth() {
        let mut document = serde_json::json!({
            "alipay_open_auth_token_app_response": {
                "tokens": [{"app_auth_token": SECRET, "app_refresh_token": SECRET, "auth_app_id": "2021"}],
                "code": "10000"
            },
            "biz_content": "{\"grant_type\":\"authorization_code\"}",
            "params": {"phone": "17826894615", "contactor": "赵华杰"},
            "sign": "abc"
        });
        mask_json(&mut document);
        let text = document.to_string();
        assert!(!text.contains("secretsecret"), "{text}");
        assert!(text.contains("\"auth_app_id\":\"2021\""), "{text}");
        assert!(!text.contains("grant_type"), "{text}");
        assert!(
            !text.contains("17826894615") && !text.contains("赵华杰"),
            "{text}"
        );
        assert!(
            text.contains("\"code\":\"10000\""),
            "a result code is shown: {text}"
        );
    }

    #[test]
    fn the_oauth_code_parameter_is_secret_in_requests_only() {
        assert!(is_secret_request_param("code"));
        assert!(is_secret_request_param("refresh_token"));
        assert!(!is_secret_field("code"));
        assert!(!is_secret_request_param("grant_type"));
        assert_eq!(
            shown_param("code", "4b203fe6c11548bcabd8da5bb087a83b"),
            "4b20…(32 chars)"
        );
        assert_eq!(
            shown_param("grant_type", "authorization_code"),
            "authorization_code"
        );
    }
}
