//! The gateway's checks in order (app_id, charset, signature, timestamp, method), the self-invoke and
//! token rules of delegated calls, GBK requests and answers, AES, and the request shapes of the
//! official SDKs (query + body, body only, GET, chunked).

mod common;

use std::sync::Arc;

use alipay_isv::aes::AesKey;
use alipay_isv::request::{CallOptions, china_timestamp, form_encode};
use alipay_isv::sign::{Charset, SignType, Signer, sign_content};
use alipay_isv_emulator::Emulator;
use common::*;
use serde_json::json;

/// Signs `params` with the app key and form-encodes them with `sign` (in `charset`).
fn signed_form(params: &[(&str, &str)], charset: Charset, sign_type: SignType) -> String {
    let signer = Signer::new(app_key(), sign_type, charset).unwrap();
    let sign = signer.sign(&sign_content(params.iter().copied())).unwrap();
    let mut all: Vec<(&str, &str)> = params.to_vec();
    all.push(("sign", &sign));
    form_encode(all, charset).unwrap()
}

fn now() -> String {
    alipay_isv::request::china_timestamp_now()
}

fn form_post(emulator: &Emulator, body: &str) -> Raw {
    post(
        emulator,
        "/gateway.do",
        "application/x-www-form-urlencoded;charset=utf-8",
        body.as_bytes(),
    )
}

#[test]
fn unknown_app_id_is_an_unsigned_error_response() {
    let emulator = start();
    let timestamp = now();
    let params = [
        ("app_id", "2021999999999999"),
        ("method", "alipay.user.info.share"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", timestamp.as_str()),
        ("version", "1.0"),
    ];
    let raw = form_post(
        &emulator,
        &signed_form(&params, Charset::Utf8, SignType::Rsa2),
    );
    assert_eq!(raw.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&raw.body).unwrap();
    assert_eq!(body["error_response"]["sub_code"], "isv.invalid-app-id");
    assert_eq!(body["error_response"]["code"], "40002");
    assert!(body.get("sign").is_none(), "unsigned: {body}");
    let config = config(&emulator);
    let error = api_error(
        config
            .response_verifier()
            .verify("alipay.user.info.share", &raw.body),
    );
    assert!(!error.signed);
}

#[test]
fn bad_signature_stale_timestamp_and_missing_method_are_signed_gateway_errors() {
    let emulator = start();
    let config = config(&emulator);
    let signed = config
        .sign_request("alipay.trade.query", &delegated("202401BBtoken"))
        .unwrap();
    let http = signed.to_http_request().unwrap();
    let tampered = http.url.replace("version=1.0", "version=1.1");
    let target = tampered.trim_start_matches(&emulator.base_url());
    let raw = post(&emulator, target, &http.content_type, http.body.as_bytes());
    let error = api_error(
        config
            .response_verifier()
            .verify("alipay.trade.query", &raw.body),
    );
    assert_eq!(
        (error.code.as_str(), error.sub_code.as_deref()),
        ("40002", Some("isv.invalid-signature"))
    );
    assert!(error.signed);
    assert!(
        !raw.text().contains("202401BBtoken"),
        "the token is masked in the echo"
    );
    assert!(raw.text().starts_with("{\"error_response\":"));

    let stale = CallOptions {
        timestamp: Some(china_timestamp(
            alipay_isv::request::parse_china_timestamp(&now()).unwrap() - 16 * 60,
        )),
        ..CallOptions::default()
    };
    let error = api_error(execute(&emulator, &config, "alipay.trade.query", &stale));
    assert_eq!(error.sub_code.as_deref(), Some("isv.invalid-timestamp"));

    let timestamp = now();
    let no_method = [
        ("app_id", APP_ID),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", timestamp.as_str()),
        ("version", "1.0"),
    ];
    let raw = form_post(
        &emulator,
        &signed_form(&no_method, Charset::Utf8, SignType::Rsa2),
    );
    let body: serde_json::Value = serde_json::from_slice(&raw.body).unwrap();
    assert_eq!(body["error_response"]["sub_code"], "isv.missing-method");
    assert!(body["sign"].is_string());

    let latin = [
        ("app_id", APP_ID),
        ("charset", "latin1"),
        ("method", "alipay.trade.query"),
        ("sign_type", "RSA2"),
        ("timestamp", timestamp.as_str()),
    ];
    let raw = form_post(
        &emulator,
        &signed_form(&latin, Charset::Utf8, SignType::Rsa2),
    );
    let error = api_error(
        config
            .response_verifier()
            .verify("alipay.trade.query", &raw.body),
    );
    assert_eq!(error.sub_code.as_deref(), Some("isv.invalid-charset"));
    assert!(error.signed);
}

#[test]
fn self_invoke_is_forbidden_and_valid_delegated_calls_reach_the_method() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let own = api_error(execute(
        &emulator,
        &config,
        "alipay.trade.query",
        &CallOptions::default(),
    ));
    assert_eq!(
        (own.code.as_str(), own.sub_code.as_deref()),
        ("40006", Some("isv.self-invoke-forbidden"))
    );
    let unknown = api_error(execute(
        &emulator,
        &config,
        "alipay.trade.query",
        &delegated("202401BBnope"),
    ));
    assert_eq!(
        (unknown.code.as_str(), unknown.sub_code.as_deref()),
        ("20001", Some("aop.invalid-app-auth-token"))
    );
    let mut options = delegated(&merchant.app_auth_token);
    options.biz_content = Some(json!({"out_trade_no": "1"}).to_string());
    let not_emulated = api_error(execute(&emulator, &config, "alipay.trade.query", &options));
    assert_eq!(not_emulated.code, "40004");
    assert_eq!(
        not_emulated.sub_code.as_deref(),
        Some("isv.method-not-emulated")
    );
    assert!(not_emulated.signed);
    assert!(not_emulated.sub_msg.unwrap().contains("alipay.trade.query"));
    let ok = execute(
        &emulator,
        &config,
        "alipay.open.mini.version.list.query",
        &delegated(&merchant.app_auth_token),
    )
    .unwrap();
    assert_eq!(ok.fields["app_versions"], json!(["0.0.1"]));
    assert_eq!(ok.fields["auth_app_id"], merchant.auth_app_id.as_str());
    let cert = api_error(execute(
        &emulator,
        &config,
        "alipay.open.app.alipaycert.download",
        &CallOptions::default(),
    ));
    assert_eq!(
        (cert.code.as_str(), cert.sub_code.as_deref()),
        ("40004", Some("isv.not-cert-mode"))
    );
    assert_eq!(
        emulator.call_count("alipay.open.mini.version.list.query"),
        1
    );
}

#[test]
fn gbk_requests_are_verified_and_answered_in_gbk() {
    let emulator = start();
    let utf8 = config(&emulator);
    let merchant = authorise(&emulator, &utf8);
    let gbk = config_with(&emulator, Charset::Gbk);
    let mut options = delegated(&merchant.app_auth_token);
    options.biz_content = Some(json!({"subject": "中文商品"}).to_string());
    let raw = call_raw(&emulator, &gbk, "alipay.trade.create", &options);
    assert_eq!(
        raw.header("content-type").as_deref(),
        Some("text/html;charset=GBK")
    );
    let error = api_error(
        gbk.response_verifier()
            .verify("alipay.trade.create", &raw.body),
    );
    assert_eq!(
        error.sub_code.as_deref(),
        Some("isv.method-not-emulated"),
        "the GBK signature verified"
    );

    let raw = call_raw(
        &emulator,
        &gbk,
        "alipay.trade.create",
        &CallOptions::default(),
    );
    assert!(
        std::str::from_utf8(&raw.body).is_err(),
        "GBK bytes on the wire"
    );
    let error = api_error(
        gbk.response_verifier()
            .verify("alipay.trade.create", &raw.body),
    );
    assert_eq!(error.sub_code.as_deref(), Some("isv.self-invoke-forbidden"));
    assert!(error.sub_msg.unwrap().contains("此用户不允许自调用"));
    assert!(error.signed);
}

#[test]
fn legacy_rsa_requests_are_accepted_and_answered_in_rsa2() {
    let emulator = start();
    let timestamp = now();
    let params = [
        ("app_id", APP_ID),
        ("method", "alipay.open.app.alipaycert.download"),
        ("charset", "UTF-8"),
        ("sign_type", "RSA"),
        ("timestamp", timestamp.as_str()),
        ("version", "1.0"),
    ];
    let raw = form_post(
        &emulator,
        &signed_form(&params, Charset::Utf8, SignType::Rsa),
    );
    let config = config(&emulator);
    let error = api_error(
        config
            .response_verifier()
            .verify("alipay.open.app.alipaycert.download", &raw.body),
    );
    assert_eq!(error.sub_code.as_deref(), Some("isv.not-cert-mode"));
}

#[test]
fn every_sdk_request_shape_is_accepted() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    let method = "alipay.open.mini.version.list.query";
    let signed = config
        .sign_request(method, &delegated(&merchant.app_auth_token))
        .unwrap();
    let verify = |raw: Raw| {
        let answer = config
            .response_verifier()
            .verify(method, &raw.body)
            .unwrap();
        assert_eq!(answer.fields["auth_app_id"], merchant.auth_app_id.as_str());
    };

    let all_in_body = signed.to_order_string().unwrap();
    verify(form_post(&emulator, &all_in_body));

    let page_url = signed.to_page_url().unwrap();
    verify(get(
        &emulator,
        page_url.trim_start_matches(&emulator.base_url()),
    ));

    let http = signed.to_http_request().unwrap();
    let target = http.url.trim_start_matches(&emulator.base_url());
    let body = http.body.as_bytes();
    let (first, second) = body.split_at(body.len() / 2);
    let mut chunked = format!(
        "POST {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        http.content_type
    )
    .into_bytes();
    for part in [first, second] {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    verify(send_raw(emulator.local_addr(), &chunked).unwrap());
}

#[test]
fn aes_requests_are_decrypted_and_success_nodes_encrypted() {
    let key = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
    let mut options = options();
    options.aes_key = Some(key.clone());
    let emulator = Emulator::start(options).unwrap();
    let config = alipay_isv::config::IsvConfig::builder(
        APP_ID,
        app_key(),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .aes_key(key)
    .build()
    .unwrap();
    let merchant = authorise(&emulator, &config);
    let mut call = biz(json!({"app_auth_token": merchant.app_auth_token}));
    call.encrypt = true;
    let method = "alipay.open.auth.token.app.query";
    let raw = call_raw(&emulator, &config, method, &call);
    assert!(
        raw.text()
            .starts_with("{\"alipay_open_auth_token_app_query_response\":\""),
        "{}",
        raw.text()
    );
    let answer = config
        .response_verifier()
        .verify(method, &raw.body)
        .unwrap();
    assert_eq!(answer.fields["status"], "valid");

    let plain_emulator = start();
    let plain_config = alipay_isv::config::IsvConfig::builder(
        APP_ID,
        app_key(),
        Arc::new(plain_emulator.alipay_public_key().clone()),
    )
    .gateway(plain_emulator.gateway_url())
    .aes_key(AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap())
    .build()
    .unwrap();
    let error = api_error(execute(&plain_emulator, &plain_config, method, &call));
    assert_eq!(error.sub_code.as_deref(), Some("isv.invalid-encrypt-type"));
}

#[test]
fn query_and_body_disagreeing_is_refused() {
    let emulator = start();
    let config = config(&emulator);
    let signed = config
        .sign_request("alipay.trade.query", &CallOptions::default())
        .unwrap();
    let http = signed.to_http_request().unwrap();
    let target = http.url.trim_start_matches(&emulator.base_url());
    let raw = post(
        &emulator,
        target,
        &http.content_type,
        b"method=alipay.trade.close",
    );
    let error = api_error(
        config
            .response_verifier()
            .verify("alipay.trade.query", &raw.body),
    );
    assert_eq!(error.sub_code.as_deref(), Some("isv.invalid-parameter"));
}
