//! What the registry hands out: `MerchantAuthorisation` (one stored merchant authorisation), and the
//! `IngestOutcome` / `AuthStatus` / `AuthOrigin` values as the `str` enums of `alipay_isv/enums.py` —
//! the Python face of `alipay_isv::registry`'s record types.
//!
//! `repr()` masks every token.

use alipay_isv::registry::{self, AuthStatus, IngestOutcome};
use alipay_isv::secret::{shown, shown_optional};
use pyo3::prelude::*;

use crate::convert::optional;

/// The member of the Python `str` enum `name` (in `alipay_isv.enums`) whose value is `value`.
fn enum_member<'py>(py: Python<'py>, name: &str, value: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("alipay_isv.enums")?
        .getattr(name)?
        .call1((value,))
}

/// An `IngestOutcome` member.
pub(crate) fn outcome<'py>(py: Python<'py>, outcome: IngestOutcome) -> PyResult<Bound<'py, PyAny>> {
    enum_member(py, "IngestOutcome", outcome.as_str())
}

/// `123` or `None`, for a `repr`.
fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "None".to_string(), |n| n.to_string())
}

/// One merchant authorisation stored in a :class:`Registry`: unique per (``app_id``,
/// ``auth_app_id``) — our app the merchant authorised, and the merchant's app — and indexed by
/// the merchant's PID. A snapshot: read the registry again for fresh state. ``repr()`` masks
/// the tokens.
#[pyclass(module = "alipay_isv", frozen)]
pub struct MerchantAuthorisation {
    inner: registry::MerchantAuthorisation,
}

impl MerchantAuthorisation {
    /// Wraps a core record.
    pub(crate) fn wrap(inner: registry::MerchantAuthorisation) -> Self {
        MerchantAuthorisation { inner }
    }
}

#[pymethods]
impl MerchantAuthorisation {
    /// Our app the merchant authorised: the third-party app, or the plugin for a plugin
    /// authorisation. Empty for a record stored before the registry recorded apps, until the
    /// first write by an app moves it under that app.
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The merchant's authorised app (with :attr:`app_id`, the unique key).
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// The merchant's PID (``2088…``), when known.
    #[getter]
    fn merchant_pid(&self) -> Option<&str> {
        self.inner.merchant_pid.as_deref()
    }

    /// The stored token for delegated calls: keep it secret. Prefer
    /// :meth:`Registry.token_for`, which refreshes it when due.
    #[getter]
    fn app_auth_token(&self) -> &str {
        &self.inner.app_auth_token
    }

    /// The token to refresh it with: keep it secret.
    #[getter]
    fn app_refresh_token(&self) -> Option<&str> {
        self.inner.app_refresh_token.as_deref()
    }

    /// When the token expires, epoch milliseconds, when known.
    #[getter]
    fn expires_at_ms(&self) -> Option<i64> {
        self.inner.expires_at_ms
    }

    /// When the refresh token expires, epoch milliseconds, when known.
    #[getter]
    fn refresh_expires_at_ms(&self) -> Option<i64> {
        self.inner.refresh_expires_at_ms
    }

    /// When the merchant authorised (or re-authorised), epoch milliseconds.
    #[getter]
    fn authorised_at_ms(&self) -> i64 {
        self.inner.authorised_at_ms
    }

    /// When the current token was issued (authorisation or refresh), epoch milliseconds.
    #[getter]
    fn token_issued_at_ms(&self) -> i64 {
        self.inner.token_issued_at_ms
    }

    /// :attr:`AuthStatus.ACTIVE` or :attr:`AuthStatus.REVOKED` (equal to ``"active"`` /
    /// ``"revoked"``).
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "AuthStatus", self.inner.status.as_str())
    }

    /// Whether the token can be used.
    #[getter]
    fn is_active(&self) -> bool {
        self.inner.status == AuthStatus::Active
    }

    /// When it was revoked, epoch milliseconds.
    #[getter]
    fn revoked_at_ms(&self) -> Option<i64> {
        self.inner.revoked_at_ms
    }

    /// The APIs the merchant granted, when a query told (a new list on each access).
    #[getter]
    fn granted_methods(&self) -> Vec<String> {
        self.inner.granted_methods.clone()
    }

    /// Incremented by every write (the compare-and-swap guard between processes).
    #[getter]
    fn version(&self) -> i64 {
        self.inner.version
    }

    /// ``(owner, until_ms)`` of the registry refreshing the token right now, if any.
    #[getter]
    fn refresh_lease(&self) -> Option<(String, i64)> {
        self.inner
            .refresh_lease
            .as_ref()
            .map(|lease| (lease.owner.clone(), lease.until_ms))
    }

    /// The last write, epoch milliseconds.
    #[getter]
    fn updated_at_ms(&self) -> i64 {
        self.inner.updated_at_ms
    }

    /// :attr:`AuthOrigin.AUTHORISED` (the merchant authorised through a link) or
    /// :attr:`AuthOrigin.IMPORTED` (a token copied from the open-platform console and imported
    /// with :meth:`Registry.import_token`); equal to ``"authorised"`` / ``"imported"``.
    #[getter]
    fn origin<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "AuthOrigin", self.inner.origin.as_str())
    }

    fn __repr__(&self) -> String {
        let record = &self.inner;
        format!(
            "MerchantAuthorisation(app_id='{}', auth_app_id='{}', merchant_pid={}, status='{}', \
             app_auth_token={}, app_refresh_token={}, expires_at_ms={}, authorised_at_ms={}, \
             granted_methods={}, version={}, origin='{}')",
            record.app_id,
            record.auth_app_id,
            optional(record.merchant_pid.as_deref()),
            record.status.as_str(),
            optional(Some(&shown("app_auth_token", &record.app_auth_token))),
            optional(
                shown_optional("app_refresh_token", record.app_refresh_token.as_deref()).as_deref()
            ),
            number(record.expires_at_ms),
            record.authorised_at_ms,
            record.granted_methods.len(),
            record.version,
            record.origin.as_str(),
        )
    }
}
