//! End-to-end delegated calls per second against the emulator on loopback, and where a call's time goes
//! on the client side: signing, HTTP (the round trip, which includes the emulator's own work), RSA
//! verification, and JSON (node extraction and field parsing). Prints a table; run with
//! `cargo bench -p alipay-isv-emulator --bench delegated_e2e` (release build).
//!
//! The shares are measured by timing each phase separately over the same calls (`Client::execute` runs
//! exactly these phases), so they add up to the measured sequential latency within noise.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use alipay_isv::auth::{StateCheck, app_auth_link, parse_app_auth_callback};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::request::CallOptions;
use alipay_isv::response::extract_signed_node;
use alipay_isv::sign::{Charset, SignType, Verifier};
use alipay_isv::transport::{Transport, TransportOptions, UreqTransport};
use alipay_isv_emulator::{Emulator, EmulatorOptions};

const APP_ID: &str = "2021000000000001";
const METHOD: &str = "alipay.open.mini.version.list.query";
const SEQUENTIAL_CALLS: u32 = 400;
const THREADS: u32 = 8;
const CALLS_PER_THREAD: u32 = 100;

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

fn per_call(total: Duration, calls: u32) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(calls)
}

fn main() {
    let app_private = PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap();
    let app_public = PublicKey::from_text(&key_file("app_2048_public.pem")).unwrap();
    let emulator = Emulator::start(EmulatorOptions::new(APP_ID, app_public)).unwrap();
    let alipay_public = Arc::new(emulator.alipay_public_key().clone());
    let config = IsvConfig::builder(APP_ID, Arc::new(app_private), alipay_public.clone())
        .gateway(emulator.gateway_url())
        .build()
        .unwrap();
    let client = Client::new(config.clone()).unwrap();

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
    let token = client
        .exchange_app_auth_code(&callback.app_auth_code)
        .unwrap()
        .remove(0);
    let options = CallOptions {
        app_auth_token: Some(token.app_auth_token.clone()),
        biz_content: Some(r#"{"version_status":"RELEASE"}"#.into()),
        ..CallOptions::default()
    };

    // Warm-up: connections, caches.
    for _ in 0..20 {
        client.execute(METHOD, &options).unwrap();
    }

    // 1. Sequential end to end.
    let started = Instant::now();
    for _ in 0..SEQUENTIAL_CALLS {
        black_box(client.execute(METHOD, &options).unwrap());
    }
    let sequential = started.elapsed();

    // 2. Concurrent end to end: 8 threads sharing one client.
    let started = Instant::now();
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..CALLS_PER_THREAD {
                    black_box(client.execute(METHOD, &options).unwrap());
                }
            });
        }
    });
    let concurrent = started.elapsed();
    let concurrent_calls = THREADS * CALLS_PER_THREAD;

    // 3. The phases of one call, timed apart over the same number of calls.
    let transport = UreqTransport::new(TransportOptions::default()).unwrap();
    let verifier = config.response_verifier();
    let raw_verifier = Verifier::new(alipay_public, SignType::Rsa2, Charset::Utf8).unwrap();
    let (mut signing, mut encoding, mut http, mut full_verify, mut rsa_verify) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    for _ in 0..SEQUENTIAL_CALLS {
        let phase = Instant::now();
        let signed = config.sign_request(METHOD, &options).unwrap();
        signing += phase.elapsed();

        let phase = Instant::now();
        let request = signed.to_http_request().unwrap();
        encoding += phase.elapsed();

        let phase = Instant::now();
        let response = transport.send(&request).unwrap();
        http += phase.elapsed();

        let phase = Instant::now();
        black_box(verifier.verify(METHOD, &response.body).unwrap());
        full_verify += phase.elapsed();

        let text = std::str::from_utf8(&response.body).unwrap();
        let node = extract_signed_node(text, METHOD).unwrap();
        let sign = node.sign.clone().unwrap();
        let phase = Instant::now();
        raw_verifier.verify(node.raw, &sign).unwrap();
        rsa_verify += phase.elapsed();
    }
    let json = full_verify.saturating_sub(rsa_verify) + encoding;

    // The emulator's own crypto inside the round trip: one request verification and one answer signature
    // with keys of the same size, timed here on the same machine.
    let probe_signer = config.signer();
    let probe_content = config
        .sign_request(METHOD, &options)
        .unwrap()
        .sign_content();
    let probe_sign = probe_signer.sign(&probe_content).unwrap();
    let app_verifier = Verifier::new(
        Arc::new(probe_signer.key().public_key().clone()),
        SignType::Rsa2,
        Charset::Utf8,
    )
    .unwrap();
    let phase = Instant::now();
    for _ in 0..SEQUENTIAL_CALLS {
        app_verifier.verify(&probe_content, &probe_sign).unwrap();
        black_box(probe_signer.sign(&probe_content).unwrap());
    }
    let emulator_crypto = phase.elapsed().min(http);
    let phases_total = signing + http + full_verify + encoding;

    println!(
        "delegated calls against the emulator on loopback ({METHOD}, RSA2 2048, one shared Client)\n"
    );
    println!("| run | calls | calls/s | mean latency |");
    println!("|---|---:|---:|---:|");
    println!(
        "| sequential, 1 thread | {SEQUENTIAL_CALLS} | {:.0} | {:.0} µs |",
        f64::from(SEQUENTIAL_CALLS) / sequential.as_secs_f64(),
        per_call(sequential, SEQUENTIAL_CALLS)
    );
    println!(
        "| concurrent, {THREADS} threads | {concurrent_calls} | {:.0} | {:.0} µs |",
        f64::from(concurrent_calls) / concurrent.as_secs_f64(),
        per_call(concurrent, concurrent_calls) * f64::from(THREADS)
    );
    println!(
        "\nwhere one sequential call's time goes (client side; the HTTP round trip includes the"
    );
    println!("emulator's own request verification and response signing)\n");
    println!("| phase | µs per call | share |");
    println!("|---|---:|---:|");
    let share = |part: Duration| 100.0 * part.as_secs_f64() / phases_total.as_secs_f64();
    for (name, part) in [
        ("signing (content + RSA2 sign)", signing),
        (
            "HTTP round trip: the emulator's RSA2 verify + sign",
            emulator_crypto,
        ),
        (
            "HTTP round trip: network, HTTP, the emulator's parsing",
            http - emulator_crypto,
        ),
        ("RSA2 verification of the answer", rsa_verify),
        (
            "JSON and encoding (form encode, node scan, field parse)",
            json,
        ),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} % |",
            per_call(part, SEQUENTIAL_CALLS),
            share(part)
        );
    }
    println!(
        "| total of the phases | {:.1} | 100 % |",
        per_call(phases_total, SEQUENTIAL_CALLS)
    );
    emulator.stop();
}
