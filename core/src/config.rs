//! [`IsvConfig`]: everything that identifies the third-party app to the gateway — `app_id`, its private
//! key, the Alipay public key, sign type, charset, gateway, AES key — checked once when built.
//!
//! Building refuses the most common mistake outright: the app's own public key configured where the
//! Alipay public key belongs.

use std::sync::Arc;

use crate::aes::AesKey;
use crate::error::{Error, Result};
use crate::key::{PrivateKey, PublicKey};
use crate::notify::NotificationVerifier;
use crate::response::{DEFAULT_MAX_BODY_BYTES, ResponseVerifier};
use crate::sign::{Charset, SignType, Signer, looks_like_own_key};

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox gateway.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// Resolves a gateway given by name (`production`, `sandbox`) or as a URL.
///
/// # Errors
/// [`Error::Config`] when it is neither a known name nor an `http(s)://` URL.
pub fn resolve_gateway(name_or_url: &str) -> Result<String> {
    match name_or_url.trim() {
        "production" | "prod" => Ok(PRODUCTION_GATEWAY.to_string()),
        "sandbox" => Ok(SANDBOX_GATEWAY.to_string()),
        url if url.starts_with("https://") || url.starts_with("http://") => Ok(url.to_string()),
        other => Err(Error::config(format!(
            "unknown gateway `{other}`; use `production`, `sandbox` or an http(s) URL"
        ))),
    }
}

/// The third-party app's configuration. Immutable and cheap to clone; share one across threads.
#[derive(Debug, Clone)]
pub struct IsvConfig {
    pub(crate) app_id: String,
    pub(crate) signer: Signer,
    pub(crate) alipay_public_key: Arc<PublicKey>,
    pub(crate) gateway: String,
    pub(crate) aes_key: Option<AesKey>,
    pub(crate) max_body_bytes: usize,
    response_verifier: ResponseVerifier,
}

impl IsvConfig {
    /// Starts a configuration for `app_id` with the app private key and the Alipay public key
    /// (RSA2, UTF-8, production gateway by default).
    pub fn builder(
        app_id: impl Into<String>,
        private_key: Arc<PrivateKey>,
        alipay_public_key: Arc<PublicKey>,
    ) -> IsvConfigBuilder {
        IsvConfigBuilder {
            app_id: app_id.into(),
            private_key,
            alipay_public_key,
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            gateway: PRODUCTION_GATEWAY.to_string(),
            aes_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// The app's `app_id`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The gateway URL.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// The signer (app private key, sign type, charset).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The Alipay public key.
    pub fn alipay_public_key(&self) -> &Arc<PublicKey> {
        &self.alipay_public_key
    }

    /// The AES content-encryption key, when configured.
    pub fn aes_key(&self) -> Option<&AesKey> {
        self.aes_key.as_ref()
    }

    /// A verifier for this app's gateway responses.
    pub fn response_verifier(&self) -> &ResponseVerifier {
        &self.response_verifier
    }

    /// A verifier for notifications posted to this app's gateway.
    pub fn notification_verifier(&self) -> NotificationVerifier {
        NotificationVerifier::new(self.alipay_public_key.clone())
            .with_max_body_bytes(self.max_body_bytes)
    }
}

/// Builds an [`IsvConfig`].
#[derive(Debug)]
pub struct IsvConfigBuilder {
    app_id: String,
    private_key: Arc<PrivateKey>,
    alipay_public_key: Arc<PublicKey>,
    sign_type: SignType,
    charset: Charset,
    gateway: String,
    aes_key: Option<AesKey>,
    max_body_bytes: usize,
}

impl IsvConfigBuilder {
    /// `RSA2` (default) or legacy `RSA`.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// `UTF-8` (default) or `GBK`.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// The gateway URL (see [`resolve_gateway`] for names).
    pub fn gateway(mut self, url: impl Into<String>) -> Self {
        self.gateway = url.into();
        self
    }

    /// The AES content-encryption key from the console.
    pub fn aes_key(mut self, key: AesKey) -> Self {
        self.aes_key = Some(key);
        self
    }

    /// The largest response or notification body accepted (default 10 MiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Checks everything and builds the configuration.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty or non-numeric `app_id`, a gateway that is not a URL, a key that does
    /// not fit the sign type, or the app's own public key given as the Alipay public key.
    pub fn build(self) -> Result<IsvConfig> {
        let app_id = self.app_id.trim().to_string();
        if app_id.is_empty() || !app_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::config(format!(
                "the app_id must be the digits shown in the console (e.g. 2021000000000001); got {} characters",
                app_id.len()
            )));
        }
        let gateway = resolve_gateway(&self.gateway)?;
        if looks_like_own_key(&self.private_key, &self.alipay_public_key) {
            return Err(Error::config(format!(
                "the Alipay public key configured is the app's own public key ({}): copy the \
                 \"Alipay public key\" (支付宝公钥) from the console, not the app public key",
                self.alipay_public_key.fingerprint()
            )));
        }
        let signer = Signer::new(self.private_key, self.sign_type, self.charset)?;
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes must be positive"));
        }
        let mut response_verifier =
            ResponseVerifier::new(self.alipay_public_key.clone(), self.sign_type, self.charset)?
                .with_max_body_bytes(self.max_body_bytes);
        if let Some(key) = &self.aes_key {
            response_verifier = response_verifier.with_aes_key(key.clone());
        }
        Ok(IsvConfig {
            app_id,
            signer,
            alipay_public_key: self.alipay_public_key,
            gateway,
            aes_key: self.aes_key,
            max_body_bytes: self.max_body_bytes,
            response_verifier,
        })
    }
}
