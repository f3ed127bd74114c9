//! `AesKey`: the Python face of `alipay_isv::aes` (content encryption, `encrypt_type=AES`).
//!
//! `repr()` shows the key size only, never the key.

use alipay_isv::aes;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

use crate::convert::Body;
use crate::error::guarded;

/// The AES content-encryption key issued in the Alipay console (``encrypt_type=AES``:
/// AES-CBC, zero IV, PKCS#7). ``repr()`` shows the size only.
///
/// Parses the Base64 key from the console (16, 24 or 32 bytes once decoded).
///
/// Raises:
///     ConfigError: not Base64, or another length.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AesKey {
    pub(crate) inner: aes::AesKey,
}

#[pymethods]
impl AesKey {
    /// Parses the Base64 key from the console (16, 24 or 32 bytes once decoded).
    ///
    /// Raises:
    ///     ConfigError: not Base64, or another length.
    #[new]
    #[pyo3(signature = (text))]
    fn new(text: PyBackedStr) -> PyResult<Self> {
        let inner = guarded(|| Ok(aes::AesKey::from_base64(&text)?))?;
        Ok(AesKey { inner })
    }

    /// Encrypts ``bytes``, or a ``str`` as UTF-8; returns standard Base64.
    #[pyo3(signature = (plain))]
    fn encrypt(&self, plain: &Bound<'_, PyAny>) -> PyResult<String> {
        let plain = Body::extract(plain, alipay_isv::sign::Charset::Utf8, "plain")?;
        guarded(|| Ok(self.inner.encrypt(plain.as_bytes())?))
    }

    /// Decrypts standard Base64 ciphertext.
    ///
    /// Raises:
    ///     ProtocolError: not Base64, not whole blocks, or bad padding (usually the wrong key).
    #[pyo3(signature = (ciphertext))]
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        ciphertext: PyBackedStr,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let plain = guarded(|| Ok(self.inner.decrypt(&ciphertext)?))?;
        Ok(PyBytes::new(py, &plain))
    }

    fn __repr__(&self) -> String {
        // The core's Debug is `AesKey(N bits)`: never the key.
        let debug = format!("{:?}", self.inner);
        let bits: String = debug.chars().filter(char::is_ascii_digit).collect();
        format!("AesKey(bits={bits})")
    }
}

/// Reads an `aes_key` argument: an [`AesKey`] or its Base64 text.
pub(crate) fn extract_aes_key(value: &Bound<'_, PyAny>) -> PyResult<aes::AesKey> {
    if let Ok(key) = value.cast::<AesKey>() {
        return Ok(key.get().inner.clone());
    }
    let text: PyBackedStr = value.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("aes_key must be an AesKey or its Base64 str")
    })?;
    guarded(|| Ok(aes::AesKey::from_base64(&text)?))
}
