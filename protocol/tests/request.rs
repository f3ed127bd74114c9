//! Request building: configuration checks, the China-time timestamp, and the three ways to emit a
//! signed request, each decoded back to the signed parameters.

use std::collections::BTreeMap;
use std::sync::Arc;

use alipay_isv_protocol::aes::AesKey;
use alipay_isv_protocol::config::{IsvConfig, SANDBOX_GATEWAY};
use alipay_isv_protocol::key::{PrivateKey, PublicKey};
use alipay_isv_protocol::request::{CallOptions, china_timestamp_now, parse_china_timestamp};
use alipay_isv_protocol::sign::{Charset, SignType, Verifier};

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn app_key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap())
}

fn alipay_key() -> Arc<PublicKey> {
    Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap())
}

fn config(charset: Charset) -> IsvConfig {
    IsvConfig::builder("2021000000000001", app_key(), alipay_key())
        .charset(charset)
        .gateway("sandbox")
        .aes_key(AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap())
        .build()
        .unwrap()
}

fn options() -> CallOptions {
    CallOptions {
        app_auth_token: Some("202611BBa1b2c3d4e5f6".into()),
        biz_content: Some(r#"{"subject":"年货 & <礼盒> \"精选\"","total_amount":"88.88"}"#.into()),
        notify_url: Some("https://isv.example.com/notify?x=1&y=2".into()),
        timestamp: Some("2026-11-21 23:04:05".into()),
        ..CallOptions::default()
    }
}

/// Decodes `a=b&c=d` form text (UTF-8 or GBK) into a map.
fn decode_form(text: &str, charset: Charset) -> BTreeMap<String, String> {
    text.split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            let decode = |s: &str| {
                let bytes: Vec<u8> =
                    percent_encoding::percent_decode(s.replace('+', " ").as_bytes()).collect();
                charset.decode(&bytes).unwrap().into_owned()
            };
            (decode(key), decode(value))
        })
        .collect()
}

fn signed_params(config: &IsvConfig) -> BTreeMap<String, String> {
    let request = config
        .sign_request("alipay.trade.create", &options())
        .unwrap();
    request.params().iter().cloned().collect()
}

#[test]
fn the_apps_own_public_key_is_refused_as_the_alipay_key() {
    let own = Arc::new(app_key().public_key().clone());
    let error = IsvConfig::builder("2021000000000001", app_key(), own)
        .build()
        .err()
        .unwrap();
    assert_eq!(error.kind(), "config");
    assert!(error.reason().contains("app's own public key"), "{error}");
}

#[test]
fn bad_app_ids_and_gateways_are_config_errors() {
    for (app_id, gateway) in [
        ("", "sandbox"),
        ("20210000 1", "sandbox"),
        ("2021000000000001", "ftp://x"),
    ] {
        let result = IsvConfig::builder(app_id, app_key(), alipay_key())
            .gateway(gateway)
            .build();
        assert_eq!(result.err().unwrap().kind(), "config", "{app_id} {gateway}");
    }
}

#[test]
fn the_timestamp_is_china_time_whatever_the_host_zone() {
    // An independent oracle: the system `date` asked for Asia/Shanghai explicitly.
    let output = std::process::Command::new("date")
        .env("TZ", "Asia/Shanghai")
        .arg("+%s %Y-%m-%d %H:%M:%S")
        .output()
        .expect("`date` is available");
    let text = String::from_utf8(output.stdout).unwrap();
    let (epoch, oracle) = text.trim().split_once(' ').unwrap();
    let ours = china_timestamp_now();
    let difference = parse_china_timestamp(&ours).unwrap() - epoch.parse::<i64>().unwrap();
    assert!(difference.abs() <= 2, "ours {ours}, date says {oracle}");
    assert_eq!(parse_china_timestamp(oracle), Some(epoch.parse().unwrap()));
}

#[test]
fn the_signature_covers_every_parameter_and_verifies() {
    let config = config(Charset::Utf8);
    let request = config
        .sign_request("alipay.trade.create", &options())
        .unwrap();
    let verifier = Verifier::new(
        Arc::new(app_key().public_key().clone()),
        SignType::Rsa2,
        Charset::Utf8,
    )
    .unwrap();
    verifier
        .verify(&request.sign_content(), request.param("sign").unwrap())
        .unwrap();
    assert_eq!(request.param("timestamp"), Some("2026-11-21 23:04:05"));
    assert_eq!(request.param("charset"), Some("UTF-8"));
    assert_eq!(
        request.param("app_auth_token"),
        Some("202611BBa1b2c3d4e5f6")
    );
}

#[test]
fn execute_puts_system_params_in_the_url_and_application_params_in_the_body() {
    for charset in [Charset::Utf8, Charset::Gbk] {
        let config = config(charset);
        let expected = signed_params(&config);
        let http = config
            .sign_request("alipay.trade.create", &options())
            .unwrap()
            .to_http_request()
            .unwrap();
        assert_eq!(
            http.content_type,
            format!("application/x-www-form-urlencoded;charset={charset}")
        );
        let (base, query) = http.url.split_once('?').unwrap();
        assert_eq!(base, SANDBOX_GATEWAY);
        let in_url = decode_form(query, charset);
        let in_body = decode_form(&http.body, charset);
        assert!(in_url.contains_key("sign") && in_url.contains_key("timestamp"));
        assert!(in_body.contains_key("biz_content") && in_body.contains_key("app_auth_token"));
        assert!(!in_body.contains_key("sign"));
        let mut merged = in_url.clone();
        merged.extend(in_body);
        let expected_without_sign: BTreeMap<_, _> = expected.clone().into_iter().collect();
        assert_eq!(merged, expected_without_sign, "{charset}");
    }
}

#[test]
fn page_url_order_string_and_form_carry_the_same_signed_params() {
    let config = config(Charset::Utf8);
    let expected = signed_params(&config);
    let request = config
        .sign_request("alipay.trade.create", &options())
        .unwrap();
    let url = request.to_page_url().unwrap();
    assert_eq!(
        decode_form(url.split_once('?').unwrap().1, Charset::Utf8),
        expected
    );
    let order = request.to_order_string().unwrap();
    assert_eq!(decode_form(&order, Charset::Utf8), expected);
    let keys: Vec<&str> = order
        .split('&')
        .map(|p| p.split('=').next().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "the order string is sorted");
    let form = request.to_page_form().unwrap();
    assert!(form.starts_with(
        "<form name=\"punchout_form\" method=\"post\" action=\"https://openapi-sandbox"
    ));
    assert!(form.contains("\\&quot;精选\\&quot;"), "{form}");
    assert!(form.contains("&lt;礼盒&gt;"));
    assert!(!form.contains("<礼盒>"));
    assert!(form.ends_with("<script>document.forms[0].submit();</script>"));
}

#[test]
fn aes_encrypts_biz_content_and_signs_the_ciphertext() {
    let config = config(Charset::Utf8);
    let mut call = options();
    call.encrypt = true;
    let request = config.sign_request("alipay.trade.create", &call).unwrap();
    assert_eq!(request.param("encrypt_type"), Some("AES"));
    let ciphertext = request.param("biz_content").unwrap();
    let plain = config.aes_key().unwrap().decrypt(ciphertext).unwrap();
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        options().biz_content.unwrap()
    );

    let without_key = IsvConfig::builder("2021000000000001", app_key(), alipay_key())
        .build()
        .unwrap();
    assert_eq!(
        without_key
            .sign_request("alipay.trade.create", &call)
            .err()
            .unwrap()
            .kind(),
        "config"
    );
}

#[test]
fn extra_params_are_signed_and_collisions_refused() {
    let config = config(Charset::Utf8);
    let call = CallOptions {
        extra_params: vec![
            ("grant_type".into(), "authorization_code".into()),
            ("code".into(), "abc".into()),
        ],
        ..CallOptions::default()
    };
    let request = config
        .sign_request("alipay.system.oauth.token", &call)
        .unwrap();
    assert_eq!(request.param("grant_type"), Some("authorization_code"));
    assert!(request.param("biz_content").is_none());
    let http = request.to_http_request().unwrap();
    assert!(http.body.contains("grant_type=authorization_code"));
    let colliding = CallOptions {
        extra_params: vec![("app_id".into(), "1".into())],
        ..CallOptions::default()
    };
    assert_eq!(
        config.sign_request("x.y", &colliding).err().unwrap().kind(),
        "config"
    );
    let bad_time = CallOptions {
        timestamp: Some("2026-11-21T23:04:05Z".into()),
        ..CallOptions::default()
    };
    assert_eq!(
        config.sign_request("x.y", &bad_time).err().unwrap().kind(),
        "config"
    );
}

#[test]
fn debug_output_masks_tokens() {
    let text = format!("{:?}", options());
    assert!(!text.contains("202611BBa1b2c3d4e5f6"), "{text}");
}
