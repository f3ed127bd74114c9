//! [`Verifier`]: checks a signature made by Alipay (or by anyone whose public key you hold).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Charset, SignType};
use crate::error::{Error, Result};
use crate::key::{MIN_RSA2_KEY_BITS, PublicKey};

/// Verifies `RSA2` or `RSA` signatures with a public key, through aws-lc-rs. Cheap to clone and safe to
/// share between threads.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: Arc<PublicKey>,
    sign_type: SignType,
    charset: Charset,
}

impl Verifier {
    /// A verifier for `sign_type` over content encoded in `charset`.
    ///
    /// # Errors
    /// [`Error::Config`] when `RSA2` is asked of a key shorter than 2048 bits.
    pub fn new(key: Arc<PublicKey>, sign_type: SignType, charset: Charset) -> Result<Self> {
        if sign_type == SignType::Rsa2 && key.sha256_key().is_none() {
            return Err(Error::config(format!(
                "RSA2 needs a public key of at least {MIN_RSA2_KEY_BITS} bits but this one has {}; \
                 check that you configured the Alipay RSA2 public key",
                key.bits()
            )));
        }
        Ok(Verifier {
            key,
            sign_type,
            charset,
        })
    }

    /// The algorithm this verifier checks.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The charset content is encoded in before verifying.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The public key.
    pub fn key(&self) -> &Arc<PublicKey> {
        &self.key
    }

    /// Verifies a Base64 signature over a content string.
    ///
    /// # Errors
    /// [`Error::Signature`] when the signature is not valid Base64 or does not verify, or the content
    /// is empty; [`Error::Config`] when the content has a character the charset cannot encode.
    pub fn verify(&self, content: &str, sign: &str) -> Result<()> {
        if content.is_empty() {
            // Nothing to sign is refused when signing: a signature over nothing is never accepted.
            return Err(Error::signature(
                "the signed content is empty: every parameter is empty, so nothing was signed",
            ));
        }
        let bytes = self.charset.encode(content)?;
        self.verify_bytes(&bytes, sign)
    }

    /// Verifies a Base64 signature over bytes that are already encoded.
    ///
    /// # Errors
    /// [`Error::Signature`] when the signature is not valid Base64 or does not verify.
    pub fn verify_bytes(&self, message: &[u8], sign: &str) -> Result<()> {
        let signature = decode_signature(sign)?;
        let key = match self.sign_type {
            SignType::Rsa2 => self
                .key
                .sha256_key()
                .ok_or_else(|| Error::config("RSA2 needs a public key of at least 2048 bits"))?,
            SignType::Rsa => self.key.sha1_key(),
        };
        key.verify_sig(message, &signature).map_err(|_| {
            Error::signature(format!(
                "the {} signature does not verify with public key {}: the content was changed, or \
                 the wrong public key is configured",
                self.sign_type,
                self.key.fingerprint()
            ))
        })
    }
}

/// Decodes a Base64 signature, tolerating whitespace and line breaks inside it.
fn decode_signature(sign: &str) -> Result<Vec<u8>> {
    let decode = |text: &str| STANDARD.decode(text);
    let decoded = if sign.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = sign.chars().filter(|c| !c.is_whitespace()).collect();
        decode(&compact)
    } else {
        decode(sign)
    };
    match decoded {
        Ok(bytes) if !bytes.is_empty() => Ok(bytes),
        Ok(_) => Err(Error::signature("the signature is empty")),
        Err(_) => Err(Error::signature(format!(
            "the signature is not valid Base64 ({} characters)",
            sign.len()
        ))),
    }
}
