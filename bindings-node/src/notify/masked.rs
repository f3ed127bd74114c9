//! The masked string forms of a verified notification: `toString()` and `util.inspect` (through
//! `Symbol.for('nodejs.util.inspect.custom')`) defined as non-enumerable methods on the plain result
//! object, on its `detail` and, for an authorisation or an order, on its `params`, so logging one
//! never shows a token, the single-use code, or the merchant's contact person and phone (shown by
//! their length only, as `alipay_isv::secret::shown` says).
//!
//! The texts are written when first asked for, not with every result: most results are never shown.

use std::sync::Arc;

use alipay_isv::notify as core;
use alipay_isv::secret::shown;
use napi::bindgen_prelude::{JsObjectValue, Object, PropertyAttributes};
use napi::{Env, Property, sys};

/// The notification the texts are written from (and the form its signature matched), shared by
/// the methods of its objects.
pub(super) struct Shown(Arc<(core::Notification, Option<core::SignedForm>)>);

/// Which object a method belongs to.
#[derive(Clone, Copy)]
enum Part {
    /// The whole notification.
    Top,
    /// Its `detail` (authorisations only).
    Detail,
    /// Its `params`, when they hold secrets or personal data (authorisations and orders).
    Params,
}

impl Shown {
    /// The texts of `notification` verified in `signed_form`, to be written when asked for.
    pub(super) fn of(
        notification: core::Notification,
        signed_form: Option<core::SignedForm>,
    ) -> Self {
        Shown(Arc::new((notification, signed_form)))
    }

    /// Defines the methods on the result `object` and on its nested `detail` / `params`.
    pub(super) fn attach(self, env: &Env, object: sys::napi_value) -> napi::Result<()> {
        let mut top = Object::from_raw(env.raw(), object);
        let nested: &[(&str, Part)] = match self.0.0 {
            core::Notification::AppAuth(_) => &[("detail", Part::Detail), ("params", Part::Params)],
            core::Notification::ServiceMarketOrder(_) => &[("params", Part::Params)],
            core::Notification::Message(_) | core::Notification::Other { .. } => &[],
        };
        for &(name, part) in nested {
            let mut object: Object<'_> = top.get_named_property(name)?;
            define(env, &mut object, self.0.clone(), part)?;
        }
        define(env, &mut top, self.0, Part::Top)
    }
}

/// The masked text of a whole notification, as its `toString()` shows it.
pub(super) fn notification_text(
    notification: &core::Notification,
    signed_form: Option<core::SignedForm>,
) -> String {
    text(&(notification.clone(), signed_form), Part::Top)
}

/// The masked text of one part of a notification.
fn text(shown: &(core::Notification, Option<core::SignedForm>), part: Part) -> String {
    let (notification, signed_form) = shown;
    let form = quoted(signed_form.map(core::SignedForm::name));
    match (notification, part) {
        (core::Notification::AppAuth(auth), Part::Detail) => detail_text(&auth.detail),
        (core::Notification::AppAuth(auth), Part::Params) => {
            format!("params {{ {} }}", keys(&auth.params))
        }
        (core::Notification::AppAuth(auth), _) => format!(
            "AppAuthNotification {{ signedForm: {form}, notifyId: {}, notifyTime: {}, appId: {}, \
             status: {}, trigger: {}, pluginAuthorisation: {}, detail: {}, params: [{}] }}",
            quoted(Some(&auth.notify_id)),
            quoted(auth.notify_time.as_deref()),
            quoted(auth.app_id.as_deref()),
            quoted(auth.status.as_deref()),
            quoted(auth.trigger.as_deref()),
            auth.is_plugin_authorisation(),
            detail_text(&auth.detail),
            keys(&auth.params),
        ),
        (core::Notification::Message(message), _) => format!(
            "MessageNotification {{ signedForm: {form}, msgMethod: {}, appAuthCancelled: {}, \
             notifyId: {}, appId: {}, msgAppId: {}, msgUid: {}, params: [{}] }}",
            quoted(Some(&message.msg_method)),
            message.is_app_auth_cancelled(),
            quoted(message.notify_id.as_deref()),
            quoted(message.app_id.as_deref()),
            quoted(message.msg_app_id.as_deref()),
            quoted(message.msg_uid.as_deref()),
            keys(&message.params),
        ),
        (core::Notification::ServiceMarketOrder(order), Part::Params) => {
            format!("params {{ {} }}", keys(&order.params))
        }
        (core::Notification::ServiceMarketOrder(order), _) => order_text(order, &form),
        (core::Notification::Other { params }, _) => {
            format!(
                "OtherNotification {{ signedForm: {form}, params: [{}] }}",
                keys(params)
            )
        }
    }
}

/// Defines non-enumerable `toString` and `[Symbol.for('nodejs.util.inspect.custom')]` methods on
/// `object`, both returning the text of `part`.
fn define(
    env: &Env,
    object: &mut Object<'_>,
    notification: Arc<(core::Notification, Option<core::SignedForm>)>,
    part: Part,
) -> napi::Result<()> {
    let show = env.create_function_from_closure::<(), String, _>("toString", move |_| {
        Ok(text(&notification, part))
    })?;
    let attributes = PropertyAttributes::Writable | PropertyAttributes::Configurable;
    object.define_properties(&[
        Property::new()
            .with_utf8_name("toString")?
            .with_value(&show)
            .with_property_attributes(attributes),
        Property::new()
            .with_name(env, env.symbol_for("nodejs.util.inspect.custom")?)?
            .with_value(&show)
            .with_property_attributes(attributes),
    ])
}

/// The text of an order message, as the core's `Debug` shows it: the order and the merchant, the
/// contact person and phone by their length only (`shown`), the parameter names.
fn order_text(order: &core::ServiceMarketOrder, form: &str) -> String {
    let personal = |name: &str, value: Option<&str>| {
        value.map_or_else(|| "null".to_string(), |v| format!("'{}'", shown(name, v)))
    };
    let count = |value: Option<u32>| value.map_or_else(|| "null".to_string(), |n| n.to_string());
    format!(
        "ServiceMarketOrderNotification {{ signedForm: {form}, notifyId: {}, commodityOrderId: {}, \
         merchantPid: {}, consumerMiniAppId: {}, title: {}, totalPrice: {}, orderItemNum: {}, \
         orderTime: {}, contactor: {}, phone: {}, params: [{}] }}",
        quoted(Some(&order.notify_id)),
        quoted(Some(&order.commodity_order_id)),
        quoted(Some(&order.merchant_pid)),
        quoted(order.consumer_mini_app_id.as_deref()),
        quoted(order.title.as_deref()),
        quoted(order.total_price.as_deref()),
        count(order.order_item_num),
        quoted(order.order_time.as_deref()),
        personal("contactor", order.contactor.as_deref()),
        personal("phone", order.phone.as_deref()),
        keys(&order.params),
    )
}

/// The masked text of a token detail: the tokens and the code as at most 4 characters + `…`.
fn detail_text(detail: &core::AppAuthDetail) -> String {
    let masked = |name: &str, secret: Option<&str>| {
        secret.map_or_else(|| "null".to_string(), |s| format!("'{}'", shown(name, s)))
    };
    let number = |value: Option<i64>| value.map_or_else(|| "null".to_string(), |n| n.to_string());
    format!(
        "AppAuthDetail {{ authAppId: {}, userId: {}, authorisedAppId: {}, agentAppId: {}, \
                     appAuthToken: {}, appRefreshToken: {}, appAuthCode: {}, expiresIn: {}, \
                     reExpiresIn: {}, authTime: {} }}",
        quoted(Some(&detail.auth_app_id)),
        quoted(detail.user_id.as_deref()),
        quoted(detail.authorised_app_id.as_deref()),
        quoted(detail.agent_app_id.as_deref()),
        masked("app_auth_token", Some(&detail.app_auth_token)),
        masked("app_refresh_token", detail.app_refresh_token.as_deref()),
        masked("app_auth_code", detail.app_auth_code.as_deref()),
        number(detail.expires_in),
        number(detail.re_expires_in),
        number(detail.auth_time),
    )
}

/// A plain value in single quotes (JSON-escaped inside), or `null`.
fn quoted(value: Option<&str>) -> String {
    value.map_or_else(
        || "null".to_string(),
        |text| {
            let json = serde_json::to_string(text).unwrap_or_default();
            format!("'{}'", &json[1..json.len().saturating_sub(1)])
        },
    )
}

/// The parameter names, comma-separated.
fn keys(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(key, _)| quoted(Some(key)))
        .collect::<Vec<_>>()
        .join(", ")
}
