//! Canonical content and RSA signatures, mirroring `alipay_isv::sign`: [`SignType`], [`Charset`],
//! [`Signer`], [`Verifier`], [`sign_content`] and [`looks_like_own_key`].
//!
//! Signers and verifiers are immutable uniffi objects: build one per key and share it between threads.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use alipay_isv::sign as core;

use crate::error::{Result, guard};
use crate::key::{PrivateKey, PublicKey};

/// The Alipay `sign_type` (Kotlin: `SignType.RSA2`, `SignType.RSA`; `toString()` is the wire name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum SignType {
    /// `RSA2`: SHA256withRSA with a key of at least 2048 bits. What every new app uses.
    #[default]
    Rsa2,
    /// `RSA`: legacy SHA1withRSA, for old apps only.
    Rsa,
}

impl From<SignType> for core::SignType {
    fn from(value: SignType) -> Self {
        match value {
            SignType::Rsa2 => core::SignType::Rsa2,
            SignType::Rsa => core::SignType::Rsa,
        }
    }
}

impl From<core::SignType> for SignType {
    fn from(value: core::SignType) -> Self {
        match value {
            core::SignType::Rsa2 => SignType::Rsa2,
            core::SignType::Rsa => SignType::Rsa,
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(core::SignType::from(*self).as_str())
    }
}

/// The Alipay `charset` the content is encoded in before signing (Kotlin: `Charset.UTF8`,
/// `Charset.GBK`; `toString()` is the wire name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum Charset {
    /// `UTF-8`, the default.
    #[default]
    Utf8,
    /// `GBK`, still used by older apps; characters it cannot encode are a configuration error.
    Gbk,
}

impl From<Charset> for core::Charset {
    fn from(value: Charset) -> Self {
        match value {
            Charset::Utf8 => core::Charset::Utf8,
            Charset::Gbk => core::Charset::Gbk,
        }
    }
}

impl From<core::Charset> for Charset {
    fn from(value: core::Charset) -> Self {
        match value {
            core::Charset::Utf8 => Charset::Utf8,
            core::Charset::Gbk => Charset::Gbk,
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(core::Charset::from(*self).as_str())
    }
}

/// Parses a `sign_type` name (`RSA2` or `RSA`, case-insensitive).
///
/// Throws `AlipayException.Config` for any other name.
#[uniffi::export]
pub fn parse_sign_type(name: String) -> Result<SignType> {
    guard("parseSignType", || {
        name.parse::<core::SignType>().map(SignType::from)
    })
}

/// Parses a `charset` name (`UTF-8`, `UTF8` or `GBK`, case-insensitive).
///
/// Throws `AlipayException.Config` for any other name.
#[uniffi::export]
pub fn parse_charset(name: String) -> Result<Charset> {
    guard("parseCharset", || {
        name.parse::<core::Charset>().map(Charset::from)
    })
}

/// Builds the canonical content Alipay signs, as Java does: drops `sign` and empty or whitespace-only
/// values, sorts the keys in UTF-16 code-unit order (Java's `String.compareTo`), joins `key=value`
/// pairs with `&`, encodes nothing.
#[uniffi::export]
pub fn sign_content(params: HashMap<String, String>) -> Result<String> {
    guard("signContent", || Ok(core::sign_content(&params)))
}

/// Whether `alipay_public` is in fact the public half of the app's own `private` key: the classic
/// misconfiguration where the app public key is pasted where the Alipay public key belongs.
#[uniffi::export]
pub fn looks_like_own_key(private: Arc<PrivateKey>, alipay_public: Arc<PublicKey>) -> Result<bool> {
    guard("looksLikeOwnKey", || {
        Ok(core::looks_like_own_key(
            private.core(),
            alipay_public.core(),
        ))
    })
}

/// Canonical content and its signature, as returned by [`Signer::sign_params`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedContent {
    /// The canonical content that was signed.
    pub content: String,
    /// The standard Base64 signature: send it as the `sign` parameter.
    pub sign: String,
}

/// Signs with the app's private key (Kotlin: `Signer(privateKey)` or
/// `Signer(privateKey, SignType.RSA2, Charset.UTF8)`).
#[derive(Debug, uniffi::Object)]
pub struct Signer {
    inner: core::Signer,
}

#[uniffi::export]
impl Signer {
    /// A signer for `private_key`; `sign_type` defaults to RSA2 and `charset` to UTF-8 when null.
    ///
    /// Throws `AlipayException.Config` when RSA2 is asked for with a key under 2048 bits.
    #[uniffi::constructor(default(sign_type = None, charset = None))]
    pub fn new(
        private_key: Arc<PrivateKey>,
        sign_type: Option<SignType>,
        charset: Option<Charset>,
    ) -> Result<Arc<Self>> {
        guard("Signer", || {
            let sign_type = sign_type.unwrap_or_default().into();
            let charset = charset.unwrap_or_default().into();
            core::Signer::new(private_key.core().clone(), sign_type, charset)
                .map(|inner| Arc::new(Signer { inner }))
        })
    }

    /// The signature algorithm.
    pub fn sign_type(&self) -> Result<SignType> {
        guard("Signer.signType", || Ok(self.inner.sign_type().into()))
    }

    /// The charset the content is encoded in before signing.
    pub fn charset(&self) -> Result<Charset> {
        guard("Signer.charset", || Ok(self.inner.charset().into()))
    }

    /// Signs `content` (encoded in the charset) and returns the standard Base64 signature.
    ///
    /// Throws `AlipayException.Config` when the charset cannot encode the content.
    pub fn sign(&self, content: String) -> Result<String> {
        guard("Signer.sign", || self.inner.sign(&content))
    }

    /// Builds the canonical content of `params` and signs it.
    ///
    /// Throws `AlipayException.Config` when the charset cannot encode the content.
    pub fn sign_params(&self, params: HashMap<String, String>) -> Result<SignedContent> {
        guard("Signer.signParams", || {
            self.inner
                .sign_params(&params)
                .map(|(content, sign)| SignedContent { content, sign })
        })
    }

    /// Signs raw bytes (already encoded) and returns the standard Base64 signature.
    pub fn sign_bytes(&self, message: Vec<u8>) -> Result<String> {
        guard("Signer.signBytes", || self.inner.sign_bytes(&message))
    }
}

/// Verifies signatures with a public key, usually the Alipay public key (Kotlin:
/// `Verifier(publicKey)` or `Verifier(publicKey, SignType.RSA2, Charset.UTF8)`).
#[derive(Debug, uniffi::Object)]
pub struct Verifier {
    inner: core::Verifier,
}

#[uniffi::export]
impl Verifier {
    /// A verifier for `public_key`; `sign_type` defaults to RSA2 and `charset` to UTF-8 when null.
    ///
    /// Throws `AlipayException.Config` when RSA2 is asked for with a key under 2048 bits.
    #[uniffi::constructor(default(sign_type = None, charset = None))]
    pub fn new(
        public_key: Arc<PublicKey>,
        sign_type: Option<SignType>,
        charset: Option<Charset>,
    ) -> Result<Arc<Self>> {
        guard("Verifier", || {
            let sign_type = sign_type.unwrap_or_default().into();
            let charset = charset.unwrap_or_default().into();
            core::Verifier::new(public_key.core().clone(), sign_type, charset)
                .map(|inner| Arc::new(Verifier { inner }))
        })
    }

    /// The signature algorithm.
    pub fn sign_type(&self) -> Result<SignType> {
        guard("Verifier.signType", || Ok(self.inner.sign_type().into()))
    }

    /// The charset the content is encoded in before verifying.
    pub fn charset(&self) -> Result<Charset> {
        guard("Verifier.charset", || Ok(self.inner.charset().into()))
    }

    /// Verifies the Base64 signature `sign` over `content` (encoded in the charset).
    ///
    /// Returns normally when it verifies; throws `AlipayException.Signature` when it does not (or is
    /// not Base64), `AlipayException.Config` when the charset cannot encode the content.
    pub fn verify(&self, content: String, sign: String) -> Result<()> {
        guard("Verifier.verify", || self.inner.verify(&content, &sign))
    }

    /// Verifies the Base64 signature `sign` over raw bytes (already encoded).
    ///
    /// Throws `AlipayException.Signature` when it does not verify.
    pub fn verify_bytes(&self, message: Vec<u8>, sign: String) -> Result<()> {
        guard("Verifier.verifyBytes", || {
            self.inner.verify_bytes(&message, &sign)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::generate_key_pair;

    #[test]
    fn names_round_trip_through_display_and_parse() {
        for sign_type in [SignType::Rsa2, SignType::Rsa] {
            assert_eq!(parse_sign_type(sign_type.to_string()).unwrap(), sign_type);
        }
        for charset in [Charset::Utf8, Charset::Gbk] {
            assert_eq!(parse_charset(charset.to_string()).unwrap(), charset);
        }
        assert_eq!(parse_charset("latin1".into()).unwrap_err().kind(), "config");
    }

    #[test]
    fn defaults_are_rsa2_and_utf8_and_signatures_verify() {
        let pair = generate_key_pair(2048).unwrap();
        let signer = Signer::new(pair.private_key, None, None).unwrap();
        assert_eq!(signer.sign_type().unwrap(), SignType::Rsa2);
        assert_eq!(signer.charset().unwrap(), Charset::Utf8);
        let params = HashMap::from([("b".to_string(), "2".to_string()), ("a".into(), "1".into())]);
        let signed = signer.sign_params(params).unwrap();
        assert_eq!(signed.content, "a=1&b=2");
        let verifier = Verifier::new(pair.public_key, None, None).unwrap();
        verifier
            .verify(signed.content.clone(), signed.sign)
            .unwrap();
        let forged = signer.sign("a=1&b=3".into()).unwrap();
        let error = verifier.verify(signed.content, forged).unwrap_err();
        assert_eq!(error.kind(), "signature");
    }
}
