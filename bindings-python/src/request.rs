//! `SignedRequest`, `HttpRequest` and `china_timestamp_now`: the Python face of
//! `alipay_isv::request` — one signed request, emitted as an `execute` POST, a `page_execute` URL
//! or form, or an `sdk_execute` order string.
//!
//! `repr()` shows parameter names and the gateway, never a value (tokens travel as parameters).

use alipay_isv::request;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{key_list, optional, params_dict};
use crate::error::guarded;

/// A signed request, ready to be emitted in one of the three ways. ``repr()`` shows the
/// parameter names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct SignedRequest {
    pub(crate) inner: request::SignedRequest,
}

#[pymethods]
impl SignedRequest {
    /// Every parameter, ``sign`` last (a new ``dict`` on each access).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        params_dict(py, self.inner.params())
    }

    /// The canonical content that was signed.
    #[getter]
    fn sign_content(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.sign_content()))
    }

    /// The ``execute`` form: POST ``url`` (gateway and system parameters) with ``body``
    /// (``biz_content``, ``app_auth_token`` and other application parameters).
    fn http_request(&self) -> PyResult<HttpRequest> {
        let inner = guarded(|| Ok(self.inner.to_http_request()?))?;
        Ok(HttpRequest { inner })
    }

    /// The ``page_execute`` GET form: the gateway URL with every parameter.
    fn page_url(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_page_url()?))
    }

    /// The ``page_execute`` POST form: an auto-submitting HTML form (system parameters in
    /// the action URL, the others as hidden inputs, values HTML-escaped).
    fn page_form(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_page_form()?))
    }

    /// The ``sdk_execute`` order string for the Alipay app or mini-program client: every
    /// parameter, sorted, values URL-encoded in the charset.
    fn order_string(&self) -> PyResult<String> {
        guarded(|| Ok(self.inner.to_order_string()?))
    }

    fn __repr__(&self) -> String {
        format!(
            "SignedRequest(method={}, params={})",
            optional(self.inner.param("method")),
            key_list(self.inner.params())
        )
    }
}

/// The HTTP request of an ``execute`` call. ``repr()`` hides the query and the body.
#[pyclass(module = "alipay_isv", frozen)]
pub struct HttpRequest {
    inner: request::HttpRequest,
}

#[pymethods]
impl HttpRequest {
    /// ``gateway?system parameters``, URL-encoded in the charset.
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// The ``application/x-www-form-urlencoded`` body: the application parameters.
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }

    /// ``application/x-www-form-urlencoded;charset=<charset>``.
    #[getter]
    fn content_type(&self) -> &str {
        &self.inner.content_type
    }

    fn __repr__(&self) -> String {
        // The query carries `auth_token` and the body `app_auth_token`: show neither.
        let gateway = self.inner.url.split('?').next().unwrap_or_default();
        format!(
            "HttpRequest(url='{gateway}?…', body_bytes={}, content_type='{}')",
            self.inner.body.len(),
            self.inner.content_type
        )
    }
}

/// The current time as the gateway expects it: ``yyyy-MM-dd HH:mm:ss`` in China time
/// (UTC+8), whatever the host's time zone.
#[pyfunction]
pub(crate) fn china_timestamp_now() -> PyResult<String> {
    guarded(|| Ok(request::china_timestamp_now()))
}
