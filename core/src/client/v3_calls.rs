//! OpenAPI v3 on the client: [`Client::execute_v3`] reaches any `/v3/…` operation (signed as sent,
//! the answer verified over its exact bytes, in certificate mode the signing certificate downloaded when
//! new, AES both ways), and the typed v3 forms of the ISV calls — merchant tokens (code, refresh, query),
//! user tokens and profile on a merchant's behalf, and a file upload. The classic calls stay; one client
//! does both.

use std::time::Instant;

use serde_json::json;

use super::Client;
use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::error::{Error, Result};
use crate::observe::{self, Event};
use crate::upload::md5_of;
use crate::v3::answer::{SIGNATURE_HEADER, SN_HEADER};
use crate::v3::{
    FILE_UPLOAD_FIELD, FILE_UPLOAD_PATH, FileUpload, V3Answer, V3Call, V3File, V3Response,
};

/// The v3 path of the merchant token operation.
pub const APP_AUTH_TOKEN_PATH: &str = "/v3/alipay/open/auth/token/app";
/// The v3 path of the merchant token query.
pub const APP_AUTH_TOKEN_QUERY_PATH: &str = "/v3/alipay/open/auth/token/app/query";
/// The v3 path of the user token operation.
pub const USER_TOKEN_PATH: &str = "/v3/alipay/system/oauth/token";
/// The v3 path of the user profile operation.
pub const USER_INFO_SHARE_PATH: &str = "/v3/alipay/user/info/share";

fn required(name: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::config(format!("`{name}` is empty")));
    }
    Ok(())
}

impl Client {
    /// Calls any OpenAPI v3 operation: encodes and signs `call` (its `app_auth_token` on the merchant's
    /// behalf), sends it to the configuration's v3 base, verifies the answer (downloading a new Alipay
    /// certificate in certificate mode) and returns its fields.
    ///
    /// Nothing is retried.
    ///
    /// # Errors
    /// [`Error::Api`] for a v3 error answer (with its HTTP status, trace id and links);
    /// [`Error::Signature`] when the answer is unsigned (a 2xx) or does not verify; [`Error::Transport`]
    /// when it did not arrive, or a proxy answered instead of Alipay; [`Error::Protocol`] for a malformed
    /// answer; [`Error::Config`] for a bad call (see [`IsvConfig::prepare_v3`](crate::IsvConfig)).
    pub fn execute_v3(&self, call: &V3Call) -> Result<V3Response> {
        self.execute_v3_for(call, None)
    }

    /// [`Client::execute_v3`] for the merchant app `auth_app_id` (the call's event says which).
    pub(crate) fn execute_v3_for(
        &self,
        call: &V3Call,
        auth_app_id: Option<&str>,
    ) -> Result<V3Response> {
        let started = Instant::now();
        let mut trace_id = None;
        let result = (|| {
            let request = self.config.prepare_v3(call)?;
            let response = self.transport.send_v3(&request)?;
            let answer = V3Answer {
                status: response.status,
                headers: &response.headers,
                body: &response.body,
            };
            trace_id = answer.trace_id().map(str::to_string);
            self.fetch_v3_signer(&answer)?;
            self.config.read_v3_answer(&answer, request.encrypted)
        })();
        let mut event: Event = self.call_event(&call.operation(), auth_app_id, started);
        event.trace_id = trace_id;
        if let Err(error) = &result {
            event = event.with_error(error);
        }
        observe::emit(&event);
        result
    }

    /// In certificate mode, downloads the certificate a signed answer names when it is not trusted yet.
    fn fetch_v3_signer(&self, answer: &V3Answer<'_>) -> Result<()> {
        let Some(cert) = self.config.cert_mode() else {
            return Ok(());
        };
        if answer.header(SIGNATURE_HEADER)?.is_none() {
            return Ok(());
        }
        match answer.header(SN_HEADER)?.map(str::trim) {
            Some(sn) if !sn.is_empty() && cert.cert_store().key(sn).is_none() => {
                self.fetch_alipay_cert(sn).map(|_| ())
            }
            _ => Ok(()),
        }
    }

    /// v3 form of [`Client::exchange_app_auth_code`]: `POST /v3/alipay/open/auth/token/app`.
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 400) for an unknown, expired or used code; the errors of
    /// [`Client::execute_v3`].
    pub fn exchange_app_auth_code_v3(&self, app_auth_code: &str) -> Result<Vec<AppAuthToken>> {
        required("app_auth_code", app_auth_code)?;
        self.app_auth_tokens_v3(
            &json!({"grant_type": "authorization_code", "code": app_auth_code}),
            None,
        )
    }

    /// v3 form of [`Client::refresh_app_auth_token`].
    ///
    /// # Errors
    /// As for [`Client::exchange_app_auth_code_v3`].
    pub fn refresh_app_auth_token_v3(&self, app_refresh_token: &str) -> Result<Vec<AppAuthToken>> {
        required("app_refresh_token", app_refresh_token)?;
        self.app_auth_tokens_v3(
            &json!({"grant_type": "refresh_token", "refresh_token": app_refresh_token}),
            None,
        )
    }

    fn app_auth_tokens_v3(
        &self,
        body: &serde_json::Value,
        auth_app_id: Option<&str>,
    ) -> Result<Vec<AppAuthToken>> {
        let call = V3Call::new("POST", APP_AUTH_TOKEN_PATH).json(body);
        let response = self.execute_v3_for(&call, auth_app_id)?;
        AppAuthToken::all_from_response(&response.fields)
    }

    /// v3 form of [`Client::query_app_auth_token`]: `GET …/token/app/query?app_auth_token=…` (the token
    /// queried is a query parameter, not the delegation header).
    ///
    /// # Errors
    /// [`Error::Api`] `invalid-app-auth-token` for an unknown token; the errors of
    /// [`Client::execute_v3`].
    pub fn query_app_auth_token_v3(&self, app_auth_token: &str) -> Result<AppAuthTokenInfo> {
        required("app_auth_token", app_auth_token)?;
        let call =
            V3Call::new("GET", APP_AUTH_TOKEN_QUERY_PATH).query("app_auth_token", app_auth_token);
        let response = self.execute_v3(&call)?;
        Ok(AppAuthTokenInfo::from_response(&response.fields))
    }

    /// v3 form of [`Client::exchange_user_auth_code`]: `POST /v3/alipay/system/oauth/token`, on the
    /// merchant's behalf when `app_auth_token` is given.
    ///
    /// # Errors
    /// [`Error::Api`] for a bad or used code; the errors of [`Client::execute_v3`].
    pub fn exchange_user_auth_code_v3(
        &self,
        auth_code: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        required("auth_code", auth_code)?;
        self.user_token_v3(
            &json!({"grant_type": "authorization_code", "code": auth_code}),
            app_auth_token,
        )
    }

    /// v3 form of [`Client::refresh_user_token`].
    ///
    /// # Errors
    /// As for [`Client::exchange_user_auth_code_v3`].
    pub fn refresh_user_token_v3(
        &self,
        refresh_token: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        required("refresh_token", refresh_token)?;
        self.user_token_v3(
            &json!({"grant_type": "refresh_token", "refresh_token": refresh_token}),
            app_auth_token,
        )
    }

    fn user_token_v3(
        &self,
        body: &serde_json::Value,
        app_auth_token: Option<&str>,
    ) -> Result<UserToken> {
        let call = V3Call::new("POST", USER_TOKEN_PATH)
            .json(body)
            .app_auth_token(app_auth_token);
        let response = self.execute_v3(&call)?;
        UserToken::from_response(&response.fields)
    }

    /// v3 form of [`Client::user_info_share`]: `POST /v3/alipay/user/info/share?auth_token=…` with no
    /// body, on the merchant's behalf when `app_auth_token` is given.
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 401) `invalid-auth-token` for an expired access token; the errors of
    /// [`Client::execute_v3`].
    pub fn user_info_share_v3(
        &self,
        access_token: &str,
        app_auth_token: Option<&str>,
    ) -> Result<UserInfo> {
        required("access_token", access_token)?;
        let call = V3Call::new("POST", USER_INFO_SHARE_PATH)
            .query("auth_token", access_token)
            .app_auth_token(app_auth_token);
        let response = self.execute_v3(&call)?;
        Ok(UserInfo::from_response(response.fields))
    }

    /// Uploads a file with `alipay.open.file.upload` (`POST /v3/alipay/open/file/upload`): the `data`
    /// part `{biz_code, md5}` signed, the file streamed in part `file_content` (whatever field `file`
    /// names is replaced), on the merchant's behalf when `app_auth_token` is given.
    ///
    /// # Errors
    /// [`Error::Api`] `invalid-file-extension`, `invalid-file-size` or `file-check-fail` as Alipay
    /// answers; [`Error::Config`] for an empty `biz_code` or an unreadable file; the errors of
    /// [`Client::execute_v3`].
    pub fn upload_file_v3(
        &self,
        biz_code: &str,
        file: V3File,
        app_auth_token: Option<&str>,
    ) -> Result<FileUpload> {
        required("biz_code", biz_code)?;
        let file = V3File {
            field: FILE_UPLOAD_FIELD.to_string(),
            ..file
        };
        let md5 = md5_of(&file)?;
        let call = V3Call::new("POST", FILE_UPLOAD_PATH)
            .json(&json!({"biz_code": biz_code, "md5": md5}))
            .app_auth_token(app_auth_token)
            .file(file);
        let response = self.execute_v3(&call)?;
        FileUpload::from_response(response.fields)
    }
}
