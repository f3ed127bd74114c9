//! No secret in any `Debug` output or error text: the whole flow is driven, every token, code and key the
//! flow handles is collected, errors are provoked on purpose, and every text is searched for any 12-character
//! piece of any secret.

use std::sync::Arc;

use alipay_isv::auth::{
    StateCheck, UserScope, app_auth_link, parse_app_auth_callback, parse_user_auth_callback,
    user_consent_link,
};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, generate_key_pair};
use alipay_isv::registry::{Registry, TokenKey};
use alipay_isv::request::CallOptions;
use alipay_isv_emulator::{APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Emulator, EmulatorOptions};

const APP_ID: &str = "2021000000000001";
const METHOD: &str = "alipay.open.mini.version.list.query";

fn pieces(secret: &str) -> Vec<String> {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 12 {
        return vec![secret.to_string()];
    }
    chars
        .windows(12)
        .map(|window| window.iter().collect())
        .collect()
}

#[test]
fn no_secret_appears_in_debug_output_or_errors() {
    let app = generate_key_pair(2048).unwrap();
    let private_pem = app.private_key.to_pkcs8_pem().unwrap().to_string();
    let emulator = Emulator::start(EmulatorOptions::new(APP_ID, app.public_key.clone())).unwrap();
    let config = IsvConfig::builder(
        APP_ID,
        Arc::new(app.private_key),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .build()
    .unwrap();
    let client = Client::new(config.clone()).unwrap();
    let key_text = TokenKey::generate_base64().unwrap().to_string();
    let path = std::env::temp_dir().join(format!("alipay-isv-secrets-{}.db", std::process::id()));
    let registry = Registry::open(&path, Some(TokenKey::from_base64(&key_text).unwrap()))
        .unwrap()
        .with_client(client.clone());

    let mut secrets: Vec<String> = vec![key_text.clone()];
    secrets.extend(
        private_pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::to_string),
    );
    let mut texts: Vec<String> = vec![
        format!("{config:?}"),
        format!("{client:?}"),
        format!("{registry:?}"),
    ];

    let link = app_auth_link(
        &emulator.base_url(),
        APP_ID,
        "http://127.0.0.1/cb",
        &[],
        None,
    )
    .unwrap();
    let location = emulator.merchant_authorizes(&link.url).unwrap();
    let callback =
        parse_app_auth_callback(&location, APP_ID, StateCheck::Expect(&link.state)).unwrap();
    secrets.push(callback.app_auth_code.clone());
    texts.push(format!("{callback:?}"));
    let tokens = client
        .exchange_app_auth_code(&callback.app_auth_code)
        .unwrap();
    let token = tokens[0].clone();
    secrets.push(token.app_auth_token.clone());
    secrets.extend(token.app_refresh_token.clone());
    texts.push(format!("{tokens:?}"));
    registry.ingest_tokens(&tokens).unwrap();
    texts.push(format!("{:?}", registry.get(&token.auth_app_id).unwrap()));

    let consent = user_consent_link(
        &emulator.base_url(),
        &token.auth_app_id,
        &[UserScope::AuthUser],
        "http://127.0.0.1/cb",
        None,
    )
    .unwrap();
    let user_callback = parse_user_auth_callback(
        &emulator.user_consents(&consent.url).unwrap(),
        &token.auth_app_id,
        StateCheck::Expect(&consent.state),
    )
    .unwrap();
    secrets.push(user_callback.auth_code.clone());
    texts.push(format!("{user_callback:?}"));
    let user = client
        .exchange_user_auth_code(&user_callback.auth_code, Some(&token.app_auth_token))
        .unwrap();
    secrets.push(user.access_token.clone());
    secrets.extend(user.refresh_token.clone());
    texts.push(format!("{user:?}"));
    texts.push(format!(
        "{:?}",
        client.user_info_share(&user.access_token, Some(&token.app_auth_token))
    ));

    for delivery in emulator.deliveries() {
        texts.push(format!("{delivery:?}"));
        let notification = config
            .notification_verifier()
            .verify_body(delivery.body.as_bytes())
            .unwrap();
        texts.push(format!("{notification:?}"));
        texts.push(format!("{:?}", registry.ingest_notification(&notification)));
    }
    assert!(
        emulator
            .deliveries()
            .iter()
            .any(|delivery| delivery.kind == APP_AUTH_NOTIFY)
    );

    // Errors provoked on purpose, each with secrets in its input.
    let options = CallOptions {
        app_auth_token: Some(token.app_auth_token.clone()),
        auth_token: Some(user.access_token.clone()),
        ..CallOptions::default()
    };
    texts.push(format!("{options:?}"));
    let errors = [
        client
            .exchange_app_auth_code(&callback.app_auth_code)
            .map(|_| ()),
        client
            .exchange_user_auth_code(&user_callback.auth_code, Some(&token.app_auth_token))
            .map(|_| ()),
        client
            .refresh_user_token(&token.app_auth_token, Some(&token.app_auth_token))
            .map(|_| ()),
        client
            .query_app_auth_token(&format!("{}x", token.app_auth_token))
            .map(|_| ()),
        parse_app_auth_callback(&location, APP_ID, StateCheck::Expect("b3RoZXI=")).map(|_| ()),
        PrivateKey::from_text(&private_pem[..private_pem.len() / 2]).map(|_| ()),
        PrivateKey::from_text(&private_pem.replace('A', "!")).map(|_| ()),
        Registry::open(&path, Some(TokenKey::from_bytes(&[1; 32]).unwrap())).map(|_| ()),
    ];
    for error in errors {
        let error = error.expect_err("each call above fails");
        texts.push(format!("{error:?}"));
        texts.push(error.to_string());
    }
    emulator.revoke(&token.auth_app_id).unwrap();
    let cancelled = emulator
        .deliveries()
        .into_iter()
        .find(|delivery| delivery.kind == APP_AUTH_CANCELLED)
        .unwrap();
    let cancelled = config
        .notification_verifier()
        .verify_body(cancelled.body.as_bytes())
        .unwrap();
    registry.ingest_notification(&cancelled).unwrap();
    let revoked = registry.execute_for(&token.auth_app_id, METHOD, &CallOptions::default());
    texts.push(format!("{:?}", revoked.expect_err("revoked")));
    texts.push(format!(
        "{:?}",
        client.execute(METHOD, &options).expect_err("revoked token")
    ));
    texts.push(format!("{emulator:?}"));

    let secrets: Vec<String> = secrets
        .into_iter()
        .filter(|secret| secret.len() >= 12)
        .collect();
    assert!(secrets.len() >= 10, "the flow collected its secrets");
    for text in &texts {
        for secret in &secrets {
            for piece in pieces(secret) {
                assert!(
                    !text.contains(&piece),
                    "a secret piece {piece:?} appears in: {text}"
                );
            }
        }
    }
    // The check can fail: a planted secret is found.
    let planted = format!("{texts:?}{}", secrets[1]);
    assert!(
        pieces(&secrets[1])
            .iter()
            .any(|piece| planted.contains(piece))
    );
    drop(registry);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
