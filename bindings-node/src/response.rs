//! [`ResponseVerifier`]: verification of gateway response bodies, mirroring `alipay_isv::response`.
//!
//! In certificate mode (a verifier from `IsvConfig.responseVerifier()`), answers are verified with the
//! Alipay certificate their `alipay_cert_sn` names; `check` reports an SN not trusted yet instead of
//! throwing, so the caller can fetch it (`Client.fetchAlipayCert`) and check again.
//!
//! The verified fields are plain JavaScript values: they carry whatever the API returns, tokens
//! included (`app_auth_token`, `access_token`, …), so do not log them.

use crate::convert::{self, AesKeyArg, BodyArg, PublicKeyArg};
use crate::error::OrThrow;
use crate::json::Json;
use crate::sign::{parse_charset, parse_sign_type};
use alipay_isv::response as core;
use napi::Env;
use napi_derive::napi;

/// How responses are signed and encoded.
#[napi(object, object_to_js = false)]
pub struct ResponseVerifierOptions<'env> {
    /// `RSA2` (default) or `RSA`: the request's sign type.
    #[napi(ts_type = "'RSA2' | 'RSA'")]
    pub sign_type: Option<String>,
    /// `UTF-8` (default) or `GBK`: the request's charset, which the body is decoded in.
    #[napi(ts_type = "'UTF-8' | 'GBK'")]
    pub charset: Option<String>,
    /// The AES key, to decrypt encrypted nodes (`encrypt_type=AES`). Secret.
    pub aes_key: Option<AesKeyArg<'env>>,
    /// The largest body accepted, in bytes (default 10 MiB).
    pub max_body_bytes: Option<f64>,
}

/// A verified response.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct VerifiedResponse {
    /// The fields of the `<method>_response` node (decrypted first when it was encrypted): JSON values
    /// as the gateway sent them (`expires_in` may be a number or a string). May carry tokens. Built by
    /// one `JSON.parse` (of the node's own text, in its key order, when that gives the same values).
    #[napi(ts_type = "Record<string, any>")]
    pub fields: Json,
    /// The `alipay_cert_sn` the body named (certificate mode), else `null`.
    pub alipay_cert_sn: Option<String>,
}

/// The outcome of `ResponseVerifier.check`: exactly one of the two fields is set.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ResponseCheck {
    /// The verified response; `null` when a certificate is needed first.
    pub response: Option<VerifiedResponse>,
    /// Certificate mode: the `alipay_cert_sn` of the Alipay certificate that signed the answer and is
    /// not trusted yet (fetch it with `Client.fetchAlipayCert`, then check the same body again);
    /// `null` when the answer verified.
    pub needs_certificate: Option<String>,
}

/// Verifies gateway response bodies with the Alipay public key (in certificate mode, with the Alipay
/// certificate each answer names). Immutable; share one instance.
#[napi]
pub struct ResponseVerifier {
    pub(crate) inner: core::ResponseVerifier,
}

#[napi]
impl ResponseVerifier {
    /// A verifier of responses signed with `alipayPublicKey` (a `PublicKey` or PEM / Base64 text).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unreadable key, an unknown sign type or
    /// charset, a key too short for `RSA2`, a bad AES key or byte limit.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        alipay_public_key: PublicKeyArg<'_>,
        options: Option<ResponseVerifierOptions<'_>>,
    ) -> napi::Result<Self> {
        let key = convert::public_key(&env, alipay_public_key)?;
        let options = options.unwrap_or(ResponseVerifierOptions {
            sign_type: None,
            charset: None,
            aes_key: None,
            max_body_bytes: None,
        });
        let mut inner = core::ResponseVerifier::new(
            key,
            parse_sign_type(&env, options.sign_type)?,
            parse_charset(&env, options.charset)?,
        )
        .or_throw(&env)?;
        if let Some(aes_key) = options.aes_key {
            inner = inner.with_aes_key(convert::aes_key(&env, aes_key)?);
        }
        if let Some(limit) = options.max_body_bytes {
            inner = inner.with_max_body_bytes(convert::byte_limit(&env, "maxBodyBytes", limit)?);
        }
        Ok(ResponseVerifier { inner })
    }

    /// Verifies the body answered for `method`: a `Buffer` of the exact bytes received (needed for
    /// GBK), or text (sent as its UTF-8 bytes).
    ///
    /// @throws {AlipayError} `ALIPAY_API_ERROR` for an error answer (`apiCode`, `subCode`, `signed`,
    /// `hint`); `ALIPAY_SIGNATURE_ERROR` when a success is unsigned or a signature does not verify;
    /// `ALIPAY_PROTOCOL_ERROR` for a malformed, truncated, oversized, wrongly encoded or duplicated
    /// body; `ALIPAY_CONFIG_ERROR` for an encrypted node without an AES key. In certificate mode also
    /// `ALIPAY_SIGNATURE_ERROR` for a success without `alipay_cert_sn`, or one naming a certificate
    /// not trusted yet (the reason names the SN; see `check`).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        env: Env,
        method: String,
        body: BodyArg,
    ) -> napi::Result<VerifiedResponse> {
        let verified = convert::with_body(&body, |bytes| self.inner.verify_node(&method, bytes))
            .or_throw(&env)?;
        Ok(node_response(verified))
    }

    /// Verifies the body as `verify` does, but reports an answer signed by an Alipay certificate not
    /// trusted yet (certificate mode) as `{ response: null, needsCertificate: '<alipay_cert_sn>' }`
    /// instead of throwing.
    ///
    /// @throws {AlipayError} as for `verify`, except for the certificate not trusted yet.
    #[napi(catch_unwind)]
    pub fn check(&self, env: Env, method: String, body: BodyArg) -> napi::Result<ResponseCheck> {
        let checked = convert::with_body(&body, |bytes| self.inner.check_node(&method, bytes))
            .or_throw(&env)?;
        Ok(match checked {
            core::NodeCheck::Verified(verified) => ResponseCheck {
                response: Some(node_response(verified)),
                needs_certificate: None,
            },
            core::NodeCheck::NeedsCertificate { alipay_cert_sn } => ResponseCheck {
                response: None,
                needs_certificate: Some(alipay_cert_sn),
            },
        })
    }
}

/// The JavaScript form of a verified node: its fields come from one `JSON.parse` of the node's text.
fn node_response(node: core::VerifiedNode) -> VerifiedResponse {
    VerifiedResponse {
        fields: Json::object_text(node.json),
        alipay_cert_sn: node.alipay_cert_sn,
    }
}
