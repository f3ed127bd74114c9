//! The service market's order calls on [`Client`]: query an order (one page, or every page through
//! [`OrderPages`]), accept or reject it, and complete, confirm (on the merchant's behalf) or cancel
//! its items. The rules — method names, `biz_content`, the typed page — are the protocol crate's
//! `servicemarket` module; wrong states are [`Error::Api`](crate::Error::Api) with Alipay's `sub_code`
//! and a hint.

use super::Client;
use crate::error::Result;
use crate::request::CallOptions;
use crate::servicemarket::{
    ORDER_ACCEPT_METHOD, ORDER_ITEM_CANCEL_METHOD, ORDER_ITEM_COMPLETE_METHOD,
    ORDER_ITEM_CONFIRM_METHOD, ORDER_QUERY_METHOD, ORDER_REJECT_METHOD, OrderItemTarget, OrderPage,
    accept_biz, item_biz, query_biz, reject_biz,
};

impl Client {
    /// One page (from 1) of a service-market order: its status and items. Called as the ISV itself.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) `ORDER_NOT_EXIST` for an unknown order; [`Error::Config`](crate::Error::Config)
    /// for an empty id or page 0; the other errors of [`Client::execute`].
    pub fn query_servicemarket_order(
        &self,
        commodity_order_id: &str,
        page: u64,
    ) -> Result<OrderPage> {
        let answer = self.servicemarket_call(
            ORDER_QUERY_METHOD,
            query_biz(commodity_order_id, page)?,
            None,
        )?;
        OrderPage::from_response(&answer.fields)
    }

    /// Every page of a service-market order, fetched as the iterator advances (one call per page of
    /// 100 items); it ends after the last page or the first error.
    pub fn servicemarket_order_pages<'a>(&'a self, commodity_order_id: &'a str) -> OrderPages<'a> {
        OrderPages {
            client: self,
            commodity_order_id,
            next_page: Some(1),
        }
    }

    /// Accepts (接单) a service-market order the merchant placed.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) `COMMODITY_ORDER_STATUS_INVALID` when it is not awaiting the
    /// ISV (already accepted or rejected), `ORDER_NOT_EXIST`; the other errors of [`Client::execute`].
    pub fn accept_servicemarket_order(&self, commodity_order_id: &str) -> Result<()> {
        self.servicemarket_call(ORDER_ACCEPT_METHOD, accept_biz(commodity_order_id)?, None)
            .map(drop)
    }

    /// Rejects (拒单) a service-market order, with the reason the merchant will read.
    ///
    /// # Errors
    /// As for [`Client::accept_servicemarket_order`]; [`Error::Config`](crate::Error::Config) for an
    /// empty reason.
    pub fn reject_servicemarket_order(&self, commodity_order_id: &str, reason: &str) -> Result<()> {
        self.servicemarket_call(
            ORDER_REJECT_METHOD,
            reject_biz(commodity_order_id, reason)?,
            None,
        )
        .map(drop)
    }

    /// Marks one item of an accepted order implemented; the merchant then confirms it.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) `ITEM_STATUS_NOT_ALLOW` when the item is not in progress,
    /// `COMMODITY_ORDER_ITEM_NOT_EXIST`; the other errors of [`Client::execute`].
    pub fn complete_servicemarket_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
    ) -> Result<()> {
        self.servicemarket_call(
            ORDER_ITEM_COMPLETE_METHOD,
            item_biz(commodity_order_id, item, None)?,
            None,
        )
        .map(drop)
    }

    /// Confirms a completed item on the merchant's behalf, with the merchant's `app_auth_token`.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) `ITEM_STATUS_NOT_ALLOW` when the item is not completed,
    /// `NO_PERMISSION_COMFIRM_ORDERITEM` for another merchant's token, the token errors of a
    /// delegated call; the other errors of [`Client::execute`].
    pub fn confirm_servicemarket_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
        app_auth_token: &str,
    ) -> Result<()> {
        self.servicemarket_call(
            ORDER_ITEM_CONFIRM_METHOD,
            item_biz(commodity_order_id, item, None)?,
            Some(app_auth_token),
        )
        .map(drop)
    }

    /// Cancels one item of an order, with the reason the merchant will read.
    ///
    /// # Errors
    /// As for [`Client::complete_servicemarket_order_item`]; [`Error::Config`](crate::Error::Config)
    /// for an empty reason.
    pub fn cancel_servicemarket_order_item(
        &self,
        commodity_order_id: &str,
        item: &OrderItemTarget,
        reason: &str,
    ) -> Result<()> {
        self.servicemarket_call(
            ORDER_ITEM_CANCEL_METHOD,
            item_biz(commodity_order_id, item, Some(reason))?,
            None,
        )
        .map(drop)
    }

    /// One order call with `biz_content`, on the merchant's behalf when a token is given.
    fn servicemarket_call(
        &self,
        method: &str,
        biz_content: String,
        app_auth_token: Option<&str>,
    ) -> Result<crate::response::VerifiedResponse> {
        let options = CallOptions {
            biz_content: Some(biz_content),
            app_auth_token: app_auth_token.map(str::to_string),
            ..CallOptions::default()
        };
        self.execute(method, &options)
    }
}

/// Every page of an order, one call per page as it is iterated ([`Client::servicemarket_order_pages`]).
pub struct OrderPages<'a> {
    client: &'a Client,
    commodity_order_id: &'a str,
    next_page: Option<u64>,
}

impl Iterator for OrderPages<'_> {
    type Item = Result<OrderPage>;

    fn next(&mut self) -> Option<Self::Item> {
        let page = self.next_page.take()?;
        let result = self
            .client
            .query_servicemarket_order(self.commodity_order_id, page);
        if let Ok(answer) = &result
            && answer.has_next()
        {
            self.next_page = Some(page + 1);
        }
        Some(result)
    }
}
