//! The typed forms of a verified notification.

use std::fmt;

use serde_json::{Map, Value};

use super::servicemarket::{SERVICEMARKET_ORDER_NOTIFY, ServiceMarketOrder};
use crate::error::{Error, Result};
use crate::secret::{shown, shown_optional};

/// A verified notification, by type. Every variant keeps all verified parameters. `Debug` shows parameter
/// names only (values may carry tokens) and masks the tokens of an authorisation.
#[derive(Clone, PartialEq)]
pub enum Notification {
    /// `notify_type=open_app_auth_notify`: a merchant authorised (or re-authorised) the app.
    AppAuth(AppAuthNotification),
    /// A message-service message (`msg_method` present), e.g. `alipay.open.auth.appauth.cancelled`.
    Message(MessageNotification),
    /// `notify_type=servicemarket_order_notify`: a merchant ordered the ISV's plugin or service.
    ServiceMarketOrder(ServiceMarketOrder),
    /// Anything else (payment notifications, …): the verified parameters.
    Other {
        /// The verified parameters, in the order they arrived.
        params: Vec<(String, String)>,
    },
}

/// A merchant authorisation notification. `Debug` masks the tokens and shows parameter names only.
#[derive(Clone, PartialEq)]
pub struct AppAuthNotification {
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
    /// The tokens and the merchant they belong to.
    pub detail: AppAuthDetail,
    /// The verified parameters.
    pub params: Vec<(String, String)>,
}

/// The token detail of an authorisation. `Debug` masks the tokens.
#[derive(Clone, PartialEq, Default)]
pub struct AppAuthDetail {
    /// The token for delegated calls.
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
    /// The app the merchant authorised (`detail.app_id`): the plugin's id for a plugin authorisation.
    pub authorised_app_id: Option<String>,
    /// The third-party app owning the plugin (`detail.agent_app_id`): present only for a plugin
    /// authorisation.
    pub agent_app_id: Option<String>,
}

impl fmt::Debug for AppAuthDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuthDetail")
            .field(
                "app_auth_token",
                &shown("app_auth_token", &self.app_auth_token),
            )
            .field(
                "app_refresh_token",
                &shown_optional("app_refresh_token", self.app_refresh_token.as_deref()),
            )
            .field("user_id", &self.user_id)
            .field("auth_app_id", &self.auth_app_id)
            .field("expires_in", &self.expires_in)
            .field("re_expires_in", &self.re_expires_in)
            .field("auth_time", &self.auth_time)
            .field("authorised_app_id", &self.authorised_app_id)
            .field("agent_app_id", &self.agent_app_id)
            .field(
                "app_auth_code",
                &shown_optional("app_auth_code", self.app_auth_code.as_deref()),
            )
            .finish()
    }
}

/// A message-service message. `Debug` shows parameter names and `biz_content` keys only.
#[derive(Clone, PartialEq)]
pub struct MessageNotification {
    /// The message method, e.g. `alipay.open.auth.appauth.cancelled`.
    pub msg_method: String,
    /// Alipay's id of this message: deduplicate retries with it.
    pub notify_id: Option<String>,
    /// When it was sent, epoch milliseconds as text.
    pub utc_timestamp: Option<String>,
    /// The ISV's app_id.
    pub app_id: Option<String>,
    /// The merchant app the message concerns, when given.
    pub msg_app_id: Option<String>,
    /// The merchant PID the message concerns, when given.
    pub msg_uid: Option<String>,
    /// The message content (parsed `biz_content`; `Null` when absent).
    pub biz_content: Value,
    /// The verified parameters.
    pub params: Vec<(String, String)>,
}

/// The names of verified parameters, for `Debug` (values may carry tokens).
fn param_names(params: &[(String, String)]) -> Vec<&str> {
    params.iter().map(|(key, _)| key.as_str()).collect()
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notification::AppAuth(auth) => f.debug_tuple("AppAuth").field(auth).finish(),
            Notification::Message(message) => f.debug_tuple("Message").field(message).finish(),
            Notification::ServiceMarketOrder(order) => {
                f.debug_tuple("ServiceMarketOrder").field(order).finish()
            }
            Notification::Other { params } => f
                .debug_struct("Other")
                .field("params", &param_names(params))
                .finish(),
        }
    }
}

impl fmt::Debug for AppAuthNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuthNotification")
            .field("notify_id", &self.notify_id)
            .field("notify_time", &self.notify_time)
            .field("app_id", &self.app_id)
            .field("status", &self.status)
            .field("trigger", &self.trigger)
            .field("detail", &self.detail)
            .field("params", &param_names(&self.params))
            .finish()
    }
}

impl fmt::Debug for MessageNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let biz_keys: Vec<&str> = self
            .biz_content
            .as_object()
            .map(|fields| fields.keys().map(String::as_str).collect())
            .unwrap_or_default();
        f.debug_struct("MessageNotification")
            .field("msg_method", &self.msg_method)
            .field("notify_id", &self.notify_id)
            .field("utc_timestamp", &self.utc_timestamp)
            .field("app_id", &self.app_id)
            .field("msg_app_id", &self.msg_app_id)
            .field("msg_uid", &self.msg_uid)
            .field("biz_content_keys", &biz_keys)
            .field("params", &param_names(&self.params))
            .finish()
    }
}

impl AppAuthNotification {
    /// Whether a merchant's order of a plugin in the service market granted this authorisation
    /// (`trigger=appstore`, or a `detail.agent_app_id`): the token is then for the plugin
    /// (`detail.authorised_app_id`) on the merchant's app (`detail.auth_app_id`).
    pub fn is_plugin_authorisation(&self) -> bool {
        self.trigger.as_deref() == Some("appstore") || self.detail.agent_app_id.is_some()
    }
}

impl MessageNotification {
    /// Whether this is a merchant revoking the app's authorisation.
    pub fn is_app_auth_cancelled(&self) -> bool {
        self.msg_method == "alipay.open.auth.appauth.cancelled"
    }
}

impl Notification {
    /// Every verified parameter, in the order received.
    pub fn params(&self) -> &[(String, String)] {
        match self {
            Notification::AppAuth(auth) => &auth.params,
            Notification::Message(message) => &message.params,
            Notification::ServiceMarketOrder(order) => &order.params,
            Notification::Other { params } => params,
        }
    }

    /// The verified parameter `name`, when present and not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// What kind of notification this is: its `msg_method` for a message, its `notify_type` otherwise
    /// (`open_app_auth_notify`, `trade_status_sync`, …), `unknown` when it names neither.
    pub fn type_name(&self) -> &str {
        match self {
            Notification::Message(message) => &message.msg_method,
            Notification::AppAuth(_) => "open_app_auth_notify",
            Notification::ServiceMarketOrder(_) => SERVICEMARKET_ORDER_NOTIFY,
            Notification::Other { .. } => self.param("notify_type").unwrap_or("unknown"),
        }
    }

    /// The merchant app the notification concerns, when it says: the authorised app of an
    /// authorisation, the `msg_app_id` of a message, an `auth_app_id` parameter otherwise.
    pub fn auth_app_id(&self) -> Option<&str> {
        match self {
            Notification::AppAuth(auth) => Some(&auth.detail.auth_app_id),
            Notification::Message(message) => message.msg_app_id.as_deref(),
            Notification::ServiceMarketOrder(order) => order.consumer_mini_app_id.as_deref(),
            Notification::Other { .. } => self.param("auth_app_id"),
        }
    }

    /// Types verified parameters.
    pub(crate) fn from_verified(params: Vec<(String, String)>) -> Result<Self> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .filter(|value| !value.is_empty())
        };
        if let Some(msg_method) = get("msg_method") {
            let biz_content = match get("biz_content") {
                Some(text) => serde_json::from_str(&text).map_err(|_| {
                    Error::protocol(format!(
                        "the `{msg_method}` message's biz_content is not JSON"
                    ))
                })?,
                None => Value::Null,
            };
            return Ok(Notification::Message(MessageNotification {
                msg_method,
                notify_id: get("notify_id"),
                utc_timestamp: get("utc_timestamp"),
                app_id: get("app_id"),
                msg_app_id: get("msg_app_id"),
                msg_uid: get("msg_uid"),
                biz_content,
                params,
            }));
        }
        if get("notify_type").as_deref() == Some(SERVICEMARKET_ORDER_NOTIFY) {
            return Ok(Notification::ServiceMarketOrder(
                ServiceMarketOrder::from_params(params)?,
            ));
        }
        if get("notify_type").as_deref() == Some("open_app_auth_notify") {
            let biz_content = get("biz_content")
                .ok_or_else(|| Error::protocol("the open_app_auth_notify has no biz_content"))?;
            let (detail, trigger) = parse_auth_detail(&biz_content)?;
            return Ok(Notification::AppAuth(AppAuthNotification {
                notify_id: get("notify_id")
                    .ok_or_else(|| Error::protocol("the open_app_auth_notify has no notify_id"))?,
                notify_time: get("notify_time"),
                app_id: get("app_id"),
                status: get("status"),
                trigger,
                detail,
                params,
            }));
        }
        Ok(Notification::Other { params })
    }
}

/// Reads `{"detail": {...}, "notify_context": {"trigger": …}}` from an authorisation notification's
/// biz_content.
fn parse_auth_detail(biz_content: &str) -> Result<(AppAuthDetail, Option<String>)> {
    let value: Value = serde_json::from_str(biz_content)
        .map_err(|_| Error::protocol("the open_app_auth_notify's biz_content is not JSON"))?;
    let detail = value
        .get("detail")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            Error::protocol("the open_app_auth_notify's biz_content has no `detail` object")
        })?;
    let required = |name: &str| {
        lenient_text(detail, name).ok_or_else(|| {
            Error::protocol(format!("the open_app_auth_notify's detail has no `{name}`"))
        })
    };
    let trigger = value
        .get("notify_context")
        .and_then(Value::as_object)
        .and_then(|context| lenient_text(context, "trigger"));
    let detail = AppAuthDetail {
        app_auth_token: required("app_auth_token")?,
        auth_app_id: required("auth_app_id")?,
        app_refresh_token: lenient_text(detail, "app_refresh_token"),
        user_id: lenient_text(detail, "user_id"),
        expires_in: lenient_number(detail, "expires_in"),
        re_expires_in: lenient_number(detail, "re_expires_in"),
        auth_time: lenient_number(detail, "auth_time"),
        app_auth_code: lenient_text(detail, "app_auth_code"),
        authorised_app_id: lenient_text(detail, "app_id"),
        agent_app_id: lenient_text(detail, "agent_app_id"),
    };
    Ok((detail, trigger))
}

/// A text field given as a string or a number.
pub(crate) fn lenient_text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A number field given as a number or a string of digits.
pub(crate) fn lenient_number(fields: &Map<String, Value>, name: &str) -> Option<i64> {
    match fields.get(name)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn a_plugin_authorisation_is_recognised_and_an_ordinary_one_is_not() {
        let plugin = r#"{"notify_context":{"trigger":"appstore"},"detail":{"app_auth_token":"202612BBplugintoken00000000000001","auth_app_id":"2021000000000201","app_id":"2021000000000301","agent_app_id":"2021000000000001","user_id":"2088000000000201","auth_time":1796000000000}}"#;
        let params = pairs(&[
            ("notify_type", "open_app_auth_notify"),
            ("notify_id", "n-plugin"),
            ("status", "execute_auth"),
            ("biz_content", plugin),
        ]);
        let Notification::AppAuth(auth) = Notification::from_verified(params).unwrap() else {
            panic!("an authorisation");
        };
        assert!(auth.is_plugin_authorisation());
        assert_eq!(auth.trigger.as_deref(), Some("appstore"));
        assert_eq!(
            auth.detail.authorised_app_id.as_deref(),
            Some("2021000000000301")
        );
        assert_eq!(
            auth.detail.agent_app_id.as_deref(),
            Some("2021000000000001")
        );
        let ordinary = r#"{"notify_context":{"trigger":"user"},"detail":{"app_auth_token":"202612BBordinarytoken000000000001","auth_app_id":"2021000000000202"}}"#;
        let params = pairs(&[
            ("notify_type", "open_app_auth_notify"),
            ("notify_id", "n-ordinary"),
            ("biz_content", ordinary),
        ]);
        let Notification::AppAuth(auth) = Notification::from_verified(params).unwrap() else {
            panic!("an authorisation");
        };
        assert!(!auth.is_plugin_authorisation());
    }

    #[test]
    fn an_order_message_is_typed_and_names_its_merchant_app() {
        let params = pairs(&[
            ("notify_type", SERVICEMARKET_ORDER_NOTIFY),
            ("notify_id", "n-order"),
            ("commodity_order_id", "202612070000000000000001"),
            ("merchant_pid", "2088000000000201"),
            ("consumer_miniAppId", "2021000000000201"),
        ]);
        let notification = Notification::from_verified(params).unwrap();
        assert_eq!(notification.type_name(), SERVICEMARKET_ORDER_NOTIFY);
        assert_eq!(notification.auth_app_id(), Some("2021000000000201"));
        assert!(matches!(notification, Notification::ServiceMarketOrder(_)));
    }

    #[test]
    fn debug_never_shows_tokens_in_params_or_biz_content() {
        let biz = r#"{"detail":{"app_auth_token":"secret-token-123456","app_refresh_token":"secret-refresh-123456"}}"#;
        let params = vec![
            (
                "notify_type".to_string(),
                "open_app_auth_notify".to_string(),
            ),
            ("biz_content".to_string(), biz.to_string()),
        ];
        let notification = Notification::AppAuth(AppAuthNotification {
            notify_id: "n1".into(),
            notify_time: None,
            app_id: None,
            status: None,
            trigger: None,
            detail: AppAuthDetail {
                app_auth_token: "secret-token-123456".into(),
                app_refresh_token: Some("secret-refresh-123456".into()),
                auth_app_id: "2021".into(),
                ..AppAuthDetail::default()
            },
            params: params.clone(),
        });
        let message = Notification::Message(MessageNotification {
            msg_method: "alipay.open.auth.userauth.cancelled".into(),
            notify_id: None,
            utc_timestamp: None,
            app_id: None,
            msg_app_id: None,
            msg_uid: None,
            biz_content: serde_json::from_str(biz).unwrap(),
            params: params.clone(),
        });
        let other = Notification::Other { params };
        for shown in [
            format!("{notification:?}"),
            format!("{message:?}"),
            format!("{other:?}"),
        ] {
            assert!(!shown.contains("secret-"), "{shown}");
            assert!(shown.contains("biz_content"), "{shown}");
        }
    }
}
