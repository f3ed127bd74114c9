//! Turning the text a user pasted into DER bytes: PEM with any label, or bare Base64 on one or many lines.
//!
//! Tolerates CRLF, indentation, blank lines and a PEM whose header, body and footer share one line. Never
//! echoes the key text in an error: reasons name only labels, lengths and what to do.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// DER bytes decoded from a pasted key, with the PEM label when there was one.
pub(crate) struct DecodedText {
    /// The PEM label (`PRIVATE KEY`, `RSA PUBLIC KEY`, …), `None` for bare Base64.
    pub label: Option<String>,
    /// The DER bytes; zeroed on drop because they may hold a private key.
    pub der: Zeroizing<Vec<u8>>,
}

/// Decodes PEM or bare Base64 text. `what` names the expected thing for error reasons
/// (e.g. "private key").
pub(crate) fn decode_key_text(text: &str, what: &str) -> Result<DecodedText> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::config(format!(
            "the {what} is empty; expected a PEM block or one-line Base64"
        )));
    }
    let (label, body) = match trimmed.find("-----BEGIN ") {
        Some(start) => split_pem(&trimmed[start..], what)?,
        None => (None, trimmed),
    };
    if body.contains(':') {
        return Err(Error::config(format!(
            "the {what} PEM has headers (Proc-Type/DEK-Info): encrypted keys are not supported; \
             decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`"
        )));
    }
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_whitespace()).collect());
    if compact.is_empty() {
        return Err(Error::config(format!("the {what} PEM block is empty")));
    }
    let der = STANDARD.decode(compact.as_bytes()).map_err(|_| {
        Error::config(format!(
            "the {what} is not valid Base64 ({} characters after removing whitespace); \
             expected a PEM block or the one-line Base64 the Alipay console shows",
            compact.len()
        ))
    })?;
    Ok(DecodedText {
        label,
        der: Zeroizing::new(der),
    })
}

/// Splits `-----BEGIN L-----body-----END L-----` into the label and the body.
fn split_pem<'a>(pem: &'a str, what: &str) -> Result<(Option<String>, &'a str)> {
    let after_begin = &pem["-----BEGIN ".len()..];
    let label_end = after_begin.find("-----").ok_or_else(|| {
        Error::config(format!(
            "the {what} has a malformed PEM header (no closing dashes after BEGIN)"
        ))
    })?;
    let label = after_begin[..label_end].trim().to_string();
    let rest = &after_begin[label_end + "-----".len()..];
    let footer = format!("-----END {label}-----");
    let body_end = rest.find(&footer).ok_or_else(|| {
        Error::config(format!(
            "the {what} PEM block `{label}` has no matching END line: the key looks truncated"
        ))
    })?;
    Ok((Some(label), &rest[..body_end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_on_one_line_and_with_crlf_decode_the_same() {
        let one_line = decode_key_text("-----BEGIN X-----AAEC-----END X-----", "key").unwrap();
        let crlf = decode_key_text(
            "\r\n  -----BEGIN X-----\r\nAA\r\n  EC\r\n-----END X-----\r\n",
            "key",
        )
        .unwrap();
        assert_eq!(one_line.label.as_deref(), Some("X"));
        assert_eq!(*one_line.der, vec![0, 1, 2]);
        assert_eq!(*crlf.der, vec![0, 1, 2]);
    }

    #[test]
    fn bare_base64_has_no_label() {
        let decoded = decode_key_text("AAEC\n", "key").unwrap();
        assert!(decoded.label.is_none());
        assert_eq!(*decoded.der, vec![0, 1, 2]);
    }

    #[test]
    fn missing_footer_is_called_truncated() {
        let error = decode_key_text("-----BEGIN PRIVATE KEY-----\nAAEC", "private key")
            .err()
            .unwrap();
        assert!(error.reason().contains("truncated"), "{error}");
    }

    #[test]
    fn garbage_is_not_base64_and_is_not_echoed() {
        let error = decode_key_text("secret!!value", "private key")
            .err()
            .unwrap();
        assert!(error.reason().contains("Base64"), "{error}");
        assert!(!error.reason().contains("secret"), "{error}");
    }

    #[test]
    fn empty_text_says_empty() {
        let error = decode_key_text("  \n", "public key").err().unwrap();
        assert!(error.reason().contains("empty"), "{error}");
    }
}
