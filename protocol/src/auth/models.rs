//! The token models the gateway answers with, read leniently: numbers or strings, `tokens[]` and/or flat
//! fields, `user_id` and `open_id` both optional. `Debug` masks every token.

use std::fmt;

use serde_json::{Map, Value};

use super::lenient::{integer, text, text_list};
use crate::error::{Error, Result};
use crate::secret::shown;

fn masked(name: &str, token: &Option<String>) -> Option<String> {
    token.as_deref().map(|value| shown(name, value))
}

/// One merchant authorisation: the token for delegated calls and the merchant it belongs to.
#[derive(Clone, PartialEq, Eq)]
pub struct AppAuthToken {
    /// The token to pass as `app_auth_token` on delegated calls.
    pub app_auth_token: String,
    /// The token to refresh it with.
    pub app_refresh_token: Option<String>,
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// The merchant's PID (2088…).
    pub user_id: Option<String>,
    /// Seconds the token lives from now.
    pub expires_in: Option<i64>,
    /// Seconds the refresh token lives from now.
    pub re_expires_in: Option<i64>,
}

impl fmt::Debug for AppAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuthToken")
            .field(
                "app_auth_token",
                &shown("app_auth_token", &self.app_auth_token),
            )
            .field(
                "app_refresh_token",
                &masked("app_refresh_token", &self.app_refresh_token),
            )
            .field("auth_app_id", &self.auth_app_id)
            .field("user_id", &self.user_id)
            .field("expires_in", &self.expires_in)
            .field("re_expires_in", &self.re_expires_in)
            .finish()
    }
}

impl AppAuthToken {
    fn from_fields(fields: &Map<String, Value>) -> Option<Self> {
        Some(AppAuthToken {
            app_auth_token: text(fields, "app_auth_token")?,
            app_refresh_token: text(fields, "app_refresh_token"),
            auth_app_id: text(fields, "auth_app_id").unwrap_or_default(),
            user_id: text(fields, "user_id"),
            expires_in: integer(fields, "expires_in"),
            re_expires_in: integer(fields, "re_expires_in"),
        })
    }

    /// Every token of an `alipay.open.auth.token.app` answer: the `tokens` array and the flat fields,
    /// each token once (a batch authorisation answers several).
    ///
    /// # Errors
    /// [`Error::Protocol`] when the answer carries no token at all.
    pub fn all_from_response(fields: &Map<String, Value>) -> Result<Vec<AppAuthToken>> {
        let mut tokens: Vec<AppAuthToken> = match fields.get("tokens") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_object().and_then(AppAuthToken::from_fields))
                .collect(),
            _ => Vec::new(),
        };
        if let Some(flat) = AppAuthToken::from_fields(fields) {
            let listed = tokens
                .iter()
                .any(|token| token.app_auth_token == flat.app_auth_token);
            if !listed {
                tokens.insert(0, flat);
            }
        }
        if tokens.is_empty() {
            return Err(Error::protocol(
                "the alipay.open.auth.token.app answer carries no app_auth_token",
            ));
        }
        Ok(tokens)
    }
}

/// What `alipay.open.auth.token.app.query` says of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppAuthTokenInfo {
    /// The merchant's PID.
    pub user_id: Option<String>,
    /// The merchant's authorised app.
    pub auth_app_id: Option<String>,
    /// Seconds the token still lives.
    pub expires_in: Option<i64>,
    /// The APIs the merchant granted.
    pub auth_methods: Vec<String>,
    /// When the authorisation started (`yyyy-MM-dd HH:mm:ss`, China time).
    pub auth_start: Option<String>,
    /// When it ends.
    pub auth_end: Option<String>,
    /// `valid` or `invalid`.
    pub status: Option<String>,
}

impl AppAuthTokenInfo {
    /// Reads a query answer.
    pub fn from_response(fields: &Map<String, Value>) -> Self {
        AppAuthTokenInfo {
            user_id: text(fields, "user_id"),
            auth_app_id: text(fields, "auth_app_id"),
            expires_in: integer(fields, "expires_in"),
            auth_methods: text_list(fields, "auth_methods"),
            auth_start: text(fields, "auth_start"),
            auth_end: text(fields, "auth_end"),
            status: text(fields, "status"),
        }
    }

    /// Whether the gateway says the token is valid.
    pub fn is_valid(&self) -> bool {
        self.status.as_deref() == Some("valid")
    }
}

/// A user's authorisation, from `alipay.system.oauth.token`.
#[derive(Clone, PartialEq, Eq)]
pub struct UserToken {
    /// The user's id (2088…), when the app still receives it.
    pub user_id: Option<String>,
    /// The user's `open_id` (the newer per-app identifier), when present.
    pub open_id: Option<String>,
    /// The token to pass as `auth_token` on calls for this user.
    pub access_token: String,
    /// Seconds the access token lives.
    pub expires_in: Option<i64>,
    /// The token to refresh it with.
    pub refresh_token: Option<String>,
    /// Seconds the refresh token lives.
    pub re_expires_in: Option<i64>,
    /// When the user authorised (`yyyy-MM-dd HH:mm:ss`, China time).
    pub auth_start: Option<String>,
}

impl fmt::Debug for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserToken")
            .field("user_id", &self.user_id)
            .field("open_id", &self.open_id)
            .field("access_token", &shown("access_token", &self.access_token))
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &masked("refresh_token", &self.refresh_token),
            )
            .field("re_expires_in", &self.re_expires_in)
            .field("auth_start", &self.auth_start)
            .finish()
    }
}

impl UserToken {
    /// Reads an `alipay.system.oauth.token` answer.
    ///
    /// # Errors
    /// [`Error::Protocol`] when it carries no `access_token`.
    pub fn from_response(fields: &Map<String, Value>) -> Result<Self> {
        Ok(UserToken {
            access_token: text(fields, "access_token").ok_or_else(|| {
                Error::protocol("the alipay.system.oauth.token answer carries no access_token")
            })?,
            user_id: text(fields, "user_id"),
            open_id: text(fields, "open_id"),
            expires_in: integer(fields, "expires_in"),
            refresh_token: text(fields, "refresh_token"),
            re_expires_in: integer(fields, "re_expires_in"),
            auth_start: text(fields, "auth_start"),
        })
    }
}

/// A user's profile from `alipay.user.info.share`; every field optional.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    /// The user's id (2088…).
    pub user_id: Option<String>,
    /// The user's per-app `open_id`.
    pub open_id: Option<String>,
    /// Nickname.
    pub nick_name: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// `m` or `f`.
    pub gender: Option<String>,
    /// Every field of the answer (`code` and `msg` included), for the ones not modelled here.
    pub fields: Map<String, Value>,
}

impl UserInfo {
    /// Reads an `alipay.user.info.share` answer.
    pub fn from_response(fields: Map<String, Value>) -> Self {
        UserInfo {
            user_id: text(&fields, "user_id"),
            open_id: text(&fields, "open_id"),
            nick_name: text(&fields, "nick_name"),
            avatar: text(&fields, "avatar"),
            province: text(&fields, "province"),
            city: text(&fields, "city"),
            gender: text(&fields, "gender"),
            fields,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn flat_and_array_tokens_merge_without_duplicates() {
        let single = object(json!({
            "code": "10000", "app_auth_token": "t1", "app_refresh_token": "r1",
            "auth_app_id": "2021", "user_id": "2088", "expires_in": 31536000, "re_expires_in": "32140800",
            "tokens": [{"app_auth_token": "t1", "auth_app_id": "2021", "expires_in": "31536000"}]
        }));
        let tokens = AppAuthToken::all_from_response(&single).unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].expires_in, Some(31_536_000));
        let batch = object(json!({"code": "10000", "tokens": [
            {"app_auth_token": "a", "auth_app_id": "1"}, {"app_auth_token": "b", "auth_app_id": "2"}]}));
        let tokens = AppAuthToken::all_from_response(&batch).unwrap();
        assert_eq!(
            tokens
                .iter()
                .map(|t| t.auth_app_id.as_str())
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert!(!format!("{tokens:?}").contains("\"a\""));
        assert!(AppAuthToken::all_from_response(&object(json!({"code": "10000"}))).is_err());
    }

    #[test]
    fn user_tokens_need_only_the_access_token() {
        let token = UserToken::from_response(&object(
            json!({"access_token": "secret-access-token", "open_id": "074a"}),
        ))
        .unwrap();
        assert_eq!(token.user_id, None);
        assert_eq!(token.open_id.as_deref(), Some("074a"));
        assert!(!format!("{token:?}").contains("secret-access-token"));
        assert!(UserToken::from_response(&object(json!({"user_id": "2088"}))).is_err());
    }

    #[test]
    fn query_answers_read_lists_and_status() {
        let info = AppAuthTokenInfo::from_response(&object(json!({
            "status": "valid", "auth_methods": ["alipay.user.info.share"], "expires_in": 100})));
        assert!(info.is_valid());
        assert_eq!(info.auth_methods, ["alipay.user.info.share"]);
    }
}
