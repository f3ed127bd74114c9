//! The registry against the emulator: ingestion of every kind from real answers and real pushes,
//! expiry-driven refresh exactly once under 16 threads and under two processes sharing one SQLite file,
//! and crash safety under SIGKILL. Child processes are this test binary re-run on an ignored test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alipay_isv::Error;
use alipay_isv::auth::{AppAuthToken, StateCheck, app_auth_link, parse_app_auth_callback};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::notify::Notification;
use alipay_isv::registry::{AuthStatus, IngestOutcome, Registry, SqliteStore};
use alipay_isv::request::CallOptions;
use alipay_isv_emulator::{APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Emulator, EmulatorOptions};

const APP_ID: &str = "2021000000000001";
const TOKEN_METHOD: &str = "alipay.open.auth.token.app";
const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";

fn key_text(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn temp_db(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "alipay-isv-{name}-{}-{nanos}.db",
        std::process::id()
    ))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn client_for(gateway: &str, alipay_public_pem: &str) -> Client {
    let config = IsvConfig::builder(
        APP_ID,
        Arc::new(PrivateKey::from_text(&key_text("app_2048_pkcs8.pem")).unwrap()),
        Arc::new(PublicKey::from_text(alipay_public_pem).unwrap()),
    )
    .gateway(gateway)
    .build()
    .unwrap();
    Client::new(config).unwrap()
}

fn emulator(token_ttl: Duration) -> Emulator {
    let mut options = EmulatorOptions::new(
        APP_ID,
        PublicKey::from_text(&key_text("app_2048_public.pem")).unwrap(),
    );
    options.app_auth_token_ttl = token_ttl;
    Emulator::start(options).unwrap()
}

fn authorise(emulator: &Emulator, client: &Client) -> Vec<AppAuthToken> {
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
    client
        .exchange_app_auth_code(&callback.app_auth_code)
        .unwrap()
}

fn pushed(emulator: &Emulator, client: &Client, kind: &str) -> Notification {
    let delivery = emulator
        .deliveries()
        .into_iter()
        .rev()
        .find(|delivery| delivery.kind == kind)
        .expect("the emulator recorded the push");
    client
        .config()
        .notification_verifier()
        .verify_body(delivery.body.as_bytes())
        .unwrap()
}

#[test]
fn every_kind_of_ingestion_from_real_answers_and_pushes() {
    let emulator = emulator(Duration::from_secs(3600));
    let client = client_for(&emulator.gateway_url(), &emulator.alipay_public_key_pem());
    let path = temp_db("ingest");
    let registry = Registry::open(&path, None)
        .unwrap()
        .with_client(client.clone());

    let tokens = authorise(&emulator, &client);
    let auth_app_id = tokens[0].auth_app_id.clone();
    assert_eq!(
        registry.ingest_tokens(&tokens).unwrap(),
        [IngestOutcome::Applied]
    );

    // The authorisation notification was pushed when the merchant agreed (before the exchange): it is
    // older than the stored token, and Alipay's retry of it is a duplicate.
    let notice = pushed(&emulator, &client, APP_AUTH_NOTIFY);
    assert_eq!(
        registry.ingest_notification(&notice).unwrap(),
        IngestOutcome::Stale
    );
    assert_eq!(
        registry.ingest_notification(&notice).unwrap(),
        IngestOutcome::Duplicate
    );

    let token = registry.token_for(&auth_app_id).unwrap();
    let info = client.query_app_auth_token(&token).unwrap();
    assert_eq!(
        registry.ingest_query(&token, &info).unwrap(),
        IngestOutcome::Applied
    );
    assert!(
        !registry
            .get(&auth_app_id)
            .unwrap()
            .unwrap()
            .granted_methods
            .is_empty()
    );

    let answer = registry
        .execute_for(&auth_app_id, DELEGATED_METHOD, &CallOptions::default())
        .unwrap();
    assert_eq!(answer.fields["code"], "10000");
    let retried = registry
        .execute_for_with_retry(
            &auth_app_id,
            DELEGATED_METHOD,
            &CallOptions::default(),
            &alipay_isv::transport::RetryPolicy::default(),
        )
        .unwrap();
    assert_eq!(retried.fields["code"], "10000");

    emulator.revoke(&auth_app_id).unwrap();
    let cancelled = pushed(&emulator, &client, APP_AUTH_CANCELLED);
    assert_eq!(
        registry.ingest_notification(&cancelled).unwrap(),
        IngestOutcome::Applied
    );
    assert_eq!(
        registry.ingest_notification(&cancelled).unwrap(),
        IngestOutcome::Duplicate
    );
    let record = registry.get(&auth_app_id).unwrap().unwrap();
    assert_eq!(record.status, AuthStatus::Revoked);

    let calls_before = emulator.total_calls();
    match registry.execute_for(&auth_app_id, DELEGATED_METHOD, &CallOptions::default()) {
        Err(Error::Store { reason }) => assert!(reason.contains(&auth_app_id), "{reason}"),
        other => panic!("expected a store error naming the merchant app, got {other:?}"),
    }
    assert_eq!(
        emulator.total_calls(),
        calls_before,
        "no call may reach the gateway"
    );
    drop(registry);
    remove_db(&path);
}

#[test]
fn sixteen_threads_across_an_expiry_boundary_refresh_exactly_once() {
    let emulator = emulator(Duration::from_secs(6));
    let client = client_for(&emulator.gateway_url(), &emulator.alipay_public_key_pem());
    let path = temp_db("threads");
    let registry = Arc::new(
        Registry::open(&path, None)
            .unwrap()
            .with_client(client.clone())
            .with_refresh_margin(Duration::from_secs(3)),
    );
    let tokens = authorise(&emulator, &client);
    let auth_app_id = tokens[0].auth_app_id.clone();
    registry.ingest_tokens(&tokens).unwrap();
    let refreshes_before = emulator.call_count(TOKEN_METHOD);

    // Start just before the refresh point (expiry − margin) so the calls straddle it.
    let due = Instant::now() + Duration::from_millis(2_800);
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let registry = Arc::clone(&registry);
            let auth_app_id = auth_app_id.clone();
            thread::spawn(move || {
                thread::sleep(due.saturating_duration_since(Instant::now()));
                let mut seen = std::collections::BTreeSet::new();
                for _ in 0..1_000 {
                    seen.insert(registry.token_for(&auth_app_id).unwrap());
                }
                seen
            })
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for handle in handles {
        seen.extend(handle.join().unwrap());
    }
    assert_eq!(
        emulator.call_count(TOKEN_METHOD) - refreshes_before,
        1,
        "exactly one refresh"
    );
    assert!(
        seen.len() <= 2,
        "only the old and the new token were handed out"
    );
    let current = registry.token_for(&auth_app_id).unwrap();
    assert_ne!(current, tokens[0].app_auth_token);
    client
        .execute(
            DELEGATED_METHOD,
            &CallOptions {
                app_auth_token: Some(current),
                ..CallOptions::default()
            },
        )
        .unwrap();
    drop(registry);
    remove_db(&path);
}

/// Runs this test binary's ignored test `name` with `vars`, capturing stdout.
fn child(name: &str, vars: &[(&str, String)]) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in vars {
        command.env(key, value);
    }
    command.spawn().unwrap()
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent test"))
}

#[test]
fn two_processes_sharing_one_file_refresh_exactly_once() {
    let emulator = emulator(Duration::from_secs(6));
    let client = client_for(&emulator.gateway_url(), &emulator.alipay_public_key_pem());
    let path = temp_db("processes");
    let tokens = authorise(&emulator, &client);
    let auth_app_id = tokens[0].auth_app_id.clone();
    Registry::open(&path, None)
        .unwrap()
        .ingest_tokens(&tokens)
        .unwrap();
    let refreshes_before = emulator.call_count(TOKEN_METHOD);
    let start_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 2_800;
    let vars = [
        ("REGISTRY_DB", path.display().to_string()),
        ("REGISTRY_GATEWAY", emulator.gateway_url()),
        ("REGISTRY_ALIPAY_KEY", emulator.alipay_public_key_pem()),
        ("REGISTRY_AUTH_APP_ID", auth_app_id.clone()),
        ("REGISTRY_START_AT_MS", start_at.to_string()),
    ];
    let children = [
        child("child_token_for_worker", &vars),
        child("child_token_for_worker", &vars),
    ];
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "a worker failed: {stdout}");
        assert!(stdout.contains("worker done"), "{stdout}");
    }
    assert_eq!(
        emulator.call_count(TOKEN_METHOD) - refreshes_before,
        1,
        "exactly one refresh"
    );
    let registry = Registry::open(&path, None).unwrap();
    let record = registry.get(&auth_app_id).unwrap().unwrap();
    assert_ne!(record.app_auth_token, tokens[0].app_auth_token);
    assert!(record.refresh_lease.is_none());
    drop(registry);
    remove_db(&path);
}

/// A worker process of `two_processes_sharing_one_file_refresh_exactly_once`: 8 threads × 500 calls.
#[test]
#[ignore = "run as a child process by two_processes_sharing_one_file_refresh_exactly_once"]
fn child_token_for_worker() {
    let client = client_for(&var("REGISTRY_GATEWAY"), &var("REGISTRY_ALIPAY_KEY"));
    let registry = Arc::new(
        Registry::open(var("REGISTRY_DB"), None)
            .unwrap()
            .with_client(client)
            .with_refresh_margin(Duration::from_secs(3)),
    );
    let auth_app_id = var("REGISTRY_AUTH_APP_ID");
    let start_at: u128 = var("REGISTRY_START_AT_MS").parse().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    thread::sleep(Duration::from_millis(start_at.saturating_sub(now) as u64));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let registry = Arc::clone(&registry);
            let auth_app_id = auth_app_id.clone();
            thread::spawn(move || {
                for _ in 0..500 {
                    registry.token_for(&auth_app_id).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    println!("worker done");
}

#[test]
fn a_killed_writer_leaves_a_sound_database_with_every_acknowledged_ingestion() {
    let path = temp_db("crash");
    let mut writer = child(
        "child_ingestion_stream",
        &[("REGISTRY_DB", path.display().to_string())],
    );
    let mut acknowledged = Vec::new();
    let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
    while acknowledged.len() < 300 {
        let line = lines.next().expect("the writer is running").unwrap();
        if let Some(number) = line.strip_prefix("ingested ") {
            acknowledged.push(number.trim().to_string());
        }
    }
    writer.kill().unwrap(); // SIGKILL, in the middle of the stream
    writer.wait().unwrap();

    let store = SqliteStore::open(&path, None).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let registry = Registry::new(Arc::new(store));
    for number in &acknowledged {
        let record = registry.get(&format!("2021{number}")).unwrap();
        assert!(
            record.is_some(),
            "ingestion {number} returned before the kill but is missing"
        );
    }
    drop(registry);
    remove_db(&path);
}

/// The writer of `a_killed_writer_leaves_a_sound_database_with_every_acknowledged_ingestion`.
#[test]
#[ignore = "run as a child process by a_killed_writer_leaves_a_sound_database_with_every_acknowledged_ingestion"]
fn child_ingestion_stream() {
    use std::io::Write;
    let registry = Registry::open(var("REGISTRY_DB"), None).unwrap();
    let mut stdout = std::io::stdout();
    for number in 0..1_000_000u64 {
        let token = AppAuthToken {
            app_auth_token: format!("token-{number}"),
            app_refresh_token: Some(format!("refresh-{number}")),
            auth_app_id: format!("2021{number:012}"),
            user_id: Some("2088000000000001".into()),
            expires_in: Some(3600),
            re_expires_in: Some(7200),
        };
        registry.ingest_tokens(&[token]).unwrap();
        writeln!(stdout, "ingested {number:012}").unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn a_refresh_that_meets_a_fault_writes_nothing_and_serves_the_valid_token() {
    use alipay_isv_emulator::Fault;
    let emulator = emulator(Duration::from_secs(60));
    let client = client_for(&emulator.gateway_url(), &emulator.alipay_public_key_pem());
    let path = temp_db("faults");
    let tokens = authorise(&emulator, &client);
    let auth_app_id = tokens[0].auth_app_id.clone();
    Registry::open(&path, None)
        .unwrap()
        .ingest_tokens(&tokens)
        .unwrap();
    for fault in [
        Fault::Reset,
        Fault::TruncatedBody,
        Fault::BadGateway,
        Fault::Unsigned,
    ] {
        // A fresh registry each time (no back-off memory); the token is due (margin > lifetime left)
        // but still valid.
        let registry = Registry::open(&path, None)
            .unwrap()
            .with_client(client.clone())
            .with_refresh_margin(Duration::from_secs(120));
        let before = registry.get(&auth_app_id).unwrap().unwrap();
        emulator.set_fault(Some(fault.clone()), Some(1));
        assert_eq!(
            registry.token_for(&auth_app_id).unwrap(),
            tokens[0].app_auth_token,
            "{fault:?}"
        );
        let after = registry.get(&auth_app_id).unwrap().unwrap();
        assert_eq!(after.app_auth_token, before.app_auth_token, "{fault:?}");
        assert_eq!(
            after.app_refresh_token, before.app_refresh_token,
            "{fault:?}"
        );
        assert_eq!(after.expires_at_ms, before.expires_at_ms, "{fault:?}");
        assert!(after.refresh_lease.is_none(), "{fault:?}");
    }
    drop(emulator);
    remove_db(&path);
}
