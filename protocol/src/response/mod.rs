//! Gateway responses: extraction of the signed node as raw text, duplicate-root rejection, verification
//! with the Java SDK's policy, AES decryption, charset decoding, and typed API errors.
//!
//! Policy (the Java SDK's): a success must be signed; a signed error is verified then surfaced as
//! [`Error::Api`] with `signed = true`; an unsigned error (the gateway's own, such as a bad `app_id`) is
//! surfaced with `signed = false`. A node failing verification is retried once with `\/` → `/`.
//!
//! Certificate mode ([`ResponseVerifier::with_cert_store`]): the key is the one of the certificate the
//! body's `alipay_cert_sn` names; a success without `alipay_cert_sn` fails; an error without it is
//! verified with the configured Alipay certificate. An SN the store does not know is reported by
//! [`ResponseVerifier::check`] as [`ResponseCheck::NeedsCertificate`], so the caller can download the
//! certificate ([`crate::cert::ALIPAY_CERT_DOWNLOAD_METHOD`]), trust it, and check again —
//! `Client` (crate `alipay-isv`) does this by itself.

pub(crate) mod hints;
mod scan;

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use hints::hint_for;
pub use scan::{
    DEFAULT_MAX_ROOT_KEYS, NodeKind, SignedNode, extract_signed_node, extract_signed_node_limited,
    response_node_name,
};

use crate::aes::AesKey;
use crate::cert::AlipayCertStore;
use crate::error::{ApiError, Error, Result};
use crate::key::PublicKey;
use crate::sign::{Charset, SignType, Verifier};

/// Bodies larger than this are refused unless configured otherwise: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A verified response node.
#[derive(Clone, PartialEq)]
pub struct VerifiedResponse {
    /// The node's fields (decrypted first when the node was AES-encrypted).
    pub fields: Map<String, Value>,
    /// The `alipay_cert_sn` the body named, in certificate mode.
    pub alipay_cert_sn: Option<String>,
}

impl VerifiedResponse {
    /// The answer's `code` (`10000` for a success), when it has one.
    pub fn code(&self) -> Option<&str> {
        self.fields.get("code").and_then(Value::as_str)
    }
}

impl fmt::Debug for VerifiedResponse {
    /// Field names only: answers carry tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedResponse")
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .field("alipay_cert_sn", &self.alipay_cert_sn)
            .finish()
    }
}

/// A verified response node kept as its JSON text, for callers that build their own objects from it
/// (a binding handing it to its language's JSON parser, a typed `Deserialize`): verification without
/// the cost of parsing every field into a [`Map`].
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedNode {
    /// The node exactly as verified — or its plaintext when it was AES-encrypted. Always one
    /// syntactically valid JSON object. May carry tokens.
    pub json: String,
    /// The `alipay_cert_sn` the body named, in certificate mode.
    pub alipay_cert_sn: Option<String>,
}

impl VerifiedNode {
    /// The node's fields.
    ///
    /// # Errors
    /// None in practice: [`VerifiedNode::json`] is always a JSON object.
    pub fn fields(&self) -> Result<Map<String, Value>> {
        parse_object(&self.json)
    }

    /// The node as a [`VerifiedResponse`].
    ///
    /// # Errors
    /// As for [`VerifiedNode::fields`].
    pub fn into_response(self) -> Result<VerifiedResponse> {
        Ok(VerifiedResponse {
            fields: self.fields()?,
            alipay_cert_sn: self.alipay_cert_sn,
        })
    }
}

impl fmt::Debug for VerifiedNode {
    /// The size only: answers carry tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedNode")
            .field("json", &format_args!("<{} bytes>", self.json.len()))
            .field("alipay_cert_sn", &self.alipay_cert_sn)
            .finish()
    }
}

/// The outcome of [`ResponseVerifier::check_node`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeCheck {
    /// The body verified.
    Verified(VerifiedNode),
    /// Certificate mode: as [`ResponseCheck::NeedsCertificate`].
    NeedsCertificate {
        /// The `alipay_cert_sn` the body names.
        alipay_cert_sn: String,
    },
}

/// The outcome of [`ResponseVerifier::check`].
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseCheck {
    /// The body verified.
    Verified(VerifiedResponse),
    /// Certificate mode: the body is signed by an Alipay certificate the store does not know yet.
    /// Download it by this SN, trust it, and check the same body again.
    NeedsCertificate {
        /// The `alipay_cert_sn` the body names.
        alipay_cert_sn: String,
    },
}

/// Verifies gateway response bodies with the Alipay public key (or, in certificate mode, with the
/// Alipay certificate the body names).
#[derive(Debug, Clone)]
pub struct ResponseVerifier {
    verifier: Verifier,
    aes_key: Option<AesKey>,
    max_body_bytes: usize,
    max_root_keys: usize,
    cert_store: Option<Arc<AlipayCertStore>>,
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
            max_root_keys: DEFAULT_MAX_ROOT_KEYS,
            cert_store: None,
        })
    }

    /// Certificate mode: choose the key by the body's `alipay_cert_sn` among the store's certificates.
    pub fn with_cert_store(mut self, store: Arc<AlipayCertStore>) -> Self {
        self.cert_store = Some(store);
        self
    }

    /// The certificate store, in certificate mode.
    pub fn cert_store(&self) -> Option<&Arc<AlipayCertStore>> {
        self.cert_store.as_ref()
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
            max_root_keys: self.max_root_keys,
            cert_store: self.cert_store.clone(),
        })
    }

    /// Refuse bodies larger than `limit` bytes.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Refuse bodies with more than `limit` root keys (default [`DEFAULT_MAX_ROOT_KEYS`]).
    pub fn with_max_root_keys(mut self, limit: usize) -> Self {
        self.max_root_keys = limit;
        self
    }

    /// Verifies the body answered for `method` and returns its fields.
    ///
    /// # Errors
    /// [`Error::Api`] for an error answer (flagged `signed` or not), [`Error::Signature`] when a signature
    /// is missing on success or does not verify, [`Error::Protocol`] for a malformed, truncated,
    /// oversized, wrongly encoded or duplicated body, [`Error::Config`] for an encrypted node without an
    /// AES key. In certificate mode, [`Error::Signature`] also for a success without `alipay_cert_sn`
    /// and for an `alipay_cert_sn` the store does not know (its reason names the SN; see
    /// [`ResponseVerifier::check`]).
    pub fn verify(&self, method: &str, body: &[u8]) -> Result<VerifiedResponse> {
        self.verify_node(method, body)?.into_response()
    }

    /// Verifies the body as [`ResponseVerifier::verify`] does, but reports an unknown `alipay_cert_sn`
    /// (certificate mode) as [`ResponseCheck::NeedsCertificate`] instead of an error.
    ///
    /// # Errors
    /// As for [`ResponseVerifier::verify`].
    pub fn check(&self, method: &str, body: &[u8]) -> Result<ResponseCheck> {
        self.check_with(method, body, None)
    }

    /// Verifies the body as [`ResponseVerifier::verify`] does and returns the node as JSON text,
    /// without parsing its fields (only `code`, `msg`, `sub_code` and `sub_msg` are read, to tell an
    /// error from a success).
    ///
    /// # Errors
    /// As for [`ResponseVerifier::verify`].
    pub fn verify_node(&self, method: &str, body: &[u8]) -> Result<VerifiedNode> {
        match self.check_node(method, body)? {
            NodeCheck::Verified(node) => Ok(node),
            NodeCheck::NeedsCertificate { alipay_cert_sn } => {
                Err(untrusted_certificate(&alipay_cert_sn))
            }
        }
    }

    /// [`ResponseVerifier::verify_node`], reporting an unknown `alipay_cert_sn` (certificate mode) as
    /// [`NodeCheck::NeedsCertificate`] instead of an error.
    ///
    /// # Errors
    /// As for [`ResponseVerifier::verify`].
    pub fn check_node(&self, method: &str, body: &[u8]) -> Result<NodeCheck> {
        self.check_node_with(method, body, None)
    }

    /// [`ResponseVerifier::check`], trusting one more certificate (SN and key) for this body only — how
    /// a certificate download answer is verified by the certificate it carries before it is trusted.
    ///
    /// # Errors
    /// As for [`ResponseVerifier::verify`].
    pub fn check_with(
        &self,
        method: &str,
        body: &[u8],
        extra: Option<(&str, &Arc<PublicKey>)>,
    ) -> Result<ResponseCheck> {
        Ok(match self.check_node_with(method, body, extra)? {
            NodeCheck::Verified(node) => ResponseCheck::Verified(node.into_response()?),
            NodeCheck::NeedsCertificate { alipay_cert_sn } => {
                ResponseCheck::NeedsCertificate { alipay_cert_sn }
            }
        })
    }

    /// [`ResponseVerifier::check_node`], trusting one more certificate (SN and key) for this body only.
    fn check_node_with(
        &self,
        method: &str,
        body: &[u8],
        extra: Option<(&str, &Arc<PublicKey>)>,
    ) -> Result<NodeCheck> {
        if body.len() > self.max_body_bytes {
            return Err(Error::protocol(format!(
                "the response is {} bytes, over the {}-byte limit",
                body.len(),
                self.max_body_bytes
            )));
        }
        let text = self.verifier.charset().decode(body)?;
        let node = extract_signed_node_limited(&text, method, self.max_root_keys)?;
        // `None` for an AES-encrypted node (a JSON string): its status is read once decrypted.
        let plain_status = if node.raw.starts_with('{') {
            Some(NodeStatus::read(node.raw)?)
        } else {
            None
        };
        let is_error = node.kind == NodeKind::Error
            || plain_status
                .as_ref()
                .is_some_and(|status| status.api_error(false).is_some());
        let signed = match node.sign.as_deref() {
            Some(sign) => {
                let cert_verifier;
                let verifier = match &self.cert_store {
                    None => &self.verifier,
                    Some(store) => {
                        let key = match (node.alipay_cert_sn.as_deref(), extra) {
                            (Some(sn), Some((extra_sn, key))) if sn == extra_sn => key.clone(),
                            (Some(sn), _) => match store.key(sn) {
                                Some(key) => key,
                                None => {
                                    return Ok(NodeCheck::NeedsCertificate {
                                        alipay_cert_sn: sn.to_string(),
                                    });
                                }
                            },
                            (None, _) if is_error => store.configured_key().clone(),
                            (None, _) => {
                                return Err(Error::signature(format!(
                                    "the `{}` answer names no alipay_cert_sn: in certificate mode a \
                                     success must say which Alipay certificate signed it (refused)",
                                    response_node_name(method)
                                )));
                            }
                        };
                        cert_verifier =
                            Verifier::new(key, self.verifier.sign_type(), self.verifier.charset())?;
                        &cert_verifier
                    }
                };
                verify_node(verifier, node.raw, sign)?;
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
        let (json, status) = match plain_status {
            Some(status) => (node.raw.to_string(), status),
            None => {
                let json = self.decrypt_node(node.raw)?;
                let status = NodeStatus::read(&json)?;
                (json, status)
            }
        };
        if let Some(api_error) = status.api_error(signed) {
            return Err(Error::Api(Box::new(api_error)));
        }
        Ok(NodeCheck::Verified(VerifiedNode {
            json,
            alipay_cert_sn: node.alipay_cert_sn,
        }))
    }

    /// Decrypts a node that is a JSON string of Base64 ciphertext; returns the plaintext JSON.
    fn decrypt_node(&self, raw: &str) -> Result<String> {
        let ciphertext: String = serde_json::from_str(raw).map_err(|_| {
            Error::protocol("the response node is neither an object nor an encrypted string")
        })?;
        let aes_key = self.aes_key.as_ref().ok_or_else(|| {
            Error::config("the response is AES-encrypted (encrypt_type=AES): configure the AES key")
        })?;
        let plain = aes_key.decrypt(&ciphertext)?;
        Ok(self.verifier.charset().decode(&plain)?.into_owned())
    }
}

/// The error of a body signed by a certificate the store does not trust yet.
fn untrusted_certificate(alipay_cert_sn: &str) -> Error {
    Error::signature(format!(
        "the answer is signed by the Alipay certificate {alipay_cert_sn}, which is not trusted \
         yet: download it with {} (Client::fetch_alipay_cert) and verify again",
        crate::cert::ALIPAY_CERT_DOWNLOAD_METHOD
    ))
}

/// Verifies the raw node text, retrying once with `\/` unescaped as the Java SDK does.
fn verify_node(verifier: &Verifier, raw: &str, sign: &str) -> Result<()> {
    match verifier.verify(raw, sign) {
        Err(Error::Signature { reason }) if raw.contains("\\/") => verifier
            .verify(&raw.replace("\\/", "/"), sign)
            .map_err(|_| Error::Signature { reason }),
        other => other,
    }
}

fn parse_object(text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => Ok(fields),
        _ => Err(Error::protocol("the response node is not a JSON object")),
    }
}

/// The four fields that tell an error from a success, read without parsing the rest of the node.
#[derive(Deserialize)]
struct NodeStatus {
    code: Option<Value>,
    msg: Option<Value>,
    sub_code: Option<Value>,
    sub_msg: Option<Value>,
}

impl NodeStatus {
    /// Reads them from the node's JSON text.
    fn read(json: &str) -> Result<NodeStatus> {
        serde_json::from_str(json).map_err(|error| {
            Error::protocol(format!(
                "the response node is not a JSON object with one `code`, `msg`, `sub_code` and \
                 `sub_msg` at most: {error}"
            ))
        })
    }

    /// The API error the node describes: a non-empty `sub_code`, or a `code` other than `10000`.
    fn api_error(&self, signed: bool) -> Option<ApiError> {
        let code = text_of(self.code.as_ref());
        let sub_code = text_of(self.sub_code.as_ref());
        let failed = sub_code.is_some() || code.as_deref().is_some_and(|code| code != "10000");
        if !failed {
            return None;
        }
        let code = code.unwrap_or_default();
        let hint = hint_for(&code, sub_code.as_deref()).map(str::to_string);
        Some(ApiError {
            msg: text_of(self.msg.as_ref()).unwrap_or_default(),
            sub_msg: text_of(self.sub_msg.as_ref()),
            code,
            sub_code,
            signed,
            hint,
            ..ApiError::default()
        })
    }
}

/// A status field as text: a non-empty string, or a number.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if text.is_empty() => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}
