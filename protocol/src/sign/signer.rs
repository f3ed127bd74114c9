//! [`Signer`]: signs canonical content with the app private key.

use std::sync::Arc;

use aws_lc_rs::digest;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::Pkcs1v15Sign;

use super::{Charset, SignType, sign_content};
use crate::error::{Error, Result};
use crate::key::{MIN_RSA2_KEY_BITS, PrivateKey};

/// The DER `DigestInfo` prefix of a SHA-1 digest (RFC 8017, 9.2 note 1).
const SHA1_DIGEST_INFO_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// Signs with the app private key: `RSA2` through aws-lc-rs, legacy `RSA` through RustCrypto `rsa`
/// (with blinding). Cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct Signer {
    key: Arc<PrivateKey>,
    sign_type: SignType,
    charset: Charset,
}

impl Signer {
    /// A signer for `sign_type` over content encoded in `charset`.
    ///
    /// # Errors
    /// [`Error::Config`] when `RSA2` is asked of a key shorter than 2048 bits.
    pub fn new(key: Arc<PrivateKey>, sign_type: SignType, charset: Charset) -> Result<Self> {
        if sign_type == SignType::Rsa2 && key.rsa2_key_pair().is_none() {
            return Err(Error::config(format!(
                "RSA2 needs a key of at least {MIN_RSA2_KEY_BITS} bits but this private key has {}; \
                 generate a 2048-bit key, or use sign_type RSA for a legacy app",
                key.bits()
            )));
        }
        Ok(Signer {
            key,
            sign_type,
            charset,
        })
    }

    /// The algorithm this signer applies.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The charset content is encoded in before signing.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The private key.
    pub fn key(&self) -> &Arc<PrivateKey> {
        &self.key
    }

    /// Signs a canonical content string; returns standard Base64 without newlines.
    ///
    /// # Errors
    /// [`Error::Config`] when the content is empty (nothing to sign: every parameter was blank) or has
    /// a character the charset cannot encode.
    pub fn sign(&self, content: &str) -> Result<String> {
        refuse_empty(content.len())?;
        let bytes = self.charset.encode(content)?;
        self.sign_bytes(&bytes)
    }

    /// Builds the canonical content of `params` and signs it; returns `(content, sign)`.
    ///
    /// # Errors
    /// [`Error::Config`] when no parameter is left to sign (none, or every value empty or whitespace),
    /// or as for [`Signer::sign`].
    pub fn sign_params<I, K, V>(&self, params: I) -> Result<(String, String)>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let content = sign_content(params);
        let sign = self.sign(&content)?;
        Ok((content, sign))
    }

    /// Signs bytes that are already encoded; returns standard Base64.
    ///
    /// # Errors
    /// [`Error::Config`] when the message is empty, or if the crypto engine refuses the key (it was
    /// validated on parsing, so this signals an internal fault).
    pub fn sign_bytes(&self, message: &[u8]) -> Result<String> {
        refuse_empty(message.len())?;
        let signature = match self.sign_type {
            SignType::Rsa2 => {
                let pair = self
                    .key
                    .rsa2_key_pair()
                    .ok_or_else(|| Error::config("RSA2 needs a key of at least 2048 bits"))?;
                let mut signature = vec![0u8; pair.public_modulus_len()];
                let random = aws_lc_rs::rand::SystemRandom::new();
                pair.sign(&RSA_PKCS1_SHA256, &random, message, &mut signature)
                    .map_err(|_| Error::config("the crypto engine failed to sign with this key"))?;
                signature
            }
            SignType::Rsa => {
                let hashed = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, message);
                let scheme = Pkcs1v15Sign {
                    hash_len: Some(hashed.as_ref().len()),
                    prefix: SHA1_DIGEST_INFO_PREFIX.into(),
                };
                self.key
                    .legacy_key()
                    .sign_with_rng(&mut rsa::rand_core::OsRng, scheme, hashed.as_ref())
                    .map_err(|_| Error::config("the crypto engine failed to sign with this key"))?
            }
        };
        Ok(STANDARD.encode(signature))
    }
}

/// An empty content is never signed: it means every parameter was blank, a request the Java gateway
/// refuses, and a signature over nothing authenticates nothing.
fn refuse_empty(length: usize) -> Result<()> {
    if length == 0 {
        return Err(Error::config(
            "nothing to sign: every parameter is empty (or there is none), so the content is empty; \
             give at least one parameter a non-blank value",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Verifier;

    fn signer(file: &str, sign_type: SignType, charset: Charset) -> Signer {
        let path = format!(
            "{}/../tests/vectors/keys/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let key = PrivateKey::from_text(&text).unwrap();
        Signer::new(Arc::new(key), sign_type, charset).unwrap()
    }

    fn signers() -> Vec<Signer> {
        vec![
            signer("app_2048_pkcs8.pem", SignType::Rsa2, Charset::Utf8),
            signer("app_2048_pkcs8.pem", SignType::Rsa2, Charset::Gbk),
            signer("app_1024_pkcs1.pem", SignType::Rsa, Charset::Utf8),
        ]
    }

    fn assert_nothing_to_sign<T: std::fmt::Debug>(result: Result<T>) {
        let error = result.expect_err("an empty content was signed");
        assert_eq!(error.kind(), "config", "{error}");
        assert!(error.reason().contains("nothing to sign"), "{error}");
        assert!(
            error.reason().contains("every parameter is empty"),
            "{error}"
        );
    }

    #[test]
    fn every_entry_point_refuses_an_empty_content() {
        for signer in signers() {
            assert_nothing_to_sign(signer.sign(""));
            assert_nothing_to_sign(signer.sign_bytes(b""));
            assert_nothing_to_sign(signer.sign_params(Vec::<(&str, &str)>::new()));
            assert_nothing_to_sign(signer.sign_params([("a", ""), ("b", " \t\u{3000}")]));
            assert_nothing_to_sign(signer.sign_params([("sign", "abc"), ("c", "")]));
        }
    }

    #[test]
    fn one_non_blank_parameter_is_enough() {
        for signer in signers() {
            let (content, sign) = signer.sign_params([("a", ""), ("b", "0")]).unwrap();
            assert_eq!(content, "b=0");
            assert!(!sign.is_empty());
        }
    }

    #[test]
    fn verifying_an_empty_content_is_a_signature_error_not_a_panic() {
        for signer in signers() {
            let public = Arc::new(signer.key().public_key().clone());
            let verifier = Verifier::new(public, signer.sign_type(), signer.charset()).unwrap();
            let sign = signer.sign("a=1").unwrap();
            for (content, sign) in [("", sign.as_str()), ("", ""), ("", "not base64!")] {
                let error = verifier.verify(content, sign).err().unwrap();
                assert_eq!(error.kind(), "signature", "{error}");
            }
            let error = verifier.verify_bytes(b"", &sign).err().unwrap();
            assert_eq!(error.kind(), "signature", "{error}");
            assert!(verifier.verify("a=1", &sign).is_ok());
        }
    }
}
