//! Events reach listeners and counters; a panicking listener is skipped; Prometheus text is well
//! formed. (Counters are process-wide: each test uses methods of its own.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::error::{ApiError, Error};

fn call(method: &str, result: Result<(), Error>) -> Event {
    let mut event = Event::new(EventKind::Call, Outcome::SUCCESS, Duration::from_millis(12));
    event.app_id = Some("2021000000000001".into());
    event.method = Some(method.into());
    match result {
        Ok(()) => event,
        Err(error) => event.with_error(&error),
    }
}

#[test]
fn listeners_receive_every_event_until_removed() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let id = add_listener(Arc::new(move |event: &Event| {
        if event.method.as_deref() == Some("test.listeners.method") {
            sink.lock().unwrap().push(event.clone());
        }
    }));
    emit(&call("test.listeners.method", Ok(())));
    assert!(remove_listener(id));
    assert!(!remove_listener(id));
    emit(&call("test.listeners.method", Ok(())));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].outcome, Outcome::SUCCESS);
}

#[test]
fn a_panicking_listener_is_skipped_and_the_next_still_called() {
    let panicking = add_listener(Arc::new(|event: &Event| {
        if event.method.as_deref() == Some("test.panic.method") {
            panic!("a listener failing");
        }
    }));
    let count = Arc::new(Mutex::new(0));
    let counter = count.clone();
    let counting = add_listener(Arc::new(move |event: &Event| {
        if event.method.as_deref() == Some("test.panic.method") {
            *counter.lock().unwrap() += 1;
        }
    }));
    emit(&call("test.panic.method", Ok(())));
    remove_listener(panicking);
    remove_listener(counting);
    assert_eq!(*count.lock().unwrap(), 1);
}

#[test]
fn an_api_error_fills_code_sub_code_and_reason() {
    let error = Error::Api(Box::new(ApiError {
        code: "40004".into(),
        msg: "Business Failed".into(),
        sub_code: Some("isv.invalid-app-auth-token".into()),
        sub_msg: Some("无效的应用授权令牌".into()),
        signed: true,
        hint: None,
        ..ApiError::default()
    }));
    let event = call("test.api.method", Err(error));
    assert_eq!(event.outcome.as_str(), "api");
    assert_eq!(event.code.as_deref(), Some("40004"));
    assert_eq!(
        event.sub_code.as_deref(),
        Some("isv.invalid-app-auth-token")
    );
    assert!(event.is_failure());
    let fields = event.fields();
    for name in [
        "kind",
        "outcome",
        "latency_ms",
        "app_id",
        "method",
        "code",
        "sub_code",
        "reason",
        "retries",
    ] {
        assert!(
            fields.iter().any(|(field, _)| *field == name),
            "{name}: {fields:?}"
        );
    }
    let message = event.message();
    assert!(
        message.starts_with("call test.api.method api in 12.0 ms ("),
        "{message}"
    );
}

#[test]
fn counters_sum_by_method_and_outcome_and_print_as_prometheus_text() {
    for _ in 0..3 {
        emit(&call("test.metrics.method", Ok(())));
    }
    emit(&call(
        "test.metrics.method",
        Err(Error::transport("reset", true)),
    ));
    let samples = metrics_snapshot();
    let of = |outcome: &str| {
        samples
            .iter()
            .find(|s| s.method == "test.metrics.method" && s.outcome.as_str() == outcome)
            .cloned()
            .unwrap()
    };
    assert_eq!(of("success").count, 3);
    assert!((of("success").latency_seconds_total - 0.036).abs() < 1e-9);
    assert_eq!(of("transport").count, 1);
    let text = prometheus_text();
    assert!(
        text.contains("# TYPE alipay_isv_calls_total counter"),
        "{text}"
    );
    assert!(
        text.contains(
            "alipay_isv_calls_total{method=\"test.metrics.method\",outcome=\"success\"} 3"
        ),
        "{text}"
    );
    assert!(text.contains("alipay_isv_notifications_total"), "{text}");
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
}
