//! OpenAPI v3 (`https://openapi.alipay.com/v3/…`), mirroring `alipay_isv::v3`: `IsvConfig.v3Sign`
//! signs a request — the `Authorization` header over the auth string, method, request target, body
//! and, on a merchant's behalf, its `app_auth_token` — and returns a [`V3Signature`] with every header
//! to send ([`HttpHeader`] records, in order); `IsvConfig.v3Verify` (in [`answer`]) verifies an
//! answer's `alipay-signature` header over the raw body and gives a [`V3Verdict`].
//!
//! Whole calls: a [`V3Call`] (in [`call`]: method, path, ordered [`QueryParam`]s, JSON body, token,
//! AES, [`V3File`]s) runs with `Client.executeV3` and the typed v3 calls, or `Registry.executeV3For`
//! (in [`calls`]), and answers a [`V3Response`] or a [`FileUpload`] (in [`response`]); for a host
//! with its own HTTP stack, `IsvConfig.prepareV3` gives the [`V3HttpRequest`] to send (in
//! [`prepared`]) and `IsvConfig.readV3Answer` reads its answer.
//!
//! Tokens are per call, never per configuration. The `toString()` of every record here masks the
//! token: a [`V3Signature`] shows the length of its `stringToSign` (whose last line is the token) and
//! a token header's value masked.

mod answer;
mod call;
mod calls;
mod prepared;
mod response;

pub use answer::V3Verdict;
pub use call::{QueryParam, V3Call, V3File, V3FileSource};
pub use prepared::V3HttpRequest;
pub use response::{FileUpload, V3Response};

use std::fmt;

use alipay_isv::v3 as core;

use crate::config::IsvConfig;
use crate::error::{Result, guard};

/// One HTTP header: a name and its value (Kotlin: `HttpHeader("alipay-nonce", nonce)`). A list of
/// them keeps the order and repeated names, as received. `toString()` masks the value of a header
/// that carries a secret (`alipay-app-auth-token`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct HttpHeader {
    /// The header's name, in any case (`alipay-signature`, `Alipay-Signature`).
    pub name: String,
    /// The header's value.
    pub value: String,
}

impl HttpHeader {
    /// The value as it may be shown: a header named after a secret field (`alipay-app-auth-token` is
    /// `app_auth_token`) masked by the one masking rule, any other unchanged.
    fn shown_value(&self) -> String {
        let lower = self.name.to_ascii_lowercase();
        let field = lower
            .strip_prefix("alipay-")
            .unwrap_or(&lower)
            .replace('-', "_");
        alipay_isv::secret::shown(&field, &self.value)
    }
}

impl fmt::Debug for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HttpHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HttpHeader(name={}, value={})",
            self.name,
            self.shown_value()
        )
    }
}

/// A signed v3 request (from `IsvConfig.v3Sign`): send every one of [`headers`](Self::headers) with
/// the request, besides its `Content-Type`. `toString()` shows `stringToSign` by its length only (it
/// holds the `app_auth_token` of a call on a merchant's behalf) and masks the token header.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct V3Signature {
    /// The `Authorization` header's value: `ALIPAY-SHA256withRSA <authString>,sign=<Base64>`.
    pub authorization: String,
    /// The auth string: `app_id=…[,app_cert_sn=…],nonce=…,timestamp=<epoch ms>`, then
    /// `,<v3AdditionalAuthInfo>` when configured (also in `authorization`).
    pub auth_string: String,
    /// Exactly what was signed, five lines each ending `\n` (four without a token): for debugging a
    /// signature the gateway refuses (验签失败). It holds the `app_auth_token` when one is sent.
    pub string_to_sign: String,
    /// Every header to send besides `Content-Type`, lower-case names in order: `authorization`,
    /// `alipay-app-auth-token` on a merchant's behalf, `alipay-root-cert-sn` in certificate mode.
    pub headers: Vec<HttpHeader>,
}

impl From<core::V3Signature> for V3Signature {
    fn from(signature: core::V3Signature) -> Self {
        V3Signature {
            authorization: signature.authorization,
            auth_string: signature.auth_string,
            string_to_sign: signature.string_to_sign,
            headers: headers_from_core(signature.headers),
        }
    }
}

impl fmt::Debug for V3Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for V3Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<String> = self.headers.iter().map(ToString::to_string).collect();
        write!(
            f,
            "V3Signature(authorization={}, authString={}, stringToSignChars={}, headers=[{}])",
            self.authorization,
            self.auth_string,
            self.string_to_sign.chars().count(),
            headers.join(", ")
        )
    }
}

/// The core's `(name, value)` pairs as records.
fn headers_from_core(headers: Vec<(String, String)>) -> Vec<HttpHeader> {
    headers
        .into_iter()
        .map(|(name, value)| HttpHeader { name, value })
        .collect()
}

/// Records as the core's `(name, value)` pairs, order and repeats kept.
fn headers_to_core(headers: Vec<HttpHeader>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|header| (header.name, header.value))
        .collect()
}

/// The nonce and timestamp of a reproducible signature (both given), or `None` for a fresh nonce and
/// the clock (neither given).
fn reproducible(
    nonce: Option<String>,
    timestamp_ms: Option<i64>,
) -> alipay_isv::Result<Option<(String, u64)>> {
    match (nonce, timestamp_ms) {
        (Some(nonce), Some(timestamp_ms)) => {
            let timestamp_ms = u64::try_from(timestamp_ms).map_err(|_| {
                alipay_isv::Error::config(format!(
                    "the v3 timestamp is epoch milliseconds, not {timestamp_ms}"
                ))
            })?;
            Ok(Some((nonce, timestamp_ms)))
        }
        (None, None) => Ok(None),
        _ => Err(alipay_isv::Error::config(
            "give the v3 nonce and timestampMs together (a reproducible signature) or neither (a \
             fresh nonce, now)",
        )),
    }
}

#[uniffi::export]
impl IsvConfig {
    /// Signs an OpenAPI v3 request as this app: `method` upper case (`GET`, `POST`, …),
    /// `request_target` the path and query exactly as sent (`/v3/alipay/open/auth/token/app`,
    /// percent-encoded), `body` exactly as sent (empty when there is none), `app_auth_token` the
    /// merchant's token for a call on its behalf. With `nonce` and `timestamp_ms` (epoch
    /// milliseconds) the signature is reproducible; without both, a fresh nonce and the clock are
    /// used. v3 signs with RSA2 over UTF-8 whatever `signType` and `charset` say. Blocking (RSA).
    ///
    /// Throws `AlipayException.Config` for a method that is not upper case, a request target that
    /// does not start with `/` or holds a space or a line break, a token with a line break, a nonce
    /// with a comma, a nonce without a timestamp (or the reverse), or a negative timestamp; the
    /// reason never holds the token.
    #[uniffi::method(default(
        body = "",
        app_auth_token = None,
        nonce = None,
        timestamp_ms = None
    ))]
    pub fn v3_sign(
        &self,
        method: String,
        request_target: String,
        body: String,
        app_auth_token: Option<String>,
        nonce: Option<String>,
        timestamp_ms: Option<i64>,
    ) -> Result<V3Signature> {
        guard("IsvConfig.v3Sign", || {
            let request = core::V3Request {
                method: &method,
                request_target: &request_target,
                body: &body,
                app_auth_token: app_auth_token.as_deref(),
            };
            let signature = match reproducible(nonce, timestamp_ms)? {
                Some((nonce, timestamp_ms)) => {
                    request.sign_with(self.core(), &nonce, timestamp_ms)?
                }
                None => request.sign(self.core())?,
            };
            Ok(signature.into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_header_is_masked_and_others_shown() {
        let token = HttpHeader {
            name: "Alipay-App-Auth-Token".into(),
            value: "202612BB0123456789abcdef".into(),
        };
        assert!(!token.to_string().contains("0123456789"), "{token}");
        let nonce = HttpHeader {
            name: "alipay-nonce".into(),
            value: "0123456789abcdef".into(),
        };
        assert!(nonce.to_string().contains("0123456789abcdef"), "{nonce}");
    }

    #[test]
    fn headers_keep_order_and_repeats() {
        let pairs = vec![
            ("a".to_string(), "1".to_string()),
            ("A".to_string(), "2".to_string()),
        ];
        assert_eq!(headers_to_core(headers_from_core(pairs.clone())), pairs);
    }
}
