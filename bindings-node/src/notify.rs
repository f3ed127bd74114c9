//! [`NotificationVerifier`]: notifications posted to the application gateway (应用网关), verified and
//! typed, mirroring `alipay_isv::notify`.
//!
//! The results are plain objects tagged by `kind` (`appAuth`, `message`, `serviceMarketOrder`,
//! `other`), with the form of the signature that matched (`signedForm`: `v1`, `v1+empty`, `v2`, …; a non-enumerable property,
//! like the string forms below). They carry the verified
//! parameters (those the signature covers) in full, and an `appAuth` result carries the merchant's
//! `app_auth_token` and `app_refresh_token` in `detail`: store them, never log them.
//!
//! Their `toString()` and `util.inspect` (non-enumerable, so `JSON.stringify`, spreading and
//! `assert.deepEqual` see the data alone) mask the tokens and the code, on the result and on its
//! `detail`; an `appAuth` result's `params` (whose `biz_content` holds the tokens) shows its keys only.
//! A `serviceMarketOrder` result's forms show the merchant's contact person and phone by their length
//! only (the core's personal-data rule), and its `params` (which hold them too) its keys only.
//!
//! One shape: the `#[napi(object)]` structs below describe a result (and `index.d.ts`). A result is
//! made by one `JSON.parse` of its struct serialised with serde (see [`FormedNotification`]), or, in
//! the rare cases `JSON.parse` cannot reproduce, converted from the struct by napi.

use alipay_isv::notify as core;
use indexmap::IndexMap;
use napi::bindgen_prelude::{
    Either4, JsObjectValue, Object, PropertyAttributes, ToNapiValue, TypeName,
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
    /// The app the merchant authorised (`detail.app_id`): the plugin's id for a plugin authorisation.
    pub authorised_app_id: Option<String>,
    /// The third-party app owning the plugin (`detail.agent_app_id`): present only for a plugin
    /// authorisation.
    pub agent_app_id: Option<String>,
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
    /// What caused it (`biz_content.notify_context.trigger`): `appstore` when a merchant's order of a
    /// plugin in the service market granted it.
    pub trigger: Option<String>,
    /// Whether a merchant's order of a plugin in the service market granted this authorisation
    /// (`trigger` is `appstore`, or `detail.agentAppId` is given): the token is then for the plugin
    /// (`detail.authorisedAppId`) on the merchant's app (`detail.authAppId`).
    pub plugin_authorisation: bool,
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

/// `notify_type=servicemarket_order_notify`: a merchant ordered the ISV's plugin or service in the
/// service market (服务市场订购; the order message, 下单消息). The token comes separately, in the
/// plugin authorisation (an `appAuth` result with `pluginAuthorisation`). `contactor` and `phone` are
/// the merchant's personal data: `toString()` and `util.inspect` show their length only.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMarketOrderNotification {
    /// Always `serviceMarketOrder`.
    #[napi(ts_type = "'serviceMarketOrder'")]
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
    /// Alipay's id of this message: the same id is the same message (deduplicate retries with it).
    pub notify_id: String,
    /// When it was sent (`yyyy-MM-dd HH:mm:ss`, China time).
    pub notify_time: Option<String>,
    /// The app the message was sent to (the ISV's third-party app or plugin).
    pub app_id: Option<String>,
    /// The order number: the key of every later call (query, accept, reject, item complete…).
    pub commodity_order_id: String,
    /// The ordering merchant's PID (`2088…`).
    pub merchant_pid: String,
    /// The merchant's name as Alipay shows it (`name`; often partly masked by Alipay).
    pub merchant_name: Option<String>,
    /// The merchant's mini program the order is for (`consumer_miniAppId`), for mini-program orders:
    /// the `authAppId` of the plugin authorisation that comes with it.
    pub consumer_mini_app_id: Option<String>,
    /// When the merchant ordered (`yyyy-MM-dd HH:mm:ss`).
    pub order_time: Option<String>,
    /// The ordered service's name.
    pub title: Option<String>,
    /// The order's price in yuan, as sent (`0.00`): money stays text.
    pub total_price: Option<String>,
    /// How many items (shops, mini programs) the order holds.
    pub order_item_num: Option<u32>,
    /// The service's item code (`AM0…`).
    pub item_code: Option<String>,
    /// The chosen specification (`标准版`).
    pub specifications: Option<String>,
    /// The subscription period in days.
    pub period_day: Option<u32>,
    /// The order authorisation ticket, for `alipay.open.agent.create` in pre-authorised mode.
    pub order_ticket: Option<String>,
    /// The service code.
    pub service_code: Option<String>,
    /// The ISV's pass-through value from the order link (often sent empty: then `null`).
    pub isv_ticket: Option<String>,
    /// The merchant's contact person. Personal data: never log it.
    pub contactor: Option<String>,
    /// The merchant's contact phone. Personal data: never log it.
    pub phone: Option<String>,
    /// Every verified parameter, in the order received (`contactor` and `phone` too).
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
pub type Notification = Either4<
    AppAuthNotification,
    MessageNotification,
    ServiceMarketOrderNotification,
    OtherNotification,
>;

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
    /// twice, an authorisation notification without its detail, or an order message without its
    /// `notify_id`, `commodity_order_id` or `merchant_pid` (or with a count that is not a number).
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

/// A verified notification on its way to JavaScript with the form its signature matched (a `Gateway`
/// delivery's): the same object `verifyBody` gives.
pub struct NotificationValue(pub(crate) core::Notification, pub(crate) core::SignedForm);

impl TypeName for NotificationValue {
    fn type_name() -> &'static str {
        "Notification"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for NotificationValue {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: as this function's own contract.
        unsafe { notification_to_js(env, value.0, Some(value.1)) }
    }
}

/// The masked text of a notification (its `toString()`), the tokens, the code and the merchant's
/// contact person and phone masked.
pub(crate) fn masked_text(notification: &core::Notification) -> String {
    masked::notification_text(notification, None)
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
        core::Notification::ServiceMarketOrder(order) => &order.params,
        core::Notification::Other { params } => params,
    };
    if params.iter().any(|(key, _)| key == "__proto__") {
        return None;
    }
    let object = match to_js(notification.clone(), None) {
        Either4::A(auth) => serde_json::to_string(&auth),
        Either4::B(message) => serde_json::to_string(&message),
        Either4::C(order) => serde_json::to_string(&order),
        Either4::D(other) => serde_json::to_string(&other),
    };
    object.ok()
}

fn to_js(notification: core::Notification, signed_form: Option<core::SignedForm>) -> Notification {
    let signed_form = signed_form.map(|form| form.name().to_string());
    match notification {
        core::Notification::AppAuth(auth) => Either4::A(AppAuthNotification {
            kind: "appAuth".into(),
            signed_form,
            plugin_authorisation: auth.is_plugin_authorisation(),
            notify_id: auth.notify_id,
            notify_time: auth.notify_time,
            app_id: auth.app_id,
            status: auth.status,
            trigger: auth.trigger,
            detail: AppAuthDetail {
                app_auth_token: auth.detail.app_auth_token,
                app_refresh_token: auth.detail.app_refresh_token,
                user_id: auth.detail.user_id,
                auth_app_id: auth.detail.auth_app_id,
                expires_in: auth.detail.expires_in,
                re_expires_in: auth.detail.re_expires_in,
                auth_time: auth.detail.auth_time,
                app_auth_code: auth.detail.app_auth_code,
                authorised_app_id: auth.detail.authorised_app_id,
                agent_app_id: auth.detail.agent_app_id,
            },
            params: auth.params.into_iter().collect(),
        }),
        core::Notification::Message(message) => Either4::B(MessageNotification {
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
        core::Notification::ServiceMarketOrder(order) => {
            Either4::C(ServiceMarketOrderNotification {
                kind: "serviceMarketOrder".into(),
                signed_form,
                notify_id: order.notify_id,
                notify_time: order.notify_time,
                app_id: order.app_id,
                commodity_order_id: order.commodity_order_id,
                merchant_pid: order.merchant_pid,
                merchant_name: order.merchant_name,
                consumer_mini_app_id: order.consumer_mini_app_id,
                order_time: order.order_time,
                title: order.title,
                total_price: order.total_price,
                order_item_num: order.order_item_num,
                item_code: order.item_code,
                specifications: order.specifications,
                period_day: order.period_day,
                order_ticket: order.order_ticket,
                service_code: order.service_code,
                isv_ticket: order.isv_ticket,
                contactor: order.contactor,
                phone: order.phone,
                params: order.params.into_iter().collect(),
            })
        }
        core::Notification::Other { params } => Either4::D(OtherNotification {
            kind: "other".into(),
            signed_form,
            params: params.into_iter().collect(),
        }),
    }
}
