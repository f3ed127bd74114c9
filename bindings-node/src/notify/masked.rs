//! The masked string forms of a verified notification: `toString()` and `util.inspect` (through
//! `Symbol.for('nodejs.util.inspect.custom')`) defined as non-enumerable methods on the plain result
//! object, on its `detail` and, for an authorisation, on its `params`, so logging one never shows
//! a token or the single-use code.

use alipay_isv::error::mask_secret;
use alipay_isv::notify as core;
use napi::bindgen_prelude::{JsObjectValue, Object, PropertyAttributes};
use napi::{Env, Property, sys};

/// The texts shown for one notification and for its nested objects.
pub(super) struct Shown {
    /// The whole notification.
    top: String,
    /// Its `detail` (authorisations only).
    detail: Option<String>,
    /// Its `params`, when they hold secrets (authorisations only).
    params: Option<String>,
}

impl Shown {
    /// The masked texts of `notification`.
    pub(super) fn of(notification: &core::Notification) -> Self {
        match notification {
            core::Notification::AppAuth(auth) => {
                let detail = detail_text(&auth.detail);
                let params = format!("params {{ {} }}", keys(&auth.params));
                Shown {
                    top: format!(
                        "AppAuthNotification {{ notifyId: {}, notifyTime: {}, appId: {}, status: {}, \
                     detail: {detail}, params: [{}] }}",
                        quoted(Some(&auth.notify_id)),
                        quoted(auth.notify_time.as_deref()),
                        quoted(auth.app_id.as_deref()),
                        quoted(auth.status.as_deref()),
                        keys(&auth.params),
                    ),
                    detail: Some(detail),
                    params: Some(params),
                }
            }
            core::Notification::Message(message) => Shown {
                top: format!(
                    "MessageNotification {{ msgMethod: {}, appAuthCancelled: {}, notifyId: {}, \
                     appId: {}, msgAppId: {}, msgUid: {}, params: [{}] }}",
                    quoted(Some(&message.msg_method)),
                    message.is_app_auth_cancelled(),
                    quoted(message.notify_id.as_deref()),
                    quoted(message.app_id.as_deref()),
                    quoted(message.msg_app_id.as_deref()),
                    quoted(message.msg_uid.as_deref()),
                    keys(&message.params),
                ),
                detail: None,
                params: None,
            },
            core::Notification::Other { params } => Shown {
                top: format!("OtherNotification {{ params: [{}] }}", keys(params)),
                detail: None,
                params: None,
            },
        }
    }

    /// Defines the methods on the result `object` and on its nested `detail` / `params`.
    pub(super) fn attach(self, env: &Env, object: sys::napi_value) -> napi::Result<()> {
        let mut top = Object::from_raw(env.raw(), object);
        for (name, text) in [("detail", self.detail), ("params", self.params)] {
            if let Some(text) = text {
                let mut nested: Object<'_> = top.get_named_property(name)?;
                define(env, &mut nested, text)?;
            }
        }
        define(env, &mut top, self.top)
    }
}

/// Defines non-enumerable `toString` and `[Symbol.for('nodejs.util.inspect.custom')]` methods on
/// `object`, both returning `text`.
fn define(env: &Env, object: &mut Object<'_>, text: String) -> napi::Result<()> {
    let show =
        env.create_function_from_closure::<(), String, _>("toString", move |_| Ok(text.clone()))?;
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

/// The masked text of a token detail: the tokens and the code as at most 4 characters + `…`.
fn detail_text(detail: &core::AppAuthDetail) -> String {
    let masked = |secret: Option<&str>| {
        secret.map_or_else(|| "null".to_string(), |s| format!("'{}'", mask_secret(s)))
    };
    let number = |value: Option<i64>| value.map_or_else(|| "null".to_string(), |n| n.to_string());
    format!(
        "AppAuthDetail {{ authAppId: {}, userId: {}, appAuthToken: {}, appRefreshToken: {}, \
                     appAuthCode: {}, expiresIn: {}, reExpiresIn: {}, authTime: {} }}",
        quoted(Some(&detail.auth_app_id)),
        quoted(detail.user_id.as_deref()),
        masked(Some(&detail.app_auth_token)),
        masked(detail.app_refresh_token.as_deref()),
        masked(detail.app_auth_code.as_deref()),
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
