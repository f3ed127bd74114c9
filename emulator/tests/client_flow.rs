//! The core `Client` against the emulator over real loopback HTTP: the merchant and user authorisation
//! flow, the errors Alipay answers, every fault mode as a typed error within the timeout, and 100
//! concurrent delegated calls from 8 threads.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::{
    ApplicationType, StateCheck, UserScope, app_auth_link, console_auth_link,
    parse_app_auth_callback, parse_user_auth_callback, user_consent_link,
};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::generate_key_pair;
use alipay_isv::request::CallOptions;
use alipay_isv::transport::{RetryPolicy, TransportOptions};
use alipay_isv::{Error, Result};
use alipay_isv_emulator::{Emulator, EmulatorOptions, Fault};

const APP_ID: &str = "2021000000000001";
const CALLBACK: &str = "https://isv.example.com/alipay/callback";
const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";

struct Setup {
    emulator: Emulator,
    client: Client,
}

fn setup(read_timeout: Duration) -> Setup {
    let app = generate_key_pair(2048).unwrap();
    let emulator = Emulator::start(EmulatorOptions::new(APP_ID, app.public_key.clone())).unwrap();
    let config = IsvConfig::builder(
        APP_ID,
        Arc::new(app.private_key),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .build()
    .unwrap();
    let options = TransportOptions {
        read_timeout,
        connect_timeout: Duration::from_secs(2),
        ..TransportOptions::default()
    };
    let client = Client::with_transport_options(config, options).unwrap();
    Setup { emulator, client }
}

fn authorise(setup: &Setup) -> alipay_isv::auth::AppAuthToken {
    let link = app_auth_link(&setup.emulator.base_url(), APP_ID, CALLBACK, &[], None).unwrap();
    let location = setup.emulator.merchant_authorizes(&link.url).unwrap();
    let callback =
        parse_app_auth_callback(&location, APP_ID, StateCheck::Expect(&link.state)).unwrap();
    setup
        .client
        .exchange_app_auth_code(&callback.app_auth_code)
        .unwrap()
        .remove(0)
}

fn delegated(token: &str) -> CallOptions {
    CallOptions {
        app_auth_token: Some(token.to_string()),
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    }
}

fn api_error<T: std::fmt::Debug>(result: Result<T>) -> Box<alipay_isv::ApiError> {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn merchant_and_user_flow() {
    let setup = setup(Duration::from_secs(10));
    let token = authorise(&setup);
    assert!(
        token
            .user_id
            .as_deref()
            .is_some_and(|pid| pid.starts_with("2088"))
    );
    assert!(token.expires_in.unwrap() > 0);
    let info = setup
        .client
        .query_app_auth_token(&token.app_auth_token)
        .unwrap();
    assert!(info.is_valid());
    assert_eq!(
        info.auth_app_id.as_deref(),
        Some(token.auth_app_id.as_str())
    );

    let link = user_consent_link(
        &setup.emulator.base_url(),
        &token.auth_app_id,
        &[UserScope::AuthUser],
        CALLBACK,
        None,
    )
    .unwrap();
    let location = setup.emulator.user_consents(&link.url).unwrap();
    let callback = parse_user_auth_callback(
        &location,
        &token.auth_app_id,
        StateCheck::Expect(&link.state),
    )
    .unwrap();
    let user = setup
        .client
        .exchange_user_auth_code(&callback.auth_code, Some(&token.app_auth_token))
        .unwrap();
    assert!(user.user_id.is_some() || user.open_id.is_some());
    let profile = setup
        .client
        .user_info_share(&user.access_token, Some(&token.app_auth_token))
        .unwrap();
    assert!(profile.nick_name.is_some());

    // A used user code is refused with Alipay's signed error.
    let used = api_error(
        setup
            .client
            .exchange_user_auth_code(&callback.auth_code, Some(&token.app_auth_token)),
    );
    assert_eq!(used.sub_code.as_deref(), Some("isv.code-invalid"));
    assert!(used.signed);

    // The user token refreshes.
    let refreshed = setup
        .client
        .refresh_user_token(
            user.refresh_token.as_deref().unwrap(),
            Some(&token.app_auth_token),
        )
        .unwrap();
    assert_ne!(refreshed.access_token, user.access_token);

    // Merchant token refresh: the old token keeps working, the old refresh token is dead.
    let fresh = setup
        .client
        .refresh_app_auth_token(token.app_refresh_token.as_deref().unwrap())
        .unwrap()
        .remove(0);
    assert_ne!(fresh.app_auth_token, token.app_auth_token);
    setup
        .client
        .execute(DELEGATED_METHOD, &delegated(&token.app_auth_token))
        .unwrap();
    setup
        .client
        .execute(DELEGATED_METHOD, &delegated(&fresh.app_auth_token))
        .unwrap();
    let dead_refresh = api_error(
        setup
            .client
            .refresh_app_auth_token(token.app_refresh_token.as_deref().unwrap()),
    );
    assert_eq!(dead_refresh.code, "40002");

    // Revocation kills every token of the merchant app.
    setup.emulator.revoke(&token.auth_app_id).unwrap();
    let revoked = api_error(
        setup
            .client
            .execute(DELEGATED_METHOD, &delegated(&fresh.app_auth_token)),
    );
    assert_eq!(revoked.code, "20001");
    assert_eq!(
        revoked.sub_code.as_deref(),
        Some("aop.invalid-app-auth-token")
    );
}

#[test]
fn batch_and_console_authorisations_return_every_token() {
    let setup = setup(Duration::from_secs(10));
    let types = [ApplicationType::TinyApp, ApplicationType::WebApp];
    for link in [
        app_auth_link(&setup.emulator.base_url(), APP_ID, CALLBACK, &types, None).unwrap(),
        console_auth_link(&setup.emulator.base_url(), APP_ID, CALLBACK, &types, None).unwrap(),
    ] {
        let location = setup.emulator.merchant_authorizes(&link.url).unwrap();
        let callback =
            parse_app_auth_callback(&location, APP_ID, StateCheck::Expect(&link.state)).unwrap();
        let tokens = setup
            .client
            .exchange_app_auth_code(&callback.app_auth_code)
            .unwrap();
        assert_eq!(tokens.len(), 2, "{tokens:?}");
        assert_ne!(tokens[0].auth_app_id, tokens[1].auth_app_id);
        assert_eq!(tokens[0].user_id, tokens[1].user_id);
        let used = api_error(setup.client.exchange_app_auth_code(&callback.app_auth_code));
        assert_eq!(used.sub_code.as_deref(), Some("isv.code-invalid"));
    }
}

#[test]
fn alipay_rules_are_enforced_with_real_codes() {
    let setup = setup(Duration::from_secs(10));
    let self_invoke = api_error(
        setup
            .client
            .execute(DELEGATED_METHOD, &CallOptions::default()),
    );
    assert_eq!(self_invoke.code, "40006");
    assert_eq!(
        self_invoke.sub_code.as_deref(),
        Some("isv.self-invoke-forbidden")
    );
    assert!(self_invoke.signed);
    let unknown = api_error(setup.client.query_app_auth_token("not-a-token"));
    assert_eq!(unknown.code, "20001");
    let stale = CallOptions {
        timestamp: Some("2020-01-01 00:00:00".into()),
        ..delegated("x")
    };
    let stale = api_error(setup.client.execute(DELEGATED_METHOD, &stale));
    assert_eq!(stale.sub_code.as_deref(), Some("isv.invalid-timestamp"));
}

fn expect_transport(result: Result<impl std::fmt::Debug>, sent: bool) -> String {
    match result {
        Err(Error::Transport {
            reason,
            request_sent,
        }) => {
            assert_eq!(request_sent, sent, "{reason}");
            reason
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn every_fault_is_a_typed_error_within_the_timeout() {
    let setup = setup(Duration::from_millis(800));
    let token = authorise(&setup);
    let call = || {
        setup
            .client
            .execute(DELEGATED_METHOD, &delegated(&token.app_auth_token))
    };

    setup
        .emulator
        .set_fault(Some(Fault::Delay(Duration::from_secs(3))), Some(1));
    let started = Instant::now();
    let reason = expect_transport(call(), true);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(reason.contains("timeout"), "{reason}");

    setup.emulator.set_fault(Some(Fault::Reset), Some(1));
    expect_transport(call(), true);

    setup
        .emulator
        .set_fault(Some(Fault::TruncatedBody), Some(1));
    expect_transport(call(), true);

    setup.emulator.set_fault(Some(Fault::BadGateway), Some(1));
    assert!(expect_transport(call(), true).contains("502"));

    setup.emulator.set_fault(Some(Fault::Unsigned), Some(1));
    assert!(matches!(call(), Err(Error::Signature { .. })));

    // The faults were one-shot: the next call verifies.
    call().unwrap();
}

#[test]
fn refused_connections_are_unsent_and_retried() {
    let setup = setup(Duration::from_secs(2));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = setup.client.config().clone();
    let app_private = config.signer().key().clone();
    let dead = IsvConfig::builder(APP_ID, app_private, config.alipay_public_key().clone())
        .gateway(format!("http://127.0.0.1:{port}/gateway.do"))
        .build()
        .unwrap();
    let client = Client::new(dead).unwrap();
    let policy = RetryPolicy {
        attempts: 3,
        backoff: Duration::from_millis(10),
        idempotent: false,
    };
    let started = Instant::now();
    expect_transport(
        client.execute_with_retry(DELEGATED_METHOD, &CallOptions::default(), &policy),
        false,
    );
    assert!(started.elapsed() >= Duration::from_millis(30));
}

#[test]
fn a_hundred_concurrent_delegated_calls_from_eight_threads_verify() {
    let setup = Arc::new(setup(Duration::from_secs(20)));
    let token = authorise(&setup).app_auth_token;
    let before = setup.emulator.call_count(DELEGATED_METHOD);
    let handles: Vec<_> = (0..8)
        .map(|thread_index| {
            let setup = Arc::clone(&setup);
            let token = token.clone();
            thread::spawn(move || {
                let calls = if thread_index < 4 { 13 } else { 12 };
                for _ in 0..calls {
                    let response = setup
                        .client
                        .execute(DELEGATED_METHOD, &delegated(&token))
                        .unwrap();
                    assert_eq!(response.fields["code"], "10000");
                }
                calls
            })
        })
        .collect();
    let total: u64 = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .sum();
    assert_eq!(total, 100);
    assert_eq!(setup.emulator.call_count(DELEGATED_METHOD) - before, 100);
}

#[test]
fn tls_failures_are_unsent_transport_errors() {
    // The emulator speaks plain HTTP: a TLS client hello to it fails the handshake. This also proves the
    // rustls provider (aws-lc-rs) is wired in: without one, ureq would panic here.
    let setup = setup(Duration::from_secs(2));
    let https = setup
        .emulator
        .gateway_url()
        .replacen("http://", "https://", 1);
    let config = setup.client.config().clone();
    let tls_config = IsvConfig::builder(
        APP_ID,
        config.signer().key().clone(),
        config.alipay_public_key().clone(),
    )
    .gateway(https)
    .build()
    .unwrap();
    let client = Client::new(tls_config).unwrap();
    let reason = expect_transport(
        client.execute(DELEGATED_METHOD, &CallOptions::default()),
        false,
    );
    assert!(reason.contains("TLS"), "{reason}");
}

#[test]
fn misbehaving_peers_end_in_typed_errors_within_the_timeout() {
    let setup = setup(Duration::from_millis(800));
    let token = authorise(&setup);
    let call = || {
        setup
            .client
            .execute(DELEGATED_METHOD, &delegated(&token.app_auth_token))
    };
    let bound = Duration::from_millis(2_000 + 800 + 700);

    // Accepts, reads the request, never answers.
    setup.emulator.set_fault(Some(Fault::Hang), Some(1));
    let started = Instant::now();
    expect_transport(call(), true);
    assert!(started.elapsed() < bound, "{:?}", started.elapsed());

    // Answers one byte every 50 ms: each read succeeds, the whole exchange must still end in time.
    setup
        .emulator
        .set_fault(Some(Fault::Trickle(Duration::from_millis(50))), Some(1));
    let started = Instant::now();
    let reason = expect_transport(call(), true);
    assert!(
        started.elapsed() < bound,
        "{:?}: {reason}",
        started.elapsed()
    );

    // Answers 10 times the size limit.
    let small = {
        let config = setup.client.config().clone();
        let options = TransportOptions {
            max_response_bytes: 1024 * 1024,
            ..TransportOptions::default()
        };
        Client::with_transport_options(config, options).unwrap()
    };
    setup
        .emulator
        .set_fault(Some(Fault::Oversized(10 * 1024 * 1024)), Some(1));
    let reason = expect_transport(
        small.execute(DELEGATED_METHOD, &delegated(&token.app_auth_token)),
        true,
    );
    assert!(reason.contains("limit"), "{reason}");
    call().unwrap();
}
