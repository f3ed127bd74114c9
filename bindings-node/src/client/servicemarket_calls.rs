//! The service market's order calls of [`Client`], mirroring `alipay_isv::client`'s
//! `servicemarket_calls`: query an order (one page, or every page), accept or reject it, and
//! complete, confirm (on the merchant's behalf) or cancel its items. Each returns a Promise (libuv
//! pool) and has a `…Sync` twin. The item a call is about is `{ miniAppId }` or `{ shopId }`.
//!
//! Every argument error — an empty id or reason, page 0, an item that is not exactly one of
//! `miniAppId` / `shopId` — is an `ALIPAY_CONFIG_ERROR` that rejects the Promise (the `…Sync` twin
//! throws it), as the core's errors do; no call is made then.

use alipay_isv::Error as CoreError;
use alipay_isv::servicemarket::{OrderItemTarget, OrderPage};
use napi::Env;
use napi_derive::napi;

use super::{Client, Pending};
use crate::servicemarket::{ItemTargetArg, ServiceMarketOrderPage, pages};
use crate::task::{run_sync, spawn};

/// The item a call is about, or the configuration error to reject with.
fn target(item: &ItemTargetArg) -> alipay_isv::Result<OrderItemTarget> {
    item.target().map_err(CoreError::config)
}

/// The page to query: 1 when absent; otherwise a whole number (page 0 is the core's to refuse).
fn page_number(page: Option<f64>) -> alipay_isv::Result<u64> {
    match page {
        None => Ok(1),
        Some(page)
            if page.is_finite()
                && page >= 0.0
                && page.fract() == 0.0
                && page <= 9_007_199_254_740_991.0 =>
        {
            // A whole number in 0..=2^53-1: the cast is exact.
            Ok(page as u64)
        }
        Some(page) => Err(CoreError::config(format!(
            "the page must be a whole number from 1; got {page}"
        ))),
    }
}

fn done(_: ()) {}

type Done = Pending<(), ()>;

#[napi]
impl Client {
    /// One page (from 1, the first by default) of a service-market order
    /// (`alipay.open.servicemarket.order.query`): its status and items, up to 100 a page. Called as
    /// the ISV itself (no `appAuthToken`). Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_API_ERROR` `ORDER_NOT_EXIST` for an order Alipay does not know (with a
    /// `hint`); `ALIPAY_CONFIG_ERROR` for an empty id or a page that is not a whole number from 1;
    /// the other errors of `execute`.
    #[napi(catch_unwind, ts_return_type = "Promise<ServiceMarketOrderPage>")]
    pub fn query_servicemarket_order(
        &self,
        commodity_order_id: String,
        page: Option<f64>,
    ) -> Pending<OrderPage, ServiceMarketOrderPage> {
        let client = self.inner.clone();
        let page = page_number(page);
        spawn(
            move || client.query_servicemarket_order(&commodity_order_id, page?),
            ServiceMarketOrderPage::from,
        )
    }

    /// `queryServicemarketOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn query_servicemarket_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        page: Option<f64>,
    ) -> napi::Result<ServiceMarketOrderPage> {
        run_sync(
            &env,
            || {
                self.inner
                    .query_servicemarket_order(&commodity_order_id, page_number(page)?)
            },
            ServiceMarketOrderPage::from,
        )
    }

    /// Every page of a service-market order, fetched one after another on the libuv pool (one call
    /// per page of 100 items) until the last; resolves to the pages in order. The first error rejects
    /// (and no later page is asked for), as `queryServicemarketOrder` rejects.
    #[napi(catch_unwind, ts_return_type = "Promise<ServiceMarketOrderPage[]>")]
    pub fn servicemarket_order_pages(
        &self,
        commodity_order_id: String,
    ) -> Pending<Vec<OrderPage>, Vec<ServiceMarketOrderPage>> {
        let client = self.inner.clone();
        spawn(
            move || {
                client
                    .servicemarket_order_pages(&commodity_order_id)
                    .collect()
            },
            pages,
        )
    }

    /// `servicemarketOrderPages`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn servicemarket_order_pages_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<Vec<ServiceMarketOrderPage>> {
        run_sync(
            &env,
            || {
                self.inner
                    .servicemarket_order_pages(&commodity_order_id)
                    .collect()
            },
            pages,
        )
    }

    /// Accepts (接单) a service-market order the merchant placed
    /// (`alipay.open.servicemarket.order.accept`); resolves to `undefined`.
    ///
    /// Rejects with `ALIPAY_API_ERROR` `COMMODITY_ORDER_STATUS_INVALID` when the order is not awaiting
    /// the ISV (already accepted or rejected: query it), `ORDER_NOT_EXIST` (each with a `hint`);
    /// `ALIPAY_CONFIG_ERROR` for an empty id; the other errors of `execute`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn accept_servicemarket_order(&self, commodity_order_id: String) -> Done {
        let client = self.inner.clone();
        spawn(
            move || client.accept_servicemarket_order(&commodity_order_id),
            done,
        )
    }

    /// `acceptServicemarketOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn accept_servicemarket_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
    ) -> napi::Result<()> {
        run_sync(
            &env,
            || self.inner.accept_servicemarket_order(&commodity_order_id),
            done,
        )
    }

    /// Rejects (拒单) a service-market order with the reason the merchant will read
    /// (`alipay.open.servicemarket.order.reject`); its items become `ISV_REJECTED`. Resolves to
    /// `undefined`.
    ///
    /// Rejects as `acceptServicemarketOrder` does; `ALIPAY_CONFIG_ERROR` for an empty reason.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn reject_servicemarket_order(&self, commodity_order_id: String, reason: String) -> Done {
        let client = self.inner.clone();
        spawn(
            move || client.reject_servicemarket_order(&commodity_order_id, &reason),
            done,
        )
    }

    /// `rejectServicemarketOrder`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn reject_servicemarket_order_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        reason: String,
    ) -> napi::Result<()> {
        run_sync(
            &env,
            || {
                self.inner
                    .reject_servicemarket_order(&commodity_order_id, &reason)
            },
            done,
        )
    }

    /// Marks one item of an accepted order implemented
    /// (`alipay.open.servicemarket.order.item.complete`): `{ miniAppId }` or `{ shopId }`. The
    /// merchant then confirms it (or the ISV on its behalf, `confirmServicemarketOrderItem`).
    /// Resolves to `undefined`.
    ///
    /// Rejects with `ALIPAY_API_ERROR` `ITEM_STATUS_NOT_ALLOW` when the item is not in progress (the
    /// order not accepted yet, the item completed or cancelled), `COMMODITY_ORDER_ITEM_NOT_EXIST`,
    /// `ORDER_NOT_EXIST` (each with a `hint`); `ALIPAY_CONFIG_ERROR` for an empty id or an item that
    /// is not exactly one of `miniAppId` / `shopId`; the other errors of `execute`.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn complete_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> Done {
        let client = self.inner.clone();
        let item = target(&item);
        spawn(
            move || client.complete_servicemarket_order_item(&commodity_order_id, &item?),
            done,
        )
    }

    /// `completeServicemarketOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn complete_servicemarket_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
    ) -> napi::Result<()> {
        run_sync(
            &env,
            || {
                self.inner
                    .complete_servicemarket_order_item(&commodity_order_id, &target(&item)?)
            },
            done,
        )
    }

    /// Confirms a completed item on the merchant's behalf, with the merchant's `appAuthToken`
    /// (`alipay.open.servicemarket.order.item.confirm`; the plugin authorisation that came with the
    /// order carries it). Resolves to `undefined`.
    ///
    /// Rejects with `ALIPAY_API_ERROR` `ITEM_STATUS_NOT_ALLOW` when the item is not completed,
    /// `NO_PERMISSION_COMFIRM_ORDERITEM` for another merchant's token, `isv.self-invoke-forbidden`
    /// without a token, the token errors of a delegated call; as `completeServicemarketOrderItem`
    /// otherwise.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn confirm_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        app_auth_token: String,
    ) -> Done {
        let client = self.inner.clone();
        let item = target(&item);
        spawn(
            move || {
                client.confirm_servicemarket_order_item(
                    &commodity_order_id,
                    &item?,
                    &app_auth_token,
                )
            },
            done,
        )
    }

    /// `confirmServicemarketOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn confirm_servicemarket_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        app_auth_token: String,
    ) -> napi::Result<()> {
        run_sync(
            &env,
            || {
                self.inner.confirm_servicemarket_order_item(
                    &commodity_order_id,
                    &target(&item)?,
                    &app_auth_token,
                )
            },
            done,
        )
    }

    /// Cancels one item of an order, with the reason the merchant will read
    /// (`alipay.open.servicemarket.order.item.cancel`); allowed until the item is done. Resolves to
    /// `undefined`.
    ///
    /// Rejects as `completeServicemarketOrderItem` does; `ALIPAY_CONFIG_ERROR` for an empty reason.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn cancel_servicemarket_order_item(
        &self,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        reason: String,
    ) -> Done {
        let client = self.inner.clone();
        let item = target(&item);
        spawn(
            move || client.cancel_servicemarket_order_item(&commodity_order_id, &item?, &reason),
            done,
        )
    }

    /// `cancelServicemarketOrderItem`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn cancel_servicemarket_order_item_sync(
        &self,
        env: Env,
        commodity_order_id: String,
        #[napi(ts_arg_type = "ServiceMarketOrderItemTarget")] item: ItemTargetArg,
        reason: String,
    ) -> napi::Result<()> {
        run_sync(
            &env,
            || {
                self.inner.cancel_servicemarket_order_item(
                    &commodity_order_id,
                    &target(&item)?,
                    &reason,
                )
            },
            done,
        )
    }
}
