//! Conversions shared by the protocol classes: keys and AES keys given as objects or text, bodies given
//! as bytes or text, byte limits, JavaScript values serialised with `JSON.stringify`, parameter objects
//! read straight through Node-API ([`StringRecord`], [`string_entries`]) and results built by one
//! `JSON.parse` ([`Json`], [`json_parse`]).
//!
//! The last two are the hot paths of every call: napi-rs's generic `HashMap` / `IndexMap` conversion
//! re-creates each key string to look it up, and its `serde_json` conversion sets every property one by
//! one, each costing a slow generic property access in the engine.

use std::ptr;
use std::sync::Arc;

use alipay_isv::aes::AesKey as CoreAesKey;
use alipay_isv::key::{PrivateKey as CorePrivateKey, PublicKey as CorePublicKey};
use napi::bindgen_prelude::{
    ClassInstance, Either, FromNapiValue, Function, JsObjectValue, Object, ToNapiValue, Uint8Array,
};
use napi::{Env, JsValue, Status, Unknown, ValueType, check_status, sys};
use serde_json::Value;

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

/// A `Record<string, string>` argument: the enumerable string-keyed properties, own and inherited, in
/// the engine's enumeration order, as napi-rs's `HashMap` / `IndexMap` conversion reads them (a
/// property whose value is `undefined` is skipped; any other non-string value is refused), without its
/// per-key costs.
pub struct StringRecord(pub(crate) StringEntries);

impl FromNapiValue for StringRecord {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: the caller hands over a live value of `env`, as `FromNapiValue` requires.
        unsafe { string_entries(env, value, true) }.map(StringRecord)
    }
}

/// `(key, value)` string pairs, in order, all held in one buffer (one allocation, not two per pair).
pub(crate) struct StringEntries {
    /// Every key and value, one after the other.
    text: String,
    /// The byte ranges of each key and its value in `text`.
    spans: Vec<(usize, usize, usize)>,
}

impl StringEntries {
    /// The pairs, borrowed.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans
            .iter()
            .map(|&(start, middle, end)| (&self.text[start..middle], &self.text[middle..end]))
    }

    /// The pairs, owned.
    pub(crate) fn to_vec(&self) -> Vec<(String, String)> {
        self.pairs()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }
}

/// The enumerable string-keyed properties of `object` (own and inherited, as `for…in` lists them; a
/// primitive is converted to an object first) as `(key, value)` pairs in enumeration order.
///
/// The names are listed once (`napi_get_property_names`) and each name value is used as the key as it
/// is, so no key string is re-created and looked up again; each string is copied once into one shared
/// buffer when it is short (after a length query otherwise). A property whose value is `undefined` is
/// skipped when `skip_undefined` is set.
///
/// @throws `ObjectExpected` when `object` is not an object (a string would otherwise be read as its
/// characters); `StringExpected` for a value that is not a string: the message names the key and
/// the value's type, never the value (it may be a token).
///
/// # Safety
///
/// `env` and `object` must be live handles of the current call.
pub(crate) unsafe fn string_entries(
    env: sys::napi_env,
    object: sys::napi_value,
    skip_undefined: bool,
) -> napi::Result<StringEntries> {
    let object_type = unsafe { type_of(env, object)? };
    if object_type != ValueType::Object {
        return Err(napi::Error::new(
            Status::ObjectExpected,
            format!("Parameters must be an object of strings, not {object_type}"),
        ));
    }
    let mut names = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_get_property_names(env, object, &mut names) },
        "Failed to get property names of given object"
    )?;
    let mut count = 0;
    check_status!(
        unsafe { sys::napi_get_array_length(env, names, &mut count) },
        "Failed to get the number of property names"
    )?;
    let mut text = Vec::with_capacity(64 * count as usize);
    let mut spans = Vec::with_capacity(count as usize);
    for index in 0..count {
        let mut name = ptr::null_mut();
        check_status!(
            unsafe { sys::napi_get_element(env, names, index, &mut name) },
            "Failed to get property name {index}"
        )?;
        let start = text.len();
        // Names come as strings (`napi_get_property_names` converts numbers to strings).
        if !unsafe { append_string(env, name, &mut text)? } {
            return Err(napi::Error::new(
                Status::StringExpected,
                "A property name is not a string".to_string(),
            ));
        }
        let middle = text.len();
        let mut value = ptr::null_mut();
        check_status!(
            unsafe { sys::napi_get_property(env, object, name, &mut value) },
            "Failed to get a property"
        )?;
        if unsafe { append_string(env, value, &mut text)? } {
            spans.push((start, middle, text.len()));
            continue;
        }
        let value_type = unsafe { type_of(env, value)? };
        if skip_undefined && value_type == ValueType::Undefined {
            text.truncate(start);
            continue;
        }
        // SAFETY: the engine wrote whole characters of valid UTF-8 (see `append_string`).
        let key = unsafe { std::str::from_utf8_unchecked(&text[start..middle]) };
        return Err(napi::Error::new(
            Status::StringExpected,
            format!("The value of `{key}` must be a string, not {value_type}"),
        ));
    }
    Ok(StringEntries {
        // SAFETY: `append_string` only appends valid UTF-8.
        text: unsafe { String::from_utf8_unchecked(text) },
        spans,
    })
}

/// The bytes read at once before asking a string for its UTF-8 length: most parameters fit.
const SHORT_STRING: usize = 256;

/// Appends the UTF-8 text of a JavaScript string to `text`; false (and nothing appended) when `value`
/// is not a string.
///
/// # Safety
///
/// `env` and `value` must be live handles of the current call.
unsafe fn append_string(
    env: sys::napi_env,
    value: sys::napi_value,
    text: &mut Vec<u8>,
) -> napi::Result<bool> {
    let start = text.len();
    text.reserve(SHORT_STRING);
    let mut written = 0;
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            text.as_mut_ptr().add(start).cast(),
            SHORT_STRING,
            &mut written,
        )
    };
    if status == sys::Status::napi_string_expected {
        return Ok(false);
    }
    check_status!(status, "Failed to read a string")?;
    // The engine writes at most `SHORT_STRING - 1` bytes (then a NUL) and never part of a character
    // (at most 4 bytes), so fewer than `SHORT_STRING - 5` bytes means the whole string.
    if written + 5 >= SHORT_STRING {
        let mut length = 0;
        check_status!(
            unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut length) },
            "Failed to read a string"
        )?;
        text.reserve(length + 1);
        check_status!(
            unsafe {
                sys::napi_get_value_string_utf8(
                    env,
                    value,
                    text.as_mut_ptr().add(start).cast(),
                    length + 1,
                    &mut written,
                )
            },
            "Failed to read a string"
        )?;
    }
    // SAFETY: the engine initialised `written` bytes after `start`, within the reserved capacity, of
    // valid UTF-8: it writes whole characters and replaces lone surrogates.
    unsafe { text.set_len(start + written) };
    Ok(true)
}

/// The type of a JavaScript value.
///
/// # Safety
///
/// `env` and `value` must be live handles of the current call.
unsafe fn type_of(env: sys::napi_env, value: sys::napi_value) -> napi::Result<ValueType> {
    let mut value_type = 0;
    check_status!(
        unsafe { sys::napi_typeof(env, value, &mut value_type) },
        "Failed to get the type of a value"
    )?;
    Ok(ValueType::from(value_type))
}

/// A JSON value handed to JavaScript in one `JSON.parse` of its serialised text (see [`json_parse`]),
/// instead of napi-rs's `serde_json` conversion that sets every property one by one.
///
/// The result is the same: the values `JSON.parse` cannot reproduce take napi-rs's conversion, namely
/// integers beyond ±(2^53 - 1) (napi-rs makes them `BigInt`s) and `__proto__` keys (napi-rs sets them
/// as the prototype, `JSON.parse` as an own property).
pub struct Json(pub(crate) Value);

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, json: Self) -> napi::Result<sys::napi_value> {
        if !json_safe(&json.0) {
            return unsafe { Value::to_napi_value(env, json.0) };
        }
        let text = serde_json::to_string(&json.0).map_err(|error| {
            napi::Error::new(
                Status::GenericFailure,
                format!("JSON serialisation: {error}"),
            )
        })?;
        unsafe { json_parse(env, &text) }
    }
}

/// Whether `JSON.parse` of `value`'s text gives what napi-rs's `serde_json` conversion gives: no
/// integer beyond ±(2^53 - 1), no `__proto__` key, no deeper nesting than napi-rs's limit.
pub(crate) fn json_safe(value: &Value) -> bool {
    fn walk(value: &Value, depth: u32) -> bool {
        match value {
            Value::Number(number) => number.is_f64() || number.as_i64().is_some_and(safe_integer),
            Value::Array(elements) => depth > 0 && elements.iter().all(|v| walk(v, depth - 1)),
            Value::Object(map) => {
                depth > 0
                    && map
                        .iter()
                        .all(|(k, v)| k != "__proto__" && walk(v, depth - 1))
            }
            Value::Null | Value::Bool(_) | Value::String(_) => true,
        }
    }
    walk(value, 100)
}

/// Whether an integer is a JavaScript safe integer (napi-rs turns the others into `BigInt`s).
fn safe_integer(integer: i64) -> bool {
    (-9_007_199_254_740_991..=9_007_199_254_740_991).contains(&integer)
}

/// `JSON.parse(text)` with the engine's own parser, taken from the global object: one call builds the
/// whole value, much faster than setting its properties one by one through Node-API.
///
/// # Safety
///
/// `env` must be the live environment of the current call.
pub(crate) unsafe fn json_parse(env: sys::napi_env, text: &str) -> napi::Result<sys::napi_value> {
    let mut global = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_get_global(env, &mut global) },
        "Failed to get the global object"
    )?;
    let mut json = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_get_named_property(env, global, c"JSON".as_ptr(), &mut json) },
        "Failed to get JSON"
    )?;
    let mut parse = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_get_named_property(env, json, c"parse".as_ptr(), &mut parse) },
        "Failed to get JSON.parse"
    )?;
    let mut argument = ptr::null_mut();
    check_status!(
        unsafe {
            sys::napi_create_string_utf8(
                env,
                text.as_ptr().cast(),
                text.len() as isize,
                &mut argument,
            )
        },
        "Failed to create the JSON text"
    )?;
    let mut result = ptr::null_mut();
    check_status!(
        unsafe { sys::napi_call_function(env, json, parse, 1, &argument, &mut result) },
        "JSON.parse failed"
    )?;
    Ok(result)
}
