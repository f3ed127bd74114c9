//! [`ConsoleToken`]: what the emulator's open-platform console shows of one merchant authorisation —
//! the token an ISV copies to import the merchant by hand (获得 app_auth_token 的方法二), from
//! `Emulator.consoleAppAuthToken`. `toString()` and `util.inspect` mask the token.

use alipay_isv_emulator as core;
use napi_derive::napi;

/// The console's entry for one merchant authorisation. The getters return the token in full (a secret:
/// never log it); `toString()` and `util.inspect` mask it.
#[napi]
pub struct ConsoleToken {
    pub(crate) inner: core::ConsoleToken,
}

#[napi]
impl ConsoleToken {
    /// The merchant's authorised app.
    #[napi(getter, catch_unwind)]
    pub fn auth_app_id(&self) -> String {
        self.inner.auth_app_id.clone()
    }

    /// The merchant's PID (2088…).
    #[napi(getter, catch_unwind)]
    pub fn merchant_pid(&self) -> String {
        self.inner.merchant_pid.clone()
    }

    /// The merchant's current token, to import with `Registry.importToken`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn app_auth_token(&self) -> String {
        self.inner.app_auth_token.clone()
    }

    /// When the merchant authorised, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    #[napi(getter, catch_unwind)]
    pub fn auth_start(&self) -> String {
        self.inner.auth_start.clone()
    }

    /// When the token ends, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    #[napi(getter, catch_unwind)]
    pub fn auth_end(&self) -> String {
        self.inner.auth_end.clone()
    }

    /// `ConsoleToken { auth_app_id: …, app_auth_token: "2026…(40 chars)", … }`: the token masked.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}
