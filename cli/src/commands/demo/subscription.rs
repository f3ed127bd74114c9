//! The demo's service-market part: a merchant subscribes to the ISV's plugin (服务市场订购). The order
//! message and the plugin authorisation reach the application gateway and verify; the authorisation is
//! stored; the ISV queries and accepts the order, makes a delegated call for the subscribing merchant,
//! completes the order's item and confirms it on the merchant's behalf with the stored token.

use alipay_isv::client::Client;
use alipay_isv::notify::{AppAuthNotification, Notification, ServiceMarketOrder};
use alipay_isv::registry::{IngestOutcome, Registry};
use alipay_isv::request::CallOptions;
use alipay_isv::servicemarket::{OrderItemTarget, OrderPage};
use alipay_isv::{Error, Result};
use alipay_isv_emulator::{Emulator, SubscribeOptions, Subscription};

use super::Steps;
use super::app_gateway::AppGateway;
use super::flow::NOTIFICATION_WAIT;

/// The order message and the plugin authorisation of a subscription, in whichever order they arrive
/// (each push travels on its own), skipping earlier pushes still on their way (the console
/// authorisation of the previous part, for one).
fn both_pushes(
    gateway: &AppGateway,
    subscription: &Subscription,
) -> Result<(ServiceMarketOrder, AppAuthNotification)> {
    let (mut order, mut plugin) = (None, None);
    for _ in 0..8 {
        match gateway.next(NOTIFICATION_WAIT)? {
            Notification::ServiceMarketOrder(found)
                if found.commodity_order_id == subscription.commodity_order_id =>
            {
                order = Some(found);
            }
            Notification::AppAuth(found)
                if found.is_plugin_authorisation()
                    && found.detail.auth_app_id == subscription.auth_app_id =>
            {
                plugin = Some(found);
            }
            _ => {}
        }
        if let (Some(order), Some(plugin)) = (&order, &plugin) {
            return Ok((order.clone(), plugin.clone()));
        }
    }
    Err(Error::protocol(
        "the order message and the plugin authorisation did not both reach the application gateway",
    ))
}

/// The one item's state in `page`.
fn item_status(page: &OrderPage) -> Result<String> {
    page.items
        .first()
        .and_then(|item| item.order_status.clone())
        .ok_or_else(|| Error::protocol("the order query answered no item"))
}

/// Runs the subscription steps.
pub(super) fn run(
    steps: &mut Steps,
    emulator: &Emulator,
    client: &Client,
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

    let plugin = steps.run(
        "the order message and the plugin authorisation arrive at the application gateway and verify",
        || {
            let (order, plugin) = both_pushes(gateway, &subscription)?;
            let detail = format!(
                "order {} of {} ({} yuan), for mini program {}\nplugin authorisation (trigger={}) for {}",
                order.commodity_order_id,
                order.title.as_deref().unwrap_or("-"),
                order.total_price.as_deref().unwrap_or("-"),
                order.consumer_mini_app_id.as_deref().unwrap_or("-"),
                plugin.trigger.as_deref().unwrap_or("-"),
                plugin.detail.auth_app_id
            );
            Ok((plugin, detail))
        },
    )?;

    steps.run("the plugin authorisation is stored in the registry", || {
        let outcome = registry.ingest_notification(&Notification::AppAuth(plugin.clone()))?;
        if outcome != IngestOutcome::Applied {
            return Err(Error::protocol(format!(
                "the plugin authorisation was {outcome:?}, not applied"
            )));
        }
        Ok((
            (),
            format!(
                "the plugin's token for {} stored ({})",
                plugin.detail.auth_app_id,
                outcome.as_str()
            ),
        ))
    })?;

    steps.run("the ISV queries the order: it awaits the ISV", || {
        let page = client.query_servicemarket_order(&id, 1)?;
        let detail = format!(
            "order {}: {}, item {}",
            id,
            page.status.as_deref().unwrap_or("-"),
            item_status(&page)?
        );
        Ok(((), detail))
    })?;

    steps.run("the ISV accepts the order (接单)", || {
        client.accept_servicemarket_order(&id)?;
        let page = client.query_servicemarket_order(&id, 1)?;
        Ok(((), format!("the item is now {}", item_status(&page)?)))
    })?;

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
        client.complete_servicemarket_order_item(&id, &item)?;
        let page = client.query_servicemarket_order(&id, 1)?;
        Ok(((), format!("the item is now {}", item_status(&page)?)))
    })?;

    steps.run(
        "the ISV confirms it on the merchant's behalf with the stored app_auth_token",
        || {
            let token = registry.token_for(&subscription.auth_app_id)?;
            client.confirm_servicemarket_order_item(&id, &item, &token)?;
            let page = client.query_servicemarket_order(&id, 1)?;
            let status = item_status(&page)?;
            if status != "DONE" {
                return Err(Error::protocol(format!("the item is {status}, not DONE")));
            }
            Ok((
                (),
                format!("the item is now {status}: the order is fulfilled"),
            ))
        },
    )
}
