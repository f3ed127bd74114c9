//! Merchant authorisation end to end: the pages (single, batch, console-style), the code exchange,
//! single-use and expired codes, refresh with the 10-minute grace, the token query, revocation and
//! the expiry hook.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

#[test]
fn single_authorisation_exchanges_once_for_flat_fields_and_tokens() {
    let emulator = start();
    let config = config(&emulator);
    let location = emulator
        .merchant_authorizes(&format!(
            "{}/oauth2/appToAppAuth.htm?app_id={APP_ID}&redirect_uri={}&state=YWJj%2B%2F%3D&merchant_pid=2088000000000042&auth_app_id=2021000000000042",
            emulator.base_url(),
            "https%3A%2F%2Fisv.example%2Fcb%3Fk%3D1"
        ))
        .unwrap();
    assert!(
        location.starts_with("https://isv.example/cb?k=1&"),
        "{location}"
    );
    assert_eq!(query_param(&location, "app_id").as_deref(), Some(APP_ID));
    assert_eq!(
        query_param(&location, "source").as_deref(),
        Some("alipay_app_auth")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("YWJj+/="));
    let code = query_param(&location, "app_auth_code").unwrap();

    let exchange = biz(json!({"grant_type": "authorization_code", "code": code}));
    let answer = execute(&emulator, &config, "alipay.open.auth.token.app", &exchange).unwrap();
    let fields = &answer.fields;
    assert_eq!(fields["code"], "10000");
    assert_eq!(fields["msg"], "Success");
    assert_eq!(fields["auth_app_id"], "2021000000000042");
    assert_eq!(fields["user_id"], "2088000000000042");
    assert!(fields["expires_in"].as_u64().unwrap() > 364 * 24 * 3600);
    assert!(fields["re_expires_in"].as_u64().unwrap() > 394 * 24 * 3600);
    let tokens = fields["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["app_auth_token"], fields["app_auth_token"]);

    let again = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &exchange,
    ));
    assert_eq!(again.code, "40002");
    assert_eq!(again.sub_code.as_deref(), Some("isv.code-invalid"));
    assert!(again.signed);
    let unknown = biz(json!({"grant_type": "authorization_code", "code": "nope"}));
    let error = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &unknown,
    ));
    assert_eq!(error.sub_code.as_deref(), Some("isv.code-invalid"));
    let grant = biz(json!({"grant_type": "password"}));
    let error = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &grant,
    ));
    assert_eq!(error.sub_code.as_deref(), Some("isv.grant-type-invalid"));
}

#[test]
fn codes_expire_after_a_day() {
    let emulator = start();
    let config = config(&emulator);
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, None))
        .unwrap();
    assert_eq!(query_param(&location, "state"), None);
    let code = query_param(&location, "app_auth_code").unwrap();
    emulator.advance_clock(Duration::from_secs(24 * 3600 + 1));
    let exchange = biz(json!({"grant_type": "authorization_code", "code": code}));
    let error = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &exchange,
    ));
    assert_eq!(error.sub_code.as_deref(), Some("isv.code-invalid"));
}

#[test]
fn batch_and_console_links_grant_one_app_per_type_in_tokens_only() {
    let emulator = start();
    let config = config(&emulator);
    let batch = format!(
        "{}/oauth2/appToAppBatchAuth.htm?app_id={APP_ID}&application_type=TINYAPP,WEBAPP&redirect_uri=https%3A%2F%2Fisv.example%2Fcb&state=s1",
        emulator.base_url()
    );
    let console_data = json!({
        "platformCode": "O",
        "taskType": "INTERFACE_AUTH",
        "agentOpParam": {"redirectUri": CALLBACK, "appTypes": ["TINYAPP", "MOBILEAPP", "WEBAPP"], "isvAppId": APP_ID, "state": "s2"}
    });
    let console = format!(
        "https://b.alipay.com/page/message/tasksDetail?bizData={}",
        form_urlencoded::byte_serialize(console_data.to_string().as_bytes()).collect::<String>()
    );
    for (link, count, state) in [(batch, 2, "s1"), (console, 3, "s2")] {
        let location = emulator.merchant_authorizes(&link).unwrap();
        assert_eq!(query_param(&location, "state").as_deref(), Some(state));
        let code = query_param(&location, "app_auth_code").unwrap();
        let answer = execute(
            &emulator,
            &config,
            "alipay.open.auth.token.app",
            &biz(json!({"grant_type": "authorization_code", "code": code})),
        )
        .unwrap();
        assert!(
            answer.fields.get("app_auth_token").is_none(),
            "batch: tokens only"
        );
        let tokens = answer.fields["tokens"].as_array().unwrap();
        assert_eq!(tokens.len(), count);
        let merchants: std::collections::HashSet<_> =
            tokens.iter().map(|t| t["user_id"].clone()).collect();
        assert_eq!(merchants.len(), 1, "one merchant");
        let apps: std::collections::HashSet<_> =
            tokens.iter().map(|t| t["auth_app_id"].clone()).collect();
        assert_eq!(apps.len(), count, "one app per type");
        for token in tokens {
            let ok = execute(
                &emulator,
                &config,
                "alipay.open.mini.version.list.query",
                &delegated(token["app_auth_token"].as_str().unwrap()),
            )
            .unwrap();
            assert_eq!(ok.fields["auth_app_id"], token["auth_app_id"]);
        }
    }
}

#[test]
fn batch_codes_live_ten_minutes() {
    let emulator = start();
    let config = config(&emulator);
    let location = emulator
        .merchant_authorizes(&format!(
            "{}/oauth2/appToAppBatchAuth.htm?app_id={APP_ID}&application_type=TINYAPP&redirect_uri=https%3A%2F%2Fisv.example%2Fcb",
            emulator.base_url()
        ))
        .unwrap();
    let code = query_param(&location, "app_auth_code").unwrap();
    emulator.advance_clock(Duration::from_secs(601));
    let error = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &biz(json!({"grant_type": "authorization_code", "code": code})),
    ));
    assert_eq!(error.sub_code.as_deref(), Some("isv.code-invalid"));
}

#[test]
fn pages_refuse_another_isv_and_bad_redirects() {
    let emulator = start();
    let wrong_app = emulator.merchant_authorizes(&format!(
        "{}/oauth2/appToAppAuth.htm?app_id=2021999999999999&redirect_uri=https%3A%2F%2Fx",
        emulator.base_url()
    ));
    let error = wrong_app.unwrap_err();
    assert_eq!(error.kind(), "transport");
    assert!(error.reason().contains("400"), "{error}");
    assert!(error.reason().contains("2021999999999999"), "{error}");
    let page = get(
        &emulator,
        &format!("/oauth2/appToAppAuth.htm?app_id={APP_ID}&redirect_uri=javascript%3Aalert(1)"),
    );
    assert_eq!(page.status, 400);
    let elsewhere = emulator.merchant_authorizes("http://example.com/oauth2/appToAppAuth.htm");
    assert_eq!(elsewhere.unwrap_err().kind(), "config");
}

#[test]
fn refresh_keeps_the_old_token_ten_minutes_and_kills_the_old_refresh_token() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let refresh =
        biz(json!({"grant_type": "refresh_token", "refresh_token": merchant.app_refresh_token}));
    let answer = execute(&emulator, &config, "alipay.open.auth.token.app", &refresh).unwrap();
    let new_token = answer.fields["app_auth_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_token, merchant.app_auth_token);
    assert_ne!(
        answer.fields["app_refresh_token"],
        merchant.app_refresh_token.as_str()
    );
    assert_eq!(
        answer.fields["tokens"][0]["app_auth_token"],
        new_token.as_str()
    );
    assert_eq!(answer.fields["auth_app_id"], merchant.auth_app_id.as_str());

    let again = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &refresh,
    ));
    assert_eq!(again.sub_code.as_deref(), Some("isv.refresh-token-invalid"));

    let list = "alipay.open.mini.version.list.query";
    execute(
        &emulator,
        &config,
        list,
        &delegated(&merchant.app_auth_token),
    )
    .unwrap();
    emulator.advance_clock(Duration::from_secs(9 * 60));
    execute(
        &emulator,
        &config,
        list,
        &delegated(&merchant.app_auth_token),
    )
    .unwrap();
    emulator.advance_clock(Duration::from_secs(2 * 60));
    let old = api_error(execute(
        &emulator,
        &config,
        list,
        &delegated(&merchant.app_auth_token),
    ));
    assert_eq!(old.code, "20001");
    assert_eq!(old.sub_code.as_deref(), Some("aop.app-auth-token-time-out"));
    execute(&emulator, &config, list, &delegated(&new_token)).unwrap();
}

#[test]
fn query_reports_valid_then_invalid_and_unknown_tokens_are_20001() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let query = "alipay.open.auth.token.app.query";
    let ask = biz(json!({"app_auth_token": merchant.app_auth_token}));
    let answer = execute(&emulator, &config, query, &ask).unwrap();
    let fields = &answer.fields;
    assert_eq!(fields["status"], "valid");
    assert_eq!(fields["user_id"], merchant.user_id.as_str());
    assert_eq!(fields["auth_app_id"], merchant.auth_app_id.as_str());
    assert!(fields["expires_in"].as_u64().unwrap() > 0);
    assert!(!fields["auth_methods"].as_array().unwrap().is_empty());
    for stamp in ["auth_start", "auth_end"] {
        assert!(
            alipay_isv::request::parse_china_timestamp(fields[stamp].as_str().unwrap()).is_some()
        );
    }

    emulator
        .expire_app_auth_token(&merchant.auth_app_id)
        .unwrap();
    let expired = execute(&emulator, &config, query, &ask).unwrap();
    assert_eq!(expired.fields["status"], "invalid");
    assert_eq!(expired.fields["expires_in"], 0);
    let call = api_error(execute(
        &emulator,
        &config,
        "alipay.trade.query",
        &delegated(&merchant.app_auth_token),
    ));
    assert_eq!(
        call.sub_code.as_deref(),
        Some("aop.app-auth-token-time-out")
    );

    let unknown = api_error(execute(
        &emulator,
        &config,
        query,
        &biz(json!({"app_auth_token": "202401BBnope"})),
    ));
    assert_eq!(unknown.code, "20001");
    assert_eq!(
        unknown.sub_code.as_deref(),
        Some("aop.invalid-app-auth-token")
    );
    assert!(emulator.expire_app_auth_token("2021000000000000").is_err());
}

#[test]
fn revocation_kills_tokens_everywhere() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    emulator.revoke(&merchant.auth_app_id).unwrap();
    let call = api_error(execute(
        &emulator,
        &config,
        "alipay.open.mini.version.list.query",
        &delegated(&merchant.app_auth_token),
    ));
    assert_eq!(
        (call.code.as_str(), call.sub_code.as_deref()),
        ("20001", Some("aop.invalid-app-auth-token"))
    );
    let query = execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app.query",
        &biz(json!({"app_auth_token": merchant.app_auth_token})),
    )
    .unwrap();
    assert_eq!(query.fields["status"], "invalid");
    let refresh = api_error(execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &biz(json!({"grant_type": "refresh_token", "refresh_token": merchant.app_refresh_token})),
    ));
    assert_eq!(
        refresh.sub_code.as_deref(),
        Some("isv.refresh-token-invalid")
    );
    let consent = emulator.user_consents(&emulator.user_consent_url(
        &merchant.auth_app_id,
        "auth_user",
        CALLBACK,
        None,
    ));
    assert!(consent.is_err());
    assert_eq!(
        emulator.revoke("2021000000000000").unwrap_err().kind(),
        "config"
    );
    let admin = post(
        &emulator,
        "/emulator/revoke?auth_app_id=2021000000000000",
        "text/plain",
        b"",
    );
    assert_eq!(admin.status, 404);
}
