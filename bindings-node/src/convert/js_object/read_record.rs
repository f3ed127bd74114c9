//! The fast path of [`super::string_entries`]: a small JavaScript function (`read_record.js`, next to
//! this file), compiled once per environment ([`ReadRecord`]), enumerates the object inside the
//! engine and hands back ONE string of length-prefixed keys and values ([`ReadFunction::call`]),
//! which Rust splits into [`StringEntries`] ([`split_ascii`], or [`split`] for text that is not
//! ASCII). It declines (`None`) at the first value that is not a string, and the caller reads the
//! object through Node-API instead.

use std::ptr;

use napi::{check_status, sys};

use super::StringEntries;

/// The source of the reader: the same enumeration as `napi_get_property_names` (`for…in`: enumerable
/// string keys, own then inherited, numbers as strings), as `<number of keys and values>:` and then
/// each key and value followed by a NUL; `null` at the first value that is not a string (unless it
/// is `undefined` and `skipUndefined` is set, when the property is skipped). A NUL inside a key or
/// value shows as more pieces than the count, and Rust then reads the object through Node-API. The
/// source is `read_record.js`, next to this file.
const READ_RECORD_SOURCE: &str = include_str!("read_record.js");
// Handed to the engine as Latin-1 (`napi_create_string_latin1`): ASCII keeps it the same text.
const _: () = assert!(READ_RECORD_SOURCE.is_ascii());

/// The reader of one environment (the instance data of the addon in that environment): a reference
/// to the compiled [`READ_RECORD_SOURCE`], or null when it could not be compiled.
pub(super) struct ReadRecord(sys::napi_ref);

impl ReadRecord {
    /// The reader function of `env`, compiled on first use; `None` when it cannot be compiled.
    ///
    /// # Safety
    ///
    /// `env` must be the live environment of the current call.
    pub(super) unsafe fn of(env: sys::napi_env) -> Option<ReadFunction> {
        let mut data = ptr::null_mut();
        // SAFETY: `env` is live (this function's contract); `data` is a local out-slot.
        if unsafe { sys::napi_get_instance_data(env, &mut data) } != sys::Status::napi_ok {
            return None;
        }
        let reference = if data.is_null() {
            // SAFETY: `env` is the live environment of the current call (this function's contract).
            let reference = unsafe { compile(env) };
            let instance = Box::into_raw(Box::new(ReadRecord(reference)));
            // SAFETY: `env` is live (this function's contract); `instance` is a live box given up
            // by `Box::into_raw`, whose ownership passes to the environment on success, and
            // `drop_instance` frees it as that same `Box<ReadRecord>`, once, when the environment
            // ends. The slot was empty (`data` is null), so no earlier data is overwritten.
            let status = unsafe {
                sys::napi_set_instance_data(
                    env,
                    instance.cast(),
                    Some(drop_instance),
                    ptr::null_mut(),
                )
            };
            if status != sys::Status::napi_ok {
                // SAFETY: not handed over: still ours.
                drop(unsafe { Box::from_raw(instance) });
                return None;
            }
            reference
        } else {
            // SAFETY: this addon alone sets the instance data, always to a `ReadRecord`.
            unsafe { (*data.cast::<ReadRecord>()).0 }
        };
        if reference.is_null() {
            return None;
        }
        let mut function = ptr::null_mut();
        // SAFETY: `env` is live (this function's contract); `reference` is non-null, a strong
        // reference `compile` created in this environment, never deleted while it lives; `function`
        // is a local out-slot.
        let status = unsafe { sys::napi_get_reference_value(env, reference, &mut function) };
        (status == sys::Status::napi_ok && !function.is_null()).then_some(ReadFunction(function))
    }
}

/// Whether the reader of `env` is compiled (compiling it if need be).
///
/// # Safety
///
/// `env` must be the live environment of the current call.
#[cfg(debug_assertions)]
pub(crate) unsafe fn reader_available(env: sys::napi_env) -> bool {
    // SAFETY: `env` is the live environment of the current call, as this function's contract
    // requires.
    unsafe { ReadRecord::of(env) }.is_some()
}

/// Frees the instance data when its environment ends (Node.js releases the reference itself).
unsafe extern "C" fn drop_instance(
    _env: sys::napi_env,
    data: *mut std::ffi::c_void,
    _hint: *mut std::ffi::c_void,
) {
    // SAFETY: `data` is the box `ReadRecord::of` handed over.
    drop(unsafe { Box::from_raw(data.cast::<ReadRecord>()) });
}

/// Compiles [`READ_RECORD_SOURCE`] and holds it by a strong reference; null when the engine refuses
/// (any exception is cleared).
///
/// # Safety
///
/// `env` must be the live environment of the current call.
unsafe fn compile(env: sys::napi_env) -> sys::napi_ref {
    let mut source = ptr::null_mut();
    let mut function = ptr::null_mut();
    let mut reference = ptr::null_mut();
    // SAFETY: `env` is live (this function's contract); `READ_RECORD_SOURCE` is a static ASCII
    // `str` (so also Latin-1) passed with its own length; each later call runs only once the one
    // before succeeded (`&&`), so `source` and `function` are handles just created in this call;
    // all out-slots are locals.
    let compiled = unsafe {
        sys::napi_create_string_latin1(
            env,
            READ_RECORD_SOURCE.as_ptr().cast(),
            READ_RECORD_SOURCE.len() as isize,
            &mut source,
        ) == sys::Status::napi_ok
            && sys::napi_run_script(env, source, &mut function) == sys::Status::napi_ok
            && sys::napi_create_reference(env, function, 1, &mut reference) == sys::Status::napi_ok
    };
    if compiled {
        return reference;
    }
    let mut pending = false;
    // SAFETY: `env` is live (this function's contract); `pending` is a local out-slot.
    if unsafe { sys::napi_is_exception_pending(env, &mut pending) } == sys::Status::napi_ok
        && pending
    {
        let mut exception = ptr::null_mut();
        // SAFETY: `env` is live (this function's contract); `exception` is a local out-slot.
        unsafe { sys::napi_get_and_clear_last_exception(env, &mut exception) };
    }
    ptr::null_mut()
}

/// The compiled reader of the current environment.
pub(super) struct ReadFunction(sys::napi_value);

impl ReadFunction {
    /// Reads `object`: `None` when the reader declines (a value that is not a string).
    ///
    /// @throws whatever a getter of `object` throws.
    ///
    /// # Safety
    ///
    /// `env` and `object` must be live handles of the current call.
    pub(super) unsafe fn call(
        &self,
        env: sys::napi_env,
        object: sys::napi_value,
        skip_undefined: bool,
    ) -> napi::Result<Option<StringEntries>> {
        let mut receiver = ptr::null_mut();
        let mut flag = ptr::null_mut();
        check_status!(
            // SAFETY: `env` is live (this function's contract); `receiver` is a local out-slot.
            unsafe { sys::napi_get_undefined(env, &mut receiver) },
            "Failed to get undefined"
        )?;
        check_status!(
            // SAFETY: `env` is live (this function's contract); `flag` is a local out-slot.
            unsafe { sys::napi_get_boolean(env, skip_undefined, &mut flag) },
            "Failed to create a boolean"
        )?;
        let arguments = [object, flag];
        let mut text = ptr::null_mut();
        check_status!(
            // SAFETY: `env` and `object` are live (this function's contract); `self.0` is the
            // reader function `ReadRecord::of(env)` just took in this call (the only maker of a
            // `ReadFunction`, used at once); `receiver` and `flag` were created above; `argc` 2
            // matches the two handles of `arguments`; `text` is a local out-slot.
            unsafe {
                sys::napi_call_function(env, receiver, self.0, 2, arguments.as_ptr(), &mut text)
            },
            "Failed to read the parameters"
        )?;
        let mut length = 0;
        let status =
            // SAFETY: `env` is live (this function's contract); `text` was returned by the call
            // above; a null buffer of size 0 only asks for the length (a non-string is a status,
            // handled).
            unsafe { sys::napi_get_value_string_utf16(env, text, ptr::null_mut(), 0, &mut length) };
        if status == sys::Status::napi_string_expected {
            return Ok(None);
        }
        check_status!(status, "Failed to read the parameters")?;
        // As UTF-8 first: when that takes one byte per UTF-16 unit, the text is ASCII and the
        // lengths count bytes (any other character takes more bytes than units).
        let capacity = length * 3 + 1;
        let mut bytes: Vec<u8> = Vec::with_capacity(capacity);
        let mut written = 0;
        check_status!(
            // SAFETY: `env` is live (this function's contract); `text` was returned by the call
            // above; `bytes` has a capacity of at least `capacity` bytes, the most the engine
            // writes; `written` is a local out-slot.
            unsafe {
                sys::napi_get_value_string_utf8(
                    env,
                    text,
                    bytes.as_mut_ptr().cast(),
                    capacity,
                    &mut written,
                )
            },
            "Failed to read the parameters"
        )?;
        if written == length {
            // SAFETY: the engine wrote `written` bytes, within the capacity.
            unsafe { bytes.set_len(written) };
            return Ok(split_ascii(bytes));
        }
        let mut units: Vec<u16> = Vec::with_capacity(length + 1);
        let mut copied = 0;
        check_status!(
            // SAFETY: `env` is live (this function's contract); `text` was returned by the call
            // above; `units` has a capacity of at least `length + 1` units, the most the engine
            // writes; `copied` is a local out-slot.
            unsafe {
                sys::napi_get_value_string_utf16(
                    env,
                    text,
                    units.as_mut_ptr(),
                    length + 1,
                    &mut copied,
                )
            },
            "Failed to read the parameters"
        )?;
        // SAFETY: the engine wrote `copied` (at most `length`) code units.
        unsafe { units.set_len(copied.min(length)) };
        Ok(split(&units))
    }
}

/// Splits the reader's ASCII text (`<count>:` and each piece followed by a NUL) into pairs, kept in
/// place; `None` if it is not of that form (a NUL inside a piece).
fn split_ascii(text: Vec<u8>) -> Option<StringEntries> {
    let (count, mut start) = piece_count(text.iter().map(|&byte| u16::from(byte)))?;
    let mut spans = Vec::with_capacity(count / 2);
    let mut ends = (0..count).map(|_| {
        let end = start + find_nul(&text[start..])?;
        let piece = (start, end);
        start = end + 1;
        Some(piece)
    });
    while let Some(key) = ends.next() {
        let (key, key_end) = key?;
        let (value, end) = ends.next()??;
        spans.push((key, key_end, value, end));
    }
    drop(ends);
    if start != text.len() {
        return None;
    }
    Some(StringEntries {
        // SAFETY: ASCII is UTF-8.
        text: unsafe { String::from_utf8_unchecked(text) },
        spans,
    })
}

/// The index of the first NUL of `bytes`, eight bytes at a time while there is none.
fn find_nul(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
            break;
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&byte| byte == 0)
        .map(|at| i + at)
}

/// [`split_ascii`] for any text, read as UTF-16: each piece converted to UTF-8 as
/// `napi_get_value_string_utf8` converts (a lone surrogate becomes U+FFFD).
fn split(units: &[u16]) -> Option<StringEntries> {
    let (count, start) = piece_count(units.iter().copied())?;
    let pieces: Vec<&[u16]> = units[start..].split(|&unit| unit == 0).collect();
    // `count` pieces, each followed by a NUL: `count + 1` parts, the last empty.
    if pieces.len() != count + 1 || !pieces[count].is_empty() {
        return None;
    }
    let mut text = Vec::with_capacity(units.len() + units.len() / 2);
    let mut spans = Vec::with_capacity(count / 2);
    for pair in pieces[..count].chunks_exact(2) {
        let key = text.len();
        append_utf16(pair[0], &mut text);
        let value = text.len();
        append_utf16(pair[1], &mut text);
        spans.push((key, value, value, text.len()));
    }
    Some(StringEntries {
        // SAFETY: `append_utf16` only appends whole UTF-8 characters.
        text: unsafe { String::from_utf8_unchecked(text) },
        spans,
    })
}

/// The even number before the first `:` of the reader's text, and the index after that `:`.
fn piece_count(mut units: impl Iterator<Item = u16>) -> Option<(usize, usize)> {
    let mut count = 0usize;
    let mut at = 0;
    loop {
        let unit = units.next()?;
        at += 1;
        if unit == u16::from(b':') {
            break;
        }
        let digit = unit
            .checked_sub(u16::from(b'0'))
            .filter(|&digit| digit < 10)?;
        count = count.checked_mul(10)?.checked_add(usize::from(digit))?;
    }
    (count.is_multiple_of(2) && at > 1).then_some((count, at))
}

/// Appends the UTF-8 form of UTF-16 text, a lone surrogate as U+FFFD.
fn append_utf16(units: &[u16], text: &mut Vec<u8>) {
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        text.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
}
