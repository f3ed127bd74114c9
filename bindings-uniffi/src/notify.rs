//! Notifications posted to the application gateway, mirroring `alipay_isv::notify`:
//! [`NotificationVerifier`] parses a form body exactly once, verifies it against every form the
//! gateway signs (V1 / V2, empty values signed or not, `alipay_cert_sn` signed or not) and returns a
//! typed [`Notification`] — or, from `verifyBodyWithForm` / `verifyParamsWithForm`, a
//! [`VerifiedNotification`] that also names the form that matched; [`success_ack`] is the body to
//! answer with.
//!
//! The Kotlin `toString()` of a notification masks the tokens and the personal data of an order (its
//! `contactor` and `phone`) and shows parameter names only (the authorisation's `biz_content`
//! parameter holds the tokens too).

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
    /// The app the merchant authorised (`detail.app_id`): the plugin's id for a plugin authorisation.
    #[uniffi(default)]
    pub authorised_app_id: Option<String>,
    /// The third-party app owning the plugin (`detail.agent_app_id`): present only for a plugin
    /// authorisation.
    #[uniffi(default)]
    pub agent_app_id: Option<String>,
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
            authorised_app_id: detail.authorised_app_id,
            agent_app_id: detail.agent_app_id,
        }
    }
}

impl From<AppAuthDetail> for core::AppAuthDetail {
    fn from(detail: AppAuthDetail) -> Self {
        core::AppAuthDetail {
            app_auth_token: detail.app_auth_token,
            app_refresh_token: detail.app_refresh_token,
            user_id: detail.user_id,
            auth_app_id: detail.auth_app_id,
            expires_in: detail.expires_in,
            re_expires_in: detail.re_expires_in,
            auth_time: detail.auth_time,
            app_auth_code: detail.app_auth_code,
            authorised_app_id: detail.authorised_app_id,
            agent_app_id: detail.agent_app_id,
        }
    }
}

/// An optional value as `toString()` shows it (`null` when absent).
fn text(value: Option<&str>) -> &str {
    value.unwrap_or("null")
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
             authAppId={}, expiresIn={}, reExpiresIn={}, authTime={}, authorisedAppId={}, \
             agentAppId={})",
            shown("app_auth_token", &self.app_auth_token),
            secret("app_refresh_token", self.app_refresh_token.as_deref()),
            secret("app_auth_code", self.app_auth_code.as_deref()),
            text(self.user_id.as_deref()),
            self.auth_app_id,
            number(self.expires_in),
            number(self.re_expires_in),
            number(self.auth_time),
            text(self.authorised_app_id.as_deref()),
            text(self.agent_app_id.as_deref()),
        )
    }
}

/// A verified notification, by type (Kotlin: a sealed class; `when (n) { is Notification.AppAuth ->
/// …; is Notification.Message -> …; is Notification.ServiceMarketOrder -> …; is Notification.Other ->
/// … }`). Every variant keeps all the verified parameters in `params`.
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
        /// What caused it (`biz_content.notify_context.trigger`): `appstore` when a merchant's order
        /// of a plugin in the service market granted it.
        #[uniffi(default)]
        trigger: Option<String>,
        /// Whether a merchant's order of a plugin in the service market granted this authorisation
        /// (`trigger=appstore`, or a `detail.agentAppId`): the token is then for the plugin
        /// (`detail.authorisedAppId`) on the merchant's app (`detail.authAppId`).
        #[uniffi(default = false)]
        plugin_authorisation: bool,
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
    /// `notify_type=servicemarket_order_notify`: a merchant ordered the ISV's plugin or service in
    /// the service market (下单消息). No token comes with it (the plugin authorisation is a separate
    /// `AppAuth` with `pluginAuthorisation`). `toString()` masks `contactor` and `phone` and leaves
    /// out `merchantName` (often the contact person's name).
    ServiceMarketOrder {
        /// Alipay's id of this message: the same id is the same message (deduplicate retries with it).
        notify_id: String,
        /// When it was sent (`yyyy-MM-dd HH:mm:ss`, China time).
        notify_time: Option<String>,
        /// The app the message was sent to (the ISV's third-party app or plugin).
        app_id: Option<String>,
        /// The order number: the key of every later call (query, accept, reject, item complete…).
        commodity_order_id: String,
        /// The ordering merchant's PID (`2088…`).
        merchant_pid: String,
        /// The merchant's name as Alipay shows it (the `name` parameter; often partly masked).
        merchant_name: Option<String>,
        /// The merchant's mini program the order is for (`consumer_miniAppId`), for mini-program
        /// orders: the `authAppId` of the plugin authorisation that comes with it.
        consumer_mini_app_id: Option<String>,
        /// When the merchant ordered (`yyyy-MM-dd HH:mm:ss`).
        order_time: Option<String>,
        /// The ordered service's name.
        title: Option<String>,
        /// The order's price in yuan, as sent (`0.00`): money stays text.
        total_price: Option<String>,
        /// How many items (shops, mini programs) the order holds.
        order_item_num: Option<u32>,
        /// The service's item code (`AM0…`): a catalogue code, not a secret.
        item_code: Option<String>,
        /// The chosen specification (`标准版`).
        specifications: Option<String>,
        /// The subscription period in days.
        period_day: Option<u32>,
        /// The order authorisation ticket, for `alipay.open.agent.create` in pre-authorised mode.
        order_ticket: Option<String>,
        /// The service code: a catalogue code, not a secret.
        service_code: Option<String>,
        /// The ISV's pass-through value from the order link (often sent empty: then null).
        isv_ticket: Option<String>,
        /// The merchant's contact person. Personal data: masked in `toString()`.
        contactor: Option<String>,
        /// The merchant's contact phone. Personal data: masked in `toString()`.
        phone: Option<String>,
        /// The verified parameters (unknown ones included).
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
                plugin_authorisation: auth.is_plugin_authorisation(),
                trigger: auth.trigger,
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
            core::Notification::ServiceMarketOrder(order) => Notification::ServiceMarketOrder {
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
                params: map(order.params),
            },
            core::Notification::Other { params } => Notification::Other {
                params: map(params),
            },
        }
    }
}

#[uniffi::export]
impl Notification {
    /// `app_auth`, `message`, `servicemarket_order` or `other`.
    pub fn kind(&self) -> String {
        match self {
            Notification::AppAuth { .. } => "app_auth",
            Notification::Message { .. } => "message",
            Notification::ServiceMarketOrder { .. } => "servicemarket_order",
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
                trigger,
                plugin_authorisation,
                ..
            } => write!(
                f,
                "Notification.AppAuth(notifyId={notify_id}, trigger={}, \
                 pluginAuthorisation={plugin_authorisation}, detail={detail}, params={})",
                text(trigger.as_deref()),
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
            Notification::ServiceMarketOrder {
                notify_id,
                commodity_order_id,
                merchant_pid,
                consumer_mini_app_id,
                title,
                total_price,
                order_item_num,
                order_time,
                contactor,
                phone,
                params,
                ..
            } => {
                // Not `merchantName`: it is often the contact person's name.
                let personal = |name: &str, value: Option<&str>| {
                    value.map_or_else(|| "null".into(), |value| shown(name, value))
                };
                write!(
                    f,
                    "Notification.ServiceMarketOrder(notifyId={notify_id}, \
                     commodityOrderId={commodity_order_id}, merchantPid={merchant_pid}, \
                     consumerMiniAppId={}, title={}, totalPrice={}, orderItemNum={}, orderTime={}, \
                     contactor={}, phone={}, params={})",
                    text(consumer_mini_app_id.as_deref()),
                    text(title.as_deref()),
                    text(total_price.as_deref()),
                    order_item_num.map_or_else(|| "null".into(), |n| n.to_string()),
                    text(order_time.as_deref()),
                    personal("contactor", contactor.as_deref()),
                    personal("phone", phone.as_deref()),
                    names(params)
                )
            }
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
            authorised_app_id: Some("2021000000000888".into()),
            agent_app_id: Some("2021000000000777".into()),
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
            trigger: Some("appstore".into()),
            plugin_authorisation: true,
        };
        let shown = notification.to_string();
        assert!(
            shown.contains("trigger=appstore, pluginAuthorisation=true"),
            "{shown}"
        );
        assert!(
            shown.contains("authorisedAppId=2021000000000888, agentAppId=2021000000000777"),
            "{shown}"
        );
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

    /// A core order as the core types the 2022 field sample (with the personal fields given).
    fn order(contactor: Option<&str>, phone: Option<&str>) -> core::Notification {
        let mut params = vec![
            ("notify_type", core::SERVICEMARKET_ORDER_NOTIFY),
            ("notify_id", "2022050700222114018083401442873617"),
            ("commodity_order_id", "202205070000000008344772"),
            ("merchant_pid", "2088731356422683"),
            ("name", "赵华杰"),
            ("order_item_num", "1"),
            ("period_day", "30"),
            ("service_code", "58621634"),
        ];
        params.extend(contactor.map(|value| ("contactor", value)));
        params.extend(phone.map(|value| ("phone", value)));
        core::Notification::ServiceMarketOrder(core::ServiceMarketOrder {
            notify_id: "2022050700222114018083401442873617".into(),
            notify_time: None,
            app_id: None,
            commodity_order_id: "202205070000000008344772".into(),
            merchant_pid: "2088731356422683".into(),
            merchant_name: Some("赵华杰".into()),
            consumer_mini_app_id: None,
            order_time: None,
            title: Some("社区新零售".into()),
            total_price: Some("0.00".into()),
            order_item_num: Some(1),
            item_code: None,
            specifications: None,
            period_day: Some(30),
            order_ticket: None,
            service_code: Some("58621634".into()),
            isv_ticket: None,
            contactor: contactor.map(str::to_string),
            phone: phone.map(str::to_string),
            params: params
                .into_iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect(),
        })
    }

    #[test]
    fn an_order_converts_whole_and_display_masks_the_personal_fields() {
        let notification = Notification::from(order(Some("赵华杰"), Some("17826894615")));
        assert_eq!(notification.kind(), "servicemarket_order");
        let Notification::ServiceMarketOrder {
            commodity_order_id,
            merchant_name,
            order_item_num,
            period_day,
            service_code,
            contactor,
            phone,
            params,
            ..
        } = &notification
        else {
            panic!("{notification}");
        };
        assert_eq!(commodity_order_id, "202205070000000008344772");
        assert_eq!(merchant_name.as_deref(), Some("赵华杰"));
        assert_eq!((*order_item_num, *period_day), (Some(1), Some(30)));
        assert_eq!(service_code.as_deref(), Some("58621634"));
        assert_eq!(contactor.as_deref(), Some("赵华杰"));
        assert_eq!(phone.as_deref(), Some("17826894615"));
        assert_eq!(params.get("phone").map(String::as_str), Some("17826894615"));
        let shown = notification.to_string();
        for personal in ["赵华杰", "17826894615", "1782", "4615"] {
            assert!(!shown.contains(personal), "{shown}");
        }
        assert!(
            shown.contains("contactor=…(3 chars), phone=…(11 chars)"),
            "{shown}"
        );
        assert!(
            shown.starts_with(
                "Notification.ServiceMarketOrder(notifyId=2022050700222114018083401442873617, \
                 commodityOrderId=202205070000000008344772, merchantPid=2088731356422683, "
            ),
            "{shown}"
        );
        assert!(
            shown.contains("\"phone\""),
            "parameter names are shown: {shown}"
        );
        let absent = Notification::from(order(None, None)).to_string();
        assert!(absent.contains("contactor=null, phone=null"), "{absent}");
        let verified = VerifiedNotification {
            notification,
            signed_form: "v1+empty".into(),
        };
        assert!(!verified.to_string().contains("17826894615"));
    }
}
