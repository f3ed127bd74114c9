//! `PrivateKey`, `PublicKey`, `KeyPair` and `generate_key_pair`: the Python face of `alipay_isv::key`.
//!
//! Parsing and generation run with the GIL released. `repr()` shows the size and the public
//! fingerprint only, never key material.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use alipay_isv::key;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

use crate::error::{detached, guarded};

/// An RSA private key (the app's), parsed once and reused for every signature.
///
/// ``repr()`` shows the size and the public fingerprint, never key material.
///
/// Parses a private key from PEM or bare one-line Base64 text, PKCS#1 or PKCS#8.
///
/// Raises:
///     ConfigError: the text is not an RSA private key of 1024 to 8192 bits (the reason
///         says what was found instead, never the key itself).
#[pyclass(module = "alipay_isv", frozen)]
pub struct PrivateKey {
    pub(crate) inner: Arc<key::PrivateKey>,
}

#[pymethods]
impl PrivateKey {
    /// Parses a private key from PEM or bare one-line Base64 text, PKCS#1 or PKCS#8.
    ///
    /// Raises:
    ///     ConfigError: the text is not an RSA private key of 1024 to 8192 bits (the reason
    ///         says what was found instead, never the key itself).
    #[new]
    #[pyo3(signature = (text))]
    fn new(py: Python<'_>, text: PyBackedStr) -> PyResult<Self> {
        let inner = detached(py, || Ok(key::PrivateKey::from_text(&text)?))?;
        Ok(PrivateKey {
            inner: Arc::new(inner),
        })
    }

    /// Parses a DER-encoded private key, PKCS#8 or PKCS#1.
    ///
    /// Raises:
    ///     ConfigError: as for the constructor.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn from_der(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let inner = detached(py, || Ok(key::PrivateKey::from_der(data)?))?;
        Ok(PrivateKey {
            inner: Arc::new(inner),
        })
    }

    /// The modulus size in bits (2048 for every current Alipay app key).
    #[getter]
    fn bits(&self) -> PyResult<usize> {
        guarded(|| Ok(self.inner.bits()))
    }

    /// The public half of this key, e.g. to upload to the Alipay console.
    fn public_key(&self) -> PyResult<PublicKey> {
        guarded(|| Ok(PublicKey::wrap(self.inner.public_key().clone())))
    }

    /// PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``), the form Java tools expect.
    fn to_pkcs8_pem(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pkcs8_pem()?.to_string()))
    }

    /// PKCS#1 PEM (``-----BEGIN RSA PRIVATE KEY-----``), the form most other tools expect.
    fn to_pkcs1_pem(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pkcs1_pem()?.to_string()))
    }

    /// PKCS#8 DER as one line of Base64 (the Alipay key tool's Java format).
    fn to_pkcs8_base64(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pkcs8_base64()?.to_string()))
    }

    /// PKCS#1 DER as one line of Base64 (the Alipay key tool's non-Java format, and what
    /// the official Python SDK expects).
    fn to_pkcs1_base64(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pkcs1_base64()?.to_string()))
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            Ok(format!(
                "PrivateKey(bits={}, public_fingerprint='{}')",
                self.inner.bits(),
                self.inner.public_key().fingerprint()
            ))
        })
    }
}

/// An RSA public key (the Alipay public key, or the app's own).
///
/// Two keys are equal (and hash equally) when their modulus and exponent are.
///
/// Parses a public key from PEM or bare Base64 text: SPKI, PKCS#1 or an X.509
/// certificate (its subject key).
///
/// Raises:
///     ConfigError: the text is not an RSA public key of 1024 to 8192 bits.
#[pyclass(module = "alipay_isv", frozen)]
pub struct PublicKey {
    pub(crate) inner: Arc<key::PublicKey>,
}

impl PublicKey {
    pub(crate) fn wrap(inner: key::PublicKey) -> Self {
        PublicKey {
            inner: Arc::new(inner),
        }
    }
}

#[pymethods]
impl PublicKey {
    /// Parses a public key from PEM or bare Base64 text: SPKI, PKCS#1 or an X.509
    /// certificate (its subject key).
    ///
    /// Raises:
    ///     ConfigError: the text is not an RSA public key of 1024 to 8192 bits.
    #[new]
    #[pyo3(signature = (text))]
    fn new(py: Python<'_>, text: PyBackedStr) -> PyResult<Self> {
        detached(py, || Ok(key::PublicKey::from_text(&text)?)).map(Self::wrap)
    }

    /// Parses a DER-encoded public key: SPKI, PKCS#1 or an X.509 certificate.
    ///
    /// Raises:
    ///     ConfigError: as for the constructor.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn from_der(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        detached(py, || Ok(key::PublicKey::from_der(data)?)).map(Self::wrap)
    }

    /// The modulus size in bits.
    #[getter]
    fn bits(&self) -> PyResult<usize> {
        guarded(|| Ok(self.inner.bits()))
    }

    /// SPKI PEM (``-----BEGIN PUBLIC KEY-----``).
    fn to_pem(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pem()))
    }

    /// SPKI DER as one line of Base64: what the Alipay console asks for.
    fn to_base64(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_base64()))
    }

    /// SPKI DER bytes.
    fn to_der<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let der = guarded(|| Ok(self.inner.to_der().to_vec()))?;
        Ok(PyBytes::new(py, &der))
    }

    /// ``SHA256:`` and 16 hex digits of the SHA-256 of the SPKI DER: a short public name for
    /// the key, safe to log.
    #[getter]
    fn fingerprint(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.fingerprint()))
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.inner.to_der().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            Ok(format!(
                "PublicKey(bits={}, fingerprint='{}')",
                self.inner.bits(),
                self.inner.fingerprint()
            ))
        })
    }
}

/// A freshly generated key pair (see :func:`generate_key_pair`).
#[pyclass(module = "alipay_isv", frozen)]
pub struct KeyPair {
    /// The private key: keep it secret, export it with ``to_pkcs8_pem()``.
    #[pyo3(get)]
    private_key: Py<PrivateKey>,
    /// The public key: upload ``to_base64()`` to the Alipay console.
    #[pyo3(get)]
    public_key: Py<PublicKey>,
}

#[pymethods]
impl KeyPair {
    fn __repr__(&self) -> PyResult<String> {
        let public = self.public_key.get();
        guarded(|| {
            Ok(format!(
                "KeyPair(bits={}, fingerprint='{}')",
                public.inner.bits(),
                public.inner.fingerprint()
            ))
        })
    }
}

/// Generates an RSA key pair of ``bits`` bits: 2048 (Alipay's size), 3072 or 4096.
///
/// Raises:
///     ConfigError: any other size.
#[pyfunction]
#[pyo3(signature = (bits = 2048))]
pub(crate) fn generate_key_pair(py: Python<'_>, bits: u32) -> PyResult<KeyPair> {
    let pair = detached(py, || Ok(key::generate_key_pair(bits)?))?;
    Ok(KeyPair {
        private_key: Py::new(
            py,
            PrivateKey {
                inner: Arc::new(pair.private_key),
            },
        )?,
        public_key: Py::new(py, PublicKey::wrap(pair.public_key))?,
    })
}
