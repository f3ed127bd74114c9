//! The pushes the emulator makes to the application gateway, mirroring `alipay_isv_emulator`'s push:
//! their kinds ([`APP_AUTH_NOTIFY`], [`APP_AUTH_CANCELLED`], [`SERVICEMARKET_ORDER_NOTIFY`]) and the
//! record of each ([`Delivery`]).

use alipay_isv_emulator as core;
use napi_derive::napi;

/// `notify_type` of a merchant authorisation push.
#[napi]
pub const APP_AUTH_NOTIFY: &str = core::APP_AUTH_NOTIFY;
/// `msg_method` of a revocation push.
#[napi]
pub const APP_AUTH_CANCELLED: &str = core::APP_AUTH_CANCELLED;
/// `notify_type` of a service-market order message (`Emulator.subscribe`).
#[napi]
pub const SERVICEMARKET_ORDER_NOTIFY: &str = alipay_isv::notify::SERVICEMARKET_ORDER_NOTIFY;

/// One push the emulator made (the body, which carries tokens, is left out).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Delivery {
    /// The push's `notify_id`.
    pub notify_id: String,
    /// `open_app_auth_notify` (an authorisation, a plugin's too), `alipay.open.auth.appauth.cancelled`
    /// or `servicemarket_order_notify` (a service-market order).
    #[napi(
        ts_type = "'open_app_auth_notify' | 'alipay.open.auth.appauth.cancelled' | 'servicemarket_order_notify'"
    )]
    pub kind: String,
    /// The merchant app it concerns.
    pub auth_app_id: String,
    /// Where it was posted (`null`: no notify URL was set).
    pub url: Option<String>,
    /// How many times it was posted so far.
    pub attempts: u32,
    /// Whether the application gateway answered `success`.
    pub acknowledged: bool,
    /// Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post).
    pub finished: bool,
    /// The form the push is signed in: a verifier that accepts it reports this `signedForm`.
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
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
        }
    }
}
