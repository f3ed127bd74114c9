//! The service market's order calls (服务市场订单): their method names, the `biz_content` each takes, and
//! the typed answer of the order query — sans-IO; `Client` (crate `alipay-isv`) makes the calls.
//!
//! After a merchant orders the ISV's plugin or service (the order message of
//! [`notify::ServiceMarketOrder`](crate::notify::ServiceMarketOrder)), the ISV queries the order, accepts
//! or rejects it, implements it, and marks each item complete; the merchant (or the ISV on its behalf,
//! with its `app_auth_token`) confirms. Every call but the confirmation is the ISV's own (no
//! `app_auth_token`). Wrong states come back as API errors with Alipay's `sub_code`s
//! (`COMMODITY_ORDER_STATUS_INVALID`, `ITEM_STATUS_NOT_ALLOW`, `ORDER_NOT_EXIST`, …; misspellings such as
//! `NO_PERMISSION_ACCETP_ORDER` are Alipay's own), each with a hint.

use serde_json::{Map, Value, json};

use crate::auth::lenient::{integer, text};
use crate::error::{Error, Result};

/// `alipay.open.servicemarket.order.query`: one page of an order's items.
pub const ORDER_QUERY_METHOD: &str = "alipay.open.servicemarket.order.query";
/// `alipay.open.servicemarket.order.accept`: the ISV takes the order (接单).
pub const ORDER_ACCEPT_METHOD: &str = "alipay.open.servicemarket.order.accept";
/// `alipay.open.servicemarket.order.reject`: the ISV declines the order (拒单), with a reason.
pub const ORDER_REJECT_METHOD: &str = "alipay.open.servicemarket.order.reject";
/// `alipay.open.servicemarket.order.item.complete`: one item implemented, awaiting the merchant.
pub const ORDER_ITEM_COMPLETE_METHOD: &str = "alipay.open.servicemarket.order.item.complete";
/// `alipay.open.servicemarket.order.item.confirm`: the item confirmed on the merchant's behalf
/// (needs the merchant's `app_auth_token`).
pub const ORDER_ITEM_CONFIRM_METHOD: &str = "alipay.open.servicemarket.order.item.confirm";
/// `alipay.open.servicemarket.order.item.cancel`: one item cancelled, with a reason.
pub const ORDER_ITEM_CANCEL_METHOD: &str = "alipay.open.servicemarket.order.item.cancel";

/// The most items one page of the order query holds.
pub const ORDER_PAGE_SIZE: u64 = 100;

/// Which item of an order a call is about: the merchant's mini program (plugin and template orders)
/// or a shop (shop services).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderItemTarget {
    /// The item of this mini program (`mini_app_id`).
    MiniApp(String),
    /// The item of this shop (`shop_id`).
    Shop(String),
}

impl OrderItemTarget {
    /// The `biz_content` field naming the item.
    fn field(&self) -> (&'static str, &str) {
        match self {
            OrderItemTarget::MiniApp(id) => ("mini_app_id", id),
            OrderItemTarget::Shop(id) => ("shop_id", id),
        }
    }
}

/// One item of an order, as the order query answers it (every field text, as sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderItem {
    /// The item's state: `TO_DO`, `DOING`, `TO_CONFIRM`, `CONFIRMED`, `DONE`, `MERCHANT_REJECTED`,
    /// `MERCHANT_CANCELLED`, `ISV_REJECTED`, `ISV_CANCELLED`.
    pub order_status: Option<String>,
    /// The merchant's mini program of a plugin or template order.
    pub mini_app_id: Option<String>,
    /// Its name.
    pub mini_app_name: Option<String>,
    /// The shop of a shop service.
    pub shop_id: Option<String>,
    /// The shop's name.
    pub shop_name: Option<String>,
    /// The merchant's PID.
    pub merchant_pid: Option<String>,
    /// The merchant's name.
    pub merchant_name: Option<String>,
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// When the service starts (`yyyy-MM-dd HH:mm:ss`).
    pub service_effect_date: Option<String>,
    /// When the service ends (`yyyy-MM-dd HH:mm:ss`).
    pub service_expire_date: Option<String>,
    /// Every field of the item as answered.
    pub fields: Map<String, Value>,
}

/// One page of the order query.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPage {
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// The order's state (`MERCHANT_ORDED`: awaiting the ISV; after acceptance as Alipay answers).
    pub status: Option<String>,
    /// The ordered specification.
    pub specifications: Option<String>,
    /// Whether the merchant turned automatic upgrades on.
    pub auto_upgrade: Option<bool>,
    /// This page's number (from 1).
    pub current_page: u64,
    /// How many items the order holds in all.
    pub total_size: u64,
    /// This page's items.
    pub items: Vec<OrderItem>,
}

impl OrderPage {
    /// Types the fields of a verified order-query answer.
    ///
    /// # Errors
    /// [`Error::Protocol`] when `order_items` is present but not a list of objects.
    pub fn from_response(fields: &Map<String, Value>) -> Result<Self> {
        let items = match fields.get("order_items") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(item) => Ok(OrderItem {
                        order_status: text(item, "order_status"),
                        mini_app_id: text(item, "mini_app_id"),
                        mini_app_name: text(item, "mini_app_name"),
                        shop_id: text(item, "shop_id"),
                        shop_name: text(item, "shop_name"),
                        merchant_pid: text(item, "merchant_pid"),
                        merchant_name: text(item, "merchant_name"),
                        commodity_id: text(item, "commodity_id"),
                        service_effect_date: text(item, "service_effect_date"),
                        service_expire_date: text(item, "service_expire_date"),
                        fields: item.clone(),
                    }),
                    _ => Err(Error::protocol(
                        "an order_items entry of the order query is not an object",
                    )),
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(Error::protocol(
                    "the order query's order_items is not a list",
                ));
            }
        };
        let count = |name: &str| integer(fields, name).and_then(|n| u64::try_from(n).ok());
        Ok(OrderPage {
            commodity_id: text(fields, "commodity_id"),
            status: text(fields, "status"),
            specifications: text(fields, "specifications"),
            auto_upgrade: match fields.get("auto_upgrade") {
                Some(Value::Bool(flag)) => Some(*flag),
                Some(Value::String(flag)) => flag.parse().ok(),
                _ => None,
            },
            current_page: count("current_page").unwrap_or(1),
            total_size: count("total_size").unwrap_or(items.len() as u64),
            items,
        })
    }

    /// Whether a later page may hold more items: this one was full and the total goes beyond it.
    pub fn has_next(&self) -> bool {
        !self.items.is_empty()
            && self.total_size > self.current_page.saturating_mul(ORDER_PAGE_SIZE)
    }
}

/// The `biz_content` of the order query for `page` (from 1).
pub fn query_biz(commodity_order_id: &str, page: u64) -> Result<String> {
    let id = required("commodity_order_id", commodity_order_id)?;
    if page == 0 {
        return Err(Error::config("order query pages count from 1"));
    }
    Ok(json!({"commodity_order_id": id, "start_page": page.to_string()}).to_string())
}

/// The `biz_content` of accepting an order.
pub fn accept_biz(commodity_order_id: &str) -> Result<String> {
    let id = required("commodity_order_id", commodity_order_id)?;
    Ok(json!({"commodity_order_id": id}).to_string())
}

/// The `biz_content` of rejecting an order with `reason`.
pub fn reject_biz(commodity_order_id: &str, reason: &str) -> Result<String> {
    let id = required("commodity_order_id", commodity_order_id)?;
    let reason = required("reject_reason", reason)?;
    Ok(json!({"commodity_order_id": id, "reject_reason": reason}).to_string())
}

/// The `biz_content` of completing or confirming an item (cancelling too, with a `reason`).
pub fn item_biz(
    commodity_order_id: &str,
    item: &OrderItemTarget,
    reason: Option<&str>,
) -> Result<String> {
    let id = required("commodity_order_id", commodity_order_id)?;
    let (field, value) = item.field();
    let value = required(field, value)?;
    let mut biz = json!({"commodity_order_id": id, field: value});
    if let Some(reason) = reason {
        biz["cancel_reason"] = json!(required("cancel_reason", reason)?);
    }
    Ok(biz.to_string())
}

/// `value` trimmed, or a `Config` error naming the empty `name`.
fn required<'a>(name: &str, value: &'a str) -> Result<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::config(format!("`{name}` is empty")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_types_its_items_and_says_whether_more_follow() {
        let fields: Map<String, Value> = serde_json::from_str(
            r#"{"code":"10000","commodity_id":"201604290086730119","status":"MERCHANT_ORDED",
                "auto_upgrade":"true","current_page":1,"total_size":"101",
                "order_items":[{"order_status":"TO_DO","mini_app_id":"2021000000000201","merchant_pid":"2088000000000201"}]}"#,
        )
        .unwrap();
        let page = OrderPage::from_response(&fields).unwrap();
        assert_eq!(page.status.as_deref(), Some("MERCHANT_ORDED"));
        assert_eq!((page.current_page, page.total_size), (1, 101));
        assert_eq!(page.auto_upgrade, Some(true));
        assert_eq!(page.items[0].order_status.as_deref(), Some("TO_DO"));
        assert!(page.has_next());
        let last: Map<String, Value> =
            serde_json::from_str(r#"{"current_page":2,"total_size":101,"order_items":[]}"#)
                .unwrap();
        assert!(!OrderPage::from_response(&last).unwrap().has_next());
        let huge: Map<String, Value> = serde_json::from_str(
            r#"{"current_page":9223372036854775807,"total_size":9223372036854775807,"order_items":[{}]}"#,
        )
        .unwrap();
        assert!(
            !OrderPage::from_response(&huge).unwrap().has_next(),
            "no overflow"
        );
        let bad: Map<String, Value> = serde_json::from_str(r#"{"order_items":"x"}"#).unwrap();
        assert_eq!(
            OrderPage::from_response(&bad).unwrap_err().kind(),
            "protocol"
        );
    }

    #[test]
    fn every_biz_content_names_its_fields_and_refuses_empty_ones() {
        assert_eq!(
            query_biz("2019030800000018079639", 2).unwrap(),
            r#"{"commodity_order_id":"2019030800000018079639","start_page":"2"}"#
        );
        let item = OrderItemTarget::MiniApp("2021000000000201".into());
        let cancel = item_biz("1", &item, Some("不支持")).unwrap();
        assert!(
            cancel.contains(r#""mini_app_id":"2021000000000201""#),
            "{cancel}"
        );
        assert!(cancel.contains("cancel_reason"), "{cancel}");
        assert_eq!(accept_biz(" ").unwrap_err().kind(), "config");
        assert_eq!(reject_biz("1", "").unwrap_err().kind(), "config");
        assert_eq!(query_biz("1", 0).unwrap_err().kind(), "config");
        let shop = OrderItemTarget::Shop(String::new());
        assert_eq!(item_biz("1", &shop, None).unwrap_err().kind(), "config");
    }
}
