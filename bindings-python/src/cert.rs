//! `Certificate`, `RootBundle`, `app_cert_sn` and `alipay_root_cert_sn`: the Python face of
//! `alipay_isv::cert` (public-key certificate mode, 公钥证书模式).
//!
//! Every certificate argument goes through [`cert_bytes`]: a `str` (PEM or Base64 text), `bytes`
//! (PEM, DER or Base64), an `os.PathLike` (the file is read), or a [`Certificate`]. A `str` that
//! looks like a file name is refused with a hint, since `str` is always taken as contents.
//! Parsing and chain checks run with the GIL released.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime};

use alipay_isv::{Error, cert};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString};

use crate::error::{Failure, detached, guarded};
use crate::key::PublicKey;

/// File name endings that make a `str` argument look like a path rather than contents.
const FILE_SUFFIXES: &[&str] = &[".crt", ".cer", ".pem", ".der"];

/// The bytes of a certificate argument named `what` (see the module documentation).
pub(crate) fn cert_bytes(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(certificate) = value.cast::<Certificate>() {
        return Ok(certificate.get().inner.der().to_vec());
    }
    if value.is_instance_of::<PyString>() {
        let text: PyBackedStr = value.extract()?;
        let trimmed = text.trim().to_ascii_lowercase();
        if !trimmed.contains("-----begin") && FILE_SUFFIXES.iter().any(|s| trimmed.ends_with(s)) {
            return guarded(|| {
                Err(Error::config(format!(
                    "`{what}` is a str ending like a file name: a str is taken as the certificate's \
                     contents; pass pathlib.Path(...) to read a file"
                ))
                .into())
            });
        }
        return Ok(text.as_bytes().to_vec());
    }
    if let Ok(bytes) = value.extract::<PyBackedBytes>() {
        return Ok(bytes.to_vec());
    }
    if value.hasattr("__fspath__")? {
        let path: std::path::PathBuf = value.extract()?;
        return guarded(|| {
            std::fs::read(&path).map_err(|e| {
                Error::config(format!("`{what}`: cannot read {}: {e}", path.display())).into()
            })
        });
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a str (PEM or Base64 text), bytes (PEM, DER or Base64), an os.PathLike \
         or a Certificate"
    )))
}

/// A `datetime` (UTC) of a point in time.
fn to_datetime<'py>(py: Python<'py>, time: SystemTime) -> PyResult<Bound<'py, PyAny>> {
    let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    };
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    datetime
        .getattr("datetime")?
        .call_method1("fromtimestamp", (seconds, utc))
}

/// The point in time of `at`: `None` (now), a `datetime` (its `timestamp()`), or Unix seconds.
fn at_time(at: Option<&Bound<'_, PyAny>>) -> PyResult<SystemTime> {
    let Some(at) = at else {
        return Ok(SystemTime::now());
    };
    let seconds: f64 = if at.hasattr("timestamp")? {
        at.call_method0("timestamp")?.extract()?
    } else {
        at.extract().map_err(|_| {
            PyTypeError::new_err("at must be a datetime, Unix seconds (int or float) or None")
        })?
    };
    guarded(|| {
        let magnitude = Duration::try_from_secs_f64(seconds.abs()).map_err(|_| {
            Failure::from(Error::config(format!(
                "`at` is not a point in time: {seconds}"
            )))
        })?;
        let time = if seconds >= 0.0 {
            SystemTime::UNIX_EPOCH.checked_add(magnitude)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(magnitude)
        };
        time.ok_or_else(|| Error::config(format!("`at` is out of range: {seconds}")).into())
    })
}

/// One X.509 certificate, parsed once: what certificate mode needs of it. Immutable,
/// hashable, equal when the DER is. ``repr()`` shows its SN, names and fingerprint.
///
/// Parses the first certificate of the input (the leaf of a chain file).
///
/// Raises:
///     ConfigError: no certificate, or its first block does not parse; a file that cannot
///         be read; a ``str`` that looks like a file name (pass a ``pathlib.Path``).
///     TypeError: an argument of another type.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Certificate {
    pub(crate) inner: cert::Certificate,
}

#[pymethods]
impl Certificate {
    /// Parses the first certificate of the input (the leaf of a chain file).
    ///
    /// Raises:
    ///     ConfigError: no certificate, or its first block does not parse; a file that cannot
    ///         be read; a ``str`` that looks like a file name (pass a ``pathlib.Path``).
    ///     TypeError: an argument of another type.
    #[new]
    #[pyo3(signature = (data))]
    fn new(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = cert_bytes(data, "data")?;
        let inner = detached(py, || Ok(cert::Certificate::from_bytes(&bytes)?))?;
        Ok(Certificate { inner })
    }

    /// Every certificate of the input, in order. A block that is not valid X.509 (the SM2
    /// root of Alipay's bundle, say) is skipped when it is not RSA-signed.
    ///
    /// Raises:
    ///     ConfigError: empty input, no certificate block, bad Base64, or an RSA-signed block
    ///         that does not parse.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn parse_all(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<Certificate>> {
        let bytes = cert_bytes(data, "data")?;
        let all = detached(py, || Ok(cert::parse_certificates(&bytes)?))?;
        Ok(all.into_iter().map(|inner| Certificate { inner }).collect())
    }

    /// The certificate's SN: lowercase hex MD5 of :attr:`issuer` followed by the decimal
    /// :attr:`serial_number` (``app_cert_sn`` of an app certificate, ``alipay_cert_sn`` of an
    /// Alipay certificate).
    #[getter]
    fn sn(&self) -> &str {
        self.inner.sn()
    }

    /// The issuer DN in RFC 2253 form, as Java's ``X500Principal.getName()`` prints it
    /// (``CN=…,OU=…,O=…,C=…``).
    #[getter]
    fn issuer(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.issuer()))
    }

    /// The subject DN in RFC 2253 form.
    #[getter]
    fn subject(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.subject()))
    }

    /// The serial number.
    #[getter]
    fn serial_number<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let decimal = guarded(|| Ok(self.inner.serial_number()))?;
        py.import("builtins")?.getattr("int")?.call1((decimal,))
    }

    /// The dotted OID of the signature algorithm, e.g. ``"1.2.840.113549.1.1.11"``.
    #[getter]
    fn signature_algorithm(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.signature_algorithm()))
    }

    /// Whether the signature algorithm is RSA (OID under ``1.2.840.113549.1.1``): the
    /// certificates a root SN counts.
    #[getter]
    fn is_rsa_signed(&self) -> PyResult<bool> {
        guarded(|| Ok(self.inner.is_rsa_signed()))
    }

    /// Start of the validity period (aware, UTC).
    #[getter]
    fn not_before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.not_before())
    }

    /// End of the validity period (aware, UTC).
    #[getter]
    fn not_after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_datetime(py, self.inner.not_after())
    }

    /// The subject's RSA public key.
    ///
    /// Raises:
    ///     ConfigError: the key is not RSA (SM2, EC) or of an unaccepted size.
    fn public_key(&self, py: Python<'_>) -> PyResult<PublicKey> {
        detached(py, || Ok(self.inner.public_key()?)).map(PublicKey::wrap)
    }

    /// PEM (``-----BEGIN CERTIFICATE-----``, 64-character lines, LF).
    #[getter]
    fn pem(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_pem()))
    }

    /// The DER bytes.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.der())
    }

    /// ``SHA256:`` and 16 hex digits of the DER's SHA-256: a short public name.
    #[getter]
    fn fingerprint(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.fingerprint()))
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.inner.der().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            Ok(format!(
                "Certificate(sn='{}', subject='{}', issuer='{}', fingerprint='{}')",
                self.inner.sn(),
                self.inner.subject(),
                self.inner.issuer(),
                self.inner.fingerprint()
            ))
        })
    }
}

/// The Alipay root bundle (``alipayRootCert.crt``): its RSA-signed roots, its SN, and the
/// chain check of Alipay certificates. Immutable.
///
/// Parses a root bundle: PEM (any line endings, text between blocks), DER, or Base64.
///
/// Raises:
///     ConfigError: a block cannot be read, or no certificate is RSA-signed (a bundle of
///         only SM2 / ECDSA roots).
///     TypeError: as for :class:`Certificate`.
#[pyclass(module = "alipay_isv", frozen)]
pub struct RootBundle {
    inner: cert::RootBundle,
}

#[pymethods]
impl RootBundle {
    /// Parses a root bundle: PEM (any line endings, text between blocks), DER, or Base64.
    ///
    /// Raises:
    ///     ConfigError: a block cannot be read, or no certificate is RSA-signed (a bundle of
    ///         only SM2 / ECDSA roots).
    ///     TypeError: as for :class:`Certificate`.
    #[new]
    #[pyo3(signature = (data))]
    fn new(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = cert_bytes(data, "data")?;
        let inner = detached(py, || Ok(cert::RootBundle::parse(&bytes)?))?;
        Ok(RootBundle { inner })
    }

    /// The ``alipay_root_cert_sn``: the SNs of the RSA-signed roots joined with ``_``, in
    /// file order.
    #[getter]
    fn sn(&self) -> &str {
        self.inner.sn()
    }

    /// The RSA-signed roots, in file order.
    #[getter]
    fn roots(&self) -> Vec<Certificate> {
        self.inner
            .roots()
            .iter()
            .map(|root| Certificate {
                inner: root.clone(),
            })
            .collect()
    }

    /// Checks an Alipay certificate (its first certificate, plus at most one CA
    /// intermediate from the rest of the input) against this bundle at ``at`` (a ``datetime``,
    /// Unix seconds, or ``None`` for now; a naive ``datetime`` is local time, as
    /// ``datetime.timestamp()`` reads it); returns the leaf.
    ///
    /// Raises:
    ///     SignatureError: the leaf or the intermediate is expired or not valid yet, the issuer
    ///         is neither a root nor an intermediate of the input, or a signature does not
    ///         verify (a tampered certificate).
    ///     ConfigError: the input does not parse.
    #[pyo3(signature = (alipay_cert, at = None))]
    fn verify_chain(
        &self,
        py: Python<'_>,
        alipay_cert: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Certificate> {
        let bytes = cert_bytes(alipay_cert, "alipay_cert")?;
        let at = at_time(at)?;
        let inner = detached(py, || Ok(self.inner.verify_chain(&bytes, at)?))?;
        Ok(Certificate { inner })
    }

    fn __repr__(&self) -> String {
        format!(
            "RootBundle(sn='{}', roots={})",
            self.inner.sn(),
            self.inner.roots().len()
        )
    }
}

/// The ``app_cert_sn`` of an app public-key certificate (its first certificate).
///
/// Raises:
///     ConfigError: the input holds no certificate that parses.
#[pyfunction]
#[pyo3(signature = (app_cert))]
pub(crate) fn app_cert_sn(py: Python<'_>, app_cert: &Bound<'_, PyAny>) -> PyResult<String> {
    let bytes = cert_bytes(app_cert, "app_cert")?;
    detached(py, || Ok(cert::app_cert_sn(&bytes)?))
}

/// The ``alipay_root_cert_sn`` of a root bundle: the SNs of its RSA-signed certificates
/// joined with ``_`` (for Alipay's production bundle
/// ``687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6``).
///
/// Raises:
///     ConfigError: no RSA-signed certificate (only SM2 or ECDSA roots), or a block that cannot
///         be read.
#[pyfunction]
#[pyo3(signature = (root_cert))]
pub(crate) fn alipay_root_cert_sn(
    py: Python<'_>,
    root_cert: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let bytes = cert_bytes(root_cert, "root_cert")?;
    detached(py, || Ok(cert::alipay_root_cert_sn(&bytes)?))
}
