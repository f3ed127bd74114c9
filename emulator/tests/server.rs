//! The HTTP server itself: keep-alive, limits, unknown paths, the admin endpoints, key generation,
//! option checks, and a prompt stop.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use alipay_isv::key::PublicKey;
use alipay_isv::request::CallOptions;
use alipay_isv_emulator::{Emulator, EmulatorOptions};
use common::*;

#[test]
fn the_emulator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let emulator = start();
    let mut stream = TcpStream::connect(emulator.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = b"GET /emulator/stats HTTP/1.1\r\nHost: t\r\n\r\n";
    stream.write_all(request).unwrap();
    stream.write_all(request).unwrap();
    stream
        .write_all(
            b"GET /emulator/alipay-public-key HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut received = String::new();
    stream.read_to_string(&mut received).unwrap();
    assert_eq!(received.matches("HTTP/1.1 200 OK").count(), 3, "{received}");
    assert_eq!(received.matches("Connection: keep-alive").count(), 2);
    assert!(received.contains("-----BEGIN PUBLIC KEY-----"));
}

#[test]
fn limits_and_unknown_paths() {
    let emulator = start();
    let huge = format!(
        "POST /gateway.do HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        11 * 1024 * 1024
    );
    assert_eq!(
        send_raw(emulator.local_addr(), huge.as_bytes())
            .unwrap()
            .status,
        413
    );
    let long_head = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(70 * 1024));
    assert_eq!(
        send_raw(emulator.local_addr(), long_head.as_bytes())
            .unwrap()
            .status,
        431
    );
    assert_eq!(
        send_raw(emulator.local_addr(), b"\x00\x01garbage\r\n\r\n")
            .unwrap()
            .status,
        400
    );
    assert_eq!(get(&emulator, "/nowhere").status, 404);
    assert_eq!(
        post(&emulator, "/emulator/stats", "text/plain", b"").status,
        405
    );
    // A chunk that would take the body over 10 MiB is refused from its size line, its data unsent.
    let huge_chunk = format!(
        "POST /gateway.do HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        10 * 1024 * 1024 + 1
    );
    assert_eq!(
        send_raw(emulator.local_addr(), huge_chunk.as_bytes())
            .unwrap()
            .status,
        413
    );
    let bad_chunks =
        b"POST /gateway.do HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert_eq!(
        send_raw(emulator.local_addr(), bad_chunks).unwrap().status,
        400
    );
}

#[test]
fn stats_and_public_key_endpoints() {
    let emulator = start();
    let config = config(&emulator);
    for _ in 0..2 {
        call_raw(
            &emulator,
            &config,
            "alipay.trade.query",
            &CallOptions::default(),
        );
    }
    get(&emulator, "/gateway.do");
    let stats: serde_json::Value =
        serde_json::from_slice(&get(&emulator, "/emulator/stats").body).unwrap();
    assert_eq!(stats["total_calls"], 3);
    assert_eq!(stats["calls"]["alipay.trade.query"], 2);
    assert_eq!(emulator.total_calls(), 3);
    assert_eq!(emulator.call_count("alipay.trade.query"), 2);
    assert_eq!(emulator.call_count("alipay.user.info.share"), 0);
    let pem = get(&emulator, "/emulator/alipay-public-key").text();
    assert_eq!(
        PublicKey::from_text(&pem).unwrap(),
        *emulator.alipay_public_key()
    );
    assert_eq!(pem, emulator.alipay_public_key_pem());
}

#[test]
fn a_fresh_alipay_key_is_generated_when_none_is_given() {
    let emulator =
        Emulator::start(EmulatorOptions::new(APP_ID, app_key().public_key().clone())).unwrap();
    assert_eq!(emulator.alipay_public_key().bits(), 2048);
    assert_ne!(emulator.alipay_public_key(), alipay_key().public_key());
    assert!(emulator.gateway_url().starts_with("http://127.0.0.1:"));
    assert!(emulator.gateway_url().ends_with("/gateway.do"));
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    assert!(merchant.user_id.starts_with("2088"));
}

#[test]
fn bad_options_are_config_errors_and_a_taken_port_is_a_transport_error() {
    let mut bad = options();
    bad.app_id = "not-digits".into();
    assert_eq!(Emulator::start(bad).unwrap_err().kind(), "config");
    let mut bad = options();
    bad.notify_url = Some("ftp://x".into());
    assert_eq!(Emulator::start(bad).unwrap_err().kind(), "config");
    let mut bad = options();
    bad.alipay_private_key = Some(
        alipay_isv::key::PrivateKey::from_text(
            &std::fs::read_to_string(format!(
                "{}/../tests/vectors/keys/app_1024_pkcs1.pem",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap(),
    );
    assert_eq!(Emulator::start(bad).unwrap_err().kind(), "config");
    let first = start();
    let mut taken = options();
    taken.port = first.local_addr().port();
    assert_eq!(Emulator::start(taken).unwrap_err().kind(), "transport");
}

#[test]
fn stop_is_prompt_even_with_idle_connections_open() {
    let emulator = start();
    let address = emulator.local_addr();
    let idle = TcpStream::connect(address).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    emulator.stop();
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut idle = idle;
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buffer = [0u8; 16];
    assert!(
        matches!(idle.read(&mut buffer), Ok(0) | Err(_)),
        "the idle connection was closed"
    );
    assert!(TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err());
}
