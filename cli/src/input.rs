//! Reading the CLI's inputs: files or standard input (`-`), keys, and JSON parameter objects.

use std::io::Read;
use std::path::Path;

use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::{Error, Result};

/// Reads a whole file, or standard input when the path is `-`, as UTF-8 text.
pub fn read_text(path: &str, what: &str) -> Result<String> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            Error::config(format!("cannot read the {what} from standard input: {e}"))
        })?;
    } else {
        bytes = std::fs::read(Path::new(path))
            .map_err(|e| Error::config(format!("cannot read the {what} file `{path}`: {e}")))?;
    }
    String::from_utf8(bytes)
        .map_err(|_| Error::config(format!("the {what} in `{path}` is not UTF-8 text")))
}

/// Reads and parses a private key file.
pub fn read_private_key(path: &str) -> Result<PrivateKey> {
    PrivateKey::from_text(&read_text(path, "private key")?)
}

/// Reads and parses a public key (or certificate) file.
pub fn read_public_key(path: &str) -> Result<PublicKey> {
    PublicKey::from_text(&read_text(path, "public key")?)
}

/// Parses a JSON object whose values are all strings, keeping the order of the file.
pub fn parse_params(text: &str) -> Result<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::config(format!("the params are not valid JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| Error::config("the params must be a JSON object of strings"))?;
    object
        .iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => Ok((key.clone(), text.clone())),
            other => Err(Error::config(format!(
                "the param `{key}` is {}, but every value must be a string \
                 (biz_content too: a JSON text inside a string)",
                type_name(other)
            ))),
        })
        .collect()
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

/// Reads a whole file, or standard input when the path is `-`, as bytes (bodies may be GBK).
pub fn read_bytes(path: &str, what: &str) -> Result<Vec<u8>> {
    if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            Error::config(format!("cannot read the {what} from standard input: {e}"))
        })?;
        return Ok(bytes);
    }
    std::fs::read(Path::new(path))
        .map_err(|e| Error::config(format!("cannot read the {what} file `{path}`: {e}")))
}
