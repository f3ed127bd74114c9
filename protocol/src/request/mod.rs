//! Building signed requests: the common parameters, the UTC+8 timestamp, per-call tokens, `biz_content`
//! (optionally AES-encrypted), and the three ways to emit the result — `execute` (POST to the gateway),
//! `page_execute` (a GET URL or an auto-submitting HTML form) and `sdk_execute` (the order string).
//!
//! Like the Java SDK, system parameters go in the URL query and application parameters (`biz_content`,
//! `app_auth_token`, API-specific ones such as `grant_type`/`code`) in the form body.

mod encode;
mod timestamp;

pub use encode::{form_component, form_encode, html_attribute};
pub use timestamp::{china_timestamp, china_timestamp_now, parse_china_timestamp};

use crate::config::IsvConfig;
use crate::error::{Error, Result};
use crate::sign::sign_content;

/// Parameters that travel in the URL query (the rest go in the body).
const SYSTEM_PARAMS: &[&str] = &[
    "app_id",
    "method",
    "format",
    "charset",
    "sign_type",
    "sign",
    "timestamp",
    "version",
    "notify_url",
    "return_url",
    "encrypt_type",
    "auth_token",
    "app_cert_sn",
    "alipay_root_cert_sn",
];

/// Per-call options: tokens, URLs, `biz_content` and any extra top-level parameters.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// The merchant's `app_auth_token`, for a delegated call.
    pub app_auth_token: Option<String>,
    /// The user's `access_token`, sent as `auth_token`.
    pub auth_token: Option<String>,
    /// The merchant app (`auth_app_id`) the call is for. Not sent: it labels the call's
    /// observability event (the registry sets it for the calls it makes).
    pub auth_app_id: Option<String>,
    /// `notify_url` for asynchronous notifications of this call.
    pub notify_url: Option<String>,
    /// `return_url` for page flows.
    pub return_url: Option<String>,
    /// `biz_content` as JSON text (serialise objects first).
    pub biz_content: Option<String>,
    /// Extra top-level parameters, e.g. `grant_type` and `code` of `alipay.system.oauth.token`.
    pub extra_params: Vec<(String, String)>,
    /// Encrypt `biz_content` with the configured AES key (`encrypt_type=AES`).
    pub encrypt: bool,
    /// Use this timestamp instead of now (tests, replays); `yyyy-MM-dd HH:mm:ss` UTC+8.
    pub timestamp: Option<String>,
}

impl std::fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked = |name: &str, token: &Option<String>| {
            crate::secret::shown_optional(name, token.as_deref())
        };
        f.debug_struct("CallOptions")
            .field(
                "app_auth_token",
                &masked("app_auth_token", &self.app_auth_token),
            )
            .field("auth_token", &masked("auth_token", &self.auth_token))
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .field(
                "biz_content_bytes",
                &self.biz_content.as_ref().map(String::len),
            )
            .field(
                "extra_params",
                &self.extra_params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("encrypt", &self.encrypt)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// A signed request: every parameter, `sign` included, ready to be emitted.
#[derive(Clone)]
pub struct SignedRequest {
    gateway: String,
    charset: crate::sign::Charset,
    params: Vec<(String, String)>,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("gateway", &self.gateway)
            .field("method", &self.param("method"))
            .field(
                "params",
                &self.params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The HTTP request of an `execute` call.
#[derive(Clone)]
pub struct HttpRequest {
    /// `gateway?system parameters`.
    pub url: String,
    /// The form body: application parameters.
    pub body: String,
    /// `application/x-www-form-urlencoded;charset=…`.
    pub content_type: String,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("url", &self.url.split('?').next())
            .field("body_bytes", &self.body.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl IsvConfig {
    /// Builds and signs a request for `method`. In certificate mode `app_cert_sn` and
    /// `alipay_root_cert_sn` are added to every request, with or without `biz_content`.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty method, an extra parameter that collides with a common one,
    /// `encrypt` without a configured AES key, a malformed timestamp, or text the charset cannot encode.
    pub fn sign_request(&self, method: &str, options: &CallOptions) -> Result<SignedRequest> {
        let method = method.trim();
        if method.is_empty() || method.contains(char::is_whitespace) {
            return Err(Error::config(
                "the method must be an API name such as alipay.user.info.share",
            ));
        }
        let timestamp = match &options.timestamp {
            Some(given) if parse_china_timestamp(given).is_some() => given.clone(),
            Some(_) => {
                return Err(Error::config(
                    "the timestamp must be `yyyy-MM-dd HH:mm:ss` (China time)",
                ));
            }
            None => china_timestamp_now(),
        };
        let signer = self.signer();
        let mut params: Vec<(String, String)> = vec![
            ("app_id".into(), self.app_id().to_string()),
            ("method".into(), method.to_string()),
            ("format".into(), "JSON".into()),
            ("charset".into(), signer.charset().as_str().into()),
            ("sign_type".into(), signer.sign_type().as_str().into()),
            ("timestamp".into(), timestamp),
            ("version".into(), "1.0".into()),
        ];
        if let Some(cert) = self.cert_mode() {
            params.push(("app_cert_sn".into(), cert.app_cert_sn().to_string()));
            params.push((
                "alipay_root_cert_sn".into(),
                cert.alipay_root_cert_sn().to_string(),
            ));
        }
        let mut push = |key: &str, value: &Option<String>| {
            if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
                params.push((key.to_string(), value.clone()));
            }
        };
        push("notify_url", &options.notify_url);
        push("return_url", &options.return_url);
        push("app_auth_token", &options.app_auth_token);
        push("auth_token", &options.auth_token);
        match (&options.biz_content, options.encrypt) {
            (Some(biz), true) => {
                let key = self.aes_key().ok_or_else(|| {
                    Error::config("encrypt was asked but no AES key is configured")
                })?;
                let plain = signer.charset().encode(biz)?;
                params.push(("biz_content".into(), key.encrypt(&plain)?));
                params.push(("encrypt_type".into(), "AES".into()));
            }
            (Some(biz), false) => params.push(("biz_content".into(), biz.clone())),
            (None, _) => {}
        }
        for (key, value) in &options.extra_params {
            if params.iter().any(|(existing, _)| existing == key) || key == "sign" {
                return Err(Error::config(format!(
                    "the extra parameter `{key}` collides with a common parameter; set it through its option"
                )));
            }
            params.push((key.clone(), value.clone()));
        }
        let (_, sign) = signer.sign_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        params.push(("sign".into(), sign));
        Ok(SignedRequest {
            gateway: self.gateway().to_string(),
            charset: signer.charset(),
            params,
        })
    }
}

impl SignedRequest {
    /// Every parameter, `sign` last, in the order they were added.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The value of one parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The canonical content that was signed.
    pub fn sign_content(&self) -> String {
        sign_content(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn sorted(&self, filter: impl Fn(&str) -> bool) -> Vec<(&str, &str)> {
        let mut selected: Vec<(&str, &str)> = self
            .params
            .iter()
            .filter(|(k, _)| filter(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        selected.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        selected
    }

    fn system_query(&self) -> Result<String> {
        form_encode(self.sorted(|k| SYSTEM_PARAMS.contains(&k)), self.charset)
    }

    fn url_with(&self, query: &str) -> String {
        let separator = if self.gateway.contains('?') { '&' } else { '?' };
        format!("{}{separator}{query}", self.gateway)
    }

    /// The `execute` form: POST `url` with `body`.
    ///
    /// # Errors
    /// [`Error::Config`] when a value cannot be encoded in the charset.
    pub fn to_http_request(&self) -> Result<HttpRequest> {
        Ok(HttpRequest {
            url: self.url_with(&self.system_query()?),
            body: form_encode(self.sorted(|k| !SYSTEM_PARAMS.contains(&k)), self.charset)?,
            content_type: format!(
                "application/x-www-form-urlencoded;charset={}",
                self.charset.as_str()
            ),
        })
    }

    /// The `page_execute` GET form: one URL carrying every parameter.
    ///
    /// # Errors
    /// As for [`SignedRequest::to_http_request`].
    pub fn to_page_url(&self) -> Result<String> {
        Ok(self.url_with(&form_encode(self.sorted(|_| true), self.charset)?))
    }

    /// The `page_execute` POST form: an auto-submitting HTML form (system parameters in the action URL,
    /// application parameters as hidden inputs, values HTML-escaped).
    ///
    /// # Errors
    /// As for [`SignedRequest::to_http_request`].
    pub fn to_page_form(&self) -> Result<String> {
        let action = html_attribute(&self.url_with(&self.system_query()?));
        let mut html =
            format!("<form name=\"punchout_form\" method=\"post\" action=\"{action}\">\n");
        for (key, value) in self.sorted(|k| !SYSTEM_PARAMS.contains(&k)) {
            html.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                html_attribute(key),
                html_attribute(value)
            ));
        }
        html.push_str("<input type=\"submit\" value=\"Submit\" style=\"display:none\">\n</form>\n");
        html.push_str("<script>document.forms[0].submit();</script>");
        Ok(html)
    }

    /// The `sdk_execute` order string for the Alipay app or mini-program client: every parameter, sorted,
    /// each value form-encoded in the charset.
    ///
    /// # Errors
    /// As for [`SignedRequest::to_http_request`].
    pub fn to_order_string(&self) -> Result<String> {
        form_encode(self.sorted(|_| true), self.charset)
    }
}
