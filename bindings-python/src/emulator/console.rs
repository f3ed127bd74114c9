//! `ConsoleToken`: what the emulator's open-platform console shows of a merchant authorisation — the
//! token an ISV copies to import the merchant by hand (获得 app_auth_token 的方法二). The Python face of
//! `alipay_isv_emulator::ConsoleToken`; `repr()` masks the token.

use alipay_isv::secret::shown;
use alipay_isv_emulator as emulator;
use pyo3::prelude::*;

/// What the emulator's open-platform console shows of one merchant authorisation
/// (:meth:`Emulator.console_app_auth_token`). ``repr()`` masks the token.
#[pyclass(module = "alipay_isv", frozen)]
pub struct ConsoleToken {
    inner: emulator::ConsoleToken,
}

impl ConsoleToken {
    /// Wraps the emulator's entry.
    pub(crate) fn wrap(inner: emulator::ConsoleToken) -> Self {
        ConsoleToken { inner }
    }
}

#[pymethods]
impl ConsoleToken {
    /// The merchant's authorised app.
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// The merchant's PID (``2088…``).
    #[getter]
    fn merchant_pid(&self) -> &str {
        &self.inner.merchant_pid
    }

    /// The merchant's current token, to import: keep it secret.
    #[getter]
    fn app_auth_token(&self) -> &str {
        &self.inner.app_auth_token
    }

    /// When the merchant authorised, ``yyyy-MM-dd HH:mm:ss`` (UTC+8).
    #[getter]
    fn auth_start(&self) -> &str {
        &self.inner.auth_start
    }

    /// When the token ends, ``yyyy-MM-dd HH:mm:ss`` (UTC+8).
    #[getter]
    fn auth_end(&self) -> &str {
        &self.inner.auth_end
    }

    fn __repr__(&self) -> String {
        format!(
            "ConsoleToken(auth_app_id='{}', merchant_pid='{}', app_auth_token='{}', \
             auth_start='{}', auth_end='{}')",
            self.inner.auth_app_id,
            self.inner.merchant_pid,
            shown("app_auth_token", &self.inner.app_auth_token),
            self.inner.auth_start,
            self.inner.auth_end,
        )
    }
}
