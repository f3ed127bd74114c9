//! The OpenAPI v3 calls of [`Client`], mirroring `alipay_isv::client`'s `v3_calls`: `executeV3` for
//! any `/v3/…` operation, and the typed v3 forms of the ISV calls — merchant tokens (code, refresh,
//! query), user tokens and profile on a merchant's behalf, and a file upload. Each returns a Promise
//! (libuv pool) and has a `…Sync` twin; the token results are the classes of the classic calls.
//!
//! The call is read from JavaScript (its body serialised once) on the JavaScript thread, before the
//! work is queued; the core checks it before sending, so a bad call rejects without any request made.

use alipay_isv::v3 as core;
use napi::Env;
use napi_derive::napi;

use super::auth_calls::{AppTokensTask, UserTokenTask, app_tokens, user_token};
use super::{Client, Pending};
use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::task::{run_sync, spawn};
use crate::v3::call::V3FileFields;
use crate::v3::{FileUpload, V3Call, V3Response};

/// The JavaScript form of a v3 answer.
pub(crate) fn v3_response(inner: core::V3Response) -> V3Response {
    V3Response { inner }
}

type V3ResponseTask = Pending<core::V3Response, V3Response>;

#[napi]
impl Client {
    /// Calls any OpenAPI v3 operation (`https://openapi.alipay.com/v3/…`, at the configuration's
    /// `v3Base`): encodes and signs `call` (on the merchant's behalf with `appAuthToken`), sends it,
    /// verifies the answer over its exact bytes (in certificate mode downloading a new Alipay
    /// certificate when the answer names one), decrypts it with `encrypt`, and resolves to its fields.
    /// Runs on the libuv pool. Nothing is retried.
    ///
    /// Rejects with `ALIPAY_API_ERROR` for a v3 error answer (`httpStatus`, `apiCode` such as
    /// `invalid-app-auth-token`, `msg`, `hint`, `traceId`, `links`); `ALIPAY_SIGNATURE_ERROR` when a
    /// 2xx answer is unsigned (a v2 `gateway.do` URL as `v3Base`?) or does not verify;
    /// `ALIPAY_TRANSPORT_ERROR` when no answer arrived or a proxy answered; `ALIPAY_PROTOCOL_ERROR`
    /// for a malformed answer; `ALIPAY_CONFIG_ERROR`, before anything is sent, for a call
    /// `IsvConfig.prepareV3` refuses (a path without `/v3/` or with a `?`, a body that is not JSON,
    /// `encrypt` without an AES key, …). A `query`, `body` or file of the wrong shape throws
    /// `ALIPAY_CONFIG_ERROR` at once.
    #[napi(catch_unwind, ts_return_type = "Promise<V3Response>")]
    pub fn execute_v3(&self, env: Env, call: V3Call<'_>) -> napi::Result<V3ResponseTask> {
        let call = call.to_core(&env)?;
        let client = self.inner.clone();
        Ok(spawn(move || client.execute_v3(&call), v3_response))
    }

    /// `executeV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn execute_v3_sync(&self, env: Env, call: V3Call<'_>) -> napi::Result<V3Response> {
        let call = call.to_core(&env)?;
        run_sync(&env, || self.inner.execute_v3(&call), v3_response)
    }

    /// v3 form of `exchangeAppAuthCode` (`POST /v3/alipay/open/auth/token/app`): the merchant's tokens
    /// for the `app_auth_code` of its authorisation callback. A used, unknown or expired code rejects
    /// with `ALIPAY_API_ERROR` `code-invalid` (`httpStatus` 400).
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthToken[]>")]
    pub fn exchange_app_auth_code_v3(&self, app_auth_code: String) -> AppTokensTask {
        let client = self.inner.clone();
        spawn(
            move || client.exchange_app_auth_code_v3(&app_auth_code),
            app_tokens,
        )
    }

    /// `exchangeAppAuthCodeV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn exchange_app_auth_code_v3_sync(
        &self,
        env: Env,
        app_auth_code: String,
    ) -> napi::Result<Vec<AppAuthToken>> {
        run_sync(
            &env,
            || self.inner.exchange_app_auth_code_v3(&app_auth_code),
            app_tokens,
        )
    }

    /// v3 form of `refreshAppAuthToken`: the merchant's new tokens for its `app_refresh_token`.
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthToken[]>")]
    pub fn refresh_app_auth_token_v3(&self, app_refresh_token: String) -> AppTokensTask {
        let client = self.inner.clone();
        spawn(
            move || client.refresh_app_auth_token_v3(&app_refresh_token),
            app_tokens,
        )
    }

    /// `refreshAppAuthTokenV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn refresh_app_auth_token_v3_sync(
        &self,
        env: Env,
        app_refresh_token: String,
    ) -> napi::Result<Vec<AppAuthToken>> {
        run_sync(
            &env,
            || self.inner.refresh_app_auth_token_v3(&app_refresh_token),
            app_tokens,
        )
    }

    /// v3 form of `queryAppAuthToken` (`GET /v3/alipay/open/auth/token/app/query`): what the gateway
    /// knows of a merchant token. An unknown token rejects with `ALIPAY_API_ERROR`
    /// `invalid-app-auth-token` (`httpStatus` 401).
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthTokenInfo>")]
    pub fn query_app_auth_token_v3(
        &self,
        app_auth_token: String,
    ) -> Pending<alipay_isv::auth::AppAuthTokenInfo, AppAuthTokenInfo> {
        let client = self.inner.clone();
        spawn(
            move || client.query_app_auth_token_v3(&app_auth_token),
            AppAuthTokenInfo::from,
        )
    }

    /// `queryAppAuthTokenV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn query_app_auth_token_v3_sync(
        &self,
        env: Env,
        app_auth_token: String,
    ) -> napi::Result<AppAuthTokenInfo> {
        run_sync(
            &env,
            || self.inner.query_app_auth_token_v3(&app_auth_token),
            AppAuthTokenInfo::from,
        )
    }

    /// v3 form of `exchangeUserAuthCode` (`POST /v3/alipay/system/oauth/token`): a user's access token
    /// for their `auth_code`, on the merchant's behalf when `appAuthToken` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<UserToken>")]
    pub fn exchange_user_auth_code_v3(
        &self,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> UserTokenTask {
        let client = self.inner.clone();
        spawn(
            move || client.exchange_user_auth_code_v3(&auth_code, app_auth_token.as_deref()),
            user_token,
        )
    }

    /// `exchangeUserAuthCodeV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn exchange_user_auth_code_v3_sync(
        &self,
        env: Env,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserToken> {
        run_sync(
            &env,
            || {
                self.inner
                    .exchange_user_auth_code_v3(&auth_code, app_auth_token.as_deref())
            },
            user_token,
        )
    }

    /// v3 form of `refreshUserToken`: a user's new access token for its `refreshToken`, on the
    /// merchant's behalf when `appAuthToken` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<UserToken>")]
    pub fn refresh_user_token_v3(
        &self,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> UserTokenTask {
        let client = self.inner.clone();
        spawn(
            move || client.refresh_user_token_v3(&refresh_token, app_auth_token.as_deref()),
            user_token,
        )
    }

    /// `refreshUserTokenV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn refresh_user_token_v3_sync(
        &self,
        env: Env,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserToken> {
        run_sync(
            &env,
            || {
                self.inner
                    .refresh_user_token_v3(&refresh_token, app_auth_token.as_deref())
            },
            user_token,
        )
    }

    /// v3 form of `userInfoShare` (`POST /v3/alipay/user/info/share`): the user's profile with their
    /// access token, on the merchant's behalf when `appAuthToken` is given. An expired access token
    /// rejects with `ALIPAY_API_ERROR` `invalid-auth-token` (`httpStatus` 401).
    #[napi(catch_unwind, ts_return_type = "Promise<UserInfo>")]
    pub fn user_info_share_v3(
        &self,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> Pending<alipay_isv::auth::UserInfo, UserInfo> {
        let client = self.inner.clone();
        spawn(
            move || client.user_info_share_v3(&access_token, app_auth_token.as_deref()),
            UserInfo::from,
        )
    }

    /// `userInfoShareV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn user_info_share_v3_sync(
        &self,
        env: Env,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserInfo> {
        run_sync(
            &env,
            || {
                self.inner
                    .user_info_share_v3(&access_token, app_auth_token.as_deref())
            },
            UserInfo::from,
        )
    }

    /// Uploads a file with `alipay.open.file.upload` (`POST /v3/alipay/open/file/upload`), e.g. a shop
    /// image for `bizCode` `shop_image`: the `data` part `{biz_code, md5}` signed, the file (bytes, or
    /// streamed from `path`) in part `file_content` whatever `field` says; on the merchant's behalf
    /// when `appAuthToken` is given. Resolves to the stored file's `fileId`.
    ///
    /// Rejects with `ALIPAY_API_ERROR` `invalid-file-extension`, `invalid-file-size` or
    /// `file-check-fail` as Alipay answers, `ALIPAY_CONFIG_ERROR` for an empty `bizCode` or an
    /// unreadable file, and as `executeV3`. Throws `ALIPAY_CONFIG_ERROR` at once for a file without
    /// bytes or path (or with both), or bytes without a `fileName`.
    #[napi(catch_unwind, ts_return_type = "Promise<FileUpload>")]
    pub fn upload_file_v3(
        &self,
        env: Env,
        biz_code: String,
        #[napi(ts_arg_type = "V3UploadFile")] file: V3FileFields,
        app_auth_token: Option<String>,
    ) -> napi::Result<Pending<core::FileUpload, FileUpload>> {
        let file = file.to_core(&env, Some(core::FILE_UPLOAD_FIELD))?;
        let client = self.inner.clone();
        Ok(spawn(
            move || client.upload_file_v3(&biz_code, file, app_auth_token.as_deref()),
            FileUpload::from,
        ))
    }

    /// `uploadFileV3`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn upload_file_v3_sync(
        &self,
        env: Env,
        biz_code: String,
        #[napi(ts_arg_type = "V3UploadFile")] file: V3FileFields,
        app_auth_token: Option<String>,
    ) -> napi::Result<FileUpload> {
        let file = file.to_core(&env, Some(core::FILE_UPLOAD_FIELD))?;
        run_sync(
            &env,
            || {
                self.inner
                    .upload_file_v3(&biz_code, file, app_auth_token.as_deref())
            },
            FileUpload::from,
        )
    }
}
