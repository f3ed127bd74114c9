//! OpenAPI v3 (`https://openapi.alipay.com/v3/…`), sans-IO: the signed `Authorization` header of a
//! request and the verification of an answer's `alipay-signature` header.
//!
//! A request is signed over five lines, each ending with `\n`: the auth string
//! (`app_id=…[,app_cert_sn=…],nonce=…,timestamp=<epoch ms>[,<extension>]`, the extension being the
//! configuration's [`v3_additional_auth_info`](crate::config::IsvConfig::v3_additional_auth_info), e.g.
//! `expired_seconds=120`), the HTTP method, the request target (path and
//! query exactly as sent), the body exactly as sent (empty when there is none), and — only for a call on a
//! merchant's behalf — the `app_auth_token`, which also travels in the `alipay-app-auth-token` header. The
//! header is `ALIPAY-SHA256withRSA <auth string>,sign=<Base64 SHA256withRSA signature>`. An answer is
//! verified over `<alipay-timestamp>\n<alipay-nonce>\n<raw body>\n` (see [`answer`]).
//!
//! The nonce and the timestamp are inputs, so a signature can be reproduced ([`V3Request::sign_with`]);
//! [`V3Request::sign`] draws a fresh nonce and reads the clock. Tokens are per request, never per
//! configuration.

pub mod answer;
pub mod call;
pub mod multipart;
pub mod response;
pub mod upload;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::IsvConfig;
use crate::error::{Error, Result, shortened};
use crate::key::PrivateKey;
use crate::sign::{Charset, SignType, Signer};

pub use answer::{V3Answer, V3Verdict};
pub use call::{V3Body, V3Call, V3HttpRequest, encode_query, path_segment};
pub use multipart::{FileSource, MultipartBody, Segment, V3File};
pub use response::{V3Response, v3_api_error, v3_hint};
pub use upload::{FILE_UPLOAD_FIELD, FILE_UPLOAD_PATH, FileUpload, md5_hex};

/// The scheme of the `Authorization` header.
pub const V3_AUTH_SCHEME: &str = "ALIPAY-SHA256withRSA";
/// The request header carrying the merchant's `app_auth_token` (also the last signed line).
pub const APP_AUTH_TOKEN_HEADER: &str = "alipay-app-auth-token";
/// The request header carrying the Alipay root certificate SN in certificate mode.
pub const ROOT_CERT_SN_HEADER: &str = "alipay-root-cert-sn";
/// The production host of v3 calls.
pub const PRODUCTION_V3_BASE: &str = "https://openapi.alipay.com";
/// The sandbox host of v3 calls.
pub const SANDBOX_V3_BASE: &str = "https://openapi-sandbox.dl.alipaydev.com";

/// Who signs a v3 request: the app, and in certificate mode its certificate's SN and the Alipay root
/// bundle's SN; plus the auth string's extension, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V3Identity<'a> {
    /// The app id.
    pub app_id: &'a str,
    /// The app certificate's SN (certificate mode): in the auth string.
    pub app_cert_sn: Option<&'a str>,
    /// The Alipay root bundle's SN (certificate mode): the `alipay-root-cert-sn` header.
    pub alipay_root_cert_sn: Option<&'a str>,
    /// Extra `key=value` pairs appended to the auth string after `timestamp` (the official Node SDK's
    /// `additionalAuthInfo`, e.g. `expired_seconds=120`); `None` or empty for none. Checked as
    /// [`check_additional_auth_info`] says.
    pub additional_auth_info: Option<&'a str>,
}

/// One v3 request to sign: what goes on the wire, exactly.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Request<'a> {
    /// The HTTP method (`GET`, `POST`, …; upper case).
    pub method: &'a str,
    /// The path and query exactly as sent, e.g. `/v3/alipay/user/info/share?auth_token=…`.
    pub request_target: &'a str,
    /// The body exactly as sent (the JSON text, the Base64 ciphertext with AES, the `data` part of a
    /// multipart upload); empty when there is none.
    pub body: &'a str,
    /// The merchant's `app_auth_token`, for a call on its behalf.
    pub app_auth_token: Option<&'a str>,
}

impl std::fmt::Debug for V3Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V3Request")
            .field("method", &self.method)
            .field(
                "request_target",
                &crate::secret::mask_query(self.request_target),
            )
            .field("body_chars", &self.body.chars().count())
            .field(
                "app_auth_token",
                &crate::secret::shown_optional("app_auth_token", self.app_auth_token),
            )
            .finish()
    }
}

/// A signed v3 request: the headers to send with it.
#[derive(Clone, PartialEq, Eq)]
pub struct V3Signature {
    /// The `Authorization` header's value.
    pub authorization: String,
    /// The auth string (the first signed line, also in the header).
    pub auth_string: String,
    /// Exactly what was signed (for debugging "验签失败"; it holds the `app_auth_token` when one is sent).
    pub string_to_sign: String,
    /// Every header the request must carry besides `Content-Type` (`Authorization`, the token header on a
    /// merchant's behalf, the root certificate SN in certificate mode), by lower-case name.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for V3Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V3Signature")
            .field("authorization", &self.authorization)
            .field("auth_string", &self.auth_string)
            .field("string_to_sign_chars", &self.string_to_sign.chars().count())
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, value)| {
                        if name == APP_AUTH_TOKEN_HEADER {
                            (name.as_str(), crate::secret::shown("app_auth_token", value))
                        } else {
                            (name.as_str(), value.clone())
                        }
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Refuses a value that would change the signed lines' meaning (a line break, or a comma in the auth
/// string).
fn check_line(name: &str, value: &str, comma_allowed: bool) -> Result<()> {
    if value.contains(['\n', '\r']) || (!comma_allowed && value.contains(',')) {
        return Err(Error::config(format!(
            "the v3 {name} must not contain a line break{}: `{}`",
            if comma_allowed { "" } else { " or a comma" },
            shortened(&crate::secret::shown(name, value), 40)
        )));
    }
    Ok(())
}

/// A fresh nonce: 32 random lower-case hex digits.
pub fn new_nonce() -> String {
    let mut random = [0u8; 16];
    let _ = aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut random);
    random.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

/// The keys the auth string's extension may not use: the pairs the gateway reads (`sign` would also break
/// the header's split at `,sign=`).
pub const RESERVED_AUTH_KEYS: [&str; 5] = ["app_id", "app_cert_sn", "nonce", "timestamp", "sign"];

/// Checks the auth string's extension (the official Node SDK's `additionalAuthInfo`): one or more
/// `key=value` pairs separated by commas, each key non-empty and made of `A-Z a-z 0-9 _ -`, each key once,
/// no value holding a comma, no line break (or other control character) anywhere, and none of the keys of
/// [`RESERVED_AUTH_KEYS`] (in any case). The empty text is no extension and passes.
///
/// # Errors
/// [`Error::Config`] naming the rule broken, with the text shown shortened.
pub fn check_additional_auth_info(text: &str) -> Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let refuse = |what: &str| {
        Err(Error::config(format!(
            "the v3 additional auth info (v3_additional_auth_info) {what}: `{}`",
            shortened(
                &text
                    .chars()
                    .map(|c| if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    })
                    .collect::<String>(),
                60
            )
        )))
    };
    if text.contains(['\n', '\r']) {
        return refuse(
            "must be on one line (it goes into the Authorization header); remove the line break",
        );
    }
    if text.contains(char::is_control) {
        return refuse(
            "must not contain control characters (it goes into the Authorization header)",
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    for pair in text.split(',') {
        let Some((key, _value)) = pair.split_once('=') else {
            return refuse(&format!(
                "must be `key=value` pairs separated by commas (e.g. `expired_seconds=120`), with no \
                 empty pair and no comma inside a value; `{}` is not a pair",
                shortened(pair, 30)
            ));
        };
        if key.is_empty()
            || !key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
        {
            return refuse(&format!(
                "has the key `{}`: a key is non-empty and made of letters, digits, `_` and `-` (no spaces)",
                shortened(key, 30)
            ));
        }
        if RESERVED_AUTH_KEYS
            .iter()
            .any(|reserved| reserved.eq_ignore_ascii_case(key))
        {
            return refuse(&format!(
                "must not set `{key}`: app_id, app_cert_sn, nonce and timestamp are written by the signer \
                 and sign is the signature; remove that pair"
            ));
        }
        if seen.iter().any(|earlier| earlier.eq_ignore_ascii_case(key)) {
            return refuse(&format!(
                "names `{}` twice; keep one pair per key",
                shortened(key, 30)
            ));
        }
        seen.push(key);
    }
    Ok(())
}

/// The auth string: `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,<additional_auth_info>]`.
///
/// # Errors
/// [`Error::Config`] for an empty app id or nonce, a value with a comma or a line break, or an extension
/// that [`check_additional_auth_info`] refuses.
pub fn auth_string(
    app_id: &str,
    app_cert_sn: Option<&str>,
    nonce: &str,
    timestamp_ms: u64,
    additional_auth_info: Option<&str>,
) -> Result<String> {
    check_line("app_id", app_id, false)?;
    check_line("nonce", nonce, false)?;
    if app_id.trim().is_empty() || nonce.trim().is_empty() {
        return Err(Error::config("the v3 app_id and nonce must not be empty"));
    }
    let mut text = format!("app_id={app_id}");
    if let Some(sn) = app_cert_sn {
        check_line("app_cert_sn", sn, false)?;
        text.push_str(&format!(",app_cert_sn={sn}"));
    }
    text.push_str(&format!(",nonce={nonce},timestamp={timestamp_ms}"));
    if let Some(extension) = additional_auth_info.filter(|text| !text.is_empty()) {
        check_additional_auth_info(extension)?;
        text.push(',');
        text.push_str(extension);
    }
    Ok(text)
}

impl V3Request<'_> {
    /// The string to sign after `auth_string`: five lines (four without a token), each ending `\n`.
    ///
    /// # Errors
    /// [`Error::Config`] for a method that is not an upper-case HTTP token, a request target that does
    /// not start with `/` or holds a space or a line break, or a token with a line break.
    pub fn string_to_sign(&self, auth_string: &str) -> Result<String> {
        if self.method.is_empty() || !self.method.bytes().all(|byte| byte.is_ascii_uppercase()) {
            return Err(Error::config(format!(
                "the v3 method must be an upper-case HTTP method (GET, POST, …), not `{}`",
                shortened(self.method, 16)
            )));
        }
        if !self.request_target.starts_with('/')
            || self
                .request_target
                .contains(|c: char| c.is_whitespace() || c.is_control())
        {
            return Err(Error::config(format!(
                "the v3 request target is the path and query as sent, starting with `/` and \
                 percent-encoded (no spaces or line breaks), not `{}`",
                shortened(&crate::secret::mask_query(self.request_target), 60)
            )));
        }
        let mut text = format!(
            "{auth_string}\n{}\n{}\n{}\n",
            self.method, self.request_target, self.body
        );
        if let Some(token) = self.app_auth_token.filter(|token| !token.is_empty()) {
            check_line("app_auth_token", token, true)?;
            text.push_str(token);
            text.push('\n');
        }
        Ok(text)
    }

    /// Signs this request as `config`'s app, with the given nonce and timestamp (reproducible); the auth
    /// string carries the configuration's
    /// [`v3_additional_auth_info`](IsvConfig::v3_additional_auth_info), if any.
    ///
    /// # Errors
    /// As for [`auth_string`] and [`V3Request::string_to_sign`]; [`Error::Config`] when the key cannot
    /// sign.
    pub fn sign_with(
        &self,
        config: &IsvConfig,
        nonce: &str,
        timestamp_ms: u64,
    ) -> Result<V3Signature> {
        let cert = config.cert_mode();
        let identity = V3Identity {
            app_id: config.app_id(),
            app_cert_sn: cert.map(|cert| cert.app_cert_sn()),
            alipay_root_cert_sn: cert.map(|cert| cert.alipay_root_cert_sn()),
            additional_auth_info: config.v3_additional_auth_info(),
        };
        self.sign_as(config.signer().key(), &identity, nonce, timestamp_ms)
    }

    /// Signs this request with `key` as `identity` says (for tools that hold a key but no complete
    /// configuration; [`V3Request::sign_with`] is this with the configuration's key, SNs and auth-string
    /// extension).
    ///
    /// # Errors
    /// As for [`V3Request::sign_with`].
    pub fn sign_as(
        &self,
        key: &Arc<PrivateKey>,
        identity: &V3Identity<'_>,
        nonce: &str,
        timestamp_ms: u64,
    ) -> Result<V3Signature> {
        let auth = auth_string(
            identity.app_id,
            identity.app_cert_sn,
            nonce,
            timestamp_ms,
            identity.additional_auth_info,
        )?;
        let string_to_sign = self.string_to_sign(&auth)?;
        // v3 is RSA2 over UTF-8 whatever the classic settings say.
        let sign =
            Signer::new(key.clone(), SignType::Rsa2, Charset::Utf8)?.sign(&string_to_sign)?;
        let authorization = format!("{V3_AUTH_SCHEME} {auth},sign={sign}");
        let mut headers = vec![("authorization".to_string(), authorization.clone())];
        if let Some(token) = self.app_auth_token.filter(|token| !token.is_empty()) {
            headers.push((APP_AUTH_TOKEN_HEADER.to_string(), token.to_string()));
        }
        if let Some(root) = identity.alipay_root_cert_sn {
            headers.push((ROOT_CERT_SN_HEADER.to_string(), root.to_string()));
        }
        Ok(V3Signature {
            authorization,
            auth_string: auth,
            string_to_sign,
            headers,
        })
    }

    /// Signs this request as `config`'s app with a fresh nonce, now.
    ///
    /// # Errors
    /// As for [`V3Request::sign_with`].
    pub fn sign(&self, config: &IsvConfig) -> Result<V3Signature> {
        self.sign_with(config, &new_nonce(), now_ms())
    }
}

#[cfg(test)]
mod tests;
