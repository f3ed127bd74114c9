//! Signed requests: [`CallOptions`] in, [`SignedRequest`] out (`execute` HTTP request, page URL, page
//! form, order string), and the China-time timestamp helpers, mirroring `alipay_isv::request`.
//!
//! A `SignedRequest` holds the tokens it was signed with: its `toString()` and `util.inspect` show the
//! method, the gateway, the parameter names and masked tokens only. `params`, `httpRequest()` and the
//! other outputs carry them in full, because they are what is sent.

use alipay_isv::request as core;
use alipay_isv::secret::{is_secret_request_param, shown};
use indexmap::IndexMap;
use napi::{Env, JsValue, Unknown, ValueType};
use napi_derive::napi;

use crate::convert::js_object::StringRecord;
use crate::convert::json_stringify;
use crate::error::OrThrow;

/// Per-call options of `IsvConfig.signRequest`.
///
/// Holds secrets (`appAuthToken`, `authToken`): it is your object, so do not log it.
#[napi(object, object_to_js = false)]
pub struct CallOptions<'env> {
    /// `biz_content`: an object (serialised with `JSON.stringify`, compact, in its own key order) or
    /// JSON text sent as is.
    #[napi(ts_type = "string | object")]
    pub biz_content: Option<Unknown<'env>>,
    /// The merchant's `app_auth_token`, for a delegated call (代调用). Secret.
    pub app_auth_token: Option<String>,
    /// The user's `access_token`, sent as `auth_token`. Secret.
    pub auth_token: Option<String>,
    /// `notify_url` for asynchronous notifications of this call.
    pub notify_url: Option<String>,
    /// `return_url` for page flows.
    pub return_url: Option<String>,
    /// Extra top-level parameters, e.g. `{ grant_type: 'authorization_code', code }` for
    /// `alipay.system.oauth.token`. A name that collides with a common parameter is refused.
    #[napi(ts_type = "Record<string, string>")]
    pub extra_params: Option<StringRecord>,
    /// Encrypt `biz_content` with the configured AES key (`encrypt_type=AES`).
    pub encrypt: Option<bool>,
    /// The `timestamp` to sign instead of now, `yyyy-MM-dd HH:mm:ss` in China time (tests, replays).
    pub timestamp: Option<String>,
    /// The merchant app (`auth_app_id`) the call is for. Not sent: it labels the call's observability
    /// event (`onEvent`, the counters); `Registry.executeFor` sets it itself.
    pub auth_app_id: Option<String>,
}

impl CallOptions<'_> {
    /// The core's options; `biz_content` objects become compact JSON.
    pub(crate) fn to_core(&self, env: &Env) -> napi::Result<core::CallOptions> {
        let biz_content = match self.biz_content {
            None => None,
            Some(value) => match value.get_type()? {
                ValueType::Undefined | ValueType::Null => None,
                ValueType::String => Some(value.coerce_to_string()?.into_utf8()?.into_owned()?),
                _ => Some(json_stringify(env, value, "bizContent")?),
            },
        };
        Ok(core::CallOptions {
            app_auth_token: self.app_auth_token.clone(),
            auth_token: self.auth_token.clone(),
            notify_url: self.notify_url.clone(),
            return_url: self.return_url.clone(),
            biz_content,
            extra_params: self
                .extra_params
                .as_ref()
                .map(|extra| extra.0.to_vec())
                .unwrap_or_default(),
            encrypt: self.encrypt.unwrap_or(false),
            timestamp: self.timestamp.clone(),
            auth_app_id: self.auth_app_id.clone(),
        })
    }
}

/// The HTTP request of an `execute` call: POST `body` to `url` with the `Content-Type` `contentType`.
#[napi(object, object_from_js = false)]
pub struct HttpRequest {
    /// The gateway URL with the system parameters (`app_id`, `method`, `sign`, …) in the query.
    pub url: String,
    /// The form body: the application parameters (`biz_content`, `app_auth_token`, extra parameters).
    pub body: String,
    /// `application/x-www-form-urlencoded;charset=UTF-8` (or `GBK`).
    pub content_type: String,
}

/// A signed request, ready to be sent in one of its forms. Built by `IsvConfig.signRequest`.
#[napi]
pub struct SignedRequest {
    pub(crate) inner: core::SignedRequest,
}

#[napi]
impl SignedRequest {
    /// Every parameter, `sign` last, in the order they were added. Carries the tokens in full.
    #[napi(getter, catch_unwind)]
    pub fn params(&self) -> IndexMap<String, String> {
        self.inner.params().iter().cloned().collect()
    }

    /// The value of one parameter, or `null`.
    #[napi(catch_unwind)]
    pub fn param(&self, name: String) -> Option<String> {
        self.inner.param(&name).map(str::to_string)
    }

    /// The canonical content that was signed.
    #[napi(getter, catch_unwind)]
    pub fn sign_content(&self) -> String {
        self.inner.sign_content()
    }

    /// The `execute` form: system parameters in the URL, application parameters in the form body.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when a value cannot be encoded in the charset.
    #[napi(catch_unwind)]
    pub fn http_request(&self, env: Env) -> napi::Result<HttpRequest> {
        let request = self.inner.to_http_request().or_throw(&env)?;
        Ok(HttpRequest {
            url: request.url,
            body: request.body,
            content_type: request.content_type,
        })
    }

    /// The `page_execute` GET form: one URL carrying every parameter, for a browser redirect.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `httpRequest`.
    #[napi(catch_unwind)]
    pub fn page_url(&self, env: Env) -> napi::Result<String> {
        self.inner.to_page_url().or_throw(&env)
    }

    /// The `page_execute` POST form: an auto-submitting HTML form, values HTML-escaped.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `httpRequest`.
    #[napi(catch_unwind)]
    pub fn page_form(&self, env: Env) -> napi::Result<String> {
        self.inner.to_page_form().or_throw(&env)
    }

    /// The `sdk_execute` order string for the Alipay app or mini-program client.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `httpRequest`.
    #[napi(catch_unwind)]
    pub fn order_string(&self, env: Env) -> napi::Result<String> {
        self.inner.to_order_string().or_throw(&env)
    }

    /// `SignedRequest(alipay.trade.create, https://…/gateway.do, params: app_id, …; app_auth_token: 2026…(20 chars))`:
    /// names and masked tokens, never a token or a value.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self
            .inner
            .params()
            .iter()
            .map(|(key, _)| key.as_str())
            .collect();
        let gateway = self.inner.to_page_url().unwrap_or_default();
        let gateway = gateway.split('?').next().unwrap_or_default();
        let mut text = format!(
            "SignedRequest({}, {gateway}, params: {}",
            self.inner.param("method").unwrap_or_default(),
            names.join(", ")
        );
        for (name, value) in self.inner.params() {
            if is_secret_request_param(name) {
                text.push_str(&format!("; {name}: {}", shown(name, value)));
            }
        }
        text.push(')');
        text
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// The current time as the gateway expects it: `yyyy-MM-dd HH:mm:ss` in China time (UTC+8), whatever
/// the host's time zone.
#[napi(catch_unwind)]
pub fn china_timestamp_now() -> String {
    core::china_timestamp_now()
}

/// Formats Unix seconds as `yyyy-MM-dd HH:mm:ss` in China time (UTC+8).
#[napi(catch_unwind)]
pub fn china_timestamp(unix_seconds: i64) -> String {
    core::china_timestamp(unix_seconds)
}

/// Parses `yyyy-MM-dd HH:mm:ss` (China time) back to Unix seconds; `null` when malformed.
#[napi(catch_unwind)]
pub fn parse_china_timestamp(text: String) -> Option<i64> {
    core::parse_china_timestamp(&text)
}
