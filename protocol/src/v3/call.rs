//! A v3 call as the caller describes it ([`V3Call`]: HTTP method, path, query, JSON body, the merchant's
//! token, AES, files) and the exact HTTP request it becomes ([`V3HttpRequest`]): the query encoded once
//! (RFC 3986, space as `%20`), the body serialised once — encrypted with the app's AES key when asked,
//! or as the `data` part of a multipart upload — and the signature made over exactly those strings, so
//! what is signed is what is sent.

use std::fmt;

use crate::config::IsvConfig;
use crate::error::{Error, Result, shortened};

use super::multipart::{MultipartBody, V3File};
use super::{V3Request, V3Signature, new_nonce, now_ms};

/// The request header asking for AES content encryption.
pub const ENCRYPT_TYPE_HEADER: &str = "alipay-encrypt-type";
/// The request header with the caller's request id.
pub const REQUEST_ID_HEADER: &str = "alipay-request-id";

/// One v3 call: what to send, before it is encoded and signed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct V3Call {
    /// The HTTP method, e.g. `GET` or `POST` (case-insensitive here; sent in upper case).
    pub method: String,
    /// The path, e.g. `/v3/alipay/user/info/share`; path parameters already substituted and
    /// percent-encoded (see [`path_segment`]).
    pub path: String,
    /// Query parameters, in order, unencoded.
    pub query: Vec<(String, String)>,
    /// The JSON body exactly as it is to be sent, when there is one (the non-file parameters of an
    /// upload).
    pub body: Option<String>,
    /// The merchant's `app_auth_token`, for a call on its behalf.
    pub app_auth_token: Option<String>,
    /// Encrypt the body with the configured AES key, and decrypt the answer.
    pub encrypt: bool,
    /// Files: the call is a multipart upload when there are any.
    pub files: Vec<V3File>,
    /// The `alipay-request-id` header; a fresh one when `None`.
    pub request_id: Option<String>,
}

impl fmt::Debug for V3Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "query",
                &self
                    .query
                    .iter()
                    .map(|(name, value)| (name.as_str(), crate::secret::shown_param(name, value)))
                    .collect::<Vec<_>>(),
            )
            .field(
                "body_chars",
                &self.body.as_ref().map(|body| body.chars().count()),
            )
            .field(
                "app_auth_token",
                &crate::secret::shown_optional("app_auth_token", self.app_auth_token.as_deref()),
            )
            .field("encrypt", &self.encrypt)
            .field("files", &self.files)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl V3Call {
    /// A call of `method` on `path` with nothing else.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        V3Call {
            method: method.into(),
            path: path.into(),
            ..V3Call::default()
        }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body from a value (serialised once, here).
    #[must_use]
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(body.to_string());
        self
    }

    /// Calls on the merchant's behalf with its `app_auth_token` (none when `None` or empty).
    #[must_use]
    pub fn app_auth_token(mut self, token: Option<&str>) -> Self {
        self.app_auth_token = token.filter(|token| !token.is_empty()).map(str::to_string);
        self
    }

    /// Encrypts the body and decrypts the answer with the configured AES key.
    #[must_use]
    pub fn encrypted(mut self, encrypt: bool) -> Self {
        self.encrypt = encrypt;
        self
    }

    /// Adds a file part (the call becomes a multipart upload).
    #[must_use]
    pub fn file(mut self, file: V3File) -> Self {
        self.files.push(file);
        self
    }

    /// The operation's name for logs and events: the path after `/v3/` with `/` as `.` (the classic
    /// method name for the usual paths).
    pub fn operation(&self) -> String {
        let path = self.path.split(['?', '#']).next().unwrap_or_default();
        path.trim_start_matches("/v3/")
            .trim_end_matches('/')
            .replace('/', ".")
    }
}

/// Characters kept as they are in a query or path segment: RFC 3986's unreserved set.
const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path parameter, percent-encoded for a v3 path.
pub fn path_segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, ENCODED).to_string()
}

/// The query string (without `?`) of `pairs`, percent-encoded as RFC 3986 (space as `%20`).
pub fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", path_segment(name), path_segment(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The body of a prepared v3 request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V3Body {
    /// No body.
    Empty,
    /// A text body (JSON, or its Base64 ciphertext).
    Text(String),
    /// A multipart upload.
    Multipart(MultipartBody),
}

/// A v3 call encoded and signed: exactly what goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct V3HttpRequest {
    /// The HTTP method, upper case.
    pub method: String,
    /// The full URL: the v3 base and the request target.
    pub url: String,
    /// The path and query as signed and sent.
    pub request_target: String,
    /// Every header to send (lower-case names): the signature's, `content-type`, `accept`,
    /// `alipay-request-id`, and `alipay-encrypt-type` with AES.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: V3Body,
    /// Whether the body is encrypted and the answer will be.
    pub encrypted: bool,
    /// The signature (with the string that was signed, for debugging).
    pub signature: V3Signature,
}

impl fmt::Debug for V3HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V3HttpRequest")
            .field("method", &self.method)
            .field(
                "request_target",
                &crate::secret::mask_query(&self.request_target),
            )
            .field("body", &self.body_summary())
            .field("encrypted", &self.encrypted)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

impl V3HttpRequest {
    fn body_summary(&self) -> String {
        match &self.body {
            V3Body::Empty => "empty".to_string(),
            V3Body::Text(text) => format!("{} bytes", text.len()),
            V3Body::Multipart(body) => format!("multipart, {} file(s)", body.files().len()),
        }
    }

    /// The value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl IsvConfig {
    /// Encodes and signs `call` as this app, now, with a fresh nonce.
    ///
    /// # Errors
    /// As for [`IsvConfig::prepare_v3_with`].
    pub fn prepare_v3(&self, call: &V3Call) -> Result<V3HttpRequest> {
        self.prepare_v3_with(call, &new_nonce(), now_ms())
    }

    /// Encodes and signs `call` with the given nonce and timestamp (reproducible).
    ///
    /// # Errors
    /// [`Error::Config`] for a path that does not start with `/v3/` or holds a query, a query or space in
    /// the wrong place, `encrypt` without a configured AES key, a body that is not JSON, files with a
    /// method other than POST, or an unreadable file; the signing errors of [`V3Request::sign_with`].
    pub fn prepare_v3_with(
        &self,
        call: &V3Call,
        nonce: &str,
        timestamp_ms: u64,
    ) -> Result<V3HttpRequest> {
        let method = call.method.trim().to_ascii_uppercase();
        if !call.path.starts_with("/v3/") || call.path.contains(['?', '#']) {
            return Err(Error::config(format!(
                "a v3 path starts with `/v3/` and has no query (pass the query separately): `{}`",
                shortened(&crate::secret::mask_query(&call.path), 80)
            )));
        }
        let mut request_target = call.path.clone();
        if !call.query.is_empty() {
            request_target.push('?');
            request_target.push_str(&encode_query(&call.query));
        }
        if let Some(body) = &call.body {
            // Checked, not built: no value tree is allocated for a body that is sent as it is.
            serde_json::from_str::<serde::de::IgnoredAny>(body)
                .map_err(|error| Error::config(format!("the v3 body is not JSON: {error}")))?;
        }
        let aes = match (call.encrypt, self.aes_key()) {
            (false, _) => None,
            (true, Some(key)) => Some(key),
            (true, None) => {
                return Err(Error::config(
                    "the call asks for AES encryption but no AES key is configured (the console's \
                     接口内容加密 key)",
                ));
            }
        };
        let sealed = match (&call.body, aes) {
            (Some(body), Some(key)) if !body.is_empty() => Some(key.encrypt(body.as_bytes())?),
            (body, _) => body.clone(),
        };
        let mut headers = Vec::new();
        let (body, signed_body) = if call.files.is_empty() {
            match sealed {
                Some(text) if !text.is_empty() => {
                    let content_type = if aes.is_some() {
                        "text/plain"
                    } else {
                        "application/json"
                    };
                    headers.push(("content-type".to_string(), content_type.to_string()));
                    (V3Body::Text(text.clone()), text)
                }
                _ => (V3Body::Empty, String::new()),
            }
        } else {
            if method != "POST" {
                return Err(Error::config(format!(
                    "a v3 upload is a POST, not {}",
                    shortened(&method, 16)
                )));
            }
            let data = sealed.map(|text| {
                (
                    text,
                    if aes.is_some() {
                        "text/plain"
                    } else {
                        "application/json"
                    },
                )
            });
            let multipart = MultipartBody::new(data, call.files.clone())?;
            headers.push(("content-type".to_string(), multipart.content_type()));
            let signed = multipart.data_text().to_string();
            (V3Body::Multipart(multipart), signed)
        };
        let signature = V3Request {
            method: &method,
            request_target: &request_target,
            body: &signed_body,
            app_auth_token: call.app_auth_token.as_deref(),
        }
        .sign_with(self, nonce, timestamp_ms)?;
        headers.extend(signature.headers.iter().cloned());
        headers.push(("accept".to_string(), "application/json".to_string()));
        let request_id = match &call.request_id {
            Some(id) if !id.contains(['\r', '\n']) && !id.trim().is_empty() => id.clone(),
            Some(_) => {
                return Err(Error::config(
                    "the alipay-request-id must be a non-empty line",
                ));
            }
            None => new_nonce(),
        };
        headers.push((REQUEST_ID_HEADER.to_string(), request_id));
        if aes.is_some() {
            headers.push((ENCRYPT_TYPE_HEADER.to_string(), "AES".to_string()));
        }
        Ok(V3HttpRequest {
            url: format!("{}{request_target}", self.v3_base()),
            method,
            request_target,
            headers,
            body,
            encrypted: aes.is_some(),
            signature,
        })
    }
}
