//! Verifying a v3 answer: the signature in `alipay-signature` covers
//! `<alipay-timestamp>\n<alipay-nonce>\n<raw body>\n` (UTF-8, SHA256withRSA), over the exact bytes
//! received — never re-serialised, before any AES decryption. In certificate mode the key is the one of
//! the certificate `alipay-sn` names.
//!
//! The policy follows the Java SDK, stricter where it is silent: a 2xx answer must be signed (an unsigned
//! one — typically a v2 `gateway.do` endpoint configured by mistake — is a [`Error::Signature`] saying
//! so, never a crash) and must verify; a non-2xx answer is verified when signed and otherwise accepted as
//! unsigned ([`V3Verdict::Unsigned`]), as Alipay's own error answers are.

use std::sync::Arc;

use crate::config::IsvConfig;
use crate::error::{Error, Result, shortened};
use crate::key::PublicKey;
use crate::sign::{Charset, SignType, Verifier};

/// The answer header holding Alipay's signature.
pub const SIGNATURE_HEADER: &str = "alipay-signature";
/// The answer header holding the signing timestamp (epoch milliseconds).
pub const TIMESTAMP_HEADER: &str = "alipay-timestamp";
/// The answer header holding the signing nonce.
pub const NONCE_HEADER: &str = "alipay-nonce";
/// The answer header naming the Alipay certificate that signed (certificate mode).
pub const SN_HEADER: &str = "alipay-sn";
/// The answer header with Alipay's trace id.
pub const TRACE_ID_HEADER: &str = "alipay-trace-id";
/// The largest answer verified, in bytes.
pub const MAX_ANSWER_BYTES: usize = crate::response::DEFAULT_MAX_BODY_BYTES;

/// A v3 answer as received: status, headers (any case), raw body.
#[derive(Clone, Copy)]
pub struct V3Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// Every header received, names in any case.
    pub headers: &'a [(String, String)],
    /// The raw body.
    pub body: &'a [u8],
}

/// What verifying an answer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V3Verdict {
    /// The signature verified.
    Verified,
    /// A non-2xx answer without a signature (Alipay's error answers usually are): accepted unverified.
    Unsigned,
}

impl<'a> V3Answer<'a> {
    /// The one value of header `name`.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the header is given twice (a signature header twice is a forgery attempt
    /// or a broken proxy).
    pub fn header(&self, name: &str) -> Result<Option<&'a str>> {
        let mut found = self
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name));
        let first = found.next().map(|(_, value)| value.as_str());
        if found.next().is_some() {
            return Err(Error::protocol(format!(
                "the v3 answer carries the header `{name}` twice: refused"
            )));
        }
        Ok(first)
    }

    /// Alipay's trace id (`alipay-trace-id`), when given once.
    pub fn trace_id(&self) -> Option<&'a str> {
        self.header(TRACE_ID_HEADER).ok().flatten()
    }

    /// What the signature covers: `<timestamp>\n<nonce>\n<body>\n`.
    ///
    /// # Errors
    /// [`Error::Protocol`] for a body that is not UTF-8, or over [`MAX_ANSWER_BYTES`].
    pub fn signed_content(&self, timestamp: &str, nonce: &str) -> Result<String> {
        if self.body.len() > MAX_ANSWER_BYTES {
            return Err(Error::protocol(format!(
                "the v3 answer is {} bytes, over the {MAX_ANSWER_BYTES}-byte limit",
                self.body.len()
            )));
        }
        let body = std::str::from_utf8(self.body).map_err(|_| {
            Error::protocol("the v3 answer's body is not UTF-8 (v3 answers are UTF-8 JSON)")
        })?;
        Ok(format!("{timestamp}\n{nonce}\n{body}\n"))
    }

    /// Verifies the answer with `key_for(alipay_sn)`, the Alipay key for the SN the answer names (`None`
    /// without `alipay-sn`).
    ///
    /// # Errors
    /// [`Error::Signature`] for a 2xx answer without a signature, or a signature that does not verify;
    /// [`Error::Protocol`] for a duplicated signature header, a timestamp that is not a number, a
    /// missing nonce, or a body that is not UTF-8 or too large; `key_for`'s errors.
    pub fn verify_with(
        &self,
        key_for: impl FnOnce(Option<&str>) -> Result<Arc<PublicKey>>,
    ) -> Result<V3Verdict> {
        let signature = self
            .header(SIGNATURE_HEADER)?
            .map(str::trim)
            .filter(|value| !value.is_empty() && *value != "null");
        let Some(signature) = signature else {
            if (200..300).contains(&self.status) {
                return Err(Error::Signature {
                    reason: format!(
                        "the v3 answer (HTTP {}) carries no alipay-signature header: a success answer \
                         must be signed — is the endpoint a v2 gateway (…/gateway.do) instead of \
                         https://openapi.alipay.com/v3/…?",
                        self.status
                    ),
                });
            }
            return Ok(V3Verdict::Unsigned);
        };
        let timestamp = self.header(TIMESTAMP_HEADER)?.map(str::trim).unwrap_or("");
        if timestamp.is_empty() || !timestamp.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(Error::protocol(format!(
                "the v3 answer's alipay-timestamp is not a number of milliseconds: `{}`",
                shortened(timestamp, 24)
            )));
        }
        let nonce = self
            .header(NONCE_HEADER)?
            .filter(|nonce| !nonce.is_empty())
            .ok_or_else(|| {
                Error::protocol("the signed v3 answer carries no alipay-nonce header")
            })?;
        let content = self.signed_content(timestamp, nonce)?;
        let key = key_for(self.header(SN_HEADER)?.map(str::trim))?;
        Verifier::new(key, SignType::Rsa2, Charset::Utf8)?
            .verify(&content, signature)
            .map_err(|_| Error::Signature {
                reason: format!(
                    "the v3 answer (HTTP {}) does not verify with the Alipay public key: the body or \
                     the alipay-timestamp/alipay-nonce headers were changed, or the key is not \
                     Alipay's for this app",
                    self.status
                ),
            })?;
        Ok(V3Verdict::Verified)
    }

    /// Verifies the answer with `config`'s Alipay key, or in certificate mode the certificate `alipay-sn`
    /// names (the configured certificate when absent).
    ///
    /// # Errors
    /// As for [`V3Answer::verify_with`]; [`Error::Signature`] for an `alipay-sn` the certificate store
    /// does not know (download it first, as the client does).
    pub fn verify(&self, config: &IsvConfig) -> Result<V3Verdict> {
        self.verify_with(|sn| match config.cert_mode() {
            None => Ok(config.alipay_public_key().clone()),
            Some(cert) => match sn.filter(|sn| !sn.is_empty()) {
                None => Ok(cert.cert_store().configured_key().clone()),
                Some(sn) => cert.cert_store().key(sn).ok_or_else(|| Error::Signature {
                    reason: format!(
                        "the v3 answer is signed by the Alipay certificate {}, which the certificate \
                         store does not know: download it (alipay.open.app.alipaycert.download)",
                        shortened(sn, 40)
                    ),
                }),
            },
        })
    }
}
