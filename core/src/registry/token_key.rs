//! [`TokenKey`]: encryption of stored tokens at rest (AES-256-GCM, aws-lc-rs), so a leaked database file
//! does not leak tokens. Each value is sealed with a fresh random nonce and bound to its record and column
//! (additional data), so ciphertexts cannot be swapped between rows.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A 256-bit key for tokens at rest, provided by the host (a secret manager, an environment variable).
/// `Debug` shows nothing of it; the bytes are zeroed when dropped.
pub struct TokenKey {
    key: RandomizedNonceKey,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(AES-256-GCM, redacted)")
    }
}

impl TokenKey {
    /// A key from 32 raw bytes.
    ///
    /// # Errors
    /// [`Error::Config`] when it is not 32 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 32 {
            return Err(Error::config(format!(
                "the token encryption key must be 32 bytes (AES-256), not {}",
                bytes.len()
            )));
        }
        let key = RandomizedNonceKey::new(&AES_256_GCM, bytes)
            .map_err(|_| Error::config("the token encryption key was refused by AES-256-GCM"))?;
        Ok(TokenKey { key })
    }

    /// A key from its Base64 text (44 characters for 32 bytes).
    ///
    /// # Errors
    /// [`Error::Config`] when it is not Base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| {
            Error::config(
                "the token encryption key is not valid Base64 (expected 32 bytes in Base64)",
            )
        })?);
        TokenKey::from_bytes(&bytes)
    }

    /// A fresh random key, as Base64 text, for hosts setting up encryption.
    ///
    /// # Errors
    /// [`Error::Config`] when the system random source fails.
    pub fn generate_base64() -> Result<Zeroizing<String>> {
        use aws_lc_rs::rand::{SecureRandom, SystemRandom};
        let mut bytes = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| Error::config("the system random source failed"))?;
        Ok(Zeroizing::new(STANDARD.encode(bytes.as_ref())))
    }

    /// Seals `plain`, bound to `context` (e.g. `auth_app_id` + column): nonce ‖ ciphertext ‖ tag.
    /// A host's own [`Store`](super::Store) uses it to keep tokens encrypted at rest as the SQLite store does.
    ///
    /// # Errors
    /// [`Error::Store`] when the cipher fails.
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<Vec<u8>> {
        let mut buffer = plain.to_vec();
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| Error::Store {
                reason: "encrypting a token failed".into(),
            })?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&buffer);
        Ok(sealed)
    }

    /// Opens what [`TokenKey::seal`] made with the same `context`.
    ///
    /// # Errors
    /// [`Error::Store`] for a wrong key, another context, or a tampered value.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Zeroizing<Vec<u8>>> {
        let failure = || Error::Store {
            reason: format!(
                "a stored value ({context}) does not decrypt with this key: a wrong key, or a tampered database"
            ),
        };
        if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(failure());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| failure())?;
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| failure())?
            .len();
        buffer.truncate(plain_len);
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_in_the_same_context() {
        let key = TokenKey::from_base64(&TokenKey::generate_base64().unwrap()).unwrap();
        let sealed = key.seal(b"token-secret", "2021:app_auth_token").unwrap();
        assert!(!sealed.windows(6).any(|window| window == b"secret"));
        assert_eq!(
            &*key.open(&sealed, "2021:app_auth_token").unwrap(),
            b"token-secret"
        );
        assert!(key.open(&sealed, "2022:app_auth_token").is_err());
        let other = TokenKey::from_bytes(&[7; 32]).unwrap();
        assert!(other.open(&sealed, "2021:app_auth_token").is_err());
        assert!(TokenKey::from_bytes(&[0; 16]).is_err());
        assert!(TokenKey::from_base64("not base64!").is_err());
        assert!(!format!("{key:?}").contains('='));
    }
}
