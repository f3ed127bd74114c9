//! The client's OpenAPI v3 calls against the emulator's `/v3/…` front, over real HTTP: the merchant token
//! flow (code, query, refresh), the user flow on the merchant's behalf (code, profile), a generic
//! delegated call, the registry's delegated v3 call, certificate mode, and the typed errors (HTTP status,
//! v3 code, hint, trace id, links) of a used code, an unknown token, an expired access token and a merchant
//! API called without the merchant's token.

mod common;

use std::sync::Arc;

use alipay_isv::client::Client;
use alipay_isv::registry::Registry;
use alipay_isv::v3::{V3Call, V3Verdict};
use alipay_isv::{ApiError, Error};
use common::*;

fn user_code(emulator: &alipay_isv_emulator::Emulator, auth_app_id: &str) -> String {
    let location = emulator
        .user_consents(&format!(
            "{}&user_id=2088000000000777",
            emulator.user_consent_url(auth_app_id, "auth_user", CALLBACK, Some("u1"))
        ))
        .unwrap();
    query_param(&location, "auth_code").unwrap()
}

fn merchant_code(emulator: &alipay_isv_emulator::Emulator) -> String {
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, Some("c3RhdGU=")))
        .unwrap();
    query_param(&location, "app_auth_code").unwrap()
}

fn api_error<T: std::fmt::Debug>(result: alipay_isv::Result<T>) -> ApiError {
    match result {
        Err(Error::Api(api)) => *api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn the_merchant_and_user_flows_run_over_v3() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    assert_eq!(
        client.config().v3_base(),
        emulator.gateway_url().trim_end_matches("/gateway.do")
    );

    let tokens = client
        .exchange_app_auth_code_v3(&merchant_code(&emulator))
        .unwrap();
    assert_eq!(tokens.len(), 1);
    let merchant = &tokens[0];
    assert!(merchant.app_auth_token.starts_with("202"), "{merchant:?}");
    assert!(emulator.call_count("alipay.open.auth.token.app") >= 1);

    let info = client
        .query_app_auth_token_v3(&merchant.app_auth_token)
        .unwrap();
    assert!(info.is_valid(), "{info:?}");
    assert_eq!(
        info.auth_app_id.as_deref(),
        Some(merchant.auth_app_id.as_str())
    );

    let user = client
        .exchange_user_auth_code_v3(
            &user_code(&emulator, &merchant.auth_app_id),
            Some(&merchant.app_auth_token),
        )
        .unwrap();
    assert_eq!(user.user_id.as_deref(), Some("2088000000000777"));
    let profile = client
        .user_info_share_v3(&user.access_token, Some(&merchant.app_auth_token))
        .unwrap();
    assert_eq!(profile.user_id.as_deref(), Some("2088000000000777"));
    let refreshed_user = client
        .refresh_user_token_v3(
            user.refresh_token.as_deref().unwrap(),
            Some(&merchant.app_auth_token),
        )
        .unwrap();
    assert_ne!(refreshed_user.access_token, user.access_token);

    // A generic delegated call: the merchant API the emulator serves.
    let call = V3Call::new("POST", "/v3/alipay/open/mini/version/list/query")
        .json(&serde_json::json!({}))
        .app_auth_token(Some(&merchant.app_auth_token));
    let answer = client.execute_v3(&call).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.verdict, V3Verdict::Verified);
    assert!(answer.trace_id.is_some());
    assert!(answer.fields.contains_key("app_versions"), "{answer:?}");
    // The token never shows in the answer's Debug.
    assert!(!format!("{answer:?} {call:?}").contains(&merchant.app_auth_token));

    let refreshed = client
        .refresh_app_auth_token_v3(merchant.app_refresh_token.as_deref().unwrap())
        .unwrap();
    assert_ne!(refreshed[0].app_auth_token, merchant.app_auth_token);
}

#[test]
fn v3_errors_are_typed_with_status_code_hint_and_trace() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let code = merchant_code(&emulator);
    let merchant = client.exchange_app_auth_code_v3(&code).unwrap().remove(0);

    let used = api_error(client.exchange_app_auth_code_v3(&code));
    assert_eq!(used.http_status, Some(400));
    assert_eq!(used.code, "code-invalid");
    assert!(
        used.hint.as_deref().unwrap().contains("single-use"),
        "{used:?}"
    );
    assert!(!used.signed);
    assert!(used.trace_id.is_some());
    assert!(
        used.links[0].contains(used.trace_id.as_deref().unwrap()),
        "{used:?}"
    );
    assert!(used.to_string().contains("HTTP 400"), "{used}");

    let unknown = api_error(client.query_app_auth_token_v3("202612BBnot-a-real-token"));
    assert_eq!(unknown.http_status, Some(401));
    assert_eq!(unknown.code, "invalid-app-auth-token");
    assert!(unknown.hint.as_deref().unwrap().contains("authorise again"));
    assert!(!unknown.to_string().contains("not-a-real-token"));

    let expired_user =
        api_error(client.user_info_share_v3("authusrBnot-a-token", Some(&merchant.app_auth_token)));
    assert_eq!(expired_user.http_status, Some(401));
    assert_eq!(expired_user.code, "invalid-auth-token");

    let self_invoke = api_error(
        client.execute_v3(
            &V3Call::new("POST", "/v3/alipay/open/mini/version/list/query")
                .json(&serde_json::json!({})),
        ),
    );
    assert_eq!(self_invoke.code, "self-invoke-forbidden");
    assert_eq!(self_invoke.http_status, Some(403));
    assert!(
        self_invoke
            .hint
            .as_deref()
            .unwrap()
            .contains("app_auth_token")
    );

    // A bad call is refused before anything is sent.
    let calls = emulator.call_count("alipay.open.mini.version.list.query");
    for bad in [
        V3Call::new("POST", "alipay/open/mini/version/list/query"),
        V3Call::new("POST", "/v3/a/b?x=1"),
        V3Call {
            body: Some("{not json".to_string()),
            ..V3Call::new("POST", "/v3/a/b")
        },
        V3Call::new("POST", "/v3/a/b").encrypted(true),
    ] {
        match client.execute_v3(&bad) {
            Err(Error::Config { reason }) => assert!(!reason.is_empty()),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert_eq!(
        emulator.call_count("alipay.open.mini.version.list.query"),
        calls
    );
}

#[test]
fn the_registry_calls_over_v3_on_the_merchants_behalf() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let registry = Registry::in_memory().with_client(client.clone());
    let tokens = client
        .exchange_app_auth_code_v3(&merchant_code(&emulator))
        .unwrap();
    registry.ingest_tokens(&tokens).unwrap();
    let auth_app_id = &tokens[0].auth_app_id;
    let answer = registry
        .execute_v3_for(
            auth_app_id,
            &V3Call::new("POST", "/v3/alipay/open/mini/version/list/query")
                .json(&serde_json::json!({})),
        )
        .unwrap();
    assert!(answer.fields.contains_key("app_versions"));
    match registry.execute_v3_for("2021009999999999", &V3Call::new("GET", "/v3/x/y")) {
        Err(Error::Store { reason }) => assert!(reason.contains("2021009999999999"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn certificate_mode_speaks_v3_with_the_certificate_sns() {
    let emulator = start_cert_mode();
    let client = Client::new(cert_config(&emulator)).unwrap();
    let merchant = client
        .exchange_app_auth_code_v3(&merchant_code(&emulator))
        .unwrap()
        .remove(0);
    let info = client
        .query_app_auth_token_v3(&merchant.app_auth_token)
        .unwrap();
    assert!(info.is_valid());
    // Alipay rotates its certificate: the next v3 answer names the new one, which is downloaded, chained
    // to the root and trusted before the answer is verified.
    let rotated = emulator.rotate_alipay_cert().unwrap();
    let store = client.config().cert_mode().unwrap().cert_store().clone();
    assert!(store.key(&rotated).is_none());
    let downloads = emulator.call_count(alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD);
    let again = client
        .query_app_auth_token_v3(&merchant.app_auth_token)
        .unwrap();
    assert!(again.is_valid());
    assert!(store.key(&rotated).is_some());
    assert_eq!(
        emulator.call_count(alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD),
        downloads + 1
    );
    let shared = Arc::new(client);
    let other = Arc::clone(&shared);
    std::thread::spawn(move || other.query_app_auth_token_v3(&merchant.app_auth_token))
        .join()
        .unwrap()
        .unwrap();
}

#[test]
fn aes_and_uploads_go_through_the_client() {
    use alipay_isv::aes::AesKey;
    use alipay_isv::config::IsvConfig;
    use alipay_isv::v3::V3File;

    const KEY: &str = "gWwQ6w36Mkl1dsIpEln02Q==";
    let mut options = options();
    options.aes_key = Some(AesKey::from_base64(KEY).unwrap());
    let emulator = alipay_isv_emulator::Emulator::start(options).unwrap();
    let config = IsvConfig::builder(
        APP_ID,
        app_key(),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .aes_key(AesKey::from_base64(KEY).unwrap())
    .build()
    .unwrap();
    let client = Client::new(config).unwrap();
    let merchant = client
        .exchange_app_auth_code_v3(&merchant_code(&emulator))
        .unwrap()
        .remove(0);

    // Encrypted both ways: the emulator decrypts the body and encrypts its answer.
    let call = V3Call::new("POST", "/v3/alipay/open/mini/version/list/query")
        .json(&serde_json::json!({"bundle_id": "com.alipay.alipaywallet"}))
        .app_auth_token(Some(&merchant.app_auth_token))
        .encrypted(true);
    let answer = client.execute_v3(&call).unwrap();
    assert!(answer.fields.contains_key("app_versions"), "{answer:?}");
    assert!(answer.body.starts_with('{'));

    // An upload from memory and one streamed from disk; Alipay's md5 check passes, the merchant recorded.
    let image: Vec<u8> = (0..50_000u32).map(|n| (n * 7 % 256) as u8).collect();
    let uploaded = client
        .upload_file_v3(
            "shop_image",
            V3File::from_bytes("any", "front.jpg", image.clone()),
            Some(&merchant.app_auth_token),
        )
        .unwrap();
    let stored = emulator.uploaded_file(&uploaded.file_id).unwrap();
    assert_eq!(stored.size, image.len() as u64);
    assert_eq!(stored.file_name, "front.jpg");
    assert_eq!(stored.biz_code, "shop_image");
    assert_eq!(
        stored.auth_app_id.as_deref(),
        Some(merchant.auth_app_id.as_str())
    );

    let directory =
        std::env::temp_dir().join(format!("alipay-isv-client-v3-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("licence.pdf");
    std::fs::write(&path, vec![b'%'; 3 * 1024 * 1024]).unwrap();
    let from_disk = client
        .upload_file_v3(
            "qualification",
            V3File::from_path("file_content", &path),
            None,
        )
        .unwrap();
    assert_eq!(
        emulator.uploaded_file(&from_disk.file_id).unwrap().size,
        3 * 1024 * 1024
    );
    // An extension Alipay refuses is a typed error.
    let refused = api_error(client.upload_file_v3(
        "shop_image",
        V3File::from_bytes("file_content", "tool.exe", vec![1, 2, 3]),
        None,
    ));
    assert_eq!(refused.code, "invalid-file-extension");
    assert_eq!(refused.http_status, Some(400));
    std::fs::remove_dir_all(&directory).unwrap();
}
