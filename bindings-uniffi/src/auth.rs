//! Merchant and user authorisation, mirroring `alipay_isv::auth`: the links (merchant single and
//! batch, console-style, user consent), the `state` that ties a callback to its link, callback
//! parsing, and the token records the typed calls of [`crate::client::Client`] return.
//!
//! The Kotlin `toString()` of every record that holds a token or a code masks it.

use std::collections::HashMap;
use std::fmt;

use alipay_isv::auth as core;
use alipay_isv::secret::shown;
use serde_json::Value;

use crate::error::{Result, guard};
use crate::response::scalar_fields;

/// Masks an optional secret for `toString()`.
fn masked(name: &str, secret: &Option<String>) -> String {
    secret
        .as_deref()
        .map_or_else(|| "null".to_string(), |value| shown(name, value))
}

/// Shows an optional value for `toString()`.
fn plain<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "null".to_string(), ToString::to_string)
}

/// The kinds of merchant applications a batch authorisation covers (wire names `MOBILEAPP`,
/// `WEBAPP`, `PUBLICAPP`, `TINYAPP`, `ARAPP`, `BASEAPP`; see `wireName()` and
/// `parseApplicationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ApplicationType {
    /// `MOBILEAPP`: a mobile app.
    MobileApp,
    /// `WEBAPP`: a web site.
    WebApp,
    /// `PUBLICAPP`: a life account (生活号).
    PublicApp,
    /// `TINYAPP`: a mini-program.
    TinyApp,
    /// `ARAPP`: an AR app.
    ArApp,
    /// `BASEAPP`: a basic app.
    BaseApp,
}

impl From<ApplicationType> for core::ApplicationType {
    fn from(kind: ApplicationType) -> Self {
        match kind {
            ApplicationType::MobileApp => core::ApplicationType::MobileApp,
            ApplicationType::WebApp => core::ApplicationType::WebApp,
            ApplicationType::PublicApp => core::ApplicationType::PublicApp,
            ApplicationType::TinyApp => core::ApplicationType::TinyApp,
            ApplicationType::ArApp => core::ApplicationType::ArApp,
            ApplicationType::BaseApp => core::ApplicationType::BaseApp,
        }
    }
}

impl From<core::ApplicationType> for ApplicationType {
    fn from(kind: core::ApplicationType) -> Self {
        match kind {
            core::ApplicationType::MobileApp => ApplicationType::MobileApp,
            core::ApplicationType::WebApp => ApplicationType::WebApp,
            core::ApplicationType::PublicApp => ApplicationType::PublicApp,
            core::ApplicationType::TinyApp => ApplicationType::TinyApp,
            core::ApplicationType::ArApp => ApplicationType::ArApp,
            core::ApplicationType::BaseApp => ApplicationType::BaseApp,
        }
    }
}

#[uniffi::export]
impl ApplicationType {
    /// The wire name, e.g. `TINYAPP`.
    pub fn wire_name(&self) -> String {
        core::ApplicationType::from(*self).as_str().to_string()
    }
}

/// Parses an application type's wire name (`TINYAPP`, case-insensitive).
///
/// Throws `AlipayException.Config` for an unknown name.
#[uniffi::export]
pub fn parse_application_type(name: String) -> Result<ApplicationType> {
    guard("parseApplicationType", || {
        name.parse::<core::ApplicationType>()
            .map(ApplicationType::from)
    })
}

/// The scopes a user can grant (wire names `auth_base`, `auth_user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum UserScope {
    /// `auth_base`: silent, the user id only.
    AuthBase,
    /// `auth_user`: the user's profile (`alipay.user.info.share`).
    AuthUser,
}

impl From<UserScope> for core::UserScope {
    fn from(scope: UserScope) -> Self {
        match scope {
            UserScope::AuthBase => core::UserScope::AuthBase,
            UserScope::AuthUser => core::UserScope::AuthUser,
        }
    }
}

#[uniffi::export]
impl UserScope {
    /// The wire name, e.g. `auth_user`.
    pub fn wire_name(&self) -> String {
        core::UserScope::from(*self).as_str().to_string()
    }
}

/// Parses a user scope's wire name (`auth_user` or `auth_base`, case-insensitive).
///
/// Throws `AlipayException.Config` for an unknown name.
#[uniffi::export]
pub fn parse_user_scope(name: String) -> Result<UserScope> {
    guard("parseUserScope", || {
        Ok(match name.parse::<core::UserScope>()? {
            core::UserScope::AuthBase => UserScope::AuthBase,
            core::UserScope::AuthUser => UserScope::AuthUser,
        })
    })
}

/// A link to send a merchant or user to, and the `state` its callback must carry back: keep the
/// state (session, signed cookie) until then.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthLink {
    /// The URL to open.
    pub url: String,
    /// The `state` to check the callback against.
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

/// The merchant authorisation link: single (`appToAppAuth.htm`) when `application_types` is
/// empty, batch (`appToAppBatchAuth.htm`) otherwise. `host` is `production`, `sandbox` or a URL
/// (the emulator's `baseUrl()`); `state` is generated when null.
///
/// Throws `AlipayException.Config` for an empty app id, a redirect URI that is not http(s), a
/// state that is not Base64, or an unknown host.
#[uniffi::export(default(application_types = [], state = None))]
pub fn app_auth_link(
    host: String,
    app_id: String,
    redirect_uri: String,
    application_types: Vec<ApplicationType>,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("appAuthLink", || {
        let types: Vec<core::ApplicationType> =
            application_types.into_iter().map(Into::into).collect();
        core::app_auth_link(&host, &app_id, &redirect_uri, &types, state.as_deref())
            .map(AuthLink::from)
    })
}

/// The console-style merchant authorisation link (`b.alipay.com/page/message/tasksDetail`);
/// `host` is `production` or a URL. Its callback comes back without `state`: parse it with
/// `StateCheck.AllowMissing`.
///
/// Throws as `appAuthLink` does; at least one application type is required.
#[uniffi::export(default(state = None))]
pub fn console_auth_link(
    host: String,
    app_id: String,
    redirect_uri: String,
    application_types: Vec<ApplicationType>,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("consoleAuthLink", || {
        let types: Vec<core::ApplicationType> =
            application_types.into_iter().map(Into::into).collect();
        core::console_auth_link(&host, &app_id, &redirect_uri, &types, state.as_deref())
            .map(AuthLink::from)
    })
}

/// The user consent link (`publicAppAuthorize.htm`) for the app `app_id` — for a delegated
/// mini-program, the merchant's `authAppId`.
///
/// Throws as `appAuthLink` does; at least one scope is required.
#[uniffi::export(default(state = None))]
pub fn user_consent_link(
    host: String,
    app_id: String,
    scopes: Vec<UserScope>,
    redirect_uri: String,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("userConsentLink", || {
        let scopes: Vec<core::UserScope> = scopes.into_iter().map(Into::into).collect();
        core::user_consent_link(&host, &app_id, &scopes, &redirect_uri, state.as_deref())
            .map(AuthLink::from)
    })
}

/// A fresh random `state` (32 characters of URL-safe Base64).
///
/// Throws `AlipayException.Config` if the system random source fails.
#[uniffi::export]
pub fn generate_state() -> Result<String> {
    guard("generateState", core::generate_state)
}

/// Compares the `state` a callback carried with the one issued, in constant time.
#[uniffi::export]
pub fn states_match(issued: String, received: String) -> bool {
    core::states_match(&issued, &received)
}

/// How to check a callback's `state` (Kotlin: `StateCheck.Expect(link.state)`, or
/// `StateCheck.AllowMissing(issued = null)` for console-issued links).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum StateCheck {
    /// The callback must carry exactly this `state` (the one of the link you issued).
    Expect {
        /// The issued state.
        state: String,
    },
    /// Links issued from the Alipay console come back without `state`: accept its absence. A
    /// callback that does carry one is still compared with `issued` when given.
    AllowMissing {
        /// The state you issued, if any link of yours is in use too.
        issued: Option<String>,
    },
}

impl StateCheck {
    /// The core check, borrowing the state.
    fn to_core(&self) -> core::StateCheck<'_> {
        match self {
            StateCheck::Expect { state } => core::StateCheck::Expect(state),
            StateCheck::AllowMissing { issued } => core::StateCheck::AllowMissing {
                issued: issued.as_deref(),
            },
        }
    }
}

/// A checked merchant authorisation callback. `toString()` masks the code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct AppAuthCallback {
    /// The single-use code to pass to `Client.exchangeAppAuthCode`.
    pub app_auth_code: String,
    /// The ISV app id (checked to be ours).
    pub app_id: String,
    /// `alipay_app_auth` for Alipay's redirect.
    pub source: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for AppAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AppAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AppAuthCallback(appAuthCode={}, appId={}, source={}, state={})",
            shown("app_auth_code", &self.app_auth_code),
            self.app_id,
            plain(&self.source),
            plain(&self.state)
        )
    }
}

/// Parses and checks a merchant authorisation callback (a URL or its query).
///
/// Throws `AlipayException.Protocol` when `app_auth_code` or `app_id` is missing or a parameter is
/// repeated, `.Signature` when the app id is not `expected_app_id` or the state check fails.
#[uniffi::export]
pub fn parse_app_auth_callback(
    url_or_query: String,
    expected_app_id: String,
    state: StateCheck,
) -> Result<AppAuthCallback> {
    guard("parseAppAuthCallback", || {
        let callback =
            core::parse_app_auth_callback(&url_or_query, &expected_app_id, state.to_core())?;
        Ok(AppAuthCallback {
            app_auth_code: callback.app_auth_code,
            app_id: callback.app_id,
            source: callback.source,
            state: callback.state,
        })
    })
}

/// A checked user consent callback. `toString()` masks the code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct UserAuthCallback {
    /// The single-use code to pass to `Client.exchangeUserAuthCode`.
    pub auth_code: String,
    /// The app the user consented to (for a delegated mini-program, the merchant's app).
    pub app_id: String,
    /// The scopes granted, e.g. `auth_user`.
    pub scope: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for UserAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for UserAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserAuthCallback(authCode={}, appId={}, scope={}, state={})",
            shown("auth_code", &self.auth_code),
            self.app_id,
            plain(&self.scope),
            plain(&self.state)
        )
    }
}

/// Parses and checks a user consent callback; `expected_app_id` is the app the link named.
///
/// Throws as `parseAppAuthCallback` does, with `auth_code` in place of `app_auth_code`.
#[uniffi::export]
pub fn parse_user_auth_callback(
    url_or_query: String,
    expected_app_id: String,
    state: StateCheck,
) -> Result<UserAuthCallback> {
    guard("parseUserAuthCallback", || {
        let callback =
            core::parse_user_auth_callback(&url_or_query, &expected_app_id, state.to_core())?;
        Ok(UserAuthCallback {
            auth_code: callback.auth_code,
            app_id: callback.app_id,
            scope: callback.scope,
            state: callback.state,
        })
    })
}

/// One merchant authorisation: the token for delegated calls and the merchant it belongs to.
/// `toString()` masks both tokens.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct AppAuthToken {
    /// The token to pass as `CallOptions.appAuthToken`.
    pub app_auth_token: String,
    /// The token to refresh it with.
    pub app_refresh_token: Option<String>,
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// The merchant's PID (2088…).
    pub user_id: Option<String>,
    /// Seconds the token lives from now.
    pub expires_in: Option<i64>,
    /// Seconds the refresh token lives from now.
    pub re_expires_in: Option<i64>,
}

impl From<core::AppAuthToken> for AppAuthToken {
    fn from(token: core::AppAuthToken) -> Self {
        AppAuthToken {
            app_auth_token: token.app_auth_token,
            app_refresh_token: token.app_refresh_token,
            auth_app_id: token.auth_app_id,
            user_id: token.user_id,
            expires_in: token.expires_in,
            re_expires_in: token.re_expires_in,
        }
    }
}

impl fmt::Debug for AppAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AppAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AppAuthToken(appAuthToken={}, appRefreshToken={}, authAppId={}, userId={}, \
             expiresIn={}, reExpiresIn={})",
            shown("app_auth_token", &self.app_auth_token),
            masked("app_refresh_token", &self.app_refresh_token),
            self.auth_app_id,
            plain(&self.user_id),
            plain(&self.expires_in),
            plain(&self.re_expires_in)
        )
    }
}

/// What `alipay.open.auth.token.app.query` says of a merchant token.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AppAuthTokenInfo {
    /// The merchant's PID.
    pub user_id: Option<String>,
    /// The merchant's authorised app.
    pub auth_app_id: Option<String>,
    /// Seconds the token still lives.
    pub expires_in: Option<i64>,
    /// The APIs the merchant granted.
    pub auth_methods: Vec<String>,
    /// When the authorisation started (`yyyy-MM-dd HH:mm:ss`, China time).
    pub auth_start: Option<String>,
    /// When it ends.
    pub auth_end: Option<String>,
    /// `valid` or `invalid`.
    pub status: Option<String>,
    /// Whether the gateway says the token is valid.
    pub is_valid: bool,
}

impl From<core::AppAuthTokenInfo> for AppAuthTokenInfo {
    fn from(info: core::AppAuthTokenInfo) -> Self {
        AppAuthTokenInfo {
            is_valid: info.is_valid(),
            user_id: info.user_id,
            auth_app_id: info.auth_app_id,
            expires_in: info.expires_in,
            auth_methods: info.auth_methods,
            auth_start: info.auth_start,
            auth_end: info.auth_end,
            status: info.status,
        }
    }
}

/// A user's authorisation from `alipay.system.oauth.token`. `toString()` masks both tokens.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct UserToken {
    /// The user's id (2088…), when the app still receives it.
    pub user_id: Option<String>,
    /// The user's per-app `open_id`, when present.
    pub open_id: Option<String>,
    /// The token to pass as `CallOptions.authToken` (or to `Client.userInfoShare`).
    pub access_token: String,
    /// Seconds the access token lives.
    pub expires_in: Option<i64>,
    /// The token to refresh it with.
    pub refresh_token: Option<String>,
    /// Seconds the refresh token lives.
    pub re_expires_in: Option<i64>,
    /// When the user authorised (`yyyy-MM-dd HH:mm:ss`, China time).
    pub auth_start: Option<String>,
}

impl From<core::UserToken> for UserToken {
    fn from(token: core::UserToken) -> Self {
        UserToken {
            user_id: token.user_id,
            open_id: token.open_id,
            access_token: token.access_token,
            expires_in: token.expires_in,
            refresh_token: token.refresh_token,
            re_expires_in: token.re_expires_in,
            auth_start: token.auth_start,
        }
    }
}

impl fmt::Debug for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserToken(userId={}, openId={}, accessToken={}, expiresIn={}, refreshToken={}, \
             reExpiresIn={}, authStart={})",
            plain(&self.user_id),
            plain(&self.open_id),
            shown("access_token", &self.access_token),
            plain(&self.expires_in),
            masked("refresh_token", &self.refresh_token),
            plain(&self.re_expires_in),
            plain(&self.auth_start)
        )
    }
}

/// A user's profile from `alipay.user.info.share`; every field optional.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct UserInfo {
    /// The user's id (2088…).
    pub user_id: Option<String>,
    /// The user's per-app `open_id`.
    pub open_id: Option<String>,
    /// Nickname.
    pub nick_name: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// `m` or `f`.
    pub gender: Option<String>,
    /// The top-level scalar fields of the answer as text (`code` and `msg` included).
    pub fields: HashMap<String, String>,
    /// Every field of the answer as compact JSON object text.
    pub fields_json: String,
}

impl From<core::UserInfo> for UserInfo {
    fn from(info: core::UserInfo) -> Self {
        UserInfo {
            fields: scalar_fields(&info.fields),
            fields_json: Value::Object(info.fields).to_string(),
            user_id: info.user_id,
            open_id: info.open_id,
            nick_name: info.nick_name,
            avatar: info.avatar,
            province: info.province,
            city: info.city,
            gender: info.gender,
        }
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        names.sort_unstable();
        write!(
            f,
            "UserInfo(userId={}, openId={}, nickName={}, fields={names:?})",
            plain(&self.user_id),
            plain(&self.open_id),
            plain(&self.nick_name)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_mask_their_secrets() {
        let token = AppAuthToken {
            app_auth_token: "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21".into(),
            app_refresh_token: Some("202611BBf0e1d2c3b4a5968778695a4b3c2d1R21".into()),
            auth_app_id: "2021000000000999".into(),
            user_id: None,
            expires_in: Some(1),
            re_expires_in: None,
        };
        let shown = token.to_string();
        assert!(!shown.contains("a1b2c3d4"), "{shown}");
        assert!(!shown.contains("f0e1d2c3"), "{shown}");
        assert!(shown.contains("2021000000000999"), "{shown}");
        let user = UserToken {
            user_id: None,
            open_id: Some("074a".into()),
            access_token: "authusrBa1b2c3d4e5f6a7b8c9d0e1f2X21".into(),
            expires_in: None,
            refresh_token: None,
            re_expires_in: None,
            auth_start: None,
        };
        assert!(!user.to_string().contains("a1b2c3d4"));
        let callback = AppAuthCallback {
            app_auth_code: "P5f3secretcode1234".into(),
            app_id: "2021".into(),
            source: None,
            state: None,
        };
        assert!(!callback.to_string().contains("secretcode"));
    }

    #[test]
    fn enums_round_trip_their_wire_names() {
        for kind in core::ApplicationType::ALL {
            let ours = ApplicationType::from(kind);
            assert_eq!(parse_application_type(ours.wire_name()).unwrap(), ours);
        }
        assert_eq!(
            parse_user_scope("AUTH_USER".into()).unwrap(),
            UserScope::AuthUser
        );
        assert!(parse_user_scope("auth_everything".into()).is_err());
    }
}
