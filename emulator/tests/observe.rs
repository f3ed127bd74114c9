//! Observability of a full flow against the emulator: a listener captures the events of merchant
//! authorisation, a query, the authorisation push, a refresh, delegated calls (one retried), a used
//! code, a tampered notification and two revocations; each event carries the fields its kind
//! promises (Alipay's trace id included) and no token, refresh token or code appears in any event,
//! its message or its `Debug` form. The counters and their Prometheus text agree.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_isv::client::Client;
use alipay_isv::observe::{self, Event, EventKind};
use alipay_isv::registry::Registry;
use alipay_isv::transport::RetryPolicy;
use alipay_isv_emulator::Fault;

use common::{APP_ID, CALLBACK, config, query_param, start};

#[test]
fn a_full_flow_emits_every_expected_event_and_no_secret() {
    let events = Arc::new(Mutex::new(Vec::<Event>::new()));
    let sink = events.clone();
    let listener = observe::add_listener(Arc::new(move |event: &Event| {
        sink.lock().unwrap().push(event.clone());
    }));

    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let mut secrets = Vec::new();

    // The merchant authorises; the code is exchanged; a used code fails.
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, None))
        .unwrap();
    let code = query_param(&location, "app_auth_code").unwrap();
    secrets.push(code.clone());
    let token = client.exchange_app_auth_code(&code).unwrap().remove(0);
    secrets.push(token.app_auth_token.clone());
    secrets.extend(token.app_refresh_token.clone());
    assert!(client.exchange_app_auth_code(&code).is_err());
    client.query_app_auth_token(&token.app_auth_token).unwrap();

    // The authorisation push verifies; a tampered twin does not.
    let delivery = emulator.deliveries().remove(0);
    let verifier = config(&emulator).notification_verifier();
    let notification = verifier.verify_body(delivery.body.as_bytes()).unwrap();
    let tampered = delivery.body.replacen("notify_id=", "notify_id=0", 1);
    assert!(verifier.verify_body(tampered.as_bytes()).is_err());

    // The registry ingests it, refreshes the due token, calls for the merchant (a reset retried).
    let registry = Registry::in_memory()
        .with_client(client.clone())
        .with_refresh_margin(Duration::from_secs(400 * 24 * 3600));
    registry.ingest_notification(&notification).unwrap();
    let fresh = registry.token_for(&token.auth_app_id).unwrap();
    secrets.push(fresh.clone());
    let stored = registry.get(&token.auth_app_id).unwrap().unwrap();
    secrets.extend(stored.app_refresh_token.clone());
    let method = "alipay.open.mini.version.list.query";
    let long_margin = registry.with_refresh_margin(Duration::from_secs(60));
    long_margin
        .execute_for(&token.auth_app_id, method, &Default::default())
        .unwrap();
    emulator.set_fault(Some(Fault::Reset), Some(1));
    long_margin
        .execute_for_with_retry(
            &token.auth_app_id,
            method,
            &Default::default(),
            &RetryPolicy {
                idempotent: true,
                ..RetryPolicy::default()
            },
        )
        .unwrap();

    // The merchant revokes: the cancellation is ingested; a second merchant is revoked by hand.
    let pushes = emulator.deliveries().len();
    emulator.revoke(&token.auth_app_id).unwrap();
    assert!(emulator.wait_for_deliveries(pushes + 1, Duration::from_secs(10)));
    let cancellation = emulator.deliveries().pop().unwrap();
    let cancelled = verifier.verify_body(cancellation.body.as_bytes()).unwrap();
    long_margin.ingest_notification(&cancelled).unwrap();
    assert!(
        long_margin
            .execute_for(&token.auth_app_id, method, &Default::default())
            .is_err()
    );

    observe::remove_listener(listener);
    let events = events.lock().unwrap().clone();
    let of = |kind: EventKind, method: &str, outcome: &str| -> Vec<Event> {
        events
            .iter()
            .filter(|e| {
                e.kind == kind
                    && e.method.as_deref() == Some(method)
                    && e.outcome.as_str() == outcome
            })
            .cloned()
            .collect()
    };

    // Calls: app id, method, outcome, code, latency, trace id; the merchant app where known.
    let exchanges = of(EventKind::Call, "alipay.open.auth.token.app", "success");
    assert_eq!(
        exchanges.len(),
        2,
        "the exchange and the refresh: {events:#?}"
    );
    for event in &exchanges {
        assert_eq!(event.app_id.as_deref(), Some(APP_ID));
        assert_eq!(event.code.as_deref(), Some("10000"));
        assert!(
            event
                .trace_id
                .as_deref()
                .is_some_and(|id| id.starts_with("7f000001")),
            "{event:?}"
        );
    }
    assert_eq!(
        exchanges[1].auth_app_id.as_deref(),
        Some(token.auth_app_id.as_str())
    );
    let used = of(EventKind::Call, "alipay.open.auth.token.app", "api");
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].code.as_deref(), Some("40002"));
    assert_eq!(used[0].sub_code.as_deref(), Some("isv.code-invalid"));
    assert!(used[0].reason.is_some());
    assert_eq!(
        of(
            EventKind::Call,
            "alipay.open.auth.token.app.query",
            "success"
        )
        .len(),
        1
    );
    let delegated = of(EventKind::Call, method, "success");
    assert_eq!(delegated.len(), 2);
    assert!(
        delegated
            .iter()
            .all(|e| e.auth_app_id.as_deref() == Some(token.auth_app_id.as_str()))
    );
    assert_eq!(delegated[1].retries, 1, "the retried call's second attempt");
    let reset = of(EventKind::Call, method, "transport");
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].retries, 0);
    let revoked_call = of(EventKind::Call, method, "api");
    assert!(
        revoked_call.is_empty(),
        "a revoked merchant is refused before any call"
    );

    // Notifications: type, ids, signed form; a refused one has no label from its content.
    let pushed = of(EventKind::Notification, "open_app_auth_notify", "success");
    assert_eq!(pushed.len(), 1);
    assert_eq!(
        pushed[0].notify_id.as_deref(),
        Some(delivery.notify_id.as_str())
    );
    assert_eq!(
        pushed[0].auth_app_id.as_deref(),
        Some(token.auth_app_id.as_str())
    );
    assert_eq!(pushed[0].app_id.as_deref(), Some(APP_ID));
    assert!(pushed[0].signed_form.is_some());
    let refused: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::Notification && e.outcome.as_str() == "signature")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].method, None);
    assert_eq!(
        of(
            EventKind::Notification,
            "alipay.open.auth.appauth.cancelled",
            "success"
        )
        .len(),
        1
    );

    // The registry: one refresh, one revocation from the cancellation.
    let refreshes = of(EventKind::Refresh, "alipay.open.auth.token.app", "success");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        refreshes[0].auth_app_id.as_deref(),
        Some(token.auth_app_id.as_str())
    );
    let revocations = of(
        EventKind::Revocation,
        "alipay.open.auth.appauth.cancelled",
        "success",
    );
    assert_eq!(revocations.len(), 1);

    // No secret anywhere.
    for event in &events {
        let shown = format!("{event:?} {} {:?}", event.message(), event.fields());
        for secret in &secrets {
            assert!(!shown.contains(secret.as_str()), "a secret in {shown}");
        }
    }

    // The counters saw the same.
    let text = observe::prometheus_text();
    assert!(
        text.contains("alipay_isv_refreshes_total{method=\"alipay.open.auth.token.app\",outcome=\"success\"} 1"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "alipay_isv_calls_total{{method=\"{method}\",outcome=\"transport\"}} 1"
    )));
}
