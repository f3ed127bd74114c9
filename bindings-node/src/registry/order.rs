//! The service-market orders the registry keeps, mirroring `alipay_isv::registry`'s order:
//! [`OrderRecord`] (one order: what the order message said, its status as the ISV's calls and queries
//! moved it, and the history of those moves; the merchant's contact person and phone masked in
//! `toString()` and `util.inspect`), the state of each item ([`OrderItemState`]), one change of
//! status ([`OrderStatusChange`]), and the status names the registry records.

use alipay_isv::registry as core;
use indexmap::IndexMap;
use napi_derive::napi;

use crate::servicemarket::ItemTargetArg;

/// The status of a new order, as Alipay names it (`MERCHANT_ORDED`): placed by the merchant, awaiting
/// the ISV.
#[napi]
pub const ORDER_PLACED: &str = core::ORDER_PLACED;
/// The order status the registry records after `Registry.acceptOrder` (`ISV_ACCEPTED`).
#[napi]
pub const ORDER_ACCEPTED: &str = core::ORDER_ACCEPTED;
/// The order status the registry records after `Registry.rejectOrder` (`ISV_REJECTED`).
#[napi]
pub const ORDER_REJECTED: &str = core::ORDER_REJECTED;
/// The item status after `Registry.completeOrderItem` (`TO_CONFIRM`): awaiting the merchant's
/// confirmation.
#[napi]
pub const ITEM_TO_CONFIRM: &str = core::ITEM_TO_CONFIRM;
/// The item status once confirmed (`DONE`, after `Registry.confirmOrderItem`).
#[napi]
pub const ITEM_DONE: &str = core::ITEM_DONE;
/// The item status after `Registry.cancelOrderItem` (`ISV_CANCELLED`).
#[napi]
pub const ITEM_CANCELLED: &str = core::ITEM_CANCELLED;

/// The state of one item of an order: the merchant's mini program or a shop, and its status.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OrderItemState {
    /// The merchant's mini program, for plugin and template orders.
    pub mini_app_id: Option<String>,
    /// The shop, for shop services.
    pub shop_id: Option<String>,
    /// Alipay's item status (`TO_DO`, `DOING`, `TO_CONFIRM`, `DONE`, `ISV_CANCELLED`, …).
    pub status: String,
}

impl From<&core::OrderItemState> for OrderItemState {
    fn from(item: &core::OrderItemState) -> Self {
        OrderItemState {
            mini_app_id: item.mini_app_id.clone(),
            shop_id: item.shop_id.clone(),
            status: item.status.clone(),
        }
    }
}

/// One change of an order's status, or of one of its items'.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OrderStatusChange {
    /// The new status.
    pub status: String,
    /// The item it is about (its mini program or shop id); `null` for the order itself.
    pub item: Option<String>,
    /// What changed it: the order message (`notification`), one of the ISV's calls (`accept`,
    /// `reject`, `item.complete`, `item.confirm`, `item.cancel`) or a query (`query`,
    /// `Registry.refreshOrder`).
    #[napi(
        ts_type = "'notification' | 'accept' | 'reject' | 'item.complete' | 'item.confirm' | 'item.cancel' | 'query'"
    )]
    pub source: String,
    /// When, epoch milliseconds.
    pub at_ms: i64,
}

impl From<&core::OrderStatusChange> for OrderStatusChange {
    fn from(change: &core::OrderStatusChange) -> Self {
        OrderStatusChange {
            status: change.status.clone(),
            item: change.item.clone(),
            source: change.source.clone(),
            at_ms: change.at_ms,
        }
    }
}

/// A service-market order as the registry keeps it (`Registry.order`, `orders`, and the result of
/// every order call made through the registry): what the order message said, the status as the ISV's
/// calls and queries moved it, and every change in `history`. Keyed by `commodityOrderId`. A
/// snapshot: later changes to the registry do not show in it.
///
/// `contactor` and `phone` are the merchant's personal data: the getters return them (never log
/// them); `toString()` and `util.inspect` show their length only, and `params` (which hold them too)
/// by name only. `JSON.stringify` shows nothing (the fields are getters).
#[napi]
pub struct OrderRecord {
    pub(crate) inner: core::OrderRecord,
}

/// The JavaScript result of a core order.
pub(crate) fn order_record(inner: core::OrderRecord) -> OrderRecord {
    OrderRecord { inner }
}

#[napi]
impl OrderRecord {
    /// The order number (the key of every order call).
    #[napi(getter, catch_unwind)]
    pub fn commodity_order_id(&self) -> String {
        self.inner.commodity_order_id.clone()
    }

    /// Our app that received the order message (the third-party app or the plugin): its client
    /// makes the order calls.
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id.clone()
    }

    /// The ordering merchant's PID (`2088…`).
    #[napi(getter, catch_unwind)]
    pub fn merchant_pid(&self) -> String {
        self.inner.merchant_pid.clone()
    }

    /// The merchant's mini program the order is for (`consumer_miniAppId`), or `null`: the
    /// `authAppId` of the authorisation that comes with the order (`Registry.orderAuthorisation`).
    #[napi(getter, catch_unwind)]
    pub fn consumer_mini_app_id(&self) -> Option<String> {
        self.inner.consumer_mini_app_id.clone()
    }

    /// The merchant's name as Alipay showed it, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn merchant_name(&self) -> Option<String> {
        self.inner.merchant_name.clone()
    }

    /// The ordered service's name, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn title(&self) -> Option<String> {
        self.inner.title.clone()
    }

    /// The price in yuan, as sent (money stays text), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn total_price(&self) -> Option<String> {
        self.inner.total_price.clone()
    }

    /// When the merchant ordered (`yyyy-MM-dd HH:mm:ss`, China time), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn order_time(&self) -> Option<String> {
        self.inner.order_time.clone()
    }

    /// The merchant's contact person, or `null`. Personal data: never log it.
    #[napi(getter, catch_unwind)]
    pub fn contactor(&self) -> Option<String> {
        self.inner.contactor.clone()
    }

    /// The merchant's contact phone, or `null`. Personal data: never log it.
    #[napi(getter, catch_unwind)]
    pub fn phone(&self) -> Option<String> {
        self.inner.phone.clone()
    }

    /// The order's status: `MERCHANT_ORDED` (`ORDER_PLACED`), `ISV_ACCEPTED`, `ISV_REJECTED`, or what
    /// a query answered.
    #[napi(getter, catch_unwind)]
    pub fn status(&self) -> String {
        self.inner.status.clone()
    }

    /// The items whose status is known (from the ISV's item calls and from queries).
    #[napi(getter, catch_unwind)]
    pub fn items(&self) -> Vec<OrderItemState> {
        self.inner.items.iter().map(OrderItemState::from).collect()
    }

    /// The status of the item `{ miniAppId }` or `{ shopId }`, or `null` when not known.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an item that is not exactly one of `miniAppId` /
    /// `shopId`.
    #[napi(catch_unwind)]
    pub fn item_status(
        &self,
        env: napi::Env,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<Option<String>> {
        let target = item
            .target()
            .map_err(|reason| super::config_error(&env, reason))?;
        Ok(self.inner.item_status(&target).map(str::to_string))
    }

    /// The order message whose fields are stored (the latest sent), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn notify_id(&self) -> Option<String> {
        self.inner.notify_id.clone()
    }

    /// When that message was sent, epoch milliseconds, or `null`.
    #[napi(getter, catch_unwind)]
    pub fn notified_at_ms(&self) -> Option<i64> {
        self.inner.notified_at_ms
    }

    /// Every verified parameter of that message, in the order received (`contactor` and `phone`
    /// too: personal data).
    #[napi(getter, catch_unwind, ts_return_type = "Record<string, string>")]
    pub fn params(&self) -> IndexMap<String, String> {
        self.inner.params.iter().cloned().collect()
    }

    /// Every status change, oldest first.
    #[napi(getter, catch_unwind)]
    pub fn history(&self) -> Vec<OrderStatusChange> {
        self.inner
            .history
            .iter()
            .map(OrderStatusChange::from)
            .collect()
    }

    /// Incremented by every write of the order.
    #[napi(getter, catch_unwind)]
    pub fn version(&self) -> i64 {
        self.inner.version
    }

    /// When the registry first stored it, epoch milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn created_at_ms(&self) -> i64 {
        self.inner.created_at_ms
    }

    /// The last write, epoch milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn updated_at_ms(&self) -> i64 {
        self.inner.updated_at_ms
    }

    /// `OrderRecord { commodity_order_id: …, contactor: Some("…(3 chars)"), phone: Some("…(11 chars)"),
    /// params: ["contactor=…(3 chars)", …], … }`: the contact person and phone by their length only.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}
