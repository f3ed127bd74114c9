//! Service-market orders as the registry keeps them ([`OrderRecord`]), and the ordering rules of their
//! ingestion as pure decisions over the stored record: an order message creates the order, a retry or a
//! late message never moves it back (only a message sent after the stored one refreshes its fields), and
//! every change of the order's or an item's status — from a call the ISV made or from a query — is
//! appended to the order's history.

use std::fmt;

use super::store::Decision;
use crate::error::{Error, Result};
use crate::notify::ServiceMarketOrder;
use crate::secret::{shown, shown_optional};
use crate::servicemarket::{OrderItemTarget, OrderPage};

/// The order status of a new order, as Alipay names it: placed by the merchant, awaiting the ISV.
pub const ORDER_PLACED: &str = "MERCHANT_ORDED";
/// The order status after the ISV accepted it (what the registry records after a successful accept).
pub const ORDER_ACCEPTED: &str = "ISV_ACCEPTED";
/// The order status after the ISV rejected it.
pub const ORDER_REJECTED: &str = "ISV_REJECTED";
/// The item status after the ISV completed it: awaiting the merchant's confirmation.
pub const ITEM_TO_CONFIRM: &str = "TO_CONFIRM";
/// The item status once confirmed.
pub const ITEM_DONE: &str = "DONE";
/// The item status after the ISV cancelled it.
pub const ITEM_CANCELLED: &str = "ISV_CANCELLED";

/// The state of one item of an order (a mini program or a shop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItemState {
    /// The merchant's mini program, for plugin and template orders.
    pub mini_app_id: Option<String>,
    /// The shop, for shop services.
    pub shop_id: Option<String>,
    /// Alipay's item status (`TO_DO`, `DOING`, `TO_CONFIRM`, `DONE`, `ISV_CANCELLED`, …).
    pub status: String,
}

impl OrderItemState {
    /// Whether this is the item `target` names.
    pub fn is(&self, target: &OrderItemTarget) -> bool {
        match target {
            OrderItemTarget::MiniApp(id) => self.mini_app_id.as_deref() == Some(id.as_str()),
            OrderItemTarget::Shop(id) => self.shop_id.as_deref() == Some(id.as_str()),
        }
    }
}

/// One change of an order's status, or of one of its items'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatusChange {
    /// The new status.
    pub status: String,
    /// The item it is about (mini program or shop id); `None` for the order itself.
    pub item: Option<String>,
    /// What changed it: `notification`, `accept`, `reject`, `item.complete`, `item.confirm`,
    /// `item.cancel` or `query`.
    pub source: String,
    /// When, epoch milliseconds.
    pub at_ms: i64,
}

/// A service-market order as the registry keeps it: what the order message said, the status as the
/// ISV's calls and queries moved it, and the history of those moves. Keyed by `commodity_order_id`.
/// `Debug` masks the merchant's contact person and phone (personal data) and shows parameter names only.
#[derive(Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// The order number (unique key).
    pub commodity_order_id: String,
    /// The app that received the order message (our third-party app or plugin).
    pub app_id: String,
    /// The ordering merchant's PID.
    pub merchant_pid: String,
    /// The merchant's mini program the order is for (`consumer_miniAppId`), when given: the
    /// `auth_app_id` of the authorisation that comes with the order.
    pub consumer_mini_app_id: Option<String>,
    /// The merchant's name as Alipay showed it.
    pub merchant_name: Option<String>,
    /// The ordered service's name.
    pub title: Option<String>,
    /// The price in yuan, as sent.
    pub total_price: Option<String>,
    /// When the merchant ordered (`yyyy-MM-dd HH:mm:ss`, China time).
    pub order_time: Option<String>,
    /// The merchant's contact person (personal data).
    pub contactor: Option<String>,
    /// The merchant's contact phone (personal data).
    pub phone: Option<String>,
    /// The order's status (`MERCHANT_ORDED`, `ISV_ACCEPTED`, `ISV_REJECTED`, or what a query answered).
    pub status: String,
    /// The items whose status is known (from the ISV's item calls and from queries).
    pub items: Vec<OrderItemState>,
    /// The order message whose fields are stored (the latest sent).
    pub notify_id: Option<String>,
    /// When that message was sent, epoch milliseconds.
    pub notified_at_ms: Option<i64>,
    /// Every verified parameter of that message.
    pub params: Vec<(String, String)>,
    /// Every status change, oldest first.
    pub history: Vec<OrderStatusChange>,
    /// Incremented by every write.
    pub version: i64,
    /// When the registry first stored it, epoch milliseconds.
    pub created_at_ms: i64,
    /// The last write, epoch milliseconds.
    pub updated_at_ms: i64,
}

impl fmt::Debug for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrderRecord")
            .field("commodity_order_id", &self.commodity_order_id)
            .field("app_id", &self.app_id)
            .field("merchant_pid", &self.merchant_pid)
            .field("consumer_mini_app_id", &self.consumer_mini_app_id)
            .field("merchant_name", &self.merchant_name)
            .field("title", &self.title)
            .field("total_price", &self.total_price)
            .field("order_time", &self.order_time)
            .field(
                "contactor",
                &shown_optional("contactor", self.contactor.as_deref()),
            )
            .field("phone", &shown_optional("phone", self.phone.as_deref()))
            .field("status", &self.status)
            .field("items", &self.items)
            .field("notify_id", &self.notify_id)
            .field(
                "params",
                &self
                    .params
                    .iter()
                    .map(|(name, value)| format!("{name}={}", shown(name, value)))
                    .collect::<Vec<_>>(),
            )
            .field("history", &self.history)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl OrderRecord {
    /// The status of the item `target`, when known.
    pub fn item_status(&self, target: &OrderItemTarget) -> Option<&str> {
        self.items
            .iter()
            .find(|item| item.is(target))
            .map(|item| item.status.as_str())
    }
}

/// The id an item change is recorded under.
fn item_id(target: &OrderItemTarget) -> String {
    match target {
        OrderItemTarget::MiniApp(id) | OrderItemTarget::Shop(id) => id.clone(),
    }
}

/// A verified order message sent at `notified_at_ms`, received at `now_ms` by the app `app_id`.
pub(crate) fn from_notification(
    current: Option<&OrderRecord>,
    order: &ServiceMarketOrder,
    app_id: &str,
    notified_at_ms: i64,
    now_ms: i64,
) -> Decision<OrderRecord> {
    let described = |mut record: OrderRecord| {
        record.merchant_pid = order.merchant_pid.clone();
        record.consumer_mini_app_id = order.consumer_mini_app_id.clone();
        record.merchant_name = order.merchant_name.clone();
        record.title = order.title.clone();
        record.total_price = order.total_price.clone();
        record.order_time = order.order_time.clone();
        record.contactor = order.contactor.clone();
        record.phone = order.phone.clone();
        record.notify_id = Some(order.notify_id.clone());
        record.notified_at_ms = Some(notified_at_ms);
        record.params = order.params.clone();
        if record.app_id.is_empty() {
            record.app_id = app_id.to_string();
        }
        record
    };
    match current {
        None => Decision::Write(Box::new(described(OrderRecord {
            commodity_order_id: order.commodity_order_id.clone(),
            app_id: app_id.to_string(),
            merchant_pid: String::new(),
            consumer_mini_app_id: None,
            merchant_name: None,
            title: None,
            total_price: None,
            order_time: None,
            contactor: None,
            phone: None,
            status: ORDER_PLACED.to_string(),
            items: Vec::new(),
            notify_id: None,
            notified_at_ms: None,
            params: Vec::new(),
            history: vec![OrderStatusChange {
                status: ORDER_PLACED.to_string(),
                item: None,
                source: "notification".to_string(),
                at_ms: notified_at_ms,
            }],
            version: 0,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }))),
        // A message sent no later than the stored one (a retry, a late copy) changes nothing; a later one
        // refreshes the fields but never the status the ISV's calls moved.
        Some(stored) if stored.notified_at_ms.is_some_and(|at| at >= notified_at_ms) => {
            Decision::Keep
        }
        Some(stored) => Decision::Write(Box::new(described(stored.clone()))),
    }
}

/// The order (or its item `item`) moved to `status` by `source` at `now_ms`.
pub(crate) fn with_status(
    current: Option<&OrderRecord>,
    commodity_order_id: &str,
    status: &str,
    item: Option<&OrderItemTarget>,
    source: &str,
    now_ms: i64,
) -> Result<Decision<OrderRecord>> {
    let stored = current.ok_or_else(|| unknown_order(commodity_order_id))?;
    let mut updated = stored.clone();
    let changed = match item {
        None => {
            let changed = updated.status != status;
            updated.status = status.to_string();
            changed
        }
        Some(target) => set_item(&mut updated.items, target, status),
    };
    if !changed {
        return Ok(Decision::Keep);
    }
    updated.history.push(OrderStatusChange {
        status: status.to_string(),
        item: item.map(item_id),
        source: source.to_string(),
        at_ms: now_ms,
    });
    Ok(Decision::Write(Box::new(updated)))
}

/// Sets the item's status (adding the item when new); whether it changed.
fn set_item(items: &mut Vec<OrderItemState>, target: &OrderItemTarget, status: &str) -> bool {
    if let Some(item) = items.iter_mut().find(|item| item.is(target)) {
        if item.status == status {
            return false;
        }
        item.status = status.to_string();
        return true;
    }
    let (mini_app_id, shop_id) = match target {
        OrderItemTarget::MiniApp(id) => (Some(id.clone()), None),
        OrderItemTarget::Shop(id) => (None, Some(id.clone())),
    };
    items.push(OrderItemState {
        mini_app_id,
        shop_id,
        status: status.to_string(),
    });
    true
}

/// What a query of the order answered at `now_ms` (one page): the order's status and its items'.
pub(crate) fn from_page(
    current: Option<&OrderRecord>,
    page: &OrderPage,
    now_ms: i64,
) -> Decision<OrderRecord> {
    let Some(stored) = current else {
        return Decision::Keep;
    };
    let mut updated = stored.clone();
    let mut change = |status: &str, item: Option<String>| {
        updated.history.push(OrderStatusChange {
            status: status.to_string(),
            item,
            source: "query".to_string(),
            at_ms: now_ms,
        });
    };
    if let Some(status) = page.status.as_deref().filter(|status| !status.is_empty())
        && updated.status != status
    {
        updated.status = status.to_string();
        change(status, None);
    }
    for item in &page.items {
        let Some(status) = item.order_status.as_deref() else {
            continue;
        };
        let target = match (&item.mini_app_id, &item.shop_id) {
            (Some(id), _) => OrderItemTarget::MiniApp(id.clone()),
            (None, Some(id)) => OrderItemTarget::Shop(id.clone()),
            (None, None) => continue,
        };
        if set_item(&mut updated.items, &target, status) {
            change(status, Some(item_id(&target)));
        }
    }
    if &updated == stored {
        Decision::Keep
    } else {
        Decision::Write(Box::new(updated))
    }
}

/// The error for an order the registry does not hold.
pub(crate) fn unknown_order(commodity_order_id: &str) -> Error {
    Error::Store {
        reason: format!(
            "no order {commodity_order_id} is stored in the registry: its order message has not \
             been ingested (or was ingested into another registry)"
        ),
    }
}
