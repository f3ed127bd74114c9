//! `Delivery`: one push the emulator made to the application gateway, the Python face of
//! `alipay_isv_emulator::Delivery`. `repr()` hides the body (it carries tokens).

use alipay_isv_emulator as emulator;
use pyo3::prelude::*;

use crate::convert::optional;

/// One push the emulator made to the application gateway. ``repr()`` hides the body.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Delivery {
    pub(super) inner: emulator::Delivery,
}

#[pymethods]
impl Delivery {
    /// The push's ``notify_id``.
    #[getter]
    fn notify_id(&self) -> &str {
        &self.inner.notify_id
    }

    /// ``"open_app_auth_notify"`` (a plugin authorisation too),
    /// ``"alipay.open.auth.appauth.cancelled"`` or ``"servicemarket_order_notify"``.
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }

    /// The merchant app it concerns.
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// Where it was posted (``None``: no notify URL was set).
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// How many times it was posted so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether the application gateway answered ``success``.
    #[getter]
    fn acknowledged(&self) -> bool {
        self.inner.acknowledged
    }

    /// Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post).
    #[getter]
    fn finished(&self) -> bool {
        self.inner.finished
    }

    /// The form the push is signed in: a verifier that accepts it reports this form.
    #[getter]
    fn signed_form(&self) -> &'static str {
        self.inner.signed_form.name()
    }

    /// The exact form body posted: it carries tokens, keep it out of logs.
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }

    fn __repr__(&self) -> String {
        format!(
            "Delivery(notify_id='{}', kind='{}', auth_app_id='{}', url={}, attempts={}, \
             acknowledged={}, finished={}, signed_form='{}', body_bytes={})",
            self.inner.notify_id,
            self.inner.kind,
            self.inner.auth_app_id,
            optional(self.inner.url.as_deref()),
            self.inner.attempts,
            if self.inner.acknowledged {
                "True"
            } else {
                "False"
            },
            if self.inner.finished { "True" } else { "False" },
            self.inner.signed_form,
            self.inner.body.len(),
        )
    }
}
