//! The typed results of the authorisation calls, mirroring `alipay_isv::auth::models`: the merchant's
//! [`AppAuthToken`] and the user's [`UserToken`] are classes whose `toString()` and `util.inspect`
//! mask every token (the getters return them in full: store them, never log them);
//! [`AppAuthTokenInfo`] and [`UserInfo`] hold no token and are plain objects.

use alipay_isv::auth as core;
use napi_derive::napi;
use serde_json::Value;

use crate::json::Json;

/// One merchant authorisation from `alipay.open.auth.token.app`: the token for delegated calls and
/// the merchant it belongs to. Secret: `toString()` / `util.inspect` mask the tokens.
#[napi]
pub struct AppAuthToken {
    pub(crate) inner: core::AppAuthToken,
}

#[napi]
impl AppAuthToken {
    /// The token to pass as `appAuthToken` on delegated calls. Secret.
    #[napi(getter, catch_unwind)]
    pub fn app_auth_token(&self) -> String {
        self.inner.app_auth_token.clone()
    }

    /// The token to refresh it with (`refreshAppAuthToken`), or `null`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn app_refresh_token(&self) -> Option<String> {
        self.inner.app_refresh_token.clone()
    }

    /// The merchant's authorised app (`auth_app_id`).
    #[napi(getter, catch_unwind)]
    pub fn auth_app_id(&self) -> String {
        self.inner.auth_app_id.clone()
    }

    /// The merchant's PID (2088…), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn user_id(&self) -> Option<String> {
        self.inner.user_id.clone()
    }

    /// Seconds the token lives from now, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// Seconds the refresh token lives from now, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn re_expires_in(&self) -> Option<i64> {
        self.inner.re_expires_in
    }

    /// `AppAuthToken { app_auth_token: "2026…(40 chars)", … }`: the tokens masked.
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

/// A user's authorisation from `alipay.system.oauth.token`. Secret: `toString()` / `util.inspect`
/// mask the tokens.
#[napi]
pub struct UserToken {
    pub(crate) inner: core::UserToken,
}

#[napi]
impl UserToken {
    /// The token to pass as `authToken` on calls for this user. Secret.
    #[napi(getter, catch_unwind)]
    pub fn access_token(&self) -> String {
        self.inner.access_token.clone()
    }

    /// The token to refresh it with (`refreshUserToken`), or `null`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn refresh_token(&self) -> Option<String> {
        self.inner.refresh_token.clone()
    }

    /// The user's id (2088…), when the app still receives it, else `null`.
    #[napi(getter, catch_unwind)]
    pub fn user_id(&self) -> Option<String> {
        self.inner.user_id.clone()
    }

    /// The user's per-app `open_id`, when present, else `null`.
    #[napi(getter, catch_unwind)]
    pub fn open_id(&self) -> Option<String> {
        self.inner.open_id.clone()
    }

    /// Seconds the access token lives, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// Seconds the refresh token lives, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn re_expires_in(&self) -> Option<i64> {
        self.inner.re_expires_in
    }

    /// When the user authorised (`yyyy-MM-dd HH:mm:ss`, China time), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn auth_start(&self) -> Option<String> {
        self.inner.auth_start.clone()
    }

    /// `UserToken { user_id: …, access_token: "auth…(40 chars)", … }`: the tokens masked.
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

/// What `alipay.open.auth.token.app.query` says of a merchant token (no token in it).
#[napi(object, object_from_js = false, use_nullable = true)]
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
    /// Whether the gateway says the token is valid (`status === 'valid'`).
    pub valid: bool,
}

impl From<core::AppAuthTokenInfo> for AppAuthTokenInfo {
    fn from(info: core::AppAuthTokenInfo) -> Self {
        AppAuthTokenInfo {
            valid: info.is_valid(),
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

/// A user's profile from `alipay.user.info.share`; every field may be `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
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
    /// Every field of the answer (`code` and `msg` included), for the ones not modelled here.
    #[napi(ts_type = "Record<string, any>")]
    pub fields: Json,
}

impl From<core::UserInfo> for UserInfo {
    fn from(info: core::UserInfo) -> Self {
        UserInfo {
            user_id: info.user_id,
            open_id: info.open_id,
            nick_name: info.nick_name,
            avatar: info.avatar,
            province: info.province,
            city: info.city,
            gender: info.gender,
            fields: Json::value(Value::Object(info.fields)),
        }
    }
}
