//! Keys: [`PrivateKey`], [`PublicKey`] and [`generate_key_pair`], mirroring `alipay_isv::key`.
//!
//! A key is parsed once and reused. No representation of a key (`toString`, `util.inspect`,
//! `JSON.stringify`) contains key material: the classes are opaque and `toString` shows only the size
//! and the public fingerprint. Exports of the private key are explicit method calls.

use std::sync::Arc;

use alipay_isv::key as core;
use napi::Env;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::OrThrow;

/// The app's RSA private key, parsed once and reused for every signature.
///
/// Reads PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) and PKCS#8 (`-----BEGIN PRIVATE KEY-----`), as PEM or
/// as the bare one-line Base64 the Alipay key tool writes. `toString()` and `util.inspect` never show
/// key material.
#[napi]
pub struct PrivateKey {
    pub(crate) inner: Arc<core::PrivateKey>,
}

#[napi]
impl PrivateKey {
    /// Parses a private key from PEM or bare Base64 text (PKCS#1 or PKCS#8).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` saying what was found instead (a public key, a
    /// certificate, an EC key, an encrypted key, truncated or non-Base64 text, a size outside
    /// 1024–8192 bits); the reason never contains the key.
    #[napi(factory, catch_unwind)]
    pub fn from_text(env: Env, text: String) -> napi::Result<Self> {
        let key = core::PrivateKey::from_text(&text).or_throw(&env)?;
        Ok(Self::wrap(key))
    }

    /// Parses a DER-encoded private key (PKCS#8 or PKCS#1).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `fromText`.
    #[napi(factory, catch_unwind)]
    pub fn from_der(env: Env, der: Uint8Array) -> napi::Result<Self> {
        let key = core::PrivateKey::from_der(&der).or_throw(&env)?;
        Ok(Self::wrap(key))
    }

    /// The modulus size in bits (2048 for every current Alipay app key).
    #[napi(getter, catch_unwind)]
    pub fn bits(&self) -> u32 {
        to_u32(self.inner.bits())
    }

    /// The public half of this key, e.g. to upload to the Alipay console.
    #[napi(catch_unwind)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey::wrap(self.inner.public_key().clone())
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form Java tools expect. Secret: store it safely.
    #[napi(catch_unwind)]
    pub fn to_pkcs8_pem(&self, env: Env) -> napi::Result<String> {
        Ok(self.inner.to_pkcs8_pem().or_throw(&env)?.to_string())
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form most non-Java tools expect. Secret.
    #[napi(catch_unwind)]
    pub fn to_pkcs1_pem(&self, env: Env) -> napi::Result<String> {
        Ok(self.inner.to_pkcs1_pem().or_throw(&env)?.to_string())
    }

    /// PKCS#8 DER as one line of Base64, the form the Alipay key tool writes for Java. Secret.
    #[napi(catch_unwind)]
    pub fn to_pkcs8_base64(&self, env: Env) -> napi::Result<String> {
        Ok(self.inner.to_pkcs8_base64().or_throw(&env)?.to_string())
    }

    /// PKCS#1 DER as one line of Base64, the form the Alipay key tool writes for other languages.
    /// Secret.
    #[napi(catch_unwind)]
    pub fn to_pkcs1_base64(&self, env: Env) -> napi::Result<String> {
        Ok(self.inner.to_pkcs1_base64().or_throw(&env)?.to_string())
    }

    /// `PrivateKey(2048 bits, SHA256:…)`: the size and the public fingerprint, never key material.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "PrivateKey({} bits, {})",
            self.inner.bits(),
            self.inner.public_key().fingerprint()
        )
    }
}

impl PrivateKey {
    fn wrap(key: core::PrivateKey) -> Self {
        PrivateKey {
            inner: Arc::new(key),
        }
    }
}

/// An RSA public key (the Alipay public key, or the app's own), parsed once and reused for every
/// verification.
///
/// Reads SPKI (`-----BEGIN PUBLIC KEY-----`), PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`), an X.509
/// certificate (its subject key) or the bare one-line Base64 the Alipay console shows.
#[napi]
pub struct PublicKey {
    pub(crate) inner: Arc<core::PublicKey>,
}

#[napi]
impl PublicKey {
    /// Parses a public key from PEM or bare Base64 text (SPKI, PKCS#1 or an X.509 certificate).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` saying what was found instead (a private key, an EC
    /// key, truncated or non-Base64 text, a size outside 1024–8192 bits).
    #[napi(factory, catch_unwind)]
    pub fn from_text(env: Env, text: String) -> napi::Result<Self> {
        let key = core::PublicKey::from_text(&text).or_throw(&env)?;
        Ok(Self::wrap(key))
    }

    /// Parses a DER-encoded public key: SPKI, PKCS#1 `RSAPublicKey`, or an X.509 certificate.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `fromText`.
    #[napi(factory, catch_unwind)]
    pub fn from_der(env: Env, der: Uint8Array) -> napi::Result<Self> {
        let key = core::PublicKey::from_der(&der).or_throw(&env)?;
        Ok(Self::wrap(key))
    }

    /// The modulus size in bits.
    #[napi(getter, catch_unwind)]
    pub fn bits(&self) -> u32 {
        to_u32(self.inner.bits())
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    #[napi(catch_unwind)]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// SPKI DER as one line of Base64: what the Alipay console asks for when you upload the app
    /// public key.
    #[napi(catch_unwind)]
    pub fn to_base64(&self) -> String {
        self.inner.to_base64()
    }

    /// SPKI DER bytes.
    #[napi(catch_unwind)]
    pub fn to_der(&self) -> Buffer {
        Buffer::from(self.inner.to_der())
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the SPKI DER: a short public name for
    /// the key, safe to log.
    #[napi(getter, catch_unwind)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// True when both keys have the same modulus and exponent, whatever format they were read from.
    #[napi(catch_unwind)]
    pub fn equals(&self, other: &PublicKey) -> bool {
        self.inner == other.inner
    }

    /// `PublicKey(2048 bits, SHA256:…)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "PublicKey({} bits, {})",
            self.inner.bits(),
            self.inner.fingerprint()
        )
    }
}

impl PublicKey {
    fn wrap(key: core::PublicKey) -> Self {
        PublicKey {
            inner: Arc::new(key),
        }
    }
}

/// A freshly generated app key pair.
#[napi(object, object_from_js = false)]
pub struct KeyPair {
    /// The private key: keep it secret; export it with `toPkcs8Pem()` or `toPkcs1Pem()`.
    pub private_key: PrivateKey,
    /// The public key: upload `toBase64()` to the Alipay console.
    pub public_key: PublicKey,
}

/// Generates an RSA key pair of `bits` bits: 2048 (the default, what Alipay asks for), 3072 or 4096.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for any other size.
#[napi(catch_unwind)]
pub fn generate_key_pair(env: Env, bits: Option<f64>) -> napi::Result<KeyPair> {
    // A JavaScript number: taken as it is (a `u32` argument would wrap 2^32 + 2048 to 2048).
    let bits = match bits {
        None => 2048,
        Some(bits) if bits.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&bits) => {
            bits as u32
        }
        Some(bits) => {
            return Err(crate::error::to_js_error(
                &env,
                &alipay_isv::Error::config(format!(
                    "cannot generate a {bits}-bit key; choose 2048 (what Alipay asks for), 3072 or 4096"
                )),
            ));
        }
    };
    let pair = core::generate_key_pair(bits).or_throw(&env)?;
    Ok(KeyPair {
        private_key: PrivateKey::wrap(pair.private_key),
        public_key: PublicKey::wrap(pair.public_key),
    })
}

/// Key sizes are at most 8192 bits, so they always fit.
fn to_u32(bits: usize) -> u32 {
    u32::try_from(bits).unwrap_or(u32::MAX)
}
