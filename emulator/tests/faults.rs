//! Injected faults, seen by a raw client: reset, truncated body, 502, unsigned success, delay, and
//! the count of calls they apply to.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use alipay_isv::request::CallOptions;
use alipay_isv_emulator::Fault;
use common::*;

const CERT: &str = "alipay.open.app.alipaycert.download";

#[test]
fn reset_closes_the_connection_without_an_answer() {
    let emulator = start();
    let config = config(&emulator);
    emulator.set_fault(Some(Fault::Reset), Some(1));
    let signed = config.sign_request(CERT, &CallOptions::default()).unwrap();
    let http = signed.to_http_request().unwrap();
    let target = http
        .url
        .trim_start_matches(&emulator.base_url())
        .to_string();
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
        http.content_type,
        http.body.len(),
        http.body
    );
    match send_raw(emulator.local_addr(), request.as_bytes()) {
        Err(error) => assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}"),
        Ok(raw) => panic!("expected a reset, got {raw:?}"),
    }
    let after = call_raw(&emulator, &config, CERT, &CallOptions::default());
    assert_eq!(after.status, 200, "the fault applied once");
    assert_eq!(emulator.call_count(CERT), 2, "faulted calls are counted");
}

#[test]
fn truncated_body_sends_half_of_the_announced_length() {
    let emulator = start();
    let config = config(&emulator);
    emulator.set_fault(Some(Fault::TruncatedBody), Some(1));
    let raw = call_raw(&emulator, &config, CERT, &CallOptions::default());
    let announced: usize = raw.header("content-length").unwrap().parse().unwrap();
    assert_eq!(raw.body.len(), announced / 2);
    assert_eq!(
        config
            .response_verifier()
            .verify(CERT, &raw.body)
            .unwrap_err()
            .kind(),
        "protocol"
    );
}

#[test]
fn bad_gateway_answers_502_html_until_cleared() {
    let emulator = start();
    let config = config(&emulator);
    emulator.set_fault(Some(Fault::BadGateway), None);
    for _ in 0..3 {
        let raw = call_raw(&emulator, &config, CERT, &CallOptions::default());
        assert_eq!(raw.status, 502);
        assert!(raw.text().contains("Bad Gateway"));
    }
    emulator.set_fault(None, None);
    assert_eq!(
        call_raw(&emulator, &config, CERT, &CallOptions::default()).status,
        200
    );
}

#[test]
fn unsigned_success_is_refused_by_the_verifier() {
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    emulator.set_fault(Some(Fault::Unsigned), Some(2));
    let method = "alipay.open.mini.version.list.query";
    let raw = call_raw(
        &emulator,
        &config,
        method,
        &delegated(&merchant.app_auth_token),
    );
    assert!(!raw.text().contains("\"sign\""), "{}", raw.text());
    assert!(raw.text().contains("\"code\":\"10000\""));
    let error = config
        .response_verifier()
        .verify(method, &raw.body)
        .unwrap_err();
    assert_eq!(error.kind(), "signature");
    execute(
        &emulator,
        &config,
        method,
        &delegated(&merchant.app_auth_token),
    )
    .unwrap_err();
    execute(
        &emulator,
        &config,
        method,
        &delegated(&merchant.app_auth_token),
    )
    .unwrap();
}

#[test]
fn delay_waits_then_answers() {
    let emulator = start();
    let config = config(&emulator);
    emulator.set_fault(Some(Fault::Delay(Duration::from_millis(300))), Some(1));
    let started = Instant::now();
    let raw = call_raw(&emulator, &config, CERT, &CallOptions::default());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(raw.status, 200);
}

#[test]
fn faults_leave_pages_alone() {
    let emulator = start();
    emulator.set_fault(Some(Fault::BadGateway), None);
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, None))
        .unwrap();
    assert!(location.contains("app_auth_code="));
}
