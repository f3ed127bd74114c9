//! Observability: every gateway call, every notification received, every registry refresh and
//! revocation is one structured [`Event`] — app id, merchant app, method, outcome (`code` /
//! `sub_code`), latency, Alipay's trace id, retry count; never a secret.
//!
//! [`emit`] sends each event three ways:
//! - to `tracing` (targets `alipay_isv::call`, `alipay_isv::notification`, `alipay_isv::refresh`,
//!   `alipay_isv::revocation`; `INFO` for a success, `WARN` for a failure), for Rust hosts;
//! - to the process-wide counters of [`metrics`] (also as Prometheus text);
//! - to the listeners added with [`add_listener`]: how the bindings bridge events to Python's
//!   `logging`, a Node callback and SLF4J. A listener that panics is skipped, never propagated.

mod event;
pub mod metrics;

pub use event::{Event, EventKind, Outcome};
pub use metrics::{MetricSample, prometheus_text, snapshot as metrics_snapshot};

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// A function called with every event, on the thread that produced it.
pub type Listener = Arc<dyn Fn(&Event) + Send + Sync>;

/// What [`add_listener`] returns, to remove the listener again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListenerId(pub u64);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
static LISTENERS: RwLock<Vec<(u64, Listener)>> = RwLock::new(Vec::new());

/// Calls `listener` with every event from now on, in every thread, until removed.
pub fn add_listener(listener: Listener) -> ListenerId {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    LISTENERS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push((id, listener));
    ListenerId(id)
}

/// Stops calling the listener `id`; `false` when it was not listening.
pub fn remove_listener(id: ListenerId) -> bool {
    let mut listeners = LISTENERS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = listeners.len();
    listeners.retain(|(listening, _)| *listening != id.0);
    listeners.len() != before
}

/// Records `event`: `tracing`, the counters, then every listener (a panicking one is skipped).
pub fn emit(event: &Event) {
    trace(event);
    metrics::record(event);
    let listeners: Vec<Listener> = {
        let registered = LISTENERS
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if registered.is_empty() {
            return;
        }
        registered
            .iter()
            .map(|(_, listener)| listener.clone())
            .collect()
    };
    for listener in listeners {
        let _ = catch_unwind(AssertUnwindSafe(|| listener(event)));
    }
}

/// Emits one `tracing` event with every field of `event` (the target and level must be constants,
/// hence one arm per kind and level).
fn trace(event: &Event) {
    macro_rules! traced {
        ($target:literal, $level:expr) => {
            tracing::event!(
                target: $target,
                $level,
                app_id = event.app_id.as_deref(),
                auth_app_id = event.auth_app_id.as_deref(),
                method = event.method.as_deref(),
                outcome = event.outcome.as_str(),
                code = event.code.as_deref(),
                sub_code = event.sub_code.as_deref(),
                latency_ms = event.latency_ms(),
                trace_id = event.trace_id.as_deref(),
                retries = event.retries,
                notify_id = event.notify_id.as_deref(),
                signed_form = event.signed_form,
                reason = event.reason.as_deref(),
                "{}",
                event.message()
            )
        };
    }
    use tracing::Level;
    match (event.kind, event.is_failure()) {
        (EventKind::Call, false) => traced!("alipay_isv::call", Level::INFO),
        (EventKind::Call, true) => traced!("alipay_isv::call", Level::WARN),
        (EventKind::Notification, false) => traced!("alipay_isv::notification", Level::INFO),
        (EventKind::Notification, true) => traced!("alipay_isv::notification", Level::WARN),
        (EventKind::Refresh, false) => traced!("alipay_isv::refresh", Level::INFO),
        (EventKind::Refresh, true) => traced!("alipay_isv::refresh", Level::WARN),
        (EventKind::Revocation, false) => traced!("alipay_isv::revocation", Level::INFO),
        (EventKind::Revocation, true) => traced!("alipay_isv::revocation", Level::WARN),
    }
}

#[cfg(test)]
mod tests;
