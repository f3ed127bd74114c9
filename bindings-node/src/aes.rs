//! [`AesKey`]: Alipay's content encryption (`encrypt_type=AES`), mirroring `alipay_isv::aes`.

use alipay_isv::aes as core;
use napi::Env;
use napi::bindgen_prelude::{Buffer, Either, Uint8Array};
use napi_derive::napi;

use crate::error::OrThrow;

/// The AES content-encryption key issued in the Alipay console (AES-CBC, PKCS#7 padding, zero IV).
///
/// `toString()` and `util.inspect` show only the key size, never the key.
#[napi]
pub struct AesKey {
    pub(crate) inner: core::AesKey,
}

#[napi]
impl AesKey {
    /// Parses the console's Base64 key (16, 24 or 32 bytes once decoded).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the text is not Base64 or has another length;
    /// the reason never contains the key.
    #[napi(factory, catch_unwind)]
    pub fn from_base64(env: Env, text: String) -> napi::Result<Self> {
        Ok(AesKey {
            inner: core::AesKey::from_base64(&text).or_throw(&env)?,
        })
    }

    /// Encrypts text (its UTF-8 bytes) or bytes; returns standard Base64.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if the cipher refuses the key.
    #[napi(catch_unwind)]
    pub fn encrypt(&self, env: Env, plain: Either<String, Uint8Array>) -> napi::Result<String> {
        let bytes: &[u8] = match &plain {
            Either::A(text) => text.as_bytes(),
            Either::B(bytes) => bytes,
        };
        self.inner.encrypt(bytes).or_throw(&env)
    }

    /// Decrypts standard Base64 ciphertext to bytes (`.toString()` them for text).
    ///
    /// @throws {AlipayError} `ALIPAY_PROTOCOL_ERROR` when the ciphertext is not Base64, not whole blocks,
    /// or does not unpad (usually the wrong key).
    #[napi(catch_unwind)]
    pub fn decrypt(&self, env: Env, base64_ciphertext: String) -> napi::Result<Buffer> {
        Ok(Buffer::from(
            self.inner.decrypt(&base64_ciphertext).or_throw(&env)?,
        ))
    }

    /// `AesKey(128 bits)`: the size only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}
