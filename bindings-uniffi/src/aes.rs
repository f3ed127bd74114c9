//! The AES content-encryption key, mirroring `alipay_isv::aes` (`encrypt_type=AES`: AES-CBC, zero IV,
//! PKCS#7). Its Kotlin `toString()` shows the key size only, never the key.

use std::fmt;
use std::sync::Arc;

use alipay_isv::aes as core;

use crate::error::{Result, guard};

/// The AES key issued in the Alipay console (Kotlin: `AesKey("aa4BtZ4tspm2wnXLb1ThQA==")`).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct AesKey {
    inner: core::AesKey,
}

#[uniffi::export]
impl AesKey {
    /// Parses the Base64 key from the console (16, 24 or 32 bytes once decoded).
    ///
    /// Throws `AlipayException.Config` when the text is not Base64 or has another length.
    #[uniffi::constructor]
    pub fn new(base64: String) -> Result<Arc<Self>> {
        guard("AesKey", || {
            core::AesKey::from_base64(&base64).map(|inner| Arc::new(AesKey { inner }))
        })
    }

    /// The key size in bits: 128, 192 or 256.
    pub fn bits(&self) -> Result<u32> {
        guard("AesKey.bits", || Ok(self.bits_of()))
    }

    /// Encrypts `plain` (already encoded, e.g. `text.toByteArray()`); returns standard Base64.
    pub fn encrypt(&self, plain: Vec<u8>) -> Result<String> {
        guard("AesKey.encrypt", || self.inner.encrypt(&plain))
    }

    /// Decrypts standard Base64 ciphertext and returns the plain bytes.
    ///
    /// Throws `AlipayException.Protocol` when it is not Base64, not whole blocks, or does not unpad
    /// (usually: the wrong AES key).
    pub fn decrypt(&self, ciphertext: String) -> Result<Vec<u8>> {
        guard("AesKey.decrypt", || self.inner.decrypt(&ciphertext))
    }
}

impl AesKey {
    /// The shared core key, for the configuration and the response verifier.
    pub(crate) fn core(&self) -> &core::AesKey {
        &self.inner
    }

    /// The size from the core's `Debug` (`AesKey(N bits)`), which is all it reveals.
    fn bits_of(&self) -> u32 {
        let debug = format!("{:?}", self.inner);
        let digits: String = debug.chars().filter(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(0)
    }
}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AesKey(bits={})", self.bits_of())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_shows_the_key() {
        let key = AesKey::new("aa4BtZ4tspm2wnXLb1ThQA==".into()).unwrap();
        assert_eq!(key.bits().unwrap(), 128);
        assert_eq!(key.to_string(), "AesKey(bits=128)");
        let encrypted = key.encrypt("中文".as_bytes().to_vec()).unwrap();
        assert_eq!(key.decrypt(encrypted).unwrap(), "中文".as_bytes());
        assert_eq!(key.decrypt("!".into()).unwrap_err().kind(), "protocol");
        assert_eq!(AesKey::new("short".into()).unwrap_err().kind(), "config");
    }
}
