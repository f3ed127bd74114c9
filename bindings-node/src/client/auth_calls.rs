//! The typed authorisation calls of [`Client`], mirroring `alipay_isv::client`'s `auth_calls`:
//! exchanging and refreshing a merchant's `app_auth_code` / `app_refresh_token`, querying a merchant
//! token, exchanging and refreshing a user's token, and reading the user's profile. Each returns a
//! Promise (libuv pool) and has a `…Sync` twin; the results are the classes of `crate::auth`'s models.

use napi::Env;
use napi_derive::napi;

use super::{Client, Pending};
use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::task::{run_sync, spawn};

pub(super) fn app_tokens(tokens: Vec<alipay_isv::auth::AppAuthToken>) -> Vec<AppAuthToken> {
    tokens
        .into_iter()
        .map(|inner| AppAuthToken { inner })
        .collect()
}

pub(super) fn user_token(inner: alipay_isv::auth::UserToken) -> UserToken {
    UserToken { inner }
}

pub(super) type AppTokensTask = Pending<Vec<alipay_isv::auth::AppAuthToken>, Vec<AppAuthToken>>;
pub(super) type UserTokenTask = Pending<alipay_isv::auth::UserToken, UserToken>;

#[napi]
impl Client {
    /// Exchanges the `app_auth_code` of a merchant authorisation callback for the merchant's tokens,
    /// one per authorised app (a batch authorisation grants several). A used, unknown or expired code
    /// rejects with `ALIPAY_API_ERROR` `40002` / `isv.code-invalid`.
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthToken[]>")]
    pub fn exchange_app_auth_code(&self, app_auth_code: String) -> AppTokensTask {
        let client = self.inner.clone();
        spawn(
            move || client.exchange_app_auth_code(&app_auth_code),
            app_tokens,
        )
    }

    /// `exchangeAppAuthCode`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn exchange_app_auth_code_sync(
        &self,
        env: Env,
        app_auth_code: String,
    ) -> napi::Result<Vec<AppAuthToken>> {
        run_sync(
            &env,
            || self.inner.exchange_app_auth_code(&app_auth_code),
            app_tokens,
        )
    }

    /// Refreshes a merchant's tokens with its `app_refresh_token`. The previous token keeps working for
    /// about ten minutes; the previous refresh token is dead at once.
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthToken[]>")]
    pub fn refresh_app_auth_token(&self, app_refresh_token: String) -> AppTokensTask {
        let client = self.inner.clone();
        spawn(
            move || client.refresh_app_auth_token(&app_refresh_token),
            app_tokens,
        )
    }

    /// `refreshAppAuthToken`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn refresh_app_auth_token_sync(
        &self,
        env: Env,
        app_refresh_token: String,
    ) -> napi::Result<Vec<AppAuthToken>> {
        run_sync(
            &env,
            || self.inner.refresh_app_auth_token(&app_refresh_token),
            app_tokens,
        )
    }

    /// Asks the gateway what it knows of a merchant token (`alipay.open.auth.token.app.query`).
    #[napi(catch_unwind, ts_return_type = "Promise<AppAuthTokenInfo>")]
    pub fn query_app_auth_token(
        &self,
        app_auth_token: String,
    ) -> Pending<alipay_isv::auth::AppAuthTokenInfo, AppAuthTokenInfo> {
        let client = self.inner.clone();
        spawn(
            move || client.query_app_auth_token(&app_auth_token),
            AppAuthTokenInfo::from,
        )
    }

    /// `queryAppAuthToken`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn query_app_auth_token_sync(
        &self,
        env: Env,
        app_auth_token: String,
    ) -> napi::Result<AppAuthTokenInfo> {
        run_sync(
            &env,
            || self.inner.query_app_auth_token(&app_auth_token),
            AppAuthTokenInfo::from,
        )
    }

    /// Exchanges a user's `auth_code` (from the consent callback) for their access token, on the
    /// merchant's behalf when `appAuthToken` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<UserToken>")]
    pub fn exchange_user_auth_code(
        &self,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> UserTokenTask {
        let client = self.inner.clone();
        spawn(
            move || client.exchange_user_auth_code(&auth_code, app_auth_token.as_deref()),
            user_token,
        )
    }

    /// `exchangeUserAuthCode`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn exchange_user_auth_code_sync(
        &self,
        env: Env,
        auth_code: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserToken> {
        run_sync(
            &env,
            || {
                self.inner
                    .exchange_user_auth_code(&auth_code, app_auth_token.as_deref())
            },
            user_token,
        )
    }

    /// Refreshes a user's access token with its `refreshToken`, on the merchant's behalf when
    /// `appAuthToken` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<UserToken>")]
    pub fn refresh_user_token(
        &self,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> UserTokenTask {
        let client = self.inner.clone();
        spawn(
            move || client.refresh_user_token(&refresh_token, app_auth_token.as_deref()),
            user_token,
        )
    }

    /// `refreshUserToken`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn refresh_user_token_sync(
        &self,
        env: Env,
        refresh_token: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserToken> {
        run_sync(
            &env,
            || {
                self.inner
                    .refresh_user_token(&refresh_token, app_auth_token.as_deref())
            },
            user_token,
        )
    }

    /// Reads the user's profile (`alipay.user.info.share`) with their access token, on the
    /// merchant's behalf when `appAuthToken` is given.
    #[napi(catch_unwind, ts_return_type = "Promise<UserInfo>")]
    pub fn user_info_share(
        &self,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> Pending<alipay_isv::auth::UserInfo, UserInfo> {
        let client = self.inner.clone();
        spawn(
            move || client.user_info_share(&access_token, app_auth_token.as_deref()),
            UserInfo::from,
        )
    }

    /// `userInfoShare`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn user_info_share_sync(
        &self,
        env: Env,
        access_token: String,
        app_auth_token: Option<String>,
    ) -> napi::Result<UserInfo> {
        run_sync(
            &env,
            || {
                self.inner
                    .user_info_share(&access_token, app_auth_token.as_deref())
            },
            UserInfo::from,
        )
    }
}
