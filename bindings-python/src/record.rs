//! What the registry hands out and takes in: `MerchantAuthorisation` (one stored merchant
//! authorisation), `TokenKey` (the key of tokens at rest), and the `IngestOutcome` / `AuthStatus` /
//! `AuthOrigin` values as the `str` enums of `alipay_isv/enums.py` — the Python face of the types of
//! `alipay_isv::registry`.
//!
//! `repr()` masks every token and never shows the key.

use alipay_isv::registry::{self, AuthStatus, IngestOutcome};
use alipay_isv::secret::{shown, shown_optional};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::convert::optional;
use crate::error::{Failure, guarded};

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

/// One merchant authorisation as stored in a registry. `repr()` masks the tokens.
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
    /// The merchant's authorised app (the unique key).
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// The merchant's PID (`2088…`), when known.
    #[getter]
    fn merchant_pid(&self) -> Option<&str> {
        self.inner.merchant_pid.as_deref()
    }

    /// The stored token for delegated calls: keep it secret.
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

    /// When the current token was issued, epoch milliseconds.
    #[getter]
    fn token_issued_at_ms(&self) -> i64 {
        self.inner.token_issued_at_ms
    }

    /// `AuthStatus.ACTIVE` or `AuthStatus.REVOKED`.
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

    /// Incremented by every write.
    #[getter]
    fn version(&self) -> i64 {
        self.inner.version
    }

    /// `(owner, until_ms)` of the registry refreshing the token right now, if any.
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

    /// `AuthOrigin.AUTHORISED` (the merchant authorised through a link) or `AuthOrigin.IMPORTED`
    /// (a token copied from the open-platform console, `Registry.import_token`).
    #[getter]
    fn origin<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        enum_member(py, "AuthOrigin", self.inner.origin.as_str())
    }

    fn __repr__(&self) -> String {
        let record = &self.inner;
        format!(
            "MerchantAuthorisation(auth_app_id='{}', merchant_pid={}, status='{}', \
             app_auth_token={}, app_refresh_token={}, expires_at_ms={}, authorised_at_ms={}, \
             granted_methods={}, version={}, origin='{}')",
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

/// The key material of a `TokenKey`, kept to build a core key for each registry opened with it.
enum Material {
    /// Base64 text of 32 bytes.
    Base64(Zeroizing<String>),
    /// 32 raw bytes.
    Raw(Zeroizing<Vec<u8>>),
}

/// A 256-bit key encrypting stored tokens at rest (AES-256-GCM). `repr()` shows nothing of it.
#[pyclass(module = "alipay_isv", frozen)]
pub struct TokenKey {
    material: Material,
}

impl TokenKey {
    /// A core key of this material.
    pub(crate) fn core(&self) -> Result<registry::TokenKey, Failure> {
        Ok(match &self.material {
            Material::Base64(text) => registry::TokenKey::from_base64(text)?,
            Material::Raw(bytes) => registry::TokenKey::from_bytes(bytes)?,
        })
    }

    /// A core key from a registry's `key=` argument: a `TokenKey`, its Base64 text, or 32 bytes.
    pub(crate) fn extract(value: &Bound<'_, PyAny>) -> PyResult<registry::TokenKey> {
        if let Ok(key) = value.cast::<TokenKey>() {
            return guarded(|| key.get().core());
        }
        if value.is_instance_of::<PyString>() {
            let text: PyBackedStr = value.extract()?;
            return guarded(|| Ok(registry::TokenKey::from_base64(&text)?));
        }
        if value.is_instance_of::<PyBytes>() {
            let bytes: PyBackedBytes = value.extract()?;
            return guarded(|| Ok(registry::TokenKey::from_bytes(&bytes)?));
        }
        Err(PyTypeError::new_err(
            "key must be a TokenKey, its Base64 text, or 32 bytes",
        ))
    }
}

#[pymethods]
impl TokenKey {
    /// A key from its Base64 text (44 characters for 32 bytes).
    #[new]
    #[pyo3(signature = (text))]
    fn new(text: &str) -> PyResult<Self> {
        let material = Material::Base64(Zeroizing::new(text.to_string()));
        let key = TokenKey { material };
        guarded(|| key.core().map(drop))?;
        Ok(key)
    }

    /// A key from 32 raw bytes.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        let material = Material::Raw(Zeroizing::new(data.to_vec()));
        let key = TokenKey { material };
        guarded(|| key.core().map(drop))?;
        Ok(key)
    }

    /// A fresh random key, as Base64 text, for a host setting up encryption.
    #[staticmethod]
    fn generate_base64() -> PyResult<String> {
        guarded(|| Ok(registry::TokenKey::generate_base64()?.to_string()))
    }

    fn __repr__(&self) -> &'static str {
        "TokenKey(AES-256-GCM, redacted)"
    }
}
