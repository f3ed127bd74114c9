//! [`IsvConfig`], mirroring `alipay_isv::config`: the app's identity, keys and options, checked once
//! (the app's own public key is refused as the Alipay public key), and the entry point to signing
//! requests, verifying responses and notifications, and answering the gateway check. In certificate
//! mode ([`IsvConfig::from_certificates`]) the Alipay key comes from the Alipay certificate and the
//! three SNs are exposed.

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
/// `IsvConfig(appId, privateKey, alipayPublicKey, gateway = "sandbox")`, or in certificate mode
/// `IsvConfig.fromCertificates(appId, privateKey, appCert, alipayCert, rootCert)`). Immutable; share
/// one instance across threads. `toString()` shows the app id, gateway, key fingerprints and, in
/// certificate mode, the three SNs only.
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
    /// 10 MiB; `aes_key` enables `CallOptions.encrypt` (and `V3Call.encrypt`) and decrypts encrypted
    /// responses; `v3_base` is where OpenAPI v3 calls go (`production`, `sandbox` or an `http(s)://`
    /// URL whose path is dropped; default: the gateway's scheme and host, e.g.
    /// `https://openapi.alipay.com`); `v3_additional_auth_info` is extra `key=value` pairs, separated
    /// by commas, appended to the auth string of every v3 request after `timestamp`, in the
    /// `Authorization` header and its signed first line, e.g. `expired_seconds=120` (the official
    /// Node SDK's `additionalAuthInfo`; keys are letters, digits, `_` and `-`, values hold no comma,
    /// and `app_id`, `app_cert_sn`, `nonce`, `timestamp` and `sign` are refused; null or empty: none).
    ///
    /// Throws `AlipayException.Config` for an `app_id` that is not digits, an unknown gateway or v3
    /// base, a v3 additional auth info that is not such pairs, a key that does not fit the sign type,
    /// a zero limit, or the app's own public key given as the Alipay public key (the reason says
    /// exactly that).
    #[uniffi::constructor(default(
        sign_type = None,
        charset = None,
        gateway = None,
        aes_key = None,
        max_body_bytes = None,
        v3_base = None,
        v3_additional_auth_info = None
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
        v3_base: Option<String>,
        v3_additional_auth_info: Option<String>,
    ) -> Result<Arc<Self>> {
        guard("IsvConfig", || {
            let builder = core::IsvConfig::builder(
                app_id,
                private_key.core().clone(),
                alipay_public_key.core().clone(),
            );
            let options = Options {
                sign_type,
                charset,
                gateway,
                aes_key,
                max_body_bytes,
                v3_base,
                v3_additional_auth_info,
            };
            let inner = options.apply(builder)?.build()?;
            Ok(Arc::new(IsvConfig { inner }))
        })
    }

    /// Checks and builds a certificate-mode configuration (公钥证书模式; Kotlin:
    /// `IsvConfig.fromCertificates(appId, privateKey, appCert, alipayCert, rootCert)`): the app
    /// public-key certificate (`appCertPublicKey_<app_id>.crt`), the Alipay public-key certificate
    /// (`alipayCertPublicKey_RSA2.crt`) and the Alipay root bundle (`alipayRootCert.crt`) replace the
    /// Alipay public key. Each is the file's bytes (PEM, DER or Base64; `String` and `Path` overloads
    /// are in `Certificates.kt`). Both SNs are then sent with every request, answers and
    /// notifications are verified with the Alipay certificate they name, and an unknown one is
    /// downloaded and checked against the root bundle by `Client`. Options as the primary
    /// constructor.
    ///
    /// Throws `AlipayException.Config` as the primary constructor does, and for a certificate that
    /// does not parse, a root bundle without RSA-signed roots (only SM2 / ECDSA), an Alipay
    /// certificate that is expired, not chained to the bundle or tampered with, or an app certificate
    /// whose key is not the public half of `private_key`.
    #[uniffi::constructor(default(
        sign_type = None,
        charset = None,
        gateway = None,
        aes_key = None,
        max_body_bytes = None,
        v3_base = None,
        v3_additional_auth_info = None
    ))]
    #[allow(clippy::too_many_arguments)]
    pub fn from_certificates(
        app_id: String,
        private_key: Arc<PrivateKey>,
        app_cert: Vec<u8>,
        alipay_cert: Vec<u8>,
        root_cert: Vec<u8>,
        sign_type: Option<SignType>,
        charset: Option<Charset>,
        gateway: Option<String>,
        aes_key: Option<Arc<AesKey>>,
        max_body_bytes: Option<u64>,
        v3_base: Option<String>,
        v3_additional_auth_info: Option<String>,
    ) -> Result<Arc<Self>> {
        guard("IsvConfig.fromCertificates", || {
            let builder = core::IsvConfig::cert_builder(
                app_id,
                private_key.core().clone(),
                app_cert,
                alipay_cert,
                root_cert,
            );
            let options = Options {
                sign_type,
                charset,
                gateway,
                aes_key,
                max_body_bytes,
                v3_base,
                v3_additional_auth_info,
            };
            let inner = options.apply(builder)?.build()?;
            Ok(Arc::new(IsvConfig { inner }))
        })
    }

    /// Certificate mode: the `app_cert_sn` sent with every request; null in public-key mode.
    pub fn app_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.app_cert_sn().to_string())
    }

    /// Certificate mode: the `alipay_root_cert_sn` sent with every request; null in public-key mode.
    pub fn alipay_root_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.alipay_root_cert_sn().to_string())
    }

    /// Certificate mode: the SN of the configured Alipay certificate; null in public-key mode.
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.alipay_cert_sn().to_string())
    }

    /// Certificate mode: the SNs of every trusted Alipay certificate (the configured one and those
    /// downloaded since), sorted; empty in public-key mode.
    pub fn trusted_alipay_cert_sns(&self) -> Vec<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.cert_store().known_sns())
            .unwrap_or_default()
    }

    /// The app's `app_id`.
    pub fn app_id(&self) -> Result<String> {
        guard("IsvConfig.appId", || Ok(self.inner.app_id().to_string()))
    }

    /// The gateway URL.
    pub fn gateway(&self) -> Result<String> {
        guard("IsvConfig.gateway", || Ok(self.inner.gateway().to_string()))
    }

    /// The base URL of OpenAPI v3 calls: scheme, host and port, no path (e.g.
    /// `https://openapi.alipay.com`) — the `v3Base` option, or the gateway's scheme and host.
    pub fn v3_base(&self) -> String {
        self.inner.v3_base().to_string()
    }

    /// The `key=value` pairs appended to the auth string of every OpenAPI v3 request after
    /// `timestamp` (the `v3AdditionalAuthInfo` option, e.g. `expired_seconds=120`); null when none.
    pub fn v3_additional_auth_info(&self) -> Option<String> {
        self.inner.v3_additional_auth_info().map(str::to_string)
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

    /// The Alipay public key (in certificate mode: the key of the configured Alipay certificate).
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

/// The options both constructors share.
struct Options {
    sign_type: Option<SignType>,
    charset: Option<Charset>,
    gateway: Option<String>,
    aes_key: Option<Arc<AesKey>>,
    max_body_bytes: Option<u64>,
    v3_base: Option<String>,
    v3_additional_auth_info: Option<String>,
}

impl Options {
    /// Applies the options (defaults for the null ones) to a core builder.
    fn apply(self, builder: core::IsvConfigBuilder) -> alipay_isv::Result<core::IsvConfigBuilder> {
        let mut builder = builder
            .sign_type(self.sign_type.unwrap_or_default().into())
            .charset(self.charset.unwrap_or_default().into())
            .max_body_bytes(body_limit(self.max_body_bytes)?);
        if let Some(gateway) = self.gateway {
            builder = builder.gateway(gateway);
        }
        if let Some(key) = self.aes_key {
            builder = builder.aes_key(key.core().clone());
        }
        if let Some(v3_base) = self.v3_base {
            builder = builder.v3_base(v3_base);
        }
        if let Some(extension) = self.v3_additional_auth_info {
            builder = builder.v3_additional_auth_info(extension);
        }
        Ok(builder)
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
            "IsvConfig(appId={}, gateway={}, v3Base={}, signType={}, charset={}, \
             appKeyFingerprint={}, alipayKeyFingerprint={}, aes={}",
            self.inner.app_id(),
            self.inner.gateway(),
            self.inner.v3_base(),
            signer.sign_type(),
            signer.charset(),
            signer.key().public_key().fingerprint(),
            self.inner.alipay_public_key().fingerprint(),
            self.inner.aes_key().is_some(),
        )?;
        if let Some(cert) = self.inner.cert_mode() {
            write!(
                f,
                ", appCertSn={}, alipayCertSn={}, alipayRootCertSn={}",
                cert.app_cert_sn(),
                cert.alipay_cert_sn(),
                cert.alipay_root_cert_sn()
            )?;
        }
        f.write_str(")")
    }
}
