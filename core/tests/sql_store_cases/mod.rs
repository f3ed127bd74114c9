//! The cases every store on a database server passes — one body of test code for PostgreSQL
//! (`postgres_store.rs`) and MySQL (`mysql_store.rs`), parameterised by a [`Backend`] that opens the
//! store and speaks to the server directly to set up and inspect: the `Store` conformance suite (plain,
//! encrypted, over verified TLS), migration from an empty namespace by concurrent openers and reopening,
//! refusals that write nothing (another application's tables or marker, a newer schema, a key that does
//! not fit), connection errors that say what to fix without the password (wrong password, unreachable
//! port, missing database, TLS that cannot verify), connections killed under a running ingestion (no
//! committed record lost, nothing half-written), two registries with pools of their own — two "hosts" —
//! sharing one database doing the refresh lease right (exactly one refresh reaches the gateway), opening
//! by URL, and the pool's bound and checkout timeout.
//!
//! Each test works in a namespace of its own (a PostgreSQL schema, a MySQL database), so the tests run
//! in parallel on one server. [`store_tests!`] writes the `#[test]` functions for a backend.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::AppAuthToken;
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::registry::conformance::check_store;
use alipay_isv::registry::{
    Decision, NotificationState, Registry, Store, TokenKey, UpdateResult, open_store,
};
use alipay_isv::request::HttpRequest;
use alipay_isv::sign::{Charset, SignType, Signer};
use alipay_isv::transport::{HttpResponse, Transport};
use alipay_isv::{Error, Result};

/// The test user every backend's server script creates.
pub const USER: &str = "alipay_isv_test";

const APP_ID: &str = "2021000000000001";

/// A database server and its store, as the cases need them.
pub trait Backend: Sync + 'static {
    /// The store.
    type Store: Store + std::fmt::Debug + 'static;

    /// The URL of the test database (from the environment; panics with what to do when unset).
    fn base_url(&self) -> String;
    /// The CA certificate of the server's TLS.
    fn ca_file(&self) -> String;
    /// Opens the store.
    fn open(&self, url: &str, key: Option<TokenKey>) -> Result<Self::Store>;
    /// Opens the store with a pool of at most `max_size` connections.
    fn open_pooled(&self, url: &str, max_size: usize) -> Result<Self::Store>;
    /// Whether the store encrypts tokens.
    fn is_encrypted(&self, store: &Self::Store) -> bool;
    /// How many connections the store holds open.
    fn open_connections(&self, store: &Self::Store) -> usize;

    /// A new empty namespace (schema, database) named after `name`, and the URL whose connections use
    /// it.
    fn fresh(&self, name: &str) -> (String, String);
    /// Drops the namespace and everything in it.
    fn drop_namespace(&self, namespace: &str);
    /// The tables of the namespace, sorted.
    fn tables(&self, namespace: &str) -> Vec<String>;
    /// Runs `statements` inside the namespace.
    fn execute(&self, namespace: &str, statements: &[&str]);
    /// The registry's metadata `key`.
    fn meta(&self, namespace: &str, key: &str) -> Option<String>;
    /// Sets the registry's metadata `key` to `value`.
    fn set_meta(&self, namespace: &str, key: &str, value: &str);
    /// One stored `app_auth_token`, as stored.
    fn stored_token(&self, namespace: &str) -> Vec<u8>;
    /// Ends every connection to the namespace; how many.
    fn kill_connections(&self, namespace: &str) -> usize;

    /// Statements making another application's tables, and what the refusal of each says.
    fn foreign_setups(&self) -> Vec<(Vec<&'static str>, &'static str)>;
    /// The URL parameters of TLS verified against `ca`, of TLS verified against the built-in roots, and
    /// of TLS not verified; a TLS parameter with a value that is none.
    fn tls_params(&self, ca: &str) -> [String; 4];
    /// The URL of a database that does not exist (its name).
    fn missing_database(&self) -> (String, String);
    /// A URL of another server store whose cargo feature is not compiled in, if any.
    fn uncompiled_url(&self) -> Option<&'static str>;
}

/// The environment variable `name`, which `scripts/services/SERVICE.sh start` writes to
/// `target/services/SERVICE/env` for a `product` server; without it, the test fails saying what to do.
pub fn service_env(name: &str, service: &str, product: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: these tests need a {product} server. Start one with \
             `scripts/services/{service}.sh start` and source target/services/{service}/env (it sets \
             the URL and the CA of the server's TLS certificate); scripts/test-rust.sh does both"
        )
    })
}

/// `url` with `parameter` appended to its query.
pub fn with_param(url: &str, parameter: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{parameter}")
}

/// The password of `url` (`scheme://user:password@…`).
pub fn password_of(url: &str) -> String {
    let after_scheme = url.split_once("://").unwrap().1;
    let credentials = after_scheme.split('@').next().unwrap();
    credentials.split_once(':').unwrap().1.to_string()
}

/// A random lowercase hex suffix.
pub fn random_suffix() -> String {
    let mut random = [0u8; 6];
    aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut random)
        .unwrap();
    random.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn key(byte: u8) -> TokenKey {
    TokenKey::from_bytes(&[byte; 32]).unwrap()
}

fn store_reason<S: std::fmt::Debug>(result: Result<S>) -> String {
    match result {
        Err(Error::Store { reason }) => reason,
        Err(other) => panic!("expected a Store error, got {other:?}"),
        Ok(store) => panic!("expected a refusal, the store opened: {store:?}"),
    }
}

fn token(auth_app_id: &str, value: &str, expires_in: i64) -> AppAuthToken {
    AppAuthToken {
        app_auth_token: value.into(),
        app_refresh_token: Some(format!("{value}-refresh")),
        auth_app_id: auth_app_id.into(),
        user_id: Some("2088000000000001".into()),
        expires_in: Some(expires_in),
        re_expires_in: Some(32_140_800),
    }
}

/// Writes an authorisation of `auth_app_id` with `token`, journaling `notify_id`.
fn write(
    store: &dyn Store,
    auth_app_id: &str,
    value: &str,
    notify_id: Option<&str>,
) -> Result<UpdateResult> {
    store.update(APP_ID, auth_app_id, notify_id, &mut |current| {
        let mut record = current.cloned().unwrap_or_else(|| sample(auth_app_id));
        record.app_auth_token = value.to_string();
        Ok(Decision::Write(Box::new(record)))
    })
}

/// An active authorisation of `auth_app_id` to the test app.
pub fn sample(auth_app_id: &str) -> alipay_isv::registry::MerchantAuthorisation {
    alipay_isv::registry::MerchantAuthorisation {
        app_id: APP_ID.into(),
        auth_app_id: auth_app_id.into(),
        merchant_pid: Some("2088000000000001".into()),
        app_auth_token: String::new(),
        app_refresh_token: Some("refresh-secret".into()),
        expires_at_ms: Some(4_000_000_000_000),
        refresh_expires_at_ms: None,
        authorised_at_ms: 1_800_000_000_000,
        token_issued_at_ms: 1_800_000_000_000,
        status: alipay_isv::registry::AuthStatus::Active,
        revoked_at_ms: None,
        granted_methods: Vec::new(),
        version: 0,
        refresh_lease: None,
        updated_at_ms: 0,
        origin: alipay_isv::registry::AuthOrigin::Authorised,
    }
}

/// The conformance suite, plain, encrypted and over verified TLS.
pub fn conformance_plain_encrypted_and_over_tls<B: Backend>(backend: &B) {
    let namespaces = Mutex::new(Vec::new());
    let fresh = |name: &str| {
        let (namespace, url) = backend.fresh(name);
        namespaces.lock().unwrap().push(namespace);
        url
    };
    let started = Instant::now();
    check_store(&|| Arc::new(backend.open(&fresh("conf"), None).unwrap()));
    check_store(&|| {
        let key = TokenKey::from_base64(&TokenKey::generate_base64().unwrap()).unwrap();
        Arc::new(backend.open(&fresh("conf_enc"), Some(key)).unwrap())
    });
    let verified = backend.tls_params(&backend.ca_file())[0].clone();
    check_store(&|| {
        let url = with_param(&fresh("conf_tls"), &verified);
        Arc::new(backend.open(&url, None).unwrap())
    });
    println!(
        "conformance: 3 suites in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for namespace in namespaces.into_inner().unwrap() {
        backend.drop_namespace(&namespace);
    }
}

/// Four openers at once migrate an empty namespace once; reopening keeps every record.
pub fn migrated_once_and_reopened<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("migrate");
    // Four processes' worth of openers at once: one migrates, the others find it done.
    let barrier = Barrier::new(4);
    thread::scope(|scope| {
        let openers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    backend.open(&url, Some(key(3))).map(drop)
                })
            })
            .collect();
        for opener in openers {
            opener
                .join()
                .unwrap()
                .expect("every concurrent opener succeeds");
        }
    });
    assert_eq!(
        backend.tables(&namespace),
        [
            "alipay_isv_authorisations",
            "alipay_isv_meta",
            "alipay_isv_notifications",
            "alipay_isv_orders"
        ]
    );
    for (name, value) in [
        ("application", "alipay-isv registry"),
        ("encryption", "aes-256-gcm"),
        ("schema_version", "1"),
    ] {
        assert_eq!(backend.meta(&namespace, name).as_deref(), Some(value));
    }
    assert!(backend.meta(&namespace, "key_check").is_some());

    let store = backend.open(&url, Some(key(3))).unwrap();
    write(&store, "2021004200000001", "token-one-secret", Some("n-1")).unwrap();
    write(&store, "2021004200000002", "token-two-secret", None).unwrap();
    store.mark_handled("n-1").unwrap();
    let before = store.list().unwrap();
    assert!(!format!("{store:?}").contains(&password_of(&backend.base_url())));
    drop(store);
    // Tokens are sealed at rest.
    let stored = backend.stored_token(&namespace);
    assert!(!stored.windows(6).any(|window| window == b"secret"));

    let reopened = backend.open(&url, Some(key(3))).unwrap();
    assert_eq!(reopened.list().unwrap(), before);
    assert_eq!(
        reopened.notification_state("n-1").unwrap(),
        NotificationState::Handled
    );
    drop(reopened);
    backend.drop_namespace(&namespace);
}

/// Another application's tables or marker are refused and left untouched; tables of other names are
/// no reason to refuse.
pub fn foreign_tables_refused<B: Backend>(backend: &B) {
    let secret = password_of(&backend.base_url());
    for (setup, expected) in backend.foreign_setups() {
        let (namespace, url) = backend.fresh("foreign");
        backend.execute(&namespace, &setup);
        let before = backend.tables(&namespace);
        let reason = store_reason(backend.open(&url, None));
        assert!(
            reason.contains(expected) && reason.contains("nothing was written"),
            "{reason}"
        );
        assert!(!reason.contains(&secret), "{reason}");
        assert_eq!(
            backend.tables(&namespace),
            before,
            "a refused namespace is left untouched"
        );
        backend.drop_namespace(&namespace);
    }
    // The registry lives beside an application's own tables.
    let (namespace, url) = backend.fresh("beside");
    backend.execute(&namespace, &["CREATE TABLE orders (id INTEGER)"]);
    backend.open(&url, None).unwrap();
    assert_eq!(backend.tables(&namespace).len(), 5);
    backend.drop_namespace(&namespace);
}

/// A schema newer than the library is refused and left as it is.
pub fn newer_schema_refused<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("newer");
    drop(backend.open(&url, None).unwrap());
    backend.set_meta(&namespace, "schema_version", "99");
    let reason = store_reason(backend.open(&url, None));
    assert!(
        reason.contains("schema version 99, newer than this library's (1)"),
        "{reason}"
    );
    assert_eq!(
        backend.meta(&namespace, "schema_version").as_deref(),
        Some("99")
    );
    backend.drop_namespace(&namespace);
}

/// A database created with a key opens only with it; one without, only without.
pub fn key_must_fit<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("keys");
    drop(backend.open(&url, Some(key(1))).unwrap());
    let reason = store_reason(backend.open(&url, None));
    assert!(
        reason.contains("open it with its encryption key"),
        "{reason}"
    );
    let reason = store_reason(backend.open(&url, Some(key(2))));
    assert!(reason.contains("does not match"), "{reason}");
    let store = backend.open(&url, Some(key(1))).unwrap();
    assert!(backend.is_encrypted(&store));
    drop(store);

    let (plain_namespace, plain_url) = backend.fresh("keys_plain");
    drop(backend.open(&plain_url, None).unwrap());
    let reason = store_reason(backend.open(&plain_url, Some(key(1))));
    assert!(reason.contains("stores tokens unencrypted"), "{reason}");
    backend.drop_namespace(&namespace);
    backend.drop_namespace(&plain_namespace);
}

/// Wrong password, unreachable port, missing database, unverifiable TLS: each says what to fix, never
/// the password; a malformed URL is a configuration error.
pub fn connection_failures_say_what_to_fix<B: Backend>(backend: &B) {
    let url = backend.base_url();
    let secret = password_of(&url);
    // A wrong password.
    let wrong = url.replacen(&secret, "wrong-Passw0rd-xyz", 1);
    let reason = store_reason(backend.open(&wrong, None));
    assert!(
        reason.contains(&format!("refused the login of user `{USER}`"))
            && reason.contains("password"),
        "{reason}"
    );
    assert!(!reason.contains("wrong-Passw0rd-xyz") && !reason.contains(&secret));
    println!("{reason}");

    // A port nobody listens on.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let host_port = url.split('@').nth(1).unwrap().split('/').next().unwrap();
    let unreachable = url.replacen(host_port, &format!("127.0.0.1:{port}"), 1);
    let started = Instant::now();
    let reason = store_reason(backend.open(&unreachable, None));
    assert!(
        reason.contains(&format!("nothing answers at 127.0.0.1:{port}")),
        "{reason}"
    );
    assert!(!reason.contains(&secret));
    assert!(started.elapsed() < Duration::from_secs(5));
    println!("{reason}");

    // A database that does not exist.
    let (missing, name) = backend.missing_database();
    let reason = store_reason(backend.open(&missing, None));
    assert!(
        reason.contains(&format!("the database `{name}` does not exist")),
        "{reason}"
    );
    println!("{reason}");

    // TLS that cannot verify the server: the Mozilla roots do not know the test CA.
    let [_, unknown_ca, encrypt_only, bogus] = backend.tls_params(&backend.ca_file());
    let reason = store_reason(backend.open(&with_param(&url, &unknown_ca), None));
    assert!(reason.contains("TLS handshake"), "{reason}");
    println!("{reason}");
    assert!(!reason.contains(&secret));
    // Encrypted without verification connects.
    let (namespace, namespace_url) = backend.fresh("require");
    backend
        .open(&with_param(&namespace_url, &encrypt_only), None)
        .unwrap();
    backend.drop_namespace(&namespace);

    // A malformed URL is a configuration error that never shows the password.
    let error = backend.open(&with_param(&url, &bogus), None).unwrap_err();
    assert_eq!(error.kind(), "config");
    assert!(!error.reason().contains(&secret), "{error}");
}

/// Connections killed under 4 writers: every acknowledged write is there, every write is all or
/// nothing.
pub fn killed_connections_lose_nothing<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("kill");
    let store = Arc::new(backend.open_pooled(&url, 4).unwrap());

    // Idle connections killed: the next call succeeds on a new connection (or fails once, typed, and
    // the one after succeeds).
    for index in 0..4 {
        write(&*store, &format!("20210042000001{index:02}"), "t", None).unwrap();
    }
    assert!(backend.kill_connections(&namespace) >= 1);
    match store.list() {
        Ok(records) => assert_eq!(records.len(), 4),
        Err(error) => {
            assert_eq!(error.kind(), "store", "{error}");
            assert_eq!(store.list().unwrap().len(), 4);
        }
    }

    // Connections killed again and again under 4 writers: every acknowledged write is there, and every
    // write is all or nothing (its record exists exactly when its notification is journaled).
    const WRITERS: usize = 4;
    const WRITES: usize = 60;
    let failures = AtomicUsize::new(0);
    let acknowledged = Mutex::new(Vec::new());
    let mut killed = 0;
    thread::scope(|scope| {
        for writer in 0..WRITERS {
            let (store, failures, acknowledged) = (&store, &failures, &acknowledged);
            scope.spawn(move || {
                for index in 0..WRITES {
                    let auth_app_id = format!("2021004300{writer:02}{index:04}");
                    let notify_id = format!("kill-{writer}-{index}");
                    match write(
                        &**store,
                        &auth_app_id,
                        "kill-secret-value",
                        Some(&notify_id),
                    ) {
                        Ok(UpdateResult::Written(_)) => {
                            acknowledged.lock().unwrap().push((auth_app_id, notify_id))
                        }
                        Ok(other) => panic!("a first write is written, not {other:?}"),
                        Err(error) => {
                            assert_eq!(error.kind(), "store", "{error}");
                            assert!(!error.reason().contains("kill-secret"), "{error}");
                            if failures.fetch_add(1, Ordering::Relaxed) == 0 {
                                println!("a write under a killed connection: {error}");
                            }
                        }
                    }
                }
            });
        }
        for _ in 0..8 {
            thread::sleep(Duration::from_millis(40));
            killed += backend.kill_connections(&namespace);
        }
    });
    let acknowledged = acknowledged.into_inner().unwrap();
    let records: BTreeSet<String> = store
        .list()
        .unwrap()
        .into_iter()
        .map(|record| record.auth_app_id)
        .collect();
    for (auth_app_id, notify_id) in &acknowledged {
        assert!(
            records.contains(auth_app_id),
            "acknowledged {auth_app_id} was lost"
        );
        assert_ne!(
            store.notification_state(notify_id).unwrap(),
            NotificationState::New
        );
    }
    for writer in 0..WRITERS {
        for index in 0..WRITES {
            let auth_app_id = format!("2021004300{writer:02}{index:04}");
            let journaled = store
                .notification_state(&format!("kill-{writer}-{index}"))
                .unwrap()
                != NotificationState::New;
            assert_eq!(
                records.contains(&auth_app_id),
                journaled,
                "{auth_app_id}: the record and its notification are written together or not at all"
            );
        }
    }
    println!(
        "killed {killed} connections under {} writes: {} acknowledged, {} failed with a Store error",
        WRITERS * WRITES,
        acknowledged.len(),
        failures.load(Ordering::Relaxed)
    );
    assert!(backend.open_connections(&store) <= 4);
    drop(store);
    backend.drop_namespace(&namespace);
}

/// A gateway that answers every `alipay.open.auth.token.app` refresh with a new signed token, slowly, and
/// counts them.
struct RefreshGateway {
    signer: Signer,
    refreshes: AtomicUsize,
}

impl Transport for RefreshGateway {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse> {
        assert!(request.url.contains("method=alipay.open.auth.token.app"));
        let count = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        thread::sleep(Duration::from_millis(200));
        let raw = serde_json::json!({
            "code": "10000",
            "msg": "Success",
            "tokens": [{
                "app_auth_token": format!("202612BBrefreshed{count:012}"),
                "app_refresh_token": format!("202612BBrefresh-next{count:08}"),
                "auth_app_id": "2021004200000077",
                "user_id": "2088000000000001",
                "expires_in": 31536000,
                "re_expires_in": 32140800
            }]
        })
        .to_string();
        let sign = self.signer.sign(&raw).unwrap();
        Ok(HttpResponse {
            status: 200,
            content_type: Some("text/html;charset=utf-8".into()),
            body: format!("{{\"alipay_open_auth_token_app_response\":{raw},\"sign\":\"{sign}\"}}")
                .into_bytes(),
            trace_id: None,
        })
    }
}

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Two registries — two hosts, each its own pool — sharing the database: exactly one refresh reaches
/// the gateway, every caller gets the refreshed token.
pub fn two_hosts_refresh_exactly_once<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("lease");
    let gateway = Arc::new(RefreshGateway {
        signer: Signer::new(
            Arc::new(PrivateKey::from_text(&key_file("alipay_2048_pkcs8.pem")).unwrap()),
            SignType::Rsa2,
            Charset::Utf8,
        )
        .unwrap(),
        refreshes: AtomicUsize::new(0),
    });
    let config = IsvConfig::builder(
        APP_ID,
        Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap()),
        Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap()),
    )
    .gateway("http://gateway.test/gateway.do")
    .build()
    .unwrap();
    let hosts: Vec<Arc<Registry>> = (0..2)
        .map(|_| {
            Arc::new(
                Registry::open_url(&url, Some(key(9)))
                    .unwrap()
                    .with_client(Client::with_transport(config.clone(), gateway.clone()))
                    .with_refresh_margin(Duration::from_secs(600)),
            )
        })
        .collect();
    // A token that expires in a minute: due for refresh (margin 10 minutes), still valid.
    hosts[0]
        .ingest_tokens(&[token("2021004200000077", "202612BBoriginal000000001", 60)])
        .unwrap();
    let barrier = Arc::new(Barrier::new(16));
    let callers: Vec<_> = (0..16)
        .map(|index| {
            let (host, barrier) = (hosts[index % 2].clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                (0..20)
                    .map(|_| host.token_for("2021004200000077").unwrap())
                    .collect::<BTreeSet<String>>()
            })
        })
        .collect();
    let mut served = BTreeSet::new();
    for caller in callers {
        served.extend(caller.join().unwrap());
    }
    assert_eq!(
        gateway.refreshes.load(Ordering::SeqCst),
        1,
        "exactly one refresh across both hosts"
    );
    assert_eq!(
        served.into_iter().collect::<Vec<_>>(),
        ["202612BBrefreshed000000000001"],
        "every caller got the refreshed token"
    );
    let record = hosts[1].get("2021004200000077").unwrap().unwrap();
    assert!(record.refresh_lease.is_none(), "the lease was released");
    assert_eq!(
        record.app_refresh_token.as_deref(),
        Some("202612BBrefresh-next00000001")
    );
    drop(hosts);
    backend.drop_namespace(&namespace);
}

/// `Registry::open_url` and `open_store` open the server store, memory and SQLite by URL; a store whose
/// feature is not compiled is a configuration error without the password.
pub fn stores_open_by_url<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("url");
    let registry = Registry::open_url(&url, None).unwrap();
    registry
        .ingest_tokens(&[token("2021004200000001", "202612BBurl0000000001", 3600)])
        .unwrap();
    assert_eq!(
        Registry::open_url(&url, None)
            .unwrap()
            .list()
            .unwrap()
            .len(),
        1
    );
    backend.drop_namespace(&namespace);

    let memory = open_store("memory:", None).unwrap();
    assert!(memory.list().unwrap().is_empty());
    let path = std::env::temp_dir().join(format!("alipay-isv-url-{}.db", random_suffix()));
    let sqlite = open_store(&format!("sqlite://{}", path.display()), None).unwrap();
    assert!(sqlite.list().unwrap().is_empty());
    drop(sqlite);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if let Some(other) = backend.uncompiled_url() {
        let error = open_store(other, None).err().unwrap();
        assert_eq!(error.kind(), "config");
        assert!(!error.reason().contains("secret"), "{error}");
    }
}

/// A pool of one connection: a second caller waits at most the checkout timeout, then fails saying
/// which setting to raise.
pub fn pool_bounded_with_checkout_timeout<B: Backend>(backend: &B) {
    let (namespace, url) = backend.fresh("pool");
    let url = with_param(&url, "pool_max_size=1&pool_timeout=0.3");
    let store = backend.open(&url, None).unwrap();
    let (held, release) = (Barrier::new(2), Barrier::new(2));
    let (error, waited) = thread::scope(|scope| {
        let holder = scope.spawn(|| {
            store
                .update(APP_ID, "2021004200000001", None, &mut |_| {
                    held.wait();
                    release.wait();
                    Ok(Decision::Keep)
                })
                .unwrap()
        });
        held.wait();
        let started = Instant::now();
        let error = store.list().unwrap_err();
        let waited = started.elapsed();
        release.wait();
        holder.join().unwrap();
        (error, waited)
    });
    assert_eq!(error.kind(), "store");
    assert!(
        error.reason().contains("all 1 connections") && error.reason().contains("pool_max_size"),
        "{error}"
    );
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(backend.open_connections(&store), 1);
    assert!(store.list().unwrap().is_empty(), "the connection is back");
    drop(store);
    backend.drop_namespace(&namespace);
}

/// The `#[test]` functions of every case, for the backend `$backend`.
macro_rules! store_tests {
    ($backend:expr) => {
        #[test]
        fn the_store_passes_the_conformance_suite_plain_encrypted_and_over_tls() {
            $crate::sql_store_cases::conformance_plain_encrypted_and_over_tls(&$backend);
        }
        #[test]
        fn an_empty_schema_is_migrated_once_and_reopening_keeps_every_record() {
            $crate::sql_store_cases::migrated_once_and_reopened(&$backend);
        }
        #[test]
        fn tables_of_another_application_are_refused_and_left_untouched() {
            $crate::sql_store_cases::foreign_tables_refused(&$backend);
        }
        #[test]
        fn a_newer_schema_is_refused() {
            $crate::sql_store_cases::newer_schema_refused(&$backend);
        }
        #[test]
        fn the_key_must_fit_the_database() {
            $crate::sql_store_cases::key_must_fit(&$backend);
        }
        #[test]
        fn connection_failures_say_what_to_fix_without_the_password() {
            $crate::sql_store_cases::connection_failures_say_what_to_fix(&$backend);
        }
        #[test]
        fn killed_connections_lose_no_committed_record_and_leave_nothing_half_written() {
            $crate::sql_store_cases::killed_connections_lose_nothing(&$backend);
        }
        #[test]
        fn two_hosts_sharing_the_database_refresh_exactly_once() {
            $crate::sql_store_cases::two_hosts_refresh_exactly_once(&$backend);
        }
        #[test]
        fn stores_open_by_url() {
            $crate::sql_store_cases::stores_open_by_url(&$backend);
        }
        #[test]
        fn the_pool_is_bounded_and_a_checkout_waits_at_most_its_timeout() {
            $crate::sql_store_cases::pool_bounded_with_checkout_timeout(&$backend);
        }
    };
}
pub(crate) use store_tests;
