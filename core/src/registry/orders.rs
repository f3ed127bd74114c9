//! The registry's service-market orders: ingesting the order message, reading orders, linking an
//! order to the merchant's authorisation, and the ISV's order calls made through the registry so that
//! each successful call is recorded in the order's status and history (accept, reject, item complete,
//! confirm on the merchant's behalf with its stored token, cancel, and a query that brings the stored
//! status up to date).

use super::order::{
    self, ITEM_CANCELLED, ITEM_DONE, ITEM_TO_CONFIRM, ORDER_ACCEPTED, ORDER_REJECTED, OrderRecord,
    unknown_order,
};
use super::record::{IngestOutcome, MerchantAuthorisation};
use super::store::UpdateResult;
use super::{Registry, now_ms};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::notify::ServiceMarketOrder;
use crate::request::parse_china_timestamp;
use crate::servicemarket::OrderItemTarget;

impl Registry {
    /// Stores a verified order message (de-duplicated by `notify_id`; a retry or a message sent before
    /// the stored one changes nothing).
    pub(crate) fn ingest_order(&self, message: &ServiceMarketOrder) -> Result<IngestOutcome> {
        let now = now_ms();
        let notified_at = message
            .notify_time
            .as_deref()
            .and_then(parse_china_timestamp)
            .map_or(now, |seconds| seconds * 1000);
        let app_id = message
            .app_id
            .clone()
            .filter(|app_id| !app_id.trim().is_empty())
            .unwrap_or_else(|| self.default_app_id().to_string());
        let result = self.store.update_order(
            &message.commodity_order_id,
            Some(&message.notify_id),
            &mut |current| {
                Ok(order::from_notification(
                    current,
                    message,
                    &app_id,
                    notified_at,
                    now,
                ))
            },
        )?;
        Ok(Registry::outcome(result))
    }

    /// The order `commodity_order_id`, when its order message was ingested.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>> {
        self.store.get_order(commodity_order_id)
    }

    /// Every order, oldest first.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn orders(&self) -> Result<Vec<OrderRecord>> {
        self.store.list_orders()
    }

    /// The merchant authorisation an order goes with: the authorisation of the order's mini program
    /// (`consumer_miniAppId`) to the app that received the order, else the merchant's only active
    /// authorisation of that app. `None` while it has not arrived (the order message and the plugin
    /// authorisation come in either order).
    ///
    /// # Errors
    /// [`Error::Store`] for an unknown order, or when the store fails.
    pub fn order_authorisation(
        &self,
        commodity_order_id: &str,
    ) -> Result<Option<MerchantAuthorisation>> {
        let order = self.stored_order(commodity_order_id)?;
        if let Some(mini_app_id) = order.consumer_mini_app_id.as_deref() {
            return self.get_for_app(&order.app_id, mini_app_id);
        }
        let mut active: Vec<MerchantAuthorisation> = self
            .by_merchant(&order.merchant_pid)?
            .into_iter()
            .filter(|record| {
                record.is_active() && (record.app_id == order.app_id || record.app_id.is_empty())
            })
            .collect();
        Ok(if active.len() == 1 {
            active.pop()
        } else {
            None
        })
    }

    /// Accepts the order (接单) through the client of the app that received it, and records
    /// `ISV_ACCEPTED`.
    ///
    /// # Errors
    /// [`Error::Store`] for an order the registry does not hold (no call is made); the errors of
    /// [`Client::accept_servicemarket_order`] (nothing is recorded).
    pub fn accept_order(&self, commodity_order_id: &str) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        self.order_client(&order)?
            .accept_servicemarket_order(commodity_order_id)?;
        self.record_status(commodity_order_id, ORDER_ACCEPTED, None, "accept")
    }

    /// Rejects the order (拒单) with the reason the merchant will read, and records `ISV_REJECTED`.
    ///
    /// # Errors
    /// As for [`Registry::accept_order`].
    pub fn reject_order(&self, commodity_order_id: &str, reason: &str) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        self.order_client(&order)?
            .reject_servicemarket_order(commodity_order_id, reason)?;
        self.record_status(commodity_order_id, ORDER_REJECTED, None, "reject")
    }

    /// Marks one item implemented and records it `TO_CONFIRM` (the merchant confirms it next).
    ///
    /// # Errors
    /// As for [`Registry::accept_order`].
    pub fn complete_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
    ) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        self.order_client(&order)?
            .complete_servicemarket_order_item(commodity_order_id, item)?;
        self.record_status(
            commodity_order_id,
            ITEM_TO_CONFIRM,
            Some(item),
            "item.complete",
        )
    }

    /// Confirms a completed item on the merchant's behalf, with the token of the order's authorisation
    /// (see [`Registry::order_authorisation`]; refreshed if due), and records it `DONE`.
    ///
    /// # Errors
    /// [`Error::Store`] for an unknown order, or when the merchant's authorisation has not arrived or
    /// is revoked (no call is made); the errors of [`Client::confirm_servicemarket_order_item`].
    pub fn confirm_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
    ) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        let authorisation = self
            .order_authorisation(commodity_order_id)?
            .ok_or_else(|| Error::Store {
                reason: format!(
                    "order {commodity_order_id}: no authorisation of merchant {} to app {} is stored \
                     yet, so it cannot be confirmed on the merchant's behalf",
                    order.merchant_pid, order.app_id
                ),
            })?;
        let token = self.token_for_app(&authorisation.app_id, &authorisation.auth_app_id)?;
        self.order_client(&order)?
            .confirm_servicemarket_order_item(commodity_order_id, item, &token)?;
        self.record_status(commodity_order_id, ITEM_DONE, Some(item), "item.confirm")
    }

    /// Cancels one item with the reason the merchant will read, and records it `ISV_CANCELLED`.
    ///
    /// # Errors
    /// As for [`Registry::accept_order`].
    pub fn cancel_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
        reason: &str,
    ) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        self.order_client(&order)?.cancel_servicemarket_order_item(
            commodity_order_id,
            item,
            reason,
        )?;
        self.record_status(
            commodity_order_id,
            ITEM_CANCELLED,
            Some(item),
            "item.cancel",
        )
    }

    /// Queries every page of the order and records the status and item states Alipay answered (each
    /// change goes to the history with source `query`).
    ///
    /// # Errors
    /// As for [`Registry::accept_order`], with the errors of [`Client::query_servicemarket_order`].
    pub fn refresh_order(&self, commodity_order_id: &str) -> Result<OrderRecord> {
        let order = self.stored_order(commodity_order_id)?;
        let client = self.order_client(&order)?;
        let mut latest = order;
        for page in client.servicemarket_order_pages(commodity_order_id) {
            let page = page?;
            let now = now_ms();
            if let UpdateResult::Written(written) =
                self.store
                    .update_order(commodity_order_id, None, &mut |current| {
                        Ok(order::from_page(current, &page, now))
                    })?
            {
                latest = *written;
            }
        }
        Ok(latest)
    }

    /// The stored order, or the error of an unknown one.
    fn stored_order(&self, commodity_order_id: &str) -> Result<OrderRecord> {
        self.store
            .get_order(commodity_order_id)?
            .ok_or_else(|| unknown_order(commodity_order_id))
    }

    /// The client of the app that received the order.
    fn order_client(&self, order: &OrderRecord) -> Result<&Client> {
        self.client_for(&order.app_id)
    }

    /// Records that a call moved the order (or its `item`) to `status`.
    fn record_status(
        &self,
        commodity_order_id: &str,
        status: &str,
        item: Option<&OrderItemTarget>,
        source: &str,
    ) -> Result<OrderRecord> {
        let now = now_ms();
        match self
            .store
            .update_order(commodity_order_id, None, &mut |current| {
                order::with_status(current, commodity_order_id, status, item, source, now)
            })? {
            UpdateResult::Written(order) | UpdateResult::Kept(Some(order)) => Ok(*order),
            UpdateResult::Kept(None) | UpdateResult::Duplicate => {
                Err(unknown_order(commodity_order_id))
            }
        }
    }
}
