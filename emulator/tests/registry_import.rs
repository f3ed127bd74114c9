//! Importing a merchant's `app_auth_token` copied from the open-platform console (方法二) into the
//! registry, against the emulator's gateway: the console token imported and used for a delegated call
//! through the registry; invalid (expired), revoked, never-issued and garbage tokens refused with nothing
//! stored; importing twice is one record; a stale import never overwrites a newer token; the console
//! entry over HTTP; and `token_for` on an imported token with and without a refresh token.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_isv::Error;
use alipay_isv::client::Client;
use alipay_isv::registry::{AuthOrigin, IngestOutcome, Registry};
use alipay_isv::request::CallOptions;
use alipay_isv_emulator::Emulator;
use common::{CALLBACK, authorise, config, get, post};

const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";

fn temp_db(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "alipay-isv-import-{name}-{}-{nanos}.db",
        std::process::id()
    ))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The merchant `merchant_pid` authorises the app `auth_app_id` on the emulator's page; the ISV does
/// not exchange the code (it will copy the token from the console instead).
fn merchant_authorises(emulator: &Emulator, auth_app_id: &str, merchant_pid: &str) {
    let link = format!(
        "{}&auth_app_id={auth_app_id}&merchant_pid={merchant_pid}",
        emulator.app_auth_url(CALLBACK, None)
    );
    emulator.merchant_authorizes(&link).unwrap();
}

fn registry(emulator: &Emulator, path: &Path) -> Registry {
    Registry::open(path, None)
        .unwrap()
        .with_client(Client::new(config(emulator)).unwrap())
}

fn delegated_options() -> CallOptions {
    CallOptions {
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    }
}

#[test]
fn a_console_token_is_imported_once_and_serves_a_delegated_call() {
    let emulator = common::start();
    merchant_authorises(&emulator, "2021009900000001", "2088009900000001");
    let console = emulator.console_app_auth_token("2021009900000001").unwrap();
    assert_eq!(console.merchant_pid, "2088009900000001");
    assert_eq!(console.app_auth_token.len(), 40);
    assert!(!format!("{console:?}").contains(&console.app_auth_token[8..]));

    let path = temp_db("once");
    let registry = registry(&emulator, &path);
    // A token pasted with its line break.
    let imported = registry
        .import_token(&format!("{}\n", console.app_auth_token), None)
        .unwrap();
    assert_eq!(imported.outcome, IngestOutcome::Applied);
    let record = &imported.record;
    assert_eq!(record.auth_app_id, "2021009900000001");
    assert_eq!(record.merchant_pid.as_deref(), Some("2088009900000001"));
    assert_eq!(record.app_auth_token, console.app_auth_token);
    assert_eq!(record.app_refresh_token, None);
    assert_eq!(record.origin, AuthOrigin::Imported);
    assert!(record.is_active());
    assert!(
        record
            .granted_methods
            .iter()
            .any(|method| method == DELEGATED_METHOD)
    );
    let year_ms = 365 * 24 * 3600 * 1000;
    let left = record.expires_at_ms.unwrap() - record.updated_at_ms;
    assert!((year_ms - 5_000..=year_ms).contains(&left), "{left}");
    assert!(!format!("{imported:?}").contains(&console.app_auth_token[8..]));

    // The delegated call, the token looked up in the registry.
    let response = registry
        .execute_for("2021009900000001", DELEGATED_METHOD, &delegated_options())
        .unwrap();
    assert_eq!(response.fields["code"], "10000");
    assert_eq!(
        registry.token_for_merchant("2088009900000001").unwrap(),
        console.app_auth_token
    );

    // Importing it again: one record, nothing changed.
    let again = registry
        .import_token(&console.app_auth_token, None)
        .unwrap();
    assert_eq!(again.outcome, IngestOutcome::Duplicate);
    assert_eq!(again.record.version, imported.record.version);
    assert_eq!(registry.list().unwrap().len(), 1);
    drop(registry);
    let reopened = Registry::open(&path, None).unwrap();
    assert_eq!(
        reopened.get("2021009900000001").unwrap().unwrap().origin,
        AuthOrigin::Imported
    );
    remove_db(&path);
}

#[test]
fn expired_revoked_unknown_and_garbage_tokens_are_refused_with_nothing_stored() {
    let emulator = common::start();
    merchant_authorises(&emulator, "2021009900000002", "2088009900000002");
    merchant_authorises(&emulator, "2021009900000003", "2088009900000003");
    let expired = emulator
        .console_app_auth_token("2021009900000002")
        .unwrap()
        .app_auth_token;
    let revoked = emulator
        .console_app_auth_token("2021009900000003")
        .unwrap()
        .app_auth_token;
    emulator.expire_app_auth_token("2021009900000002").unwrap();
    emulator.revoke("2021009900000003").unwrap();
    assert!(emulator.console_app_auth_token("2021009900000003").is_err());

    let path = temp_db("refused");
    let registry = registry(&emulator, &path);
    let queries = || emulator.call_count("alipay.open.auth.token.app.query");
    for (token, app) in [
        (&expired, "2021009900000002"),
        (&revoked, "2021009900000003"),
    ] {
        match registry.import_token(token, None) {
            Err(Error::Store { reason }) => {
                assert!(reason.contains("invalid"), "{reason}");
                assert!(reason.contains(app), "{reason}");
                assert!(reason.contains("nothing was stored"), "{reason}");
                assert!(!reason.contains(&token[8..]), "{reason}");
            }
            other => panic!("expected a store error, got {other:?}"),
        }
    }
    // A token the gateway never issued: its error, `20001 aop.invalid-app-auth-token`.
    let unknown = "202509BB00000000000000000000000000000000";
    match registry.import_token(unknown, None) {
        Err(Error::Api(api)) => {
            assert_eq!(api.code, "20001");
            assert_eq!(api.sub_code.as_deref(), Some("aop.invalid-app-auth-token"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    // Text that cannot be a token: refused before any call.
    let before = queries();
    for garbage in [
        "",
        "  ",
        "copy of the token: 202509BB0000",
        "202509BB\u{1b}[0m",
        "令牌",
    ] {
        assert!(
            matches!(
                registry.import_token(garbage, None),
                Err(Error::Config { .. })
            ),
            "{garbage:?}"
        );
    }
    assert_eq!(queries(), before);
    assert!(registry.list().unwrap().is_empty());
    remove_db(&path);
}

#[test]
fn a_stale_import_never_overwrites_a_newer_token() {
    let emulator = common::start();
    let config = config(&emulator);
    let client = Client::new(config.clone()).unwrap();
    let path = temp_db("stale");
    let registry = registry(&emulator, &path);
    // Method one first: the exchanged token A, then refreshed to B (A keeps working 10 minutes).
    let merchant = authorise(&emulator, &config);
    let tokens = client
        .refresh_app_auth_token(&merchant.app_refresh_token)
        .unwrap();
    let newer = tokens[0].clone();
    registry.ingest_refreshed_tokens(&tokens).unwrap();
    let stored = registry.get(&merchant.auth_app_id).unwrap().unwrap();
    assert_eq!(stored.app_auth_token, newer.app_auth_token);

    // A, still valid but older: nothing changes.
    let stale = registry
        .import_token(&merchant.app_auth_token, None)
        .unwrap();
    assert_eq!(stale.outcome, IngestOutcome::Stale);
    assert_eq!(stale.record.app_auth_token, newer.app_auth_token);
    assert_eq!(stale.record.version, stored.version);
    assert_eq!(stale.record.origin, AuthOrigin::Authorised);

    // Refreshed elsewhere to C, copied from the console: newer, so it replaces B.
    client
        .refresh_app_auth_token(newer.app_refresh_token.as_deref().unwrap())
        .unwrap();
    let console = emulator
        .console_app_auth_token(&merchant.auth_app_id)
        .unwrap();
    let fresh = registry
        .import_token(&console.app_auth_token, None)
        .unwrap();
    assert_eq!(fresh.outcome, IngestOutcome::Applied);
    assert_eq!(fresh.record.origin, AuthOrigin::Imported);
    assert_eq!(
        registry.token_for(&merchant.auth_app_id).unwrap(),
        console.app_auth_token
    );
    assert_eq!(registry.list().unwrap().len(), 1);
    remove_db(&path);
}

#[test]
fn token_for_an_imported_token_refreshes_with_a_refresh_token_and_says_plainly_without() {
    let mut options = common::options();
    options.app_auth_token_ttl = Duration::from_secs(30);
    let emulator = Emulator::start(options).unwrap();
    let config = config(&emulator);
    let path = temp_db("due");
    // Tokens living 30 s are due at once with a 60 s margin.
    let registry = registry(&emulator, &path).with_refresh_margin(Duration::from_secs(60));

    merchant_authorises(&emulator, "2021009900000004", "2088009900000004");
    let console = emulator.console_app_auth_token("2021009900000004").unwrap();
    registry
        .import_token(&console.app_auth_token, None)
        .unwrap();
    let refreshes = || emulator.call_count("alipay.open.auth.token.app");
    let before = refreshes();
    match registry.token_for("2021009900000004") {
        Err(Error::Store { reason }) => {
            assert!(reason.contains("2021009900000004"), "{reason}");
            assert!(reason.contains("no app_refresh_token"), "{reason}");
            assert!(reason.contains("import a fresh token"), "{reason}");
            assert!(reason.contains("authorise again"), "{reason}");
            assert!(!reason.contains(&console.app_auth_token[8..]), "{reason}");
        }
        other => panic!("expected a store error, got {other:?}"),
    }
    assert!(matches!(
        registry.execute_for("2021009900000004", DELEGATED_METHOD, &delegated_options()),
        Err(Error::Store { .. })
    ));
    assert_eq!(refreshes(), before, "no refresh was attempted");

    // Imported with its refresh token, it is refreshed when due and stays marked imported.
    let merchant = authorise(&emulator, &config);
    let imported = registry
        .import_token(&merchant.app_auth_token, Some(&merchant.app_refresh_token))
        .unwrap();
    assert_eq!(imported.outcome, IngestOutcome::Applied);
    let token = registry.token_for(&merchant.auth_app_id).unwrap();
    assert_ne!(token, merchant.app_auth_token);
    let record = registry.get(&merchant.auth_app_id).unwrap().unwrap();
    assert_eq!(record.origin, AuthOrigin::Imported);
    assert!(record.app_refresh_token.is_some());
    registry
        .execute_for(
            &merchant.auth_app_id,
            DELEGATED_METHOD,
            &delegated_options(),
        )
        .unwrap();
    remove_db(&path);
}

#[test]
fn the_console_entry_is_served_over_http() {
    let emulator = common::start();
    merchant_authorises(&emulator, "2021009900000005", "2088009900000005");
    let console = emulator.console_app_auth_token("2021009900000005").unwrap();
    let shown = get(
        &emulator,
        "/emulator/console/app-auth-token?auth_app_id=2021009900000005",
    );
    assert_eq!(shown.status, 200, "{}", shown.text());
    let entry: serde_json::Value = serde_json::from_slice(&shown.body).unwrap();
    assert_eq!(entry["app_auth_token"], console.app_auth_token.as_str());
    assert_eq!(entry["merchant_pid"], "2088009900000005");
    assert_eq!(entry["auth_start"], console.auth_start.as_str());
    assert_eq!(entry["auth_end"], console.auth_end.as_str());
    assert!(entry.get("app_refresh_token").is_none());
    for (target, status) in [
        ("/emulator/console/app-auth-token", 400),
        (
            "/emulator/console/app-auth-token?auth_app_id=2021009999999999",
            404,
        ),
    ] {
        assert_eq!(get(&emulator, target).status, status, "{target}");
    }
    assert_eq!(
        post(
            &emulator,
            "/emulator/console/app-auth-token?auth_app_id=2021009900000005",
            "text/plain",
            b""
        )
        .status,
        405
    );
    emulator.revoke("2021009900000005").unwrap();
    assert_eq!(
        get(
            &emulator,
            "/emulator/console/app-auth-token?auth_app_id=2021009900000005"
        )
        .status,
        404
    );
}
