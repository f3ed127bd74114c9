//! The rules of an import without a network: what text is refused before any call, how a vouched token
//! is ordered against the stored one (duplicate, stale, newer, after a revocation), that nothing is
//! stored on a refusal, and `token_for` on a due token that has no refresh token. The import against
//! the emulator's gateway is tested in `emulator/tests/registry_import.rs`.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::registry::{MemoryStore, Registry, SqliteStore, Store};

const TOKEN: &str = "202509BB0123456789abcdef0123456789abcdef";
const OTHER: &str = "202509BBfedcba9876543210fedcba9876543210";
const APP: &str = "2021000000000042";
const PID: &str = "2088000000000042";
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

fn info(status: &str, expires_in: i64) -> AppAuthTokenInfo {
    AppAuthTokenInfo {
        user_id: Some(PID.into()),
        auth_app_id: Some(APP.into()),
        expires_in: Some(expires_in),
        auth_methods: vec!["alipay.trade.query".into()],
        auth_start: Some("2025-09-01 10:00:00".into()),
        auth_end: None,
        status: Some(status.into()),
    }
}

fn vouched<'a>(token: &'a str, expires_in: i64, now: i64) -> Vouched<'a> {
    Vouched::new(token, None, &info("valid", expires_in), now)
}

fn stored(token: &str, expires_at_ms: i64) -> MerchantAuthorisation {
    match from_import(None, APP, &vouched(token, 0, 0)) {
        (Decision::Write(record), IngestOutcome::Applied) => MerchantAuthorisation {
            expires_at_ms: Some(expires_at_ms),
            origin: AuthOrigin::Authorised,
            app_refresh_token: Some("202509BBrefresh".into()),
            ..*record
        },
        other => panic!("a first import writes: {other:?}"),
    }
}

fn stores() -> Vec<Arc<dyn Store>> {
    let path = std::env::temp_dir().join(format!(
        "alipay-isv-import-{}-{}-{:?}.db",
        std::process::id(),
        now_ms(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&path);
    vec![
        Arc::new(MemoryStore::new()),
        Arc::new(SqliteStore::open(&path, None).unwrap()),
    ]
}

#[test]
fn text_that_cannot_be_a_token_is_refused_without_showing_it() {
    for garbage in [
        "",
        "   \n",
        "2025 09BB secret-part",
        "202509BB\u{7}secretpart",
        "202509BB秘密secretpart",
        &"x".repeat(129),
    ] {
        match pasted(garbage, "app_auth_token") {
            Err(Error::Config { reason }) => {
                assert!(reason.contains("app_auth_token"), "{reason}");
                assert!(!reason.contains("secret"), "{reason}");
                assert!(!reason.contains("xxxxxxxx"), "{reason}");
            }
            other => panic!("{garbage:?}: expected a config error, got {other:?}"),
        }
    }
    assert_eq!(
        pasted(&format!("  {TOKEN}\n"), "app_auth_token").unwrap(),
        TOKEN
    );
}

#[test]
fn a_refused_import_stores_nothing_and_needs_a_client() {
    for store in stores() {
        let registry = Registry::new(store);
        for garbage in ["", "not a token", "202509BB\u{0}"] {
            assert!(matches!(
                registry.import_token(garbage, None),
                Err(Error::Config { .. })
            ));
        }
        // A well-formed refresh token is checked too, before the call.
        assert!(matches!(
            registry.import_token(TOKEN, Some("bad refresh")),
            Err(Error::Config { .. })
        ));
        match registry.import_token(TOKEN, None) {
            Err(Error::Config { reason }) => assert!(reason.contains("client"), "{reason}"),
            other => panic!("expected a config error, got {other:?}"),
        }
        assert!(registry.list().unwrap().is_empty());
    }
}

#[test]
fn a_first_import_stores_the_relation_marked_imported() {
    let now = 1_757_000_000_000;
    let token = Vouched::new(TOKEN, Some("202509BBrefresh"), &info("valid", 3600), now);
    let (decision, outcome) = from_import(None, APP, &token);
    assert_eq!(outcome, IngestOutcome::Applied);
    let Decision::Write(record) = decision else {
        panic!("a first import writes")
    };
    assert_eq!(record.auth_app_id, APP);
    assert_eq!(record.merchant_pid.as_deref(), Some(PID));
    assert_eq!(record.app_auth_token, TOKEN);
    assert_eq!(record.app_refresh_token.as_deref(), Some("202509BBrefresh"));
    assert_eq!(record.expires_at_ms, Some(now + 3_600_000));
    assert_eq!(record.granted_methods, ["alipay.trade.query"]);
    assert_eq!(record.origin, AuthOrigin::Imported);
    assert_eq!(record.status, AuthStatus::Active);
    // auth_start 2025-09-01 10:00:00 UTC+8.
    assert_eq!(record.authorised_at_ms, 1_756_692_000_000);
    assert!(!format!("{record:?}").contains("0123456789abcdef"));

    // Without expires_in the expiry is auth_end.
    let ended = AppAuthTokenInfo {
        expires_in: None,
        auth_end: Some("2026-09-01 10:00:00".into()),
        ..info("valid", 0)
    };
    let (Decision::Write(record), _) =
        from_import(None, APP, &Vouched::new(TOKEN, None, &ended, now))
    else {
        panic!("a first import writes")
    };
    assert_eq!(record.expires_at_ms, Some(1_788_228_000_000));
}

#[test]
fn importing_the_stored_token_again_changes_nothing() {
    let now = 1_757_000_000_000;
    let first = stored(TOKEN, now + YEAR_MS);
    let again = vouched(TOKEN, YEAR_MS / 1000, now + 500);
    assert!(matches!(
        from_import(Some(&first), APP, &again),
        (Decision::Keep, IngestOutcome::Duplicate)
    ));
    // The same token with a refresh token the record lacked, or a moved expiry, updates the record but
    // keeps its origin.
    let bare = MerchantAuthorisation {
        app_refresh_token: None,
        ..first.clone()
    };
    let with_refresh = Vouched::new(
        TOKEN,
        Some("202509BBrefresh"),
        &info("valid", YEAR_MS / 1000),
        now,
    );
    match from_import(Some(&bare), APP, &with_refresh) {
        (Decision::Write(record), IngestOutcome::Applied) => {
            assert_eq!(record.app_refresh_token.as_deref(), Some("202509BBrefresh"));
            assert_eq!(record.origin, AuthOrigin::Authorised);
        }
        other => panic!("expected a write, got {other:?}"),
    }
    // Revoked here: importing the same token does not undo it.
    let revoked = MerchantAuthorisation {
        status: AuthStatus::Revoked,
        revoked_at_ms: Some(now),
        ..first
    };
    assert!(matches!(
        from_import(Some(&revoked), APP, &again),
        (Decision::Keep, IngestOutcome::Stale)
    ));
}

#[test]
fn an_older_token_never_replaces_a_newer_one() {
    let now = 1_757_000_000_000;
    let newer = stored(OTHER, now + YEAR_MS);
    // A token in its grace period after a refresh expires long before the stored one.
    let older = vouched(TOKEN, 600, now);
    assert!(matches!(
        from_import(Some(&newer), APP, &older),
        (Decision::Keep, IngestOutcome::Stale)
    ));
    // A newer token (it lives longer than the stored one) replaces it, marked imported.
    let older_stored = stored(OTHER, now + 600_000);
    match from_import(
        Some(&older_stored),
        APP,
        &vouched(TOKEN, YEAR_MS / 1000, now),
    ) {
        (Decision::Write(record), IngestOutcome::Applied) => {
            assert_eq!(record.app_auth_token, TOKEN);
            assert_eq!(record.origin, AuthOrigin::Imported);
            assert_eq!(
                record.app_refresh_token, None,
                "the old refresh token is not kept"
            );
        }
        other => panic!("expected a write, got {other:?}"),
    }
    // Within the tolerance of the computed expiries the import wins.
    let same_time = stored(OTHER, now + 3_600_000 + 1_500);
    assert!(matches!(
        from_import(Some(&same_time), APP, &vouched(TOKEN, 3600, now)),
        (Decision::Write(_), IngestOutcome::Applied)
    ));
    // Revoked after this token's authorisation started (2025-09-01 10:00:00): stale; revoked before
    // (the merchant authorised again since): the import applies.
    let started = 1_756_692_000_000;
    for (revoked_at, outcome) in [
        (started + 60_000, IngestOutcome::Stale),
        (started - 60_000, IngestOutcome::Applied),
    ] {
        let revoked = MerchantAuthorisation {
            status: AuthStatus::Revoked,
            revoked_at_ms: Some(revoked_at),
            ..stored(OTHER, now + YEAR_MS)
        };
        assert_eq!(
            from_import(Some(&revoked), APP, &vouched(TOKEN, 600, now)).1,
            outcome
        );
    }
}

#[test]
fn a_due_token_without_refresh_token_is_refused_plainly() {
    for store in stores() {
        let registry = Registry::new(store.clone()).with_refresh_margin(Duration::from_secs(600));
        let now = now_ms();
        for (app, expires_in) in [
            ("2021000000000051", 300),
            ("2021000000000052", -5),
            ("2021000000000053", 3600),
        ] {
            let token = Vouched::new(TOKEN, None, &info("valid", expires_in), now);
            store
                .update("", app, None, &mut |current| {
                    Ok(from_import(current, app, &token).0)
                })
                .unwrap();
        }
        // Due within the margin, and expired: refused, no client needed, nothing called.
        for app in ["2021000000000051", "2021000000000052"] {
            match registry.token_for(app) {
                Err(Error::Store { reason }) => {
                    assert!(reason.contains(app), "{reason}");
                    assert!(reason.contains(PID), "{reason}");
                    assert!(reason.contains("no app_refresh_token"), "{reason}");
                    assert!(reason.contains("import a fresh token"), "{reason}");
                    assert!(reason.contains("authorise again"), "{reason}");
                    assert!(!reason.contains("0123456789abcdef"), "{reason}");
                }
                other => panic!("{app}: expected a store error, got {other:?}"),
            }
            assert!(store.get("", app).unwrap().unwrap().refresh_lease.is_none());
        }
        assert!(
            registry
                .token_for("2021000000000052")
                .unwrap_err()
                .reason()
                .contains("expired at")
        );
        // Not due yet: served.
        assert_eq!(registry.token_for("2021000000000053").unwrap(), TOKEN);
    }
}
