//! Service-market subscriptions (服务市场订购): a merchant orders the ISV's plugin ([`subscribe`]); the
//! emulator records the order, authorises the plugin on the merchant's mini program, and pushes both
//! the order message (`servicemarket_order_notify`) and the plugin authorisation (`open_app_auth_notify`
//! with `trigger=appstore`) — in either order, as the real gateway may — retrying each until the
//! application gateway answers `success`. The order calls are answered by [`crate::gateway`]'s
//! `servicemarket` handlers, on the state machine recorded here. The admin endpoint
//! `POST /emulator/servicemarket/subscribe` does the same over HTTP.

use std::sync::Arc;

use alipay_isv::{Error, Result};
use serde_json::json;

use crate::http::response::Response;
use crate::ids;
use crate::push::{push_order, push_plugin_auth};
use crate::shared::{Shared, lock};
use crate::state::Order;

/// What a merchant's order looks like; every field has a default.
#[derive(Debug, Clone, Default)]
pub struct SubscribeOptions {
    /// The ordering merchant (default: a new PID, or the owner of `auth_app_id` when it is known).
    pub merchant_pid: Option<String>,
    /// The merchant's mini program the plugin is for (default: a new app id).
    pub auth_app_id: Option<String>,
    /// The ordered service's name (default `插件订购`).
    pub title: Option<String>,
    /// The price in yuan (default `0.00`; a priced item cannot be confirmed on the merchant's behalf).
    pub total_price: Option<String>,
    /// Push the plugin authorisation before the order message (default: the order first).
    pub authorisation_first: bool,
    /// Fault: the order query answers `ORDER_NOT_EXIST` for this order.
    pub unknown_to_query: bool,
}

/// A subscription the emulator made: what the ISV will learn from the two pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The order number.
    pub commodity_order_id: String,
    /// The ordering merchant.
    pub merchant_pid: String,
    /// The merchant's mini program the plugin was authorised on.
    pub auth_app_id: String,
}

/// The merchant orders the plugin: the order, the plugin authorisation and both pushes.
///
/// # Errors
/// [`Error::Config`] for a price that is not a number of yuan.
pub fn subscribe(shared: &Arc<Shared>, options: SubscribeOptions) -> Result<Subscription> {
    let total_price = options.total_price.unwrap_or_else(|| "0.00".to_string());
    if !total_price
        .parse::<f64>()
        .is_ok_and(|price| price.is_finite() && price >= 0.0)
    {
        return Err(Error::config(format!(
            "total_price must be a non-negative number of yuan, not `{}`",
            total_price.chars().take(20).collect::<String>()
        )));
    }
    let now = shared.now_ms();
    let (order, grant) = {
        let mut state = lock(&shared.state);
        let auth_app_id = options.auth_app_id.unwrap_or_else(ids::app_id);
        let merchant_pid = options
            .merchant_pid
            .or_else(|| Some(state.authorisations.get(&auth_app_id)?.merchant_pid.clone()))
            .unwrap_or_else(ids::merchant_pid);
        let grant = state.authorise(&auth_app_id, &merchant_pid, now, shared.lifetimes);
        let order = Order {
            // Real order numbers start with the order's date (`2019030800000018079639`).
            commodity_order_id: format!(
                "{}{}",
                alipay_isv::request::china_timestamp((now / 1000) as i64)
                    .chars()
                    .filter(char::is_ascii_digit)
                    .take(8)
                    .collect::<String>(),
                ids::digits(16)
            ),
            merchant_pid,
            merchant_name: "杭州测试科技有限公司".into(),
            contactor: "测试联系人".into(),
            phone: format!("1{}", ids::digits(10)),
            auth_app_id,
            title: options.title.unwrap_or_else(|| "插件订购".to_string()),
            total_price,
            created_ms: now,
            status: "MERCHANT_ORDED".into(),
            items: Vec::new(),
            unknown_to_query: options.unknown_to_query,
        };
        let mut order = order;
        order
            .items
            .push((order.auth_app_id.clone(), "TO_DO".into()));
        state
            .orders
            .insert(order.commodity_order_id.clone(), order.clone());
        (order, grant)
    };
    let agent_app_id = shared.app_id.clone();
    if options.authorisation_first {
        push_plugin_auth(shared, &grant, &agent_app_id);
        push_order(shared, &order);
    } else {
        push_order(shared, &order);
        push_plugin_auth(shared, &grant, &agent_app_id);
    }
    Ok(Subscription {
        commodity_order_id: order.commodity_order_id,
        merchant_pid: order.merchant_pid,
        auth_app_id: order.auth_app_id,
    })
}

/// `POST /emulator/servicemarket/subscribe?merchant_pid=…&auth_app_id=…&title=…&total_price=…&authorisation_first=true&unknown_to_query=true`
/// (every parameter optional).
pub fn subscribe_endpoint(shared: &Arc<Shared>, query: &str) -> Response {
    let mut options = SubscribeOptions::default();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim().to_string();
        match key.as_ref() {
            "merchant_pid" => options.merchant_pid = Some(value),
            "auth_app_id" => options.auth_app_id = Some(value),
            "title" => options.title = Some(value),
            "total_price" => options.total_price = Some(value),
            "authorisation_first" => options.authorisation_first = value == "true",
            "unknown_to_query" => options.unknown_to_query = value == "true",
            _ => {}
        }
    }
    match subscribe(shared, options) {
        Ok(subscription) => Response::json(
            200,
            &json!({
                "commodity_order_id": subscription.commodity_order_id,
                "merchant_pid": subscription.merchant_pid,
                "auth_app_id": subscription.auth_app_id,
            }),
        ),
        Err(error) => Response::json(400, &json!({"error": error.reason()})),
    }
}
