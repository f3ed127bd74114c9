//! Notifications Alipay posts to the application gateway (应用网关): parsed once, verified (V1, then V2),
//! and typed — the merchant authorisation (`open_app_auth_notify`), message-service messages
//! (`msg_method`, such as `alipay.open.auth.appauth.cancelled`) and anything else.
//!
//! Answer [`SUCCESS_ACK`] once a notification is handled; anything else makes Alipay retry.
//!
//! Certificate mode ([`NotificationVerifier::with_cert_store`]): the key is the one of the certificate
//! the `alipay_cert_sn` parameter names (the configured certificate when it is absent); an SN the store
//! does not know is an [`Error::Signature`] naming it — fetch it with
//! [`Client::fetch_alipay_cert`](crate::client::Client::fetch_alipay_cert) and verify again, or let
//! [`Client::verify_notification`](crate::client::Client::verify_notification) do both.

mod form;
mod service_check;
mod typed;

use std::sync::Arc;

pub use form::parse_form;
pub use service_check::{SERVICE_CHECK, service_check_answer};
pub use typed::{AppAuthDetail, AppAuthNotification, MessageNotification, Notification};

use crate::cert::AlipayCertStore;
use crate::error::{Error, Result};
use crate::key::PublicKey;
use crate::response::DEFAULT_MAX_BODY_BYTES;
use crate::sign::{Charset, SignType, Verifier, sign_content};

/// The body to answer a handled notification with, so Alipay stops retrying.
pub const SUCCESS_ACK: &str = "success";

/// Verifies notifications with the Alipay public key.
#[derive(Debug, Clone)]
pub struct NotificationVerifier {
    alipay_public_key: Arc<PublicKey>,
    default_sign_type: SignType,
    max_body_bytes: usize,
    cert_store: Option<Arc<AlipayCertStore>>,
}

impl NotificationVerifier {
    /// A verifier using `alipay_public_key`.
    pub fn new(alipay_public_key: Arc<PublicKey>) -> Self {
        NotificationVerifier {
            alipay_public_key,
            default_sign_type: SignType::Rsa2,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cert_store: None,
        }
    }

    /// Certificate mode: choose the key by the `alipay_cert_sn` parameter among the store's certificates.
    pub fn with_cert_store(mut self, store: Arc<AlipayCertStore>) -> Self {
        self.cert_store = Some(store);
        self
    }

    /// The certificate store, in certificate mode.
    pub fn cert_store(&self) -> Option<&Arc<AlipayCertStore>> {
        self.cert_store.as_ref()
    }

    /// The algorithm assumed when a notification carries no `sign_type` (default `RSA2`).
    pub fn with_default_sign_type(mut self, sign_type: SignType) -> Self {
        self.default_sign_type = sign_type;
        self
    }

    /// Refuse bodies larger than `limit` bytes.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Parses a raw form body (exactly once) and verifies it.
    ///
    /// # Errors
    /// [`Error::Protocol`] for an oversized or malformed body, [`Error::Signature`] when the signature is
    /// missing or verifies under neither V1 nor V2, or (certificate mode) when `alipay_cert_sn` names a
    /// certificate the store does not know.
    pub fn verify_body(&self, body: &[u8]) -> Result<Notification> {
        if body.len() > self.max_body_bytes {
            return Err(Error::protocol(format!(
                "the notification is {} bytes, over the {}-byte limit",
                body.len(),
                self.max_body_bytes
            )));
        }
        self.verify_params(parse_form(body)?)
    }

    /// Verifies parameters a web framework already decoded (once!).
    ///
    /// # Errors
    /// As for [`NotificationVerifier::verify_body`].
    pub fn verify_params(&self, params: Vec<(String, String)>) -> Result<Notification> {
        let value_of = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
                .filter(|value| !value.is_empty())
        };
        let sign = value_of("sign").ok_or_else(|| {
            Error::signature(
                "the notification carries no sign: refused (anyone can post to the gateway)",
            )
        })?;
        let sign_type: SignType = match value_of("sign_type") {
            Some(name) => name.parse().map_err(|_| {
                Error::protocol(format!("the notification's sign_type `{name}` is unknown"))
            })?,
            None => self.default_sign_type,
        };
        let charset: Charset = match value_of("charset") {
            Some(name) if name.eq_ignore_ascii_case("gb2312") => Charset::Gbk,
            Some(name) => name.parse().map_err(|_| {
                Error::protocol(format!("the notification's charset `{name}` is unknown"))
            })?,
            None => Charset::Utf8,
        };
        let key = match (&self.cert_store, value_of("alipay_cert_sn")) {
            (None, _) => self.alipay_public_key.clone(),
            (Some(store), None) => store.configured_key().clone(),
            (Some(store), Some(sn)) => store.key(sn).ok_or_else(|| {
                Error::signature(format!(
                    "the notification is signed by the Alipay certificate {sn}, which is not trusted \
                     yet: fetch it (Client::fetch_alipay_cert) and verify again"
                ))
            })?,
        };
        let verifier = Verifier::new(key.clone(), sign_type, charset)?;
        let content_without = |excluded: &[&str]| {
            sign_content(
                params
                    .iter()
                    .filter(|(key, _)| !excluded.contains(&key.as_str()))
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
        };
        let version_one = content_without(&["sign", "sign_type", "alipay_cert_sn"]);
        if verifier.verify(&version_one, sign).is_err() {
            let version_two = content_without(&["sign", "alipay_cert_sn"]);
            verifier.verify(&version_two, sign).map_err(|_| {
                Error::signature(format!(
                    "the notification's {sign_type} signature verifies under neither V1 nor V2 with \
                     public key {}: it was tampered with, or the wrong Alipay public key is configured",
                    key.fingerprint()
                ))
            })?;
        }
        Notification::from_verified(params)
    }
}
