//! JSON results handed to JavaScript by one `JSON.parse` ([`Json`], [`json_parse`]), instead of
//! napi-rs's `serde_json` conversion, which sets every property one by one, each a slow generic
//! property access in the engine.
//!
//! A [`Json`] is either a parsed [`Value`] (serialised again for `JSON.parse`) or, on the response hot
//! path, the raw JSON object text the core verified, parsed by the engine alone; [`raw_json_safe`]
//! decides, by a scan of the text, whether that gives exactly what the `Value` path gives, and sends
//! the text through the `Value` path otherwise.

use std::ptr;

use napi::bindgen_prelude::ToNapiValue;
use napi::{Status, check_status, sys};
use serde_json::Value;

/// The deepest nesting napi-rs's `serde_json` conversion and [`json_safe`] accept (the top-level
/// object or array counts as 1).
const MAX_DEPTH: u32 = 100;

/// A JSON value for JavaScript (see the module documentation).
///
/// The result is the one napi-rs's `serde_json` conversion of the parsed value would give, except
/// that the raw text keeps the key order of the text (the parsed `Value` sorts keys): values that
/// `JSON.parse` cannot reproduce take napi-rs's conversion, namely integers beyond ±(2^53 - 1)
/// (napi-rs makes them `BigInt`s) and `__proto__` keys (napi-rs sets them as the prototype,
/// `JSON.parse` as an own property).
pub struct Json(Form);

/// The two forms of a [`Json`].
enum Form {
    /// A parsed value.
    Value(Value),
    /// The text of one JSON object, as verified by the core (syntactically valid JSON).
    ObjectText(String),
}

impl Json {
    /// A parsed value.
    pub(crate) fn value(value: Value) -> Self {
        Json(Form::Value(value))
    }

    /// The text of one syntactically valid JSON object (a verified response node). When the text
    /// does not parse as an object, the conversion throws `GenericFailure`.
    pub(crate) fn object_text(text: String) -> Self {
        Json(Form::ObjectText(text))
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, json: Self) -> napi::Result<sys::napi_value> {
        let value = match json.0 {
            Form::Value(value) => value,
            Form::ObjectText(text) => {
                if raw_json_safe(&text) {
                    // SAFETY: `env` is the live environment of this call.
                    match unsafe { json_parse(env, &text) } {
                        Ok(object) => return Ok(object),
                        // Not expected (the core verified the syntax): take the `Value` path.
                        // SAFETY: `env` is the live environment of this call, as `ToNapiValue`
                        // requires.
                        Err(_) => unsafe { clear_exception(env)? },
                    }
                }
                match serde_json::from_str::<Value>(&text) {
                    Ok(value @ Value::Object(_)) => value,
                    _ => {
                        return Err(napi::Error::new(
                            Status::GenericFailure,
                            "the response node is not a JSON object".to_string(),
                        ));
                    }
                }
            }
        };
        if !json_safe(&value) {
            // SAFETY: `env` is the live environment of this call, as `ToNapiValue` requires.
            return unsafe { Value::to_napi_value(env, value) };
        }
        let text = serde_json::to_string(&value).map_err(|error| {
            napi::Error::new(
                Status::GenericFailure,
                format!("JSON serialisation: {error}"),
            )
        })?;
        // SAFETY: `env` is the live environment of this call, as `ToNapiValue` requires; `text`
        // came from `serde_json::to_string`, so it is valid UTF-8.
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
    walk(value, MAX_DEPTH)
}

/// Whether an integer is a JavaScript safe integer (napi-rs turns the others into `BigInt`s).
fn safe_integer(integer: i64) -> bool {
    (-9_007_199_254_740_991..=9_007_199_254_740_991).contains(&integer)
}

/// Whether `JSON.parse` of a valid JSON text gives exactly what `serde_json` parsing followed by
/// [`Json`]'s `Value` path gives. Conservative: false whenever the text holds
///
/// - `__proto__` anywhere, or a `\u` escape of one of its letters (`_ p r o t`), so no key can be
///   `__proto__`;
/// - a `\u` escape of a surrogate (`serde_json` refuses a lone one, `JSON.parse` keeps it);
/// - a number with an exponent, more than 15 digits, or the integer `-0` (`serde_json` reads the
///   others exactly: at most 15 digits fit a double, and one division by an exact power of ten is
///   correctly rounded, as in `JSON.parse`), which also rules out integers beyond 2^53 - 1;
/// - nesting deeper than napi-rs's limit.
///
/// The text must be valid JSON (the scan does not validate it).
pub(crate) fn raw_json_safe(text: &str) -> bool {
    if text.contains("__proto__") {
        return false;
    }
    let bytes = text.as_bytes();
    if text.contains("\\u") {
        return tokens_safe(bytes);
    }
    // Without `\u` escapes, only the depth and the numbers matter; both are found without following
    // the strings (much faster on the many short strings of a node).
    match numbers_and_brackets(bytes) {
        Some(brackets) if brackets > MAX_DEPTH => tokens_safe(bytes),
        Some(_) => true,
        None => false,
    }
}

/// Checks the number after every `:`, `,` and `[` (every number follows one of them; a string
/// holding one of them followed by digits is checked too, which is only conservative): `None` when
/// one is not [`exact_number`], else the number of `{` and `[` (at least the depth).
fn numbers_and_brackets(bytes: &[u8]) -> Option<u32> {
    let mut brackets = 0;
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // Sixteen bytes at a time. SAFETY: SSE2 is part of the x86_64 baseline, and each unaligned
        // load reads `bytes[i..i + 16]`, within the slice.
        unsafe {
            let [colon, comma, square, curly] =
                [b':', b',', b'[', b'{'].map(|byte| _mm_set1_epi8(byte as i8));
            while i + 16 <= bytes.len() {
                let block = _mm_loadu_si128(bytes.as_ptr().add(i).cast());
                let squares = _mm_cmpeq_epi8(block, square);
                let opens = _mm_movemask_epi8(_mm_or_si128(squares, _mm_cmpeq_epi8(block, curly)));
                brackets += (opens as u32).count_ones();
                let separators = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(block, colon), _mm_cmpeq_epi8(block, comma)),
                    squares,
                );
                let mut mask = _mm_movemask_epi8(separators) as u32;
                while mask != 0 {
                    if !exact_number_after(bytes, i + mask.trailing_zeros() as usize + 1) {
                        return None;
                    }
                    mask &= mask - 1;
                }
                i += 16;
            }
        }
    }
    for (at, &byte) in bytes.iter().enumerate().skip(i) {
        brackets += u32::from(byte == b'{' || byte == b'[');
        if matches!(byte, b':' | b',' | b'[') && !exact_number_after(bytes, at + 1) {
            return None;
        }
    }
    Some(brackets)
}

/// Whether what starts at `start` (after whitespace) is not a number, or an [`exact_number`].
fn exact_number_after(bytes: &[u8], start: usize) -> bool {
    let mut i = start;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    let start = i;
    while i < bytes.len() && is_number_byte(bytes[i]) {
        i += 1;
    }
    i == start || exact_number(&bytes[start..i])
}

/// Whether a byte can be part of a JSON number.
fn is_number_byte(byte: u8) -> bool {
    matches!(byte, b'-' | b'+' | b'.' | b'0'..=b'9' | b'e' | b'E')
}

/// [`raw_json_safe`] by following every token: strings (and their escapes), nesting and numbers.
fn tokens_safe(bytes: &[u8]) -> bool {
    let mut depth = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => match skip_string(bytes, i + 1) {
                Some(end) => i = end,
                None => return false,
            },
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return false;
                }
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && is_number_byte(bytes[i]) {
                    i += 1;
                }
                if !exact_number(&bytes[start..i]) {
                    return false;
                }
            }
            _ => i += 1,
        }
    }
    true
}

/// Skips a JSON string whose opening quote is just before `i`; the index after its closing quote, or
/// `None` for an escape [`raw_json_safe`] refuses.
fn skip_string(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        // Eight bytes at a time while none is a quote or a backslash: most of a node is string text.
        while let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().ok()?);
            if has_byte(word, b'"') || has_byte(word, b'\\') {
                break;
            }
            i += 8;
        }
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'u') {
                    let hex = std::str::from_utf8(bytes.get(i + 2..i + 6)?).ok()?;
                    let unit = u16::from_str_radix(hex, 16).ok()?;
                    if (0xD800..=0xDFFF).contains(&unit)
                        || matches!(unit, 0x5F | 0x70 | 0x72 | 0x6F | 0x74)
                    {
                        return None;
                    }
                    i += 6;
                } else {
                    i += 2;
                }
            }
            _ => i += 1,
        }
    }
}

/// Whether one of the eight bytes of `word` is `byte` (the classic zero-byte test on `word ^ byte…`).
fn has_byte(word: u64, byte: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// Whether a number token is one `serde_json` and `JSON.parse` read to the same double (see
/// [`raw_json_safe`]).
fn exact_number(token: &[u8]) -> bool {
    if !token[0].is_ascii_digit() && token[0] != b'-' {
        // Not a number (e.g. `e` or `.` after a `:` in a string).
        return true;
    }
    let digits = token.iter().filter(|b| b.is_ascii_digit()).count();
    digits <= 15 && token != b"-0" && !token.iter().any(|&b| b == b'e' || b == b'E')
}

/// Clears the pending JavaScript exception, if any.
///
/// # Safety
///
/// `env` must be the live environment of the current call.
unsafe fn clear_exception(env: sys::napi_env) -> napi::Result<()> {
    let mut pending = false;
    check_status!(
        // SAFETY: `env` is live, as this function's contract requires; `pending` is a local
        // out-slot.
        unsafe { sys::napi_is_exception_pending(env, &mut pending) },
        "Failed to check for an exception"
    )?;
    if pending {
        let mut exception = ptr::null_mut();
        check_status!(
            // SAFETY: `env` is live, as this function's contract requires; `exception` is a local
            // out-slot.
            unsafe { sys::napi_get_and_clear_last_exception(env, &mut exception) },
            "Failed to clear an exception"
        )?;
    }
    Ok(())
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
        // SAFETY: `env` is live, as this function's contract requires; `global` is a local
        // out-slot.
        unsafe { sys::napi_get_global(env, &mut global) },
        "Failed to get the global object"
    )?;
    let mut json = ptr::null_mut();
    check_status!(
        // SAFETY: `env` is live (this function's contract); `global` was created in this call just
        // above; the name is a NUL-terminated C string literal; `json` is a local out-slot (the
        // engine reports a non-object `global` as a status, checked).
        unsafe { sys::napi_get_named_property(env, global, c"JSON".as_ptr(), &mut json) },
        "Failed to get JSON"
    )?;
    let mut parse = ptr::null_mut();
    check_status!(
        // SAFETY: `env` is live (this function's contract); `json` was created in this call just
        // above; the name is a NUL-terminated C string literal; `parse` is a local out-slot (a
        // non-object `json` is reported as a status, checked).
        unsafe { sys::napi_get_named_property(env, json, c"parse".as_ptr(), &mut parse) },
        "Failed to get JSON.parse"
    )?;
    let mut argument = ptr::null_mut();
    // ASCII text (the usual case) is also Latin-1, which the engine copies without decoding.
    let create = if text.is_ascii() {
        sys::napi_create_string_latin1
    } else {
        sys::napi_create_string_utf8
    };
    check_status!(
        // SAFETY: `env` is live (this function's contract); the pointer and length are those of
        // `text`, a `&str` borrowed for the call (valid UTF-8), passed as Latin-1 only when it is
        // ASCII (the same characters); `argument` is a local out-slot.
        unsafe {
            create(
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
        // SAFETY: `env` is live (this function's contract); `json`, `parse` and `argument` were
        // created in this call above; `argc` 1 matches the one handle `&argument` points to;
        // `result` is a local out-slot (a `parse` that is not a function is a status, checked).
        unsafe { sys::napi_call_function(env, json, parse, 1, &argument, &mut result) },
        "JSON.parse failed"
    )?;
    Ok(result)
}
