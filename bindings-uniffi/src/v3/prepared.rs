//! The sans-IO form of a v3 call, mirroring `alipay_isv::v3::call::V3HttpRequest`:
//! `IsvConfig.prepareV3(call)` encodes and signs a [`V3Call`](super::V3Call) exactly as `Client` would
//! send it and returns a [`V3HttpRequest`] (method, URL, request target, every header, the body bytes)
//! for a host with its own HTTP stack; its answer is read with `IsvConfig.readV3Answer`.

use std::fmt;

use alipay_isv::secret::mask_query;
use alipay_isv::upload::MultipartFiles;
use alipay_isv::v3 as core;

use super::{HttpHeader, V3Call, headers_from_core, reproducible};
use crate::config::IsvConfig;
use crate::error::{Result, guard};

/// A v3 call encoded and signed: exactly what to send (Kotlin: `config.prepareV3(call)`; the
/// `toHttpRequest()` helper of `V3Headers.kt` makes a JDK `HttpRequest` of it). `toString()` masks
/// the token header and the secret query values, and shows the body and `stringToSign` by their
/// length only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct V3HttpRequest {
    /// The HTTP method, upper case.
    pub method: String,
    /// The full URL: the configuration's v3 base and the request target.
    pub url: String,
    /// The path and query exactly as signed and sent (percent-encoded once).
    pub request_target: String,
    /// Every header to send, lower-case names in order: `content-type` (when there is a body),
    /// `authorization`, `alipay-app-auth-token` on a merchant's behalf, `alipay-root-cert-sn` in
    /// certificate mode, `accept`, `alipay-request-id`, and `alipay-encrypt-type` with AES.
    pub headers: Vec<HttpHeader>,
    /// The body bytes: the JSON text, its Base64 ciphertext with AES, or the whole
    /// `multipart/form-data` body of an upload (its files read into memory); empty when there is
    /// none.
    pub body: Vec<u8>,
    /// Whether the body is encrypted, and so the answer will be: pass it to `readV3Answer`.
    pub encrypted: bool,
    /// The `Authorization` header's value.
    pub authorization: String,
    /// Exactly what was signed (for debugging a signature the gateway refuses, 验签失败): five lines
    /// each ending `\n` (four without a token). It holds the `app_auth_token` when one is sent.
    pub string_to_sign: String,
}

impl V3HttpRequest {
    /// Converts the core request, reading a multipart body whole.
    fn from_core(request: core::V3HttpRequest) -> alipay_isv::Result<Self> {
        let body = match &request.body {
            core::V3Body::Empty => Vec::new(),
            core::V3Body::Text(text) => text.clone().into_bytes(),
            core::V3Body::Multipart(multipart) => multipart.to_bytes()?,
        };
        Ok(V3HttpRequest {
            method: request.method,
            url: request.url,
            request_target: request.request_target,
            headers: headers_from_core(request.headers),
            body,
            encrypted: request.encrypted,
            authorization: request.signature.authorization,
            string_to_sign: request.signature.string_to_sign,
        })
    }
}

impl fmt::Debug for V3HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for V3HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<String> = self.headers.iter().map(ToString::to_string).collect();
        write!(
            f,
            "V3HttpRequest(method={}, url={}, requestTarget={}, headers=[{}], bodyBytes={}, \
             encrypted={}, authorization={}, stringToSignChars={})",
            self.method,
            mask_query(&self.url),
            mask_query(&self.request_target),
            headers.join(", "),
            self.body.len(),
            self.encrypted,
            self.authorization,
            self.string_to_sign.chars().count()
        )
    }
}

#[uniffi::export]
impl IsvConfig {
    /// Encodes and signs `call` as this app for a host with its own HTTP stack (sans-IO): the query
    /// encoded once, the body checked as JSON, encrypted with the AES key when `call.encrypt`, or
    /// made the signed `data` part of a multipart upload, and the signature made over exactly what
    /// is sent. With `nonce` and `timestamp_ms` (epoch milliseconds) the result is reproducible
    /// (the multipart boundary aside); without both, a fresh nonce and the clock are used. Send
    /// every header and the body to `url`, then read the answer with `readV3Answer(…, encrypted)`.
    /// Blocking (RSA, and reading upload files).
    ///
    /// Throws `AlipayException.Config` for a path that does not start with `/v3/` or holds a query,
    /// a body that is not JSON, `encrypt` without an AES key, files with a method other than POST,
    /// a file field named `data` or a name with quotes or line breaks, an unreadable file, a request
    /// id that is not one line, a method that is not an HTTP token, a token with a line break, a
    /// nonce without a timestamp (or the reverse), a nonce with a comma, or a negative timestamp;
    /// the reason never holds the token.
    #[uniffi::method(default(nonce = None, timestamp_ms = None))]
    pub fn prepare_v3(
        &self,
        call: V3Call,
        nonce: Option<String>,
        timestamp_ms: Option<i64>,
    ) -> Result<V3HttpRequest> {
        guard("IsvConfig.prepareV3", || {
            let call = call.to_core();
            let request = match reproducible(nonce, timestamp_ms)? {
                Some((nonce, timestamp_ms)) => {
                    self.core().prepare_v3_with(&call, &nonce, timestamp_ms)?
                }
                None => self.core().prepare_v3(&call)?,
            };
            V3HttpRequest::from_core(request)
        })
    }
}
