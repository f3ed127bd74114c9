//! [`IsvConfig`]: the third-party app's configuration, mirroring `alipay_isv::config`. It signs
//! requests and hands out the response and notification verifiers.
//!
//! Two modes: public-key mode (`alipayPublicKey`) and certificate mode (公钥证书模式: `appCert`,
//! `alipayCert`, `rootCert`, checked once when built; both SNs are then signed into every request and
//! answers are verified with the Alipay certificate they name).

use alipay_isv::config as core;
use alipay_isv::notify::service_check_answer;
use napi::Env;
use napi_derive::napi;

use crate::cert::CertificateInput;
use crate::convert::{self, AesKeyArg, PrivateKeyArg, PublicKeyArg};
use crate::error::{OrThrow, to_js_error};
use crate::key::PublicKey;
use crate::notify::NotificationVerifier;
use crate::request::{CallOptions, SignedRequest};
use crate::response::ResponseVerifier;
use crate::sign::{parse_charset, parse_sign_type};

/// The production gateway URL.
#[napi]
pub const PRODUCTION_GATEWAY: &str = core::PRODUCTION_GATEWAY;
/// The sandbox gateway URL.
#[napi]
pub const SANDBOX_GATEWAY: &str = core::SANDBOX_GATEWAY;

/// What identifies the third-party app to the gateway.
#[napi(object, object_to_js = false)]
pub struct IsvConfigOptions<'env> {
    /// The app's `app_id`: the digits shown in the console.
    pub app_id: String,
    /// The app private key: a `PrivateKey`, or PEM / Base64 text (PKCS#1 or PKCS#8). Secret.
    pub private_key: PrivateKeyArg<'env>,
    /// The Alipay public key (支付宝公钥): a `PublicKey`, or PEM / Base64 text. The app's own public
    /// key is refused. Required in public-key mode; in certificate mode it may be left out (it comes
    /// from `alipayCert`) and, when given, must be the key of `alipayCert`.
    pub alipay_public_key: Option<PublicKeyArg<'env>>,
    /// Certificate mode: the app public-key certificate (`appCertPublicKey_<app_id>.crt`), as file
    /// contents: a `Buffer` (PEM, DER or Base64) or text. It must hold the public half of `privateKey`.
    pub app_cert: Option<CertificateInput>,
    /// Certificate mode: the Alipay public-key certificate (`alipayCertPublicKey_RSA2.crt`), as a
    /// `Buffer` or text. It must be valid and chained to `rootCert`.
    pub alipay_cert: Option<CertificateInput>,
    /// Certificate mode: the Alipay root bundle (`alipayRootCert.crt`), as a `Buffer` or text.
    pub root_cert: Option<CertificateInput>,
    /// `RSA2` (default) or legacy `RSA`. Case-insensitive.
    #[napi(ts_type = "'RSA2' | 'RSA'")]
    pub sign_type: Option<String>,
    /// `UTF-8` (default) or `GBK`. Case-insensitive.
    #[napi(ts_type = "'UTF-8' | 'GBK'")]
    pub charset: Option<String>,
    /// `production` (default), `sandbox`, or a gateway URL.
    pub gateway: Option<String>,
    /// Where OpenAPI v3 calls go (`Client.executeV3`, `prepareV3`): `production`
    /// (`https://openapi.alipay.com`), `sandbox`, or an `http(s)://` URL whose scheme, host and port
    /// are kept (a path is dropped). Default: the gateway URL's scheme and host.
    pub v3_base: Option<String>,
    /// Extra `key=value` pairs, separated by commas, appended to the auth string of every OpenAPI v3
    /// request after `timestamp`, in the `Authorization` header and in its signed first line, e.g.
    /// `expired_seconds=120`: the official Node SDK's `additionalAuthInfo`. Keys are letters, digits,
    /// `_` and `-`; values hold no comma; `app_id`, `app_cert_sn`, `nonce`, `timestamp` and `sign` are
    /// refused. Default (or `''`): none.
    pub v3_additional_auth_info: Option<String>,
    /// The AES content-encryption key: an `AesKey` or the console's Base64 text. Secret.
    pub aes_key: Option<AesKeyArg<'env>>,
    /// The largest response or notification body accepted, in bytes (default 10 MiB).
    pub max_body_bytes: Option<f64>,
}

/// The third-party app's configuration, checked once when built. Immutable; share one instance.
///
/// `toString()` and `util.inspect` show the app id, algorithm, gateway and key fingerprints only.
#[napi]
pub struct IsvConfig {
    pub(crate) inner: core::IsvConfig,
}

#[napi]
impl IsvConfig {
    /// Checks and builds a configuration.
    ///
    /// Certificate mode when `appCert`, `alipayCert` and `rootCert` are given (all three), public-key
    /// mode otherwise.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an empty or non-numeric `appId`, an unreadable
    /// key, an unknown sign type, charset or gateway, a key too short for `RSA2`, a bad AES key or
    /// byte limit, a `v3Base` that is neither a name nor an `http(s)://` URL, a `v3AdditionalAuthInfo`
    /// that is not `key=value` pairs as described there, or the app's own public key given as the
    /// Alipay public key (the reason says so).
    /// In certificate mode also: only some of the three certificates given, a certificate that does
    /// not parse, a root bundle without RSA roots (only SM2 / ECDSA), an Alipay certificate that is
    /// expired, not chained to the bundle or tampered with, an app certificate that does not hold the
    /// public half of `privateKey`, or an `alipayPublicKey` that is not the Alipay certificate's key.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: IsvConfigOptions<'_>) -> napi::Result<Self> {
        let private_key = convert::private_key(&env, options.private_key)?;
        let alipay_public_key = options
            .alipay_public_key
            .map(|key| convert::public_key(&env, key))
            .transpose()?;
        let certificates = match (options.app_cert, options.alipay_cert, options.root_cert) {
            (None, None, None) => None,
            (Some(app), Some(alipay), Some(root)) => Some((
                convert::with_body(&app, <[u8]>::to_vec),
                convert::with_body(&alipay, <[u8]>::to_vec),
                convert::with_body(&root, <[u8]>::to_vec),
            )),
            (app, alipay, root) => {
                let missing: Vec<&str> = [
                    ("appCert", app.is_none()),
                    ("alipayCert", alipay.is_none()),
                    ("rootCert", root.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, absent)| absent.then_some(name))
                .collect();
                return Err(config_error(
                    &env,
                    format!(
                        "certificate mode needs appCert, alipayCert and rootCert; missing: {}",
                        missing.join(", ")
                    ),
                ));
            }
        };
        let app_id = options.app_id;
        let builder = match (certificates, alipay_public_key) {
            (Some((app, alipay, root)), Some(key)) => {
                core::IsvConfig::builder(app_id, private_key, key).cert_mode(app, alipay, root)
            }
            (Some((app, alipay, root)), None) => {
                core::IsvConfig::cert_builder(app_id, private_key, app, alipay, root)
            }
            (None, Some(key)) => core::IsvConfig::builder(app_id, private_key, key),
            (None, None) => {
                return Err(config_error(
                    &env,
                    "no Alipay public key: give alipayPublicKey, or appCert, alipayCert and \
                     rootCert for certificate mode"
                        .to_string(),
                ));
            }
        };
        let mut builder = builder
            .sign_type(parse_sign_type(&env, options.sign_type)?)
            .charset(parse_charset(&env, options.charset)?);
        if let Some(gateway) = options.gateway {
            builder = builder.gateway(gateway);
        }
        if let Some(v3_base) = options.v3_base {
            builder = builder.v3_base(v3_base);
        }
        if let Some(extension) = options.v3_additional_auth_info {
            builder = builder.v3_additional_auth_info(extension);
        }
        if let Some(key) = options.aes_key {
            builder = builder.aes_key(convert::aes_key(&env, key)?);
        }
        if let Some(limit) = options.max_body_bytes {
            builder = builder.max_body_bytes(convert::byte_limit(&env, "maxBodyBytes", limit)?);
        }
        Ok(IsvConfig {
            inner: builder.build().or_throw(&env)?,
        })
    }

    /// The app's `app_id`.
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_string()
    }

    /// The gateway URL.
    #[napi(getter, catch_unwind)]
    pub fn gateway(&self) -> String {
        self.inner.gateway().to_string()
    }

    /// The base URL of OpenAPI v3 calls (scheme, host and port, no path), e.g.
    /// `https://openapi.alipay.com`: the configured `v3Base`, or the gateway's scheme and host.
    #[napi(getter, catch_unwind)]
    pub fn v3_base(&self) -> String {
        self.inner.v3_base().to_string()
    }

    /// The `key=value` pairs appended to the auth string of every OpenAPI v3 request after
    /// `timestamp` (the configured `v3AdditionalAuthInfo`, e.g. `expired_seconds=120`); `null` when
    /// none.
    #[napi(getter, catch_unwind)]
    pub fn v3_additional_auth_info(&self) -> Option<String> {
        self.inner.v3_additional_auth_info().map(str::to_string)
    }

    /// The algorithm requests are signed with.
    #[napi(getter, catch_unwind, ts_return_type = "'RSA2' | 'RSA'")]
    pub fn sign_type(&self) -> String {
        self.inner.signer().sign_type().as_str().to_string()
    }

    /// The request charset.
    #[napi(getter, catch_unwind, ts_return_type = "'UTF-8' | 'GBK'")]
    pub fn charset(&self) -> String {
        self.inner.signer().charset().as_str().to_string()
    }

    /// The Alipay public key answers are verified with (in certificate mode: the key of the
    /// configured Alipay certificate).
    #[napi(getter, catch_unwind)]
    pub fn alipay_public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.alipay_public_key().clone(),
        }
    }

    /// Whether the configuration is in certificate mode.
    #[napi(getter, catch_unwind)]
    pub fn is_cert_mode(&self) -> bool {
        self.inner.cert_mode().is_some()
    }

    /// Certificate mode: the `app_cert_sn` signed into every request; `null` in public-key mode.
    #[napi(getter, catch_unwind)]
    pub fn app_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.app_cert_sn().to_string())
    }

    /// Certificate mode: the `alipay_root_cert_sn` signed into every request; `null` in public-key
    /// mode.
    #[napi(getter, catch_unwind)]
    pub fn alipay_root_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.alipay_root_cert_sn().to_string())
    }

    /// Certificate mode: the SN of the configured Alipay certificate; `null` in public-key mode.
    #[napi(getter, catch_unwind)]
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.alipay_cert_sn().to_string())
    }

    /// Certificate mode: the SNs of every trusted Alipay certificate, the configured one and those
    /// downloaded since by any client of this configuration (they share one store); empty in
    /// public-key mode.
    #[napi(catch_unwind)]
    pub fn trusted_alipay_cert_sns(&self) -> Vec<String> {
        self.inner
            .cert_mode()
            .map(|cert| cert.cert_store().known_sns())
            .unwrap_or_default()
    }

    /// Builds and signs a request for `method` (e.g. `alipay.open.auth.token.app`).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an empty method, an extra parameter that
    /// collides with a common one, `encrypt` without an AES key, a malformed timestamp, a `bizContent`
    /// without a JSON form, or text the charset cannot encode.
    #[napi(catch_unwind)]
    pub fn sign_request(
        &self,
        env: Env,
        method: String,
        options: Option<CallOptions<'_>>,
    ) -> napi::Result<SignedRequest> {
        let options = match options {
            Some(options) => options.to_core(&env)?,
            None => alipay_isv::request::CallOptions::default(),
        };
        Ok(SignedRequest {
            inner: self.inner.sign_request(&method, &options).or_throw(&env)?,
        })
    }

    /// A verifier for this app's gateway responses (its sign type, charset, AES key and byte limit).
    #[napi(catch_unwind)]
    pub fn response_verifier(&self) -> ResponseVerifier {
        ResponseVerifier {
            inner: self.inner.response_verifier().clone(),
        }
    }

    /// A verifier for notifications posted to this app's gateway (its byte limit).
    #[napi(catch_unwind)]
    pub fn notification_verifier(&self) -> NotificationVerifier {
        NotificationVerifier {
            inner: self.inner.notification_verifier(),
        }
    }

    /// The signed XML answer to the legacy gateway check (`service=alipay.service.check`); `verified`
    /// says whether the check request's own signature verified (else the answer says `VERIFY_FAILED`).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if signing fails.
    #[napi(catch_unwind)]
    pub fn service_check_answer(&self, env: Env, verified: bool) -> napi::Result<String> {
        service_check_answer(self.inner.signer(), verified).or_throw(&env)
    }

    /// `IsvConfig(2021000000000001, RSA2, UTF-8, https://…, app key SHA256:…, Alipay key SHA256:…)`,
    /// plus `, app cert SN …, Alipay cert SN …` in certificate mode.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let signer = self.inner.signer();
        let cert = self
            .inner
            .cert_mode()
            .map(|cert| {
                format!(
                    ", app cert SN {}, Alipay cert SN {}",
                    cert.app_cert_sn(),
                    cert.alipay_cert_sn()
                )
            })
            .unwrap_or_default();
        format!(
            "IsvConfig({}, {}, {}, {}, app key {}, Alipay key {}{}{})",
            self.inner.app_id(),
            signer.sign_type().as_str(),
            signer.charset().as_str(),
            self.inner.gateway(),
            signer.key().public_key().fingerprint(),
            self.inner.alipay_public_key().fingerprint(),
            cert,
            if self.inner.aes_key().is_some() {
                ", AES"
            } else {
                ""
            }
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

fn config_error(env: &Env, reason: String) -> napi::Error {
    to_js_error(env, &alipay_isv::Error::config(reason))
}
