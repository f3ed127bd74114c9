//! The service market's order calls: the Python face of `alipay_isv::servicemarket` and of the order
//! calls of `alipay_isv::client::Client` (the methods themselves are in [`crate::client`]).
//!
//! `ServiceMarketOrderPage` and `ServiceMarketOrderItem` are read-only attribute objects over the
//! core's `OrderPage` / `OrderItem`; `ServiceMarketOrderPages` is the native iterator of
//! `Client.servicemarket_order_pages`, fetching each page with the GIL released (as the core's
//! `OrderPages` does: one call per page, ending after the last page or the first error).
//! [`item_target`] reads the keyword-only `mini_app_id` / `shop_id` of the item calls.

use std::sync::{Mutex, PoisonError, TryLockError};

use alipay_isv::Error;
use alipay_isv::client;
use alipay_isv::servicemarket::{OrderItem, OrderItemTarget, OrderPage};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json_to_py, optional};
use crate::error::{Failure, detached, guarded};

/// The item an item call is about: exactly one of ``mini_app_id`` and ``shop_id``.
pub(crate) fn item_target(
    mini_app_id: Option<String>,
    shop_id: Option<String>,
) -> PyResult<OrderItemTarget> {
    guarded(|| match (mini_app_id, shop_id) {
        (Some(id), None) => Ok(OrderItemTarget::MiniApp(id)),
        (None, Some(id)) => Ok(OrderItemTarget::Shop(id)),
        (Some(_), Some(_)) => Err(Error::config(
            "name the order item by `mini_app_id` or by `shop_id`, not both",
        )
        .into()),
        (None, None) => Err(Error::config(
            "name the order item by `mini_app_id` (a mini program) or `shop_id` (a shop)",
        )
        .into()),
    })
}

/// `True`, `False` or `None`, for a `repr`.
fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "True",
        Some(false) => "False",
        None => "None",
    }
}

/// One item of a service-market order, as the order query answers it (every field text, as
/// sent; ``None`` when absent). ``repr()`` shows the identifiers, dates and field names.
#[pyclass(module = "alipay_isv", frozen)]
pub struct ServiceMarketOrderItem {
    inner: OrderItem,
}

#[pymethods]
impl ServiceMarketOrderItem {
    /// The item's state: ``TO_DO``, ``DOING``, ``TO_CONFIRM``, ``CONFIRMED``, ``DONE``,
    /// ``MERCHANT_REJECTED``, ``MERCHANT_CANCELLED``, ``ISV_REJECTED``, ``ISV_CANCELLED``.
    #[getter]
    fn order_status(&self) -> Option<&str> {
        self.inner.order_status.as_deref()
    }

    /// The merchant's mini program of a plugin or template order: pass it as ``mini_app_id``
    /// to the item calls.
    #[getter]
    fn mini_app_id(&self) -> Option<&str> {
        self.inner.mini_app_id.as_deref()
    }

    /// Its name.
    #[getter]
    fn mini_app_name(&self) -> Option<&str> {
        self.inner.mini_app_name.as_deref()
    }

    /// The shop of a shop service: pass it as ``shop_id`` to the item calls.
    #[getter]
    fn shop_id(&self) -> Option<&str> {
        self.inner.shop_id.as_deref()
    }

    /// The shop's name.
    #[getter]
    fn shop_name(&self) -> Option<&str> {
        self.inner.shop_name.as_deref()
    }

    /// The merchant's PID (``2088…``).
    #[getter]
    fn merchant_pid(&self) -> Option<&str> {
        self.inner.merchant_pid.as_deref()
    }

    /// The merchant's name.
    #[getter]
    fn merchant_name(&self) -> Option<&str> {
        self.inner.merchant_name.as_deref()
    }

    /// The ordered commodity.
    #[getter]
    fn commodity_id(&self) -> Option<&str> {
        self.inner.commodity_id.as_deref()
    }

    /// When the service starts (``yyyy-MM-dd HH:mm:ss``).
    #[getter]
    fn service_effect_date(&self) -> Option<&str> {
        self.inner.service_effect_date.as_deref()
    }

    /// When the service ends (``yyyy-MM-dd HH:mm:ss``).
    #[getter]
    fn service_expire_date(&self) -> Option<&str> {
        self.inner.service_expire_date.as_deref()
    }

    /// Every field of the item as answered, as ``json.loads`` gives them (a new ``dict`` each
    /// time).
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        Ok(
            json_to_py(py, &serde_json::Value::Object(self.inner.fields.clone()))?
                .cast_into::<PyDict>()?,
        )
    }

    fn __repr__(&self) -> String {
        item_repr(&self.inner)
    }
}

/// The `repr` of an item: identifiers, state, dates and the names of its fields.
fn item_repr(item: &OrderItem) -> String {
    let names: Vec<String> = item.fields.keys().map(|key| format!("'{key}'")).collect();
    format!(
        "ServiceMarketOrderItem(order_status={}, mini_app_id={}, shop_id={}, merchant_pid={}, \
         commodity_id={}, service_effect_date={}, service_expire_date={}, fields=[{}])",
        optional(item.order_status.as_deref()),
        optional(item.mini_app_id.as_deref()),
        optional(item.shop_id.as_deref()),
        optional(item.merchant_pid.as_deref()),
        optional(item.commodity_id.as_deref()),
        optional(item.service_effect_date.as_deref()),
        optional(item.service_expire_date.as_deref()),
        names.join(", "),
    )
}

/// One page of a service-market order (``alipay.open.servicemarket.order.query``): the order's
/// state and up to 100 of its items. ``repr()`` shows the order's state and its items.
#[pyclass(module = "alipay_isv", frozen)]
pub struct ServiceMarketOrderPage {
    inner: OrderPage,
}

impl ServiceMarketOrderPage {
    /// Wraps a core page.
    pub(crate) fn wrap(inner: OrderPage) -> Self {
        ServiceMarketOrderPage { inner }
    }
}

#[pymethods]
impl ServiceMarketOrderPage {
    /// The ordered commodity.
    #[getter]
    fn commodity_id(&self) -> Option<&str> {
        self.inner.commodity_id.as_deref()
    }

    /// The order's state: ``MERCHANT_ORDED`` while it awaits the ISV, then as Alipay answers
    /// (``ISV_ACCEPTED``, ``ISV_REJECTED``…).
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_deref()
    }

    /// The ordered specification.
    #[getter]
    fn specifications(&self) -> Option<&str> {
        self.inner.specifications.as_deref()
    }

    /// Whether the merchant turned automatic upgrades on.
    #[getter]
    fn auto_upgrade(&self) -> Option<bool> {
        self.inner.auto_upgrade
    }

    /// This page's number (from 1).
    #[getter]
    fn current_page(&self) -> u64 {
        self.inner.current_page
    }

    /// How many items the order holds in all.
    #[getter]
    fn total_size(&self) -> u64 {
        self.inner.total_size
    }

    /// Whether a later page may hold more items: this one was full (100 items) and the total
    /// goes beyond it.
    #[getter]
    fn has_next(&self) -> bool {
        self.inner.has_next()
    }

    /// This page's items (a new ``list`` each time).
    #[getter]
    fn items(&self) -> Vec<ServiceMarketOrderItem> {
        self.inner
            .items
            .iter()
            .map(|item| ServiceMarketOrderItem {
                inner: item.clone(),
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        let page = &self.inner;
        let items: Vec<String> = page.items.iter().map(item_repr).collect();
        format!(
            "ServiceMarketOrderPage(commodity_id={}, status={}, specifications={}, \
             auto_upgrade={}, current_page={}, total_size={}, items=[{}])",
            optional(page.commodity_id.as_deref()),
            optional(page.status.as_deref()),
            optional(page.specifications.as_deref()),
            flag(page.auto_upgrade),
            page.current_page,
            page.total_size,
            items.join(", "),
        )
    }
}

/// Every page of a service-market order (:meth:`Client.servicemarket_order_pages`): an
/// iterator fetching one page per step, with the GIL released, until the last page. An error
/// raises from ``next()`` and ends the iteration. Safe to share between threads (steps run one
/// at a time).
#[pyclass(module = "alipay_isv", frozen)]
pub struct ServiceMarketOrderPages {
    client: client::Client,
    commodity_order_id: String,
    /// The page the next step fetches; `None` once the pages are over.
    next_page: Mutex<Option<u64>>,
}

impl ServiceMarketOrderPages {
    /// The pages of `commodity_order_id`, from the first, none fetched yet.
    pub(crate) fn new(client: client::Client, commodity_order_id: String) -> Self {
        ServiceMarketOrderPages {
            client,
            commodity_order_id,
            next_page: Mutex::new(Some(1)),
        }
    }

    /// Fetches the next page, or `None` when the pages are over. Runs without the GIL (the lock is
    /// taken without it too, so a step waiting for another never holds the GIL).
    fn step(&self) -> Result<Option<OrderPage>, Failure> {
        let mut next_page = self
            .next_page
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(page) = next_page.take() else {
            return Ok(None);
        };
        let answer = self
            .client
            .query_servicemarket_order(&self.commodity_order_id, page)?;
        if answer.has_next() {
            *next_page = Some(page + 1);
        }
        Ok(Some(answer))
    }
}

#[pymethods]
impl ServiceMarketOrderPages {
    /// The order the pages are of.
    #[getter]
    fn commodity_order_id(&self) -> &str {
        &self.commodity_order_id
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<ServiceMarketOrderPage>> {
        let page = detached(py, || self.step())?;
        Ok(page.map(ServiceMarketOrderPage::wrap))
    }

    fn __repr__(&self) -> String {
        // Never wait for a step in flight with the GIL held: the step logs through Python.
        let next_page = match self.next_page.try_lock() {
            Ok(next_page) => next_page.map_or_else(|| "None".to_string(), |page| page.to_string()),
            Err(TryLockError::Poisoned(poisoned)) => poisoned
                .into_inner()
                .map_or_else(|| "None".to_string(), |page| page.to_string()),
            Err(TryLockError::WouldBlock) => "'fetching'".to_string(),
        };
        format!(
            "ServiceMarketOrderPages(commodity_order_id='{}', next_page={})",
            self.commodity_order_id, next_page,
        )
    }
}
