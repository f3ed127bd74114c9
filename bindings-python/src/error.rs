//! The one place where core errors — and Rust panics — become Python exceptions.
//!
//! The exception classes are plain Python, defined in `alipay_isv/errors.py` (hierarchy under
//! `AlipayError`, each carrying `kind` and `reason`; `ApiError` also `code`, `msg`, `sub_code`,
//! `sub_msg`, `signed`, `hint`, and for an OpenAPI v3 answer `http_status`, `trace_id`, `links`). This module imports them and builds instances from
//! [`alipay_isv::Error`]. [`detached`] and [`guarded`] are the entry-point wrappers every binding
//! function goes through: they catch panics (raised as the base `AlipayError`, kind `internal`) and
//! map core errors; [`detached`] also releases the GIL for the duration of the call.

use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

mod classes {
    pyo3::import_exception!(alipay_isv.errors, AlipayError);
    pyo3::import_exception!(alipay_isv.errors, ConfigError);
    pyo3::import_exception!(alipay_isv.errors, SignatureError);
    pyo3::import_exception!(alipay_isv.errors, ApiError);
    pyo3::import_exception!(alipay_isv.errors, TransportError);
    pyo3::import_exception!(alipay_isv.errors, ProtocolError);
    pyo3::import_exception!(alipay_isv.errors, StoreError);
}

/// Why a binding call failed: the core said no, or Rust panicked.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error returned by the core.
    Core(alipay_isv::Error),
    /// A caught panic, with its message when it had one.
    Panic(String),
}

impl From<alipay_isv::Error> for Failure {
    fn from(error: alipay_isv::Error) -> Self {
        Failure::Core(error)
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Core(error) => core_error(error),
            Failure::Panic(detail) => classes::AlipayError::new_err(format!(
                "internal error (a bug in alipay-isv, please report it): {detail}"
            )),
        }
    }
}

/// Builds the Python exception of the core error's category.
fn core_error(error: alipay_isv::Error) -> PyErr {
    use alipay_isv::Error;
    match error {
        Error::Config { reason } => classes::ConfigError::new_err(reason),
        Error::Signature { reason } => classes::SignatureError::new_err(reason),
        Error::Transport {
            reason,
            request_sent,
        } => classes::TransportError::new_err((reason, request_sent)),
        Error::Protocol { reason } => classes::ProtocolError::new_err(reason),
        Error::Store { reason } => classes::StoreError::new_err(reason),
        Error::Api(api) => {
            let reason = api.to_string();
            let api = *api;
            classes::ApiError::new_err((
                reason,
                api.code,
                api.msg,
                api.sub_code,
                api.sub_msg,
                api.signed,
                api.hint,
                api.http_status,
                api.trace_id,
                api.links,
            ))
        }
    }
}

/// The Python exception object of a core error (not raised: a value, e.g. a gateway result's
/// `error`).
pub(crate) fn exception(py: Python<'_>, error: alipay_isv::Error) -> Py<PyAny> {
    core_error(error).into_value(py).into_any()
}

/// The message of a caught panic payload (`&str` or `String`), or a placeholder.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Runs `call` catching panics and mapping core errors, with the GIL held (for cheap calls).
pub(crate) fn guarded<T>(call: impl FnOnce() -> Result<T, Failure>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result.map_err(PyErr::from),
        Err(payload) => Err(Failure::Panic(panic_message(payload)).into()),
    }
}

/// Runs `call` with the GIL released (every RSA operation goes through here), catching panics and
/// mapping core errors.
pub(crate) fn detached<T, F>(py: Python<'_>, call: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, Failure> + Send,
{
    py.detach(|| match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => Err(Failure::Panic(panic_message(payload))),
    })
    .map_err(PyErr::from)
}

/// Raises the exception of a core error of ``kind`` (test hook): ``config``, ``signature``,
/// ``transport`` (``request_sent`` true), ``transport_unsent``, ``protocol``, ``store``, ``api``,
/// ``api_bare`` or ``api_v3`` (an OpenAPI v3 error: HTTP status, trace id and links).
#[pyfunction]
pub(crate) fn _error_for_tests(kind: &str) -> PyResult<()> {
    use alipay_isv::{ApiError, Error};
    let reason = format!("test {kind} error");
    let error = match kind {
        "config" => Error::Config { reason },
        "signature" => Error::Signature { reason },
        "transport" => Error::Transport {
            reason,
            request_sent: true,
        },
        "transport_unsent" => Error::Transport {
            reason,
            request_sent: false,
        },
        "protocol" => Error::Protocol { reason },
        "store" => Error::Store { reason },
        "api" => Error::Api(Box::new(ApiError {
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: Some("isv.code-invalid".into()),
            sub_msg: Some("授权码code无效".into()),
            signed: true,
            hint: Some("exchange a fresh app_auth_code".into()),
            ..ApiError::default()
        })),
        "api_bare" => Error::Api(Box::new(ApiError {
            code: "40002".into(),
            msg: "Invalid Arguments".into(),
            sub_code: None,
            sub_msg: None,
            signed: false,
            hint: None,
            ..ApiError::default()
        })),
        "api_v3" => Error::Api(Box::new(ApiError {
            code: "invalid-app-auth-token".into(),
            msg: "app_auth_token无效".into(),
            signed: false,
            hint: Some("ask the merchant to authorise again".into()),
            http_status: Some(401),
            trace_id: Some("0b2f1a7e17966001000001234".into()),
            links: vec![
                "https://open.alipay.com/api/errCheck?traceId=0b2f1a7e17966001000001234".into(),
            ],
            ..ApiError::default()
        })),
        other => return Err(pyo3::exceptions::PyValueError::new_err(other.to_string())),
    };
    guarded(|| Err(error.into()))
}

/// Panics inside the extension (test hook): raises the base ``AlipayError``, kind
/// ``"internal"``.
#[pyfunction]
pub(crate) fn _panic_for_tests(py: Python<'_>, detach: bool) -> PyResult<()> {
    let call = || -> Result<(), Failure> { panic!("deliberate panic for the test suite") };
    if detach {
        detached(py, call)
    } else {
        guarded(call)
    }
}
