//! The token records the typed authorisation calls of [`crate::client::Client`] return, mirroring
//! `alipay_isv::auth::models`: [`AppAuthToken`], [`AppAuthTokenInfo`], [`UserToken`] and
//! [`UserInfo`]. The Kotlin `toString()` masks every token.

use std::collections::HashMap;
use std::fmt;

use alipay_isv::auth as core;
use alipay_isv::secret::shown;
use serde_json::Value;

use super::plain;
use crate::response::scalar_fields;

/// Masks an optional secret for `toString()`.
fn masked(name: &str, secret: &Option<String>) -> String {
    secret
        .as_deref()
        .map_or_else(|| "null".to_string(), |value| shown(name, value))
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
