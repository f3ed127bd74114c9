//! The Kotlin face of `alipay_isv::observe`: every event of the core (gateway calls, notifications,
//! registry refreshes and revocations) is handed to the [`EventListener`]s added with
//! [`add_event_listener`] — `Slf4jEventListener` (Kotlin sources of this package) logs them through
//! SLF4J — and the process-wide counters read as [`MetricSample`]s or Prometheus text.

use std::sync::Arc;

use alipay_isv::observe::{self, Event, ListenerId};

/// One observed operation: a gateway call, a notification received, a registry refresh or a
/// revocation. Every field is safe to log: no token or code ever enters an event.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ObservedEvent {
    /// `call`, `notification`, `refresh` or `revocation`.
    pub kind: String,
    /// `info` for a success, `warn` for a failure: the level to log it at.
    pub level: String,
    /// One line for a human, with every field.
    pub text: String,
    /// `success`, or the kind of the error (`config`, `signature`, `api`, `transport`, `protocol`,
    /// `store`).
    pub outcome: String,
    /// The ISV's app id.
    pub app_id: Option<String>,
    /// The merchant's app the operation was for, when known.
    pub auth_app_id: Option<String>,
    /// The API method of a call; the `notify_type` or `msg_method` of a verified notification.
    pub method: Option<String>,
    /// Alipay's `code`, when the gateway answered one.
    pub code: Option<String>,
    /// Alipay's `sub_code`, when the gateway answered one.
    pub sub_code: Option<String>,
    /// How long it took, in milliseconds.
    pub latency_ms: f64,
    /// Alipay's trace id of the answer, when it had one.
    pub trace_id: Option<String>,
    /// For a call: how many attempts came before this one.
    pub retries: u32,
    /// For a notification: its `notify_id`, once verified.
    pub notify_id: Option<String>,
    /// For a notification: the form its signature matched.
    pub signed_form: Option<String>,
    /// The error's reason when the operation failed.
    pub reason: Option<String>,
}

impl From<&Event> for ObservedEvent {
    fn from(event: &Event) -> Self {
        ObservedEvent {
            kind: event.kind.as_str().to_string(),
            level: if event.is_failure() { "warn" } else { "info" }.to_string(),
            text: event.message(),
            outcome: event.outcome.as_str().to_string(),
            app_id: event.app_id.clone(),
            auth_app_id: event.auth_app_id.clone(),
            method: event.method.clone(),
            code: event.code.clone(),
            sub_code: event.sub_code.clone(),
            latency_ms: event.latency_ms(),
            trace_id: event.trace_id.clone(),
            retries: event.retries,
            notify_id: event.notify_id.clone(),
            signed_form: event.signed_form.map(str::to_string),
            reason: event.reason.clone(),
        }
    }
}

/// Receives every observed event, on the thread that produced it (keep it quick; it must not throw —
/// an exception is dropped).
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    /// Called once per event.
    fn on_event(&self, event: ObservedEvent);
}

/// Calls `listener` with every event from now on, in every thread; returns an id for
/// `removeEventListener`.
#[uniffi::export]
pub fn add_event_listener(listener: Arc<dyn EventListener>) -> u64 {
    observe::add_listener(Arc::new(move |event: &Event| {
        listener.on_event(ObservedEvent::from(event));
    }))
    .0
}

/// Stops calling the listener `id`; false when it was not listening.
#[uniffi::export]
pub fn remove_event_listener(id: u64) -> bool {
    observe::remove_listener(ListenerId(id))
}

/// One counter of observed events.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MetricSample {
    /// `call`, `notification`, `refresh` or `revocation`.
    pub kind: String,
    /// The method (`-` when none).
    pub method: String,
    /// `success` or an error kind.
    pub outcome: String,
    /// How many events.
    pub count: u64,
    /// Their latencies summed, in seconds.
    pub latency_seconds_total: f64,
}

/// Every counter of observed events.
#[uniffi::export]
pub fn metrics_snapshot() -> Vec<MetricSample> {
    observe::metrics_snapshot()
        .into_iter()
        .map(|sample| MetricSample {
            kind: sample.kind.as_str().to_string(),
            method: sample.method,
            outcome: sample.outcome.as_str().to_string(),
            count: sample.count,
            latency_seconds_total: sample.latency_seconds_total,
        })
        .collect()
}

/// The counters in the Prometheus text exposition format (serve it at `/metrics` with
/// `Content-Type: text/plain; version=0.0.4`).
#[uniffi::export]
pub fn prometheus_metrics() -> String {
    observe::prometheus_text()
}

/// Forgets every counter (tests; exporters of deltas).
#[uniffi::export]
pub fn reset_metrics() {
    observe::metrics::reset();
}
