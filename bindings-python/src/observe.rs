//! The Python face of `alipay_isv::observe`: every event of the core (gateway calls, notifications,
//! registry refreshes and revocations) becomes a `logging` record of the logger
//! `alipay_isv.<kind>` (`INFO` for a success, `WARNING` for a failure) whose `alipay` attribute holds
//! the event's fields; and the process-wide counters, as dicts or Prometheus text.
//!
//! The bridge is installed when the module is imported. A record is made only when the logger is
//! enabled for its level, so an application that does not configure `logging` pays one check.

use std::sync::Arc;

use alipay_isv::observe::{self, Event, EventKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// `logging.INFO` and `logging.WARNING`.
const INFO: u8 = 20;
const WARNING: u8 = 30;

/// The loggers `alipay_isv.call`, `.notification`, `.refresh`, `.revocation`, looked up once.
static LOGGERS: PyOnceLock<[Py<PyAny>; 4]> = PyOnceLock::new();

/// Installs the bridge from core events to Python `logging` (once per process).
pub(crate) fn install_logging_bridge() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        observe::add_listener(Arc::new(|event: &Event| {
            // Events come from threads that released the GIL; logging needs it back briefly (and
            // is skipped while the interpreter shuts down). A failing handler must not break the
            // call that was observed: its error is dropped.
            let _ = Python::try_attach(|py| log(py, event).is_ok());
        }));
    });
}

/// Logs `event` to its logger when that logger is enabled for the event's level.
fn log(py: Python<'_>, event: &Event) -> PyResult<()> {
    let loggers = LOGGERS.get_or_try_init(py, || -> PyResult<[Py<PyAny>; 4]> {
        let logging = py.import("logging")?;
        let logger = |name: &str| -> PyResult<Py<PyAny>> {
            Ok(logging.call_method1("getLogger", (name,))?.unbind())
        };
        Ok([
            logger("alipay_isv.call")?,
            logger("alipay_isv.notification")?,
            logger("alipay_isv.refresh")?,
            logger("alipay_isv.revocation")?,
        ])
    })?;
    let index = match event.kind {
        EventKind::Call => 0,
        EventKind::Notification => 1,
        EventKind::Refresh => 2,
        EventKind::Revocation => 3,
    };
    let logger = loggers[index].bind(py);
    let level = if event.is_failure() { WARNING } else { INFO };
    if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
        return Ok(());
    }
    let fields = PyDict::new(py);
    for (name, value) in event.fields() {
        match name {
            "latency_ms" => fields.set_item(name, event.latency_ms())?,
            "retries" => fields.set_item(name, event.retries)?,
            _ => fields.set_item(name, value)?,
        }
    }
    let extra = PyDict::new(py);
    extra.set_item("alipay", fields)?;
    let options = PyDict::new(py);
    options.set_item("extra", extra)?;
    logger.call_method("log", (level, event.message()), Some(&options))?;
    Ok(())
}

/// Every counter of observed events (gateway calls, notifications, registry refreshes and
/// revocations): dicts with ``kind``, ``method``, ``outcome`` (``success`` or an error kind),
/// ``count`` and ``latency_seconds_total``. Process-wide.
#[pyfunction]
pub fn metrics_snapshot(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    observe::metrics_snapshot()
        .into_iter()
        .map(|sample| {
            let item = PyDict::new(py);
            item.set_item("kind", sample.kind.as_str())?;
            item.set_item("method", sample.method)?;
            item.set_item("outcome", sample.outcome.as_str())?;
            item.set_item("count", sample.count)?;
            item.set_item("latency_seconds_total", sample.latency_seconds_total)?;
            Ok(item)
        })
        .collect()
}

/// The counters in the Prometheus text exposition format: serve it at ``/metrics`` with
/// ``Content-Type: text/plain; version=0.0.4``.
#[pyfunction]
pub fn prometheus_metrics() -> String {
    observe::prometheus_text()
}

/// Forgets every counter (tests; exporters of deltas).
#[pyfunction]
pub fn reset_metrics() {
    observe::metrics::reset();
}
