//! Gateway responses: extraction of the signed node as raw text, duplicate-root rejection, verification
//! with the Java SDK's policy, AES decryption, charset decoding, and typed API errors.
//!
//! Policy (the Java SDK's): a success must be signed; a signed error is verified then surfaced as
//! [`Error::Api`] with `signed = true`; an unsigned error (the gateway's own, such as a bad `app_id`) is
//! surfaced with `signed = false`. A node failing verification is retried once with `\/` → `/`.

mod hints;
mod scan;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use hints::hint_for;
pub use scan::{NodeKind, SignedNode, extract_signed_node, response_node_name};

use crate::aes::AesKey;
use crate::error::{ApiError, Error, Result};
use crate::key::PublicKey;
use crate::sign::{Charset, SignType, Verifier};

/// Bodies larger than this are refused unless configured otherwise: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A verified response node.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedResponse {
    /// The node's fields (decrypted first when the node was AES-encrypted).
    pub fields: Map<String, Value>,
    /// The `alipay_cert_sn` the body named, in certificate mode.
    pub alipay_cert_sn: Option<String>,
}

/// Verifies gateway response bodies with the Alipay public key.
#[derive(Debug, Clone)]
pub struct ResponseVerifier {
    verifier: Verifier,
    aes_key: Option<AesKey>,
    max_body_bytes: usize,
}

impl ResponseVerifier {
    /// A verifier of responses signed with `alipay_public_key`, in the request's `sign_type` and `charset`.
    ///
    /// # Errors
    /// [`Error::Config`] when the key does not fit the sign type.
    pub fn new(
        alipay_public_key: Arc<PublicKey>,
        sign_type: SignType,
        charset: Charset,
    ) -> Result<Self> {
        Ok(ResponseVerifier {
            verifier: Verifier::new(alipay_public_key, sign_type, charset)?,
            aes_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        })
    }

    /// Decrypt AES-encrypted nodes with this key.
    pub fn with_aes_key(mut self, aes_key: AesKey) -> Self {
        self.aes_key = Some(aes_key);
        self
    }

    /// The charset bodies are decoded and verified in.
    pub fn charset(&self) -> Charset {
        self.verifier.charset()
    }

    /// The same verifier for a body in another charset: Alipay sometimes answers in GBK (declared in the
    /// `Content-Type`) although UTF-8 was asked; decode and verify in the declared one.
    ///
    /// # Errors
    /// [`Error::Config`] as for [`ResponseVerifier::new`].
    pub fn in_charset(&self, charset: Charset) -> Result<Self> {
        if charset == self.verifier.charset() {
            return Ok(self.clone());
        }
        Ok(ResponseVerifier {
            verifier: Verifier::new(
                self.verifier.key().clone(),
                self.verifier.sign_type(),
                charset,
            )?,
            aes_key: self.aes_key.clone(),
            max_body_bytes: self.max_body_bytes,
        })
    }

    /// Refuse bodies larger than `limit` bytes.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Verifies the body answered for `method` and returns its fields.
    ///
    /// # Errors
    /// [`Error::Api`] for an error answer (flagged `signed` or not), [`Error::Signature`] when a signature
    /// is missing on success or does not verify, [`Error::Protocol`] for a malformed, truncated,
    /// oversized, wrongly encoded or duplicated body, [`Error::Config`] for an encrypted node without an
    /// AES key.
    pub fn verify(&self, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
        if body.len() > self.max_body_bytes {
            return Err(Error::protocol(format!(
                "the response is {} bytes, over the {}-byte limit",
                body.len(),
                self.max_body_bytes
            )));
        }
        let text = self.verifier.charset().decode(body)?;
        let node = extract_signed_node(&text, method)?;
        let plain_fields = parse_object(node.raw).ok();
        let is_error = node.kind == NodeKind::Error
            || plain_fields
                .as_ref()
                .is_some_and(|fields| api_error_of(fields, false).is_some());
        let signed = match node.sign.as_deref() {
            Some(sign) => {
                self.verify_node(node.raw, sign)?;
                true
            }
            None if is_error => false,
            None => {
                return Err(Error::signature(format!(
                    "the `{}` answer carries no sign: a success must be signed (refused)",
                    response_node_name(method)
                )));
            }
        };
        let fields = match plain_fields {
            Some(fields) => fields,
            None => self.decrypt_node(node.raw)?,
        };
        if let Some(api_error) = api_error_of(&fields, signed) {
            return Err(Error::Api(Box::new(api_error)));
        }
        Ok(VerifiedResponse {
            fields,
            alipay_cert_sn: node.alipay_cert_sn,
        })
    }

    /// Verifies the raw node text, retrying once with `\/` unescaped as the Java SDK does.
    fn verify_node(&self, raw: &str, sign: &str) -> Result<()> {
        match self.verifier.verify(raw, sign) {
            Err(Error::Signature { reason }) if raw.contains("\\/") => self
                .verifier
                .verify(&raw.replace("\\/", "/"), sign)
                .map_err(|_| Error::Signature { reason }),
            other => other,
        }
    }

    /// Decrypts a node that is a JSON string of Base64 ciphertext.
    fn decrypt_node(&self, raw: &str) -> Result<Map<String, Value>> {
        let ciphertext: String = serde_json::from_str(raw).map_err(|_| {
            Error::protocol("the response node is neither an object nor an encrypted string")
        })?;
        let aes_key = self.aes_key.as_ref().ok_or_else(|| {
            Error::config("the response is AES-encrypted (encrypt_type=AES): configure the AES key")
        })?;
        let plain = aes_key.decrypt(&ciphertext)?;
        let text = self.verifier.charset().decode(&plain)?;
        parse_object(&text)
    }
}

fn parse_object(text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err(Error::protocol("the response node is not a JSON object")),
    }
}

fn text_field(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The API error a node describes: a non-empty `sub_code`, or a `code` other than `10000`.
fn api_error_of(fields: &Map<String, Value>, signed: bool) -> Option<ApiError> {
    let code = text_field(fields, "code");
    let sub_code = text_field(fields, "sub_code");
    let failed = sub_code.is_some() || code.as_deref().is_some_and(|code| code != "10000");
    if !failed {
        return None;
    }
    let code = code.unwrap_or_default();
    let hint = hint_for(&code, sub_code.as_deref()).map(str::to_string);
    Some(ApiError {
        msg: text_field(fields, "msg").unwrap_or_default(),
        sub_msg: text_field(fields, "sub_msg"),
        code,
        sub_code,
        signed,
        hint,
    })
}
