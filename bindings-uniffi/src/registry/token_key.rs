//! [`TokenKey`], mirroring `alipay_isv::registry::TokenKey`: the AES-256-GCM key that encrypts
//! stored tokens at rest, and [`generate_token_key`] for hosts setting encryption up.
//!
//! The binding keeps the 32 key bytes (zeroed when the object is dropped) so that one `TokenKey`
//! can open several registries; `toString()` shows nothing of them.

use std::fmt;

use alipay_isv::registry as core;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Result, guard};

/// A 256-bit key for tokens at rest (Kotlin: `TokenKey.fromBase64(System.getenv("TOKEN_KEY"))`),
/// provided by the host from a secret manager or the environment. `toString()` shows nothing of it.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct TokenKey {
    bytes: Zeroizing<Vec<u8>>,
}

impl TokenKey {
    /// A fresh core key of the same bytes (the core key is consumed by each registry it opens).
    pub(crate) fn to_core(&self) -> alipay_isv::Result<core::TokenKey> {
        core::TokenKey::from_bytes(&self.bytes)
    }
}

#[uniffi::export]
impl TokenKey {
    /// A key from 32 raw bytes.
    ///
    /// Throws `AlipayException.Config` when it is not 32 bytes long.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<std::sync::Arc<Self>> {
        let bytes = Zeroizing::new(bytes);
        guard("TokenKey.fromBytes", || {
            core::TokenKey::from_bytes(&bytes)?;
            Ok(std::sync::Arc::new(TokenKey {
                bytes: bytes.clone(),
            }))
        })
    }

    /// A key from its Base64 text (44 characters for 32 bytes), e.g. from `generateTokenKey()`.
    ///
    /// Throws `AlipayException.Config` when it is not Base64 of 32 bytes.
    #[uniffi::constructor]
    pub fn from_base64(text: String) -> Result<std::sync::Arc<Self>> {
        let text = Zeroizing::new(text);
        guard("TokenKey.fromBase64", || {
            core::TokenKey::from_base64(&text)?;
            let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| {
                alipay_isv::Error::config("the token encryption key is not valid Base64")
            })?);
            Ok(std::sync::Arc::new(TokenKey { bytes }))
        })
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(AES-256-GCM, redacted)")
    }
}

/// A fresh random token key as Base64 text (32 bytes): store it in a secret manager and pass it to
/// `TokenKey.fromBase64`.
///
/// Throws `AlipayException.Config` when the system random source fails.
#[uniffi::export]
pub fn generate_token_key() -> Result<String> {
    guard("generateTokenKey", || {
        Ok(core::TokenKey::generate_base64()?.as_str().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_show_nothing() {
        let text = generate_token_key().unwrap();
        let key = TokenKey::from_base64(text.clone()).unwrap();
        assert_eq!(key.bytes.len(), 32);
        assert!(key.to_core().is_ok());
        assert!(!key.to_string().contains(&text[..8]));
        assert_eq!(
            TokenKey::from_bytes(vec![1; 16]).unwrap_err().kind(),
            "config"
        );
        assert_eq!(
            TokenKey::from_base64("not base64!".into())
                .unwrap_err()
                .kind(),
            "config"
        );
    }
}
