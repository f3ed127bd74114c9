//! Registry throughput, in memory and on SQLite (WAL, `synchronous=FULL`, plain and encrypted): token
//! lookups (`token_for` of a fresh token, from 1 and 4 threads) and ingestions (one committed transaction
//! each). Prints a table; run with `cargo bench -p alipay-isv --bench registry`.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::AppAuthToken;
use alipay_isv::registry::{Registry, TokenKey};

const MERCHANTS: usize = 1_000;
const LOOKUPS: usize = 100_000;
const INGESTIONS: usize = 2_000;

fn token(index: usize, generation: usize) -> AppAuthToken {
    AppAuthToken {
        app_auth_token: format!("202611BB{index:08}{generation:06}token"),
        app_refresh_token: Some(format!("202611BB{index:08}{generation:06}refresh")),
        auth_app_id: format!("2021{index:012}"),
        user_id: Some(format!("2088{:012}", index / 2)),
        expires_in: Some(31_536_000),
        re_expires_in: Some(32_140_800),
    }
}

fn per_second(count: usize, elapsed: Duration) -> String {
    let rate = count as f64 / elapsed.as_secs_f64();
    let mut text = format!("{rate:.0}");
    let mut position = text.len() as isize - 3;
    while position > 0 {
        text.insert(position as usize, ',');
        position -= 3;
    }
    text
}

fn measure(name: &str, registry: Registry) {
    let registry = Arc::new(registry);
    let started = Instant::now();
    for index in 0..INGESTIONS {
        registry
            .ingest_tokens(&[token(index % MERCHANTS, index)])
            .unwrap();
    }
    let ingestions = started.elapsed();

    let started = Instant::now();
    for index in 0..LOOKUPS {
        std::hint::black_box(
            registry
                .token_for(&format!("2021{:012}", index % MERCHANTS))
                .unwrap(),
        );
    }
    let lookups = started.elapsed();

    let started = Instant::now();
    thread::scope(|scope| {
        for worker in 0..4 {
            let registry = Arc::clone(&registry);
            scope.spawn(move || {
                for index in 0..LOOKUPS / 4 {
                    let merchant = (index * 4 + worker) % MERCHANTS;
                    std::hint::black_box(
                        registry.token_for(&format!("2021{merchant:012}")).unwrap(),
                    );
                }
            });
        }
    });
    let parallel_lookups = started.elapsed();
    println!(
        "| {name} | {} | {} | {} |",
        per_second(INGESTIONS, ingestions),
        per_second(LOOKUPS, lookups),
        per_second(LOOKUPS, parallel_lookups)
    );
}

fn main() {
    let directory =
        std::env::temp_dir().join(format!("alipay-isv-registry-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    println!(
        "registry throughput ({MERCHANTS} merchant apps; {INGESTIONS} ingestions, {LOOKUPS} token_for lookups)\n"
    );
    println!("| store | ingestions/s | lookups/s, 1 thread | lookups/s, 4 threads |");
    println!("|---|---:|---:|---:|");
    measure("in memory", Registry::in_memory());
    measure(
        "SQLite",
        Registry::open(directory.join("plain.db"), None).unwrap(),
    );
    let key = TokenKey::from_bytes(&[7; 32]).unwrap();
    measure(
        "SQLite, tokens encrypted (AES-256-GCM)",
        Registry::open(directory.join("encrypted.db"), Some(key)).unwrap(),
    );
    let _ = std::fs::remove_dir_all(directory);
}
