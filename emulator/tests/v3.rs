//! The emulator's `/v3/…` front, driven by our v3 signer over raw HTTP: the ISV operations (code exchange,
//! token query, a delegated call with the merchant's token) answer signed in the v3 shape and verify with
//! `V3Answer::verify`; a token changed after signing, a tampered body, a wrong key, a stale timestamp, a
//! missing token and a used code are refused with v3 error bodies and statuses. An auth string with an
//! extension (`expired_seconds=120`, the Node SDK's `additionalAuthInfo`) is accepted, from the signer and
//! from the client, and refused once the extension is changed; one naming `app_id`, `app_cert_sn`,
//! `nonce` or `timestamp` twice is refused as ambiguous even when its signature is good.

mod common;

use alipay_isv::auth::{StateCheck, app_auth_link, parse_app_auth_callback};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::sign::{Charset, SignType, Signer};
use alipay_isv::v3::{V3Answer, V3Call, V3Request, V3Verdict, new_nonce, now_ms};
use alipay_isv_emulator::Emulator;
use serde_json::Value;

use common::{APP_ID, CALLBACK, Raw, app_key, config, send_raw, start};

/// Sends a signed v3 request; `tamper` may change the request after signing.
fn send(
    emulator: &Emulator,
    config: &IsvConfig,
    request: &V3Request<'_>,
    tamper: impl FnOnce(&mut Vec<(String, String)>, &mut String),
) -> Raw {
    let signed = request.sign_with(config, &new_nonce(), now_ms()).unwrap();
    let mut headers = signed.headers.clone();
    let mut body = request.body.to_string();
    tamper(&mut headers, &mut body);
    let mut text = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        request.method,
        request.request_target,
        body.len()
    );
    for (name, value) in &headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&body);
    send_raw(emulator.local_addr(), text.as_bytes()).unwrap()
}

/// The answer's verdict and JSON.
fn verified(config: &IsvConfig, raw: &Raw) -> (V3Verdict, Value) {
    let headers: Vec<(String, String)> = raw
        .head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    let answer = V3Answer {
        status: raw.status,
        headers: &headers,
        body: &raw.body,
    };
    let verdict = answer.verify(config).unwrap();
    (verdict, serde_json::from_slice(&raw.body).unwrap())
}

fn code_of(emulator: &Emulator) -> String {
    let link = app_auth_link(&emulator.base_url(), APP_ID, CALLBACK, &[], None).unwrap();
    let location = emulator.merchant_authorizes(&link.url).unwrap();
    parse_app_auth_callback(&location, APP_ID, StateCheck::Expect(&link.state))
        .unwrap()
        .app_auth_code
}

#[test]
fn the_isv_operations_answer_over_v3_signed_and_verified() {
    let emulator = start();
    let config = config(&emulator);
    let code = code_of(&emulator);
    let exchange_body = format!(r#"{{"grant_type":"authorization_code","code":"{code}"}}"#);
    let exchange = V3Request {
        method: "POST",
        request_target: "/v3/alipay/open/auth/token/app",
        body: &exchange_body,
        app_auth_token: None,
    };
    let raw = send(&emulator, &config, &exchange, |_, _| {});
    assert_eq!(raw.status, 200, "{}", raw.text());
    let (verdict, fields) = verified(&config, &raw);
    assert_eq!(verdict, V3Verdict::Verified);
    assert!(
        fields.get("code").is_none(),
        "v3 answers are flat: {fields}"
    );
    let token = fields["app_auth_token"].as_str().unwrap().to_string();
    let auth_app_id = fields["auth_app_id"].as_str().unwrap().to_string();

    // The same code again: a used code, a v3 error (unsigned, as Alipay's are).
    let raw = send(&emulator, &config, &exchange, |_, _| {});
    assert_eq!(raw.status, 400);
    let (verdict, fields) = verified(&config, &raw);
    assert_eq!(verdict, V3Verdict::Unsigned);
    assert_eq!(fields["code"], "code-invalid", "{fields}");
    assert!(fields["links"].as_array().unwrap()[0]["link"].is_string());

    // The token query takes the token being queried as a query parameter.
    let target = format!("/v3/alipay/open/auth/token/app/query?app_auth_token={token}");
    let query = V3Request {
        method: "GET",
        request_target: &target,
        body: "",
        app_auth_token: None,
    };
    let raw = send(&emulator, &config, &query, |_, _| {});
    let (_, fields) = verified(&config, &raw);
    assert_eq!(fields["status"], "valid");
    assert_eq!(fields["auth_app_id"], auth_app_id.as_str());

    // A delegated call with the merchant's token: header and signed line.
    let delegated = V3Request {
        method: "POST",
        request_target: "/v3/alipay/open/mini/version/list/query",
        body: r#"{"bundle_id":"com.alipay.alipaywallet"}"#,
        app_auth_token: Some(&token),
    };
    let raw = send(&emulator, &config, &delegated, |_, _| {});
    assert_eq!(raw.status, 200, "{}", raw.text());
    let (verdict, fields) = verified(&config, &raw);
    assert_eq!(verdict, V3Verdict::Verified);
    assert_eq!(fields["auth_app_id"], auth_app_id.as_str());
    assert!(raw.header("alipay-trace-id").is_some());

    // Without the token: the ISV may not call a merchant API for itself.
    let own = V3Request {
        app_auth_token: None,
        ..delegated.clone()
    };
    let raw = send(&emulator, &config, &own, |_, _| {});
    assert_eq!(raw.status, 403);
    assert_eq!(verified(&config, &raw).1["code"], "self-invoke-forbidden");
}

#[test]
fn requests_changed_after_signing_are_refused() {
    let emulator = start();
    let config = config(&emulator);
    let token = common::authorise(&emulator, &config).app_auth_token;
    let other = common::authorise(&emulator, &config).app_auth_token;
    let request = V3Request {
        method: "POST",
        request_target: "/v3/alipay/open/mini/version/list/query",
        body: r#"{"bundle_id":"com.alipay.alipaywallet"}"#,
        app_auth_token: Some(&token),
    };
    let refused = |raw: Raw, code: &str| {
        assert_eq!(raw.status, 400, "{}", raw.text());
        let fields: Value = serde_json::from_slice(&raw.body).unwrap();
        assert_eq!(fields["code"], code, "{fields}");
        assert!(raw.header("alipay-signature").is_none());
    };
    // Another merchant's token swapped in after signing.
    refused(
        send(&emulator, &config, &request, |headers, _| {
            for (name, value) in headers.iter_mut() {
                if name == "alipay-app-auth-token" {
                    *value = other.clone();
                }
            }
        }),
        "invalid-signature",
    );
    // The token header dropped after signing.
    refused(
        send(&emulator, &config, &request, |headers, _| {
            headers.retain(|(name, _)| name != "alipay-app-auth-token");
        }),
        "invalid-signature",
    );
    // The body changed.
    refused(
        send(&emulator, &config, &request, |_, body| {
            *body = body.replace("wallet", "wallex");
        }),
        "invalid-signature",
    );
    // No Authorization at all.
    refused(
        send(&emulator, &config, &request, |headers, _| {
            headers.retain(|(name, _)| name != "authorization");
        }),
        "missing-timestamp",
    );
    // A timestamp far from now.
    let stale = request.sign_with(&config, "n", 1_600_000_000_000).unwrap();
    refused(
        send(&emulator, &config, &request, |headers, _| {
            headers[0].1 = stale.authorization.clone();
        }),
        "invalid-timestamp",
    );
}

/// The test configuration with the auth string's extension `expired_seconds=120`.
fn extended_config(emulator: &Emulator) -> IsvConfig {
    IsvConfig::builder(
        APP_ID,
        app_key(),
        std::sync::Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .v3_additional_auth_info("expired_seconds=120")
    .build()
    .unwrap()
}

#[test]
fn an_auth_string_with_an_extension_is_accepted_and_the_extension_is_signed() {
    let emulator = start();
    let config = extended_config(&emulator);
    let token = common::authorise(&emulator, &common::config(&emulator)).app_auth_token;
    let request = V3Request {
        method: "POST",
        request_target: "/v3/alipay/open/mini/version/list/query",
        body: r#"{"bundle_id":"com.alipay.alipaywallet"}"#,
        app_auth_token: Some(&token),
    };
    let mut sent = String::new();
    let raw = send(&emulator, &config, &request, |headers, _| {
        sent = headers[0].1.clone();
    });
    assert!(sent.contains(",expired_seconds=120,sign="), "{sent}");
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(verified(&config, &raw).0, V3Verdict::Verified);

    // The extension changed after signing: the signature no longer matches.
    let raw = send(&emulator, &config, &request, |headers, _| {
        headers[0].1 = headers[0]
            .1
            .replace("expired_seconds=120", "expired_seconds=600");
    });
    assert_eq!(raw.status, 400, "{}", raw.text());
    assert_eq!(verified(&config, &raw).1["code"], "invalid-signature");
    // Dropped after signing: refused too.
    let raw = send(&emulator, &config, &request, |headers, _| {
        headers[0].1 = headers[0].1.replace(",expired_seconds=120", "");
    });
    assert_eq!(verified(&config, &raw).1["code"], "invalid-signature");

    // The client's v3 calls carry it: a delegated call goes through.
    let client = Client::new(config).unwrap();
    let call = V3Call::new("POST", "/v3/alipay/open/mini/version/list/query")
        .json(&serde_json::json!({"bundle_id": "com.alipay.alipaywallet"}))
        .app_auth_token(Some(&token));
    let answer = client.execute_v3(&call).unwrap();
    assert_eq!(answer.verdict, V3Verdict::Verified);
    assert!(
        answer.fields["auth_app_id"].is_string(),
        "{:?}",
        answer.fields
    );
}

#[test]
fn an_auth_string_naming_a_pair_twice_is_refused_even_when_signed() {
    let emulator = start();
    let config = config(&emulator);
    let request = V3Request {
        method: "GET",
        request_target: "/v3/alipay/open/auth/token/app/query?app_auth_token=x",
        body: "",
        app_auth_token: None,
    };
    let signer = Signer::new(app_key(), SignType::Rsa2, Charset::Utf8).unwrap();
    let now = now_ms();
    for (auth, name) in [
        (
            format!("app_id={APP_ID},nonce=n-1,timestamp={now},app_id=2021000000000002"),
            "app_id",
        ),
        (
            format!("app_id={APP_ID},app_id={APP_ID},nonce=n-1,timestamp={now}"),
            "app_id",
        ),
        (
            format!("app_id={APP_ID},nonce=n-1,timestamp={now},nonce=n-2"),
            "nonce",
        ),
        (
            format!("app_id={APP_ID},nonce=n-1,timestamp={now},timestamp=1"),
            "timestamp",
        ),
        (
            format!("app_id={APP_ID},app_cert_sn=a,nonce=n-1,timestamp={now},app_cert_sn=b"),
            "app_cert_sn",
        ),
    ] {
        // Signed over exactly what is sent, so only the repetition is wrong.
        let sign = signer
            .sign(&request.string_to_sign(&auth).unwrap())
            .unwrap();
        let raw = send(&emulator, &config, &request, |headers, _| {
            headers[0].1 = format!("ALIPAY-SHA256withRSA {auth},sign={sign}");
        });
        assert_eq!(raw.status, 400, "{auth}: {}", raw.text());
        let fields = verified(&config, &raw).1;
        assert_eq!(fields["code"], "invalid-parameter", "{auth}: {fields}");
        let message = fields["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{name}` more than once")),
            "{message}"
        );
    }
    // The same request with each pair once goes through to the operation.
    let auth = format!("app_id={APP_ID},nonce=n-1,timestamp={now},expired_seconds=120");
    let sign = signer
        .sign(&request.string_to_sign(&auth).unwrap())
        .unwrap();
    let raw = send(&emulator, &config, &request, |headers, _| {
        headers[0].1 = format!("ALIPAY-SHA256withRSA {auth},sign={sign}");
    });
    let code = verified(&config, &raw).1["code"].clone();
    assert_ne!(code, "invalid-parameter", "{}", raw.text());
    assert_ne!(code, "invalid-signature", "{}", raw.text());
}
