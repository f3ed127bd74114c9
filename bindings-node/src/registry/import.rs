//! `Registry.importToken`: imports a merchant's `appAuthToken` copied from the open-platform console
//! (获得 app_auth_token 的方法二) — the gateway vouches for it with `alipay.open.auth.token.app.query`
//! before the registry stores it — and [`TokenImport`], what the import did. The call reaches the
//! network, so it returns a Promise (libuv pool) and has a `…Sync` twin.

use alipay_isv::registry as core;
use napi::Env;
use napi_derive::napi;

use super::record::MerchantAuthorisation;
use super::{Pending, Registry};
use crate::task::{run_sync, spawn};

/// What `Registry.importToken` did, and the merchant's record as it is stored now. `toString()` and
/// `util.inspect` mask the tokens.
#[napi]
pub struct TokenImport {
    inner: core::TokenImport,
}

/// The JavaScript result of a core import.
fn imported(inner: core::TokenImport) -> TokenImport {
    TokenImport { inner }
}

#[napi]
impl TokenImport {
    /// `applied` (stored or updated), `duplicate` (this token was already stored: nothing changed) or
    /// `stale` (the stored token is newer, or the record was revoked after this token's
    /// authorisation: nothing changed).
    #[napi(getter, catch_unwind, ts_return_type = "IngestOutcome")]
    pub fn outcome(&self) -> &'static str {
        self.inner.outcome.as_str()
    }

    /// The merchant's record after the import (the stored one when nothing changed).
    #[napi(getter, catch_unwind)]
    pub fn record(&self) -> MerchantAuthorisation {
        MerchantAuthorisation {
            inner: self.inner.record.clone(),
        }
    }

    /// `TokenImport { outcome: …, record: MerchantAuthorisation { … } }`: the tokens masked.
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

#[napi]
impl Registry {
    /// Imports a merchant's `appAuthToken` copied from the open-platform console (方法二), with its
    /// `appRefreshToken` when known. The token is checked with `alipay.open.auth.token.app.query`
    /// through the registry's client, and the relation the gateway answers — merchant PID,
    /// `authAppId`, granted APIs, expiry — is stored with `origin: 'imported'`. Importing the stored
    /// token again is `duplicate` (one record); a token older than the stored one (it expires
    /// earlier) is `stale` and changes nothing. Without a refresh token, `tokenFor` refuses the token
    /// once it is due for refresh (re-import it, or have the merchant authorise again). Runs on the
    /// libuv pool.
    ///
    /// Rejects, with nothing stored and no token in the error, with `ALIPAY_CONFIG_ERROR` for text
    /// that cannot be a token (empty, spaces, control or non-ASCII characters, too long: no call is
    /// made) or a registry without a client; `ALIPAY_API_ERROR` when the gateway refuses the query
    /// (`aop.invalid-app-auth-token` for a token it never issued); `ALIPAY_STORE_ERROR` when it
    /// reports the token `invalid` (expired or revoked) or the store fails; `ALIPAY_TRANSPORT_ERROR`
    /// / `ALIPAY_PROTOCOL_ERROR` as for `Client.execute`.
    #[napi(catch_unwind, ts_return_type = "Promise<TokenImport>")]
    pub fn import_token(
        &self,
        env: Env,
        app_auth_token: String,
        app_refresh_token: Option<String>,
    ) -> napi::Result<Pending<core::TokenImport, TokenImport>> {
        let open = self.open_state(&env)?;
        Ok(spawn(
            move || {
                open.registry
                    .import_token(&app_auth_token, app_refresh_token.as_deref())
            },
            imported,
        ))
    }

    /// `importToken`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn import_token_sync(
        &self,
        env: Env,
        app_auth_token: String,
        app_refresh_token: Option<String>,
    ) -> napi::Result<TokenImport> {
        let open = self.open_state(&env)?;
        run_sync(
            &env,
            || {
                open.registry
                    .import_token(&app_auth_token, app_refresh_token.as_deref())
            },
            imported,
        )
    }
}
