//! The registry's stores side by side: ingestions per second (a new merchant's tokens, one committed write
//! each) and `token_for` lookups per second (a token that is not due: one store read — and, with the
//! per-instance token cache of one second, a memory read), with 1 and 4 threads,
//! on SQLite (WAL, `synchronous=FULL`), PostgreSQL (`synchronous_commit=on`) and MySQL/MariaDB (InnoDB,
//! `innodb_flush_log_at_trx_commit=1`), and in memory for reference. Prints a table.
//!
//! The database servers are the test ones: `scripts/services/postgres.sh start`,
//! `scripts/services/mysql.sh start`, source their env files, then
//! `cargo bench -p alipay-isv --features postgres,mysql --bench registry_stores`. A store whose URL is not
//! in the environment is listed as not measured. Each run uses a fresh database (`newdb`).

use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::AppAuthToken;
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::registry::Registry;

const APP_ID: &str = "2021000000000001";
const INGESTIONS_PER_THREAD: usize = 600;
const LOOKUP_TIME: Duration = Duration::from_secs(2);

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

/// A client that is never called (the tokens are not due): it names the registry's default app.
fn client() -> Client {
    let app = Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap());
    let alipay = Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap());
    let config = IsvConfig::builder(APP_ID, app, alipay)
        .gateway("http://127.0.0.1:9/gateway.do")
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn token(thread: usize, index: usize) -> AppAuthToken {
    AppAuthToken {
        app_auth_token: format!("202612BB{thread:02}{index:030}"),
        app_refresh_token: Some(format!("202612BBr{thread:02}{index:029}")),
        auth_app_id: format!("2021{thread:02}{index:010}"),
        user_id: Some(format!("2088{thread:02}{index:010}")),
        expires_in: Some(365 * 24 * 3600),
        re_expires_in: Some(365 * 24 * 3600),
    }
}

/// Ingestions per second with `threads` threads, each ingesting its own merchants.
fn ingestions(registry: &Arc<Registry>, threads: usize, round: usize) -> f64 {
    let started = Instant::now();
    thread::scope(|scope| {
        for thread in 0..threads {
            let registry = registry.clone();
            scope.spawn(move || {
                for index in 0..INGESTIONS_PER_THREAD {
                    registry
                        .ingest_tokens(&[token(round * 10 + thread, index)])
                        .unwrap();
                }
            });
        }
    });
    (threads * INGESTIONS_PER_THREAD) as f64 / started.elapsed().as_secs_f64()
}

/// `token_for` lookups per second with `threads` threads over the merchants of round 0.
fn lookups(registry: &Arc<Registry>, threads: usize) -> f64 {
    let started = Instant::now();
    let total: usize = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let registry = registry.clone();
                scope.spawn(move || {
                    let mut done = 0;
                    while started.elapsed() < LOOKUP_TIME {
                        let merchant = token(0, (done * 7 + thread) % INGESTIONS_PER_THREAD);
                        registry.token_for(&merchant.auth_app_id).unwrap();
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap())
            .sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

fn fresh_database(service: &str) -> Option<String> {
    let variable = format!("ALIPAY_ISV_TEST_{}_URL", service.to_uppercase());
    std::env::var(&variable).ok()?;
    let script = format!(
        "{}/../scripts/services/{service}.sh",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = Command::new("bash")
        .args([&script, "newdb"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn main() {
    let directory = std::env::temp_dir().join(format!("alipay-isv-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let stores: Vec<(&str, Option<String>)> = vec![
        ("memory", Some("memory:".to_string())),
        (
            "SQLite",
            Some(directory.join("registry.db").display().to_string()),
        ),
        ("PostgreSQL", fresh_database("postgres")),
        ("MySQL/MariaDB", fresh_database("mysql")),
    ];
    println!(
        "| store | ingestions/s, 1 thread | ingestions/s, 4 threads | token_for/s, 1 thread | token_for/s, 4 threads | cached token_for/s, 1 thread | cached, 4 threads |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, url) in stores {
        let Some(url) = url else {
            println!("| {name} | not measured: start its server (scripts/services/) | | | | | |");
            continue;
        };
        let registry = Arc::new(
            Registry::open_url(&url, None)
                .unwrap()
                .with_client(client()),
        );
        let one = ingestions(&registry, 1, 0);
        let four = ingestions(&registry, 4, 1);
        let lookup_one = lookups(&registry, 1);
        let lookup_four = lookups(&registry, 4);
        // Another instance on the same store, with the token cache.
        let cached = Arc::new(
            Registry::new(registry.store().clone())
                .with_client(client())
                .with_token_cache(Duration::from_secs(1)),
        );
        let cached_one = lookups(&cached, 1);
        let cached_four = lookups(&cached, 4);
        println!(
            "| {name} | {one:.0} | {four:.0} | {lookup_one:.0} | {lookup_four:.0} | {cached_one:.0} | {cached_four:.0} |"
        );
    }
    let _ = std::fs::remove_dir_all(&directory);
}
