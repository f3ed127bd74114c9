//! Registry rules over both stores, without a network: ordering, idempotence, revocation, encryption at
//! rest, and refusing foreign files. Refresh against the emulator is tested in `emulator/tests/registry.rs`.

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::notify::{AppAuthDetail, AppAuthNotification, MessageNotification};

fn temp_path(name: &str) -> PathBuf {
    let mut random = [0u8; 6];
    let _ = aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut random);
    let suffix: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    std::env::temp_dir().join(format!("alipay-isv-{name}-{suffix}.db"))
}

fn token(auth_app_id: &str, value: &str) -> AppAuthToken {
    AppAuthToken {
        app_auth_token: value.into(),
        app_refresh_token: Some(format!("{value}-refresh")),
        auth_app_id: auth_app_id.into(),
        user_id: Some("2088000000000001".into()),
        expires_in: Some(31_536_000),
        re_expires_in: Some(32_140_800),
    }
}

fn authorisation_notice(
    notify_id: &str,
    auth_app_id: &str,
    value: &str,
    auth_time: i64,
) -> Notification {
    Notification::AppAuth(AppAuthNotification {
        notify_id: notify_id.into(),
        notify_time: None,
        app_id: Some("2021000000000001".into()),
        status: Some("execute_auth".into()),
        trigger: None,
        detail: AppAuthDetail {
            app_auth_token: value.into(),
            app_refresh_token: Some(format!("{value}-refresh")),
            user_id: Some("2088000000000001".into()),
            auth_app_id: auth_app_id.into(),
            expires_in: Some(31_536_000),
            re_expires_in: Some(32_140_800),
            auth_time: Some(auth_time),
            ..AppAuthDetail::default()
        },
        params: Vec::new(),
    })
}

fn cancellation(notify_id: &str, auth_app_id: &str, at_ms: i64) -> Notification {
    Notification::Message(MessageNotification {
        msg_method: "alipay.open.auth.appauth.cancelled".into(),
        notify_id: Some(notify_id.into()),
        utc_timestamp: Some(at_ms.to_string()),
        app_id: Some("2021000000000001".into()),
        msg_app_id: Some(auth_app_id.into()),
        msg_uid: Some("2088000000000001".into()),
        biz_content: json!({"auth_app_id": auth_app_id}),
        params: Vec::new(),
    })
}

fn registries() -> Vec<(Registry, Option<PathBuf>)> {
    let path = temp_path("rules");
    vec![
        (Registry::in_memory(), None),
        (Registry::open(&path, None).unwrap(), Some(path)),
    ]
}

#[test]
fn ingestion_is_idempotent_and_ordered() {
    for (registry, path) in registries() {
        let now = now_ms();
        // The notification of an authorisation arrives first, then the exchange of its code.
        let notice = authorisation_notice("n1", "2021001", "token-a", now - 5_000);
        assert_eq!(
            registry.ingest_notification(&notice).unwrap(),
            IngestOutcome::Applied
        );
        assert_eq!(
            registry.ingest_notification(&notice).unwrap(),
            IngestOutcome::Duplicate
        );
        assert_eq!(
            registry
                .ingest_tokens(&[token("2021001", "token-b")])
                .unwrap(),
            [IngestOutcome::Applied]
        );
        // A late notification of the same (older) authorisation never overwrites the newer token.
        let late = authorisation_notice("n2", "2021001", "token-a", now - 5_000);
        assert_eq!(
            registry.ingest_notification(&late).unwrap(),
            IngestOutcome::Stale
        );
        assert_eq!(registry.token_for("2021001").unwrap(), "token-b");
        // A later re-authorisation does.
        let newer = authorisation_notice("n3", "2021001", "token-c", now_ms() + 1_000);
        assert_eq!(
            registry.ingest_notification(&newer).unwrap(),
            IngestOutcome::Applied
        );
        assert_eq!(registry.token_for("2021001").unwrap(), "token-c");
        let record = registry.get("2021001").unwrap().unwrap();
        assert_eq!(record.merchant_pid.as_deref(), Some("2088000000000001"));
        assert!(!format!("{record:?}").contains("token-c"));
        assert_eq!(registry.by_merchant("2088000000000001").unwrap().len(), 1);
        assert_eq!(registry.list().unwrap().len(), 1);
        assert_eq!(
            registry.token_for_merchant("2088000000000001").unwrap(),
            "token-c"
        );
        if let Some(path) = path {
            drop(registry);
            let reopened = Registry::open(&path, None).unwrap();
            assert_eq!(reopened.token_for("2021001").unwrap(), "token-c");
            let _ = std::fs::remove_file(path);
        }
    }
}

#[test]
fn cancellations_revoke_without_deleting_and_late_ones_are_stale() {
    for (registry, _) in registries() {
        registry
            .ingest_tokens(&[token("2021002", "token-x")])
            .unwrap();
        let revoke = cancellation("c1", "2021002", now_ms() + 10);
        assert_eq!(
            registry.ingest_notification(&revoke).unwrap(),
            IngestOutcome::Applied
        );
        assert_eq!(
            registry.ingest_notification(&revoke).unwrap(),
            IngestOutcome::Duplicate
        );
        let record = registry.get("2021002").unwrap().unwrap();
        assert_eq!(record.status, AuthStatus::Revoked);
        match registry.token_for("2021002") {
            Err(Error::Store { reason }) => {
                assert!(
                    reason.contains("2021002") && reason.contains("revoked"),
                    "{reason}"
                );
            }
            other => panic!("expected a store error, got {other:?}"),
        }
        // The merchant authorises again; a cancellation older than that arrives late: stale.
        std::thread::sleep(Duration::from_millis(20));
        registry
            .ingest_tokens(&[token("2021002", "token-y")])
            .unwrap();
        let late = cancellation("c2", "2021002", now_ms() - 60_000);
        assert_eq!(
            registry.ingest_notification(&late).unwrap(),
            IngestOutcome::Stale
        );
        assert_eq!(registry.token_for("2021002").unwrap(), "token-y");
        assert_eq!(
            registry
                .ingest_notification(&cancellation("c3", "2029999", now_ms()))
                .unwrap(),
            IngestOutcome::Ignored
        );
        assert!(matches!(
            registry.token_for("2029999"),
            Err(Error::Store { .. })
        ));
    }
}

#[test]
fn query_results_update_only_the_current_token() {
    for (registry, _) in registries() {
        registry
            .ingest_tokens(&[token("2021003", "token-q")])
            .unwrap();
        let info = AppAuthTokenInfo {
            user_id: Some("2088000000000001".into()),
            auth_app_id: Some("2021003".into()),
            expires_in: Some(1_000),
            auth_methods: vec!["alipay.trade.query".into()],
            auth_start: None,
            auth_end: None,
            status: Some("valid".into()),
        };
        assert_eq!(
            registry.ingest_query("token-q", &info).unwrap(),
            IngestOutcome::Applied
        );
        assert_eq!(
            registry.ingest_query("token-q", &info).unwrap(),
            IngestOutcome::Stale
        );
        assert_eq!(
            registry.ingest_query("token-old", &info).unwrap(),
            IngestOutcome::Stale
        );
        let record = registry.get("2021003").unwrap().unwrap();
        assert_eq!(record.granted_methods, ["alipay.trade.query"]);
        let invalid = AppAuthTokenInfo {
            status: Some("invalid".into()),
            ..info
        };
        assert_eq!(
            registry.ingest_query("token-q", &invalid).unwrap(),
            IngestOutcome::Applied
        );
        assert!(!registry.get("2021003").unwrap().unwrap().is_active());
    }
}

#[test]
fn a_failed_refresh_serves_the_still_valid_token_and_fails_once_expired() {
    // Due for refresh (the margin exceeds the lifetime) but not expired; no client, so the refresh fails.
    let registry = Registry::in_memory().with_refresh_margin(Duration::from_secs(40_000_000));
    registry
        .ingest_tokens(&[token("2021004", "token-r")])
        .unwrap();
    assert_eq!(registry.token_for("2021004").unwrap(), "token-r");
    // The failed attempt released its lease.
    assert!(
        registry
            .get("2021004")
            .unwrap()
            .unwrap()
            .refresh_lease
            .is_none()
    );

    let expired = AppAuthToken {
        expires_in: Some(0),
        ..token("2021006", "token-expired")
    };
    registry.ingest_tokens(&[expired]).unwrap();
    assert!(matches!(
        registry.token_for("2021006"),
        Err(Error::Config { .. })
    ));
}

#[test]
fn tokens_are_encrypted_at_rest_and_the_key_is_checked() {
    let path = temp_path("encrypted");
    let key_text = TokenKey::generate_base64().unwrap();
    let registry = Registry::open(&path, Some(TokenKey::from_base64(&key_text).unwrap())).unwrap();
    registry
        .ingest_tokens(&[token("2021005", "recognisable-token-value")])
        .unwrap();
    drop(registry);
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    assert!(
        !bytes
            .windows(24)
            .any(|window| window == b"recognisable-token-value")
    );

    let reopened = Registry::open(&path, Some(TokenKey::from_base64(&key_text).unwrap())).unwrap();
    assert_eq!(
        reopened.token_for("2021005").unwrap(),
        "recognisable-token-value"
    );
    drop(reopened);
    for (key, expected) in [
        (
            Some(TokenKey::from_bytes(&[9; 32]).unwrap()),
            "does not match",
        ),
        (None, "encrypted"),
    ] {
        match Registry::open(&path, key) {
            Err(Error::Store { reason }) => assert!(reason.contains(expected), "{reason}"),
            other => panic!("expected a store error, got {other:?}"),
        }
    }
    let plain = temp_path("plain");
    drop(Registry::open(&plain, None).unwrap());
    assert!(matches!(
        Registry::open(&plain, Some(TokenKey::from_bytes(&[9; 32]).unwrap())),
        Err(Error::Store { .. })
    ));
    for file in [path, plain] {
        let _ = std::fs::remove_file(&file);
    }
}

#[test]
fn foreign_and_corrupt_files_are_refused_and_left_untouched() {
    let garbage = temp_path("garbage");
    std::fs::write(&garbage, b"this is not a database at all, just some text").unwrap();
    let foreign = temp_path("foreign");
    {
        let connection = rusqlite::Connection::open(&foreign).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1);",
            )
            .unwrap();
    }
    let truncated = temp_path("truncated");
    let mut header = b"SQLite format 3\0".to_vec();
    header.extend([0xffu8; 84]);
    std::fs::write(&truncated, &header).unwrap();
    for path in [&garbage, &foreign, &truncated] {
        let before = std::fs::read(path).unwrap();
        match Registry::open(path, None) {
            Err(Error::Store { reason }) => assert!(!reason.is_empty()),
            other => panic!("{}: expected a store error, got {other:?}", path.display()),
        }
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{} was modified",
            path.display()
        );
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn both_stores_pass_the_store_conformance_suite() {
    conformance::check_store(&|| Arc::new(MemoryStore::new()));
    let paths = Mutex::new(Vec::new());
    conformance::check_store(&|| {
        let path = temp_path("conformance");
        paths.lock().unwrap().push(path.clone());
        Arc::new(SqliteStore::open(&path, None).unwrap())
    });
    conformance::check_store(&|| {
        let path = temp_path("conformance-encrypted");
        paths.lock().unwrap().push(path.clone());
        let key = TokenKey::from_base64(&TokenKey::generate_base64().unwrap()).unwrap();
        Arc::new(SqliteStore::open(&path, Some(key)).unwrap())
    });
    for path in paths.into_inner().unwrap() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

#[test]
fn a_registry_url_is_shown_without_its_password() {
    use super::redacted_url;
    assert_eq!(
        redacted_url("postgres://isv:s3cr%40t@db.example:5432/registry?sslmode=verify-full"),
        "postgres://isv:***@db.example:5432/registry?sslmode=verify-full"
    );
    assert_eq!(
        redacted_url("mysql://db.example/registry?user=isv&password=s3cret&ssl-mode=REQUIRED"),
        "mysql://db.example/registry?user=isv&password=***&ssl-mode=REQUIRED"
    );
    assert_eq!(redacted_url("postgres://isv@db/r"), "postgres://isv@db/r");
    assert_eq!(
        redacted_url("/var/lib/isv/registry.db"),
        "/var/lib/isv/registry.db"
    );
    assert_eq!(redacted_url("memory:"), "memory:");
}
