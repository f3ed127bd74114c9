//! Alipay's content encryption (`encrypt_type=AES`): AES-CBC with PKCS#7 padding and an all-zero IV,
//! keyed by the Base64 key issued in the Alipay console. Used for `biz_content` in requests and for
//! encrypted response nodes.

use std::fmt;

use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A content-encryption key. `Debug` never shows it; the bytes are zeroed on drop.
#[derive(Clone)]
pub struct AesKey {
    bytes: Zeroizing<Vec<u8>>,
}

impl AesKey {
    /// Parses the Base64 key from the Alipay console (16, 24 or 32 bytes once decoded).
    ///
    /// # Errors
    /// [`Error::Config`] when the text is not Base64 or the key has another length.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| {
            Error::config("the AES key is not valid Base64; copy it again from the console")
        })?;
        match bytes.len() {
            16 | 24 | 32 => Ok(AesKey {
                bytes: Zeroizing::new(bytes),
            }),
            other => Err(Error::config(format!(
                "the AES key decodes to {other} bytes; expected 16 (the console's keys), 24 or 32"
            ))),
        }
    }

    fn unbound(&self) -> Result<UnboundCipherKey> {
        let algorithm = match self.bytes.len() {
            16 => &AES_128,
            24 => &AES_192,
            _ => &AES_256,
        };
        UnboundCipherKey::new(algorithm, &self.bytes)
            .map_err(|_| Error::config("the AES key was rejected"))
    }

    /// Encrypts text; returns standard Base64.
    ///
    /// # Errors
    /// [`Error::Config`] if the cipher refuses the key.
    pub fn encrypt(&self, plain: &[u8]) -> Result<String> {
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(self.unbound()?)
            .map_err(|_| Error::config("the AES key was rejected"))?;
        let mut buffer = plain.to_vec();
        key.less_safe_encrypt(
            &mut buffer,
            EncryptionContext::Iv128(FixedLength::from([0u8; 16])),
        )
        .map_err(|_| Error::config("AES encryption failed"))?;
        Ok(STANDARD.encode(buffer))
    }

    /// Decrypts standard Base64 ciphertext.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the ciphertext is not Base64, not whole blocks, or does not unpad (which
    /// usually means the wrong AES key is configured).
    pub fn decrypt(&self, base64_ciphertext: &str) -> Result<Vec<u8>> {
        let mut buffer = STANDARD
            .decode(base64_ciphertext.trim())
            .map_err(|_| Error::protocol("the encrypted content is not valid Base64"))?;
        if buffer.is_empty() || buffer.len() % 16 != 0 {
            return Err(Error::protocol(format!(
                "the encrypted content is {} bytes, not a whole number of AES blocks",
                buffer.len()
            )));
        }
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(self.unbound()?)
            .map_err(|_| Error::config("the AES key was rejected"))?;
        let plain = key
            .decrypt(
                &mut buffer,
                DecryptionContext::Iv128(FixedLength::from([0u8; 16])),
            )
            .map_err(|_| {
                Error::protocol(
                    "the encrypted content does not decrypt: check the configured AES key",
                )
            })?;
        Ok(plain.to_vec())
    }
}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AesKey({} bits)", self.bytes.len() * 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_a_known_ciphertext() {
        let key = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        let encrypted = key.encrypt("{\"a\":\"中\"}".as_bytes()).unwrap();
        assert_eq!(
            key.decrypt(&encrypted).unwrap(),
            "{\"a\":\"中\"}".as_bytes()
        );
        assert!(!format!("{key:?}").contains("aa4B"));
    }

    #[test]
    fn a_wrong_key_is_a_protocol_error_not_garbage() {
        let key = AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").unwrap();
        let other = AesKey::from_base64("AAAAAAAAAAAAAAAAAAAAAA==").unwrap();
        let encrypted = key.encrypt(b"{\"code\":\"10000\"}").unwrap();
        if let Err(error) = other.decrypt(&encrypted) {
            assert_eq!(error.kind(), "protocol");
        }
        assert!(AesKey::from_base64("short").is_err());
    }
}
