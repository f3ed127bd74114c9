//! `TokenKey`: the key of tokens at rest (AES-256-GCM), the Python face of
//! `alipay_isv::registry::TokenKey`, taken by `Registry.open(key=)` as a `TokenKey`, its Base64 text
//! or 32 bytes. `repr()` never shows the key.

use alipay_isv::registry;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString};
use zeroize::Zeroizing;

use crate::error::{Failure, guarded};

/// The key material of a `TokenKey`, kept to build a core key for each registry opened with it.
enum Material {
    /// Base64 text of 32 bytes.
    Base64(Zeroizing<String>),
    /// 32 raw bytes.
    Raw(Zeroizing<Vec<u8>>),
}

/// A 256-bit key encrypting stored tokens at rest (AES-256-GCM), provided by the host (a
/// secret manager, an environment variable). ``repr()`` shows nothing of it.
///
/// A key from its Base64 text (44 characters for 32 bytes).
///
/// Raises:
///     ConfigError: the text is not Base64 of 32 bytes.
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
    ///
    /// Raises:
    ///     ConfigError: the text is not Base64 of 32 bytes.
    #[new]
    #[pyo3(signature = (text))]
    fn new(text: &str) -> PyResult<Self> {
        let material = Material::Base64(Zeroizing::new(text.to_string()));
        let key = TokenKey { material };
        guarded(|| key.core().map(drop))?;
        Ok(key)
    }

    /// A key from 32 raw bytes.
    ///
    /// Raises:
    ///     ConfigError: not 32 bytes.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        let material = Material::Raw(Zeroizing::new(data.to_vec()));
        let key = TokenKey { material };
        guarded(|| key.core().map(drop))?;
        Ok(key)
    }

    /// A fresh random key as Base64 text, for a host setting up encryption: store it as a
    /// secret and pass it (or a :class:`TokenKey` of it) as ``Registry(..., key=...)``.
    #[staticmethod]
    fn generate_base64() -> PyResult<String> {
        guarded(|| Ok(registry::TokenKey::generate_base64()?.to_string()))
    }

    fn __repr__(&self) -> &'static str {
        "TokenKey(AES-256-GCM, redacted)"
    }
}
