//! Service-market subscriptions (服务市场订购), mirroring `alipay_isv_emulator`'s servicemarket: what a
//! merchant's order looks like ([`SubscribeOptions`]) and what the emulator made of it
//! ([`Subscription`]). `Emulator.subscribe` records the order, authorises the plugin on the merchant's
//! mini program and pushes both the order message and the plugin authorisation.

use alipay_isv_emulator as core;
use napi_derive::napi;

/// What a merchant's order looks like (`Emulator.subscribe`); every field has a default.
#[napi(object, object_to_js = false)]
pub struct SubscribeOptions {
    /// The ordering merchant (default: a new PID, or the owner of `authAppId` when it authorised
    /// before).
    pub merchant_pid: Option<String>,
    /// The merchant's mini program the plugin is for (default: a new app id).
    pub auth_app_id: Option<String>,
    /// The ordered service's name (default `插件订购`).
    pub title: Option<String>,
    /// The price in yuan, as text (default `0.00`; a priced item cannot be confirmed on the merchant's
    /// behalf: `CONFIRM_CHARGE_ITEM_NOT_ALLOW`).
    pub total_price: Option<String>,
    /// Push the plugin authorisation before the order message (default: the order first). The real
    /// gateway sends them in either order.
    pub authorisation_first: Option<bool>,
    /// Fault: the order query answers `ORDER_NOT_EXIST` for this order (the other order calls know it).
    pub unknown_to_query: Option<bool>,
}

impl From<SubscribeOptions> for core::SubscribeOptions {
    fn from(options: SubscribeOptions) -> Self {
        core::SubscribeOptions {
            merchant_pid: options.merchant_pid,
            auth_app_id: options.auth_app_id,
            title: options.title,
            total_price: options.total_price,
            authorisation_first: options.authorisation_first.unwrap_or(false),
            unknown_to_query: options.unknown_to_query.unwrap_or(false),
        }
    }
}

/// A subscription the emulator made: what the ISV will learn from the two pushes.
#[napi(object, object_from_js = false)]
pub struct Subscription {
    /// The order number (`commodity_order_id`): the key of every order call.
    pub commodity_order_id: String,
    /// The ordering merchant.
    pub merchant_pid: String,
    /// The merchant's mini program the plugin was authorised on: the order's item (`{ miniAppId }`).
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
