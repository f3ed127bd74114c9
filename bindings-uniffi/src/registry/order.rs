//! Service-market orders as the registry keeps them, mirroring `alipay_isv::registry`'s `order`
//! module: the [`OrderRecord`] (what the order message said, the status the ISV's calls and queries
//! moved it to, the history of those moves), its [`OrderItemState`]s and [`OrderStatusChange`]s, and
//! the status names the registry records (`orderPlaced()`, `orderAccepted()`, …: the core's
//! constants).
//!
//! The Kotlin `toString()` of an order shows the merchant's contact person and phone (personal data)
//! by their length only, leaves out the merchant's name (often the contact person's) and shows the
//! message's parameter names only.

use std::collections::HashMap;
use std::fmt;

use alipay_isv::registry as core;
use alipay_isv::secret::shown;

use crate::servicemarket::OrderItemTarget;

/// The order status of a new order, as Alipay names it: placed by the merchant, awaiting the ISV
/// (`MERCHANT_ORDED`).
#[uniffi::export]
pub fn order_placed() -> String {
    core::ORDER_PLACED.to_string()
}

/// The order status the registry records after a successful `Registry.acceptOrder`
/// (`ISV_ACCEPTED`).
#[uniffi::export]
pub fn order_accepted() -> String {
    core::ORDER_ACCEPTED.to_string()
}

/// The order status the registry records after a successful `Registry.rejectOrder`
/// (`ISV_REJECTED`).
#[uniffi::export]
pub fn order_rejected() -> String {
    core::ORDER_REJECTED.to_string()
}

/// The item status after `Registry.completeOrderItem`: awaiting the merchant's confirmation
/// (`TO_CONFIRM`).
#[uniffi::export]
pub fn item_to_confirm() -> String {
    core::ITEM_TO_CONFIRM.to_string()
}

/// The item status once confirmed (`Registry.confirmOrderItem`): `DONE`.
#[uniffi::export]
pub fn item_done() -> String {
    core::ITEM_DONE.to_string()
}

/// The item status after `Registry.cancelOrderItem` (`ISV_CANCELLED`).
#[uniffi::export]
pub fn item_cancelled() -> String {
    core::ITEM_CANCELLED.to_string()
}

/// The state of one item of an order (a mini program or a shop), as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderItemState {
    /// The merchant's mini program, for plugin and template orders.
    pub mini_app_id: Option<String>,
    /// The shop, for shop services.
    pub shop_id: Option<String>,
    /// Alipay's item status (`TO_DO`, `DOING`, `TO_CONFIRM`, `DONE`, `ISV_CANCELLED`, …).
    pub status: String,
}

impl From<core::OrderItemState> for OrderItemState {
    fn from(item: core::OrderItemState) -> Self {
        OrderItemState {
            mini_app_id: item.mini_app_id,
            shop_id: item.shop_id,
            status: item.status,
        }
    }
}

impl OrderItemState {
    /// The core item, to ask the core's rules about it.
    fn to_core(&self) -> core::OrderItemState {
        core::OrderItemState {
            mini_app_id: self.mini_app_id.clone(),
            shop_id: self.shop_id.clone(),
            status: self.status.clone(),
        }
    }
}

#[uniffi::export]
impl OrderItemState {
    /// Whether this is the item `target` names (`OrderItemTarget.MiniApp(id)` or `.Shop(id)`).
    pub fn is_item(&self, target: OrderItemTarget) -> bool {
        self.to_core().is(&target.into())
    }
}

/// One change of an order's status, or of one of its items'.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderStatusChange {
    /// The new status.
    pub status: String,
    /// The item it is about (mini program or shop id); null for the order itself.
    pub item: Option<String>,
    /// What changed it: `notification`, `accept`, `reject`, `item.complete`, `item.confirm`,
    /// `item.cancel` or `query`.
    pub source: String,
    /// When, epoch milliseconds.
    pub at_ms: i64,
}

impl From<core::OrderStatusChange> for OrderStatusChange {
    fn from(change: core::OrderStatusChange) -> Self {
        OrderStatusChange {
            status: change.status,
            item: change.item,
            source: change.source,
            at_ms: change.at_ms,
        }
    }
}

/// A service-market order as the registry keeps it (keyed by `commodityOrderId`): what the order
/// message said, the status as the ISV's calls and queries moved it (`Registry.acceptOrder`, …,
/// `refreshOrder`), and the history of those moves. `toString()` shows `contactor` and `phone`
/// (personal data) by their length only, leaves out `merchantName` and shows the parameter names
/// only.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct OrderRecord {
    /// The order number (the unique key).
    pub commodity_order_id: String,
    /// The app that received the order message (our third-party app or plugin): its `Client` makes
    /// the order calls.
    pub app_id: String,
    /// The ordering merchant's PID.
    pub merchant_pid: String,
    /// The merchant's mini program the order is for (`consumer_miniAppId`), when given: the
    /// `authAppId` of the authorisation that comes with the order.
    pub consumer_mini_app_id: Option<String>,
    /// The merchant's name as Alipay showed it (often the contact person's name: not in
    /// `toString()`).
    pub merchant_name: Option<String>,
    /// The ordered service's name.
    pub title: Option<String>,
    /// The price in yuan, as sent (money stays text).
    pub total_price: Option<String>,
    /// When the merchant ordered (`yyyy-MM-dd HH:mm:ss`, China time).
    pub order_time: Option<String>,
    /// The merchant's contact person. Personal data: its length only in `toString()`.
    pub contactor: Option<String>,
    /// The merchant's contact phone. Personal data: its length only in `toString()`.
    pub phone: Option<String>,
    /// The order's status (`MERCHANT_ORDED`, `ISV_ACCEPTED`, `ISV_REJECTED`, or what a query
    /// answered).
    pub status: String,
    /// The items whose status is known (from the ISV's item calls and from queries).
    pub items: Vec<OrderItemState>,
    /// The order message whose fields are stored (the latest sent).
    pub notify_id: Option<String>,
    /// When that message was sent, epoch milliseconds.
    pub notified_at_ms: Option<i64>,
    /// Every verified parameter of that message.
    pub params: HashMap<String, String>,
    /// Every status change, oldest first.
    pub history: Vec<OrderStatusChange>,
    /// Incremented by every write (1 once the order message is stored, whatever Alipay retried).
    pub version: i64,
    /// When the registry first stored it, epoch milliseconds.
    pub created_at_ms: i64,
    /// The last write, epoch milliseconds.
    pub updated_at_ms: i64,
}

impl From<core::OrderRecord> for OrderRecord {
    fn from(order: core::OrderRecord) -> Self {
        OrderRecord {
            commodity_order_id: order.commodity_order_id,
            app_id: order.app_id,
            merchant_pid: order.merchant_pid,
            consumer_mini_app_id: order.consumer_mini_app_id,
            merchant_name: order.merchant_name,
            title: order.title,
            total_price: order.total_price,
            order_time: order.order_time,
            contactor: order.contactor,
            phone: order.phone,
            status: order.status,
            items: order.items.into_iter().map(Into::into).collect(),
            notify_id: order.notify_id,
            notified_at_ms: order.notified_at_ms,
            params: order.params.into_iter().collect(),
            history: order.history.into_iter().map(Into::into).collect(),
            version: order.version,
            created_at_ms: order.created_at_ms,
            updated_at_ms: order.updated_at_ms,
        }
    }
}

#[uniffi::export]
impl OrderRecord {
    /// The status of the item `target` names, or null when the registry does not know it yet.
    pub fn item_status(&self, target: OrderItemTarget) -> Option<String> {
        let target = target.into();
        self.items
            .iter()
            .find(|item| item.to_core().is(&target))
            .map(|item| item.status.clone())
    }
}

impl fmt::Debug for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |value: Option<&str>| value.unwrap_or("null").to_string();
        // Personal data by its length only, by the one rule.
        let personal = |name: &str, value: Option<&str>| {
            value.map_or_else(|| "null".into(), |value| shown(name, value))
        };
        let mut names: Vec<&str> = self.params.keys().map(String::as_str).collect();
        names.sort_unstable();
        let items: Vec<String> = self
            .items
            .iter()
            .map(|item| {
                format!(
                    "{}={}",
                    item.mini_app_id
                        .as_deref()
                        .or(item.shop_id.as_deref())
                        .unwrap_or("?"),
                    item.status
                )
            })
            .collect();
        let history: Vec<String> = self
            .history
            .iter()
            .map(|change| match &change.item {
                Some(item) => format!("{}:{item}={}", change.source, change.status),
                None => format!("{}:{}", change.source, change.status),
            })
            .collect();
        write!(
            f,
            "OrderRecord(commodityOrderId={}, appId={}, merchantPid={}, consumerMiniAppId={}, \
             title={}, totalPrice={}, orderTime={}, contactor={}, phone={}, status={}, items={items:?}, \
             notifyId={}, history={history:?}, params={names:?}, version={})",
            self.commodity_order_id,
            self.app_id,
            self.merchant_pid,
            text(self.consumer_mini_app_id.as_deref()),
            text(self.title.as_deref()),
            text(self.total_price.as_deref()),
            text(self.order_time.as_deref()),
            personal("contactor", self.contactor.as_deref()),
            personal("phone", self.phone.as_deref()),
            self.status,
            text(self.notify_id.as_deref()),
            self.version,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> OrderRecord {
        OrderRecord {
            commodity_order_id: "20261121000000000001".into(),
            app_id: "2021000000000001".into(),
            merchant_pid: "2088000000000001".into(),
            consumer_mini_app_id: Some("2021000000000201".into()),
            merchant_name: Some("张三的店".into()),
            title: Some("插件订购".into()),
            total_price: Some("0.00".into()),
            order_time: None,
            contactor: Some("张三".into()),
            phone: Some("17826894615".into()),
            status: order_accepted(),
            items: vec![OrderItemState {
                mini_app_id: Some("2021000000000201".into()),
                shop_id: None,
                status: item_done(),
            }],
            notify_id: Some("n1".into()),
            notified_at_ms: Some(1),
            params: [
                ("contactor".to_string(), "张三".to_string()),
                ("phone".to_string(), "17826894615".to_string()),
            ]
            .into_iter()
            .collect(),
            history: vec![OrderStatusChange {
                status: item_done(),
                item: Some("2021000000000201".into()),
                source: "item.confirm".into(),
                at_ms: 2,
            }],
            version: 3,
            created_at_ms: 1,
            updated_at_ms: 2,
        }
    }

    #[test]
    fn display_masks_personal_data_and_item_status_follows_the_core() {
        let order = record();
        let shown = order.to_string();
        for personal in ["张三", "17826894615", "7826"] {
            assert!(!shown.contains(personal), "{shown}");
        }
        assert!(shown.contains("phone=…(11 chars)"), "{shown}");
        assert!(shown.contains("status=ISV_ACCEPTED"), "{shown}");
        assert!(
            shown.contains("item.confirm:2021000000000201=DONE"),
            "{shown}"
        );
        let target = OrderItemTarget::MiniApp {
            mini_app_id: "2021000000000201".into(),
        };
        assert_eq!(order.item_status(target.clone()).as_deref(), Some("DONE"));
        assert!(order.items[0].is_item(target));
        assert_eq!(
            order.item_status(OrderItemTarget::Shop {
                shop_id: "2021000000000201".into()
            }),
            None
        );
        assert_eq!(
            [
                order_placed(),
                order_rejected(),
                item_to_confirm(),
                item_cancelled()
            ],
            [
                "MERCHANT_ORDED",
                "ISV_REJECTED",
                "TO_CONFIRM",
                "ISV_CANCELLED"
            ]
        );
    }
}
