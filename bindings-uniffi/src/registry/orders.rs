//! The registry's service-market orders, mirroring `alipay_isv::registry`'s `orders` module: reading
//! the orders `ingestNotification` (or the `Gateway`) stored, the merchant authorisation an order goes
//! with, and the ISV's order calls made through the registry — each made through the `Client` of the
//! app that received the order and, once it succeeded, recorded in the order's status and history.
//!
//! The calls are blocking (network I/O, and disk): call them from `Dispatchers.IO` or a worker pool.

use crate::error::{Result, guard};
use crate::servicemarket::OrderItemTarget;

use super::Registry;
use super::order::OrderRecord;
use super::record::MerchantAuthorisation;

/// Service-market orders (Kotlin: `registry.order(id)`, `registry.acceptOrder(id)`, …).
#[uniffi::export]
impl Registry {
    /// The order `commodity_order_id`, or null when its order message was never ingested.
    ///
    /// Throws `AlipayException.Store` when the store cannot be read.
    pub fn order(&self, commodity_order_id: String) -> Result<Option<OrderRecord>> {
        guard("Registry.order", || {
            Ok(self.inner.order(&commodity_order_id)?.map(Into::into))
        })
    }

    /// Every order, oldest first.
    ///
    /// Throws `AlipayException.Store` when the store cannot be read.
    pub fn orders(&self) -> Result<Vec<OrderRecord>> {
        guard("Registry.orders", || {
            Ok(self.inner.orders()?.into_iter().map(Into::into).collect())
        })
    }

    /// The merchant authorisation the order goes with: the authorisation of the order's mini program
    /// (`consumerMiniAppId`) to the app that received the order, else the merchant's only active
    /// authorisation of that app; null while it has not arrived (the order message and the plugin
    /// authorisation come in either order).
    ///
    /// Throws `AlipayException.Store` for an order the registry does not hold, or when the store
    /// cannot be read.
    pub fn order_authorisation(
        &self,
        commodity_order_id: String,
    ) -> Result<Option<MerchantAuthorisation>> {
        guard("Registry.orderAuthorisation", || {
            Ok(self
                .inner
                .order_authorisation(&commodity_order_id)?
                .map(Into::into))
        })
    }

    /// Accepts the order (接单) through the client of the app that received it and records
    /// `ISV_ACCEPTED` (`orderAccepted()`); returns the updated order — blocking; call from
    /// `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Store` for an order the registry does not hold (no call is made),
    /// `.Config` when the registry has no client for the order's app, and the errors of
    /// `Client.acceptServicemarketOrder` (nothing is recorded).
    pub fn accept_order(&self, commodity_order_id: String) -> Result<OrderRecord> {
        guard("Registry.acceptOrder", || {
            Ok(self.inner.accept_order(&commodity_order_id)?.into())
        })
    }

    /// Rejects the order (拒单) with the reason the merchant will read and records `ISV_REJECTED`;
    /// returns the updated order — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `acceptOrder` does; `.Config` for an empty reason.
    pub fn reject_order(&self, commodity_order_id: String, reason: String) -> Result<OrderRecord> {
        guard("Registry.rejectOrder", || {
            Ok(self
                .inner
                .reject_order(&commodity_order_id, &reason)?
                .into())
        })
    }

    /// Marks one item implemented and records it `TO_CONFIRM` (the merchant confirms it next);
    /// returns the updated order — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `acceptOrder` does, with the errors of `Client.completeServicemarketOrderItem`.
    pub fn complete_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
    ) -> Result<OrderRecord> {
        guard("Registry.completeOrderItem", || {
            Ok(self
                .inner
                .complete_order_item(&commodity_order_id, &item.into())?
                .into())
        })
    }

    /// Confirms a completed item on the merchant's behalf, with the token of the order's
    /// authorisation (`orderAuthorisation`; refreshed if due), and records it `DONE`; returns the
    /// updated order — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Store` for an unknown order, or when the merchant's authorisation has
    /// not arrived or is revoked (no call is made); the errors of
    /// `Client.confirmServicemarketOrderItem`.
    pub fn confirm_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
    ) -> Result<OrderRecord> {
        guard("Registry.confirmOrderItem", || {
            Ok(self
                .inner
                .confirm_order_item(&commodity_order_id, &item.into())?
                .into())
        })
    }

    /// Cancels one item with the reason the merchant will read and records it `ISV_CANCELLED`;
    /// returns the updated order — blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `completeOrderItem` does; `.Config` for an empty reason.
    pub fn cancel_order_item(
        &self,
        commodity_order_id: String,
        item: OrderItemTarget,
        reason: String,
    ) -> Result<OrderRecord> {
        guard("Registry.cancelOrderItem", || {
            Ok(self
                .inner
                .cancel_order_item(&commodity_order_id, &item.into(), &reason)?
                .into())
        })
    }

    /// Queries every page of the order and records the status and item states Alipay answered
    /// (each change goes to the history with source `query`); returns the updated order —
    /// blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `acceptOrder` does, with the errors of `Client.queryServicemarketOrder`.
    pub fn refresh_order(&self, commodity_order_id: String) -> Result<OrderRecord> {
        guard("Registry.refreshOrder", || {
            Ok(self.inner.refresh_order(&commodity_order_id)?.into())
        })
    }
}
