//! Parsing the callbacks an authorisation redirects to, mirroring `alipay_isv::auth::callback`: how
//! their `state` is checked ([`StateCheckOptions`]), and the merchant's [`AppAuthCallback`] and the
//! user's [`UserAuthCallback`], each checked against the expected app id. Their `toString()` and
//! `util.inspect` mask the code.

use alipay_isv::auth::{self as core, StateCheck};
use napi::Env;
use napi_derive::napi;

use crate::error::{OrThrow, to_js_error};

/// How a callback's `state` is checked.
#[napi(object, object_to_js = false)]
pub struct StateCheckOptions {
    /// The `state` of the link you issued: the callback must carry exactly it (compared in constant
    /// time).
    pub state: Option<String>,
    /// Accept a callback without `state` (links issued from the Alipay console carry none); a callback
    /// that does carry one is still compared with `state` when given. Default `false`.
    pub allow_missing_state: Option<bool>,
}

/// The core's state check for `options`.
fn state_check<'a>(env: &Env, options: &'a StateCheckOptions) -> napi::Result<StateCheck<'a>> {
    let issued = options.state.as_deref();
    if options.allow_missing_state.unwrap_or(false) {
        return Ok(StateCheck::AllowMissing { issued });
    }
    issued.map(StateCheck::Expect).ok_or_else(|| {
        to_js_error(
            env,
            &alipay_isv::Error::config(
                "pass the `state` of the link you issued, or `allowMissingState: true` for \
                 console-issued links",
            ),
        )
    })
}

/// A verified merchant authorisation callback. Its `toString()` / `util.inspect` mask the code.
#[napi]
pub struct AppAuthCallback {
    inner: core::AppAuthCallback,
}

#[napi]
impl AppAuthCallback {
    /// The single-use code to exchange with `Client.exchangeAppAuthCode`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn app_auth_code(&self) -> String {
        self.inner.app_auth_code.clone()
    }

    /// The ISV `app_id` (checked to be yours).
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id.clone()
    }

    /// `alipay_app_auth` for Alipay's redirect, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn source(&self) -> Option<String> {
        self.inner.source.clone()
    }

    /// The `state` carried back, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn state(&self) -> Option<String> {
        self.inner.state.clone()
    }

    /// `AppAuthCallback { app_auth_code: "…", … }` with the code masked.
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

/// A verified user consent callback. Its `toString()` / `util.inspect` mask the code.
#[napi]
pub struct UserAuthCallback {
    inner: core::UserAuthCallback,
}

#[napi]
impl UserAuthCallback {
    /// The single-use code to exchange with `Client.exchangeUserAuthCode`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn auth_code(&self) -> String {
        self.inner.auth_code.clone()
    }

    /// The app the user consented to (for a delegated mini-program, the merchant's `authAppId`).
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id.clone()
    }

    /// The scopes granted, e.g. `auth_user`, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn scope(&self) -> Option<String> {
        self.inner.scope.clone()
    }

    /// The `state` carried back, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn state(&self) -> Option<String> {
        self.inner.state.clone()
    }

    /// `UserAuthCallback { auth_code: "…", … }` with the code masked.
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

/// Parses a merchant authorisation callback (the full URL or its query) and checks it: the `app_id`
/// must be `expectedAppId`, the `state` as `check` says.
///
/// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` for another app's callback or a `state` that does
/// not match (or is missing); `ALIPAY_PROTOCOL_ERROR` when `app_auth_code` or `app_id` is missing or
/// repeated; `ALIPAY_CONFIG_ERROR` when `check` gives neither `state` nor `allowMissingState`.
#[napi(catch_unwind)]
pub fn parse_app_auth_callback(
    env: Env,
    url_or_query: String,
    expected_app_id: String,
    check: StateCheckOptions,
) -> napi::Result<AppAuthCallback> {
    let state = state_check(&env, &check)?;
    core::parse_app_auth_callback(&url_or_query, &expected_app_id, state)
        .map(|inner| AppAuthCallback { inner })
        .or_throw(&env)
}

/// Parses a user consent callback (the full URL or its query) and checks it: the `app_id` must be
/// `expectedAppId` (the app the link named), the `state` as `check` says.
///
/// @throws {AlipayError} as for `parseAppAuthCallback`, with `auth_code` in place of `app_auth_code`.
#[napi(catch_unwind)]
pub fn parse_user_auth_callback(
    env: Env,
    url_or_query: String,
    expected_app_id: String,
    check: StateCheckOptions,
) -> napi::Result<UserAuthCallback> {
    let state = state_check(&env, &check)?;
    core::parse_user_auth_callback(&url_or_query, &expected_app_id, state)
        .map(|inner| UserAuthCallback { inner })
        .or_throw(&env)
}
