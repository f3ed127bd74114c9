//! `V3HttpRequest`: the Python face of `alipay_isv::v3::V3HttpRequest`, a v3 call encoded and
//! signed by `IsvConfig.prepare_v3` — exactly what goes on the wire, for hosts that send it with
//! their own HTTP stack (httpx, aiohttp, requests) and read the answer back with
//! `IsvConfig.read_v3_answer`.
//!
//! The body is handed over whole as `bytes` (a multipart upload's files read once, with the GIL
//! released). `repr()` masks the merchant's token and the secret query parameters (`auth_token`),
//! and shows the body and `string_to_sign`, which hold them, by their length only.

use alipay_isv::upload::MultipartFiles;
use alipay_isv::{config, secret, v3};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::V3Signature;
use crate::convert::params_dict;
use crate::error::detached;

/// An OpenAPI v3 call encoded and signed (:meth:`IsvConfig.prepare_v3`): send ``method`` to
/// ``url`` with every header of ``headers`` and ``body``, then read the answer with
/// :meth:`IsvConfig.read_v3_answer` (``encrypted=request.encrypted``). Immutable. ``repr()``
/// masks the merchant's token and the user's ``auth_token`` and shows the body and
/// ``string_to_sign`` by their length only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct V3HttpRequest {
    inner: v3::V3HttpRequest,
    body: Py<PyBytes>,
}

#[pymethods]
impl V3HttpRequest {
    /// The HTTP method, upper case.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    /// The full URL: the configuration's :attr:`IsvConfig.v3_base` and
    /// :attr:`request_target`.
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// The path and query as signed and sent (the query percent-encoded, space as ``%20``).
    #[getter]
    fn request_target(&self) -> &str {
        &self.inner.request_target
    }

    /// Every header to send, by lower-case name, in order: ``content-type`` (when there is a
    /// body), ``authorization``, ``alipay-app-auth-token`` (on a merchant's behalf),
    /// ``alipay-root-cert-sn`` (certificate mode), ``accept``, ``alipay-request-id``, and
    /// ``alipay-encrypt-type`` with AES. A new ``dict`` on each access.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        params_dict(py, &self.inner.headers)
    }

    /// The body exactly as signed and to be sent: the JSON text, its Base64 ciphertext with
    /// AES, or a whole ``multipart/form-data`` upload; ``b""`` when there is none.
    #[getter]
    fn body(&self, py: Python<'_>) -> Py<PyBytes> {
        self.body.clone_ref(py)
    }

    /// Whether the body is encrypted, and so the answer will be: pass it to
    /// :meth:`IsvConfig.read_v3_answer`.
    #[getter]
    fn encrypted(&self) -> bool {
        self.inner.encrypted
    }

    /// The ``Authorization`` header's value.
    #[getter]
    fn authorization(&self) -> &str {
        &self.inner.signature.authorization
    }

    /// Exactly what was signed (see :attr:`V3Signature.string_to_sign`). It holds the
    /// merchant's token: keep it out of logs.
    #[getter]
    fn string_to_sign(&self) -> &str {
        &self.inner.signature.string_to_sign
    }

    /// The signature, with its auth string and headers.
    #[getter]
    fn signature(&self) -> V3Signature {
        V3Signature {
            inner: self.inner.signature.clone(),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let headers: Vec<String> = self
            .inner
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name == v3::APP_AUTH_TOKEN_HEADER {
                    secret::shown("app_auth_token", value)
                } else {
                    value.clone()
                };
                format!("'{name}': '{shown}'")
            })
            .collect();
        format!(
            "V3HttpRequest(method='{}', url='{}', headers={{{}}}, body_bytes={}, encrypted={}, \
             string_to_sign_chars={})",
            self.inner.method,
            secret::mask_query(&self.inner.url),
            headers.join(", "),
            self.body.bind(py).as_bytes().len(),
            if self.inner.encrypted {
                "True"
            } else {
                "False"
            },
            self.inner.signature.string_to_sign.chars().count()
        )
    }
}

/// Encodes and signs `call` as `config`'s app (the GIL released): with `fixed` nonce and
/// timestamp reproducibly, else with a fresh nonce now; a multipart body is read whole.
pub(crate) fn prepare(
    py: Python<'_>,
    config: &config::IsvConfig,
    call: &v3::V3Call,
    fixed: Option<(&str, u64)>,
) -> PyResult<V3HttpRequest> {
    let (inner, body) = detached(py, || {
        let request = match fixed {
            Some((nonce, timestamp_ms)) => config.prepare_v3_with(call, nonce, timestamp_ms)?,
            None => config.prepare_v3(call)?,
        };
        let body = match &request.body {
            v3::V3Body::Empty => Vec::new(),
            v3::V3Body::Text(text) => text.as_bytes().to_vec(),
            v3::V3Body::Multipart(multipart) => multipart.to_bytes()?,
        };
        Ok((request, body))
    })?;
    Ok(V3HttpRequest {
        inner,
        body: PyBytes::new(py, &body).unbind(),
    })
}
