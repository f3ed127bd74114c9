//! [`IsvConfig`]: everything that identifies the third-party app to the gateway — `app_id`, its private
//! key, the Alipay public key, sign type, charset, gateway, the v3 base and auth-string extension, AES key —
//! checked once when built.
//!
//! Building refuses the most common mistake outright: the app's own public key configured where the
//! Alipay public key belongs.
//!
//! In certificate mode ([`IsvConfig::cert_builder`]) the Alipay key comes from the Alipay public-key
//! certificate, which must be valid and chained to the root bundle; the app certificate must hold the
//! public half of the app private key; both SNs are then sent with every request (see [`CertMode`]).

use std::sync::Arc;

use crate::aes::AesKey;
use crate::cert::{AlipayCertStore, Certificate};
use crate::error::{Error, Result, shortened};
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

/// The scheme and host (with port) of a URL: `https://openapi.alipay.com/gateway.do` gives
/// `https://openapi.alipay.com`.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    match url[after_scheme..].find(['/', '?', '#']) {
        Some(end) => &url[..after_scheme + end],
        None => url,
    }
}

/// Resolves a v3 base given by name (`production`, `sandbox`) or as an `http(s)://` URL (its path, if
/// any, is dropped).
///
/// # Errors
/// [`Error::Config`] when it is neither.
pub fn resolve_v3_base(name_or_url: &str) -> Result<String> {
    match name_or_url.trim() {
        "production" | "prod" => Ok(crate::v3::PRODUCTION_V3_BASE.to_string()),
        "sandbox" => Ok(crate::v3::SANDBOX_V3_BASE.to_string()),
        url if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(origin_of(url).to_string())
        }
        other => Err(Error::config(format!(
            "unknown v3 base `{}`; use `production`, `sandbox` or an http(s) URL such as \
             https://openapi.alipay.com",
            shortened(other, 80)
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
    pub(crate) v3_base: String,
    pub(crate) v3_additional_auth_info: Option<String>,
    pub(crate) aes_key: Option<AesKey>,
    pub(crate) max_body_bytes: usize,
    response_verifier: ResponseVerifier,
    cert_mode: Option<CertMode>,
}

/// What certificate mode adds to a configuration: the two SNs sent with every request and the store of
/// trusted Alipay certificates (shared by every clone of the configuration).
#[derive(Debug, Clone)]
pub struct CertMode {
    app_cert_sn: String,
    store: Arc<AlipayCertStore>,
}

impl CertMode {
    /// The `app_cert_sn` request parameter.
    pub fn app_cert_sn(&self) -> &str {
        &self.app_cert_sn
    }

    /// The `alipay_root_cert_sn` request parameter.
    pub fn alipay_root_cert_sn(&self) -> &str {
        self.store.alipay_root_cert_sn()
    }

    /// The SN of the configured Alipay certificate.
    pub fn alipay_cert_sn(&self) -> &str {
        self.store.configured_sn()
    }

    /// The trusted Alipay certificates by SN.
    pub fn cert_store(&self) -> &Arc<AlipayCertStore> {
        &self.store
    }
}

/// The certificates given to [`IsvConfigBuilder::cert_mode`], checked by `build`.
#[derive(Clone)]
struct CertInputs {
    app_cert: Vec<u8>,
    alipay_cert: Vec<u8>,
    root_bundle: Vec<u8>,
}

impl std::fmt::Debug for CertInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertInputs")
            .field("app_cert_bytes", &self.app_cert.len())
            .field("alipay_cert_bytes", &self.alipay_cert.len())
            .field("root_bundle_bytes", &self.root_bundle.len())
            .finish()
    }
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
            alipay_public_key: Some(alipay_public_key),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            gateway: PRODUCTION_GATEWAY.to_string(),
            v3_base: None,
            v3_additional_auth_info: None,
            aes_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cert: None,
        }
    }

    /// Starts a certificate-mode configuration (公钥证书模式): the app private key, the app public-key
    /// certificate (`appCertPublicKey_<app_id>.crt`), the Alipay public-key certificate
    /// (`alipayCertPublicKey_RSA2.crt`) and the Alipay root bundle (`alipayRootCert.crt`), each as file
    /// contents (PEM text as bytes, DER, or Base64). Everything is checked by
    /// [`build`](IsvConfigBuilder::build).
    pub fn cert_builder(
        app_id: impl Into<String>,
        private_key: Arc<PrivateKey>,
        app_cert: impl Into<Vec<u8>>,
        alipay_cert: impl Into<Vec<u8>>,
        root_bundle: impl Into<Vec<u8>>,
    ) -> IsvConfigBuilder {
        IsvConfigBuilder {
            app_id: app_id.into(),
            private_key,
            alipay_public_key: None,
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
            gateway: PRODUCTION_GATEWAY.to_string(),
            v3_base: None,
            v3_additional_auth_info: None,
            aes_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cert: None,
        }
        .cert_mode(app_cert, alipay_cert, root_bundle)
    }

    /// Certificate mode: the SNs and the trusted Alipay certificates; `None` in public-key mode.
    pub fn cert_mode(&self) -> Option<&CertMode> {
        self.cert_mode.as_ref()
    }

    /// The app's `app_id`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The gateway URL.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// The base URL of OpenAPI v3 calls (scheme and host, no path), e.g. `https://openapi.alipay.com`:
    /// the one configured, or the gateway's own scheme and host.
    pub fn v3_base(&self) -> &str {
        &self.v3_base
    }

    /// The extension of the v3 auth string: `key=value` pairs appended after `timestamp` in the
    /// `Authorization` header and its signed first line (the official Node SDK's `additionalAuthInfo`,
    /// e.g. `expired_seconds=120`); `None` when none is configured.
    pub fn v3_additional_auth_info(&self) -> Option<&str> {
        self.v3_additional_auth_info.as_deref()
    }

    /// The signer (app private key, sign type, charset).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The Alipay public key (in certificate mode: the key of the configured Alipay certificate).
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
        let verifier = NotificationVerifier::new(self.alipay_public_key.clone())
            .with_max_body_bytes(self.max_body_bytes);
        match &self.cert_mode {
            Some(cert) => verifier.with_cert_store(cert.store.clone()),
            None => verifier,
        }
    }
}

/// Builds an [`IsvConfig`].
#[derive(Debug)]
pub struct IsvConfigBuilder {
    app_id: String,
    private_key: Arc<PrivateKey>,
    alipay_public_key: Option<Arc<PublicKey>>,
    sign_type: SignType,
    charset: Charset,
    gateway: String,
    v3_base: Option<String>,
    v3_additional_auth_info: Option<String>,
    aes_key: Option<AesKey>,
    max_body_bytes: usize,
    cert: Option<CertInputs>,
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

    /// The base URL of OpenAPI v3 calls (scheme, host and port; `production`, `sandbox` or a URL).
    /// Default: the gateway's scheme and host.
    pub fn v3_base(mut self, url: impl Into<String>) -> Self {
        self.v3_base = Some(url.into());
        self
    }

    /// Extra `key=value` pairs for the v3 auth string, separated by commas and appended after
    /// `timestamp` in every v3 request's `Authorization` header and signed first line:
    /// `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…,expired_seconds=120`. The same option as the
    /// official Node SDK's `additionalAuthInfo`. Keys are letters, digits, `_` and `-`; values hold no
    /// comma; `app_id`, `app_cert_sn`, `nonce`, `timestamp` and `sign` are refused (see
    /// [`check_additional_auth_info`](crate::v3::check_additional_auth_info)). The empty text is none.
    pub fn v3_additional_auth_info(mut self, text: impl Into<String>) -> Self {
        self.v3_additional_auth_info = Some(text.into());
        self
    }

    /// The AES content-encryption key from the console.
    pub fn aes_key(mut self, key: AesKey) -> Self {
        self.aes_key = Some(key);
        self
    }

    /// Switches to certificate mode with these certificates (file contents: PEM, DER or Base64); see
    /// [`IsvConfig::cert_builder`]. A public key given to [`IsvConfig::builder`] must then be the key of
    /// the Alipay certificate.
    pub fn cert_mode(
        mut self,
        app_cert: impl Into<Vec<u8>>,
        alipay_cert: impl Into<Vec<u8>>,
        root_bundle: impl Into<Vec<u8>>,
    ) -> Self {
        self.cert = Some(CertInputs {
            app_cert: app_cert.into(),
            alipay_cert: alipay_cert.into(),
            root_bundle: root_bundle.into(),
        });
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
    /// [`Error::Config`] for an empty or non-numeric `app_id`, a gateway that is not a URL, a v3
    /// additional auth info that is not `key=value` pairs as
    /// [`check_additional_auth_info`](crate::v3::check_additional_auth_info) says, a key that does
    /// not fit the sign type, or the app's own public key given as the Alipay public key. In certificate
    /// mode also: a certificate that does not parse, a root bundle without RSA roots, an Alipay
    /// certificate that is expired, not chained to the bundle or tampered with, or an app certificate
    /// whose key is not the app private key's public half (the reason names both fingerprints).
    pub fn build(mut self) -> Result<IsvConfig> {
        let cert_mode = match self.cert.take() {
            Some(inputs) => Some(self.check_certificates(&inputs)?),
            None => None,
        };
        let alipay_public_key = match (&cert_mode, self.alipay_public_key.take()) {
            (Some(cert), _) => cert.store.configured_key().clone(),
            (None, Some(key)) => key,
            (None, None) => return Err(Error::config("no Alipay public key is configured")),
        };
        self.alipay_public_key = Some(alipay_public_key.clone());
        let mut config = self.build_with(alipay_public_key)?;
        if let Some(cert) = cert_mode {
            config.response_verifier = config.response_verifier.with_cert_store(cert.store.clone());
            config.cert_mode = Some(cert);
        }
        Ok(config)
    }

    /// Parses and checks the certificates of certificate mode.
    fn check_certificates(&self, inputs: &CertInputs) -> Result<CertMode> {
        let app_cert = Certificate::from_bytes(&inputs.app_cert)
            .map_err(|e| Error::config(format!("the app certificate: {}", e.reason())))?;
        let app_key = app_cert
            .public_key()
            .map_err(|e| Error::config(format!("the app certificate: {}", e.reason())))?;
        let own = self.private_key.public_key();
        if app_key != *own {
            return Err(Error::config(format!(
                "the app certificate's public key {} does not match the app private key (public key {}): \
                 use the appCertPublicKey_<app_id>.crt issued for this key",
                app_key.fingerprint(),
                own.fingerprint()
            )));
        }
        let store = AlipayCertStore::new(&inputs.root_bundle, &inputs.alipay_cert)?;
        if let Some(given) = &self.alipay_public_key
            && **given != **store.configured_key()
        {
            return Err(Error::config(format!(
                "the Alipay public key given ({}) is not the key of the Alipay certificate ({})",
                given.fingerprint(),
                store.configured_key().fingerprint()
            )));
        }
        Ok(CertMode {
            app_cert_sn: app_cert.sn().to_string(),
            store: Arc::new(store),
        })
    }

    fn build_with(self, alipay_public_key: Arc<PublicKey>) -> Result<IsvConfig> {
        let app_id = self.app_id.trim().to_string();
        if app_id.is_empty() || !app_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::config(format!(
                "the app_id must be the digits shown in the console (e.g. 2021000000000001); got {} characters",
                app_id.len()
            )));
        }
        let gateway = resolve_gateway(&self.gateway)?;
        let v3_base = match self.v3_base.as_deref() {
            None => origin_of(&gateway).to_string(),
            Some(name_or_url) => resolve_v3_base(name_or_url)?,
        };
        let v3_additional_auth_info = match self.v3_additional_auth_info {
            Some(text) if !text.is_empty() => {
                crate::v3::check_additional_auth_info(&text)?;
                Some(text)
            }
            _ => None,
        };
        if looks_like_own_key(&self.private_key, &alipay_public_key) {
            return Err(Error::config(format!(
                "the Alipay public key configured is the app's own public key ({}): copy the \
                 \"Alipay public key\" (支付宝公钥) from the console, not the app public key",
                alipay_public_key.fingerprint()
            )));
        }
        let signer = Signer::new(self.private_key, self.sign_type, self.charset)?;
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes must be positive"));
        }
        let mut response_verifier =
            ResponseVerifier::new(alipay_public_key.clone(), self.sign_type, self.charset)?
                .with_max_body_bytes(self.max_body_bytes);
        if let Some(key) = &self.aes_key {
            response_verifier = response_verifier.with_aes_key(key.clone());
        }
        Ok(IsvConfig {
            app_id,
            signer,
            alipay_public_key,
            gateway,
            v3_base,
            v3_additional_auth_info,
            aes_key: self.aes_key,
            max_body_bytes: self.max_body_bytes,
            response_verifier,
            cert_mode: None,
        })
    }
}
