//! OpenAPI v3 on the client and the registry, mirroring `alipay_isv::client::v3_calls` and
//! `Registry::execute_v3_for`: `Client.executeV3` reaches any `/v3/…` operation; the typed v3 forms of
//! the ISV calls (merchant tokens, user tokens and profile on a merchant's behalf, a file upload)
//! return the records the classic typed calls return; `Registry.executeV3For` makes a delegated v3
//! call with the merchant's stored (refreshed when due) token. The classic calls stay; one client does
//! both.
//!
//! Every call here is blocking (network I/O): call it from `Dispatchers.IO` or a thread pool.

use super::{FileUpload, V3Call, V3File, V3Response};
use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::client::Client;
use crate::error::{Result, guard};
use crate::registry::Registry;

#[uniffi::export]
impl Client {
    /// The base URL v3 calls go to (the configuration's `v3Base`), e.g. `https://openapi.alipay.com`.
    pub fn v3_base(&self) -> String {
        self.core().config().v3_base().to_string()
    }

    /// Calls any OpenAPI v3 operation — blocking; call from `Dispatchers.IO`. Encodes and signs
    /// `call` (its `appAuthToken` on the merchant's behalf), sends it to the configuration's v3
    /// base (files streamed from disk), verifies the answer over its exact bytes (in certificate
    /// mode downloading a new Alipay certificate first), decrypts it when `call.encrypt`, and
    /// returns it. Nothing is retried.
    ///
    /// Throws `AlipayException.Api` for a v3 error answer (`httpStatus`, `code` such as
    /// `invalid-app-auth-token`, `msg`, `traceId`, `links`, a `hint` for the ISV codes);
    /// `.Signature` when a 2xx answer is unsigned or does not verify; `.Transport` when it did not
    /// arrive or a proxy answered instead of Alipay (see `requestSent`); `.Protocol` for a malformed
    /// answer; `.Config` for a bad call, before anything is sent (see `IsvConfig.prepareV3`).
    pub fn execute_v3(&self, call: V3Call) -> Result<V3Response> {
        guard("Client.executeV3", || {
            self.core()
                .execute_v3(&call.to_core())
                .map(V3Response::from_core)
        })
    }

    /// v3 form of `exchangeAppAuthCode` (`POST /v3/alipay/open/auth/token/app`) — blocking; call
    /// from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` (HTTP 400, `code-invalid`) for an unknown, expired or used
    /// code, and the errors of `executeV3`.
    pub fn exchange_app_auth_code_v3(&self, app_auth_code: String) -> Result<Vec<AppAuthToken>> {
        guard("Client.exchangeAppAuthCodeV3", || {
            let tokens = self.core().exchange_app_auth_code_v3(&app_auth_code)?;
            Ok(tokens.into_iter().map(AppAuthToken::from).collect())
        })
    }

    /// v3 form of `refreshAppAuthToken` — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `exchangeAppAuthCodeV3` does.
    pub fn refresh_app_auth_token_v3(
        &self,
        app_refresh_token: String,
    ) -> Result<Vec<AppAuthToken>> {
        guard("Client.refreshAppAuthTokenV3", || {
            let tokens = self.core().refresh_app_auth_token_v3(&app_refresh_token)?;
            Ok(tokens.into_iter().map(AppAuthToken::from).collect())
        })
    }

    /// v3 form of `queryAppAuthToken` (`GET /v3/alipay/open/auth/token/app/query`, the token a
    /// query parameter) — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` (HTTP 401, `invalid-app-auth-token`) for an unknown token, and
    /// the errors of `executeV3`.
    pub fn query_app_auth_token_v3(&self, app_auth_token: String) -> Result<AppAuthTokenInfo> {
        guard("Client.queryAppAuthTokenV3", || {
            Ok(self.core().query_app_auth_token_v3(&app_auth_token)?.into())
        })
    }

    /// v3 form of `exchangeUserAuthCode` (`POST /v3/alipay/system/oauth/token`), on the merchant's
    /// behalf when `app_auth_token` is given — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` for a bad or used code, and the errors of `executeV3`.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn exchange_user_auth_code_v3(
        &self,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> Result<UserToken> {
        guard("Client.exchangeUserAuthCodeV3", || {
            let token = self
                .core()
                .exchange_user_auth_code_v3(&auth_code, app_auth_token.as_deref())?;
            Ok(token.into())
        })
    }

    /// v3 form of `refreshUserToken`, on the merchant's behalf when `app_auth_token` is given —
    /// blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `exchangeUserAuthCodeV3` does.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn refresh_user_token_v3(
        &self,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> Result<UserToken> {
        guard("Client.refreshUserTokenV3", || {
            let token = self
                .core()
                .refresh_user_token_v3(&refresh_token, app_auth_token.as_deref())?;
            Ok(token.into())
        })
    }

    /// v3 form of `userInfoShare` (`POST /v3/alipay/user/info/share`, the access token a query
    /// parameter), on the merchant's behalf when `app_auth_token` is given — blocking; call from
    /// `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` (HTTP 401, `invalid-auth-token`) for an expired access token,
    /// and the errors of `executeV3`.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn user_info_share_v3(
        &self,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> Result<UserInfo> {
        guard("Client.userInfoShareV3", || {
            let info = self
                .core()
                .user_info_share_v3(&access_token, app_auth_token.as_deref())?;
            Ok(info.into())
        })
    }

    /// Uploads a file with `alipay.open.file.upload` (`POST /v3/alipay/open/file/upload`) for
    /// `biz_code` (e.g. `shop_image`), on the merchant's behalf when `app_auth_token` is given —
    /// blocking; call from `Dispatchers.IO`. The signed `data` part carries `biz_code` and the
    /// file's MD5; the file (whatever its `field`, sent as `file_content`) is streamed from memory
    /// or disk.
    ///
    /// Throws `AlipayException.Api` `invalid-file-extension`, `invalid-file-size` or
    /// `file-check-fail` as Alipay answers; `.Config` for an empty `biz_code` or an unreadable file;
    /// `.Protocol` for an answer without `file_id`; and the errors of `executeV3`.
    #[uniffi::method(default(app_auth_token = None))]
    pub fn upload_file_v3(
        &self,
        biz_code: String,
        file: V3File,
        app_auth_token: Option<String>,
    ) -> Result<FileUpload> {
        guard("Client.uploadFileV3", || {
            let upload =
                self.core()
                    .upload_file_v3(&biz_code, file.to_core(), app_auth_token.as_deref())?;
            Ok(upload.into())
        })
    }
}

#[uniffi::export]
impl Registry {
    /// A delegated OpenAPI v3 call for the merchant app `auth_app_id` — blocking (network, and disk
    /// when a refresh is due); call from `Dispatchers.IO`. Through the client of the app it
    /// authorised: its token is looked up (refreshed first when due) and sent in the
    /// `alipay-app-auth-token` header and the signed string (replacing `call.appAuthToken`).
    ///
    /// Throws `AlipayException.Store` for a merchant the registry does not know (or revoked), or
    /// when the store fails; `.Config` when no client of its app was given; and the errors of
    /// `Client.executeV3`.
    pub fn execute_v3_for(&self, auth_app_id: String, call: V3Call) -> Result<V3Response> {
        guard("Registry.executeV3For", || {
            self.core()
                .execute_v3_for(&auth_app_id, &call.to_core())
                .map(V3Response::from_core)
        })
    }
}
