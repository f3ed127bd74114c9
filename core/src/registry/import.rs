//! [`Registry::import_token`]: the second way to obtain a merchant's `app_auth_token` (获得
//! app_auth_token 的方法二) — the ISV copies it from the open-platform console, and the registry asks the
//! gateway what it is (`alipay.open.auth.token.app.query`) before storing the relation merchant PID –
//! `auth_app_id` – `app_auth_token` it answers, marked [`AuthOrigin::Imported`].
//!
//! Nothing is stored unless the gateway vouches for the token: text that cannot be a token is refused
//! before any call, an error answer (`20001 aop.invalid-app-auth-token`) and an `invalid` status are
//! refused. Tokens are never ordered by when they were imported but by when they expire (a refresh or a
//! new authorisation issues a token that lives longer than the previous one): an import older than
//! the stored token is [`IngestOutcome::Stale`], importing the stored token again is
//! [`IngestOutcome::Duplicate`] (its granted APIs and expiry refreshed).

use super::ingest::expiry;
use super::record::{AuthOrigin, AuthStatus, IngestOutcome, MerchantAuthorisation};
use super::store::{Decision, UpdateResult};
use super::{Registry, now_ms};
use crate::auth::AppAuthTokenInfo;
use crate::error::{Error, Result};
use crate::request::parse_china_timestamp;

/// The longest text accepted as a token (Alipay's are 40 characters).
const MAX_TOKEN_CHARS: usize = 128;
/// Expiries computed from `expires_in` (whole seconds, plus the query's latency) differ by up to this
/// much for the same token: within it, tokens are not told apart by expiry.
const EXPIRY_TOLERANCE_MS: i64 = 2_000;

/// What an import did, and the record as it is stored now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenImport {
    /// [`IngestOutcome::Applied`] (stored or updated), [`IngestOutcome::Duplicate`] (this token was
    /// already stored and nothing changed) or [`IngestOutcome::Stale`] (the stored token is newer, or
    /// the record was revoked after this token's authorisation: nothing changed).
    pub outcome: IngestOutcome,
    /// The merchant's record after the import (the stored one when nothing changed). `Debug` masks
    /// its tokens.
    pub record: MerchantAuthorisation,
}

/// Checks text pasted as a token (`what` names it in errors; the text itself never appears in them)
/// and returns it without surrounding whitespace.
fn pasted<'a>(text: &'a str, what: &str) -> Result<&'a str> {
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::config(format!(
            "the {what} to import is empty: copy it from the open-platform console"
        )));
    }
    let count = token.chars().count();
    if count > MAX_TOKEN_CHARS {
        return Err(Error::config(format!(
            "the {what} to import is {count} characters long, not a token (Alipay's are about 40): \
             nothing was stored"
        )));
    }
    if !token.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(Error::config(format!(
            "the {what} to import contains spaces, control or non-ASCII characters, so it is not a \
             token: nothing was stored; copy it again from the open-platform console"
        )));
    }
    Ok(token)
}

/// A token the gateway vouched for, with its instants resolved at `now_ms`.
struct Vouched<'a> {
    app_auth_token: &'a str,
    app_refresh_token: Option<&'a str>,
    merchant_pid: Option<String>,
    /// When it expires: `now + expires_in`, else `auth_end`.
    expires_at_ms: Option<i64>,
    /// When its authorisation started (`auth_start`), when told.
    auth_start_ms: Option<i64>,
    granted_methods: Vec<String>,
    now_ms: i64,
}

impl<'a> Vouched<'a> {
    /// Reads a `valid` query answer.
    fn new(
        app_auth_token: &'a str,
        app_refresh_token: Option<&'a str>,
        info: &AppAuthTokenInfo,
        now_ms: i64,
    ) -> Self {
        let instant = |text: &Option<String>| {
            text.as_deref()
                .and_then(|text| parse_china_timestamp(text.trim()))
                .map(|seconds| seconds.saturating_mul(1000))
        };
        Vouched {
            app_auth_token,
            app_refresh_token,
            merchant_pid: info.user_id.clone().filter(|pid| !pid.is_empty()),
            expires_at_ms: expiry(now_ms, info.expires_in).or_else(|| instant(&info.auth_end)),
            auth_start_ms: instant(&info.auth_start),
            granted_methods: info.auth_methods.clone(),
            now_ms,
        }
    }

    /// Whether `stored` (holding another token) is newer than this one.
    fn older_than(&self, stored: &MerchantAuthorisation) -> bool {
        if stored.status == AuthStatus::Revoked {
            // Revoked after this token's authorisation started (`auth_start` has whole seconds).
            let started = self.auth_start_ms.map_or(self.now_ms, |start| start + 999);
            return stored
                .revoked_at_ms
                .is_some_and(|revoked| revoked > started);
        }
        match (self.expires_at_ms, stored.expires_at_ms) {
            (Some(ours), Some(theirs)) => ours.saturating_add(EXPIRY_TOLERANCE_MS) < theirs,
            _ => false,
        }
    }

    /// The stored record of the same token, brought up to date (granted APIs, expiry, PID, refresh
    /// token); `None` when nothing changes.
    fn refreshed(&self, stored: &MerchantAuthorisation) -> Option<MerchantAuthorisation> {
        let mut updated = stored.clone();
        if !self.granted_methods.is_empty() {
            updated.granted_methods = self.granted_methods.clone();
        }
        if let Some(fresh) = self.expires_at_ms {
            let moved = stored
                .expires_at_ms
                .is_none_or(|old| (fresh - old).abs() >= EXPIRY_TOLERANCE_MS);
            if moved {
                updated.expires_at_ms = Some(fresh);
            }
        }
        if updated.merchant_pid.is_none() {
            updated.merchant_pid = self.merchant_pid.clone();
        }
        if let Some(refresh) = self.app_refresh_token
            && stored.app_refresh_token.as_deref() != Some(refresh)
        {
            updated.app_refresh_token = Some(refresh.to_string());
            updated.refresh_expires_at_ms = None;
        }
        (updated != *stored).then_some(updated)
    }

    /// A new record for this token, replacing `current` (if any).
    fn record(
        &self,
        auth_app_id: &str,
        current: Option<&MerchantAuthorisation>,
    ) -> MerchantAuthorisation {
        let granted_methods = if self.granted_methods.is_empty() {
            current
                .map(|stored| stored.granted_methods.clone())
                .unwrap_or_default()
        } else {
            self.granted_methods.clone()
        };
        MerchantAuthorisation {
            app_id: String::new(),
            auth_app_id: auth_app_id.to_string(),
            merchant_pid: self
                .merchant_pid
                .clone()
                .or_else(|| current.and_then(|stored| stored.merchant_pid.clone())),
            app_auth_token: self.app_auth_token.to_string(),
            app_refresh_token: self.app_refresh_token.map(str::to_string),
            expires_at_ms: self.expires_at_ms,
            refresh_expires_at_ms: None,
            authorised_at_ms: self
                .auth_start_ms
                .or_else(|| current.map(|stored| stored.authorised_at_ms))
                .unwrap_or(self.now_ms),
            token_issued_at_ms: self.now_ms,
            status: AuthStatus::Active,
            revoked_at_ms: None,
            granted_methods,
            version: 0,
            refresh_lease: None,
            updated_at_ms: self.now_ms,
            origin: AuthOrigin::Imported,
        }
    }
}

/// The import of a vouched token against the stored record, and the outcome it will have.
fn from_import(
    current: Option<&MerchantAuthorisation>,
    auth_app_id: &str,
    token: &Vouched<'_>,
) -> (Decision, IngestOutcome) {
    match current {
        Some(stored) if stored.app_auth_token == token.app_auth_token => {
            if stored.status == AuthStatus::Revoked {
                // Revoked here (by a cancellation, or by hand): an import does not undo it.
                return (Decision::Keep, IngestOutcome::Stale);
            }
            match token.refreshed(stored) {
                Some(updated) => (Decision::Write(Box::new(updated)), IngestOutcome::Applied),
                None => (Decision::Keep, IngestOutcome::Duplicate),
            }
        }
        Some(stored) if token.older_than(stored) => (Decision::Keep, IngestOutcome::Stale),
        _ => (
            Decision::Write(Box::new(token.record(auth_app_id, current))),
            IngestOutcome::Applied,
        ),
    }
}

/// The error for a token the gateway reports `invalid`.
fn invalid(info: &AppAuthTokenInfo) -> Error {
    Error::Store {
        reason: format!(
            "the gateway reports this app_auth_token invalid (merchant app {}, PID {}): it expired or \
             the merchant revoked the authorisation; nothing was stored — have the merchant authorise \
             again, or copy the current token from the open-platform console",
            info.auth_app_id.as_deref().unwrap_or("unknown"),
            info.user_id.as_deref().unwrap_or("unknown"),
        ),
    }
}

impl Registry {
    /// Imports a merchant's `app_auth_token` obtained outside the authorisation flow — copied from the
    /// open-platform console (方法二) — with its `app_refresh_token` when known. The token is checked
    /// with `alipay.open.auth.token.app.query` through the registry's client, and the relation the
    /// gateway answers (merchant PID `user_id` – `auth_app_id` – token, granted APIs, expiry from
    /// `expires_in` or `auth_end`) is stored as [`AuthOrigin::Imported`].
    ///
    /// Idempotent: importing the stored token again is [`IngestOutcome::Duplicate`] (or `Applied`
    /// when the answer updated its granted APIs or expiry). A token that expires earlier than the
    /// stored one of the same merchant app is older and changes nothing ([`IngestOutcome::Stale`]),
    /// as does a token whose authorisation started before the stored record was revoked.
    ///
    /// Without a refresh token the registry cannot refresh the token: [`Registry::token_for`] refuses
    /// it once it is due for refresh, asking for a fresh import or a new authorisation.
    ///
    /// # Errors
    /// Nothing is stored on any error. [`Error::Config`] for text that cannot be a token (empty,
    /// spaces, control or non-ASCII characters, over 128 characters) — no call is made — or a
    /// registry without a client; [`Error::Api`] when the gateway refuses the query (`20001
    /// aop.invalid-app-auth-token` for a token it never issued); [`Error::Store`] when it reports the
    /// token `invalid` (expired or revoked), or the store fails; [`Error::Protocol`] for an answer
    /// without `auth_app_id` or `status`; the other errors of [`crate::client::Client::execute`].
    /// No error text holds either token.
    pub fn import_token(
        &self,
        app_auth_token: &str,
        app_refresh_token: Option<&str>,
    ) -> Result<TokenImport> {
        let token = pasted(app_auth_token, "app_auth_token")?;
        let refresh = app_refresh_token
            .map(|refresh| pasted(refresh, "app_refresh_token"))
            .transpose()?;
        let info = self.client()?.query_app_auth_token(token)?;
        let auth_app_id = info
            .auth_app_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                Error::protocol(
                    "the alipay.open.auth.token.app.query answer names no auth_app_id: nothing was \
                     stored",
                )
            })?;
        match info.status.as_deref().map(str::trim) {
            Some("valid") => {}
            Some("invalid") => return Err(invalid(&info)),
            Some(other) => {
                return Err(Error::protocol(format!(
                    "the alipay.open.auth.token.app.query answer has status `{other}` (expected valid \
                     or invalid): nothing was stored"
                )));
            }
            None => {
                return Err(Error::protocol(
                    "the alipay.open.auth.token.app.query answer has no status: nothing was stored",
                ));
            }
        }
        let vouched = Vouched::new(token, refresh, &info, now_ms());
        let mut outcome = IngestOutcome::Applied;
        let app_id = self.default_app_id().to_string();
        let result = self
            .store
            .update(&app_id, &auth_app_id, None, &mut |current| {
                let (decision, decided) = from_import(current, &auth_app_id, &vouched);
                outcome = decided;
                Ok(decision)
            })?;
        let record = match result {
            UpdateResult::Written(record) | UpdateResult::Kept(Some(record)) => *record,
            UpdateResult::Kept(None) | UpdateResult::Duplicate => {
                return Err(Error::Store {
                    reason: format!(
                        "the store kept no record for {auth_app_id} after importing its token"
                    ),
                });
            }
        };
        Ok(TokenImport { outcome, record })
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
