//! Canonical content and RSA signatures: [`Signer`], [`Verifier`], [`sign_content`] and
//! [`looks_like_own_key`], mirroring `alipay_isv::sign`. Every call is synchronous.

use alipay_isv::sign::{self as core, Charset, SignType};
use napi::Env;
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;

use crate::convert::Text;
use crate::convert::js_object::StringRecord;
use crate::error::OrThrow;
use crate::key::{PrivateKey, PublicKey};

/// How to sign or verify: the algorithm and the charset the content is encoded in.
#[napi(object)]
pub struct SignOptions {
    /// `RSA2` (SHA256withRSA, the default; needs a key of at least 2048 bits) or the legacy `RSA`
    /// (SHA1withRSA). Case-insensitive.
    #[napi(ts_type = "'RSA2' | 'RSA'")]
    pub sign_type: Option<String>,
    /// `UTF-8` (the default) or `GBK`: the charset of the request, which the content is encoded in
    /// before signing. Case-insensitive.
    #[napi(ts_type = "'UTF-8' | 'GBK'")]
    pub charset: Option<String>,
}

/// A canonical content string and its Base64 signature.
#[napi(object, object_from_js = false)]
pub struct SignedContent {
    /// The canonical content that was signed.
    pub content: String,
    /// The standard Base64 signature, to send as the `sign` parameter.
    pub sign: String,
}

/// Signs with the app private key: `RSA2` (SHA256withRSA) or legacy `RSA` (SHA1withRSA).
#[napi]
pub struct Signer {
    inner: core::Signer,
}

#[napi]
impl Signer {
    /// A signer for `options.signType` (default `RSA2`) over content encoded in `options.charset`
    /// (default `UTF-8`).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unknown sign type or charset, or when `RSA2` is
    /// asked of a key shorter than 2048 bits.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        private_key: &PrivateKey,
        options: Option<SignOptions>,
    ) -> napi::Result<Self> {
        let (sign_type, charset) = parse_options(&env, options)?;
        let inner =
            core::Signer::new(private_key.inner.clone(), sign_type, charset).or_throw(&env)?;
        Ok(Signer { inner })
    }

    /// The algorithm this signer applies.
    #[napi(getter, catch_unwind, ts_return_type = "'RSA2' | 'RSA'")]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().as_str().to_string()
    }

    /// The charset content is encoded in before signing.
    #[napi(getter, catch_unwind, ts_return_type = "'UTF-8' | 'GBK'")]
    pub fn charset(&self) -> String {
        self.inner.charset().as_str().to_string()
    }

    /// Signs a canonical content string; returns standard Base64 without newlines.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the content has a character the charset cannot
    /// encode.
    #[napi(catch_unwind)]
    pub fn sign(&self, env: Env, content: String) -> napi::Result<String> {
        self.inner.sign(&content).or_throw(&env)
    }

    /// Builds the canonical content of `params` (see `signContent`) and signs it.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` as for `sign`.
    #[napi(catch_unwind)]
    pub fn sign_params(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Record<string, string>")] params: StringRecord,
    ) -> napi::Result<SignedContent> {
        let (content, sign) = self.inner.sign_params(params.0.pairs()).or_throw(&env)?;
        Ok(SignedContent { content, sign })
    }

    /// Signs bytes that are already encoded; returns standard Base64.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if the crypto engine refuses the key.
    #[napi(catch_unwind)]
    pub fn sign_bytes(&self, env: Env, message: Uint8Array) -> napi::Result<String> {
        self.inner.sign_bytes(&message).or_throw(&env)
    }
}

/// Verifies `RSA2` or `RSA` signatures with a public key (usually the Alipay public key).
#[napi]
pub struct Verifier {
    inner: core::Verifier,
}

#[napi]
impl Verifier {
    /// A verifier for `options.signType` (default `RSA2`) over content encoded in `options.charset`
    /// (default `UTF-8`).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unknown sign type or charset, or when `RSA2` is
    /// asked of a key shorter than 2048 bits.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        public_key: &PublicKey,
        options: Option<SignOptions>,
    ) -> napi::Result<Self> {
        let (sign_type, charset) = parse_options(&env, options)?;
        let inner =
            core::Verifier::new(public_key.inner.clone(), sign_type, charset).or_throw(&env)?;
        Ok(Verifier { inner })
    }

    /// The algorithm this verifier checks.
    #[napi(getter, catch_unwind, ts_return_type = "'RSA2' | 'RSA'")]
    pub fn sign_type(&self) -> String {
        self.inner.sign_type().as_str().to_string()
    }

    /// The charset content is encoded in before verifying.
    #[napi(getter, catch_unwind, ts_return_type = "'UTF-8' | 'GBK'")]
    pub fn charset(&self) -> String {
        self.inner.charset().as_str().to_string()
    }

    /// Verifies a Base64 signature over a content string; returns nothing when it is valid.
    ///
    /// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` when the signature is not valid Base64 or does not
    /// verify; `ALIPAY_CONFIG_ERROR` when the content has a character the charset cannot encode.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, content: String, sign: String) -> napi::Result<()> {
        self.inner.verify(&content, &sign).or_throw(&env)
    }

    /// Verifies a Base64 signature over bytes that are already encoded.
    ///
    /// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` when the signature is not valid Base64 or does not
    /// verify.
    #[napi(catch_unwind)]
    pub fn verify_bytes(&self, env: Env, message: Uint8Array, sign: String) -> napi::Result<()> {
        self.inner.verify_bytes(&message, &sign).or_throw(&env)
    }
}

/// Builds the canonical content of a parameter set as Java does: every parameter except `sign`,
/// without empty or whitespace-only values (`"0"` is kept), sorted by key in UTF-16 code-unit order
/// (Java's `String.compareTo`), joined as `key=value` with `&`, not URL-encoded. `sign_type` stays in.
#[napi(catch_unwind, ts_return_type = "string")]
pub fn sign_content(#[napi(ts_arg_type = "Record<string, string>")] params: StringRecord) -> Text {
    Text(core::sign_content(params.0.pairs()))
}

/// True when `alipayPublicKey` is the public half of the app's own `privateKey`: the common mistake
/// of pasting the app public key where the Alipay public key belongs (every response then fails to
/// verify).
#[napi(catch_unwind)]
pub fn looks_like_own_key(private_key: &PrivateKey, alipay_public_key: &PublicKey) -> bool {
    core::looks_like_own_key(&private_key.inner, &alipay_public_key.inner)
}

/// Reads the sign type and charset of the options, with the defaults `RSA2` and `UTF-8`.
fn parse_options(env: &Env, options: Option<SignOptions>) -> napi::Result<(SignType, Charset)> {
    let options = options.unwrap_or(SignOptions {
        sign_type: None,
        charset: None,
    });
    Ok((
        parse_sign_type(env, options.sign_type)?,
        parse_charset(env, options.charset)?,
    ))
}

/// Reads a sign type name (case-insensitive), `RSA2` when absent.
pub(crate) fn parse_sign_type(env: &Env, name: Option<String>) -> napi::Result<SignType> {
    match name {
        Some(name) => name.parse().or_throw(env),
        None => Ok(SignType::Rsa2),
    }
}

/// Reads a charset name (case-insensitive), `UTF-8` when absent.
pub(crate) fn parse_charset(env: &Env, name: Option<String>) -> napi::Result<Charset> {
    match name {
        Some(name) => name.parse().or_throw(env),
        None => Ok(Charset::Utf8),
    }
}
