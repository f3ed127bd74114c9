//! The registry's service-market orders, mirroring `alipay_isv::registry`'s orders: reading the orders
//! the order messages stored (`order`, `orders`), the merchant authorisation an order goes with
//! (`orderAuthorisation`), and the ISV's order calls made through the registry — accept, reject,
//! complete an item, confirm it on the merchant's behalf with its stored token, cancel it, and a query
//! that brings the stored order up to date — each recorded in the order's status and history and
//! resolving to the updated [`OrderRecord`].
//!
//! Threading: everything returns a Promise and runs on the libuv pool, each with a `…Sync` twin: the
//! reads are a store transaction (a network round trip on PostgreSQL or MySQL), the calls reach the
//! gateway. An item argument that is not exactly one of
//! `{ miniAppId }` / `{ shopId }` rejects the Promise (or makes the twin throw) with
//! `ALIPAY_CONFIG_ERROR`, as the client's order calls do; no call is made then.

use std::sync::Arc;

use alipay_isv::Error as CoreError;
use alipay_isv::registry as core;
use alipay_isv::servicemarket::OrderItemTarget;
use napi::Env;
use napi_derive::napi;

use super::order::{OrderRecord, order_record};
use super::record::MerchantAuthorisation;
use super::{Open, Pending, Registry, maybe_record};
use crate::servicemarket::ItemTargetArg;
use crate::task::{run_sync, spawn};

/// A pending order call.
type OrderTask = Pending<core::OrderRecord, OrderRecord>;
/// A pending read of one order.
type MaybeOrderTask = Pending<Option<core::OrderRecord>, Option<OrderRecord>>;
/// A pending read of every order.
type OrdersTask = Pending<Vec<core::OrderRecord>, Vec<OrderRecord>>;

/// An order read, as JavaScript sees it.
fn maybe_order(order: Option<core::OrderRecord>) -> Option<OrderRecord> {
    order.map(order_record)
}

/// Every order, as JavaScript sees them.
fn order_records(orders: Vec<core::OrderRecord>) -> Vec<OrderRecord> {
    orders.into_iter().map(order_record).collect()
}

/// The item a call is about, or the configuration error to reject with.
fn target(item: &ItemTargetArg) -> alipay_isv::Result<OrderItemTarget> {
    item.target().map_err(CoreError::config)
}

/// One order call, ready to run on any thread.
struct OrderCall {
    open: Arc<Open>,
    commodity_order_id: String,
    kind: CallKind,
}

/// Which order call, with its arguments.
enum CallKind {
    Accept,
    Reject(String),
    Complete(alipay_isv::Result<OrderItemTarget>),
    Confirm(alipay_isv::Result<OrderItemTarget>),
    Cancel(alipay_isv::Result<OrderItemTarget>, String),
    Refresh,
}

impl OrderCall {
    /// The core's call.
    fn run(self) -> alipay_isv::Result<core::OrderRecord> {
        let registry = &self.open.registry;
        let id = &self.commodity_order_id;
        match self.kind {
            CallKind::Accept => registry.accept_order(id),
            CallKind::Reject(reason) => registry.reject_order(id, &reason),
            CallKind::Complete(item) => registry.complete_order_item(id, &item?),
            CallKind::Confirm(item) => registry.confirm_order_item(id, &item?),
            CallKind::Cancel(item, reason) => registry.cancel_order_item(id, &item?, &reason),
            CallKind::Refresh => registry.refresh_order(id),
        }
    }
}

impl Registry {
    /// The call `kind` on the order `commodity_order_id`, or the error of a closed registry.
    fn order_call(
        &self,
        env: &Env,
        commodity_order_id: String,
        kind: CallKind,
    ) -> napi::Result<OrderCall> {
        Ok(OrderCall {
            open: self.open_state(env)?,
            commodity_order_id,
            kind,
        })
    }

    /// The call on the libuv pool.
    fn order_call_task(&self, env: &Env, id: String, kind: CallKind) -> napi::Result<OrderTask> {
        let call = self.order_call(env, id, kind)?;
        Ok(spawn(move || call.run(), order_record))
    }

    /// The call on the calling thread.
    fn order_call_sync(&self, env: &Env, id: String, kind: CallKind) -> napi::Result<OrderRecord> {
        let call = self.order_call(env, id, kind)?;
        run_sync(env, || call.run(), order_record)
    }
}

#[napi]
impl Registry {
    /// Resolves to the order `commodityOrderId`, when its order message was ingested (by a `Gateway`
    /// or `ingestNotification`); else `null`. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord | null>")]
    pub fn order(&self, env: Env, commodity_order_id: String) -> napi::Result<MaybeOrderTask> {
        self.store_task(
            &env,
            move |open| open.registry.order(&commodity_order_id),
            maybe_order,
        )
    }

    /// `order`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<Option<OrderRecord>> {
        self.store_sync(
            &env,
            |open| open.registry.order(&commodity_order_id),
            maybe_order,
        )
    }

    /// Resolves to every order, oldest first. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord[]>")]
    pub fn orders(&self, env: Env) -> napi::Result<OrdersTask> {
        self.store_task(&env, |open| open.registry.orders(), order_records)
    }

    /// `orders`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn orders_sync(&self, env: Env) -> napi::Result<Vec<OrderRecord>> {
        self.store_sync(&env, |open| open.registry.orders(), order_records)
    }

    /// Resolves to the merchant authorisation an order goes with: the authorisation of the order's
    /// mini program (`consumerMiniAppId`) to the app that received the order, else the merchant's only
    /// active authorisation of that app; `null` while it has not arrived (the order message and the
    /// plugin authorisation come in either order), or for a merchant the registry does not know. Runs
    /// on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` for an order the registry does not hold, or when the store
    /// fails.
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation | null>")]
    pub fn order_authorisation(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<Pending<Option<core::MerchantAuthorisation>, Option<MerchantAuthorisation>>>
    {
        self.store_task(
            &env,
            move |open| open.registry.order_authorisation(&commodity_order_id),
            maybe_record,
        )
    }

    /// `orderAuthorisation`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn order_authorisation_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<Option<MerchantAuthorisation>> {
        self.store_sync(
            &env,
            |open| open.registry.order_authorisation(&commodity_order_id),
            maybe_record,
        )
    }

    /// Accepts the order (接单, `alipay.open.servicemarket.order.accept`) through the client of the app
    /// that received it, records `ISV_ACCEPTED` (`ORDER_ACCEPTED`) with the change in `history`, and
    /// resolves to the updated order. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` for an order the registry does not hold (no call is made);
    /// `ALIPAY_CONFIG_ERROR` when the registry has no client for the order's app; the errors of
    /// `Client.acceptServicemarketOrder` (nothing is recorded then).
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn accept_order(&self, env: Env, commodity_order_id: String) -> napi::Result<OrderTask> {
        self.order_call_task(&env, commodity_order_id, CallKind::Accept)
    }

    /// `acceptOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn accept_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<OrderRecord> {
        self.order_call_sync(&env, commodity_order_id, CallKind::Accept)
    }

    /// Rejects the order (拒单) with the reason the merchant will read, records `ISV_REJECTED`
    /// (`ORDER_REJECTED`), and resolves to the updated order. Runs on the libuv pool.
    ///
    /// Rejects as `acceptOrder` does; `ALIPAY_CONFIG_ERROR` for an empty reason.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn reject_order(
        &self,
        env: Env,
        commodity_order_id: String,
        reason: String,
    ) -> napi::Result<OrderTask> {
        self.order_call_task(&env, commodity_order_id, CallKind::Reject(reason))
    }

    /// `rejectOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn reject_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        reason: String,
    ) -> napi::Result<OrderRecord> {
        self.order_call_sync(&env, commodity_order_id, CallKind::Reject(reason))
    }

    /// Marks one item (`{ miniAppId }` or `{ shopId }`) of an accepted order implemented, records it
    /// `TO_CONFIRM` (`ITEM_TO_CONFIRM`), and resolves to the updated order. Runs on the libuv pool.
    ///
    /// Rejects as `acceptOrder` does, then as `Client.completeServicemarketOrderItem`.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn complete_order_item(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<OrderTask> {
        self.order_call_task(&env, commodity_order_id, CallKind::Complete(target(&item)))
    }

    /// `completeOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn complete_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<OrderRecord> {
        self.order_call_sync(&env, commodity_order_id, CallKind::Complete(target(&item)))
    }

    /// Confirms a completed item on the merchant's behalf, with the token of the order's
    /// authorisation (`orderAuthorisation`; refreshed first when due), records it `DONE`
    /// (`ITEM_DONE`), and resolves to the updated order. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` for an unknown order, or when the merchant's authorisation
    /// has not arrived or is revoked (no call is made); then as
    /// `Client.confirmServicemarketOrderItem`.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn confirm_order_item(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<OrderTask> {
        self.order_call_task(&env, commodity_order_id, CallKind::Confirm(target(&item)))
    }

    /// `confirmOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn confirm_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<OrderRecord> {
        self.order_call_sync(&env, commodity_order_id, CallKind::Confirm(target(&item)))
    }

    /// Cancels one item with the reason the merchant will read, records it `ISV_CANCELLED`
    /// (`ITEM_CANCELLED`), and resolves to the updated order. Runs on the libuv pool.
    ///
    /// Rejects as `acceptOrder` does, then as `Client.cancelServicemarketOrderItem`.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn cancel_order_item(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        reason: String,
    ) -> napi::Result<OrderTask> {
        let kind = CallKind::Cancel(target(&item), reason);
        self.order_call_task(&env, commodity_order_id, kind)
    }

    /// `cancelOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn cancel_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        reason: String,
    ) -> napi::Result<OrderRecord> {
        let kind = CallKind::Cancel(target(&item), reason);
        self.order_call_sync(&env, commodity_order_id, kind)
    }

    /// Queries every page of the order (`alipay.open.servicemarket.order.query`) and records the status
    /// and item states Alipay answered (each change in `history` with source `query`); resolves to the
    /// updated order. Runs on the libuv pool.
    ///
    /// Rejects as `acceptOrder` does, then as `Client.servicemarketOrderPages`.
    #[napi(catch_unwind, ts_return_type = "Promise<OrderRecord>")]
    pub fn refresh_order(&self, env: Env, commodity_order_id: String) -> napi::Result<OrderTask> {
        self.order_call_task(&env, commodity_order_id, CallKind::Refresh)
    }

    /// `refreshOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn refresh_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<OrderRecord> {
        self.order_call_sync(&env, commodity_order_id, CallKind::Refresh)
    }
}
