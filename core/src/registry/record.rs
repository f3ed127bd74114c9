//! What the registry keeps per merchant app: the record of one authorisation (merchant PID – auth_app_id –
//! app_auth_token), its status, and the outcome of an ingestion.

use std::fmt;

use crate::secret::{shown, shown_optional};

/// Whether the merchant's authorisation can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthStatus {
    /// Usable (refreshing it when it nears expiry).
    Active,
    /// The merchant revoked it (or the gateway reported it invalid): kept for the record, never used.
    Revoked,
}

impl AuthStatus {
    /// `active` or `revoked`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::Active => "active",
            AuthStatus::Revoked => "revoked",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "active" => Some(AuthStatus::Active),
            "revoked" => Some(AuthStatus::Revoked),
            _ => None,
        }
    }
}

/// How a merchant authorisation reached the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthOrigin {
    /// The merchant authorised through a link (方法一): the tokens of the `app_auth_code` exchange or of
    /// the `open_app_auth_notify` push, and their refreshes.
    Authorised,
    /// An `app_auth_token` copied from the open-platform console and imported (方法二, see
    /// `Registry::import_token`), and its refreshes.
    Imported,
}

impl AuthOrigin {
    /// `authorised` or `imported`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthOrigin::Authorised => "authorised",
            AuthOrigin::Imported => "imported",
        }
    }

    /// Parses the stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "authorised" => Some(AuthOrigin::Authorised),
            "imported" => Some(AuthOrigin::Imported),
            _ => None,
        }
    }
}

/// A process holding the right to refresh a record's token (see `Registry::token_for`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshLease {
    /// The registry instance holding it.
    pub owner: String,
    /// When it lapses, epoch milliseconds.
    pub until_ms: i64,
}

/// One merchant authorisation: unique per (`app_id`, `auth_app_id`), indexed by the merchant's PID.
/// `Debug` masks the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantAuthorisation {
    /// Our app the merchant authorised: the third-party app, or the plugin for a plugin authorisation.
    /// Empty for a record stored before the registry recorded it (schema 1 and 2), until the first write
    /// by an app moves it under that app.
    pub app_id: String,
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// The merchant's PID (2088…), when known.
    pub merchant_pid: Option<String>,
    /// The current token for delegated calls.
    pub app_auth_token: String,
    /// The token to refresh it with.
    pub app_refresh_token: Option<String>,
    /// When the token expires, epoch milliseconds, when known.
    pub expires_at_ms: Option<i64>,
    /// When the refresh token expires, epoch milliseconds, when known.
    pub refresh_expires_at_ms: Option<i64>,
    /// When the merchant authorised (or re-authorised), epoch milliseconds.
    pub authorised_at_ms: i64,
    /// When the current token was issued (authorisation or refresh), epoch milliseconds: a message about
    /// an older token never overwrites it.
    pub token_issued_at_ms: i64,
    /// Active or revoked.
    pub status: AuthStatus,
    /// When it was revoked, epoch milliseconds.
    pub revoked_at_ms: Option<i64>,
    /// The APIs the merchant granted, when a query told.
    pub granted_methods: Vec<String>,
    /// Incremented by every write: the compare-and-swap guard between processes.
    pub version: i64,
    /// Who is refreshing the token right now, if anyone.
    pub refresh_lease: Option<RefreshLease>,
    /// The last write, epoch milliseconds.
    pub updated_at_ms: i64,
    /// How the authorisation reached the registry: through the merchant's authorisation, or imported
    /// from the console.
    pub origin: AuthOrigin,
}

impl fmt::Debug for MerchantAuthorisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantAuthorisation")
            .field("app_id", &self.app_id)
            .field("auth_app_id", &self.auth_app_id)
            .field("merchant_pid", &self.merchant_pid)
            .field(
                "app_auth_token",
                &shown("app_auth_token", &self.app_auth_token),
            )
            .field(
                "app_refresh_token",
                &shown_optional("app_refresh_token", self.app_refresh_token.as_deref()),
            )
            .field("expires_at_ms", &self.expires_at_ms)
            .field("refresh_expires_at_ms", &self.refresh_expires_at_ms)
            .field("authorised_at_ms", &self.authorised_at_ms)
            .field("token_issued_at_ms", &self.token_issued_at_ms)
            .field("status", &self.status)
            .field("revoked_at_ms", &self.revoked_at_ms)
            .field("granted_methods", &self.granted_methods)
            .field("version", &self.version)
            .field("refresh_lease", &self.refresh_lease)
            .finish()
    }
}

impl MerchantAuthorisation {
    /// Whether the token can be used.
    pub fn is_active(&self) -> bool {
        self.status == AuthStatus::Active
    }
}

/// What an ingestion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IngestOutcome {
    /// The registry changed.
    Applied,
    /// A notification already ingested (Alipay retries), or a token already imported: nothing changed.
    Duplicate,
    /// Older than what is stored (a late message, a query about a previous token): nothing changed.
    Stale,
    /// Not about a stored merchant authorisation (another notification type, an unknown merchant's
    /// cancellation): nothing changed.
    Ignored,
}

impl IngestOutcome {
    /// `applied`, `duplicate`, `stale` or `ignored`.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestOutcome::Applied => "applied",
            IngestOutcome::Duplicate => "duplicate",
            IngestOutcome::Stale => "stale",
            IngestOutcome::Ignored => "ignored",
        }
    }
}
