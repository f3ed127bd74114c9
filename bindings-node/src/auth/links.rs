//! Authorisation links, mirroring `alipay_isv::auth::links`: the merchant's link (single or batch,
//! [`app_auth_link`]; console-style, [`console_auth_link`]) and the user's consent link
//! ([`user_consent_link`]), each an [`AuthLink`] with the `state` its callback must carry back.

use alipay_isv::auth::{self as core, ApplicationType, UserScope};
use napi::Env;
use napi_derive::napi;

use crate::error::OrThrow;

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
