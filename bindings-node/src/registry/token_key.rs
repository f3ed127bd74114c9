//! [`TokenKey`], mirroring `alipay_isv::registry::TokenKey`: the key that encrypts stored tokens at
//! rest, with [`generate_token_key`] to make one. `toString()` and `util.inspect` show nothing of it.

use alipay_isv::registry as core;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use napi::Env;
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::error::{OrThrow, to_js_error};

/// A 256-bit key that encrypts the stored tokens at rest (AES-256-GCM), so a leaked database file
/// does not leak tokens. Keep it outside the database (a secret manager, an environment variable);
/// `toString()` and `util.inspect` show nothing of it.
#[napi]
pub struct TokenKey {
    /// The 32 key bytes (a core key is built from them for each registry opened: the core's key is
    /// consumed by the registry). Zeroed when dropped.
    bytes: Zeroizing<Vec<u8>>,
}

impl TokenKey {
    /// The core key, for one registry.
    pub(crate) fn to_core(&self, env: &Env) -> napi::Result<core::TokenKey> {
        core::TokenKey::from_bytes(&self.bytes).or_throw(env)
    }

    /// Checks `bytes` with the core and keeps them.
    fn checked(env: &Env, bytes: Zeroizing<Vec<u8>>) -> napi::Result<Self> {
        core::TokenKey::from_bytes(&bytes).or_throw(env)?;
        Ok(TokenKey { bytes })
    }
}

#[napi]
impl TokenKey {
    /// A key from its Base64 text (44 characters for 32 bytes), e.g. from `generateTokenKey()`.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when it is not Base64 of 32 bytes.
    #[napi(factory, catch_unwind)]
    pub fn from_base64(env: Env, text: String) -> napi::Result<Self> {
        let text = Zeroizing::new(text);
        // Validate with the core (its messages), then keep the bytes it accepted.
        core::TokenKey::from_base64(&text).or_throw(&env)?;
        let bytes = STANDARD.decode(text.trim()).map_err(|_| {
            to_js_error(
                &env,
                &alipay_isv::Error::config("the token encryption key is not valid Base64"),
            )
        })?;
        TokenKey::checked(&env, Zeroizing::new(bytes))
    }

    /// A key from 32 raw bytes.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when it is not 32 bytes long.
    #[napi(factory, catch_unwind)]
    pub fn from_bytes(env: Env, bytes: Uint8Array) -> napi::Result<Self> {
        TokenKey::checked(&env, Zeroizing::new(bytes.to_vec()))
    }

    /// `TokenKey(AES-256-GCM, redacted)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        "TokenKey(AES-256-GCM, redacted)".to_string()
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// A fresh random token encryption key as Base64 text (32 bytes), for setting encryption up: store it
/// in your secret manager and pass it as `tokenKey` to `Registry.open`. Secret.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if the system random source fails.
#[napi(catch_unwind)]
pub fn generate_token_key(env: Env) -> napi::Result<String> {
    let text = core::TokenKey::generate_base64().or_throw(&env)?;
    Ok(text.to_string())
}
