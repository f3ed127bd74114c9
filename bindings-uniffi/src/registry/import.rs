//! `Registry.importToken`: imports a merchant's `appAuthToken` copied from the open-platform console
//! (获得 app_auth_token 的方法二) — the gateway vouches for it with `alipay.open.auth.token.app.query`
//! before the registry stores it — and [`TokenImport`], what the import did. Blocking (network I/O):
//! call it from `Dispatchers.IO`.

use std::fmt;

use alipay_isv::registry as core;

use super::Registry;
use super::record::{IngestOutcome, MerchantAuthorisation};
use crate::error::{Result, guard};

/// What `Registry.importToken` did, and the merchant's record as it is stored now. `toString()`
/// masks the tokens.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct TokenImport {
    /// `APPLIED` (stored or updated), `DUPLICATE` (this token was already stored: nothing changed)
    /// or `STALE` (the stored token is newer, or the record was revoked after this token's
    /// authorisation: nothing changed).
    pub outcome: IngestOutcome,
    /// The merchant's record after the import (the stored one when nothing changed).
    pub record: MerchantAuthorisation,
}

impl From<core::TokenImport> for TokenImport {
    fn from(imported: core::TokenImport) -> Self {
        TokenImport {
            outcome: imported.outcome.into(),
            record: imported.record.into(),
        }
    }
}

impl fmt::Debug for TokenImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TokenImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenImport(outcome={}, record={})",
            core::IngestOutcome::from(self.outcome).as_str(),
            self.record
        )
    }
}

#[uniffi::export]
impl Registry {
    /// Imports a merchant's `app_auth_token` copied from the open-platform console (方法二), with
    /// its `app_refresh_token` when known. The token is checked with
    /// `alipay.open.auth.token.app.query` through the registry's client, and the relation the
    /// gateway answers — merchant PID, `authAppId`, granted APIs, expiry — is stored with
    /// `AuthOrigin.IMPORTED`. Importing the stored token again is `DUPLICATE` (one record); a token
    /// older than the stored one (it expires earlier) is `STALE` and changes nothing. Without a
    /// refresh token, `tokenFor` refuses the token once it is due for refresh (re-import it, or have
    /// the merchant authorise again). Blocking (network): call from `Dispatchers.IO`.
    ///
    /// Throws, with nothing stored and no token in the message, `AlipayException.Config` for text
    /// that cannot be a token (empty, spaces, control or non-ASCII characters, too long: no call is
    /// made) or a registry without a client; `.Api` when the gateway refuses the query
    /// (`aop.invalid-app-auth-token` for a token it never issued); `.Store` when it reports the token
    /// `invalid` (expired or revoked) or the store fails; `.Transport` / `.Protocol` as
    /// `Client.execute` does.
    #[uniffi::method(default(app_refresh_token = None))]
    pub fn import_token(
        &self,
        app_auth_token: String,
        app_refresh_token: Option<String>,
    ) -> Result<TokenImport> {
        guard("Registry.importToken", || {
            Ok(self
                .inner
                .import_token(&app_auth_token, app_refresh_token.as_deref())?
                .into())
        })
    }
}
