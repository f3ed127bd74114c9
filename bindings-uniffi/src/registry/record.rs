//! The values of the merchant authorisation registry, mirroring `alipay_isv::registry`: the
//! [`MerchantAuthorisation`] record, its [`AuthStatus`] and [`AuthOrigin`], the [`RefreshLease`] a
//! refresher holds and the [`IngestOutcome`] of an ingestion.
//!
//! The Kotlin `toString()` of a record masks both tokens.

use std::fmt;

use alipay_isv::registry as core;
use alipay_isv::secret::shown;

/// Whether a merchant authorisation can be used (Kotlin `AuthStatus.ACTIVE`, `.REVOKED`; stored as
/// `active` / `revoked`, see `wireName()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AuthStatus {
    /// Usable (refreshed when it nears expiry).
    Active,
    /// The merchant revoked it (or the gateway reported it invalid): kept for the record, never used.
    Revoked,
}

impl From<core::AuthStatus> for AuthStatus {
    fn from(status: core::AuthStatus) -> Self {
        match status {
            core::AuthStatus::Active => AuthStatus::Active,
            core::AuthStatus::Revoked => AuthStatus::Revoked,
        }
    }
}

impl From<AuthStatus> for core::AuthStatus {
    fn from(status: AuthStatus) -> Self {
        match status {
            AuthStatus::Active => core::AuthStatus::Active,
            AuthStatus::Revoked => core::AuthStatus::Revoked,
        }
    }
}

#[uniffi::export]
impl AuthStatus {
    /// The stored name: `active` or `revoked`.
    pub fn wire_name(&self) -> String {
        core::AuthStatus::from(*self).as_str().to_string()
    }
}

/// How a merchant authorisation reached the registry (Kotlin `AuthOrigin.AUTHORISED`, `.IMPORTED`;
/// stored as `authorised` / `imported`, see `wireName()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AuthOrigin {
    /// The merchant authorised through a link (the code exchange or the authorisation notification),
    /// and its refreshes.
    Authorised,
    /// A token copied from the open-platform console and imported (`Registry.importToken`), and its
    /// refreshes.
    Imported,
}

impl From<core::AuthOrigin> for AuthOrigin {
    fn from(origin: core::AuthOrigin) -> Self {
        match origin {
            core::AuthOrigin::Authorised => AuthOrigin::Authorised,
            core::AuthOrigin::Imported => AuthOrigin::Imported,
        }
    }
}

impl From<AuthOrigin> for core::AuthOrigin {
    fn from(origin: AuthOrigin) -> Self {
        match origin {
            AuthOrigin::Authorised => core::AuthOrigin::Authorised,
            AuthOrigin::Imported => core::AuthOrigin::Imported,
        }
    }
}

#[uniffi::export]
impl AuthOrigin {
    /// The stored name: `authorised` or `imported`.
    pub fn wire_name(&self) -> String {
        core::AuthOrigin::from(*self).as_str().to_string()
    }
}

/// What an ingestion did (Kotlin `IngestOutcome.APPLIED`, `.DUPLICATE`, `.STALE`, `.IGNORED`; see
/// `wireName()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum IngestOutcome {
    /// The registry changed.
    Applied,
    /// A notification already ingested (Alipay retries it), or a token already imported: nothing
    /// changed.
    Duplicate,
    /// Older than what is stored (a late message, a query about a previous token): nothing changed.
    Stale,
    /// Not about a stored merchant authorisation (another notification type, an unknown merchant's
    /// cancellation): nothing changed.
    Ignored,
}

impl From<core::IngestOutcome> for IngestOutcome {
    fn from(outcome: core::IngestOutcome) -> Self {
        match outcome {
            core::IngestOutcome::Applied => IngestOutcome::Applied,
            core::IngestOutcome::Duplicate => IngestOutcome::Duplicate,
            core::IngestOutcome::Stale => IngestOutcome::Stale,
            core::IngestOutcome::Ignored => IngestOutcome::Ignored,
        }
    }
}

impl From<IngestOutcome> for core::IngestOutcome {
    fn from(outcome: IngestOutcome) -> Self {
        match outcome {
            IngestOutcome::Applied => core::IngestOutcome::Applied,
            IngestOutcome::Duplicate => core::IngestOutcome::Duplicate,
            IngestOutcome::Stale => core::IngestOutcome::Stale,
            IngestOutcome::Ignored => core::IngestOutcome::Ignored,
        }
    }
}

#[uniffi::export]
impl IngestOutcome {
    /// `applied`, `duplicate`, `stale` or `ignored`.
    pub fn wire_name(&self) -> String {
        core::IngestOutcome::from(*self).as_str().to_string()
    }
}

/// A registry instance holding the right to refresh a record's token right now.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RefreshLease {
    /// The registry instance holding it (process id and a random suffix).
    pub owner: String,
    /// When it lapses, epoch milliseconds.
    pub until_ms: i64,
}

/// One merchant authorisation (merchant PID – `authAppId` – `appAuthToken`): unique per
/// (`appId`, `authAppId`) — our app the merchant authorised and the merchant's app —, indexed by the
/// merchant's PID. `toString()` masks both tokens.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct MerchantAuthorisation {
    /// The merchant's authorised app (with `appId`, the unique key).
    pub auth_app_id: String,
    /// The merchant's PID (2088…), when known.
    pub merchant_pid: Option<String>,
    /// The current token for delegated calls (prefer `Registry.tokenFor`, which refreshes it).
    pub app_auth_token: String,
    /// The token to refresh it with.
    pub app_refresh_token: Option<String>,
    /// When the token expires, epoch milliseconds, when known.
    pub expires_at_ms: Option<i64>,
    /// When the refresh token expires, epoch milliseconds, when known.
    pub refresh_expires_at_ms: Option<i64>,
    /// When the merchant authorised (or re-authorised), epoch milliseconds.
    pub authorised_at_ms: i64,
    /// When the current token was issued (authorisation or refresh), epoch milliseconds.
    pub token_issued_at_ms: i64,
    /// Active or revoked.
    pub status: AuthStatus,
    /// When it was revoked, epoch milliseconds.
    pub revoked_at_ms: Option<i64>,
    /// The APIs the merchant granted, when a query told.
    pub granted_methods: Vec<String>,
    /// Incremented by every write (the compare-and-swap guard between processes).
    pub version: i64,
    /// Who is refreshing the token right now, if anyone.
    pub refresh_lease: Option<RefreshLease>,
    /// The last write, epoch milliseconds.
    pub updated_at_ms: i64,
    /// How the authorisation reached the registry: authorised through a link, or imported from the
    /// console.
    pub origin: AuthOrigin,
    /// Our app the merchant authorised: the third-party app, or the plugin for a plugin
    /// authorisation (its `Client` refreshes the token and makes the calls). Empty for a record
    /// written before the registry recorded apps, until an app writes it. Last, as every field
    /// added later: the generated constructor is positional.
    pub app_id: String,
}

impl From<core::MerchantAuthorisation> for MerchantAuthorisation {
    fn from(record: core::MerchantAuthorisation) -> Self {
        MerchantAuthorisation {
            auth_app_id: record.auth_app_id,
            merchant_pid: record.merchant_pid,
            app_auth_token: record.app_auth_token,
            app_refresh_token: record.app_refresh_token,
            expires_at_ms: record.expires_at_ms,
            refresh_expires_at_ms: record.refresh_expires_at_ms,
            authorised_at_ms: record.authorised_at_ms,
            token_issued_at_ms: record.token_issued_at_ms,
            status: record.status.into(),
            revoked_at_ms: record.revoked_at_ms,
            granted_methods: record.granted_methods,
            version: record.version,
            refresh_lease: record.refresh_lease.map(|lease| RefreshLease {
                owner: lease.owner,
                until_ms: lease.until_ms,
            }),
            updated_at_ms: record.updated_at_ms,
            origin: record.origin.into(),
            app_id: record.app_id,
        }
    }
}

impl fmt::Debug for MerchantAuthorisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for MerchantAuthorisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = |value: Option<i64>| value.map_or_else(|| "null".into(), |n| n.to_string());
        write!(
            f,
            "MerchantAuthorisation(appId={}, authAppId={}, merchantPid={}, appAuthToken={}, appRefreshToken={}, \
             expiresAtMs={}, refreshExpiresAtMs={}, authorisedAtMs={}, tokenIssuedAtMs={}, status={}, \
             revokedAtMs={}, grantedMethods={:?}, version={}, refreshLease={}, updatedAtMs={}, \
             origin={})",
            self.app_id,
            self.auth_app_id,
            self.merchant_pid.as_deref().unwrap_or("null"),
            shown("app_auth_token", &self.app_auth_token),
            self.app_refresh_token
                .as_deref()
                .map_or_else(|| "null".into(), |token| shown("app_refresh_token", token)),
            number(self.expires_at_ms),
            number(self.refresh_expires_at_ms),
            self.authorised_at_ms,
            self.token_issued_at_ms,
            core::AuthStatus::from(self.status).as_str(),
            number(self.revoked_at_ms),
            self.granted_methods,
            self.version,
            self.refresh_lease.as_ref().map_or_else(
                || "null".into(),
                |lease| format!("{}@{}", lease.owner, lease.until_ms)
            ),
            self.updated_at_ms,
            core::AuthOrigin::from(self.origin).as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_masks_the_tokens_and_names_round_trip() {
        let record = MerchantAuthorisation {
            auth_app_id: "2021000000000999".into(),
            merchant_pid: Some("2088102000000009".into()),
            app_auth_token: "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21".into(),
            app_refresh_token: Some("202611BBf0e1d2c3b4a5968778695a4b3c2d1R21".into()),
            expires_at_ms: Some(1),
            refresh_expires_at_ms: None,
            authorised_at_ms: 0,
            token_issued_at_ms: 0,
            status: AuthStatus::Revoked,
            revoked_at_ms: Some(2),
            granted_methods: vec!["alipay.trade.query".into()],
            version: 3,
            refresh_lease: None,
            updated_at_ms: 4,
            origin: AuthOrigin::Imported,
            app_id: "2021000000000001".into(),
        };
        let shown = record.to_string();
        for secret in ["8f3c5a1e", "f0e1d2c3"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("status=revoked"), "{shown}");
        assert!(shown.contains("appId=2021000000000001"), "{shown}");
        assert!(shown.contains("origin=imported"), "{shown}");
        assert_eq!(AuthOrigin::Authorised.wire_name(), "authorised");
        assert!(shown.contains("2088102000000009"), "{shown}");
        assert_eq!(IngestOutcome::Stale.wire_name(), "stale");
        assert_eq!(AuthStatus::Active.wire_name(), "active");
        for outcome in [
            IngestOutcome::Applied,
            IngestOutcome::Duplicate,
            IngestOutcome::Stale,
            IngestOutcome::Ignored,
        ] {
            assert_eq!(
                IngestOutcome::from(core::IngestOutcome::from(outcome)),
                outcome
            );
        }
    }
}
