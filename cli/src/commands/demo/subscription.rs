//! The demo's service-market part: a merchant subscribes to the ISV's plugin (服务市场订购). The order
//! message reaches the application gateway, which stores it and hands it to the order handler, which
//! accepts it (接单) — all before `success` is answered; the plugin authorisation arrives and is stored;
//! the ISV makes a delegated call for the subscribing merchant, completes the order's item and confirms it
//! on the merchant's behalf with the stored token, each call recorded in the order's history.

use alipay_isv::notify::Notification;
use alipay_isv::registry::{ITEM_DONE, ORDER_ACCEPTED, OrderRecord, Registry};
use alipay_isv::request::CallOptions;
use alipay_isv::servicemarket::OrderItemTarget;
use alipay_isv::{Error, Result};
use alipay_isv_emulator::{Emulator, SubscribeOptions};

use super::Steps;
use super::app_gateway::AppGateway;
use super::flow::NOTIFICATION_WAIT;

/// The order's history in one line: `status (source) → …`.
fn history(order: &OrderRecord) -> String {
    order
        .history
        .iter()
        .map(|change| match &change.item {
            Some(item) => format!("item {item} {} ({})", change.status, change.source),
            None => format!("{} ({})", change.status, change.source),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Runs the subscription steps.
pub(super) fn run(
    steps: &mut Steps,
    emulator: &Emulator,
    registry: &Registry,
    gateway: &AppGateway,
    delegated_method: &str,
) -> Result<()> {
    let subscription = steps.run(
        "a merchant subscribes to the plugin in the service market (服务市场订购)",
        || {
            let subscription = emulator.subscribe(SubscribeOptions::default())?;
            let detail = format!(
                "merchant {} ordered the plugin for its mini program {}",
                subscription.merchant_pid, subscription.auth_app_id
            );
            Ok((subscription, detail))
        },
    )?;
    let id = subscription.commodity_order_id.clone();

    steps.run(
        "the order message arrives at the gateway: verified, stored, and accepted (接单) by the order handler before `success`",
        || {
            let (delivery, result, _) = gateway.next_delivery(NOTIFICATION_WAIT, |notification| {
                matches!(notification, Notification::ServiceMarketOrder(order) if order.commodity_order_id == id)
            })?;
            let order = registry
                .order(&id)?
                .ok_or_else(|| Error::protocol("the gateway did not store the order"))?;
            if order.status != ORDER_ACCEPTED {
                return Err(Error::protocol(format!(
                    "the order is {}, not accepted",
                    order.status
                )));
            }
            let detail = format!(
                "order {id} of {} ({} yuan) for mini program {}: {}, answered {}\nhistory: {}",
                order.title.as_deref().unwrap_or("-"),
                order.total_price.as_deref().unwrap_or("-"),
                order.consumer_mini_app_id.as_deref().unwrap_or("-"),
                delivery.ingest.as_str(),
                result.answer.body,
                history(&order)
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "the plugin authorisation arrives at the gateway and is stored, linked to the order",
        || {
            let (delivery, _, _) = gateway.next_delivery(NOTIFICATION_WAIT, |notification| {
                matches!(notification, Notification::AppAuth(auth)
                    if auth.is_plugin_authorisation() && auth.detail.auth_app_id == subscription.auth_app_id)
            })?;
            let linked = registry.order_authorisation(&id)?.ok_or_else(|| {
                Error::protocol("the order is not linked to the plugin authorisation")
            })?;
            let detail = format!(
                "the plugin's token for {} stored ({}); order {id} goes with app {} of merchant {}",
                subscription.auth_app_id,
                delivery.ingest.as_str(),
                linked.auth_app_id,
                linked.merchant_pid.as_deref().unwrap_or("?")
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "the ISV queries the order; the registry records what Alipay answered",
        || {
            let order = registry.refresh_order(&id)?;
            let item = order.items.first().map_or("-", |item| item.status.as_str());
            Ok(((), format!("order {id}: {}, item {item}", order.status)))
        },
    )?;

    steps.run(
        "a delegated call for the subscribing merchant, the token from the registry",
        || {
            let options = CallOptions {
                biz_content: Some("{}".into()),
                ..CallOptions::default()
            };
            let answer =
                registry.execute_for(&subscription.auth_app_id, delegated_method, &options)?;
            Ok((
                (),
                format!(
                    "{delegated_method} answered {}",
                    answer.code().unwrap_or("-")
                ),
            ))
        },
    )?;

    let item = OrderItemTarget::MiniApp(subscription.auth_app_id.clone());
    steps.run("the ISV completes the order's item", || {
        let order = registry.complete_order_item(&id, &item)?;
        let status = order.item_status(&item).unwrap_or("-").to_string();
        Ok(((), format!("the item is now {status}")))
    })?;

    steps.run(
        "the ISV confirms it on the merchant's behalf with the stored app_auth_token",
        || {
            let order = registry.confirm_order_item(&id, &item)?;
            let order = registry.refresh_order(&order.commodity_order_id)?;
            let status = order.item_status(&item).unwrap_or("-").to_string();
            if status != ITEM_DONE {
                return Err(Error::protocol(format!("the item is {status}, not DONE")));
            }
            Ok((
                (),
                format!(
                    "the item is now {status}: the order is fulfilled\nhistory: {}",
                    history(&order)
                ),
            ))
        },
    )
}
