//! Parsing an `application/x-www-form-urlencoded` body exactly once, in its declared charset.
//!
//! `+` is a space and `%XX` a byte, once: a `+` inside `sign` arrives as `%2B` and stays `+`;
//! `passback_params` keeps the percent-escapes the merchant put in it. The bytes of every key and
//! value are decoded in the body's `charset` parameter (UTF-8 or GBK).

use std::collections::HashSet;

use crate::error::{Error, Result, SHOWN_CHARS, shortened};
use crate::sign::Charset;

/// How many parameters a notification may have by default: far above any real message (they have
/// about 10 to 40), low enough that a hostile body is refused before it costs anything.
pub const DEFAULT_MAX_PARAMS: usize = 1000;

/// Parses a form body into its parameters, in order, refusing more than [`DEFAULT_MAX_PARAMS`].
///
/// # Errors
/// As for [`parse_form_limited`].
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>> {
    parse_form_limited(body, DEFAULT_MAX_PARAMS)
}

/// Parses a form body into its parameters, in order, in time linear in the body's size.
///
/// # Errors
/// [`Error::Protocol`] for more than `max_params` parameters, a parameter without `=`, a key given
/// twice, an unknown `charset`, or bytes that are not valid in the declared charset.
pub fn parse_form_limited(body: &[u8], max_params: usize) -> Result<Vec<(String, String)>> {
    let mut raw_pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for segment in body
        .split(|&b| b == b'&')
        .filter(|segment| !segment.is_empty())
    {
        if raw_pairs.len() == max_params {
            return Err(too_many_params(max_params));
        }
        let segment = trim_line_end(segment);
        let split = segment.iter().position(|&b| b == b'=').ok_or_else(|| {
            Error::protocol(format!(
                "the form body has a parameter without `=` ({} bytes)",
                segment.len()
            ))
        })?;
        let (key, value) = (&segment[..split], &segment[split + 1..]);
        raw_pairs.push((decode_component(key), decode_component(value)));
    }
    let charset = match raw_pairs.iter().find(|(key, _)| key == b"charset") {
        Some((_, value)) => notification_charset(value)?,
        None => Charset::Utf8,
    };
    let mut params: Vec<(String, String)> = Vec::with_capacity(raw_pairs.len());
    for (key, value) in raw_pairs {
        let key = decode_text(key, charset)?;
        let value = decode_text(value, charset)?;
        params.push((key, value));
    }
    refuse_duplicates(&params)?;
    Ok(params)
}

/// Refuses a parameter list naming a key twice, with one hash-set pass.
///
/// # Errors
/// [`Error::Protocol`] naming the first repeated key (shortened if long).
pub(crate) fn refuse_duplicates(params: &[(String, String)]) -> Result<()> {
    let mut seen: HashSet<&str> = HashSet::with_capacity(params.len());
    for (key, _) in params {
        if !seen.insert(key.as_str()) {
            return Err(Error::protocol(format!(
                "the notification has the parameter `{}` twice: refused",
                shortened(key, SHOWN_CHARS)
            )));
        }
    }
    Ok(())
}

/// The error for a notification with more than `max_params` parameters.
pub(crate) fn too_many_params(max_params: usize) -> Error {
    Error::protocol(format!(
        "the notification has more than {max_params} parameters: refused (no real notification has \
         that many; raise the limit only if you expect it)"
    ))
}

/// Turns decoded bytes into text in `charset`, reusing the buffer for UTF-8.
fn decode_text(bytes: Vec<u8>, charset: Charset) -> Result<String> {
    match charset {
        Charset::Utf8 => String::from_utf8(bytes)
            .map_err(|_| Error::protocol("the form body is not valid UTF-8; check its charset")),
        Charset::Gbk => Ok(charset.decode(&bytes)?.into_owned()),
    }
}

/// The charset a notification declares; GB2312 is read as GBK, its superset.
fn notification_charset(value: &[u8]) -> Result<Charset> {
    let name = String::from_utf8_lossy(value);
    if name.eq_ignore_ascii_case("gb2312") {
        return Ok(Charset::Gbk);
    }
    name.parse().map_err(|_| {
        Error::protocol(format!(
            "the notification declares an unsupported charset `{name}`"
        ))
    })
}

fn trim_line_end(segment: &[u8]) -> &[u8] {
    let mut end = segment.len();
    while end > 0 && matches!(segment[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &segment[..end]
}

/// Form-decodes one component in a single pass: `+` is a space and `%XX` a byte; a `%` not followed by
/// two hex digits is kept as it is, as servlet containers and browsers do.
fn decode_component(component: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(component.len());
    let mut index = 0;
    while index < component.len() {
        let escaped = match component.get(index..index + 3) {
            Some([b'%', high, low]) => hex_pair(*high, *low),
            _ => None,
        };
        match (escaped, component[index]) {
            (Some(byte), _) => {
                decoded.push(byte);
                index += 3;
            }
            (None, b'+') => {
                decoded.push(b' ');
                index += 1;
            }
            (None, other) => {
                decoded.push(other);
                index += 1;
            }
        }
    }
    decoded
}

/// The byte two hex digits spell, if they are hex digits.
fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |byte: u8| (byte as char).to_digit(16).map(|value| value as u8);
    Some((digit(high)? << 4) | digit(low)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_in_sign_survives_and_values_are_decoded_once() {
        let params = parse_form(b"sign=ab%2Bc%2F%3D&passback_params=a%2526b&subject=a+b").unwrap();
        assert_eq!(params[0], ("sign".into(), "ab+c/=".into()));
        assert_eq!(params[1], ("passback_params".into(), "a%26b".into()));
        assert_eq!(params[2], ("subject".into(), "a b".into()));
    }

    #[test]
    fn gbk_bodies_are_decoded_in_gbk() {
        let params = parse_form(b"charset=GBK&subject=%D6%D0%CE%C4").unwrap();
        assert_eq!(params[1].1, "中文");
    }

    #[test]
    fn too_many_parameters_are_refused_before_decoding_them_all() {
        let body = "a=1&".repeat(5000);
        let error = parse_form_limited(body.as_bytes(), 100).err().unwrap();
        assert_eq!(error.kind(), "protocol");
        assert!(error.reason().contains("more than 100"), "{error}");
        assert_eq!(parse_form_limited(b"a=1&b=2", 2).unwrap().len(), 2);
    }

    #[test]
    fn a_long_duplicated_key_is_shortened_in_the_error() {
        let key = "k".repeat(10_000);
        let body = format!("{key}=1&{key}=2");
        let error = parse_form(body.as_bytes()).err().unwrap();
        assert!(error.reason().len() < 300, "{}", error.reason().len());
        assert!(error.reason().contains("twice"), "{error}");
    }

    #[test]
    fn duplicates_and_bad_bytes_are_refused() {
        assert_eq!(parse_form(b"a=1&a=2").err().unwrap().kind(), "protocol");
        assert_eq!(
            parse_form(b"subject=%FF%FE").err().unwrap().kind(),
            "protocol"
        );
        assert_eq!(parse_form(b"novalue").err().unwrap().kind(), "protocol");
    }
}
