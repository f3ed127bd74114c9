//! JavaScript objects read into Rust: parameter objects (`Record<string, string>`) as
//! [`StringRecord`] and [`string_entries`], the hot path of `signContent`, `Signer.signParams`,
//! `verifyParams` and the requests' extra parameters.
//!
//! Reading each property through Node-API costs more than the work done with it (listing the names
//! walks the prototype chain into a hash set; every property and string read is a generic engine
//! call). So a small JavaScript function ([`read_record`], with its source in
//! `js_object/read_record.js`), compiled once per environment, runs the same `for…in` enumeration
//! inside the engine and hands back ONE string of length-prefixed keys and values; Rust splits it.
//! When it meets a value that is not a string (an error, or `undefined` where it is refused), the
//! object is read again the Node-API way ([`string_entries_by_napi`], here), which gives exactly the
//! errors it always gave.

mod read_record;

#[cfg(debug_assertions)]
pub(crate) use read_record::reader_available;

use std::ptr;

use napi::bindgen_prelude::FromNapiValue;
use napi::{Status, ValueType, check_status, sys};

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
    /// The byte ranges of each key and of its value in `text`.
    spans: Vec<(usize, usize, usize, usize)>,
}

impl StringEntries {
    /// The pairs, borrowed.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans
            .iter()
            .map(|&(key, key_end, value, end)| (&self.text[key..key_end], &self.text[value..end]))
    }

    /// The pairs, owned.
    pub(crate) fn to_vec(&self) -> Vec<(String, String)> {
        self.pairs()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }
}

/// The enumerable string-keyed properties of `object` (own and inherited, as `for…in` lists them) as
/// `(key, value)` pairs in enumeration order: by [`read_record::ReadRecord`], or when it declines (or
/// cannot be compiled) by [`string_entries_by_napi`], whose errors these are. A property whose value
/// is `undefined` is skipped when `skip_undefined` is set.
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
    // SAFETY: `env` and `object` are live handles of the current call, as this function's contract
    // requires; `string_entries_by` asks the same.
    unsafe { string_entries_by(env, object, skip_undefined, true) }
}

/// [`string_entries`], through the reader only when `fast` (the tests compare both ways).
///
/// # Safety
///
/// `env` and `object` must be live handles of the current call.
pub(crate) unsafe fn string_entries_by(
    env: sys::napi_env,
    object: sys::napi_value,
    skip_undefined: bool,
    fast: bool,
) -> napi::Result<StringEntries> {
    // SAFETY: `env` and `object` are live handles of the current call (this function's contract).
    let object_type = unsafe { type_of(env, object)? };
    if object_type != ValueType::Object {
        return Err(napi::Error::new(
            Status::ObjectExpected,
            format!("Parameters must be an object of strings, not {object_type}"),
        ));
    }
    // SAFETY: `env` is the live environment of the current call (this function's contract).
    if let Some(read) = unsafe { read_record::ReadRecord::of(env) }.filter(|_| fast)
        // SAFETY: `env` and `object` are live (this function's contract) and `read` was just taken
        // from `ReadRecord::of(env)` in this call, a handle of the same environment.
        && let Some(entries) = unsafe { read.call(env, object, skip_undefined)? }
    {
        return Ok(entries);
    }
    // SAFETY: `env` and `object` are live handles of the current call (this function's contract).
    unsafe { string_entries_by_napi(env, object, skip_undefined) }
}

/// [`string_entries`] of an object through Node-API alone: the names are listed once
/// (`napi_get_property_names`) and each name value is used as the key as it is, so no key string is
/// re-created and looked up again; each string is copied once into one shared buffer when it is short
/// (after a length query otherwise).
///
/// @throws `StringExpected` as [`string_entries`] does.
///
/// # Safety
///
/// `env` and `object` must be live handles of the current call.
unsafe fn string_entries_by_napi(
    env: sys::napi_env,
    object: sys::napi_value,
    skip_undefined: bool,
) -> napi::Result<StringEntries> {
    let mut names = ptr::null_mut();
    check_status!(
        // SAFETY: `env` and `object` are live (this function's contract); `names` is a local
        // out-slot.
        unsafe { sys::napi_get_property_names(env, object, &mut names) },
        "Failed to get property names of given object"
    )?;
    let mut count = 0;
    check_status!(
        // SAFETY: `env` is live (this function's contract); `names` was created by the successful
        // `napi_get_property_names` above; `count` is a local out-slot.
        unsafe { sys::napi_get_array_length(env, names, &mut count) },
        "Failed to get the number of property names"
    )?;
    let mut text = Vec::with_capacity(64 * count as usize);
    let mut spans = Vec::with_capacity(count as usize);
    for index in 0..count {
        let mut name = ptr::null_mut();
        check_status!(
            // SAFETY: `env` is live (this function's contract); `names` is the array created above
            // and `index < count`, its length; `name` is a local out-slot.
            unsafe { sys::napi_get_element(env, names, index, &mut name) },
            "Failed to get property name {index}"
        )?;
        let start = text.len();
        // Names come as strings (`napi_get_property_names` converts numbers to strings).
        // SAFETY: `env` is live (this function's contract); `name` was just created by
        // `napi_get_element` in this call.
        if !unsafe { append_string(env, name, &mut text)? } {
            return Err(napi::Error::new(
                Status::StringExpected,
                "A property name is not a string".to_string(),
            ));
        }
        let middle = text.len();
        let mut value = ptr::null_mut();
        check_status!(
            // SAFETY: `env` and `object` are live (this function's contract); `name` was created by
            // `napi_get_element` in this call; `value` is a local out-slot.
            unsafe { sys::napi_get_property(env, object, name, &mut value) },
            "Failed to get a property"
        )?;
        // SAFETY: `env` is live (this function's contract); `value` was just created by
        // `napi_get_property` in this call.
        if unsafe { append_string(env, value, &mut text)? } {
            spans.push((start, middle, middle, text.len()));
            continue;
        }
        // SAFETY: `env` is live (this function's contract); `value` was created by
        // `napi_get_property` in this call.
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
    // SAFETY: `env` and `value` are live (this function's contract); `reserve(SHORT_STRING)` leaves
    // at least `SHORT_STRING` bytes of capacity after `start` (the length), so the engine's at most
    // `SHORT_STRING` bytes stay inside the allocation; `written` is a local out-slot.
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
            // SAFETY: `env` and `value` are live (this function's contract); a null buffer of size
            // 0 only asks for the length, written to the local `length`.
            unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut length) },
            "Failed to read a string"
        )?;
        text.reserve(length + 1);
        check_status!(
            // SAFETY: `env` and `value` are live (this function's contract); the length is still
            // `start`, so `reserve(length + 1)` leaves room for the `length + 1` bytes the engine
            // may write after `start`; `written` is a local out-slot.
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
        // SAFETY: `env` and `value` are live handles of the current call (this function's
        // contract); `value_type` is a local out-slot.
        unsafe { sys::napi_typeof(env, value, &mut value_type) },
        "Failed to get the type of a value"
    )?;
    Ok(ValueType::from(value_type))
}
