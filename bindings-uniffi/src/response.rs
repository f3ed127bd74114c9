//! Gateway responses, mirroring `alipay_isv::response`: [`ResponseVerifier`] checks a raw body (the
//! exact signed node text, duplicate roots, the `\/` retry, AES, GBK, the size limit) and returns a
//! [`VerifiedResponse`], or throws `AlipayException.Api` / `.Signature` / `.Protocol` / `.Config`;
//! in certificate mode [`ResponseVerifier::check`] tells an answer signed by an Alipay certificate
//! not trusted yet ([`ResponseCheck::NeedsCertificate`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use alipay_isv::response as core;
use alipay_isv::sign as core_sign;
use serde_json::{Map, Value};

use crate::aes::AesKey;
use crate::error::{Result, guard};
use crate::key::PublicKey;
use crate::sign::{Charset, SignType};

/// A verified response node.
///
/// `toString()` shows the field names only: a token response holds `access_token` and
/// `app_auth_token`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct VerifiedResponse {
    /// The node's fields (decrypted first when it was AES-encrypted) as compact JSON object text:
    /// parse it with any JSON library, e.g. `JSONObject(response.fieldsJson)`.
    pub fields_json: String,
    /// The top-level fields whose values are strings, numbers or booleans, as text (nested objects,
    /// arrays and nulls are only in `fieldsJson`).
    pub fields: HashMap<String, String>,
    /// The `alipay_cert_sn` the body named (certificate mode), or null.
    pub alipay_cert_sn: Option<String>,
}

impl VerifiedResponse {
    /// Converts the core result.
    pub(crate) fn from_core(response: core::VerifiedResponse) -> Self {
        VerifiedResponse {
            fields: scalar_fields(&response.fields),
            fields_json: Value::Object(response.fields).to_string(),
            alipay_cert_sn: response.alipay_cert_sn,
        }
    }
}

/// The top-level scalar fields as text.
pub(crate) fn scalar_fields(fields: &Map<String, Value>) -> HashMap<String, String> {
    fields
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                _ => return None,
            };
            Some((name.clone(), text))
        })
        .collect()
}

impl fmt::Debug for VerifiedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for VerifiedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = match serde_json::from_str::<Map<String, Value>>(&self.fields_json)
        {
            Ok(fields) => fields.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        write!(
            f,
            "VerifiedResponse(fields={names:?}, alipayCertSn={})",
            self.alipay_cert_sn.as_deref().unwrap_or("null")
        )
    }
}

/// Verifies gateway response bodies with the Alipay public key (Kotlin:
/// `config.responseVerifier()`, or `ResponseVerifier(alipayPublicKey)` on its own).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct ResponseVerifier {
    inner: core::ResponseVerifier,
}

impl ResponseVerifier {
    /// Wraps a core verifier.
    pub(crate) fn wrap(inner: core::ResponseVerifier) -> Arc<Self> {
        Arc::new(ResponseVerifier { inner })
    }
}

#[uniffi::export]
impl ResponseVerifier {
    /// A verifier of responses signed with `alipay_public_key`, in the request's `sign_type`
    /// (default RSA2) and `charset` (default UTF-8); `aes_key` decrypts encrypted nodes;
    /// `max_body_bytes` (default 10 MiB) refuses larger bodies.
    ///
    /// Throws `AlipayException.Config` when the key does not fit the sign type or the limit is 0.
    #[uniffi::constructor(default(
        sign_type = None,
        charset = None,
        aes_key = None,
        max_body_bytes = None
    ))]
    pub fn new(
        alipay_public_key: Arc<PublicKey>,
        sign_type: Option<SignType>,
        charset: Option<Charset>,
        aes_key: Option<Arc<AesKey>>,
        max_body_bytes: Option<u64>,
    ) -> Result<Arc<Self>> {
        guard("ResponseVerifier", || {
            let limit = body_limit(max_body_bytes)?;
            let sign_type: core_sign::SignType = sign_type.unwrap_or_default().into();
            let charset: core_sign::Charset = charset.unwrap_or_default().into();
            let mut inner =
                core::ResponseVerifier::new(alipay_public_key.core().clone(), sign_type, charset)?
                    .with_max_body_bytes(limit);
            if let Some(key) = aes_key {
                inner = inner.with_aes_key(key.core().clone());
            }
            Ok(Self::wrap(inner))
        })
    }

    /// Verifies the raw `body` (the exact bytes received) answered for `method` and returns its fields.
    ///
    /// Throws `AlipayException.Api` for an error answer (`signed` says whether it carried a valid
    /// signature), `.Signature` when a success is unsigned or a signature fails, `.Protocol` for a
    /// malformed, truncated, oversized, wrongly encoded or duplicated body, `.Config` for an
    /// encrypted node without an AES key. In certificate mode (a verifier from
    /// `IsvConfig.fromCertificates`) also `.Signature` for a success without `alipay_cert_sn` and for
    /// an `alipay_cert_sn` the configuration does not trust (the reason names it; see `check`).
    pub fn verify(&self, method: String, body: Vec<u8>) -> Result<VerifiedResponse> {
        guard("ResponseVerifier.verify", || {
            self.inner
                .verify(&method, &body)
                .map(VerifiedResponse::from_core)
        })
    }

    /// Verifies the body as `verify` does, but reports an `alipay_cert_sn` the configuration does not
    /// trust yet (certificate mode) as `ResponseCheck.NeedsCertificate` instead of throwing.
    ///
    /// Throws as `verify` does.
    pub fn check(&self, method: String, body: Vec<u8>) -> Result<ResponseCheck> {
        guard("ResponseVerifier.check", || {
            self.inner.check(&method, &body).map(ResponseCheck::from)
        })
    }
}

/// The outcome of `ResponseVerifier.check` (Kotlin: a sealed class; `when (c) { is
/// ResponseCheck.Verified -> c.response; is ResponseCheck.NeedsCertificate -> c.alipayCertSn }`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ResponseCheck {
    /// The body verified.
    Verified {
        /// The verified node.
        response: VerifiedResponse,
    },
    /// Certificate mode: the body is signed by an Alipay certificate the configuration does not
    /// trust yet (Alipay rotated it): `Client.fetchAlipayCert(alipayCertSn)`, then check the same
    /// body again.
    NeedsCertificate {
        /// The `alipay_cert_sn` the body names.
        alipay_cert_sn: String,
    },
}

impl From<core::ResponseCheck> for ResponseCheck {
    fn from(check: core::ResponseCheck) -> Self {
        match check {
            core::ResponseCheck::Verified(response) => ResponseCheck::Verified {
                response: VerifiedResponse::from_core(response),
            },
            core::ResponseCheck::NeedsCertificate { alipay_cert_sn } => {
                ResponseCheck::NeedsCertificate { alipay_cert_sn }
            }
        }
    }
}

/// A `max_body_bytes` option: `None` is the default limit, 0 is refused.
pub(crate) fn body_limit(max_body_bytes: Option<u64>) -> alipay_isv::Result<usize> {
    match max_body_bytes {
        None => Ok(core::DEFAULT_MAX_BODY_BYTES),
        Some(0) => Err(alipay_isv::Error::config("max_body_bytes must be positive")),
        Some(limit) => Ok(usize::try_from(limit).unwrap_or(usize::MAX)),
    }
}

impl fmt::Display for ResponseVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseVerifier()")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_fields_keep_text_numbers_and_booleans() {
        let fields: Map<String, Value> =
            serde_json::from_str(r#"{"a":"x","n":31536000,"b":true,"o":{"k":1},"l":[1],"z":null}"#)
                .unwrap();
        let response = VerifiedResponse::from_core(core::VerifiedResponse {
            fields,
            alipay_cert_sn: None,
        });
        assert_eq!(response.fields.len(), 3);
        assert_eq!(response.fields["n"], "31536000");
        assert_eq!(response.fields["b"], "true");
        assert!(response.fields_json.contains("\"o\":{\"k\":1}"));
        assert!(!response.to_string().contains("31536000"));
        assert!(body_limit(Some(0)).is_err());
    }
}
