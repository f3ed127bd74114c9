//! Conversions shared by the protocol classes: keys and AES keys given as objects or text, bodies given
//! as bytes or text, byte limits and JavaScript values serialised with `JSON.stringify`. Parameter
//! objects come in through [`js_object`] (with its JavaScript reader, `read_record.js`), results go
//! back by one `JSON.parse` (`crate::json`).

pub(crate) mod js_object;

use std::ptr;
use std::sync::Arc;

use alipay_isv::aes::AesKey as CoreAesKey;
use alipay_isv::key::{PrivateKey as CorePrivateKey, PublicKey as CorePublicKey};
use napi::bindgen_prelude::{
    ClassInstance, Either, Function, JsObjectValue, Object, ToNapiValue, Uint8Array,
};
use napi::{Env, JsValue, Unknown, ValueType, check_status, sys};

use crate::aes::AesKey;
use crate::error::{OrThrow, to_js_error};
use crate::key::{PrivateKey, PublicKey};

/// A private key given as a `PrivateKey` or as PEM / Base64 text.
pub(crate) type PrivateKeyArg<'env> = Either<ClassInstance<'env, PrivateKey>, String>;
/// A public key given as a `PublicKey` or as PEM / Base64 text.
pub(crate) type PublicKeyArg<'env> = Either<ClassInstance<'env, PublicKey>, String>;
/// An AES key given as an `AesKey` or as the console's Base64 text.
pub(crate) type AesKeyArg<'env> = Either<ClassInstance<'env, AesKey>, String>;
/// A body given as a `Buffer` / `Uint8Array` (exact bytes) or as text (UTF-8 bytes).
pub(crate) type BodyArg = Either<Uint8Array, String>;

/// The private key, parsed when given as text.
pub(crate) fn private_key(env: &Env, key: PrivateKeyArg<'_>) -> napi::Result<Arc<CorePrivateKey>> {
    match key {
        Either::A(instance) => Ok(instance.inner.clone()),
        Either::B(text) => Ok(Arc::new(CorePrivateKey::from_text(&text).or_throw(env)?)),
    }
}

/// The public key, parsed when given as text.
pub(crate) fn public_key(env: &Env, key: PublicKeyArg<'_>) -> napi::Result<Arc<CorePublicKey>> {
    match key {
        Either::A(instance) => Ok(instance.inner.clone()),
        Either::B(text) => Ok(Arc::new(CorePublicKey::from_text(&text).or_throw(env)?)),
    }
}

/// The AES key, parsed when given as text.
pub(crate) fn aes_key(env: &Env, key: AesKeyArg<'_>) -> napi::Result<CoreAesKey> {
    match key {
        Either::A(instance) => Ok(instance.inner.clone()),
        Either::B(text) => CoreAesKey::from_base64(&text).or_throw(env),
    }
}

/// Runs `f` over the bytes of a body without copying a `Buffer`.
pub(crate) fn with_body<T>(body: &BodyArg, f: impl FnOnce(&[u8]) -> T) -> T {
    match body {
        Either::A(bytes) => f(bytes),
        Either::B(text) => f(text.as_bytes()),
    }
}

/// A byte limit: a positive whole number (JavaScript numbers are doubles).
///
/// @throws `ALIPAY_CONFIG_ERROR` for zero, a negative number, a fraction or a non-finite value.
pub(crate) fn byte_limit(env: &Env, what: &str, limit: f64) -> napi::Result<usize> {
    if limit.is_finite() && limit >= 1.0 && limit.fract() == 0.0 && limit <= 9_007_199_254_740_991.0
    {
        // A whole number in 1..=2^53-1: the cast is exact (saturating on 32-bit hosts).
        return Ok(limit as usize);
    }
    Err(to_js_error(
        env,
        &alipay_isv::Error::config(format!(
            "{what} must be a positive whole number of bytes; got {limit}"
        )),
    ))
}

/// `JSON.stringify(value)`: compact JSON in the value's own key order, as JavaScript writes it.
///
/// @throws `ALIPAY_CONFIG_ERROR` when the value has no JSON form (a function, a symbol).
pub(crate) fn json_stringify(env: &Env, value: Unknown<'_>, what: &str) -> napi::Result<String> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<'_, Unknown<'_>, Unknown<'_>> = json.get_named_property("stringify")?;
    let text = stringify.apply(json, value)?;
    if text.get_type()? != ValueType::String {
        return Err(to_js_error(
            env,
            &alipay_isv::Error::config(format!("{what} has no JSON form")),
        ));
    }
    text.coerce_to_string()?.into_utf8()?.into_owned()
}

/// A string result created as Latin-1 when it is ASCII (canonical content usually is): the engine
/// copies it without decoding UTF-8.
pub struct Text(pub(crate) String);

impl ToNapiValue for Text {
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> napi::Result<sys::napi_value> {
        let create = if text.0.is_ascii() {
            sys::napi_create_string_latin1
        } else {
            sys::napi_create_string_utf8
        };
        let mut value = ptr::null_mut();
        check_status!(
            // SAFETY: `env` is the live environment of this call, as `ToNapiValue` requires; the
            // pointer and length are those of the owned `String`, alive for the call, passed as
            // Latin-1 only when it is ASCII (the same characters) and as UTF-8 otherwise; `value`
            // is a local out-slot.
            unsafe {
                create(
                    env,
                    text.0.as_ptr().cast(),
                    text.0.len() as isize,
                    &mut value,
                )
            },
            "Failed to create a string"
        )?;
        Ok(value)
    }
}
