//! Notifications posted to the application gateway, mirroring `alipay_isv::notify`:
//! [`NotificationVerifier`] parses a form body exactly once, verifies it against every form the
//! gateway signs (V1 / V2, empty values signed or not, `alipay_cert_sn` signed or not) and returns a
//! typed [`Notification`] — or, from `verifyBodyWithForm` / `verifyParamsWithForm`, a
//! [`VerifiedNotification`] that also names the form that matched; [`success_ack`] is the body to
//! answer with.
//!
//! The Kotlin `toString()` of a notification masks the tokens and shows parameter names only (the
//! authorisation's `biz_content` parameter holds the tokens too).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use alipay_isv::notify as core;
use alipay_isv::secret::shown;

use crate::error::{Result, guard};
use crate::key::PublicKey;
use crate::response::body_limit;
use crate::sign::SignType;

/// The token detail of a merchant authorisation. `toString()` masks both tokens.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct AppAuthDetail {
    /// The token for delegated calls: pass it as `CallOptions.appAuthToken`.
    pub app_auth_token: String,
    /// The token to refresh it with.
    pub app_refresh_token: Option<String>,
    /// The merchant's PID (2088…).
    pub user_id: Option<String>,
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// Seconds the token lives.
    pub expires_in: Option<i64>,
    /// Seconds the refresh token lives.
    pub re_expires_in: Option<i64>,
    /// When the merchant authorised, epoch milliseconds.
    pub auth_time: Option<i64>,
    /// The single-use code this authorisation came with.
    pub app_auth_code: Option<String>,
}

impl From<core::AppAuthDetail> for AppAuthDetail {
    fn from(detail: core::AppAuthDetail) -> Self {
        AppAuthDetail {
            app_auth_token: detail.app_auth_token,
            app_refresh_token: detail.app_refresh_token,
            user_id: detail.user_id,
            auth_app_id: detail.auth_app_id,
            expires_in: detail.expires_in,
            re_expires_in: detail.re_expires_in,
            auth_time: detail.auth_time,
            app_auth_code: detail.app_auth_code,
        }
    }
}

impl fmt::Debug for AppAuthDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AppAuthDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = |value: Option<i64>| value.map_or_else(|| "null".into(), |n| n.to_string());
        let secret = |name: &str, value: Option<&str>| {
            value.map_or_else(|| "null".into(), |value| shown(name, value))
        };
        write!(
            f,
            "AppAuthDetail(appAuthToken={}, appRefreshToken={}, appAuthCode={}, userId={}, \
             authAppId={}, expiresIn={}, reExpiresIn={}, authTime={})",
            shown("app_auth_token", &self.app_auth_token),
            secret("app_refresh_token", self.app_refresh_token.as_deref()),
            secret("app_auth_code", self.app_auth_code.as_deref()),
            self.user_id.as_deref().unwrap_or("null"),
            self.auth_app_id,
            number(self.expires_in),
            number(self.re_expires_in),
            number(self.auth_time),
        )
    }
}

/// A verified notification, by type (Kotlin: a sealed class; `when (n) { is Notification.AppAuth ->
/// …; is Notification.Message -> …; is Notification.Other -> … }`). Every variant keeps all the
/// verified parameters in `params`.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum Notification {
    /// `notify_type=open_app_auth_notify`: a merchant authorised (or re-authorised) the app.
    AppAuth {
        /// Alipay's id of this notification: deduplicate retries with it.
        notify_id: String,
        /// When it was sent (`yyyy-MM-dd HH:mm:ss`, China time).
        notify_time: Option<String>,
        /// The ISV's `app_id`.
        app_id: Option<String>,
        /// `execute_auth` for a new authorisation.
        status: Option<String>,
        /// The tokens and the merchant they belong to.
        detail: AppAuthDetail,
        /// The verified parameters.
        params: HashMap<String, String>,
    },
    /// A message-service message (`msg_method` present).
    Message {
        /// The message method, e.g. `alipay.open.auth.appauth.cancelled`.
        msg_method: String,
        /// Alipay's id of this message: deduplicate retries with it.
        notify_id: Option<String>,
        /// When it was sent, epoch milliseconds as text.
        utc_timestamp: Option<String>,
        /// The ISV's `app_id`.
        app_id: Option<String>,
        /// The merchant app the message concerns, when given.
        msg_app_id: Option<String>,
        /// The merchant PID the message concerns, when given.
        msg_uid: Option<String>,
        /// The message content as JSON text (`biz_content`), or null when absent.
        biz_content_json: Option<String>,
        /// Whether this is a merchant revoking the app's authorisation
        /// (`alipay.open.auth.appauth.cancelled`): forget its `app_auth_token`.
        is_app_auth_cancelled: bool,
        /// The verified parameters.
        params: HashMap<String, String>,
    },
    /// Anything else (payment notifications, …).
    Other {
        /// The verified parameters.
        params: HashMap<String, String>,
    },
}

impl From<core::Notification> for Notification {
    fn from(notification: core::Notification) -> Self {
        let map = |params: Vec<(String, String)>| params.into_iter().collect();
        match notification {
            core::Notification::AppAuth(auth) => Notification::AppAuth {
                notify_id: auth.notify_id,
                notify_time: auth.notify_time,
                app_id: auth.app_id,
                status: auth.status,
                detail: auth.detail.into(),
                params: map(auth.params),
            },
            core::Notification::Message(message) => Notification::Message {
                is_app_auth_cancelled: message.is_app_auth_cancelled(),
                biz_content_json: (!message.biz_content.is_null())
                    .then(|| message.biz_content.to_string()),
                msg_method: message.msg_method,
                notify_id: message.notify_id,
                utc_timestamp: message.utc_timestamp,
                app_id: message.app_id,
                msg_app_id: message.msg_app_id,
                msg_uid: message.msg_uid,
                params: map(message.params),
            },
            core::Notification::Other { params } => Notification::Other {
                params: map(params),
            },
        }
    }
}

#[uniffi::export]
impl Notification {
    /// `app_auth`, `message` or `other`.
    pub fn kind(&self) -> String {
        match self {
            Notification::AppAuth { .. } => "app_auth",
            Notification::Message { .. } => "message",
            Notification::Other { .. } => "other",
        }
        .to_string()
    }
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |params: &HashMap<String, String>| {
            let mut names: Vec<&str> = params.keys().map(String::as_str).collect();
            names.sort_unstable();
            format!("{names:?}")
        };
        match self {
            Notification::AppAuth {
                notify_id,
                detail,
                params,
                ..
            } => write!(
                f,
                "Notification.AppAuth(notifyId={notify_id}, detail={detail}, params={})",
                names(params)
            ),
            Notification::Message {
                msg_method,
                notify_id,
                params,
                ..
            } => write!(
                f,
                "Notification.Message(msgMethod={msg_method}, notifyId={}, params={})",
                notify_id.as_deref().unwrap_or("null"),
                names(params)
            ),
            Notification::Other { params } => {
                write!(f, "Notification.Other(params={})", names(params))
            }
        }
    }
}

/// A verified notification and the form its signature matched (Kotlin:
/// `verifier.verifyBodyWithForm(body)`). `toString()` masks the tokens as [`Notification`] does.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct VerifiedNotification {
    /// The notification, with only the parameters the matching signature covers (and `sign`,
    /// `sign_type`).
    pub notification: Notification,
    /// The form of the signature that matched: `v1` (without `sign` and `sign_type`) or `v2`
    /// (without `sign` only), then `+empty` when empty values were signed and `+alipay_cert_sn`
    /// when that parameter was (`v1`, `v1+empty`, `v2`, `v2+empty`, `v1+alipay_cert_sn`, …).
    pub signed_form: String,
}

impl From<core::VerifiedNotification> for VerifiedNotification {
    fn from(verified: core::VerifiedNotification) -> Self {
        VerifiedNotification {
            notification: verified.notification.into(),
            signed_form: verified.signed_form.name().to_string(),
        }
    }
}

impl fmt::Debug for VerifiedNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for VerifiedNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VerifiedNotification(signedForm={}, notification={})",
            self.signed_form, self.notification
        )
    }
}

/// Verifies notifications posted to the application gateway with the Alipay public key (Kotlin:
/// `config.notificationVerifier()`, or `NotificationVerifier(alipayPublicKey)` on its own).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct NotificationVerifier {
    inner: core::NotificationVerifier,
}

impl NotificationVerifier {
    /// Wraps a core verifier.
    pub(crate) fn wrap(inner: core::NotificationVerifier) -> Arc<Self> {
        Arc::new(NotificationVerifier { inner })
    }
}

#[uniffi::export]
impl NotificationVerifier {
    /// A verifier using `alipay_public_key`; `default_sign_type` (default RSA2) applies when a
    /// notification names none; `max_body_bytes` (default 10 MiB) refuses larger bodies.
    ///
    /// Throws `AlipayException.Config` when the limit is 0.
    #[uniffi::constructor(default(default_sign_type = None, max_body_bytes = None))]
    pub fn new(
        alipay_public_key: Arc<PublicKey>,
        default_sign_type: Option<SignType>,
        max_body_bytes: Option<u64>,
    ) -> Result<Arc<Self>> {
        guard("NotificationVerifier", || {
            let inner = core::NotificationVerifier::new(alipay_public_key.core().clone())
                .with_default_sign_type(default_sign_type.unwrap_or_default().into())
                .with_max_body_bytes(body_limit(max_body_bytes)?);
            Ok(Self::wrap(inner))
        })
    }

    /// Parses the raw form body (the exact bytes received) exactly once and verifies it.
    ///
    /// Throws `AlipayException.Protocol` for an oversized or malformed body (a parameter twice,
    /// invalid bytes in its charset), `.Signature` when `sign` is missing or verifies under none of
    /// the forms the gateway signs.
    pub fn verify_body(&self, body: Vec<u8>) -> Result<Notification> {
        guard("NotificationVerifier.verifyBody", || {
            self.inner.verify_body(&body).map(Notification::from)
        })
    }

    /// `verifyBody`, also saying which form the signature matched (`signedForm`: `v1`, `v1+empty`,
    /// `v2`, `v2+empty`, with `+alipay_cert_sn` when that was signed).
    ///
    /// Throws as `verifyBody` does.
    pub fn verify_body_with_form(&self, body: Vec<u8>) -> Result<VerifiedNotification> {
        guard("NotificationVerifier.verifyBodyWithForm", || {
            self.inner
                .verify_body_with_form(&body)
                .map(VerifiedNotification::from)
        })
    }

    /// Verifies parameters a web framework already decoded (once!), e.g. a servlet's parameter map.
    ///
    /// Throws as `verifyBody` does.
    pub fn verify_params(&self, params: HashMap<String, String>) -> Result<Notification> {
        guard("NotificationVerifier.verifyParams", || {
            let mut params: Vec<(String, String)> = params.into_iter().collect();
            params.sort();
            self.inner.verify_params(params).map(Notification::from)
        })
    }

    /// `verifyParams`, also saying which form the signature matched.
    ///
    /// Throws as `verifyBody` does.
    pub fn verify_params_with_form(
        &self,
        params: HashMap<String, String>,
    ) -> Result<VerifiedNotification> {
        guard("NotificationVerifier.verifyParamsWithForm", || {
            let mut params: Vec<(String, String)> = params.into_iter().collect();
            params.sort();
            self.inner
                .verify_params_with_form(params)
                .map(VerifiedNotification::from)
        })
    }
}

impl fmt::Display for NotificationVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NotificationVerifier()")
    }
}

/// The body to answer a handled notification with (`success`), so Alipay stops retrying.
#[uniffi::export]
pub fn success_ack() -> String {
    core::SUCCESS_ACK.to_string()
}

/// The `service` parameter of the legacy gateway check (`alipay.service.check`): answer it with
/// `IsvConfig.serviceCheckAnswer`.
#[uniffi::export]
pub fn service_check_name() -> String {
    core::SERVICE_CHECK.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_masks_the_tokens() {
        let detail = AppAuthDetail {
            app_auth_token: "202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21".into(),
            app_refresh_token: Some("202611BBf0e1d2c3b4a5968778695a4b3c2d1R21".into()),
            user_id: Some("2088102000000009".into()),
            auth_app_id: "2021000000000999".into(),
            expires_in: Some(31_536_000),
            re_expires_in: None,
            auth_time: None,
            app_auth_code: Some("P5f3secretcode".into()),
        };
        let params = HashMap::from([(
            "biz_content".to_string(),
            "{\"app_auth_token\":\"202611BB8f3c5a1e4d2b\"}".to_string(),
        )]);
        let notification = Notification::AppAuth {
            notify_id: "n1".into(),
            notify_time: None,
            app_id: None,
            status: None,
            detail,
            params,
        };
        let shown = notification.to_string();
        for secret in ["8f3c5a1e", "f0e1d2c3", "P5f3secretcode", "{\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("2088102000000009"), "{shown}");
        assert_eq!(notification.kind(), "app_auth");
        let verified = VerifiedNotification {
            notification,
            signed_form: "v1+empty".into(),
        };
        let shown = verified.to_string();
        assert!(
            shown.starts_with("VerifiedNotification(signedForm=v1+empty, "),
            "{shown}"
        );
        for secret in ["8f3c5a1e", "f0e1d2c3", "P5f3secretcode"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(success_ack(), "success");
    }
}
