//! `Subscription`: a merchant's order of the ISV's plugin in the emulator's service market
//! (`Emulator.subscribe`), the Python face of `alipay_isv_emulator::Subscription`. It holds no
//! secret: the token comes in the plugin authorisation the emulator pushes.

use alipay_isv_emulator as emulator;
use pyo3::prelude::*;

/// A merchant's order of the ISV's plugin that the emulator made (:meth:`Emulator.subscribe`):
/// what the ISV learns from the two pushes that follow it.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Subscription {
    inner: emulator::Subscription,
}

impl Subscription {
    /// Wraps the emulator's subscription.
    pub(crate) fn wrap(inner: emulator::Subscription) -> Self {
        Subscription { inner }
    }
}

#[pymethods]
impl Subscription {
    /// The order number (``commodity_order_id``): the key of the order calls.
    #[getter]
    fn commodity_order_id(&self) -> &str {
        &self.inner.commodity_order_id
    }

    /// The ordering merchant's PID (``2088…``).
    #[getter]
    fn merchant_pid(&self) -> &str {
        &self.inner.merchant_pid
    }

    /// The merchant's mini program the plugin was authorised on: the ``auth_app_id`` of the
    /// plugin authorisation and the ``mini_app_id`` of the order's item.
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    fn __repr__(&self) -> String {
        format!(
            "Subscription(commodity_order_id='{}', merchant_pid='{}', auth_app_id='{}')",
            self.inner.commodity_order_id, self.inner.merchant_pid, self.inner.auth_app_id,
        )
    }
}
