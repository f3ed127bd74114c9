//! The typed calls of the authorisation flow: merchant tokens on `alipay.open.auth.token.app` (code,
//! refresh) and `.query`, user tokens on `alipay.system.oauth.token` (top-level `grant_type`/`code`,
//! delegated with the merchant's `app_auth_token`), and `alipay.user.info.share`.

use serde_json::json;

use super::Client;
use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::error::{Error, Result};
use crate::request::CallOptions;

/// The merchant token method.
pub const APP_AUTH_TOKEN_METHOD: &str = "alipay.open.auth.token.app";
/// The merchant token query method.
pub const APP_AUTH_TOKEN_QUERY_METHOD: &str = "alipay.open.auth.token.app.query";
/// The user token method.
pub const USER_TOKEN_METHOD: &str = "alipay.system.oauth.token";
/// The user profile method.
pub const USER_INFO_SHARE_METHOD: &str = "alipay.user.info.share";

fn required(name: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::config(format!("`{name}` is empty")));
    }
    Ok(())
}

fn delegated(app_auth_token: Option<&str>) -> CallOptions {
    CallOptions {
        app_auth_token: app_auth_token
            .filter(|token| !token.is_empty())
            .map(str::to_string),
        ..CallOptions::default()
    }
}

impl Client {
    /// Exchanges the `app_auth_code` of an authorisation callback for the merchant's tokens — one per
    /// authorised app (a batch authorisation grants several). Called as the ISV itself.
    ///
    /// # Errors
    /// [`Error::Api`] `40002 isv.code-invalid` for an unknown, expired or already used code; the other
    /// errors of [`Client::execute`].
    pub fn exchange_app_auth_code(&self, app_auth_code: &str) -> Result<Vec<AppAuthToken>> {
        required("app_auth_code", app_auth_code)?;
        let biz = json!({"grant_type": "authorization_code", "code": app_auth_code});
        self.app_auth_tokens(biz, None)
    }

    /// Refreshes a merchant's token with its `app_refresh_token`. The previous token keeps working for
    /// about ten minutes; the previous refresh token is dead at once.
    ///
    /// # Errors
    /// As for [`Client::exchange_app_auth_code`].
    pub fn refresh_app_auth_token(&self, app_refresh_token: &str) -> Result<Vec<AppAuthToken>> {
        self.refresh_app_auth_token_for(app_refresh_token, None)
    }

    /// [`Client::refresh_app_auth_token`] for the merchant app `auth_app_id` (the call's event says
    /// which).
    pub(crate) fn refresh_app_auth_token_for(
        &self,
        app_refresh_token: &str,
        auth_app_id: Option<&str>,
    ) -> Result<Vec<AppAuthToken>> {
        required("app_refresh_token", app_refresh_token)?;
        let biz = json!({"grant_type": "refresh_token", "refresh_token": app_refresh_token});
        self.app_auth_tokens(biz, auth_app_id)
    }

    fn app_auth_tokens(
        &self,
        biz: serde_json::Value,
        auth_app_id: Option<&str>,
    ) -> Result<Vec<AppAuthToken>> {
        let options = CallOptions {
            biz_content: Some(biz.to_string()),
            auth_app_id: auth_app_id.map(str::to_string),
            ..CallOptions::default()
        };
        let response = self.execute(APP_AUTH_TOKEN_METHOD, &options)?;
        AppAuthToken::all_from_response(&response.fields)
    }

    /// Asks the gateway what it knows of a merchant token: merchant, app, granted APIs, validity.
    ///
    /// # Errors
    /// [`Error::Api`] `20001 aop.invalid-app-auth-token` for an unknown token; the other errors of
    /// [`Client::execute`].
    pub fn query_app_auth_token(&self, app_auth_token: &str) -> Result<AppAuthTokenInfo> {
        required("app_auth_token", app_auth_token)?;
        let options = CallOptions {
            biz_content: Some(json!({"app_auth_token": app_auth_token}).to_string()),
            ..CallOptions::default()
        };
        let response = self.execute(APP_AUTH_TOKEN_QUERY_METHOD, &options)?;
        Ok(AppAuthTokenInfo::from_response(&response.fields))
    }

    /// Exchanges a user's `auth_code` for an access token, on the merchant's behalf when
    /// `app_auth_token` is given (a mini-program of an authorised merchant).
    ///
    /// # Errors
    /// [`Error::Api`] `40002 isv.code-invalid` for a bad or used code; the other errors of
    /// [`Client::execute`].
    pub fn exchange_user_auth_code(
        &self,
        auth_code: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        required("auth_code", auth_code)?;
        self.user_token(
            [("grant_type", "authorization_code"), ("code", auth_code)],
            app_auth_token,
        )
    }

    /// Refreshes a user's access token with its `refresh_token`.
    ///
    /// # Errors
    /// As for [`Client::exchange_user_auth_code`].
    pub fn refresh_user_token(
        &self,
        refresh_token: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        required("refresh_token", refresh_token)?;
        self.user_token(
            [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            app_auth_token,
        )
    }

    fn user_token(
        &self,
        params: [(&str, &str); 2],
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        let mut options = delegated(app_auth_token);
        options.extra_params = params
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let response = self.execute(USER_TOKEN_METHOD, &options)?;
        UserToken::from_response(&response.fields)
    }

    /// Reads the user's profile with their access token, on the merchant's behalf when
    /// `app_auth_token` is given.
    ///
    /// # Errors
    /// [`Error::Api`] `20001 aop.invalid-auth-token` for an expired access token; the other errors of
    /// [`Client::execute`].
    pub fn user_info_share(
        &self,
        access_token: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserInfo> {
        required("access_token", access_token)?;
        let mut options = delegated(app_auth_token);
        options.auth_token = Some(access_token.to_string());
        let response = self.execute(USER_INFO_SHARE_METHOD, &options)?;
        Ok(UserInfo::from_response(response.fields))
    }
}
