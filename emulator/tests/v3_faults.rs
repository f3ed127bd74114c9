//! The injected faults on the `/v3/…` front, seen by a raw client: reset, truncated body, 502 page, an
//! unsigned success (no `alipay-signature` / `alipay-timestamp` / `alipay-nonce`), delay, hang, trickle
//! and an oversized unsigned body; counted and consumed one per request in order, shared with
//! `/gateway.do`.

mod common;
mod v3_support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use alipay_isv::config::IsvConfig;
use alipay_isv::request::CallOptions;
use alipay_isv::v3::V3Verdict;
use alipay_isv_emulator::{Emulator, Fault};

use common::{Raw, authorise, call_raw, config, send_raw, start};
use v3_support::{Send, json_of, request_bytes, send, verdict};

const METHOD: &str = "alipay.open.mini.version.list.query";
const TARGET: &str = "/v3/alipay/open/mini/version/list/query";
const BODY: &str = r#"{"bundle_id":"com.alipay.alipaywallet"}"#;

/// An emulator, its configuration and a merchant token.
fn setup() -> (Emulator, IsvConfig, String) {
    let emulator = start();
    let config = config(&emulator);
    let token = authorise(&emulator, &config).app_auth_token;
    (emulator, config, token)
}

/// A delegated v3 call that succeeds when no fault applies.
fn call(emulator: &Emulator, config: &IsvConfig, token: &str) -> Raw {
    send(emulator, config, &Send::json(TARGET, BODY, Some(token)))
}

fn assert_verified(config: &IsvConfig, raw: &Raw) {
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(verdict(config, raw).unwrap(), V3Verdict::Verified);
}

#[test]
fn reset_closes_the_connection_without_an_answer() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::Reset), Some(1));
    let bytes = request_bytes(&config, &Send::json(TARGET, BODY, Some(&token)), |_, _| {});
    match send_raw(emulator.local_addr(), &bytes) {
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}"),
        Ok(raw) => panic!("expected a reset, got {raw:?}"),
    }
    assert_verified(&config, &call(&emulator, &config, &token));
    assert_eq!(emulator.call_count(METHOD), 2, "faulted calls are counted");
}

#[test]
fn truncated_body_sends_half_of_the_announced_length() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::TruncatedBody), Some(1));
    let raw = call(&emulator, &config, &token);
    let announced: usize = raw.header("content-length").unwrap().parse().unwrap();
    assert_eq!(raw.body.len(), announced / 2);
    assert!(raw.header("alipay-signature").is_some());
    assert_eq!(verdict(&config, &raw).unwrap_err().kind(), "signature");
}

#[test]
fn bad_gateway_answers_502_html_until_cleared() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::BadGateway), None);
    for _ in 0..3 {
        let raw = call(&emulator, &config, &token);
        assert_eq!(raw.status, 502);
        assert!(raw.text().contains("502 Bad Gateway"));
        assert!(raw.header("content-type").unwrap().starts_with("text/html"));
    }
    emulator.set_fault(None, None);
    assert_verified(&config, &call(&emulator, &config, &token));
}

#[test]
fn unsigned_answers_the_success_without_its_signature_headers() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::Unsigned), Some(1));
    let raw = call(&emulator, &config, &token);
    assert_eq!(raw.status, 200);
    for header in [
        "alipay-signature",
        "alipay-timestamp",
        "alipay-nonce",
        "alipay-sn",
    ] {
        assert!(raw.header(header).is_none(), "{header}: {}", raw.head);
    }
    assert_eq!(json_of(&raw)["app_versions"][0], "0.0.1");
    let error = verdict(&config, &raw).unwrap_err();
    assert_eq!(error.kind(), "signature");
    assert!(error.reason().contains("gateway.do"), "{error}");
    assert_verified(&config, &call(&emulator, &config, &token));
}

#[test]
fn delay_waits_then_answers() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::Delay(Duration::from_millis(300))), Some(1));
    let started = Instant::now();
    let raw = call(&emulator, &config, &token);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_verified(&config, &raw);
}

#[test]
fn hang_answers_nothing_until_the_emulator_stops() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::Hang), Some(1));
    let mut stream = TcpStream::connect(emulator.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    stream
        .write_all(&request_bytes(
            &config,
            &Send::json(TARGET, BODY, Some(&token)),
            |_, _| {},
        ))
        .unwrap();
    let mut byte = [0u8; 1];
    let error = stream.read(&mut byte).unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
    // Other connections are served meanwhile; stopping closes the hung one.
    assert_verified(&config, &call(&emulator, &config, &token));
    emulator.stop();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert!(matches!(stream.read(&mut byte), Ok(0) | Err(_)));
}

#[test]
fn trickle_sends_the_signed_answer_byte_by_byte() {
    let (emulator, config, token) = setup();
    emulator.set_fault(Some(Fault::Trickle(Duration::from_millis(1))), Some(1));
    let started = Instant::now();
    let raw = call(&emulator, &config, &token);
    let bytes = raw.head.len() + raw.body.len();
    assert!(started.elapsed() >= Duration::from_millis(bytes as u64));
    assert_verified(&config, &raw);
}

#[test]
fn oversized_sends_a_huge_unsigned_json_prefix() {
    let (emulator, config, token) = setup();
    let size = 3 * 1024 * 1024;
    emulator.set_fault(Some(Fault::Oversized(size)), Some(1));
    let raw = call(&emulator, &config, &token);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body.len(), size);
    assert!(raw.body.starts_with(b"{\"auth_app_id\":"));
    assert!(raw.body.ends_with(b"   "));
    assert!(
        raw.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(raw.header("alipay-signature").is_none());
    assert_eq!(verdict(&config, &raw).unwrap_err().kind(), "signature");
}

#[test]
fn faults_are_taken_one_per_request_in_order_across_both_fronts() {
    let (emulator, config, token) = setup();
    let total = emulator.total_calls();
    emulator.set_fault(Some(Fault::BadGateway), Some(2));
    assert_eq!(call(&emulator, &config, &token).status, 502);
    let classic = call_raw(
        &emulator,
        &config,
        "alipay.open.app.alipaycert.download",
        &CallOptions::default(),
    );
    assert_eq!(classic.status, 502);
    assert_verified(&config, &call(&emulator, &config, &token));
    assert_eq!(emulator.total_calls(), total + 3);
    // A refused request (here a bad signature) takes its fault too.
    emulator.set_fault(Some(Fault::BadGateway), Some(1));
    let forged = request_bytes(
        &config,
        &Send::json(TARGET, BODY, Some(&token)),
        |_, body| body.push(b' '),
    );
    assert_eq!(
        send_raw(emulator.local_addr(), &forged).unwrap().status,
        502
    );
    assert_verified(&config, &call(&emulator, &config, &token));
}
