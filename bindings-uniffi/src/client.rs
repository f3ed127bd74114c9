//! [`Client`], mirroring `alipay_isv::client`: signs a request, sends it on the default transport,
//! verifies the answer. `execute` reaches any Alipay API (optionally under a [`RetryPolicy`]); the
//! typed helpers cover the authorisation flow and return the records of [`crate::auth`]. In
//! certificate mode the client downloads and checks Alipay certificates it does not trust yet
//! ([`Client::fetch_alipay_cert`], [`Client::verify_notification`]).
//!
//! Every network call is blocking: from coroutines, call it on `Dispatchers.IO`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use alipay_isv::client as core;
use alipay_isv::transport as core_transport;

use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::config::IsvConfig;
use crate::error::{Result, guard};
use crate::notify::{Notification, VerifiedNotification};
use crate::request::CallOptions;
use crate::response::VerifiedResponse;

/// Settings of the default HTTP transport (Kotlin:
/// `TransportOptions(readTimeout = Duration.ofSeconds(5))`); a null field keeps its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct TransportOptions {
    /// Time allowed to resolve, connect and finish the TLS handshake (default 5 s).
    #[uniffi(default)]
    pub connect_timeout: Option<Duration>,
    /// Time allowed to send the request and receive the whole answer once connected (default 15 s).
    #[uniffi(default)]
    pub read_timeout: Option<Duration>,
    /// Larger answers are refused (default 10 MiB).
    #[uniffi(default)]
    pub max_response_bytes: Option<u64>,
    /// A proxy URL (`http://host:port`); null reads `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`
    /// (honouring `NO_PROXY`).
    #[uniffi(default)]
    pub proxy: Option<String>,
    /// Idle keep-alive connections kept per host (default 16).
    #[uniffi(default)]
    pub max_idle_connections_per_host: Option<u32>,
}

impl TransportOptions {
    /// The core options, defaults filled in.
    fn to_core(&self) -> core_transport::TransportOptions {
        let defaults = core_transport::TransportOptions::default();
        core_transport::TransportOptions {
            connect_timeout: self.connect_timeout.unwrap_or(defaults.connect_timeout),
            read_timeout: self.read_timeout.unwrap_or(defaults.read_timeout),
            max_response_bytes: self
                .max_response_bytes
                .map_or(defaults.max_response_bytes, |limit| {
                    usize::try_from(limit).unwrap_or(usize::MAX)
                }),
            proxy: self.proxy.clone(),
            max_idle_connections_per_host: self
                .max_idle_connections_per_host
                .map_or(defaults.max_idle_connections_per_host, |count| {
                    count as usize
                }),
        }
    }
}

/// How `Client.execute` retries (Kotlin: `RetryPolicy(attempts = 3)`): by default only failures
/// that happened before the request could reach the gateway (`AlipayException.Transport` with
/// `requestSent == false`); with `idempotent = true` (queries only) every transport failure.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RetryPolicy {
    /// Total attempts, the first included (at least 1; default 3).
    #[uniffi(default = 3)]
    pub attempts: u32,
    /// Wait before the second attempt, doubled before each later one (null: 200 ms).
    #[uniffi(default)]
    pub backoff: Option<Duration>,
    /// Also retry failures after the request may have been received (timeouts, resets, HTTP 5xx).
    #[uniffi(default = false)]
    pub idempotent: bool,
}

impl RetryPolicy {
    /// The core policy, defaults filled in.
    pub(crate) fn to_core(&self) -> core_transport::RetryPolicy {
        let defaults = core_transport::RetryPolicy::default();
        core_transport::RetryPolicy {
            attempts: self.attempts,
            backoff: self.backoff.unwrap_or(defaults.backoff),
            idempotent: self.idempotent,
        }
    }
}

/// Calls the Alipay gateway on behalf of merchants (Kotlin: `Client(config)`). Immutable and
/// thread-safe: one client serves every merchant, tokens are passed per call, connections are
/// pooled. `toString()` shows the app id and gateway only.
///
/// Every call is blocking (network I/O): call it from `Dispatchers.IO` or a thread pool.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Client {
    inner: core::Client,
}

impl Client {
    /// The core client (cheap to clone: it shares its configuration and connection pool).
    pub(crate) fn core(&self) -> &core::Client {
        &self.inner
    }
}

#[uniffi::export]
impl Client {
    /// A client of `config` on the default transport, with `transport_options` (null: the
    /// defaults).
    ///
    /// Throws `AlipayException.Config` for a malformed proxy URL or a zero timeout.
    #[uniffi::constructor(default(transport_options = None))]
    pub fn new(
        config: Arc<IsvConfig>,
        transport_options: Option<TransportOptions>,
    ) -> Result<Arc<Self>> {
        guard("Client", || {
            let options = transport_options.unwrap_or_default().to_core();
            let inner = core::Client::with_transport_options(config.core().clone(), options)?;
            Ok(Arc::new(Client { inner }))
        })
    }

    /// The app's `app_id`.
    pub fn app_id(&self) -> String {
        self.inner.config().app_id().to_string()
    }

    /// The gateway URL requests go to.
    pub fn gateway(&self) -> String {
        self.inner.config().gateway().to_string()
    }

    /// Calls any Alipay API — blocking; call from `Dispatchers.IO`. Signs `method` with `options`
    /// (`appAuthToken` for a delegated call, `authToken`, `bizContent` as JSON text — see
    /// `bizContentOf(map)` —, extra parameters), POSTs it, verifies the answer and returns its fields.
    ///
    /// Nothing is retried unless `retry` is given. Throws `AlipayException.Api` when the gateway
    /// answers an error, `.Signature` when the answer does not verify, `.Transport` when it did not
    /// arrive (or arrived with an HTTP status other than 200; see `requestSent`), `.Protocol` for a
    /// malformed answer, `.Config` for bad options.
    #[uniffi::method(default(retry = None, options))]
    pub fn execute(
        &self,
        method: String,
        options: CallOptions,
        retry: Option<RetryPolicy>,
    ) -> Result<VerifiedResponse> {
        guard("Client.execute", || {
            let options = options.to_core();
            let response = match retry {
                Some(policy) => {
                    self.inner
                        .execute_with_retry(&method, &options, &policy.to_core())?
                }
                None => self.inner.execute(&method, &options)?,
            };
            Ok(VerifiedResponse::from_core(response))
        })
    }

    /// Certificate mode: makes sure the Alipay certificate `alipay_cert_sn` is trusted — blocking;
    /// call from `Dispatchers.IO`. Nothing happens when it already is (returns false); otherwise
    /// it is downloaded (`alipay.open.app.alipaycert.download`), its validity and its chain to the
    /// root bundle are checked, and it is trusted by every client of the same `IsvConfig` (returns
    /// true). `execute` and `verifyNotification` do this by themselves.
    ///
    /// Throws `AlipayException.Config` outside certificate mode or for an empty SN, `.Signature`
    /// when the certificate is expired, not chained to the root bundle, tampered with or not the one
    /// asked for, or the answer does not verify, and the errors of `execute` for the download.
    pub fn fetch_alipay_cert(&self, alipay_cert_sn: String) -> Result<bool> {
        guard("Client.fetchAlipayCert", || {
            self.inner.fetch_alipay_cert(&alipay_cert_sn)
        })
    }

    /// Verifies a notification body (the exact bytes posted) — blocking when it must download a
    /// certificate; call from `Dispatchers.IO`. In certificate mode an `alipay_cert_sn` not trusted
    /// yet is fetched first (`fetchAlipayCert`); otherwise as `config.notificationVerifier()
    /// .verifyBody(body)`.
    ///
    /// Throws as `NotificationVerifier.verifyBody` and `fetchAlipayCert` do.
    pub fn verify_notification(&self, body: Vec<u8>) -> Result<Notification> {
        guard("Client.verifyNotification", || {
            self.inner
                .verify_notification(&body)
                .map(Notification::from)
        })
    }

    /// `verifyNotification`, also saying which form of content the gateway had signed
    /// (`signedForm`: `v1`, `v2`, `v1+empty`, …) — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `verifyNotification` does.
    pub fn verify_notification_with_form(&self, body: Vec<u8>) -> Result<VerifiedNotification> {
        guard("Client.verifyNotificationWithForm", || {
            self.inner
                .verify_notification_with_form(&body)
                .map(VerifiedNotification::from)
        })
    }

    /// Exchanges the `app_auth_code` of a merchant authorisation callback for the merchant's
    /// tokens, one per authorised app (a batch authorisation grants several) — blocking; call from
    /// `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `40002 isv.code-invalid` for an unknown, expired or used code,
    /// and the errors of `execute`.
    pub fn exchange_app_auth_code(&self, app_auth_code: String) -> Result<Vec<AppAuthToken>> {
        guard("Client.exchangeAppAuthCode", || {
            let tokens = self.inner.exchange_app_auth_code(&app_auth_code)?;
            Ok(tokens.into_iter().map(AppAuthToken::from).collect())
        })
    }

    /// Refreshes a merchant's tokens with its `app_refresh_token` (the previous token keeps
    /// working for about ten minutes) — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `exchangeAppAuthCode` does.
    pub fn refresh_app_auth_token(&self, app_refresh_token: String) -> Result<Vec<AppAuthToken>> {
        guard("Client.refreshAppAuthToken", || {
            let tokens = self.inner.refresh_app_auth_token(&app_refresh_token)?;
            Ok(tokens.into_iter().map(AppAuthToken::from).collect())
        })
    }

    /// What the gateway knows of a merchant token (`alipay.open.auth.token.app.query`) —
    /// blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `20001 aop.invalid-app-auth-token` for an unknown token, and
    /// the errors of `execute`.
    pub fn query_app_auth_token(&self, app_auth_token: String) -> Result<AppAuthTokenInfo> {
        guard("Client.queryAppAuthToken", || {
            Ok(self.inner.query_app_auth_token(&app_auth_token)?.into())
        })
    }

    /// Exchanges a user's `auth_code` for an access token (`alipay.system.oauth.token`), on the
    /// merchant's behalf when `app_auth_token` is given — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `40002 isv.code-invalid` for a bad or used code, and the errors
    /// of `execute`.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn exchange_user_auth_code(
        &self,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> Result<UserToken> {
        guard("Client.exchangeUserAuthCode", || {
            let token = self
                .inner
                .exchange_user_auth_code(&auth_code, app_auth_token.as_deref())?;
            Ok(token.into())
        })
    }

    /// Refreshes a user's access token with its `refresh_token`, on the merchant's behalf when
    /// `app_auth_token` is given — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `exchangeUserAuthCode` does.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn refresh_user_token(
        &self,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> Result<UserToken> {
        guard("Client.refreshUserToken", || {
            let token = self
                .inner
                .refresh_user_token(&refresh_token, app_auth_token.as_deref())?;
            Ok(token.into())
        })
    }

    /// Reads the user's profile (`alipay.user.info.share`) with their access token, on the
    /// merchant's behalf when `app_auth_token` is given — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `20001 aop.invalid-auth-token` for an expired access token,
    /// and the errors of `execute`.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn user_info_share(
        &self,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> Result<UserInfo> {
        guard("Client.userInfoShare", || {
            let info = self
                .inner
                .user_info_share(&access_token, app_auth_token.as_deref())?;
            Ok(info.into())
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.inner.config();
        write!(
            f,
            "Client(appId={}, gateway={})",
            config.app_id(),
            config.gateway()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_fill_in_the_core_defaults() {
        let options = TransportOptions {
            read_timeout: Some(Duration::from_millis(250)),
            ..TransportOptions::default()
        }
        .to_core();
        let defaults = core_transport::TransportOptions::default();
        assert_eq!(options.read_timeout, Duration::from_millis(250));
        assert_eq!(options.connect_timeout, defaults.connect_timeout);
        assert_eq!(options.max_response_bytes, defaults.max_response_bytes);
        let policy = RetryPolicy {
            attempts: 5,
            backoff: None,
            idempotent: true,
        }
        .to_core();
        assert_eq!(policy.attempts, 5);
        assert_eq!(
            policy.backoff,
            core_transport::RetryPolicy::default().backoff
        );
        assert!(policy.idempotent);
    }
}
