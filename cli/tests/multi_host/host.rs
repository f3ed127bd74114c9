//! One "host" of the multi-host test: a process of its own (in a network namespace of its own) with one
//! registry on the shared database, taking commands on stdin and answering on stdout, one line each.
//! Every command runs on 8 threads of the host; their answers name what they counted, never a token.
//!
//! - `refresh START_MS ROUNDS ID,ID,…`: from `START_MS` on, each thread asks `token_for` for every
//!   merchant app `ROUNDS` times (each thread in its own order) and makes one delegated call per merchant
//!   with the registry; then every token served is compared with the stored one.
//! - `watch ID`: each thread asks `token_for(ID)` until `stop`, noting when the last lookup that was
//!   served started and when the first refused one ended.
//! - `revoke HEX_BODY`: verifies the pushed cancellation and ingests it.
//! - `churn FILE ID,ID,…`: until `stop`, each thread stores new authorisations (each one acknowledged
//!   is appended to `FILE`) and looks tokens up, counting the store's errors.
//! - `stop`: ends the running `watch` or `churn` (each also ends by itself after two minutes).
//! - `quit`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::Error;
use alipay_isv::auth::AppAuthToken;
use alipay_isv::client::Client;
use alipay_isv::registry::{DEFAULT_TOKEN_CACHE_TTL, Registry};
use alipay_isv::request::CallOptions;

use crate::shared::{DELEGATED_METHOD, REFRESH_MARGIN, THREADS, client, now_ms};

type Out = Arc<Mutex<std::io::Stdout>>;

/// The longest a `watch` or `churn` runs without `stop`.
const LONGEST_RUN: Duration = Duration::from_secs(120);

/// Whether a `watch` or `churn` started at `started` should go on.
fn going_on(stop: &AtomicBool, started: Instant) -> bool {
    !stop.load(Ordering::SeqCst) && started.elapsed() < LONGEST_RUN
}

fn say(out: &Out, line: &str) {
    let mut out = out.lock().unwrap();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

fn wait_until(at_ms: i64) {
    let now = now_ms();
    if at_ms > now {
        thread::sleep(Duration::from_millis((at_ms - now) as u64));
    }
}

fn ids(list: &str) -> Vec<String> {
    list.split(',').map(str::to_string).collect()
}

/// Runs the host: opens the registry named by the environment, answers `ready`, then serves commands.
pub fn run() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let host_index: usize = var("MULTI_HOST_INDEX").parse().unwrap();
    let client = client(&var("MULTI_HOST_GATEWAY"), &var("MULTI_HOST_ALIPAY_KEY"));
    let registry = Arc::new(
        Registry::open_url(&var("MULTI_HOST_DB"), None)
            .unwrap_or_else(|error| panic!("host {host_index} cannot open the registry: {error}"))
            .with_client(client.clone())
            .with_refresh_margin(REFRESH_MARGIN)
            .with_token_cache(DEFAULT_TOKEN_CACHE_TTL),
    );
    let out: Out = Arc::new(Mutex::new(std::io::stdout()));
    say(&out, "ready");
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let words: Vec<String> = line.split(' ').map(str::to_string).collect();
        match words[0].as_str() {
            "quit" => break,
            "stop" => {
                stop.store(true, Ordering::SeqCst);
                continue;
            }
            "watch" | "churn" => stop.store(false, Ordering::SeqCst),
            _ => {}
        }
        let (registry, out, client) = (Arc::clone(&registry), Arc::clone(&out), client.clone());
        let stop = Arc::clone(&stop);
        workers.push(thread::spawn(move || {
            let answer = match words[0].as_str() {
                "refresh" => refresh(
                    &registry,
                    words[1].parse().unwrap(),
                    words[2].parse().unwrap(),
                    &ids(&words[3]),
                ),
                "watch" => watch(&registry, &stop, &words[1]),
                "revoke" => revoke(&registry, &client, &words[1]),
                "churn" => churn(
                    &registry,
                    host_index,
                    &stop,
                    (&words[1], &ids(&words[2])),
                    &out,
                ),
                other => panic!("unknown command {other}"),
            };
            say(&out, &answer);
        }));
    }
    for worker in workers {
        worker.join().unwrap();
    }
}

/// Runs `work(thread)` on every thread and collects what each returns.
fn on_threads<T: Send + 'static>(work: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let work = Arc::new(work);
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let work = Arc::clone(&work);
            thread::spawn(move || work(thread))
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect()
}

fn refresh(registry: &Arc<Registry>, start_ms: i64, rounds: usize, merchants: &[String]) -> String {
    wait_until(start_ms);
    let started = Instant::now();
    let (registry_of_threads, merchants_of_threads) = (Arc::clone(registry), merchants.to_vec());
    let results = on_threads(move |thread| {
        let (registry, merchants) = (&registry_of_threads, &merchants_of_threads);
        let mut served: HashMap<String, HashSet<String>> = HashMap::new();
        let (mut count, mut calls, mut errors) = (0usize, 0usize, Vec::new());
        for round in 0..rounds {
            for offset in 0..merchants.len() {
                let merchant = &merchants[(offset + thread * 3) % merchants.len()];
                match registry.token_for(merchant) {
                    Ok(token) => {
                        count += 1;
                        served.entry(merchant.clone()).or_default().insert(token);
                    }
                    Err(error) => errors.push(error.to_string()),
                }
                if round == 0 {
                    match registry.execute_for(merchant, DELEGATED_METHOD, &CallOptions::default())
                    {
                        Ok(answer) if answer.code() == Some("10000") => calls += 1,
                        Ok(answer) => {
                            errors.push(format!("delegated call answered {:?}", answer.code()))
                        }
                        Err(error) => errors.push(error.to_string()),
                    }
                }
            }
        }
        (served, count, calls, errors)
    });
    let elapsed_ms = started.elapsed().as_millis();
    let (mut served_total, mut calls_total, mut stale, mut errors) = (0, 0, 0, Vec::new());
    let mut distinct: HashMap<String, HashSet<String>> = HashMap::new();
    for (served, count, calls, thread_errors) in results {
        served_total += count;
        calls_total += calls;
        errors.extend(thread_errors);
        for (merchant, tokens) in served {
            distinct.entry(merchant).or_default().extend(tokens);
        }
    }
    for (merchant, tokens) in &distinct {
        let stored = registry
            .get(merchant)
            .unwrap()
            .expect("a merchant of the test is stored")
            .app_auth_token;
        stale += tokens.iter().filter(|token| **token != stored).count();
    }
    format!(
        "refresh served={served_total} calls={calls_total} stale={stale} errors={} elapsed_ms={elapsed_ms} first_error={}",
        errors.len(),
        errors.first().map_or("none", String::as_str)
    )
}

fn watch(registry: &Arc<Registry>, stop: &Arc<AtomicBool>, merchant: &str) -> String {
    let (registry, merchant, stop) = (Arc::clone(registry), merchant.to_string(), Arc::clone(stop));
    let started = Instant::now();
    let results = on_threads(move |_| {
        let (mut served, mut refused, mut other) = (0u64, 0u64, 0u64);
        let (mut last_served_start, mut first_refused_end) = (0i64, i64::MAX);
        while going_on(&stop, started) {
            let start = now_ms();
            let result = registry.token_for(&merchant);
            let end = now_ms();
            match result {
                Ok(_) => {
                    served += 1;
                    last_served_start = last_served_start.max(start);
                }
                Err(Error::Store { reason }) if reason.contains("is revoked") => {
                    refused += 1;
                    first_refused_end = first_refused_end.min(end);
                }
                Err(_) => other += 1,
            }
            thread::sleep(Duration::from_millis(1));
        }
        (served, refused, other, last_served_start, first_refused_end)
    });
    let served: u64 = results.iter().map(|result| result.0).sum();
    let refused: u64 = results.iter().map(|result| result.1).sum();
    let other: u64 = results.iter().map(|result| result.2).sum();
    let last_served_start = results.iter().map(|result| result.3).max().unwrap();
    let first_refused_end = results.iter().map(|result| result.4).min().unwrap();
    format!(
        "watch served={served} refused={refused} other={other} last_served_start={last_served_start} first_refused_end={first_refused_end}"
    )
}

fn revoke(registry: &Arc<Registry>, client: &Client, hex_body: &str) -> String {
    let body: Vec<u8> = (0..hex_body.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex_body[at..at + 2], 16).unwrap())
        .collect();
    let notification = client
        .config()
        .notification_verifier()
        .verify_body(&body)
        .expect("the pushed cancellation verifies");
    let outcome = registry.ingest_notification(&notification).unwrap();
    format!("revoke outcome={outcome:?} committed_ms={}", now_ms())
}

fn churn(
    registry: &Arc<Registry>,
    host_index: usize,
    stop: &Arc<AtomicBool>,
    (file, merchants): (&str, &[String]),
    out: &Out,
) -> String {
    let file = Arc::new(Mutex::new(std::fs::File::create(file).unwrap()));
    let (registry, merchants, stop) = (Arc::clone(registry), merchants.to_vec(), Arc::clone(stop));
    let started = Instant::now();
    let results = on_threads(move |thread| {
        let (mut writes, mut reads, mut ok_since_error) = (0u64, 0u64, 0u64);
        let (mut store_errors, mut other_errors) = (Vec::new(), Vec::new());
        let mut note = |result: Result<(), Error>, ok: &mut u64| match result {
            Ok(()) => {
                *ok += 1;
                ok_since_error += 1;
            }
            Err(error) => {
                ok_since_error = 0;
                match error {
                    Error::Store { reason } => store_errors.push(reason),
                    other => other_errors.push(other.to_string()),
                }
            }
        };
        let mut number = 0u64;
        while going_on(&stop, started) {
            let auth_app_id = format!("2099{host_index}{thread:02}{number:09}");
            number += 1;
            let token = AppAuthToken {
                app_auth_token: format!("churn-token-{auth_app_id}"),
                app_refresh_token: Some(format!("churn-refresh-{auth_app_id}")),
                auth_app_id: auth_app_id.clone(),
                user_id: Some("2088000000000001".into()),
                expires_in: Some(3600),
                re_expires_in: Some(7200),
            };
            let written = registry.ingest_tokens(&[token]).map(|_| ());
            if written.is_ok() {
                let mut file = file.lock().unwrap();
                writeln!(file, "{auth_app_id}").unwrap();
            }
            note(written, &mut writes);
            let merchant = &merchants[number as usize % merchants.len()];
            note(registry.token_for(merchant).map(|_| ()), &mut reads);
            thread::sleep(Duration::from_millis(2));
        }
        file.lock().unwrap().flush().unwrap();
        (writes, reads, ok_since_error, store_errors, other_errors)
    });
    let writes: u64 = results.iter().map(|result| result.0).sum();
    let reads: u64 = results.iter().map(|result| result.1).sum();
    let least_ok_after_last_error = results.iter().map(|result| result.2).min().unwrap();
    let store_errors: Vec<&String> = results.iter().flat_map(|result| &result.3).collect();
    let other_errors: Vec<&String> = results.iter().flat_map(|result| &result.4).collect();
    if let Some(reason) = store_errors.first() {
        say(out, &format!("churn-store-error {reason}"));
    }
    if let Some(reason) = other_errors.first() {
        say(out, &format!("churn-other-error {reason}"));
    }
    format!(
        "churn writes={writes} reads={reads} store_errors={} other_errors={} least_ok_after_last_error={least_ok_after_last_error}",
        store_errors.len(),
        other_errors.len()
    )
}
