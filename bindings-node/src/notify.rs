//! [`NotificationVerifier`]: notifications posted to the application gateway (应用网关), verified and
//! typed, mirroring `alipay_isv::notify`.
//!
//! The results are plain objects tagged by `kind` (`appAuth`, `message`, `other`), with the form of
//! the signature that matched (`signedForm`: `v1`, `v1+empty`, `v2`, …; a non-enumerable property,
//! like the string forms below). They carry the verified
//! parameters (those the signature covers) in full, and an `appAuth` result carries the merchant's
//! `app_auth_token` and `app_refresh_token` in `detail`: store them, never log them.
//!
//! Their `toString()` and `util.inspect` (non-enumerable, so `JSON.stringify`, spreading and
//! `assert.deepEqual` see the data alone) mask the tokens and the code, on the result and on its
//! `detail`; an `appAuth` result's `params` (whose `biz_content` holds the tokens) shows its keys only.
//!
//! One shape: the `#[napi(object)]` structs below describe a result (and `index.d.ts`). A result is
//! made by one `JSON.parse` of its struct serialised with serde (see [`FormedNotification`]), or, in
//! the rare cases `JSON.parse` cannot reproduce, converted from the struct by napi.

use alipay_isv::notify as core;
use indexmap::IndexMap;
use napi::bindgen_prelude::{
    Either3, JsObjectValue, Object, PropertyAttributes, ToNapiValue, TypeName,
};
use napi::{Env, JsValue, Property, ValueType, sys};
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

use crate::convert::js_object::string_entries;
use crate::convert::{self, BodyArg, PublicKeyArg};
use crate::error::OrThrow;
use crate::json::{json_parse, json_safe};
use crate::sign::parse_sign_type;

mod masked;

/// The body to answer a handled notification with (`success`), so Alipay stops retrying.
#[napi]
pub const SUCCESS_ACK: &str = core::SUCCESS_ACK;
/// The `service` parameter of the legacy gateway check (`alipay.service.check`); answer it with
/// `IsvConfig.serviceCheckAnswer`.
#[napi]
pub const SERVICE_CHECK: &str = core::SERVICE_CHECK;

/// How notifications are verified.
#[napi(object, object_to_js = false)]
pub struct NotificationVerifierOptions {
    /// The algorithm assumed when a notification carries no `sign_type` (default `RSA2`).
    #[napi(ts_type = "'RSA2' | 'RSA'")]
    pub default_sign_type: Option<String>,
    /// The largest body accepted, in bytes (default 10 MiB).
    pub max_body_bytes: Option<f64>,
}

/// The token detail of a merchant authorisation. Secret: store the tokens, never log them.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppAuthDetail {
    /// The token for delegated calls (代调用). Secret.
    pub app_auth_token: String,
    /// The token to refresh it with. Secret.
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

/// `notify_type=open_app_auth_notify`: a merchant authorised (or re-authorised) the app.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppAuthNotification {
    /// Always `appAuth`.
    #[napi(ts_type = "'appAuth'")]
    pub kind: String,
    /// The form of the signature that matched: `v1` (without `sign` and `sign_type`) or `v2`
    /// (without `sign` only), `+empty` when empty values were signed, `+alipay_cert_sn` when that
    /// parameter was.
    /// Non-enumerable, like `toString`: `Object.keys`, `JSON.stringify` and spreading leave it out.
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    #[serde(skip)]
    pub signed_form: Option<String>,
    /// Alipay's id of this notification: deduplicate retries with it.
    pub notify_id: String,
    /// When it was sent (`yyyy-MM-dd HH:mm:ss`, China time).
    pub notify_time: Option<String>,
    /// The ISV's app_id.
    pub app_id: Option<String>,
    /// `execute_auth` for a new authorisation.
    pub status: Option<String>,
    /// The tokens and the merchant they belong to. Secret.
    pub detail: AppAuthDetail,
    /// Every verified parameter, in the order received (`biz_content` holds the tokens too).
    pub params: IndexMap<String, String>,
}

/// A message-service message (`msg_method` present).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageNotification {
    /// Always `message`.
    #[napi(ts_type = "'message'")]
    pub kind: String,
    /// The form of the signature that matched: `v1` (without `sign` and `sign_type`) or `v2`
    /// (without `sign` only), `+empty` when empty values were signed, `+alipay_cert_sn` when that
    /// parameter was.
    /// Non-enumerable, like `toString`: `Object.keys`, `JSON.stringify` and spreading leave it out.
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    #[serde(skip)]
    pub signed_form: Option<String>,
    /// The message method, e.g. `alipay.open.auth.appauth.cancelled`.
    pub msg_method: String,
    /// Whether this is a merchant revoking the app's authorisation
    /// (`alipay.open.auth.appauth.cancelled`).
    pub app_auth_cancelled: bool,
    /// Alipay's id of this message: deduplicate retries with it.
    pub notify_id: Option<String>,
    /// When it was sent, epoch milliseconds as text.
    pub utc_timestamp: Option<String>,
    /// The ISV's app_id.
    pub app_id: Option<String>,
    /// The merchant app the message concerns.
    pub msg_app_id: Option<String>,
    /// The merchant PID the message concerns.
    pub msg_uid: Option<String>,
    /// The parsed `biz_content` (`null` when absent).
    pub biz_content: Value,
    /// Every verified parameter, in the order received.
    pub params: IndexMap<String, String>,
}

/// Any other notification (payments, …): the verified parameters.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherNotification {
    /// Always `other`.
    #[napi(ts_type = "'other'")]
    pub kind: String,
    /// The form of the signature that matched: `v1` (without `sign` and `sign_type`) or `v2`
    /// (without `sign` only), `+empty` when empty values were signed, `+alipay_cert_sn` when that
    /// parameter was.
    /// Non-enumerable, like `toString`: `Object.keys`, `JSON.stringify` and spreading leave it out.
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    #[serde(skip)]
    pub signed_form: Option<String>,
    /// Every verified parameter, in the order received.
    pub params: IndexMap<String, String>,
}

/// A verified notification, tagged by `kind`.
pub type Notification = Either3<AppAuthNotification, MessageNotification, OtherNotification>;

/// Verifies notifications with the Alipay public key. Immutable; share one instance.
#[napi]
pub struct NotificationVerifier {
    pub(crate) inner: core::NotificationVerifier,
}

#[napi]
impl NotificationVerifier {
    /// A verifier using `alipayPublicKey` (a `PublicKey` or PEM / Base64 text).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unreadable key, an unknown sign type or a
    /// bad byte limit.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        alipay_public_key: PublicKeyArg<'_>,
        options: Option<NotificationVerifierOptions>,
    ) -> napi::Result<Self> {
        let key = convert::public_key(&env, alipay_public_key)?;
        let options = options.unwrap_or(NotificationVerifierOptions {
            default_sign_type: None,
            max_body_bytes: None,
        });
        let mut inner = core::NotificationVerifier::new(key)
            .with_default_sign_type(parse_sign_type(&env, options.default_sign_type)?);
        if let Some(limit) = options.max_body_bytes {
            inner = inner.with_max_body_bytes(convert::byte_limit(&env, "maxBodyBytes", limit)?);
        }
        Ok(NotificationVerifier { inner })
    }

    /// Parses the raw `application/x-www-form-urlencoded` body exactly once and verifies it. Pass the
    /// raw bytes (a `Buffer`; needed for GBK) or text, never a body your framework already decoded.
    ///
    /// Every form the gateway has signed notifications in is tried (V1 / V2, empty values signed or
    /// not, `alipay_cert_sn` signed or not); the result's `signedForm` says which one matched, and
    /// a parameter that form does not sign is left out of `params`.
    ///
    /// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` when the sign is missing or verifies under none
    /// of those forms; `ALIPAY_PROTOCOL_ERROR` for an oversized or malformed body, a parameter given
    /// twice, or an authorisation notification without its detail.
    #[napi(catch_unwind, ts_return_type = "Notification")]
    pub fn verify_body(&self, env: Env, body: BodyArg) -> napi::Result<FormedNotification> {
        let verified = convert::with_body(&body, |bytes| self.inner.verify_body_with_form(bytes))
            .or_throw(&env)?;
        Ok(FormedNotification(verified))
    }

    /// Verifies parameters a web framework already decoded (once!), as an object of strings.
    ///
    /// @throws {AlipayError} as for `verifyBody`; a `TypeError` when a value is not a string.
    #[napi(catch_unwind, ts_return_type = "Notification")]
    pub fn verify_params(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Record<string, string>")] params: Object<'_>,
    ) -> napi::Result<FormedNotification> {
        // Every value must be a string: unlike the other parameter objects, `undefined` is refused.
        // SAFETY: `params` is an argument of this call, alive for its duration.
        let pairs = unsafe { string_entries(env.raw(), params.raw(), false)? }.to_vec();
        Ok(FormedNotification(
            self.inner.verify_params_with_form(pairs).or_throw(&env)?,
        ))
    }
}

/// A verified notification and the form its signature matched, on its way to JavaScript: a
/// [`Notification`] object built by one `JSON.parse` of its JSON text, with the same fields in the
/// same order as the structs give, or by the structs themselves when `JSON.parse` could not
/// reproduce it (see [`json_safe`]).
pub struct FormedNotification(pub(crate) core::VerifiedNotification);

impl TypeName for FormedNotification {
    fn type_name() -> &'static str {
        "Notification"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for FormedNotification {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let core::VerifiedNotification {
            notification,
            signed_form,
        } = value.0;
        // SAFETY: as this function's own contract.
        unsafe { notification_to_js(env, notification, Some(signed_form)) }
    }
}

/// The JavaScript object of a notification and (when known) the form its signature matched.
///
/// # Safety
/// `env` must be the live environment of the current call, as [`ToNapiValue`] requires.
unsafe fn notification_to_js(
    env: sys::napi_env,
    notification: core::Notification,
    signed_form: Option<core::SignedForm>,
) -> napi::Result<sys::napi_value> {
    let (object, shown) = match to_json(&notification) {
        // SAFETY: `env` is the live environment of this call, as `ToNapiValue` requires.
        Some(text) => (
            unsafe { json_parse(env, &text) }?,
            masked::Shown::of(notification, signed_form),
        ),
        None => {
            let shown = masked::Shown::of(notification.clone(), signed_form);
            (
                // SAFETY: `env` is the live environment of the current call, as this function's
                // contract requires.
                unsafe { Notification::to_napi_value(env, to_js(notification, signed_form)) }?,
                shown,
            )
        }
    };
    let env = Env::from_raw(env);
    define_signed_form(&env, object, signed_form)?;
    shown.attach(&env, object)?;
    Ok(object)
}

/// Defines `signedForm` on the result `object`: non-enumerable, like `toString`, so that
/// `Object.keys`, `JSON.stringify`, spreading and `assert.deepEqual` see the notification's data
/// alone, while `notification.signedForm` reads it.
fn define_signed_form(
    env: &Env,
    object: sys::napi_value,
    signed_form: Option<core::SignedForm>,
) -> napi::Result<()> {
    let mut object = Object::from_raw(env.raw(), object);
    let attributes = PropertyAttributes::Writable | PropertyAttributes::Configurable;
    let property = Property::new()
        .with_utf8_name("signedForm")?
        .with_napi_value(env, signed_form.map(core::SignedForm::name))?
        .with_property_attributes(attributes);
    object.define_properties(&[property])
}

/// The JSON text of the JavaScript result: [`to_js`]'s object serialised field by field in the order
/// of its struct (`null` for an absent optional field, `signedForm` left to
/// [`define_signed_form`]); `None` for a parameter named `__proto__` or a `biz_content` that is not
/// [`json_safe`], which `JSON.parse` would not give back as they are.
fn to_json(notification: &core::Notification) -> Option<String> {
    let params = match notification {
        core::Notification::AppAuth(auth) => &auth.params,
        core::Notification::Message(message) => {
            if !json_safe(&message.biz_content) {
                return None;
            }
            &message.params
        }
        core::Notification::Other { params } => params,
    };
    if params.iter().any(|(key, _)| key == "__proto__") {
        return None;
    }
    let object = match to_js(notification.clone(), None) {
        Either3::A(auth) => serde_json::to_string(&auth),
        Either3::B(message) => serde_json::to_string(&message),
        Either3::C(other) => serde_json::to_string(&other),
    };
    object.ok()
}

fn to_js(notification: core::Notification, signed_form: Option<core::SignedForm>) -> Notification {
    let signed_form = signed_form.map(|form| form.name().to_string());
    match notification {
        core::Notification::AppAuth(auth) => Either3::A(AppAuthNotification {
            kind: "appAuth".into(),
            signed_form,
            notify_id: auth.notify_id,
            notify_time: auth.notify_time,
            app_id: auth.app_id,
            status: auth.status,
            detail: AppAuthDetail {
                app_auth_token: auth.detail.app_auth_token,
                app_refresh_token: auth.detail.app_refresh_token,
                user_id: auth.detail.user_id,
                auth_app_id: auth.detail.auth_app_id,
                expires_in: auth.detail.expires_in,
                re_expires_in: auth.detail.re_expires_in,
                auth_time: auth.detail.auth_time,
                app_auth_code: auth.detail.app_auth_code,
            },
            params: auth.params.into_iter().collect(),
        }),
        core::Notification::Message(message) => Either3::B(MessageNotification {
            kind: "message".into(),
            signed_form,
            app_auth_cancelled: message.is_app_auth_cancelled(),
            msg_method: message.msg_method,
            notify_id: message.notify_id,
            utc_timestamp: message.utc_timestamp,
            app_id: message.app_id,
            msg_app_id: message.msg_app_id,
            msg_uid: message.msg_uid,
            biz_content: message.biz_content,
            params: message.params.into_iter().collect(),
        }),
        core::Notification::Other { params } => Either3::C(OtherNotification {
            kind: "other".into(),
            signed_form,
            params: params.into_iter().collect(),
        }),
    }
}
