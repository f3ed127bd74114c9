//! The one masking rule (`alipay_isv::secret`) fed every secret field of every record type: each
//! record is built with a distinct secret in every field the rule names, and its `Debug` form must
//! show the rule's mask of each and none of the values.

use alipay_isv::auth::{AppAuthCallback, AppAuthToken, UserAuthCallback, UserToken};
use alipay_isv::notify::AppAuthDetail;
use alipay_isv::registry::{AuthOrigin, AuthStatus, MerchantAuthorisation};
use alipay_isv::request::CallOptions;
use alipay_isv::secret::{SECRET_FIELDS, is_secret_field, mask_secret};

/// A recognisable secret for the field `name`.
fn secret(name: &str) -> String {
    format!("2026{name:_<24}{}", name.len())
}

/// `(type, Debug text, the secret fields it was given)` for every record type.
fn records() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let token = AppAuthToken {
        app_auth_token: secret("app_auth_token"),
        app_refresh_token: Some(secret("app_refresh_token")),
        auth_app_id: "2021000000000002".into(),
        user_id: Some("2088000000000001".into()),
        expires_in: Some(3600),
        re_expires_in: Some(7200),
    };
    let user = UserToken {
        user_id: Some("2088000000000009".into()),
        open_id: None,
        access_token: secret("access_token"),
        expires_in: Some(3600),
        refresh_token: Some(secret("refresh_token")),
        re_expires_in: Some(7200),
        auth_start: None,
    };
    let app_callback = AppAuthCallback {
        app_auth_code: secret("app_auth_code"),
        app_id: "2021000000000001".into(),
        source: None,
        state: None,
    };
    let user_callback = UserAuthCallback {
        auth_code: secret("auth_code"),
        app_id: "2021000000000002".into(),
        scope: Some("auth_user".into()),
        state: None,
    };
    let detail = AppAuthDetail {
        app_auth_token: secret("app_auth_token"),
        app_refresh_token: Some(secret("app_refresh_token")),
        auth_app_id: "2021000000000002".into(),
        app_auth_code: Some(secret("app_auth_code")),
        ..AppAuthDetail::default()
    };
    let options = CallOptions {
        app_auth_token: Some(secret("app_auth_token")),
        auth_token: Some(secret("auth_token")),
        ..CallOptions::default()
    };
    let record = MerchantAuthorisation {
        app_id: "2021000000000001".into(),
        auth_app_id: "2021000000000002".into(),
        merchant_pid: Some("2088000000000001".into()),
        app_auth_token: secret("app_auth_token"),
        app_refresh_token: Some(secret("app_refresh_token")),
        expires_at_ms: None,
        refresh_expires_at_ms: None,
        authorised_at_ms: 1,
        token_issued_at_ms: 1,
        status: AuthStatus::Active,
        revoked_at_ms: None,
        granted_methods: vec![],
        version: 1,
        refresh_lease: None,
        updated_at_ms: 1,
        origin: AuthOrigin::Authorised,
    };
    vec![
        (
            "AppAuthToken",
            format!("{token:?}"),
            vec!["app_auth_token", "app_refresh_token"],
        ),
        (
            "UserToken",
            format!("{user:?}"),
            vec!["access_token", "refresh_token"],
        ),
        (
            "AppAuthCallback",
            format!("{app_callback:?}"),
            vec!["app_auth_code"],
        ),
        (
            "UserAuthCallback",
            format!("{user_callback:?}"),
            vec!["auth_code"],
        ),
        (
            "AppAuthDetail",
            format!("{detail:?}"),
            vec!["app_auth_token", "app_refresh_token", "app_auth_code"],
        ),
        (
            "CallOptions",
            format!("{options:?}"),
            vec!["app_auth_token", "auth_token"],
        ),
        (
            "MerchantAuthorisation",
            format!("{record:?}"),
            vec!["app_auth_token", "app_refresh_token"],
        ),
    ]
}

#[test]
fn every_secret_field_of_every_record_type_is_masked_by_the_rule() {
    let mut fed = std::collections::BTreeSet::new();
    for (type_name, text, fields) in records() {
        for field in fields {
            assert!(
                is_secret_field(field),
                "{type_name}.{field} is not in the rule"
            );
            let value = secret(field);
            assert!(!text.contains(&value), "{type_name}.{field} shown: {text}");
            assert!(
                text.contains(&mask_secret(&value)),
                "{type_name}.{field} not masked by the rule: {text}"
            );
            fed.insert(field);
        }
    }
    let missed: Vec<_> = SECRET_FIELDS
        .iter()
        .filter(|name| !fed.contains(*name))
        .collect();
    assert!(
        missed.is_empty(),
        "secret fields no record type fed: {missed:?}"
    );
}
