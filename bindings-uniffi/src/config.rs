//! [`IsvConfig`], mirroring `alipay_isv::config`: the app's identity, keys and options, checked once
//! (the app's own public key is refused as the Alipay public key), and the entry point to signing
//! requests, verifying responses and notifications, and answering the gateway check.

use std::fmt;
use std::sync::Arc;

use alipay_isv::config as core;
use alipay_isv::notify as core_notify;

use crate::aes::AesKey;
use crate::error::{Result, guard};
use crate::key::{PrivateKey, PublicKey};
use crate::notify::NotificationVerifier;
use crate::request::{CallOptions, SignedRequest};
use crate::response::{ResponseVerifier, body_limit};
use crate::sign::{Charset, SignType};

/// The third-party app's configuration (Kotlin:
/// `IsvConfig(appId, privateKey, alipayPublicKey, gateway = "sandbox")`). Immutable; share one
/// instance across threads. `toString()` shows the app id, gateway and key fingerprints only.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct IsvConfig {
    inner: core::IsvConfig,
}

impl IsvConfig {
    /// The core configuration.
    pub(crate) fn core(&self) -> &core::IsvConfig {
        &self.inner
    }
}

#[uniffi::export]
impl IsvConfig {
    /// Checks and builds the configuration.
    ///
    /// `sign_type` defaults to RSA2, `charset` to UTF-8, `gateway` to `production` (also `sandbox`
    /// or an `http(s)://` URL), `max_body_bytes` (the largest response or notification accepted) to
    /// 10 MiB; `aes_key` enables `CallOptions.encrypt` and decrypts encrypted responses.
    ///
    /// Throws `AlipayException.Config` for an `app_id` that is not digits, an unknown gateway, a key
    /// that does not fit the sign type, a zero limit, or the app's own public key given as the
    /// Alipay public key (the reason says exactly that).
    #[uniffi::constructor(default(
        sign_type = None,
        charset = None,
        gateway = None,
        aes_key = None,
        max_body_bytes = None
    ))]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        app_id: String,
        private_key: Arc<PrivateKey>,
        alipay_public_key: Arc<PublicKey>,
        sign_type: Option<SignType>,
        charset: Option<Charset>,
        gateway: Option<String>,
        aes_key: Option<Arc<AesKey>>,
        max_body_bytes: Option<u64>,
    ) -> Result<Arc<Self>> {
        guard("IsvConfig", || {
            let mut builder = core::IsvConfig::builder(
                app_id,
                private_key.core().clone(),
                alipay_public_key.core().clone(),
            )
            .sign_type(sign_type.unwrap_or_default().into())
            .charset(charset.unwrap_or_default().into())
            .max_body_bytes(body_limit(max_body_bytes)?);
            if let Some(gateway) = gateway {
                builder = builder.gateway(gateway);
            }
            if let Some(key) = aes_key {
                builder = builder.aes_key(key.core().clone());
            }
            let inner = builder.build()?;
            Ok(Arc::new(IsvConfig { inner }))
        })
    }

    /// The app's `app_id`.
    pub fn app_id(&self) -> Result<String> {
        guard("IsvConfig.appId", || Ok(self.inner.app_id().to_string()))
    }

    /// The gateway URL.
    pub fn gateway(&self) -> Result<String> {
        guard("IsvConfig.gateway", || Ok(self.inner.gateway().to_string()))
    }

    /// The signature algorithm of requests (and expected of responses).
    pub fn sign_type(&self) -> Result<SignType> {
        guard("IsvConfig.signType", || {
            Ok(self.inner.signer().sign_type().into())
        })
    }

    /// The charset requests are signed and encoded in.
    pub fn charset(&self) -> Result<Charset> {
        guard("IsvConfig.charset", || {
            Ok(self.inner.signer().charset().into())
        })
    }

    /// The Alipay public key.
    pub fn alipay_public_key(&self) -> Result<Arc<PublicKey>> {
        guard("IsvConfig.alipayPublicKey", || {
            Ok(PublicKey::wrap((**self.inner.alipay_public_key()).clone()))
        })
    }

    /// Builds and signs a request for `method` (e.g. `alipay.trade.create`).
    ///
    /// Throws `AlipayException.Config` for an empty method, an extra parameter that collides with
    /// a common one, `encrypt` without an AES key, a malformed timestamp, or text the charset
    /// cannot encode.
    #[uniffi::method(default(options))]
    pub fn sign_request(&self, method: String, options: CallOptions) -> Result<Arc<SignedRequest>> {
        guard("IsvConfig.signRequest", || {
            self.inner
                .sign_request(&method, &options.to_core())
                .map(|inner| Arc::new(SignedRequest::wrap(inner)))
        })
    }

    /// A verifier of this app's gateway responses (its sign type, charset, AES key, size limit).
    pub fn response_verifier(&self) -> Result<Arc<ResponseVerifier>> {
        guard("IsvConfig.responseVerifier", || {
            Ok(ResponseVerifier::wrap(
                self.inner.response_verifier().clone(),
            ))
        })
    }

    /// A verifier of the notifications posted to this app's gateway.
    pub fn notification_verifier(&self) -> Result<Arc<NotificationVerifier>> {
        guard("IsvConfig.notificationVerifier", || {
            Ok(NotificationVerifier::wrap(
                self.inner.notification_verifier(),
            ))
        })
    }

    /// The signed XML answer to the legacy gateway check (`service=alipay.service.check`);
    /// `verified` says whether the check request's own signature verified (verify it first with
    /// `notificationVerifier()`): when false the answer says `VERIFY_FAILED`.
    #[uniffi::method(default(verified = true))]
    pub fn service_check_answer(&self, verified: bool) -> Result<String> {
        guard("IsvConfig.serviceCheckAnswer", || {
            core_notify::service_check_answer(self.inner.signer(), verified)
        })
    }
}

impl fmt::Debug for IsvConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for IsvConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signer = self.inner.signer();
        write!(
            f,
            "IsvConfig(appId={}, gateway={}, signType={}, charset={}, appKeyFingerprint={}, \
             alipayKeyFingerprint={}, aes={})",
            self.inner.app_id(),
            self.inner.gateway(),
            signer.sign_type(),
            signer.charset(),
            signer.key().public_key().fingerprint(),
            self.inner.alipay_public_key().fingerprint(),
            self.inner.aes_key().is_some(),
        )
    }
}
