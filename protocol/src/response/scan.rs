//! Finding the signed node of a gateway response body as the exact raw text Alipay signed.
//!
//! The body is `{"<method>_response": {...}, "sign": "..."}` (or `error_response`), possibly with
//! `alipay_cert_sn`, in any key order and with any whitespace. The node is taken with serde_json's
//! `RawValue`, which borrows the value's exact bytes — never re-serialised — and every root key is seen,
//! so a node that appears twice (a signature-wrapping attack) is refused.

use std::collections::HashSet;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, Result, SHOWN_CHARS, shortened};

/// Which root node carried the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// `<method with . → _>_response`.
    Method,
    /// `error_response`, used by the gateway for errors found before the API ran.
    Error,
}

/// The parts of a response body that verification needs.
#[derive(Debug)]
pub struct SignedNode<'body> {
    /// Which node was found.
    pub kind: NodeKind,
    /// The node's value exactly as it appears in the body (`{...}`, or `"..."` with AES).
    pub raw: &'body str,
    /// The root `sign`, when present.
    pub sign: Option<String>,
    /// The root `alipay_cert_sn`, when present (certificate mode).
    pub alipay_cert_sn: Option<String>,
}

/// The root node name of a method: `alipay.user.info.share` → `alipay_user_info_share_response`.
pub fn response_node_name(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// Extracts the signed node for `method` from a body.
///
/// # Errors
/// [`Error::Protocol`] when the body is not a JSON object (HTML, truncated text), when a root key appears
/// twice, when neither `<method>_response` nor `error_response` is present, or when `sign` is not a string.
pub fn extract_signed_node<'body>(body: &'body str, method: &str) -> Result<SignedNode<'body>> {
    extract_signed_node_limited(body, method, DEFAULT_MAX_ROOT_KEYS)
}

/// How many root keys a response may have by default: a real one has two or three.
pub const DEFAULT_MAX_ROOT_KEYS: usize = 1000;

/// [`extract_signed_node`] refusing a body with more than `max_root_keys` root keys, in time linear in
/// the body's size.
///
/// # Errors
/// As for [`extract_signed_node`], and [`Error::Protocol`] for too many root keys.
pub fn extract_signed_node_limited<'body>(
    body: &'body str,
    method: &str,
    max_root_keys: usize,
) -> Result<SignedNode<'body>> {
    let trimmed = body.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !trimmed.starts_with('{') {
        return Err(Error::protocol(format!(
            "the response is not JSON: it starts with {:?}{}",
            trimmed.chars().take(24).collect::<String>(),
            if trimmed.starts_with('<') {
                " (an HTML or XML page: is the gateway URL right, or is a proxy answering?)"
            } else {
                ""
            }
        )));
    }
    let entries = root_entries(body, max_root_keys)?;
    let method_node = response_node_name(method);
    let find = |name: &str| {
        entries
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, raw)| *raw)
    };
    let (kind, raw) = match (find(&method_node), find("error_response")) {
        (Some(raw), _) => (NodeKind::Method, raw),
        (None, Some(raw)) => (NodeKind::Error, raw),
        (None, None) => {
            const SHOWN_KEYS: usize = 8;
            let mut keys: Vec<String> = entries
                .iter()
                .take(SHOWN_KEYS)
                .map(|(key, _)| shortened(key, SHOWN_CHARS))
                .collect();
            if entries.len() > SHOWN_KEYS {
                keys.push(format!("… {} more", entries.len() - SHOWN_KEYS));
            }
            return Err(Error::protocol(format!(
                "the response has neither `{method_node}` nor `error_response` (root keys: {keys:?}); \
                 was it answered for another method?"
            )));
        }
    };
    Ok(SignedNode {
        kind,
        raw: raw.get(),
        sign: string_field(find("sign"), "sign")?,
        alipay_cert_sn: string_field(find("alipay_cert_sn"), "alipay_cert_sn")?,
    })
}

fn string_field(raw: Option<&RawValue>, name: &str) -> Result<Option<String>> {
    raw.map(|raw| {
        serde_json::from_str::<String>(raw.get())
            .map_err(|_| Error::protocol(format!("the root `{name}` is not a JSON string")))
    })
    .transpose()
}

/// Every root entry in order, refusing duplicated keys.
fn root_entries(body: &str, max_root_keys: usize) -> Result<Vec<(String, &RawValue)>> {
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let entries = deserializer
        .deserialize_map(RootVisitor { max_root_keys })
        .map_err(|e| describe_json_error(&e))?;
    deserializer
        .end()
        .map_err(|_| Error::protocol("the response has text after its closing brace"))?;
    Ok(entries)
}

fn describe_json_error(error: &serde_json::Error) -> Error {
    let text = error.to_string();
    if let Some(duplicate) = text.strip_prefix(DUPLICATE_MARKER) {
        let key = duplicate.split(" at line").next().unwrap_or(duplicate);
        return Error::protocol(format!(
            "the response has the root node `{}` twice: refused (a signature-wrapping attempt or a \
             broken proxy)",
            shortened(key, SHOWN_CHARS)
        ));
    }
    if let Some(limit) = text.strip_prefix(TOO_MANY_MARKER) {
        let limit = limit.split(" at line").next().unwrap_or(limit);
        return Error::protocol(format!(
            "the response has more than {limit} root keys: refused (a real answer has two or three)"
        ));
    }
    if error.is_eof() {
        return Error::protocol(format!(
            "the response is truncated (JSON ended early at line {} column {})",
            error.line(),
            error.column()
        ));
    }
    Error::protocol(format!(
        "the response is not valid JSON: {}",
        shortened(&text, 200)
    ))
}

const DUPLICATE_MARKER: &str = "duplicate root key ";
const TOO_MANY_MARKER: &str = "too many root keys ";

/// Collects the root entries, refusing a repeated key (one hash-set lookup each) and more than
/// `max_root_keys` of them.
struct RootVisitor {
    max_root_keys: usize,
}

impl<'de> Visitor<'de> for RootVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(String, &'de RawValue)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            if entries.len() == self.max_root_keys {
                return Err(serde::de::Error::custom(format!(
                    "{TOO_MANY_MARKER}{}",
                    self.max_root_keys
                )));
            }
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE_MARKER}{key}")));
            }
            entries.push((key, value));
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHOD: &str = "alipay.user.info.share";

    #[test]
    fn raw_text_is_exactly_what_the_body_holds() {
        let body = "{ \"sign\":\"abc\" ,\n \"alipay_user_info_share_response\" : {\"code\":\"10000\", \"nick_name\":\"a}\\\"{\"} , \"alipay_cert_sn\":\"sn\"}";
        let node = extract_signed_node(body, METHOD).unwrap();
        assert_eq!(node.kind, NodeKind::Method);
        assert_eq!(node.raw, "{\"code\":\"10000\", \"nick_name\":\"a}\\\"{\"}");
        assert_eq!(node.sign.as_deref(), Some("abc"));
        assert_eq!(node.alipay_cert_sn.as_deref(), Some("sn"));
    }

    #[test]
    fn a_duplicated_root_node_is_refused() {
        let body = r#"{"alipay_user_info_share_response":{"code":"10000"},"alipay_user_info_share_response":{"code":"10000","user_id":"x"},"sign":"s"}"#;
        let error = extract_signed_node(body, METHOD).err().unwrap();
        assert_eq!(error.kind(), "protocol");
        assert!(error.reason().contains("twice"), "{error}");
    }

    #[test]
    fn html_and_truncation_are_named() {
        let html = extract_signed_node("<html><body>502</body></html>", METHOD)
            .err()
            .unwrap();
        assert!(html.reason().contains("HTML"), "{html}");
        let cut = extract_signed_node(r#"{"alipay_user_info_share_response":{"code":"100"#, METHOD)
            .err()
            .unwrap();
        assert!(cut.reason().contains("truncated"), "{cut}");
    }

    #[test]
    fn error_response_is_the_fallback() {
        let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments"}}"#;
        let node = extract_signed_node(body, METHOD).unwrap();
        assert_eq!(node.kind, NodeKind::Error);
        assert!(node.sign.is_none());
    }
}
