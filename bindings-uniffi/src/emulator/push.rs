//! [`Delivery`]: one push the emulator made to the application gateway, mirroring
//! `alipay_isv_emulator::Delivery`. `toString()` shows the body's length only (it carries tokens).

use std::fmt;

use alipay_isv_emulator as core;

/// One push the emulator made to the application gateway. `toString()` shows the body's length
/// only (it carries tokens).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Delivery {
    /// The push's `notify_id`.
    pub notify_id: String,
    /// `open_app_auth_notify`, `alipay.open.auth.appauth.cancelled` or `servicemarket_order_notify`.
    pub kind: String,
    /// The merchant app it concerns.
    pub auth_app_id: String,
    /// Where it was posted (null: no notify URL was set).
    pub url: Option<String>,
    /// How many times it was posted so far.
    pub attempts: u32,
    /// Whether the application gateway answered `success`.
    pub acknowledged: bool,
    /// Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post).
    pub finished: bool,
    /// The exact form body posted.
    pub body: String,
    /// The form the push is signed in (`v1`, `v1+empty`, `v2`, `v2+empty`, with `+alipay_cert_sn`
    /// when that is signed): `verifyBodyWithForm` reports this `signedForm` for it.
    pub signed_form: String,
}

impl From<core::Delivery> for Delivery {
    fn from(delivery: core::Delivery) -> Self {
        Delivery {
            notify_id: delivery.notify_id,
            kind: delivery.kind,
            auth_app_id: delivery.auth_app_id,
            url: delivery.url,
            attempts: delivery.attempts,
            acknowledged: delivery.acknowledged,
            finished: delivery.finished,
            signed_form: delivery.signed_form.name().to_string(),
            body: delivery.body,
        }
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Delivery(notifyId={}, kind={}, authAppId={}, url={}, attempts={}, acknowledged={}, \
             finished={}, signedForm={}, bodyBytes={})",
            self.notify_id,
            self.kind,
            self.auth_app_id,
            self.url.as_deref().unwrap_or("null"),
            self.attempts,
            self.acknowledged,
            self.finished,
            self.signed_form,
            self.body.len()
        )
    }
}
