//! Merchant and user authorisation helpers, mirroring `alipay_isv::auth`: the links to send a merchant
//! or user to ([`app_auth_link`], [`console_auth_link`], [`user_consent_link`]), the `state` that ties
//! a callback to its link ([`generate_state`], [`states_match`]), and the callback parsers
//! ([`parse_app_auth_callback`], [`parse_user_auth_callback`]). All synchronous: no network.
//!
//! Application types and scopes are their wire names as strings (`TINYAPP`, `auth_user`, …,
//! case-insensitive). A parsed callback carries a single-use code: its `toString()` and
//! `util.inspect` mask it.

use alipay_isv::auth::{self as core, ApplicationType, StateCheck, UserScope};
use napi::Env;
use napi_derive::napi;

use crate::error::{OrThrow, to_js_error};

/// Where and for whom a merchant authorisation link is built.
#[napi(object, object_to_js = false)]
pub struct AppAuthLinkOptions {
    /// `production` (default), `sandbox`, or a URL (the emulator's `baseUrl`).
    pub host: Option<String>,
    /// The ISV's (third-party app's) `app_id`.
    pub app_id: String,
    /// The authorisation callback URL configured for the app (http or https).
    pub redirect_uri: String,
    /// For a batch authorisation: the application types it covers (`TINYAPP`, `WEBAPP`, `MOBILEAPP`,
    /// `PUBLICAPP`, `ARAPP`, `BASEAPP`). Empty or absent: a single-app link. Console links need one.
    #[napi(ts_type = "ApplicationType[]")]
    pub application_types: Option<Vec<String>>,
    /// The `state` to carry (1-256 characters of Base64); generated when absent.
    pub state: Option<String>,
}

/// Where and for whom a user consent link is built.
#[napi(object, object_to_js = false)]
pub struct UserConsentLinkOptions {
    /// `production` (default), `sandbox`, or a URL (the emulator's `baseUrl`).
    pub host: Option<String>,
    /// The app the user consents to: for a delegated mini-program, the merchant's `authAppId`.
    pub app_id: String,
    /// The scopes asked for: `auth_base` (user id only) and/or `auth_user` (profile).
    #[napi(ts_type = "UserScope[]")]
    pub scopes: Vec<String>,
    /// The consent callback URL (http or https).
    pub redirect_uri: String,
    /// The `state` to carry (1-256 characters of Base64); generated when absent.
    pub state: Option<String>,
}

/// A link to send a merchant or user to, and the `state` its callback must carry back.
#[napi(object, object_from_js = false)]
pub struct AuthLink {
    /// The URL to open (redirect the browser to it).
    pub url: String,
    /// The `state` the callback must carry back: keep it (session, signed cookie) until then.
    pub state: String,
}

impl From<core::AuthLink> for AuthLink {
    fn from(link: core::AuthLink) -> Self {
        AuthLink {
            url: link.url,
            state: link.state,
        }
    }
}

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

fn parse_types(env: &Env, names: Option<Vec<String>>) -> napi::Result<Vec<ApplicationType>> {
    names
        .unwrap_or_default()
        .iter()
        .map(|name| name.parse::<ApplicationType>().or_throw(env))
        .collect()
}

fn host(host: &Option<String>) -> &str {
    host.as_deref().unwrap_or("production")
}

/// The merchant authorisation link: single (`appToAppAuth.htm`) without application types, batch
/// (`appToAppBatchAuth.htm`) with them.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an empty `appId`, a non-http(s) `redirectUri`, a
/// `state` that is not Base64, an unknown application type or host.
#[napi(catch_unwind)]
pub fn app_auth_link(env: Env, options: AppAuthLinkOptions) -> napi::Result<AuthLink> {
    let types = parse_types(&env, options.application_types)?;
    core::app_auth_link(
        host(&options.host),
        &options.app_id,
        &options.redirect_uri,
        &types,
        options.state.as_deref(),
    )
    .map(AuthLink::from)
    .or_throw(&env)
}

/// The console-style merchant authorisation link (`b.alipay.com/page/message/tasksDetail`); at least
/// one application type is required. `host` is `production` or a URL (the emulator). Callbacks of
/// console-issued links may come back without `state`: parse them with `allowMissingState`.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `appAuthLink`, or without application types.
#[napi(catch_unwind)]
pub fn console_auth_link(env: Env, options: AppAuthLinkOptions) -> napi::Result<AuthLink> {
    let types = parse_types(&env, options.application_types)?;
    core::console_auth_link(
        host(&options.host),
        &options.app_id,
        &options.redirect_uri,
        &types,
        options.state.as_deref(),
    )
    .map(AuthLink::from)
    .or_throw(&env)
}

/// The user consent link (`publicAppAuthorize.htm`).
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `appAuthLink`, for no scope or an unknown one.
#[napi(catch_unwind)]
pub fn user_consent_link(env: Env, options: UserConsentLinkOptions) -> napi::Result<AuthLink> {
    let scopes = options
        .scopes
        .iter()
        .map(|name| name.parse::<UserScope>().or_throw(&env))
        .collect::<napi::Result<Vec<_>>>()?;
    core::user_consent_link(
        host(&options.host),
        &options.app_id,
        &scopes,
        &options.redirect_uri,
        options.state.as_deref(),
    )
    .map(AuthLink::from)
    .or_throw(&env)
}

/// A fresh `state`: 24 random bytes as URL-safe Base64 (32 characters).
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if the system random source fails.
#[napi(catch_unwind)]
pub fn generate_state(env: Env) -> napi::Result<String> {
    core::generate_state().or_throw(&env)
}

/// Whether the `state` a callback carried is the one issued, compared in constant time.
#[napi(catch_unwind)]
pub fn states_match(issued: String, received: String) -> bool {
    core::states_match(&issued, &received)
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
