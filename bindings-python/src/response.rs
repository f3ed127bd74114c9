//! `ResponseVerifier`, `VerifiedResponse` and `NeedsCertificate`: the Python face of
//! `alipay_isv::response`.
//!
//! Verification runs with the GIL released; the verified fields come back as a `dict` built from the
//! node's JSON text in one pass (exact integers, keys in document order). Gateway errors raise `ApiError`. In certificate mode `check`
//! answers `NeedsCertificate` for a body signed by an Alipay certificate not trusted yet.

use std::sync::Arc;

use alipay_isv::response;
use alipay_isv::sign::{Charset, SignType};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::aes::extract_aes_key;
use crate::convert::{Body, json_to_py, optional};
use crate::error::{Failure, detached};
use crate::json_text::Tape;
use crate::key::PublicKey;
use crate::sign::parse_options;

/// Verifies gateway response bodies with the Alipay public key: extracts the signed node's
/// exact raw text, refuses a duplicated root node, verifies (once more with ``\/`` → ``/``),
/// decrypts AES nodes, and raises :class:`ApiError` for error answers.
///
/// Immutable and safe to share between threads; verification releases the GIL.
///
/// A verifier of responses to requests signed with ``sign_type`` in ``charset``.
///
/// Raises:
///     ConfigError: an unknown sign type, charset or AES key.
#[pyclass(module = "alipay_isv", frozen)]
pub struct ResponseVerifier {
    inner: response::ResponseVerifier,
    sign_type: SignType,
    charset: Charset,
}

impl ResponseVerifier {
    /// Wraps a core verifier of `sign_type` signatures over bodies in `charset`.
    pub(crate) fn wrap(
        inner: response::ResponseVerifier,
        sign_type: SignType,
        charset: Charset,
    ) -> Self {
        ResponseVerifier {
            inner,
            sign_type,
            charset,
        }
    }
}

#[pymethods]
impl ResponseVerifier {
    /// A verifier of responses to requests signed with ``sign_type`` in ``charset``.
    ///
    /// Raises:
    ///     ConfigError: an unknown sign type, charset or AES key.
    #[new]
    #[pyo3(signature = (
        alipay_public_key,
        *,
        sign_type = "RSA2",
        charset = "UTF-8",
        aes_key = None,
        max_body_bytes = 10485760,
    ))]
    fn new(
        alipay_public_key: PyRef<'_, PublicKey>,
        sign_type: &str,
        charset: &str,
        aes_key: Option<&Bound<'_, PyAny>>,
        max_body_bytes: usize,
    ) -> PyResult<Self> {
        let (sign_type, charset) = parse_options(sign_type, charset)?;
        let key = Arc::clone(&alipay_public_key.inner);
        let mut inner = crate::error::guarded(|| {
            Ok(response::ResponseVerifier::new(key, sign_type, charset)?)
        })?
        .with_max_body_bytes(max_body_bytes);
        if let Some(aes_key) = aes_key {
            inner = inner.with_aes_key(extract_aes_key(aes_key)?);
        }
        Ok(ResponseVerifier::wrap(inner, sign_type, charset))
    }

    /// ``"RSA2"`` or ``"RSA"``.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.sign_type.as_str()
    }

    /// ``"UTF-8"`` or ``"GBK"``: bodies are decoded in it (and ``str`` bodies encoded).
    #[getter]
    fn charset(&self) -> &'static str {
        self.charset.as_str()
    }

    /// Verifies the body the gateway answered for ``method`` (pass the raw ``bytes``).
    ///
    /// Raises:
    ///     ApiError: the gateway answered an error (``signed`` says whether it was verified).
    ///     SignatureError: a success without ``sign``, or a signature that does not verify.
    ///     ProtocolError: a malformed, truncated, oversized, wrongly encoded or duplicated body.
    ///     ConfigError: an AES-encrypted node and no AES key.
    ///
    /// In certificate mode (a verifier from :meth:`IsvConfig.response_verifier`) also
    /// ``SignatureError`` for a success without ``alipay_cert_sn``, and for an
    /// ``alipay_cert_sn`` not trusted yet (the reason names it; see :meth:`check`).
    #[pyo3(signature = (method, body))]
    fn verify(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<VerifiedResponse> {
        let body = Body::extract(body, self.charset, "body")?;
        let (verified, tape) = detached(py, || {
            let verified = self.inner.verify_node(&method, body.as_bytes())?;
            let tape = tape_of(&verified.json)?;
            Ok((verified, tape))
        })?;
        VerifiedResponse::from_node(py, verified, &tape)
    }

    /// Verifies like :meth:`verify`, but answers :class:`NeedsCertificate` instead of
    /// raising when the body is signed by an Alipay certificate not trusted yet (certificate
    /// mode, after Alipay rotated its certificate): fetch it (:meth:`Client.fetch_alipay_cert`
    /// or :meth:`IsvConfig.trust_alipay_cert`) and check the same body again::
    ///
    ///     match verifier.check(method, body):
    ///         case NeedsCertificate(sn):
    ///             client.fetch_alipay_cert(sn)
    ///         case VerifiedResponse() as answer:
    ///             ...
    ///
    /// Raises:
    ///     As for :meth:`verify`.
    #[pyo3(signature = (method, body))]
    fn check(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let body = Body::extract(body, self.charset, "body")?;
        let checked = detached(py, || {
            Ok(match self.inner.check_node(&method, body.as_bytes())? {
                response::NodeCheck::Verified(verified) => {
                    let tape = tape_of(&verified.json)?;
                    Ok((verified, tape))
                }
                response::NodeCheck::NeedsCertificate { alipay_cert_sn } => Err(alipay_cert_sn),
            })
        })?;
        match checked {
            Ok((verified, tape)) => {
                Ok(Py::new(py, VerifiedResponse::from_node(py, verified, &tape)?)?.into_any())
            }
            Err(alipay_cert_sn) => Ok(Py::new(py, NeedsCertificate { alipay_cert_sn })?.into_any()),
        }
    }

    /// Whether the key is chosen by the body's ``alipay_cert_sn`` (certificate mode).
    #[getter]
    fn cert_mode(&self) -> bool {
        self.inner.cert_store().is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "ResponseVerifier(sign_type='{}', charset='{}', cert_mode={})",
            self.sign_type.as_str(),
            self.charset.as_str(),
            if self.cert_mode() { "True" } else { "False" }
        )
    }
}

/// A verified response node. ``repr()`` shows the field names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct VerifiedResponse {
    /// The node's fields as ``json.loads`` gives them, keys in document order (decrypted
    /// first for AES); integers beyond 64 bits become ``float``.
    #[pyo3(get)]
    fields: Py<PyDict>,
    /// The ``alipay_cert_sn`` the body named (certificate mode).
    #[pyo3(get)]
    alipay_cert_sn: Option<String>,
}

impl VerifiedResponse {
    /// The Python object of a core verified response (its fields as `json.loads` makes them).
    pub(crate) fn convert(py: Python<'_>, verified: response::VerifiedResponse) -> PyResult<Self> {
        let fields = json_to_py(py, &serde_json::Value::Object(verified.fields))?;
        Ok(VerifiedResponse {
            fields: fields.cast_into::<PyDict>()?.unbind(),
            alipay_cert_sn: verified.alipay_cert_sn,
        })
    }

    /// The Python object of a verified node whose JSON text `tape` tokenized.
    fn from_node(py: Python<'_>, verified: response::VerifiedNode, tape: &Tape) -> PyResult<Self> {
        Ok(VerifiedResponse {
            fields: tape.build_object(py, &verified.json)?.unbind(),
            alipay_cert_sn: verified.alipay_cert_sn,
        })
    }
}

#[pymethods]
impl VerifiedResponse {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Field names only: responses carry tokens.
        let names: Vec<String> = self
            .fields
            .bind(py)
            .keys()
            .iter()
            .map(|key| key.str().map(|text| format!("'{text}'")))
            .collect::<PyResult<_>>()?;
        Ok(format!(
            "VerifiedResponse(fields=[{}], alipay_cert_sn={})",
            names.join(", "),
            optional(self.alipay_cert_sn.as_deref())
        ))
    }
}

/// The answer of :meth:`ResponseVerifier.check` for a body signed by an Alipay certificate
/// not trusted yet. Supports ``match`` (``case NeedsCertificate(sn):``) and equality.
#[pyclass(module = "alipay_isv", frozen)]
pub struct NeedsCertificate {
    /// The ``alipay_cert_sn`` the body names: fetch that certificate.
    #[pyo3(get)]
    alipay_cert_sn: String,
}

#[pymethods]
impl NeedsCertificate {
    /// `("alipay_cert_sn",)`: for `case NeedsCertificate(sn):` in a `match` statement.
    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("alipay_cert_sn",)
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.alipay_cert_sn == other.alipay_cert_sn
    }

    fn __repr__(&self) -> String {
        format!("NeedsCertificate(alipay_cert_sn='{}')", self.alipay_cert_sn)
    }
}

/// Tokenizes a verified node's JSON text (GIL released).
fn tape_of(json: &str) -> Result<Tape, Failure> {
    Tape::parse(json).map_err(|error| {
        Failure::from(alipay_isv::Error::protocol(format!(
            "the response node is not JSON: {error}"
        )))
    })
}
