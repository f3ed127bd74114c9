//! Service-market orders as the registry keeps them: `OrderRecord` (one order), `OrderItemState` (one
//! item's status) and `OrderStatusChange` (one step of its history) — the Python face of
//! `alipay_isv::registry`'s order types. The order methods themselves are `Registry`'s (in
//! [`super`]).
//!
//! `repr()` shows the merchant's contact person and phone (personal data) by their length only,
//! through `alipay_isv::secret::shown_optional`, and the order message's parameters by name only.

use alipay_isv::registry;
use alipay_isv::secret::shown_optional;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{key_list, optional, params_dict};
use crate::servicemarket::item_target;

/// `123` or `None`, for a `repr`.
fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "None".to_string(), |n| n.to_string())
}

/// The state of one item of a stored order (a mini program or a shop), as the ISV's item
/// calls and order queries left it.
#[pyclass(module = "alipay_isv", frozen)]
pub struct OrderItemState {
    inner: registry::OrderItemState,
}

#[pymethods]
impl OrderItemState {
    /// The merchant's mini program, for plugin and template orders.
    #[getter]
    fn mini_app_id(&self) -> Option<&str> {
        self.inner.mini_app_id.as_deref()
    }

    /// The shop, for shop services.
    #[getter]
    fn shop_id(&self) -> Option<&str> {
        self.inner.shop_id.as_deref()
    }

    /// Alipay's item status (``TO_DO``, ``DOING``, ``TO_CONFIRM``, ``DONE``,
    /// ``ISV_CANCELLED``, …).
    #[getter]
    fn status(&self) -> &str {
        &self.inner.status
    }

    fn __repr__(&self) -> String {
        item_repr(&self.inner)
    }
}

/// The `repr` of an item state.
fn item_repr(item: &registry::OrderItemState) -> String {
    format!(
        "OrderItemState(mini_app_id={}, shop_id={}, status='{}')",
        optional(item.mini_app_id.as_deref()),
        optional(item.shop_id.as_deref()),
        item.status,
    )
}

/// One change of a stored order's status, or of one of its items'.
#[pyclass(module = "alipay_isv", frozen)]
pub struct OrderStatusChange {
    inner: registry::OrderStatusChange,
}

#[pymethods]
impl OrderStatusChange {
    /// The new status.
    #[getter]
    fn status(&self) -> &str {
        &self.inner.status
    }

    /// The item it is about (its mini program or shop id); ``None`` for the order itself.
    #[getter]
    fn item(&self) -> Option<&str> {
        self.inner.item.as_deref()
    }

    /// What changed it: ``notification`` (the order message), ``accept``, ``reject``,
    /// ``item.complete``, ``item.confirm``, ``item.cancel`` (the registry's order calls) or
    /// ``query`` (:meth:`Registry.refresh_order`).
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }

    /// When, epoch milliseconds.
    #[getter]
    fn at_ms(&self) -> i64 {
        self.inner.at_ms
    }

    fn __repr__(&self) -> String {
        change_repr(&self.inner)
    }
}

/// The `repr` of a status change.
fn change_repr(change: &registry::OrderStatusChange) -> String {
    format!(
        "OrderStatusChange(status='{}', item={}, source='{}', at_ms={})",
        change.status,
        optional(change.item.as_deref()),
        change.source,
        change.at_ms,
    )
}

/// A service-market order as the :class:`Registry` keeps it: what the order message said, the
/// status as the ISV's calls and queries moved it, and the history of those moves. Keyed by
/// ``commodity_order_id``. A snapshot: read the registry again for fresh state. ``repr()``
/// shows the merchant's contact person and phone (personal data) by their length only, leaves
/// out the merchant's name (as a notification's ``repr()`` does), and shows the message's
/// parameters by name only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct OrderRecord {
    inner: registry::OrderRecord,
}

impl OrderRecord {
    /// Wraps a core order.
    pub(crate) fn wrap(inner: registry::OrderRecord) -> Self {
        OrderRecord { inner }
    }
}

#[pymethods]
impl OrderRecord {
    /// The order number (the unique key).
    #[getter]
    fn commodity_order_id(&self) -> &str {
        &self.inner.commodity_order_id
    }

    /// The app that received the order message (our third-party app or plugin): its client
    /// makes the order calls.
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The ordering merchant's PID (``2088…``).
    #[getter]
    fn merchant_pid(&self) -> &str {
        &self.inner.merchant_pid
    }

    /// The merchant's mini program the order is for (``consumer_miniAppId``), when given: the
    /// ``auth_app_id`` of the authorisation that comes with the order.
    #[getter]
    fn consumer_mini_app_id(&self) -> Option<&str> {
        self.inner.consumer_mini_app_id.as_deref()
    }

    /// The merchant's name as Alipay showed it.
    #[getter]
    fn merchant_name(&self) -> Option<&str> {
        self.inner.merchant_name.as_deref()
    }

    /// The ordered service's name.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }

    /// The price in yuan, as sent.
    #[getter]
    fn total_price(&self) -> Option<&str> {
        self.inner.total_price.as_deref()
    }

    /// When the merchant ordered (``yyyy-MM-dd HH:mm:ss``, China time).
    #[getter]
    fn order_time(&self) -> Option<&str> {
        self.inner.order_time.as_deref()
    }

    /// The merchant's contact person: personal data, keep it out of logs.
    #[getter]
    fn contactor(&self) -> Option<&str> {
        self.inner.contactor.as_deref()
    }

    /// The merchant's contact phone: personal data, keep it out of logs.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.inner.phone.as_deref()
    }

    /// The order's status: :data:`ORDER_PLACED` (``MERCHANT_ORDED``),
    /// :data:`ORDER_ACCEPTED`, :data:`ORDER_REJECTED`, or what a query answered.
    #[getter]
    fn status(&self) -> &str {
        &self.inner.status
    }

    /// The items whose status is known, from the ISV's item calls and from queries (a new
    /// ``list`` each time).
    #[getter]
    fn items(&self) -> Vec<OrderItemState> {
        self.inner
            .items
            .iter()
            .map(|item| OrderItemState {
                inner: item.clone(),
            })
            .collect()
    }

    /// The ``notify_id`` of the order message whose fields are stored (the latest sent).
    #[getter]
    fn notify_id(&self) -> Option<&str> {
        self.inner.notify_id.as_deref()
    }

    /// When that message was sent, epoch milliseconds.
    #[getter]
    fn notified_at_ms(&self) -> Option<i64> {
        self.inner.notified_at_ms
    }

    /// Every verified parameter of that message (a new ``dict`` each time; ``contactor`` and
    /// ``phone`` are personal data).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        params_dict(py, &self.inner.params)
    }

    /// Every status change, oldest first (a new ``list`` each time).
    #[getter]
    fn history(&self) -> Vec<OrderStatusChange> {
        self.inner
            .history
            .iter()
            .map(|change| OrderStatusChange {
                inner: change.clone(),
            })
            .collect()
    }

    /// Incremented by every write: ``1`` for an order stored once and never moved.
    #[getter]
    fn version(&self) -> i64 {
        self.inner.version
    }

    /// When the registry first stored it, epoch milliseconds.
    #[getter]
    fn created_at_ms(&self) -> i64 {
        self.inner.created_at_ms
    }

    /// The last write, epoch milliseconds.
    #[getter]
    fn updated_at_ms(&self) -> i64 {
        self.inner.updated_at_ms
    }

    /// The status of one item, when known: named by exactly one of ``mini_app_id`` and
    /// ``shop_id``.
    ///
    /// Raises:
    ///     ConfigError: neither or both of ``mini_app_id`` and ``shop_id``.
    #[pyo3(signature = (*, mini_app_id = None, shop_id = None))]
    fn item_status(
        &self,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<Option<String>> {
        let target = item_target(mini_app_id, shop_id)?;
        Ok(self.inner.item_status(&target).map(str::to_string))
    }

    fn __repr__(&self) -> String {
        let order = &self.inner;
        let items: Vec<String> = order.items.iter().map(item_repr).collect();
        let history: Vec<String> = order.history.iter().map(change_repr).collect();
        format!(
            "OrderRecord(commodity_order_id='{}', app_id='{}', merchant_pid='{}', \
             consumer_mini_app_id={}, title={}, total_price={}, order_time={}, \
             contactor={}, phone={}, status='{}', items=[{}], notify_id={}, notified_at_ms={}, \
             params={}, history=[{}], version={})",
            order.commodity_order_id,
            order.app_id,
            order.merchant_pid,
            optional(order.consumer_mini_app_id.as_deref()),
            optional(order.title.as_deref()),
            optional(order.total_price.as_deref()),
            optional(order.order_time.as_deref()),
            optional(shown_optional("contactor", order.contactor.as_deref()).as_deref()),
            optional(shown_optional("phone", order.phone.as_deref()).as_deref()),
            order.status,
            items.join(", "),
            optional(order.notify_id.as_deref()),
            number(order.notified_at_ms),
            key_list(&order.params),
            history.join(", "),
            order.version,
        )
    }
}
