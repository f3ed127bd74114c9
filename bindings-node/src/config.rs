//! [`IsvConfig`]: the third-party app's configuration, mirroring `alipay_isv::config`. It signs
//! requests and hands out the response and notification verifiers.

use alipay_isv::config as core;
use alipay_isv::notify::service_check_answer;
use napi::Env;
use napi_derive::napi;

use crate::convert::{self, AesKeyArg, PrivateKeyArg, PublicKeyArg};
use crate::error::OrThrow;
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
    /// key is refused.
    pub alipay_public_key: PublicKeyArg<'env>,
    /// `RSA2` (default) or legacy `RSA`. Case-insensitive.
    #[napi(ts_type = "'RSA2' | 'RSA'")]
    pub sign_type: Option<String>,
    /// `UTF-8` (default) or `GBK`. Case-insensitive.
    #[napi(ts_type = "'UTF-8' | 'GBK'")]
    pub charset: Option<String>,
    /// `production` (default), `sandbox`, or a gateway URL.
    pub gateway: Option<String>,
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
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an empty or non-numeric `appId`, an unreadable
    /// key, an unknown sign type, charset or gateway, a key too short for `RSA2`, a bad AES key or
    /// byte limit, or the app's own public key given as the Alipay public key (the reason says so).
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: IsvConfigOptions<'_>) -> napi::Result<Self> {
        let private_key = convert::private_key(&env, options.private_key)?;
        let alipay_public_key = convert::public_key(&env, options.alipay_public_key)?;
        let mut builder = core::IsvConfig::builder(options.app_id, private_key, alipay_public_key)
            .sign_type(parse_sign_type(&env, options.sign_type)?)
            .charset(parse_charset(&env, options.charset)?);
        if let Some(gateway) = options.gateway {
            builder = builder.gateway(gateway);
        }
        if let Some(key) = options.aes_key {
            builder = builder.aes_key(convert::aes_key(&env, key)?);
        }
        if let Some(limit) = options.max_body_bytes {
            builder = builder.max_body_bytes(convert::byte_limit(&env, limit)?);
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

    /// `IsvConfig(2021000000000001, RSA2, UTF-8, https://…, app key SHA256:…, Alipay key SHA256:…)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let signer = self.inner.signer();
        format!(
            "IsvConfig({}, {}, {}, {}, app key {}, Alipay key {}{})",
            self.inner.app_id(),
            signer.sign_type().as_str(),
            signer.charset().as_str(),
            self.inner.gateway(),
            signer.key().public_key().fingerprint(),
            self.inner.alipay_public_key().fingerprint(),
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
