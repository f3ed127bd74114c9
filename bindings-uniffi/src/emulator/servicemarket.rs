//! Service-market subscriptions (服务市场订购) on the [`Emulator`], mirroring
//! `alipay_isv_emulator::{SubscribeOptions, Subscription}`: `Emulator.subscribe(options)` — a merchant
//! orders the ISV's plugin; the emulator records the order, authorises the plugin on the merchant's
//! mini program and pushes the order message (`servicemarket_order_notify`) and the plugin
//! authorisation (`open_app_auth_notify`, `trigger=appstore`). The order calls of `Client`
//! (`queryServicemarketOrder`, `acceptServicemarketOrder`, …) then follow the order's state machine.

use alipay_isv_emulator as core;

use super::Emulator;
use crate::error::Result;

/// What a merchant's order looks like (Kotlin: `SubscribeOptions(authorisationFirst = true)`); every
/// field has a default, so `SubscribeOptions()` is a free plugin ordered by a new merchant.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SubscribeOptions {
    /// The ordering merchant (null: the owner of `authAppId` when it already authorised, else a new
    /// PID).
    #[uniffi(default)]
    pub merchant_pid: Option<String>,
    /// The merchant's mini program the plugin is for (null: a new app id).
    #[uniffi(default)]
    pub auth_app_id: Option<String>,
    /// The ordered service's name (null: `插件订购`).
    #[uniffi(default)]
    pub title: Option<String>,
    /// The price in yuan, as text (null: `0.00`). A priced item cannot be confirmed on the merchant's
    /// behalf (`CONFIRM_CHARGE_ITEM_NOT_ALLOW`).
    #[uniffi(default)]
    pub total_price: Option<String>,
    /// Push the plugin authorisation before the order message (default: the order first).
    #[uniffi(default)]
    pub authorisation_first: bool,
    /// Fault: the order query answers `ORDER_NOT_EXIST` for this order (the other calls know it).
    #[uniffi(default)]
    pub unknown_to_query: bool,
}

impl From<SubscribeOptions> for core::SubscribeOptions {
    fn from(options: SubscribeOptions) -> Self {
        core::SubscribeOptions {
            merchant_pid: options.merchant_pid,
            auth_app_id: options.auth_app_id,
            title: options.title,
            total_price: options.total_price,
            authorisation_first: options.authorisation_first,
            unknown_to_query: options.unknown_to_query,
        }
    }
}

/// A subscription the emulator made: what the ISV will learn from the two pushes.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Subscription {
    /// The order number (the `commodityOrderId` of the order message and of every order call).
    pub commodity_order_id: String,
    /// The ordering merchant's PID.
    pub merchant_pid: String,
    /// The merchant's mini program the plugin was authorised on (`OrderItemTarget.MiniApp(it)`).
    pub auth_app_id: String,
}

impl From<core::Subscription> for Subscription {
    fn from(subscription: core::Subscription) -> Self {
        Subscription {
            commodity_order_id: subscription.commodity_order_id,
            merchant_pid: subscription.merchant_pid,
            auth_app_id: subscription.auth_app_id,
        }
    }
}

#[uniffi::export]
impl Emulator {
    /// A merchant orders the ISV's plugin in the service market: the emulator records the order (one
    /// item, the merchant's mini program, `TO_DO`), authorises the plugin on that mini program, and
    /// pushes the order message (`Notification.ServiceMarketOrder`) and the plugin authorisation
    /// (`Notification.AppAuth` with `pluginAuthorisation`) — the order first unless
    /// `authorisationFirst` —, each retried until the application gateway answers `success` (both
    /// are in `deliveries()`). The pushes are made in the background: `waitForDeliveries` waits for
    /// them.
    ///
    /// Throws `AlipayException.Config` for a price that is not a non-negative number of yuan.
    #[uniffi::method(default(options))]
    pub fn subscribe(&self, options: SubscribeOptions) -> Result<Subscription> {
        self.with("Emulator.subscribe", |emulator| {
            Ok(emulator.subscribe(options.into())?.into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_convert_field_by_field() {
        let options: core::SubscribeOptions = SubscribeOptions {
            total_price: Some("9.90".into()),
            authorisation_first: true,
            ..SubscribeOptions::default()
        }
        .into();
        assert_eq!(options.total_price.as_deref(), Some("9.90"));
        assert!(options.authorisation_first && !options.unknown_to_query);
        assert!(options.merchant_pid.is_none() && options.auth_app_id.is_none());
    }
}
