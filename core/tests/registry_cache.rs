//! The per-instance token cache (`Registry::with_token_cache`): two registries on one database file stand for
//! two hosts. A token is served from memory once read; a revocation or a refresh written by the other
//! instance is seen within the cache's bound, never after; a write through the same instance evicts at
//! once; many threads share the cache.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::Error;
use alipay_isv::auth::AppAuthToken;
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::registry::Registry;

const APP_ID: &str = "2021000000000001";
const MERCHANT_APP: &str = "2021000000000777";
const BOUND: Duration = Duration::from_millis(400);

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A client never called (the tokens are not due).
fn client() -> Client {
    let app = Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap());
    let alipay = Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap());
    let config = IsvConfig::builder(APP_ID, app, alipay)
        .gateway("http://127.0.0.1:9/gateway.do")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn token(value: &str) -> AppAuthToken {
    AppAuthToken {
        app_auth_token: value.to_string(),
        app_refresh_token: Some(format!("{value}-refresh")),
        auth_app_id: MERCHANT_APP.to_string(),
        user_id: Some("2088000000000777".to_string()),
        expires_in: Some(365 * 24 * 3600),
        re_expires_in: Some(365 * 24 * 3600),
    }
}

/// Two hosts on one registry file: `writer` without a cache, `reader` with one of `BOUND`.
fn two_hosts(name: &str) -> (Registry, Registry, std::path::PathBuf) {
    let path =
        std::env::temp_dir().join(format!("alipay-isv-cache-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let writer = Registry::open(&path, None).unwrap().with_client(client());
    let reader = Registry::open(&path, None)
        .unwrap()
        .with_client(client())
        .with_token_cache(BOUND);
    assert_eq!(reader.token_cache_ttl(), Some(BOUND));
    (writer, reader, path)
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

#[test]
fn another_hosts_revocation_is_refused_within_the_bound() {
    let (writer, reader, path) = two_hosts("revoked");
    writer
        .ingest_tokens(&[token("202612BBfirst0000000000000000000000000001")])
        .unwrap();
    assert_eq!(
        reader.token_for(MERCHANT_APP).unwrap(),
        "202612BBfirst0000000000000000000000000001"
    );
    let revoked_at = Instant::now();
    writer.revoke(MERCHANT_APP).unwrap();
    // Until the bound, the other host may still serve its cached token; from the bound on, never.
    let refused_after = loop {
        // When the lookup was asked (the thread may be descheduled after it returns).
        let asked = revoked_at.elapsed();
        match reader.token_for(MERCHANT_APP) {
            Ok(_) => assert!(asked < BOUND, "served when asked after the bound"),
            Err(Error::Store { reason }) => {
                assert!(reason.contains("revoked"), "{reason}");
                break asked;
            }
            Err(other) => panic!("{other:?}"),
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert!(
        refused_after <= BOUND + Duration::from_millis(100),
        "{refused_after:?}"
    );
    remove(&path);
}

#[test]
fn a_write_through_the_same_host_evicts_at_once() {
    let (writer, reader, path) = two_hosts("local");
    writer
        .ingest_tokens(&[token("202612BBlocal0000000000000000000000000001")])
        .unwrap();
    reader.token_for(MERCHANT_APP).unwrap();
    reader.revoke(MERCHANT_APP).unwrap();
    assert!(matches!(
        reader.token_for(MERCHANT_APP),
        Err(Error::Store { .. })
    ));
    // Re-authorised through this host: the new token at once.
    reader
        .ingest_tokens(&[token("202612BBlocal0000000000000000000000000002")])
        .unwrap();
    assert_eq!(
        reader.token_for(MERCHANT_APP).unwrap(),
        "202612BBlocal0000000000000000000000000002"
    );
    remove(&path);
}

#[test]
fn another_hosts_refresh_is_seen_within_the_bound_and_threads_share_the_cache() {
    let (writer, reader, path) = two_hosts("refreshed");
    writer
        .ingest_tokens(&[token("202612BBold000000000000000000000000000001")])
        .unwrap();
    let reader = Arc::new(reader);
    assert_eq!(
        reader.token_for(MERCHANT_APP).unwrap(),
        "202612BBold000000000000000000000000000001"
    );
    thread::sleep(Duration::from_millis(5)); // a later issue time than the first token's
    writer
        .ingest_refreshed_tokens(&[token("202612BBnew000000000000000000000000000001")])
        .unwrap();
    let refreshed_at = Instant::now();
    assert_eq!(
        writer.token_for(MERCHANT_APP).unwrap(),
        "202612BBnew000000000000000000000000000001",
        "the refresh was stored"
    );
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let reader = reader.clone();
            thread::spawn(move || {
                let mut lookups = 0u64;
                loop {
                    // When the lookup was asked (a thread may be descheduled after it returns).
                    let asked = refreshed_at.elapsed();
                    let served = reader.token_for(MERCHANT_APP).unwrap();
                    lookups += 1;
                    if served.starts_with("202612BBnew") {
                        return (asked, lookups);
                    }
                    assert!(
                        asked < BOUND,
                        "the old token served when asked after the bound"
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        let (seen_after, lookups) = worker.join().unwrap();
        assert!(
            seen_after <= BOUND + Duration::from_millis(100),
            "{seen_after:?}"
        );
        assert!(lookups >= 1);
    }
    remove(&path);
}

#[test]
fn the_delegated_calls_use_the_cache_and_an_unknown_merchant_is_not_cached() {
    let (writer, reader, path) = two_hosts("unknown");
    assert!(reader.token_for(MERCHANT_APP).is_err());
    writer
        .ingest_tokens(&[token("202612BBlate0000000000000000000000000001")])
        .unwrap();
    // Not cached as missing: found at once.
    assert_eq!(
        reader.token_for(MERCHANT_APP).unwrap(),
        "202612BBlate0000000000000000000000000001"
    );
    remove(&path);
}
