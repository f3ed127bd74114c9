//! A refused file is left byte-identical: every refusal (not SQLite, corrupt, foreign schema, newer schema,
//! wrong key, encrypted vs not) runs before anything is written, in WAL mode and in rollback-journal mode
//! (a `VACUUM INTO` backup), and leaves no `-wal` / `-shm` / `-journal` file that was not there.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::SqliteStore;
use crate::auth::AppAuthToken;
use crate::error::Error;
use crate::registry::{Registry, TokenKey};

fn temp_path(name: &str) -> PathBuf {
    let mut random = [0u8; 6];
    let _ = aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut random);
    let suffix: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    std::env::temp_dir().join(format!("alipay-isv-sqlite-{name}-{suffix}.db"))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

fn remove_all(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in SIDECARS {
        let _ = std::fs::remove_file(sidecar(path, suffix));
    }
}

/// Everything a refused open could have changed: the bytes, and which side files exist.
#[derive(Debug, PartialEq)]
struct Snapshot {
    digest: Vec<u8>,
    length: usize,
    bytes: Vec<u8>,
    sidecars: Vec<(&'static str, bool)>,
}

fn snapshot(path: &Path) -> Snapshot {
    let bytes = std::fs::read(path).unwrap();
    Snapshot {
        digest: aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes)
            .as_ref()
            .to_vec(),
        length: bytes.len(),
        bytes,
        sidecars: SIDECARS
            .iter()
            .map(|suffix| (*suffix, sidecar(path, suffix).exists()))
            .collect(),
    }
}

/// Bytes 18 and 19 of the header: 2 in WAL mode, 1 in rollback-journal mode.
fn journal_bytes(path: &Path) -> [u8; 2] {
    let bytes = std::fs::read(path).unwrap();
    [bytes[18], bytes[19]]
}

const WAL: [u8; 2] = [2, 2];
const ROLLBACK: [u8; 2] = [1, 1];

fn key(byte: u8) -> TokenKey {
    TokenKey::from_bytes(&[byte; 32]).unwrap()
}

/// A registry with one record, written through the library (so in WAL mode), all connections closed.
fn registry_file(name: &str, key: Option<TokenKey>) -> PathBuf {
    let path = temp_path(name);
    let registry = Registry::open(&path, key).unwrap();
    registry
        .ingest_tokens(&[AppAuthToken {
            app_auth_token: "202509BBa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6".into(),
            app_refresh_token: Some("202509BBrefresh".into()),
            auth_app_id: "2021004100000001".into(),
            user_id: Some("2088000000000001".into()),
            expires_in: Some(31_536_000),
            re_expires_in: Some(32_140_800),
        }])
        .unwrap();
    drop(registry);
    path
}

/// Another application's database, switched to WAL.
fn foreign_file(name: &str) -> PathBuf {
    let path = temp_path(name);
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount TEXT);
             INSERT INTO invoices VALUES (1, '9.99');",
        )
        .unwrap();
    drop(connection);
    path
}

/// The rollback-journal backup of `path`, as `VACUUM INTO` makes it.
fn vacuum_copy(path: &Path, name: &str) -> PathBuf {
    let copy = temp_path(name);
    let connection = Connection::open(path).unwrap();
    connection
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
    drop(connection);
    copy
}

fn set_user_version(path: &Path, version: i64) {
    let connection = Connection::open(path).unwrap();
    connection
        .execute_batch(&format!("PRAGMA user_version = {version}"))
        .unwrap();
}

/// Overwrites the b-tree page header of the page holding `table` (page 1 for `sqlite_master`) with
/// garbage: SQLite then reports the database image as malformed when it reads that table.
fn corrupt_table(path: &Path, table: &str) {
    let (page_size, root): (i64, i64) = {
        let connection = Connection::open(path).unwrap();
        let page_size = connection
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap();
        let root = if table == "sqlite_master" {
            1
        } else {
            connection
                .query_row(
                    "SELECT rootpage FROM sqlite_master WHERE name = ?1",
                    [table],
                    |row| row.get(0),
                )
                .unwrap()
        };
        (page_size, root)
    };
    let mut bytes = std::fs::read(path).unwrap();
    let start = ((root - 1) * page_size) as usize + if root == 1 { 100 } else { 0 };
    bytes[start..start + 12].copy_from_slice(&[0xEE; 12]);
    std::fs::write(path, bytes).unwrap();
}

type Make = fn(&str) -> PathBuf;
type Mutate = fn(&Path);

struct Refusal {
    name: &'static str,
    make: Make,
    mutate: Mutate,
    key: Option<u8>,
    expect: &'static str,
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal {
            name: "foreign",
            make: foreign_file,
            mutate: |_| {},
            key: None,
            expect: "another application",
        },
        Refusal {
            name: "newer-schema",
            make: |name| registry_file(name, None),
            mutate: |path| set_user_version(path, 99),
            key: None,
            expect: "newer than this library",
        },
        Refusal {
            name: "corrupt-schema",
            make: |name| registry_file(name, None),
            mutate: |path| corrupt_table(path, "sqlite_master"),
            key: None,
            expect: "cannot read",
        },
        Refusal {
            name: "corrupt-meta",
            make: |name| registry_file(name, None),
            mutate: |path| corrupt_table(path, "meta"),
            key: None,
            expect: "cannot read",
        },
        Refusal {
            name: "wrong-key",
            make: |name| registry_file(name, Some(key(1))),
            mutate: |_| {},
            key: Some(2),
            expect: "does not match",
        },
        Refusal {
            name: "encrypted-without-key",
            make: |name| registry_file(name, Some(key(1))),
            mutate: |_| {},
            key: None,
            expect: "stores tokens encrypted",
        },
        Refusal {
            name: "plain-with-key",
            make: |name| registry_file(name, None),
            mutate: |_| {},
            key: Some(1),
            expect: "stores tokens unencrypted",
        },
    ]
}

fn assert_refused_untouched(path: &Path, key: Option<u8>, expect: &str, what: &str) {
    let before = snapshot(path);
    match SqliteStore::open(path, key.map(self::key)) {
        Err(Error::Store { reason }) => assert!(reason.contains(expect), "{what}: {reason}"),
        Err(other) => panic!("{what}: expected a store error, got {other:?}"),
        Ok(store) => panic!("{what}: expected a refusal, got {store:?}"),
    }
    let after = snapshot(path);
    assert_eq!(
        (&after.digest, after.length, &after.sidecars),
        (&before.digest, before.length, &before.sidecars),
        "{what}: the refused file changed"
    );
    assert!(
        after.bytes == before.bytes,
        "{what}: the refused file changed"
    );
}

#[test]
fn every_refusal_leaves_the_file_byte_identical_in_wal_and_rollback_mode() {
    for refusal in refusals() {
        let wal = (refusal.make)(&format!("{}-wal-mode", refusal.name));
        let rollback = vacuum_copy(&wal, &format!("{}-rollback", refusal.name));
        assert_eq!(journal_bytes(&wal), WAL, "{}", refusal.name);
        assert_eq!(journal_bytes(&rollback), ROLLBACK, "{}", refusal.name);
        for path in [&wal, &rollback] {
            (refusal.mutate)(path);
        }
        for (mode, path) in [("WAL", &wal), ("rollback journal", &rollback)] {
            assert!(
                SIDECARS
                    .iter()
                    .all(|suffix| !sidecar(path, suffix).exists()),
                "{} ({mode}): a side file was left by the setup",
                refusal.name
            );
            let what = format!("{} ({mode})", refusal.name);
            assert_refused_untouched(path, refusal.key, refusal.expect, &what);
            // Refused again, the same way: the first refusal did not half-convert it.
            assert_refused_untouched(path, refusal.key, refusal.expect, &what);
        }
        assert_eq!(journal_bytes(&rollback), ROLLBACK, "{}", refusal.name);
        remove_all(&wal);
        remove_all(&rollback);
    }
}

#[test]
fn files_that_are_not_sqlite_are_refused_untouched() {
    let garbage = temp_path("garbage");
    std::fs::write(&garbage, b"this is not a database at all, just some text").unwrap();
    assert_refused_untouched(&garbage, None, "not a SQLite database", "garbage");
    let truncated = temp_path("truncated");
    let mut header = b"SQLite format 3\0".to_vec();
    header.extend([0xffu8; 84]);
    std::fs::write(&truncated, &header).unwrap();
    assert_refused_untouched(&truncated, Some(1), "cannot", "truncated");
    remove_all(&garbage);
    remove_all(&truncated);
}

#[test]
fn an_accepted_rollback_backup_is_switched_to_wal_and_keeps_its_records() {
    // The control for the test above: opening with the right key does write (the switch to WAL), so
    // comparing bytes would catch a refusal that wrote first.
    let original = registry_file("accepted", Some(key(1)));
    let backup = vacuum_copy(&original, "accepted-backup");
    assert_eq!(journal_bytes(&backup), ROLLBACK);
    let registry = Registry::open(&backup, Some(key(1))).unwrap();
    assert_eq!(
        registry.token_for("2021004100000001").unwrap(),
        "202509BBa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
    );
    drop(registry);
    assert_eq!(journal_bytes(&backup), WAL);
    // A new file records its setting once accepted, and is checked against it from then on.
    let fresh = temp_path("fresh");
    drop(SqliteStore::open(&fresh, Some(key(3))).unwrap());
    assert!(
        SqliteStore::open(&fresh, Some(key(3)))
            .unwrap()
            .is_encrypted()
    );
    assert_refused_untouched(&fresh, Some(4), "does not match", "fresh");
    for path in [original, backup, fresh] {
        remove_all(&path);
    }
}

/// A registry file as version 1 of the schema wrote it (before records had an origin), with one record.
fn version_one_file(name: &str) -> PathBuf {
    let path = temp_path(name);
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE authorisations (
                auth_app_id TEXT PRIMARY KEY NOT NULL,
                merchant_pid TEXT,
                app_auth_token BLOB NOT NULL,
                app_refresh_token BLOB,
                expires_at_ms INTEGER,
                refresh_expires_at_ms INTEGER,
                authorised_at_ms INTEGER NOT NULL,
                token_issued_at_ms INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
                revoked_at_ms INTEGER,
                granted_methods TEXT NOT NULL DEFAULT '[]',
                version INTEGER NOT NULL,
                refresh_lease_owner TEXT,
                refresh_lease_until_ms INTEGER,
                updated_at_ms INTEGER NOT NULL
             );
             CREATE INDEX authorisations_by_merchant ON authorisations (merchant_pid);
             CREATE TABLE seen_notifications (
                notify_id TEXT PRIMARY KEY NOT NULL,
                received_at_ms INTEGER NOT NULL
             );
             CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
             INSERT INTO meta (key, value) VALUES ('encryption', 'none');
             INSERT INTO authorisations VALUES ('2021004100000009', '2088000000000009',
                CAST('202509BBversion1token0000000000000000000' AS BLOB), NULL, NULL, NULL,
                1000, 1000, 'active', NULL, '[]', 3, NULL, NULL, 1000);
             PRAGMA application_id = 1095518544;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    drop(connection);
    path
}

#[test]
fn a_version_one_file_is_migrated_forward_and_keeps_its_records() {
    use crate::registry::AuthOrigin;

    let path = version_one_file("version-one");
    let registry = Registry::open(&path, None).unwrap();
    let record = registry.get("2021004100000009").unwrap().unwrap();
    assert_eq!(record.origin, AuthOrigin::Authorised);
    assert_eq!(record.version, 3);
    assert_eq!(
        registry.token_for("2021004100000009").unwrap(),
        "202509BBversion1token0000000000000000000"
    );
    drop(registry);
    let version: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 3);
    // Opened again: nothing left to migrate.
    assert!(
        Registry::open(&path, None)
            .unwrap()
            .get("2021004100000009")
            .unwrap()
            .is_some()
    );
    remove_all(&path);
}

/// A registry file written by schema version 2 — by `alipay-isv demo --db FILE` of the release before
/// version 3 (commit 85e82da), not by this code: three merchant authorisations (one revoked, one
/// imported from the console) and three notifications in the journal.
const SCHEMA_TWO_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/registry-schema-2.sqlite"
);

/// A row of schema 2: auth_app_id, merchant_pid, token, status, origin, version, expiry.
type OldRow = (String, String, Vec<u8>, String, String, i64, Option<i64>);

#[test]
fn a_file_of_schema_two_migrates_in_one_step_and_keeps_every_record() {
    use crate::registry::{AuthOrigin, AuthStatus, Decision, NotificationState, Store};

    let path = temp_path("schema-two");
    std::fs::copy(SCHEMA_TWO_FILE, &path).unwrap();
    // What the old code wrote, read with plain SQL before the migration.
    let before: Vec<OldRow> = {
        let connection = Connection::open(&path).unwrap();
        let mut statement = connection
            .prepare(
                "SELECT auth_app_id, merchant_pid, app_auth_token, status, origin, version, \
                 expires_at_ms FROM authorisations ORDER BY auth_app_id",
            )
            .unwrap();
        statement
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let journal: Vec<String> = {
        let connection = Connection::open(&path).unwrap();
        let mut statement = connection
            .prepare("SELECT notify_id FROM seen_notifications")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(before.len(), 3);
    assert_eq!(journal.len(), 3);

    let store = SqliteStore::open(&path, None).unwrap();
    let after = store.list().unwrap();
    assert_eq!(after.len(), before.len());
    for ((auth_app_id, pid, token, status, origin, version, expires), record) in
        before.iter().zip(&after)
    {
        assert_eq!(&record.auth_app_id, auth_app_id);
        assert_eq!(record.app_id, "", "the old schema did not record our app");
        assert_eq!(record.merchant_pid.as_deref(), Some(pid.as_str()));
        assert_eq!(record.app_auth_token.as_bytes(), token.as_slice());
        assert_eq!(record.status.as_str(), status);
        assert_eq!(record.origin.as_str(), origin);
        assert_eq!(record.version, *version);
        assert_eq!(record.expires_at_ms, *expires);
    }
    assert!(
        after
            .iter()
            .any(|record| record.status == AuthStatus::Revoked)
    );
    assert!(
        after
            .iter()
            .any(|record| record.origin == AuthOrigin::Imported)
    );
    // Notifications the old code stored were handled: their retries are acknowledged.
    for notify_id in &journal {
        assert_eq!(
            store.notification_state(notify_id).unwrap(),
            NotificationState::Handled
        );
    }
    assert!(store.list_orders().unwrap().is_empty());
    assert_eq!(store.integrity_check().unwrap(), "ok");

    // The first write by an app moves the record under that app, keeping the token.
    let moved = &after[0];
    store
        .update(
            "2021000000000001",
            &moved.auth_app_id,
            None,
            &mut |current| Ok(Decision::Write(Box::new(current.unwrap().clone()))),
        )
        .unwrap();
    let found = store.find(&moved.auth_app_id).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].app_id, "2021000000000001");
    assert_eq!(found[0].app_auth_token, moved.app_auth_token);
    assert_eq!(found[0].version, moved.version + 1);
    drop(store);
    let version: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 3);
    // Opened again: nothing left to migrate, nothing lost.
    let registry = Registry::open(&path, None).unwrap();
    assert_eq!(registry.list().unwrap().len(), 3);
    assert!(registry.get(&moved.auth_app_id).unwrap().is_some());
    drop(registry);
    remove_all(&path);
}

#[test]
fn encrypted_tokens_of_the_old_schema_still_open_and_move_with_a_new_binding() {
    use crate::registry::{Decision, Store};

    let path = temp_path("schema-two-encrypted");
    {
        // A registry without a client writes under no app: sealed as schema 2 sealed tokens, bound
        // to `auth_app_id:column`.
        let registry = Registry::open(&path, Some(key(7))).unwrap();
        registry
            .ingest_tokens(&[AppAuthToken {
                app_auth_token: "202612BBsealedtoken000000000000000000000".into(),
                app_refresh_token: None,
                auth_app_id: "2021004100000010".into(),
                user_id: Some("2088000000000010".into()),
                expires_in: Some(31_536_000),
                re_expires_in: None,
            }])
            .unwrap();
    }
    let store = SqliteStore::open(&path, Some(key(7))).unwrap();
    assert_eq!(
        store
            .get("", "2021004100000010")
            .unwrap()
            .unwrap()
            .app_auth_token,
        "202612BBsealedtoken000000000000000000000"
    );
    store
        .update(
            "2021000000000001",
            "2021004100000010",
            None,
            &mut |current| Ok(Decision::Write(Box::new(current.unwrap().clone()))),
        )
        .unwrap();
    drop(store);
    // Re-sealed under the new row key, and the old row is gone.
    let reopened = SqliteStore::open(&path, Some(key(7))).unwrap();
    let record = reopened
        .get("2021000000000001", "2021004100000010")
        .unwrap()
        .unwrap();
    assert_eq!(
        record.app_auth_token,
        "202612BBsealedtoken000000000000000000000"
    );
    assert!(reopened.get("", "2021004100000010").unwrap().is_none());
    // A sealed token copied into another app's row does not open there.
    drop(reopened);
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute(
                "INSERT INTO authorisations SELECT auth_app_id, '2021000000000099', merchant_pid, \
                 app_auth_token, app_refresh_token, expires_at_ms, refresh_expires_at_ms, \
                 authorised_at_ms, token_issued_at_ms, status, revoked_at_ms, granted_methods, version, \
                 refresh_lease_owner, refresh_lease_until_ms, updated_at_ms, origin \
                 FROM authorisations WHERE app_id = '2021000000000001'",
                [],
            )
            .unwrap();
    }
    let reopened = SqliteStore::open(&path, Some(key(7))).unwrap();
    assert_eq!(
        reopened
            .get("2021000000000099", "2021004100000010")
            .unwrap_err()
            .kind(),
        "store"
    );
    drop(reopened);
    remove_all(&path);
}

#[test]
fn marking_a_notification_handled_leaves_every_later_commit_durable() {
    use crate::registry::{NotificationState, Store};

    let path = temp_path("journal");
    let store = SqliteStore::open(&path, None).unwrap();
    assert_eq!(
        store.notification_state("n-1").unwrap(),
        NotificationState::New
    );
    assert!(store.record_notification("n-1").unwrap());
    assert!(!store.record_notification("n-1").unwrap(), "recorded once");
    assert_eq!(
        store.notification_state("n-1").unwrap(),
        NotificationState::Received
    );
    store.mark_handled("n-1").unwrap();
    store.mark_handled("n-2").unwrap();
    assert_eq!(
        store.notification_state("n-1").unwrap(),
        NotificationState::Handled
    );
    assert_eq!(
        store.notification_state("n-2").unwrap(),
        NotificationState::Handled
    );
    // The mark itself is committed without a flush; the connection is back to synchronous=FULL (2).
    let synchronous: i64 = store
        .lock()
        .unwrap()
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap();
    assert_eq!(synchronous, 2);
    drop(store);
    let reopened = SqliteStore::open(&path, None).unwrap();
    assert_eq!(
        reopened.notification_state("n-2").unwrap(),
        NotificationState::Handled
    );
    drop(reopened);
    remove_all(&path);
}
