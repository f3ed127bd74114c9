//! A v3 call as JavaScript describes it ([`V3Call`]: method, path, query, JSON body, the merchant's
//! token, AES, files) read into the core's `alipay_isv::v3::V3Call`, and the exact HTTP request it
//! becomes ([`V3HttpRequest`], from `IsvConfig.prepareV3`: the sans-IO form for hosts that send with
//! their own HTTP stack), mirroring `alipay_isv::v3::call` and `multipart`.
//!
//! The body is serialised once: an object by one `JSON.stringify` here, JSON text as given; the core
//! encrypts it (AES) or makes it the `data` part of an upload, and signs exactly what is sent. Files
//! come as bytes (`content`) or as a path on disk (`path`).

use alipay_isv::secret::{mask_query, shown};
use alipay_isv::upload::MultipartFiles;
use alipay_isv::v3 as core;
use indexmap::IndexMap;
use napi::bindgen_prelude::{
    Buffer, FromNapiValue, JsObjectValue, Object, TypeName, Uint8Array, ValidateNapiValue,
};
use napi::{Env, JsValue, Status, Unknown, ValueType, sys};
use napi_derive::napi;

use super::{PairsShape, config_error, epoch_millis, string_pairs};
use crate::config::IsvConfig;
use crate::convert::json_stringify;
use crate::error::OrThrow;

/// The shapes of a call's query.
const QUERY: PairsShape = PairsShape {
    expected: "the v3 query must be an object of strings, an array of [name, value] pairs or an \
               iterable of pairs (a Map, URLSearchParams)",
    flat_list: false,
};

/// One OpenAPI v3 call, for `Client.executeV3`, `Registry.executeV3For` and `IsvConfig.prepareV3`.
///
/// Holds a secret (`appAuthToken`), and `query` or `body` may hold others (`auth_token`, a
/// `refresh_token`): it is your object, so do not log it.
#[napi(object, object_to_js = false)]
pub struct V3Call<'env> {
    /// The HTTP method (sent in upper case).
    #[napi(ts_type = "V3Method")]
    pub method: String,
    /// The path, e.g. `/v3/alipay/open/mini/version/list/query`: it starts with `/v3/`, path
    /// parameters already substituted and percent-encoded, and holds no query (give `query`).
    pub path: String,
    /// The query parameters, unencoded, in order: an object (an array value repeats the name), an
    /// array of `[name, value]` pairs, or an iterable of pairs (a `Map`, `URLSearchParams`). Encoded
    /// once (RFC 3986, a space as `%20`) and signed as sent.
    #[napi(ts_type = "V3Query")]
    pub query: Option<Unknown<'env>>,
    /// The JSON body: an object or array (serialised once with `JSON.stringify`, compact, in its own
    /// key order) or JSON text sent as it is. Refused when it is not JSON. For an upload: the `data`
    /// part (the parameters other than files).
    #[napi(ts_type = "string | object")]
    pub body: Option<Unknown<'env>>,
    /// The merchant's `app_auth_token`, for a call on its behalf (代调用): sent in the
    /// `alipay-app-auth-token` header and signed as the last line. Secret.
    pub app_auth_token: Option<String>,
    /// Encrypt the body with the configured AES key (`alipay-encrypt-type: AES`) and decrypt the
    /// answer (default `false`).
    pub encrypt: Option<bool>,
    /// Files: the call becomes a `multipart/form-data` upload (a POST) whose `data` part is the body.
    #[napi(ts_type = "V3FileInput[]")]
    pub files: Option<Vec<V3FileFields>>,
    /// The `alipay-request-id` header; a fresh random one when left out.
    pub request_id: Option<String>,
}

/// One file of an upload as JavaScript gives it (typed as `V3FileInput` / `V3UploadFile` in
/// `index.d.ts`, a union napi-rs cannot derive): bytes in `content` or a path on disk in `path`,
/// exactly one. Read by hand ([`FromNapiValue`]), property by property, each checked for its type.
pub struct V3FileFields {
    /// The form field, e.g. `file_content`.
    pub field: Option<String>,
    /// The file name sent (its extension is what Alipay checks); with `path`, the file's own name by
    /// default.
    pub file_name: Option<String>,
    /// The part's content type; guessed from the file name's extension by default.
    pub content_type: Option<String>,
    /// The bytes.
    pub content: Option<Uint8Array>,
    /// A file on disk, streamed when sent.
    pub path: Option<String>,
}

impl TypeName for V3FileFields {
    fn type_name() -> &'static str {
        "V3FileInput"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for V3FileFields {}

impl FromNapiValue for V3FileFields {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller hands over a live value of `env`, as `FromNapiValue` requires.
        let given = unsafe { Unknown::from_napi_value(env, value)? };
        if given.get_type()? != ValueType::Object {
            return Err(napi::Error::new(
                Status::ObjectExpected,
                "an upload file is an object: { field, fileName, content } or { field, path }",
            ));
        }
        let object = Object::from_unknown(given)?;
        Ok(V3FileFields {
            field: object.get_named_property("field")?,
            file_name: object.get_named_property("fileName")?,
            content_type: object.get_named_property("contentType")?,
            content: object.get_named_property("content")?,
            path: object.get_named_property("path")?,
        })
    }
}

impl V3FileFields {
    /// The core's file; `default_field` when `field` is left out (`None`: the field is required).
    pub(crate) fn to_core(
        &self,
        env: &Env,
        default_field: Option<&str>,
    ) -> napi::Result<core::V3File> {
        let field = match (self.field.as_deref(), default_field) {
            (Some(field), _) => field.to_string(),
            (None, Some(field)) => field.to_string(),
            (None, None) => {
                return Err(config_error(
                    env,
                    "an upload file needs its form `field` (e.g. `file_content`)".to_string(),
                ));
            }
        };
        let mut file = match (&self.content, &self.path) {
            (Some(content), None) => {
                let Some(file_name) = self.file_name.clone() else {
                    return Err(config_error(
                        env,
                        "an upload file given as `content` needs its `fileName` (its extension is \
                         what Alipay checks)"
                            .to_string(),
                    ));
                };
                core::V3File::from_bytes(field, file_name, content.to_vec())
            }
            (None, Some(path)) => {
                let mut file = core::V3File::from_path(field, path);
                if let Some(file_name) = &self.file_name {
                    file.file_name = file_name.clone();
                }
                file
            }
            _ => {
                return Err(config_error(
                    env,
                    "an upload file has its bytes in `content` or a path in `path`: exactly one"
                        .to_string(),
                ));
            }
        };
        if let Some(content_type) = &self.content_type {
            file.content_type = content_type.clone();
        }
        Ok(file)
    }
}

impl V3Call<'_> {
    /// The core's call: the query read into pairs, an object body serialised once.
    pub(crate) fn to_core(&self, env: &Env) -> napi::Result<core::V3Call> {
        let query = match self.query {
            None => Vec::new(),
            Some(query) => match query.get_type()? {
                ValueType::Undefined | ValueType::Null => Vec::new(),
                _ => string_pairs(env, query, &QUERY)?,
            },
        };
        let body = match self.body {
            None => None,
            Some(body) => match body.get_type()? {
                ValueType::Undefined | ValueType::Null => None,
                ValueType::String => Some(body.coerce_to_string()?.into_utf8()?.into_owned()?),
                ValueType::Object if body.is_typedarray()? || body.is_arraybuffer()? => {
                    return Err(config_error(
                        env,
                        "the v3 body is JSON: an object or JSON text, not bytes (files go in \
                         `files`)"
                            .to_string(),
                    ));
                }
                _ => Some(json_stringify(env, body, "the v3 body")?),
            },
        };
        let files = self
            .files
            .iter()
            .flatten()
            .map(|file| file.to_core(env, None))
            .collect::<napi::Result<Vec<_>>>()?;
        Ok(core::V3Call {
            method: self.method.clone(),
            path: self.path.clone(),
            query,
            body,
            app_auth_token: self
                .app_auth_token
                .clone()
                .filter(|token| !token.is_empty()),
            encrypt: self.encrypt.unwrap_or(false),
            files,
            request_id: self.request_id.clone(),
        })
    }
}

/// The nonce and time `IsvConfig.prepareV3` signs with, for a reproducible request (tests, vectors):
/// both or neither.
#[napi(object, object_to_js = false)]
pub struct V3PrepareOptions {
    /// The nonce to sign instead of a fresh random one; give `timestampMs` with it.
    pub nonce: Option<String>,
    /// The time to sign instead of now, in milliseconds since the Unix epoch; give `nonce` with it.
    pub timestamp_ms: Option<f64>,
}

/// A v3 call encoded and signed: exactly what goes on the wire, for a host that sends it with its own
/// HTTP stack (`fetch`, `undici`, `node:http`). Built by `IsvConfig.prepareV3`; read the answer with
/// `IsvConfig.readV3Answer(answer, request.encrypted)`.
///
/// Holds the merchant's `app_auth_token` (in `headers` and as the last line of `stringToSign`), and
/// `url`, `requestTarget` and `body` may hold other secrets (`auth_token`, a `refresh_token`): they are
/// what is sent. `toString()` and `util.inspect` mask them and show the body by its size.
#[napi]
pub struct V3HttpRequest {
    inner: core::V3HttpRequest,
    /// The whole body (a multipart body read once, its files included).
    body: Vec<u8>,
}

#[napi]
impl V3HttpRequest {
    /// The HTTP method, upper case.
    #[napi(getter, catch_unwind, ts_return_type = "V3Method")]
    pub fn method(&self) -> String {
        self.inner.method.clone()
    }

    /// The full URL: the configuration's `v3Base` and the request target.
    #[napi(getter, catch_unwind)]
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// The path and query exactly as signed and sent.
    #[napi(getter, catch_unwind)]
    pub fn request_target(&self) -> String {
        self.inner.request_target.clone()
    }

    /// Every header to send, by lower-case name, in order: `content-type` (when there is a body),
    /// `authorization`, `alipay-app-auth-token` (on a merchant's behalf; the token in full),
    /// `alipay-root-cert-sn` (certificate mode), `accept`, `alipay-request-id`, and
    /// `alipay-encrypt-type` with AES. A new object on every read, ready for `fetch` or `node:http`.
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, string>")]
    pub fn headers(&self) -> IndexMap<String, String> {
        self.inner.headers.iter().cloned().collect()
    }

    /// The body to send: the JSON text (the Base64 ciphertext with AES) as UTF-8, the whole
    /// `multipart/form-data` body of an upload, or empty. A new `Buffer` on every read.
    #[napi(getter, catch_unwind)]
    pub fn body(&self) -> Buffer {
        Buffer::from(self.body.clone())
    }

    /// Whether the body is encrypted, and so will the answer be: pass it to `readV3Answer`.
    #[napi(getter, catch_unwind)]
    pub fn encrypted(&self) -> bool {
        self.inner.encrypted
    }

    /// The `Authorization` header's value.
    #[napi(getter, catch_unwind)]
    pub fn authorization(&self) -> String {
        self.inner.signature.authorization.clone()
    }

    /// Exactly what was signed: the auth string, the method, the request target, the body line (the
    /// JSON, the ciphertext, or an upload's `data` part) and, on a merchant's behalf, the
    /// `app_auth_token`, each line ending with a line feed (to compare when Alipay answers 验签失败).
    /// Holds the token in full: do not log it.
    #[napi(getter, catch_unwind)]
    pub fn string_to_sign(&self) -> String {
        self.inner.signature.string_to_sign.clone()
    }

    /// `V3HttpRequest(POST http://…/v3/…, body: 42 bytes, encrypted: false, authorization: …,
    /// stringToSign: 230 chars, headers: content-type: application/json, authorization,
    /// alipay-app-auth-token: 2026…(40 chars), …)`: secrets in the query and the token masked, the body
    /// and the string to sign by their size only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let headers: Vec<String> = self
            .inner
            .headers
            .iter()
            .map(|(name, value)| match name.as_str() {
                "authorization" => name.clone(),
                core::APP_AUTH_TOKEN_HEADER => {
                    format!("{name}: {}", shown("app_auth_token", value))
                }
                _ => format!("{name}: {value}"),
            })
            .collect();
        let body = match &self.inner.body {
            core::V3Body::Multipart(multipart) => format!(
                "{} bytes, multipart with {} file(s)",
                self.body.len(),
                multipart.files().len()
            ),
            _ => format!("{} bytes", self.body.len()),
        };
        format!(
            "V3HttpRequest({} {}, body: {body}, encrypted: {}, authorization: {}, stringToSign: {} \
             chars, headers: {})",
            self.inner.method,
            mask_query(&self.inner.url),
            self.inner.encrypted,
            self.inner.signature.authorization,
            self.inner.signature.string_to_sign.chars().count(),
            headers.join(", ")
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

#[napi]
impl IsvConfig {
    /// Encodes and signs an OpenAPI v3 call as this app, without sending it (sans-IO: send it with
    /// your own HTTP stack, then read the answer with `readV3Answer`): the query encoded once, the body
    /// serialised once (encrypted with `encrypt`; the `data` part of a multipart body with `files`,
    /// whose files are read whole here), and the signature over exactly what is sent. With a fresh
    /// nonce, now; with `options.nonce` and `options.timestampMs` (both), exactly reproducible.
    /// Synchronous.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for a path that does not start with `/v3/` or
    /// holds a `?`, a query or body of the wrong shape, a body that is not JSON, `encrypt` without an
    /// AES key, files with a method other than POST, a file without bytes or path (or with both), an
    /// unreadable file, a field or file name with quotes or line breaks, a method that is not an HTTP
    /// token, a token with a line break, or `nonce` without `timestampMs` (or the reverse). No reason
    /// holds a token.
    #[napi(catch_unwind)]
    pub fn prepare_v3(
        &self,
        env: Env,
        call: V3Call<'_>,
        options: Option<V3PrepareOptions>,
    ) -> napi::Result<V3HttpRequest> {
        let call = call.to_core(&env)?;
        let (nonce, timestamp_ms) = options
            .map(|options| (options.nonce, options.timestamp_ms))
            .unwrap_or_default();
        let prepared = match (nonce, timestamp_ms) {
            (None, None) => self.inner.prepare_v3(&call),
            (Some(nonce), Some(timestamp_ms)) => {
                let timestamp_ms = epoch_millis(&env, timestamp_ms)?;
                self.inner.prepare_v3_with(&call, &nonce, timestamp_ms)
            }
            _ => {
                return Err(config_error(
                    &env,
                    "prepareV3 takes nonce and timestampMs together (a reproducible request) or \
                     neither (a fresh nonce, now)"
                        .to_string(),
                ));
            }
        }
        .or_throw(&env)?;
        let body = match &prepared.body {
            core::V3Body::Empty => Vec::new(),
            core::V3Body::Text(text) => text.as_bytes().to_vec(),
            core::V3Body::Multipart(multipart) => multipart.to_bytes().or_throw(&env)?,
        };
        Ok(V3HttpRequest {
            inner: prepared,
            body,
        })
    }
}
