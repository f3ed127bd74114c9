//! `GatewayResult`: what the application gateway answers Alipay (status, content type, body) and
//! what it did with the request (the outcome's name, the typed error, the ingestion) — the Python
//! face of `alipay_isv::gateway::GatewayResult`.

use alipay_isv::gateway::{self, GatewayOutcome};
use pyo3::prelude::*;

use crate::error::exception;
use crate::registry::outcome;

/// The application gateway's answer to one request and what it did: write :attr:`status`,
/// :attr:`content_type` and :attr:`body` back as the HTTP response. Alipay stops retrying a
/// notification only when the body is ``success``. ``repr()`` shows the status, the outcome and
/// the error's kind and reason (never a secret).
#[pyclass(module = "alipay_isv", frozen)]
pub struct GatewayResult {
    inner: gateway::GatewayResult,
    error: Option<Py<PyAny>>,
}

impl GatewayResult {
    /// Wraps a core result, building the Python exception of its error once.
    pub(crate) fn wrap(py: Python<'_>, inner: gateway::GatewayResult) -> Self {
        let error = inner
            .outcome
            .error()
            .map(|error| exception(py, error.clone()));
        GatewayResult { inner, error }
    }
}

#[pymethods]
impl GatewayResult {
    /// The HTTP status: 200 for ``success`` and the gateway check; 400 for a refused
    /// notification (signature, malformed, missing required fields), 413 for a body over the
    /// limit, 415 for a body that is not a form, 500 when storing or handling failed (each with
    /// the body ``fail``, so Alipay retries).
    #[getter]
    fn status(&self) -> u16 {
        self.inner.answer.status
    }

    /// The ``Content-Type`` header (``text/plain; charset=utf-8``, or ``text/xml; charset=…``
    /// for the gateway check).
    #[getter]
    fn content_type(&self) -> &str {
        &self.inner.answer.content_type
    }

    /// The body (ASCII text): ``success``, ``fail`` or the signed XML of the gateway check.
    #[getter]
    fn body(&self) -> &str {
        &self.inner.answer.body
    }

    /// Whether the body is ``success`` (Alipay stops retrying).
    #[getter]
    fn is_success(&self) -> bool {
        self.inner.answer.is_success()
    }

    /// What was done: ``"service_check"`` (the gateway check answered), ``"handled"`` (a
    /// notification stored and handled), ``"already_handled"`` (Alipay retried one handled
    /// before: nothing done), ``"refused"`` (nothing stored), ``"failed"`` (storing failed:
    /// Alipay retries) or ``"handler_failed"`` (stored, but the handler raised: Alipay retries
    /// and the handler runs again).
    #[getter]
    fn outcome(&self) -> &'static str {
        self.inner.outcome.as_str()
    }

    /// The library's error of a refused or failed request: an :class:`AlipayError` (not
    /// raised); ``None`` otherwise (a failed handler's exception is :attr:`handler_error`). It
    /// never reaches the HTTP body.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.error.as_ref().map(|error| error.clone_ref(py))
    }

    /// What a failed handler raised (its exception's text, shortened), for
    /// ``"handler_failed"``; ``None`` otherwise. It never reaches the HTTP body.
    #[getter]
    fn handler_error(&self) -> Option<&str> {
        self.inner.outcome.handler_error()
    }

    /// What the registry did with a handled notification (an :class:`IngestOutcome`);
    /// ``None`` for the other outcomes.
    #[getter]
    fn ingest<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        match &self.inner.outcome {
            GatewayOutcome::Handled { ingest } => Ok(Some(outcome(py, *ingest)?)),
            _ => Ok(None),
        }
    }

    /// For a gateway check, whether the check request's own signature verified; ``None``
    /// otherwise.
    #[getter]
    fn verified(&self) -> Option<bool> {
        match &self.inner.outcome {
            GatewayOutcome::ServiceCheck { verified } => Some(*verified),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        let detail = match &self.inner.outcome {
            GatewayOutcome::Handled { ingest } => format!(", ingest='{}'", ingest.as_str()),
            GatewayOutcome::ServiceCheck { verified } => {
                format!(", verified={}", if *verified { "True" } else { "False" })
            }
            GatewayOutcome::Refused { error } | GatewayOutcome::Failed { error } => {
                format!(", error='{}: {}'", error.kind(), error.reason())
            }
            GatewayOutcome::HandlerFailed { reason, .. } => {
                format!(", handler_error={:?}", reason)
            }
            GatewayOutcome::AlreadyHandled => String::new(),
        };
        format!(
            "GatewayResult(status={}, body='{}', outcome='{}'{detail})",
            self.inner.answer.status,
            if self.inner.answer.body.len() > 16 {
                "…"
            } else {
                &self.inner.answer.body
            },
            self.inner.outcome.as_str(),
        )
    }
}
