//! `Signer`, `Verifier`, `sign_content` and `looks_like_own_key`: the Python face of
//! `alipay_isv::sign`.
//!
//! Every signature and verification runs with the GIL released, so threads sign in parallel.
//! Parameters come in as any `Mapping[str, str]` (a `dict` usually).

use std::sync::Arc;

use alipay_isv::sign::{self, Charset, SignType};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyString};

use crate::error::{detached, guarded};
use crate::key::{PrivateKey, PublicKey};

/// Reads a `Mapping[str, str]` into owned pairs, in its iteration order.
pub(crate) fn extract_params(params: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    Ok(backed_params(params)?
        .into_iter()
        .map(|(key, value)| (String::from(&*key), String::from(&*value)))
        .collect())
}

/// Reads a `Mapping[str, str]` into pairs that borrow the Python strings (no copy), in its
/// iteration order; they may cross a released GIL.
pub(crate) fn backed_params(
    params: &Bound<'_, PyAny>,
) -> PyResult<Vec<(PyBackedStr, PyBackedStr)>> {
    let pair =
        |key: Bound<'_, PyAny>, value: Bound<'_, PyAny>| -> PyResult<(PyBackedStr, PyBackedStr)> {
            let key = key
                .cast_into::<PyString>()
                .map_err(|_| PyTypeError::new_err("params keys must be str"))?;
            let key = PyBackedStr::try_from(key)?;
            // The value is never echoed: it may be a token.
            let value = match value.cast_into::<PyString>() {
                Ok(text) => PyBackedStr::try_from(text)?,
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "params[{:?}] must be a str (convert it first)",
                        &*key
                    )));
                }
            };
            Ok((key, value))
        };
    if let Ok(dict) = params.cast::<PyDict>() {
        return dict.iter().map(|(key, value)| pair(key, value)).collect();
    }
    let items = params
        .call_method0("items")
        .map_err(|_| PyTypeError::new_err("params must be a Mapping[str, str], e.g. a dict"))?;
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        pairs.push(pair(key, value)?);
    }
    Ok(pairs)
}

/// Parses the sign type and charset names (case-insensitive); a bad name is a `ConfigError`.
pub(crate) fn parse_options(sign_type: &str, charset: &str) -> PyResult<(SignType, Charset)> {
    guarded(|| Ok((sign_type.parse()?, charset.parse()?)))
}

/// Signs with the app private key: ``RSA2`` (SHA256withRSA) or legacy ``RSA`` (SHA1withRSA).
///
/// Immutable and safe to share between threads; signing releases the GIL.
///
/// A signer over content encoded in ``charset``.
///
/// Args:
///     private_key: the app private key.
///     sign_type: ``"RSA2"`` or ``"RSA"`` (case-insensitive).
///     charset: ``"UTF-8"`` or ``"GBK"`` (case-insensitive).
///
/// Raises:
///     ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
///         2048 bits.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Signer {
    inner: sign::Signer,
}

#[pymethods]
impl Signer {
    /// A signer over content encoded in ``charset``.
    ///
    /// Args:
    ///     private_key: the app private key.
    ///     sign_type: ``"RSA2"`` or ``"RSA"`` (case-insensitive).
    ///     charset: ``"UTF-8"`` or ``"GBK"`` (case-insensitive).
    ///
    /// Raises:
    ///     ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
    ///         2048 bits.
    #[new]
    #[pyo3(signature = (private_key, sign_type = "RSA2", charset = "UTF-8"))]
    fn new(private_key: PyRef<'_, PrivateKey>, sign_type: &str, charset: &str) -> PyResult<Self> {
        let (sign_type, charset) = parse_options(sign_type, charset)?;
        let key = Arc::clone(&private_key.inner);
        let inner = guarded(|| Ok(sign::Signer::new(key, sign_type, charset)?))?;
        Ok(Signer { inner })
    }

    /// ``"RSA2"`` or ``"RSA"``.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.sign_type().as_str()
    }

    /// ``"UTF-8"`` or ``"GBK"``.
    #[getter]
    fn charset(&self) -> &'static str {
        self.inner.charset().as_str()
    }

    /// Signs a canonical content string; returns standard Base64 without newlines.
    ///
    /// Raises:
    ///     ConfigError: the content has a character the charset cannot encode.
    #[pyo3(signature = (content))]
    fn sign(&self, py: Python<'_>, content: PyBackedStr) -> PyResult<String> {
        detached(py, || Ok(self.inner.sign(&content)?))
    }

    /// Builds the canonical content of ``params`` (see :func:`sign_content`) and signs it.
    ///
    /// Returns:
    ///     ``(content, sign)``.
    ///
    /// Raises:
    ///     ConfigError: as for :meth:`sign`.
    ///     TypeError: a key or value is not a ``str``.
    #[pyo3(signature = (params))]
    fn sign_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
        let pairs = backed_params(params)?;
        detached(py, || {
            Ok(self
                .inner
                .sign_params(pairs.iter().map(|(key, value)| (&**key, &**value)))?)
        })
    }

    /// Signs bytes that are already encoded; returns standard Base64.
    #[pyo3(signature = (data))]
    fn sign_bytes(&self, py: Python<'_>, data: &[u8]) -> PyResult<String> {
        detached(py, || Ok(self.inner.sign_bytes(data)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "Signer(sign_type='{}', charset='{}', key_fingerprint='{}')",
            self.inner.sign_type(),
            self.inner.charset(),
            self.inner.key().public_key().fingerprint()
        )
    }
}

/// Verifies ``RSA2`` or ``RSA`` signatures with a public key (usually the Alipay public key).
///
/// Immutable and safe to share between threads; verification releases the GIL.
///
/// A verifier over content encoded in ``charset``.
///
/// Raises:
///     ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
///         2048 bits.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Verifier {
    inner: sign::Verifier,
}

#[pymethods]
impl Verifier {
    /// A verifier over content encoded in ``charset``.
    ///
    /// Raises:
    ///     ConfigError: an unknown sign type or charset, or ``RSA2`` with a key shorter than
    ///         2048 bits.
    #[new]
    #[pyo3(signature = (public_key, sign_type = "RSA2", charset = "UTF-8"))]
    fn new(public_key: PyRef<'_, PublicKey>, sign_type: &str, charset: &str) -> PyResult<Self> {
        let (sign_type, charset) = parse_options(sign_type, charset)?;
        let key = Arc::clone(&public_key.inner);
        let inner = guarded(|| Ok(sign::Verifier::new(key, sign_type, charset)?))?;
        Ok(Verifier { inner })
    }

    /// ``"RSA2"`` or ``"RSA"``.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.sign_type().as_str()
    }

    /// ``"UTF-8"`` or ``"GBK"``.
    #[getter]
    fn charset(&self) -> &'static str {
        self.inner.charset().as_str()
    }

    /// Verifies a Base64 signature over a content string.
    ///
    /// Raises:
    ///     SignatureError: the signature is malformed or does not verify.
    ///     ConfigError: the content has a character the charset cannot encode.
    #[pyo3(signature = (content, sign))]
    fn verify(&self, py: Python<'_>, content: PyBackedStr, sign: PyBackedStr) -> PyResult<()> {
        detached(py, || Ok(self.inner.verify(&content, &sign)?))
    }

    /// Verifies a Base64 signature over bytes that are already encoded.
    ///
    /// Raises:
    ///     SignatureError: the signature is malformed or does not verify.
    #[pyo3(signature = (data, sign))]
    fn verify_bytes(&self, py: Python<'_>, data: &[u8], sign: PyBackedStr) -> PyResult<()> {
        detached(py, || Ok(self.inner.verify_bytes(data, &sign)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(sign_type='{}', charset='{}', key_fingerprint='{}')",
            self.inner.sign_type(),
            self.inner.charset(),
            self.inner.key().fingerprint()
        )
    }
}

/// The canonical content Alipay signs, as Java computes it: every parameter except ``sign``
/// and those with an empty key or an empty or whitespace-only value, sorted by key in UTF-16
/// code-unit order (Java's ``String.compareTo``), joined as ``key=value`` with ``&``, without
/// URL-encoding.
///
/// Raises:
///     TypeError: a key or value is not a ``str``.
#[pyfunction]
#[pyo3(signature = (params))]
pub(crate) fn sign_content(params: &Bound<'_, PyAny>) -> PyResult<String> {
    let pairs = backed_params(params)?;
    guarded(|| {
        Ok(sign::sign_content(
            pairs.iter().map(|(key, value)| (&**key, &**value)),
        ))
    })
}

/// True when ``alipay_public_key`` is the public half of the app's own ``private_key``: the
/// app public key was configured where the Alipay public key belongs.
#[pyfunction]
#[pyo3(signature = (private_key, alipay_public_key))]
pub(crate) fn looks_like_own_key(
    private_key: PyRef<'_, PrivateKey>,
    alipay_public_key: PyRef<'_, PublicKey>,
) -> PyResult<bool> {
    guarded(|| {
        Ok(sign::looks_like_own_key(
            &private_key.inner,
            &alipay_public_key.inner,
        ))
    })
}
