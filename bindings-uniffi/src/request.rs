//! Signed requests, mirroring `alipay_isv::request`: [`CallOptions`] (the per-call tokens, URLs,
//! `biz_content` and extra parameters), [`SignedRequest`] and its three outputs (`execute` as an
//! [`HttpRequest`], `page_execute` as a URL or HTML form, `sdk_execute` as an order string), and the
//! UTC+8 timestamp functions.
//!
//! The Kotlin `toString()` of every type here masks `app_auth_token` and `auth_token` and shows
//! parameter names, never their values.

use std::collections::HashMap;
use std::fmt;

use alipay_isv::request as core;
use alipay_isv::secret::shown_optional;

use crate::error::{Result, guard};

/// Per-call options (Kotlin: `CallOptions(appAuthToken = token, bizContent = json)`; every field
/// has a default, so `CallOptions()` is a call as the ISV itself with no `biz_content`).
#[derive(Clone, Default, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct CallOptions {
    /// The merchant's `app_auth_token`, for a delegated call (代调用).
    #[uniffi(default)]
    pub app_auth_token: Option<String>,
    /// The user's `access_token`, sent as the `auth_token` parameter.
    #[uniffi(default)]
    pub auth_token: Option<String>,
    /// `notify_url` for the asynchronous notifications of this call.
    #[uniffi(default)]
    pub notify_url: Option<String>,
    /// `return_url` for page flows.
    #[uniffi(default)]
    pub return_url: Option<String>,
    /// `biz_content` as compact JSON text (serialise objects first, e.g. with `JSONObject(map)`).
    #[uniffi(default)]
    pub biz_content: Option<String>,
    /// Extra top-level parameters, e.g. `grant_type` and `code` of `alipay.system.oauth.token`.
    #[uniffi(default)]
    pub extra_params: HashMap<String, String>,
    /// Encrypt `biz_content` with the configured AES key (`encrypt_type=AES`).
    #[uniffi(default)]
    pub encrypt: bool,
    /// Use this timestamp (`yyyy-MM-dd HH:mm:ss`, China time) instead of now: tests and replays.
    #[uniffi(default)]
    pub timestamp: Option<String>,
    /// The merchant app (`auth_app_id`) the call is for. Not sent: it labels the call's
    /// observability event (`Registry.executeFor` sets it itself).
    #[uniffi(default)]
    pub auth_app_id: Option<String>,
}

impl CallOptions {
    /// The core options.
    pub(crate) fn to_core(&self) -> core::CallOptions {
        let mut extra_params: Vec<(String, String)> = self
            .extra_params
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        // A Kotlin map has no order that matters; sorting keeps errors deterministic.
        extra_params.sort();
        core::CallOptions {
            app_auth_token: self.app_auth_token.clone(),
            auth_token: self.auth_token.clone(),
            auth_app_id: self.auth_app_id.clone(),
            notify_url: self.notify_url.clone(),
            return_url: self.return_url.clone(),
            biz_content: self.biz_content.clone(),
            extra_params,
            encrypt: self.encrypt,
            timestamp: self.timestamp.clone(),
        }
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |name: &str, token: &Option<String>| {
            shown_optional(name, token.as_deref()).unwrap_or_else(|| "null".to_string())
        };
        let shown = |text: &Option<String>| text.clone().unwrap_or_else(|| "null".into());
        let mut extra: Vec<&str> = self.extra_params.keys().map(String::as_str).collect();
        extra.sort_unstable();
        write!(
            f,
            "CallOptions(appAuthToken={}, authToken={}, notifyUrl={}, returnUrl={}, \
             bizContentChars={}, extraParams={extra:?}, encrypt={}, timestamp={})",
            masked("app_auth_token", &self.app_auth_token),
            masked("auth_token", &self.auth_token),
            shown(&self.notify_url),
            shown(&self.return_url),
            self.biz_content.as_ref().map_or_else(
                || "null".to_string(),
                |text| text.chars().count().to_string()
            ),
            self.encrypt,
            shown(&self.timestamp),
        )
    }
}

/// The HTTP request of an `execute` call: POST `body` to `url` with `contentType`.
///
/// `toString()` shows the gateway and the body size only: the query holds `auth_token` and the body
/// `app_auth_token`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct HttpRequest {
    /// `gateway?system parameters` (sorted, form-encoded in the charset).
    pub url: String,
    /// The form body: the application parameters (`biz_content`, `app_auth_token`, extra ones).
    pub body: String,
    /// `application/x-www-form-urlencoded;charset=UTF-8` (or `GBK`).
    pub content_type: String,
}

impl From<core::HttpRequest> for HttpRequest {
    fn from(request: core::HttpRequest) -> Self {
        HttpRequest {
            url: request.url,
            body: request.body,
            content_type: request.content_type,
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gateway = self.url.split('?').next().unwrap_or_default();
        write!(
            f,
            "HttpRequest(url={gateway}?…, bodyBytes={}, contentType={})",
            self.body.len(),
            self.content_type
        )
    }
}

/// A signed request: every parameter, `sign` included, ready to be emitted three ways. Immutable.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct SignedRequest {
    inner: core::SignedRequest,
}

impl SignedRequest {
    /// Wraps a core request.
    pub(crate) fn wrap(inner: core::SignedRequest) -> Self {
        SignedRequest { inner }
    }
}

#[uniffi::export]
impl SignedRequest {
    /// Every parameter, `sign` included.
    pub fn params(&self) -> Result<HashMap<String, String>> {
        guard("SignedRequest.params", || {
            Ok(self.inner.params().iter().cloned().collect())
        })
    }

    /// The value of one parameter, or null.
    pub fn param(&self, name: String) -> Result<Option<String>> {
        guard("SignedRequest.param", || {
            Ok(self.inner.param(&name).map(str::to_string))
        })
    }

    /// The canonical content that was signed.
    pub fn sign_content(&self) -> Result<String> {
        guard("SignedRequest.signContent", || {
            Ok(self.inner.sign_content())
        })
    }

    /// The `execute` form: system parameters in the URL query, application parameters in the body.
    ///
    /// Throws `AlipayException.Config` when a value cannot be encoded in the charset.
    pub fn http_request(&self) -> Result<HttpRequest> {
        guard("SignedRequest.httpRequest", || {
            self.inner.to_http_request().map(HttpRequest::from)
        })
    }

    /// The `page_execute` GET form: one URL carrying every parameter, for a browser redirect.
    pub fn page_url(&self) -> Result<String> {
        guard("SignedRequest.pageUrl", || self.inner.to_page_url())
    }

    /// The `page_execute` POST form: an auto-submitting HTML form, values HTML-escaped.
    pub fn page_form(&self) -> Result<String> {
        guard("SignedRequest.pageForm", || self.inner.to_page_form())
    }

    /// The `sdk_execute` order string for the Alipay app or mini-program client: every parameter,
    /// sorted, each value form-encoded in the charset.
    pub fn order_string(&self) -> Result<String> {
        guard("SignedRequest.orderString", || self.inner.to_order_string())
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .inner
            .params()
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        write!(
            f,
            "SignedRequest(method={}, params={names:?})",
            self.inner.param("method").unwrap_or_default()
        )
    }
}

/// Now as the gateway's `timestamp` expects it: `yyyy-MM-dd HH:mm:ss` in China time (UTC+8),
/// whatever the JVM's default time zone.
#[uniffi::export]
pub fn china_timestamp_now() -> Result<String> {
    guard("chinaTimestampNow", || Ok(core::china_timestamp_now()))
}

/// Formats Unix seconds as `yyyy-MM-dd HH:mm:ss` in China time (UTC+8).
#[uniffi::export]
pub fn china_timestamp(unix_seconds: i64) -> Result<String> {
    guard("chinaTimestamp", || Ok(core::china_timestamp(unix_seconds)))
}

/// Parses `yyyy-MM-dd HH:mm:ss` (China time) back to Unix seconds; null when malformed.
#[uniffi::export]
pub fn parse_china_timestamp(text: String) -> Result<Option<i64>> {
    guard("parseChinaTimestamp", || {
        Ok(core::parse_china_timestamp(&text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_options_display_masks_tokens() {
        let options = CallOptions {
            app_auth_token: Some("202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21".into()),
            auth_token: Some("authusrBa1b2c3d4e5f6a7b8c9d0e1f2X21".into()),
            biz_content: Some("{\"secret\":\"x\"}".into()),
            extra_params: HashMap::from([("code".to_string(), "4b203fe6c115".to_string())]),
            ..CallOptions::default()
        };
        let shown = options.to_string();
        assert!(!shown.contains("a1b2c3d4"), "{shown}");
        assert!(!shown.contains("4b203fe6c115"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("\"code\""), "{shown}");
    }

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(china_timestamp(0).unwrap(), "1970-01-01 08:00:00");
        assert_eq!(
            parse_china_timestamp("1970-01-01 08:00:00".into()).unwrap(),
            Some(0)
        );
        assert_eq!(parse_china_timestamp("nope".into()).unwrap(), None);
        assert_eq!(china_timestamp_now().unwrap().len(), 19);
    }
}
