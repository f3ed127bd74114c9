//! Keys, mirroring `alipay_isv::key`: [`PrivateKey`], [`PublicKey`] and [`generate_key_pair`].
//!
//! Both key types are immutable uniffi objects, safe to share between threads. Their Kotlin
//! `toString()` shows only the size and the public fingerprint, never key material. Exported private
//! key text crosses into the JVM as an ordinary `String`: keep it out of logs.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use alipay_isv::key as core;

use crate::error::{Result, guard};

/// An RSA private key (the app's key), parsed once and reused for every signature.
///
/// Accepts PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) and PKCS#8 (`-----BEGIN PRIVATE KEY-----`), as
/// PEM or as the bare one-line Base64 the Alipay key tool writes.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Display)]
pub struct PrivateKey {
    inner: Arc<core::PrivateKey>,
}

#[uniffi::export]
impl PrivateKey {
    /// Parses a private key from PEM or bare Base64 text (PKCS#1 or PKCS#8).
    ///
    /// Throws `AlipayException.Config` saying what was found instead (a public key, a certificate,
    /// an EC key, an encrypted key, truncated or non-Base64 text, an unsupported size).
    #[uniffi::constructor]
    pub fn from_text(text: String) -> Result<Arc<Self>> {
        guard("PrivateKey.fromText", || {
            core::PrivateKey::from_text(&text).map(Self::wrap)
        })
    }

    /// Parses a DER-encoded private key (PKCS#8 or PKCS#1).
    ///
    /// Throws `AlipayException.Config` as for `fromText`.
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>) -> Result<Arc<Self>> {
        guard("PrivateKey.fromDer", || {
            core::PrivateKey::from_der(&der).map(Self::wrap)
        })
    }

    /// The modulus size in bits (2048 for every current Alipay app key).
    pub fn bits(&self) -> Result<u32> {
        guard("PrivateKey.bits", || Ok(bits_u32(self.inner.bits())))
    }

    /// The public half of this key, e.g. to upload to the Alipay console.
    pub fn public_key(&self) -> Result<Arc<PublicKey>> {
        guard("PrivateKey.publicKey", || {
            Ok(PublicKey::wrap(self.inner.public_key().clone()))
        })
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form Java tools expect.
    pub fn to_pkcs8_pem(&self) -> Result<String> {
        guard("PrivateKey.toPkcs8Pem", || {
            self.inner.to_pkcs8_pem().map(|text| text.to_string())
        })
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form most non-Java tools expect.
    pub fn to_pkcs1_pem(&self) -> Result<String> {
        guard("PrivateKey.toPkcs1Pem", || {
            self.inner.to_pkcs1_pem().map(|text| text.to_string())
        })
    }

    /// PKCS#8 DER as one line of Base64, the form the Alipay key tool writes for Java.
    pub fn to_pkcs8_base64(&self) -> Result<String> {
        guard("PrivateKey.toPkcs8Base64", || {
            self.inner.to_pkcs8_base64().map(|text| text.to_string())
        })
    }

    /// PKCS#1 DER as one line of Base64, the form the Alipay key tool writes for other languages.
    pub fn to_pkcs1_base64(&self) -> Result<String> {
        guard("PrivateKey.toPkcs1Base64", || {
            self.inner.to_pkcs1_base64().map(|text| text.to_string())
        })
    }
}

impl PrivateKey {
    /// Wraps a parsed core key.
    pub(crate) fn wrap(key: core::PrivateKey) -> Arc<Self> {
        Arc::new(PrivateKey {
            inner: Arc::new(key),
        })
    }

    /// The shared core key, for the signer.
    pub(crate) fn core(&self) -> &Arc<core::PrivateKey> {
        &self.inner
    }
}

impl fmt::Display for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PrivateKey(bits={}, publicFingerprint={})",
            self.inner.bits(),
            self.inner.public_key().fingerprint()
        )
    }
}

/// An RSA public key (the Alipay public key, or the app's own), parsed once and reused for every
/// verification.
///
/// Accepts SPKI (`-----BEGIN PUBLIC KEY-----`), PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`), an X.509
/// certificate (its subject key is used), or the bare one-line Base64 the Alipay console shows.
/// Kotlin `==` and `hashCode()` compare the key itself (modulus and exponent).
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Display, Eq, Hash)]
pub struct PublicKey {
    inner: Arc<core::PublicKey>,
}

#[uniffi::export]
impl PublicKey {
    /// Parses a public key from PEM or bare Base64 text (SPKI, PKCS#1 or an X.509 certificate).
    ///
    /// Throws `AlipayException.Config` saying what was found instead (a private key, an EC key,
    /// truncated or non-Base64 text, an unsupported size).
    #[uniffi::constructor]
    pub fn from_text(text: String) -> Result<Arc<Self>> {
        guard("PublicKey.fromText", || {
            core::PublicKey::from_text(&text).map(Self::wrap)
        })
    }

    /// Parses a DER-encoded public key: SPKI, PKCS#1 `RSAPublicKey`, or an X.509 certificate.
    ///
    /// Throws `AlipayException.Config` as for `fromText`.
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>) -> Result<Arc<Self>> {
        guard("PublicKey.fromDer", || {
            core::PublicKey::from_der(&der).map(Self::wrap)
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> Result<u32> {
        guard("PublicKey.bits", || Ok(bits_u32(self.inner.bits())))
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> Result<String> {
        guard("PublicKey.toPem", || Ok(self.inner.to_pem()))
    }

    /// SPKI DER as one line of Base64: the form the Alipay console asks for.
    pub fn to_base64(&self) -> Result<String> {
        guard("PublicKey.toBase64", || Ok(self.inner.to_base64()))
    }

    /// SPKI DER bytes.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        guard("PublicKey.toDer", || Ok(self.inner.to_der().to_vec()))
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the SPKI DER: a short public name for
    /// the key, safe to log.
    pub fn fingerprint(&self) -> Result<String> {
        guard("PublicKey.fingerprint", || Ok(self.inner.fingerprint()))
    }

    /// Whether `other` is the same key (same modulus and exponent), whatever format each was read from.
    pub fn is_same_key(&self, other: Arc<PublicKey>) -> Result<bool> {
        guard("PublicKey.isSameKey", || Ok(self == other.as_ref()))
    }
}

impl PublicKey {
    /// Wraps a parsed core key.
    pub(crate) fn wrap(key: core::PublicKey) -> Arc<Self> {
        Arc::new(PublicKey {
            inner: Arc::new(key),
        })
    }

    /// The shared core key, for the verifier.
    pub(crate) fn core(&self) -> &Arc<core::PublicKey> {
        &self.inner
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for PublicKey {}

impl Hash for PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.to_der().hash(state);
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey(bits={}, fingerprint={})",
            self.inner.bits(),
            self.inner.fingerprint()
        )
    }
}

/// A freshly generated app key pair (Kotlin: a data class with `privateKey` and `publicKey`).
#[derive(uniffi::Record)]
pub struct KeyPair {
    /// The private key: keep it secret, export it with `toPkcs8Pem()` / `toPkcs1Pem()`.
    pub private_key: Arc<PrivateKey>,
    /// The public key: upload `toBase64()` to the Alipay console.
    pub public_key: Arc<PublicKey>,
}

/// Generates an RSA key pair of `bits` bits: 2048 (what Alipay asks for), 3072 or 4096.
///
/// Throws `AlipayException.Config` for any other size.
#[uniffi::export(default(bits = 2048))]
pub fn generate_key_pair(bits: u32) -> Result<KeyPair> {
    guard("generateKeyPair", || {
        core::generate_key_pair(bits).map(|pair| KeyPair {
            private_key: PrivateKey::wrap(pair.private_key),
            public_key: PublicKey::wrap(pair.public_key),
        })
    })
}

/// Key sizes are at most 8192 bits, so they always fit a `u32`.
fn bits_u32(bits: usize) -> u32 {
    u32::try_from(bits).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_size_and_fingerprint_only() {
        let pair = generate_key_pair(2048).unwrap();
        let text = pair.private_key.to_string();
        assert!(text.contains("2048"), "{text}");
        assert!(text.contains("SHA256:"), "{text}");
        let base64 = pair.private_key.to_pkcs8_base64().unwrap();
        assert!(!text.contains(&base64[..24]), "{text}");
        assert!(!format!("{:?}", pair.private_key).contains(&base64[..24]));
    }

    #[test]
    fn public_keys_compare_by_value() {
        let pair = generate_key_pair(2048).unwrap();
        let again = PublicKey::from_text(pair.public_key.to_pem().unwrap()).unwrap();
        assert!(pair.public_key.is_same_key(again.clone()).unwrap());
        assert!(*pair.public_key == *again);
        let derived = pair.private_key.public_key().unwrap();
        assert!(*derived == *again);
    }
}
