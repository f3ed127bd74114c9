//! The service market's order calls (服务市场订单), mirroring `alipay_isv::servicemarket` and the order
//! calls of `alipay_isv::client::Client`: [`OrderItemTarget`] (which item a call is about, a sealed
//! Kotlin class), the typed answer of the order query ([`ServiceMarketOrderPage`] and its
//! [`ServiceMarketOrderItem`]s), and the `Client` methods — query one page or every page, accept,
//! reject, and complete, confirm (on the merchant's behalf) or cancel an item. The hand-written
//! `Client.servicemarketOrderPageSequence(id)` (Kotlin) fetches the pages lazily.
//!
//! Wrong states are `AlipayException.Api` with Alipay's `subCode` (`COMMODITY_ORDER_STATUS_INVALID`,
//! `ITEM_STATUS_NOT_ALLOW`, `ORDER_NOT_EXIST`, `COMMODITY_ORDER_ITEM_NOT_EXIST`, …) and a `hint`.
//! Every call is blocking (network I/O): call it from `Dispatchers.IO`.

use std::collections::HashMap;
use std::fmt;

use alipay_isv::servicemarket as core;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Result, guard};
use crate::response::scalar_fields;

/// Which item of an order a call is about (Kotlin: `OrderItemTarget.MiniApp(miniAppId)` for plugin
/// and template orders, `OrderItemTarget.Shop(shopId)` for shop services).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum OrderItemTarget {
    /// The item of the merchant's mini program (`mini_app_id`; the `authAppId` of the plugin
    /// authorisation, an item's `miniAppId`).
    MiniApp {
        /// The mini program's app id.
        mini_app_id: String,
    },
    /// The item of a shop (`shop_id`; an item's `shopId`).
    Shop {
        /// The shop's id.
        shop_id: String,
    },
}

impl From<OrderItemTarget> for core::OrderItemTarget {
    fn from(target: OrderItemTarget) -> Self {
        match target {
            OrderItemTarget::MiniApp { mini_app_id } => core::OrderItemTarget::MiniApp(mini_app_id),
            OrderItemTarget::Shop { shop_id } => core::OrderItemTarget::Shop(shop_id),
        }
    }
}

/// One item of a service-market order, as the order query answers it (every field text, as sent;
/// null when absent). `toString()` shows the identifiers, state, dates and field names — not the
/// merchant's or its apps' names.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct ServiceMarketOrderItem {
    /// The item's state: `TO_DO`, `DOING`, `TO_CONFIRM`, `CONFIRMED`, `DONE`, `MERCHANT_REJECTED`,
    /// `MERCHANT_CANCELLED`, `ISV_REJECTED`, `ISV_CANCELLED`.
    pub order_status: Option<String>,
    /// The merchant's mini program of a plugin or template order: `OrderItemTarget.MiniApp(it)`.
    pub mini_app_id: Option<String>,
    /// Its name.
    pub mini_app_name: Option<String>,
    /// The shop of a shop service: `OrderItemTarget.Shop(it)`.
    pub shop_id: Option<String>,
    /// The shop's name.
    pub shop_name: Option<String>,
    /// The merchant's PID (`2088…`).
    pub merchant_pid: Option<String>,
    /// The merchant's name.
    pub merchant_name: Option<String>,
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// When the service starts (`yyyy-MM-dd HH:mm:ss`).
    pub service_effect_date: Option<String>,
    /// When the service ends (`yyyy-MM-dd HH:mm:ss`).
    pub service_expire_date: Option<String>,
    /// Every field of the item as answered, as compact JSON object text: parse it with any JSON
    /// library, e.g. `JSONObject(item.fieldsJson)`.
    pub fields_json: String,
    /// The item's fields whose values are strings, numbers or booleans, as text (nested objects,
    /// arrays and nulls are only in `fieldsJson`).
    pub fields: HashMap<String, String>,
}

impl From<core::OrderItem> for ServiceMarketOrderItem {
    fn from(item: core::OrderItem) -> Self {
        ServiceMarketOrderItem {
            fields: scalar_fields(&item.fields),
            fields_json: Value::Object(item.fields).to_string(),
            order_status: item.order_status,
            mini_app_id: item.mini_app_id,
            mini_app_name: item.mini_app_name,
            shop_id: item.shop_id,
            shop_name: item.shop_name,
            merchant_pid: item.merchant_pid,
            merchant_name: item.merchant_name,
            commodity_id: item.commodity_id,
            service_effect_date: item.service_effect_date,
            service_expire_date: item.service_expire_date,
        }
    }
}

/// An optional value as `toString()` shows it (`null` when absent).
fn text(value: Option<&str>) -> &str {
    value.unwrap_or("null")
}

impl fmt::Debug for ServiceMarketOrderItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ServiceMarketOrderItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The names in the answer's order (the map has none).
        let names: Vec<String> = match serde_json::from_str::<Map<String, Value>>(&self.fields_json)
        {
            Ok(fields) => fields.keys().cloned().collect(),
            Err(_) => Vec::new(),
        };
        write!(
            f,
            "ServiceMarketOrderItem(orderStatus={}, miniAppId={}, shopId={}, merchantPid={}, \
             commodityId={}, serviceEffectDate={}, serviceExpireDate={}, fields={names:?})",
            text(self.order_status.as_deref()),
            text(self.mini_app_id.as_deref()),
            text(self.shop_id.as_deref()),
            text(self.merchant_pid.as_deref()),
            text(self.commodity_id.as_deref()),
            text(self.service_effect_date.as_deref()),
            text(self.service_expire_date.as_deref()),
        )
    }
}

/// One page of a service-market order (`alipay.open.servicemarket.order.query`): the order's state
/// and up to 100 of its items. `toString()` shows the order's state and its items.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct ServiceMarketOrderPage {
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// The order's state: `MERCHANT_ORDED` while it awaits the ISV, then as Alipay answers
    /// (`ISV_ACCEPTED`, `ISV_REJECTED`, …).
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
    pub items: Vec<ServiceMarketOrderItem>,
}

impl From<core::OrderPage> for ServiceMarketOrderPage {
    fn from(page: core::OrderPage) -> Self {
        ServiceMarketOrderPage {
            commodity_id: page.commodity_id,
            status: page.status,
            specifications: page.specifications,
            auto_upgrade: page.auto_upgrade,
            current_page: page.current_page,
            total_size: page.total_size,
            items: page.items.into_iter().map(Into::into).collect(),
        }
    }
}

#[uniffi::export]
impl ServiceMarketOrderPage {
    /// Whether a later page may hold more items: this one was full (100 items a page) and the total
    /// goes beyond it — the rule `servicemarketOrderPages` and `servicemarketOrderPageSequence`
    /// follow.
    pub fn has_next(&self) -> bool {
        // The core's `OrderPage::has_next`, on the record's counts (saturating: a page number from
        // the answer cannot overflow).
        !self.items.is_empty()
            && self.total_size > self.current_page.saturating_mul(core::ORDER_PAGE_SIZE)
    }
}

impl fmt::Debug for ServiceMarketOrderPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ServiceMarketOrderPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = self
            .auto_upgrade
            .map_or_else(|| "null".to_string(), |flag| flag.to_string());
        let items: Vec<String> = self.items.iter().map(ToString::to_string).collect();
        write!(
            f,
            "ServiceMarketOrderPage(commodityId={}, status={}, specifications={}, autoUpgrade={flag}, \
             currentPage={}, totalSize={}, items=[{}])",
            text(self.commodity_id.as_deref()),
            text(self.status.as_deref()),
            text(self.specifications.as_deref()),
            self.current_page,
            self.total_size,
            items.join(", "),
        )
    }
}

/// The service market's order calls, as the ISV itself (the confirmation on the merchant's behalf).
#[uniffi::export]
impl Client {
    /// One page (from 1, default 1) of a service-market order (`alipay.open.servicemarket.order.query`):
    /// its state and up to 100 items — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `ORDER_NOT_EXIST` for an unknown order, `.Config` for an empty id
    /// or page 0, and the errors of `execute`.
    #[uniffi::method(default(page = 1))]
    pub fn query_servicemarket_order(
        &self,
        commodity_order_id: String,
        page: u64,
    ) -> Result<ServiceMarketOrderPage> {
        guard("Client.queryServicemarketOrder", || {
            Ok(self
                .core()
                .query_servicemarket_order(&commodity_order_id, page)?
                .into())
        })
    }

    /// Every page of a service-market order, fetched one after another (one call per page of 100
    /// items, until a page that is not full) — blocking; call from `Dispatchers.IO`. For an order
    /// of many items, `servicemarketOrderPageSequence(id)` fetches them lazily instead.
    ///
    /// Throws as `queryServicemarketOrder` does, at the first page that fails.
    pub fn servicemarket_order_pages(
        &self,
        commodity_order_id: String,
    ) -> Result<Vec<ServiceMarketOrderPage>> {
        guard("Client.servicemarketOrderPages", || {
            self.core()
                .servicemarket_order_pages(&commodity_order_id)
                .map(|page| page.map(ServiceMarketOrderPage::from))
                .collect()
        })
    }

    /// Accepts (接单) a service-market order the merchant placed
    /// (`alipay.open.servicemarket.order.accept`): its items go to `DOING` — blocking; call from
    /// `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `COMMODITY_ORDER_STATUS_INVALID` when the order is not awaiting
    /// the ISV (already accepted or rejected), `ORDER_NOT_EXIST`, `.Config` for an empty id, and the
    /// errors of `execute`.
    pub fn accept_servicemarket_order(&self, commodity_order_id: String) -> Result<()> {
        guard("Client.acceptServicemarketOrder", || {
            self.core().accept_servicemarket_order(&commodity_order_id)
        })
    }

    /// Rejects (拒单) a service-market order with the reason the merchant will read
    /// (`alipay.open.servicemarket.order.reject`) — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `acceptServicemarketOrder` does; `.Config` for an empty reason.
    pub fn reject_servicemarket_order(
        &self,
        commodity_order_id: String,
        reason: String,
    ) -> Result<()> {
        guard("Client.rejectServicemarketOrder", || {
            self.core()
                .reject_servicemarket_order(&commodity_order_id, &reason)
        })
    }

    /// Marks one item of an accepted order implemented (`alipay.open.servicemarket.order.item.complete`):
    /// `DOING` → `TO_CONFIRM`; the merchant then confirms it — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `ITEM_STATUS_NOT_ALLOW` when the item is not in progress (the
    /// order not accepted yet, the item completed or cancelled), `COMMODITY_ORDER_ITEM_NOT_EXIST`,
    /// `ORDER_NOT_EXIST`, `.Config` for an empty id, and the errors of `execute`.
    pub fn complete_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
    ) -> Result<()> {
        guard("Client.completeServicemarketOrderItem", || {
            self.core()
                .complete_servicemarket_order_item(&commodity_order_id, &item.into())
        })
    }

    /// Confirms a completed item on the merchant's behalf, with the merchant's `app_auth_token`
    /// (`alipay.open.servicemarket.order.item.confirm`; the plugin authorisation's token):
    /// `TO_CONFIRM` → `DONE` — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Api` `ITEM_STATUS_NOT_ALLOW` when the item is not completed,
    /// `NO_PERMISSION_COMFIRM_ORDERITEM` for another merchant's token, the token errors of a
    /// delegated call (`isv.self-invoke-forbidden` without one), and as
    /// `completeServicemarketOrderItem` does.
    pub fn confirm_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
        app_auth_token: String,
    ) -> Result<()> {
        guard("Client.confirmServicemarketOrderItem", || {
            self.core().confirm_servicemarket_order_item(
                &commodity_order_id,
                &item.into(),
                &app_auth_token,
            )
        })
    }

    /// Cancels one item of an order with the reason the merchant will read
    /// (`alipay.open.servicemarket.order.item.cancel`): from `TO_DO`, `DOING` or `TO_CONFIRM` to
    /// `ISV_CANCELLED` — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `completeServicemarketOrderItem` does; `.Config` for an empty reason.
    pub fn cancel_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
        reason: String,
    ) -> Result<()> {
        guard("Client.cancelServicemarketOrderItem", || {
            self.core()
                .cancel_servicemarket_order_item(&commodity_order_id, &item.into(), &reason)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(fields: &str) -> ServiceMarketOrderPage {
        let fields: Map<String, Value> = serde_json::from_str(fields).unwrap();
        core::OrderPage::from_response(&fields).unwrap().into()
    }

    #[test]
    fn a_page_converts_with_its_items_and_follows_the_core_paging_rule() {
        let first = page(
            r#"{"commodity_id":"201604290086730119","status":"MERCHANT_ORDED","auto_upgrade":false,
                "current_page":1,"total_size":101,
                "order_items":[{"order_status":"TO_DO","mini_app_id":"2021000000000201",
                  "merchant_name":"杭州测试科技有限公司","n":3,"o":{"k":1}}]}"#,
        );
        assert_eq!(first.status.as_deref(), Some("MERCHANT_ORDED"));
        assert_eq!(first.auto_upgrade, Some(false));
        let item = &first.items[0];
        assert_eq!(item.order_status.as_deref(), Some("TO_DO"));
        assert_eq!(item.fields.get("n").map(String::as_str), Some("3"));
        assert!(!item.fields.contains_key("o"));
        assert!(item.fields_json.contains(r#""o":{"k":1}"#));
        assert!(first.has_next());
        let shown = first.to_string();
        assert!(shown.contains("orderStatus=TO_DO"), "{shown}");
        assert!(shown.contains(r#""merchant_name""#), "{shown}");
        assert!(!shown.contains("杭州"), "{shown}");
        assert!(!page(r#"{"current_page":2,"total_size":101,"order_items":[]}"#).has_next());
        assert!(!page(r#"{"current_page":1,"total_size":1,"order_items":[{}]}"#).has_next());
    }

    #[test]
    fn a_target_names_its_item() {
        let target: core::OrderItemTarget = OrderItemTarget::Shop {
            shop_id: "2015051100077000000001".into(),
        }
        .into();
        assert_eq!(
            target,
            core::OrderItemTarget::Shop("2015051100077000000001".into())
        );
    }
}
