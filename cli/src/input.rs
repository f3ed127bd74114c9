//! Reading the CLI's inputs: files or standard input (`-`), keys, and JSON parameter objects.
//!
//! Every read is bounded: at most [`MAX_INPUT_BYTES`] (the body limit the core applies to responses and
//! notifications) plus one byte is read, so `--body /dev/zero` is refused at the limit instead of
//! growing until the memory runs out.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::Path;

use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::response::DEFAULT_MAX_BODY_BYTES;
use alipay_isv::{Error, Result};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// The most any input (a body, a key, a parameter file) may hold.
pub const MAX_INPUT_BYTES: usize = DEFAULT_MAX_BODY_BYTES;

/// What is being read: its name in errors, and the kind of error when it is over the limit.
#[derive(Clone, Copy)]
enum Input<'a> {
    /// A gateway body (response, notification): too large is a [`Error::Protocol`], as in the core.
    Body(&'a str),
    /// Anything else (a key, a certificate, parameters, a content): too large is a [`Error::Config`].
    Other(&'a str),
}

/// Reads `path` (or standard input for `-`) up to [`MAX_INPUT_BYTES`].
fn read_bounded(path: &str, input: Input<'_>) -> Result<Vec<u8>> {
    let (what, too_large): (&str, fn(String) -> Error) = match input {
        Input::Body(what) => (what, |reason| Error::protocol(reason)),
        Input::Other(what) => (what, |reason| Error::config(reason)),
    };
    let mut bytes = Vec::new();
    let limit = MAX_INPUT_BYTES as u64 + 1;
    if path == "-" {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                Error::config(format!("cannot read the {what} from standard input: {e}"))
            })?;
    } else {
        let failed =
            |e: std::io::Error| Error::config(format!("cannot read the {what} file `{path}`: {e}"));
        std::fs::File::open(Path::new(path))
            .map_err(failed)?
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(failed)?;
    }
    if bytes.len() > MAX_INPUT_BYTES {
        let source = if path == "-" {
            "on standard input".to_string()
        } else {
            format!("in `{path}`")
        };
        return Err(too_large(format!(
            "the {what} {source} is over the {MAX_INPUT_BYTES}-byte limit: refused without reading the rest"
        )));
    }
    Ok(bytes)
}

/// Reads a whole file, or standard input when the path is `-`, as UTF-8 text.
pub fn read_text(path: &str, what: &str) -> Result<String> {
    let bytes = read_bounded(path, Input::Other(what))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::config(format!("the {what} in `{path}` is not UTF-8 text")))
}

/// Reads a whole file, or standard input when the path is `-`, as bytes (certificates, bundles).
pub fn read_bytes(path: &str, what: &str) -> Result<Vec<u8>> {
    read_bounded(path, Input::Other(what))
}

/// Reads a gateway body (a response or a notification; bytes, as bodies may be GBK). Over the limit it
/// is a [`Error::Protocol`], as when the core refuses an oversized body.
pub fn read_body(path: &str, what: &str) -> Result<Vec<u8>> {
    read_bounded(path, Input::Body(what))
}

/// Reads and parses a private key file.
pub fn read_private_key(path: &str) -> Result<PrivateKey> {
    PrivateKey::from_text(&read_text(path, "private key")?)
}

/// Reads and parses a public key (or certificate) file.
pub fn read_public_key(path: &str) -> Result<PublicKey> {
    PublicKey::from_text(&read_text(path, "public key")?)
}

/// Parses a JSON object whose values are all strings, keeping the order of the file. A key given twice
/// is refused (a plain JSON map would silently keep the last one, and sign something else than what
/// the file seems to say).
pub fn parse_params(text: &str) -> Result<Vec<(String, String)>> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = ParamsSeed {
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|entries| deserializer.end().map(|()| entries));
    let entries = match parsed {
        Ok(Some(entries)) => entries,
        Ok(None) => return Err(Error::config("the params must be a JSON object of strings")),
        Err(_) if duplicate.borrow().is_some() => {
            let key = duplicate.take().unwrap_or_default();
            return Err(Error::config(format!(
                "the params give the key `{key}` more than once; each parameter may appear only once"
            )));
        }
        Err(e) => return Err(Error::config(format!("the params are not valid JSON: {e}"))),
    };
    entries
        .into_iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => Ok((key, text)),
            other => Err(Error::config(format!(
                "the param `{key}` is {}, but every value must be a string \
                 (biz_content too: a JSON text inside a string)",
                type_name(&other)
            ))),
        })
        .collect()
}

/// Reads a JSON value as `Some(entries in order)` when it is an object (refusing a repeated key, which
/// is written to `duplicate`), `None` when it is anything else.
struct ParamsSeed<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

type Entries = Vec<(String, serde_json::Value)>;

impl<'de> DeserializeSeed<'de> for ParamsSeed<'_> {
    type Value = Option<Entries>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParamsSeed<'_> {
    type Value = Option<Entries>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object of strings")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                let error = de::Error::custom(format_args!("duplicate key `{key}`"));
                *self.duplicate.borrow_mut() = Some(key);
                return Err(error);
            }
            let value = map.next_value::<serde_json::Value>()?;
            entries.push((key, value));
        }
        Ok(Some(entries))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
}

fn type_name(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_their_order_and_refuse_a_repeated_key() {
        assert_eq!(
            parse_params(r#"{"b":"2","a":"1"}"#).unwrap(),
            vec![("b".into(), "2".into()), ("a".into(), "1".into())]
        );
        let reason = parse_params(r#"{"app_id":"1","x":"y","app_id":"2"}"#)
            .unwrap_err()
            .reason();
        assert!(reason.contains("`app_id`"), "{reason}");
        assert!(reason.contains("more than once"), "{reason}");
        // A repeated key inside a (refused) nested value is not the duplicate reported.
        let nested = parse_params(r#"{"a":{"k":"1","k":"2"}}"#)
            .unwrap_err()
            .reason();
        assert!(nested.contains("`a` is an object"), "{nested}");
        for not_object in ["[1,2]", "\"text\"", "1", "null", "true"] {
            let reason = parse_params(not_object).unwrap_err().reason();
            assert!(
                reason.contains("must be a JSON object"),
                "{not_object}: {reason}"
            );
        }
        let broken = parse_params(r#"{"a":"1""#).unwrap_err().reason();
        assert!(broken.contains("not valid JSON"), "{broken}");
        let trailing = parse_params(r#"{"a":"1"} x"#).unwrap_err().reason();
        assert!(trailing.contains("not valid JSON"), "{trailing}");
    }
}
