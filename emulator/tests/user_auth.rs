//! The user side: consent page, `alipay.system.oauth.token` (code and refresh, errors in a signed
//! `error_response`), and `alipay.user.info.share` with its token and scope rules.

mod common;

use alipay_isv::request::CallOptions;
use common::*;

/// A user consents in the merchant's app; returns the `auth_code`.
fn consent(emulator: &alipay_isv_emulator::Emulator, auth_app_id: &str, scope: &str) -> String {
    let location = emulator
        .user_consents(&format!(
            "{}&user_id=2088000000000777",
            emulator.user_consent_url(auth_app_id, scope, CALLBACK, Some("u1"))
        ))
        .unwrap();
    assert_eq!(
        query_param(&location, "app_id").as_deref(),
        Some(auth_app_id)
    );
    assert_eq!(
        query_param(&location, "source").as_deref(),
        Some("alipay_wallet")
    );
    assert_eq!(query_param(&location, "scope").as_deref(), Some(scope));
    assert_eq!(query_param(&location, "state").as_deref(), Some("u1"));
    query_param(&location, "auth_code").unwrap()
}

fn oauth(token: &str, params: &[(&str, &str)]) -> CallOptions {
    CallOptions {
        app_auth_token: Some(token.to_string()),
        extra_params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..CallOptions::default()
    }
}

fn share(access_token: &str, app_auth_token: &str) -> CallOptions {
    CallOptions {
        auth_token: Some(access_token.to_string()),
        app_auth_token: Some(app_auth_token.to_string()),
        ..CallOptions::default()
    }
}

const OAUTH: &str = "alipay.system.oauth.token";
const SHARE: &str = "alipay.user.info.share";

#[test]
fn user_code_to_access_token_to_profile_then_refresh() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let code = consent(&emulator, &merchant.auth_app_id, "auth_user");
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    let token = execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &params),
    )
    .unwrap();
    let fields = &token.fields;
    assert_eq!(fields["user_id"], "2088000000000777");
    let open_id = fields["open_id"].as_str().unwrap().to_string();
    assert!(open_id.starts_with('0') && open_id.len() == 40, "{open_id}");
    assert_eq!(fields["expires_in"], 7200);
    assert!(fields["re_expires_in"].as_u64().unwrap() >= 30 * 24 * 3600 - 1);
    assert!(
        alipay_isv::request::parse_china_timestamp(fields["auth_start"].as_str().unwrap())
            .is_some()
    );
    let access = fields["access_token"].as_str().unwrap().to_string();

    let used = api_error(execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &params),
    ));
    assert_eq!(used.code, "40002");
    assert_eq!(used.sub_code.as_deref(), Some("isv.code-invalid"));
    assert!(used.signed, "a used code is a signed error_response");
    let raw = call_raw(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &params),
    );
    assert!(
        raw.text().starts_with("{\"error_response\":"),
        "{}",
        raw.text()
    );

    let profile = execute(
        &emulator,
        &config,
        SHARE,
        &share(&access, &merchant.app_auth_token),
    )
    .unwrap();
    let fields = &profile.fields;
    assert_eq!(fields["code"], "10000");
    assert_eq!(fields["user_id"], "2088000000000777");
    assert_eq!(fields["open_id"], open_id.as_str());
    assert_eq!(fields["nick_name"], "支付宝用户");
    assert_eq!(fields["city"], "杭州市");
    assert!(matches!(fields["gender"].as_str(), Some("m" | "f")));

    let refresh_token = token.fields["refresh_token"].as_str().unwrap().to_string();
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
    ];
    let renewed = execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &refresh),
    )
    .unwrap();
    assert_ne!(renewed.fields["access_token"], access.as_str());
    assert_eq!(renewed.fields["open_id"], open_id.as_str());
    let twice = api_error(execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &refresh),
    ));
    assert_eq!(twice.sub_code.as_deref(), Some("isv.refresh-token-invalid"));
    let bad_grant = api_error(execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&merchant.app_auth_token, &[("grant_type", "x")]),
    ));
    assert_eq!(
        bad_grant.sub_code.as_deref(),
        Some("isv.grant-type-invalid")
    );
}

#[test]
fn tokens_are_bound_to_their_merchant_app_and_scope() {
    let emulator = start();
    let config = config(&emulator);
    let first = authorise(&emulator, &config);
    let second = authorise(&emulator, &config);

    let code = consent(&emulator, &first.auth_app_id, "auth_user");
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    let wrong_app = api_error(execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&second.app_auth_token, &params),
    ));
    assert_eq!(wrong_app.sub_code.as_deref(), Some("isv.code-invalid"));
    let token = execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&first.app_auth_token, &params),
    )
    .unwrap();
    let access = token.fields["access_token"].as_str().unwrap().to_string();

    let other_merchant = api_error(execute(
        &emulator,
        &config,
        SHARE,
        &share(&access, &second.app_auth_token),
    ));
    assert_eq!(other_merchant.code, "20001");
    assert_eq!(
        other_merchant.sub_code.as_deref(),
        Some("aop.invalid-app-auth-token")
    );
    let unknown = api_error(execute(
        &emulator,
        &config,
        SHARE,
        &share("authusrBnope", &first.app_auth_token),
    ));
    assert_eq!(unknown.sub_code.as_deref(), Some("aop.invalid-auth-token"));
    let bad_app_token = api_error(execute(
        &emulator,
        &config,
        OAUTH,
        &oauth("202401BBnope", &params),
    ));
    assert_eq!(
        bad_app_token.sub_code.as_deref(),
        Some("aop.invalid-app-auth-token")
    );

    let base_code = consent(&emulator, &first.auth_app_id, "auth_base");
    let params = [
        ("grant_type", "authorization_code"),
        ("code", base_code.as_str()),
    ];
    let base = execute(
        &emulator,
        &config,
        OAUTH,
        &oauth(&first.app_auth_token, &params),
    )
    .unwrap();
    let base_access = base.fields["access_token"].as_str().unwrap();
    let scope = api_error(execute(
        &emulator,
        &config,
        SHARE,
        &share(base_access, &first.app_auth_token),
    ));
    assert_eq!(scope.code, "40006");
    assert_eq!(
        scope.sub_code.as_deref(),
        Some("isv.insufficient-user-permissions")
    );

    emulator.advance_clock(std::time::Duration::from_secs(2 * 3600 + 1));
    let expired = api_error(execute(
        &emulator,
        &config,
        SHARE,
        &share(&access, &first.app_auth_token),
    ));
    assert_eq!(expired.sub_code.as_deref(), Some("aop.invalid-auth-token"));
}

#[test]
fn consent_needs_an_authorised_merchant_app() {
    let emulator = start();
    let page = get(
        &emulator,
        "/oauth2/publicAppAuthorize.htm?app_id=2021000000000555&scope=auth_user&redirect_uri=https%3A%2F%2Fx",
    );
    assert_eq!(page.status, 400);
    assert!(page.text().contains("2021000000000555"));
}
