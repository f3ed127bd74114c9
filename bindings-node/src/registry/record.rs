//! The values of the merchant authorisation registry, mirroring `alipay_isv::registry`'s record:
//! [`MerchantAuthorisation`] (one record, its tokens masked in `toString()` and `util.inspect`) and
//! the [`RefreshLease`] a refresher holds.

use alipay_isv::registry as core;
use napi_derive::napi;

/// Who is refreshing a record's token right now (another registry instance or process).
#[napi(object, object_from_js = false)]
pub struct RefreshLease {
    /// The registry instance holding it (`<pid>-<random>`).
    pub owner: String,
    /// When it lapses, epoch milliseconds.
    pub until_ms: i64,
}

/// One merchant authorisation in the registry: merchant PID – `authAppId` – `appAuthToken` for one of
/// our apps (`appId`), its status and expiries. A snapshot: later changes to the registry do not
/// show in it.
///
/// The getters return the tokens in full (they are secrets: never log them); `toString()` and
/// `util.inspect` mask them, and `JSON.stringify` shows nothing (the fields are getters).
#[napi]
pub struct MerchantAuthorisation {
    pub(crate) inner: core::MerchantAuthorisation,
}

#[napi]
impl MerchantAuthorisation {
    /// Our app the merchant authorised: the third-party app, or the plugin for a plugin
    /// authorisation. With `authAppId`, the record's key. `''` for a record stored before the
    /// registry recorded apps, until an app writes it.
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id.clone()
    }

    /// The merchant's authorised app (with `appId`, the record's key).
    #[napi(getter, catch_unwind)]
    pub fn auth_app_id(&self) -> String {
        self.inner.auth_app_id.clone()
    }

    /// The merchant's PID (2088…), or `null` when not known.
    #[napi(getter, catch_unwind)]
    pub fn merchant_pid(&self) -> Option<String> {
        self.inner.merchant_pid.clone()
    }

    /// The stored token for delegated calls. Secret. To call, prefer `Registry.tokenFor` (it refreshes
    /// the token when due) or `Registry.executeFor`.
    #[napi(getter, catch_unwind)]
    pub fn app_auth_token(&self) -> String {
        self.inner.app_auth_token.clone()
    }

    /// The token to refresh it with, or `null`. Secret.
    #[napi(getter, catch_unwind)]
    pub fn app_refresh_token(&self) -> Option<String> {
        self.inner.app_refresh_token.clone()
    }

    /// When the token expires, epoch milliseconds, or `null` when not known.
    #[napi(getter, catch_unwind)]
    pub fn expires_at_ms(&self) -> Option<i64> {
        self.inner.expires_at_ms
    }

    /// When the refresh token expires, epoch milliseconds, or `null` when not known.
    #[napi(getter, catch_unwind)]
    pub fn refresh_expires_at_ms(&self) -> Option<i64> {
        self.inner.refresh_expires_at_ms
    }

    /// When the merchant authorised (or re-authorised), epoch milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn authorised_at_ms(&self) -> i64 {
        self.inner.authorised_at_ms
    }

    /// When the current token was issued (authorisation or refresh), epoch milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn token_issued_at_ms(&self) -> i64 {
        self.inner.token_issued_at_ms
    }

    /// `active` (usable) or `revoked` (kept for the record, never used).
    #[napi(getter, catch_unwind, ts_return_type = "AuthStatus")]
    pub fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// Whether the authorisation is usable (`status === 'active'`).
    #[napi(getter, catch_unwind)]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// When it was revoked, epoch milliseconds, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn revoked_at_ms(&self) -> Option<i64> {
        self.inner.revoked_at_ms
    }

    /// The APIs the merchant granted, when a query told (`Registry.ingestQuery`); else empty.
    #[napi(getter, catch_unwind)]
    pub fn granted_methods(&self) -> Vec<String> {
        self.inner.granted_methods.clone()
    }

    /// Incremented by every write of the record.
    #[napi(getter, catch_unwind)]
    pub fn version(&self) -> i64 {
        self.inner.version
    }

    /// Who is refreshing the token right now, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn refresh_lease(&self) -> Option<RefreshLease> {
        self.inner.refresh_lease.as_ref().map(|lease| RefreshLease {
            owner: lease.owner.clone(),
            until_ms: lease.until_ms,
        })
    }

    /// The last write, epoch milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn updated_at_ms(&self) -> i64 {
        self.inner.updated_at_ms
    }

    /// How the authorisation reached the registry: `authorised` (the merchant authorised through a
    /// link) or `imported` (a token copied from the open-platform console, `Registry.importToken`).
    #[napi(getter, catch_unwind, ts_return_type = "AuthOrigin")]
    pub fn origin(&self) -> &'static str {
        self.inner.origin.as_str()
    }

    /// `MerchantAuthorisation { auth_app_id: …, app_auth_token: "2026…(40 chars)", … }`: the tokens
    /// masked.
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
