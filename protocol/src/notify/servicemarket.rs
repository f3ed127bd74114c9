//! [`ServiceMarketOrder`]: the order message (下单消息) the gateway pushes when a merchant subscribes to
//! a plugin or a service in the service market (服务市场订购) — `notify_type=servicemarket_order_notify`,
//! a classic form notification with no `biz_content` and no token (the token comes in the separate
//! plugin authorisation, an `open_app_auth_notify` with `trigger=appstore`).
//!
//! Only what an ISV must act on is required (`notify_id`, `commodity_order_id`, `merchant_pid`); every
//! other field is optional because real messages differ over the years (no `biz_type` since 2019, an
//! empty `isv_ticket` since 2020, `consumer_miniAppId` only for mini-program orders), and every
//! verified parameter is kept in `params`. `Debug` masks the merchant's contact person and phone.

use std::fmt;

use crate::error::{Error, Result};
use crate::secret::shown_optional;

/// The `notify_type` of an order message.
pub const SERVICEMARKET_ORDER_NOTIFY: &str = "servicemarket_order_notify";

/// A merchant's order of the ISV's plugin or service (`notify_type=servicemarket_order_notify`).
#[derive(Clone, PartialEq)]
pub struct ServiceMarketOrder {
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
    /// The merchant's name as Alipay shows it (often partly masked by Alipay).
    pub merchant_name: Option<String>,
    /// The merchant's mini program the order is for (`consumer_miniAppId`), for mini-program orders:
    /// the `auth_app_id` of the plugin authorisation that comes with it.
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
    /// The ISV's pass-through value from the order link (often sent empty).
    pub isv_ticket: Option<String>,
    /// The merchant's contact person. Personal data: masked in `Debug`.
    pub contactor: Option<String>,
    /// The merchant's contact phone. Personal data: masked in `Debug`.
    pub phone: Option<String>,
    /// Every verified parameter, in the order received (unknown ones included).
    pub params: Vec<(String, String)>,
}

impl ServiceMarketOrder {
    /// Types the verified parameters of an order message.
    ///
    /// # Errors
    /// [`Error::Protocol`] when `notify_id`, `commodity_order_id` or `merchant_pid` is missing or
    /// empty, or a count is not a number.
    pub(crate) fn from_params(params: Vec<(String, String)>) -> Result<Self> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_string())
                .filter(|value| !value.is_empty())
        };
        let required = |name: &str| {
            get(name).ok_or_else(|| {
                Error::protocol(format!(
                    "the {SERVICEMARKET_ORDER_NOTIFY} message has no `{name}`: it cannot be acted on"
                ))
            })
        };
        let count = |name: &str| -> Result<Option<u32>> {
            get(name)
                .map(|text| {
                    text.parse().map_err(|_| {
                        Error::protocol(format!(
                            "the {SERVICEMARKET_ORDER_NOTIFY} message's `{name}` is not a count"
                        ))
                    })
                })
                .transpose()
        };
        Ok(ServiceMarketOrder {
            notify_id: required("notify_id")?,
            commodity_order_id: required("commodity_order_id")?,
            merchant_pid: required("merchant_pid")?,
            notify_time: get("notify_time"),
            app_id: get("app_id"),
            merchant_name: get("name"),
            consumer_mini_app_id: get("consumer_miniAppId"),
            order_time: get("order_time"),
            title: get("title"),
            total_price: get("total_price"),
            order_item_num: count("order_item_num")?,
            item_code: get("item_code"),
            specifications: get("specifications"),
            period_day: count("period_day")?,
            order_ticket: get("order_ticket"),
            service_code: get("service_code"),
            isv_ticket: get("isv_ticket"),
            contactor: get("contactor"),
            phone: get("phone"),
            params,
        })
    }
}

impl fmt::Debug for ServiceMarketOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceMarketOrder")
            .field("notify_id", &self.notify_id)
            .field("commodity_order_id", &self.commodity_order_id)
            .field("merchant_pid", &self.merchant_pid)
            .field("consumer_mini_app_id", &self.consumer_mini_app_id)
            .field("title", &self.title)
            .field("total_price", &self.total_price)
            .field("order_item_num", &self.order_item_num)
            .field("order_time", &self.order_time)
            .field(
                "contactor",
                &shown_optional("contactor", self.contactor.as_deref()),
            )
            .field("phone", &shown_optional("phone", self.phone.as_deref()))
            .field(
                "params",
                &self.params.iter().map(|(key, _)| key).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn the_2022_field_sample_types_and_keeps_every_parameter() {
        let order = ServiceMarketOrder::from_params(params(&[
            ("notify_type", SERVICEMARKET_ORDER_NOTIFY),
            ("notify_id", "2022050700222114018083401442873617"),
            ("commodity_order_id", "202205070000000008344772"),
            ("merchant_pid", "2088731356422683"),
            ("name", "杭*************司"),
            ("consumer_miniAppId", "2021002123650074"),
            ("order_item_num", "1"),
            ("period_day", "30"),
            ("total_price", "0.00"),
            ("isv_ticket", ""),
            ("contactor", "赵华杰"),
            ("phone", "17826894615"),
            ("miniapp_release_bundle", "1032"),
        ]))
        .unwrap();
        assert_eq!(order.commodity_order_id, "202205070000000008344772");
        assert_eq!(
            order.consumer_mini_app_id.as_deref(),
            Some("2021002123650074")
        );
        assert_eq!(
            (order.order_item_num, order.period_day),
            (Some(1), Some(30))
        );
        assert_eq!(order.isv_ticket, None);
        assert_eq!(order.params.len(), 13);
        let shown = format!("{order:?}");
        assert!(
            !shown.contains("17826894615") && !shown.contains("赵华杰"),
            "{shown}"
        );
        assert!(shown.contains("(11 chars)"), "{shown}");
    }

    #[test]
    fn a_message_without_an_order_number_or_merchant_is_a_protocol_error() {
        for missing in ["notify_id", "commodity_order_id", "merchant_pid"] {
            let mut given = params(&[
                ("notify_id", "1"),
                ("commodity_order_id", "2"),
                ("merchant_pid", "2088"),
            ]);
            given.retain(|(key, _)| key != missing);
            let error = ServiceMarketOrder::from_params(given).unwrap_err();
            assert_eq!(error.kind(), "protocol");
            assert!(error.reason().contains(missing), "{error}");
        }
        let bad_count = params(&[
            ("notify_id", "1"),
            ("commodity_order_id", "2"),
            ("merchant_pid", "2088"),
            ("order_item_num", "many"),
        ]);
        assert!(ServiceMarketOrder::from_params(bad_count).is_err());
    }
}
