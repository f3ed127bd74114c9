//! The JavaScript face of `alipay_isv::observe`: every event of the core (gateway calls,
//! notifications, registry refreshes and revocations) is delivered to the listeners added with
//! [`on_event`] — asynchronously, on the JavaScript thread, without keeping the process alive — and
//! the process-wide counters read as [`MetricSample`]s or Prometheus text.

use std::sync::Arc;

use alipay_isv::observe::{self, Event, ListenerId};
use napi::Status;
use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// One observed operation: a gateway call, a notification received, a registry refresh or a
/// revocation. Every field is safe to log: no token or code ever enters an event.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ObservedEvent {
    /// What was observed.
    #[napi(ts_type = "'call' | 'notification' | 'refresh' | 'revocation'")]
    pub kind: String,
    /// `info` for a success, `warn` for a failure: the level to log it at.
    #[napi(ts_type = "'info' | 'warn'")]
    pub level: String,
    /// One line for a human, with every field.
    pub text: String,
    /// `success`, or the kind of the error.
    #[napi(
        ts_type = "'success' | 'config' | 'signature' | 'api' | 'transport' | 'protocol' | 'store'"
    )]
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
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
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

/// A JavaScript listener callable from any thread: called with the event alone (no error first), and
/// weak — it does not keep the event loop alive.
type EventCallback =
    ThreadsafeFunction<ObservedEvent, Unknown<'static>, ObservedEvent, Status, false, true>;

/// Calls `listener` with every observed event from now on (asynchronously, on the JavaScript thread;
/// a listener that throws is reported by Node as an uncaught exception). Returns an id for `offEvent`.
#[napi(
    catch_unwind,
    ts_args_type = "listener: (event: ObservedEvent) => void"
)]
pub fn on_event(listener: EventCallback) -> i64 {
    let listener = Arc::new(listener);
    let id = observe::add_listener(Arc::new(move |event: &Event| {
        listener.call(
            ObservedEvent::from(event),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }));
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

/// Stops calling the listener `id`; false when it was not listening.
#[napi(catch_unwind)]
pub fn off_event(id: i64) -> bool {
    u64::try_from(id).is_ok_and(|id| observe::remove_listener(ListenerId(id)))
}

/// One counter of observed events.
#[napi(object, object_from_js = false)]
pub struct MetricSample {
    /// `call`, `notification`, `refresh` or `revocation`.
    #[napi(ts_type = "'call' | 'notification' | 'refresh' | 'revocation'")]
    pub kind: String,
    /// The method (`-` when none).
    pub method: String,
    /// `success` or an error kind.
    #[napi(
        ts_type = "'success' | 'config' | 'signature' | 'api' | 'transport' | 'protocol' | 'store'"
    )]
    pub outcome: String,
    /// How many events.
    pub count: f64,
    /// Their latencies summed, in seconds.
    pub latency_seconds_total: f64,
}

/// Every counter of observed events (process-wide).
#[napi(catch_unwind)]
pub fn metrics_snapshot() -> Vec<MetricSample> {
    observe::metrics_snapshot()
        .into_iter()
        .map(|sample| MetricSample {
            kind: sample.kind.as_str().to_string(),
            method: sample.method,
            outcome: sample.outcome.as_str().to_string(),
            // Exact below 2^53 events.
            count: sample.count as f64,
            latency_seconds_total: sample.latency_seconds_total,
        })
        .collect()
}

/// The counters in the Prometheus text exposition format (serve it at `/metrics` with
/// `Content-Type: text/plain; version=0.0.4`).
#[napi(catch_unwind)]
pub fn prometheus_metrics() -> String {
    observe::prometheus_text()
}

/// Forgets every counter (tests; exporters of deltas).
#[napi(catch_unwind)]
pub fn reset_metrics() {
    observe::metrics::reset();
}
