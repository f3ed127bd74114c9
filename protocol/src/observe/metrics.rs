//! Process-wide counters of the observed [`Event`]s, by kind, method and outcome, with the summed
//! latency: read them as [`MetricSample`]s ([`snapshot`]) or as Prometheus text ([`prometheus_text`]).
//!
//! The labels come from what is trusted: an API method we called, the `notify_type` / `msg_method` of
//! a notification whose signature verified. A refused notification has no method label, so hostile
//! input cannot create series; past [`MAX_SERIES`] distinct label sets, new ones count as `other`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use super::event::{Event, EventKind, Outcome};

/// The most distinct (kind, method, outcome) series kept; later ones are counted under method
/// `other`.
pub const MAX_SERIES: usize = 1000;

/// One counter: how many events of this kind, method and outcome, and their summed latency.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSample {
    /// The kind of event.
    pub kind: EventKind,
    /// The method label (`-` when the event had none, `other` past [`MAX_SERIES`]).
    pub method: String,
    /// The outcome label (`success` or an error kind).
    pub outcome: Outcome,
    /// How many events.
    pub count: u64,
    /// Their latencies summed, in seconds.
    pub latency_seconds_total: f64,
}

/// The counters by (kind, outcome), then by method: a lookup by `&str` finds an existing series
/// without allocating, the common case on every call and notification.
type Series = BTreeMap<(EventKind, Outcome), BTreeMap<String, (u64, Duration)>>;

static SERIES: Mutex<Series> = Mutex::new(BTreeMap::new());

fn series() -> std::sync::MutexGuard<'static, Series> {
    SERIES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Counts `event`.
pub(super) fn record(event: &Event) {
    let method = event.method.as_deref().unwrap_or("-");
    let key = (event.kind, event.outcome);
    let mut series = series();
    let entry = match series
        .get_mut(&key)
        .and_then(|by_method| by_method.get_mut(method))
    {
        Some(entry) => entry,
        None => {
            let total: usize = series.values().map(BTreeMap::len).sum();
            let method = if total >= MAX_SERIES { "other" } else { method };
            series
                .entry(key)
                .or_default()
                .entry(method.to_string())
                .or_insert((0, Duration::ZERO))
        }
    };
    entry.0 += 1;
    entry.1 += event.latency;
}

/// Every counter, ordered by kind, method and outcome.
pub fn snapshot() -> Vec<MetricSample> {
    let mut samples: Vec<MetricSample> = series()
        .iter()
        .flat_map(|((kind, outcome), by_method)| {
            by_method
                .iter()
                .map(move |(method, (count, latency))| MetricSample {
                    kind: *kind,
                    method: method.clone(),
                    outcome: *outcome,
                    count: *count,
                    latency_seconds_total: latency.as_secs_f64(),
                })
        })
        .collect();
    samples.sort_by(|a, b| (a.kind, &a.method, a.outcome).cmp(&(b.kind, &b.method, b.outcome)));
    samples
}

/// Forgets every counter (tests; a host that exports deltas).
pub fn reset() {
    series().clear();
}

/// The Prometheus metric family of each kind, with the name of its method label.
fn family(kind: EventKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        EventKind::Call => ("alipay_isv_calls", "method", "gateway calls"),
        EventKind::Notification => (
            "alipay_isv_notifications",
            "notify_type",
            "notifications received by the application gateway",
        ),
        EventKind::Refresh => ("alipay_isv_refreshes", "method", "app_auth_token refreshes"),
        EventKind::Revocation => (
            "alipay_isv_revocations",
            "method",
            "merchant authorisations revoked",
        ),
    }
}

/// The counters in the Prometheus text exposition format (version 0.0.4): for each kind a
/// `…_total` counter and a `…_seconds_sum` latency sum, labelled by method and outcome. Serve it at
/// `/metrics` with `Content-Type: text/plain; version=0.0.4`.
pub fn prometheus_text() -> String {
    let samples = snapshot();
    let mut text = String::new();
    for kind in [
        EventKind::Call,
        EventKind::Notification,
        EventKind::Refresh,
        EventKind::Revocation,
    ] {
        let (name, method_label, help) = family(kind);
        let of_kind: Vec<&MetricSample> = samples.iter().filter(|s| s.kind == kind).collect();
        let _ = writeln!(text, "# HELP {name}_total Number of {help}, by outcome.");
        let _ = writeln!(text, "# TYPE {name}_total counter");
        for sample in &of_kind {
            let _ = writeln!(
                text,
                "{name}_total{{{method_label}=\"{}\",outcome=\"{}\"}} {}",
                escape(&sample.method),
                sample.outcome.as_str(),
                sample.count
            );
        }
        let _ = writeln!(
            text,
            "# HELP {name}_seconds_sum Time spent in {help}, in seconds."
        );
        let _ = writeln!(text, "# TYPE {name}_seconds_sum counter");
        for sample in &of_kind {
            let _ = writeln!(
                text,
                "{name}_seconds_sum{{{method_label}=\"{}\",outcome=\"{}\"}} {}",
                escape(&sample.method),
                sample.outcome.as_str(),
                sample.latency_seconds_total
            );
        }
    }
    text
}

/// A label value escaped for the exposition format (`\\`, `\"`, `\n`).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
