//! `V3Signature`: the Python face of `alipay_isv::v3` — OpenAPI v3 (`https://openapi.alipay.com/v3/…`),
//! the signed `Authorization` header (and the other headers) of a request, made by
//! `IsvConfig.v3_sign`; [`answer`] verifies an answer's `alipay-signature` for `IsvConfig.v3_verify`
//! and reads it for `IsvConfig.read_v3_answer`. A whole call: its arguments and `V3File`s in
//! [`call`], the request `IsvConfig.prepare_v3` encodes and signs in [`prepared`], the verified
//! `V3Response` and the `FileUpload` answer in [`response`] (`Client.execute_v3` and the typed v3
//! calls are `Client` methods).
//!
//! The binding only converts: the signed lines, the header and every check are the core's. The
//! `repr()` masks the merchant's token and shows `string_to_sign`, which holds it, by its length.

mod answer;
mod call;
mod prepared;
mod response;

pub(crate) use answer::{read, verify};
pub(crate) use call::{CallArgs, V3File, upload_file};
pub(crate) use prepared::{V3HttpRequest, prepare};
pub(crate) use response::{FileUpload, ReadResponse, V3Response};

use alipay_isv::{Error, config, secret, v3};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::params_dict;
use crate::error::{detached, guarded};

/// A signed OpenAPI v3 request (:meth:`IsvConfig.v3_sign`): the headers to send with it.
/// Immutable; equal to another when every field is. ``repr()`` shows the merchant's token
/// masked and ``string_to_sign``, which holds it, by its length only.
#[pyclass(module = "alipay_isv", frozen, eq)]
#[derive(PartialEq)]
pub struct V3Signature {
    inner: v3::V3Signature,
}

#[pymethods]
impl V3Signature {
    /// The ``Authorization`` header's value:
    /// ``ALIPAY-SHA256withRSA <auth string>,sign=<Base64 signature>``.
    #[getter]
    fn authorization(&self) -> &str {
        &self.inner.authorization
    }

    /// The auth string, the first signed line (also in the header):
    /// ``app_id=…[,app_cert_sn=…],nonce=…,timestamp=<epoch ms>[,<additional auth info>]``.
    #[getter]
    fn auth_string(&self) -> &str {
        &self.inner.auth_string
    }

    /// Exactly what was signed, one line each ending with a line break: the auth string, the
    /// method, the request target, the body and, on a merchant's behalf, its
    /// ``app_auth_token`` (for debugging a signature Alipay refuses, 验签失败). It holds the
    /// token: keep it out of logs.
    #[getter]
    fn string_to_sign(&self) -> &str {
        &self.inner.string_to_sign
    }

    /// Every header the request must carry besides ``Content-Type``, by lower-case name, in
    /// order: ``authorization``, ``alipay-app-auth-token`` (on a merchant's behalf),
    /// ``alipay-root-cert-sn`` (certificate mode). A new ``dict`` on each access.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        params_dict(py, &self.inner.headers)
    }

    fn __repr__(&self) -> String {
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
            "V3Signature(authorization='{}', auth_string='{}', string_to_sign_chars={}, \
             headers={{{}}})",
            self.inner.authorization,
            self.inner.auth_string,
            self.inner.string_to_sign.chars().count(),
            headers.join(", ")
        )
    }
}

/// Signs a v3 request as `config`'s app (the GIL released): with `nonce` and `timestamp_ms`
/// reproducibly, with neither a fresh nonce now; one without the other is a `ConfigError`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign(
    py: Python<'_>,
    config: &config::IsvConfig,
    method: &str,
    request_target: &str,
    body: &str,
    app_auth_token: Option<&str>,
    nonce: Option<&str>,
    timestamp_ms: Option<u64>,
) -> PyResult<V3Signature> {
    let fixed = fixed_clock(nonce, timestamp_ms)?;
    let request = v3::V3Request {
        method,
        request_target,
        body,
        app_auth_token,
    };
    let inner = detached(py, || {
        Ok(match fixed {
            Some((nonce, timestamp_ms)) => request.sign_with(config, nonce, timestamp_ms)?,
            None => request.sign(config)?,
        })
    })?;
    Ok(V3Signature { inner })
}

/// The fixed nonce and timestamp of a reproducible signature, `None` for a fresh one now; one
/// without the other is a `ConfigError`.
pub(crate) fn fixed_clock(
    nonce: Option<&str>,
    timestamp_ms: Option<u64>,
) -> PyResult<Option<(&str, u64)>> {
    match (nonce, timestamp_ms) {
        (Some(nonce), Some(timestamp_ms)) => Ok(Some((nonce, timestamp_ms))),
        (None, None) => Ok(None),
        _ => guarded(|| {
            Err(Error::config(
                "give the v3 nonce and timestamp_ms together (a reproducible signature) or \
                 neither (a fresh nonce, now)",
            )
            .into())
        }),
    }
}
