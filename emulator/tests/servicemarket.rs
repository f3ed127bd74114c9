//! Service-market subscriptions against the emulator: the merchant orders the plugin, the order
//! message and the plugin authorisation arrive (either order) and verify typed, and the ISV walks the
//! order through the `Client`'s typed calls — query (every page), accept, complete, confirm on the
//! merchant's behalf — with Alipay's `sub_code`s and hints for every wrong state, an unknown order, a
//! missing token and the "unknown to the query" fault.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alipay_isv::client::Client;
use alipay_isv::notify::{Notification, NotificationVerifier};
use alipay_isv::servicemarket::OrderItemTarget;
use alipay_isv::{ApiError, Error};
use alipay_isv_emulator::{Emulator, SubscribeOptions};

use common::{APP_ID, config, start};

fn verifier(emulator: &Emulator) -> NotificationVerifier {
    NotificationVerifier::new(Arc::new(emulator.alipay_public_key().clone()))
}

fn api_error<T: std::fmt::Debug>(result: alipay_isv::Result<T>) -> Box<ApiError> {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The two pushes of a subscription, typed, in arrival order.
fn pushes(emulator: &Emulator) -> Vec<Notification> {
    assert!(emulator.wait_for_deliveries(2, Duration::from_secs(10)));
    emulator
        .deliveries()
        .iter()
        .map(|delivery| {
            verifier(emulator)
                .verify_body(delivery.body.as_bytes())
                .unwrap()
        })
        .collect()
}

#[test]
fn a_subscription_is_pushed_typed_and_walked_to_done() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let subscription = emulator.subscribe(SubscribeOptions::default()).unwrap();
    let id = subscription.commodity_order_id.as_str();

    let pushed = pushes(&emulator);
    let Notification::ServiceMarketOrder(order) = &pushed[0] else {
        panic!("the order message first: {pushed:?}");
    };
    assert_eq!(order.commodity_order_id, id);
    assert_eq!(order.merchant_pid, subscription.merchant_pid);
    assert_eq!(
        order.consumer_mini_app_id.as_deref(),
        Some(subscription.auth_app_id.as_str())
    );
    assert_eq!(order.app_id.as_deref(), Some(APP_ID));
    assert_eq!(order.order_item_num, Some(1));
    let Notification::AppAuth(plugin) = &pushed[1] else {
        panic!("then the plugin authorisation: {pushed:?}");
    };
    assert!(plugin.is_plugin_authorisation());
    assert_eq!(plugin.detail.auth_app_id, subscription.auth_app_id);
    assert_eq!(plugin.detail.authorised_app_id.as_deref(), Some(APP_ID));
    let token = plugin.detail.app_auth_token.clone();

    let page = client.query_servicemarket_order(id, 1).unwrap();
    assert_eq!(page.status.as_deref(), Some("MERCHANT_ORDED"));
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].order_status.as_deref(), Some("TO_DO"));
    let item = OrderItemTarget::MiniApp(subscription.auth_app_id.clone());

    // Completing before accepting is a wrong item state.
    let early = api_error(client.complete_servicemarket_order_item(id, &item));
    assert_eq!(early.sub_code.as_deref(), Some("ITEM_STATUS_NOT_ALLOW"));
    assert!(early.hint.is_some() && early.signed);

    client.accept_servicemarket_order(id).unwrap();
    let again = api_error(client.accept_servicemarket_order(id));
    assert_eq!(
        again.sub_code.as_deref(),
        Some("COMMODITY_ORDER_STATUS_INVALID")
    );
    assert!(again.hint.unwrap().contains("query it"));
    let late = api_error(client.reject_servicemarket_order(id, "暂不支持该地区服务"));
    assert_eq!(
        late.sub_code.as_deref(),
        Some("COMMODITY_ORDER_STATUS_INVALID")
    );

    client.complete_servicemarket_order_item(id, &item).unwrap();
    let no_token = api_error(client.confirm_servicemarket_order_item(id, &item, ""));
    assert_eq!(
        no_token.sub_code.as_deref(),
        Some("isv.self-invoke-forbidden")
    );
    client
        .confirm_servicemarket_order_item(id, &item, &token)
        .unwrap();
    let pages: Vec<_> = client
        .servicemarket_order_pages(id)
        .collect::<alipay_isv::Result<_>>()
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].status.as_deref(), Some("ISV_ACCEPTED"));
    assert_eq!(pages[0].items[0].order_status.as_deref(), Some("DONE"));
    let done = api_error(client.cancel_servicemarket_order_item(id, &item, "不再需要"));
    assert_eq!(done.sub_code.as_deref(), Some("ITEM_STATUS_NOT_ALLOW"));

    let missing = OrderItemTarget::MiniApp("2021000000009999".into());
    let unknown_item = api_error(client.complete_servicemarket_order_item(id, &missing));
    assert_eq!(
        unknown_item.sub_code.as_deref(),
        Some("COMMODITY_ORDER_ITEM_NOT_EXIST")
    );
    let unknown = api_error(client.accept_servicemarket_order("201901010000000000000000"));
    assert_eq!(unknown.sub_code.as_deref(), Some("ORDER_NOT_EXIST"));
    assert!(unknown.hint.is_some());
}

#[test]
fn a_rejected_order_rejects_its_items_and_a_cancelled_item_stays_cancelled() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let rejected = emulator.subscribe(SubscribeOptions::default()).unwrap();
    client
        .reject_servicemarket_order(&rejected.commodity_order_id, "暂不支持该地区服务")
        .unwrap();
    let page = client
        .query_servicemarket_order(&rejected.commodity_order_id, 1)
        .unwrap();
    assert_eq!(page.status.as_deref(), Some("ISV_REJECTED"));
    assert_eq!(page.items[0].order_status.as_deref(), Some("ISV_REJECTED"));

    let cancelled = emulator.subscribe(SubscribeOptions::default()).unwrap();
    let item = OrderItemTarget::MiniApp(cancelled.auth_app_id.clone());
    client
        .accept_servicemarket_order(&cancelled.commodity_order_id)
        .unwrap();
    client
        .cancel_servicemarket_order_item(&cancelled.commodity_order_id, &item, "当前区域不支持实施")
        .unwrap();
    let again =
        api_error(client.complete_servicemarket_order_item(&cancelled.commodity_order_id, &item));
    assert_eq!(again.sub_code.as_deref(), Some("ITEM_STATUS_NOT_ALLOW"));
}

#[test]
fn the_authorisation_may_come_first_and_an_order_may_be_unknown_to_the_query() {
    let emulator = start();
    let client = Client::new(config(&emulator)).unwrap();
    let options = SubscribeOptions {
        authorisation_first: true,
        unknown_to_query: true,
        total_price: Some("9.90".into()),
        ..SubscribeOptions::default()
    };
    let subscription = emulator.subscribe(options).unwrap();
    let pushed = pushes(&emulator);
    assert!(matches!(pushed[0], Notification::AppAuth(_)), "{pushed:?}");
    let Notification::ServiceMarketOrder(order) = &pushed[1] else {
        panic!("{pushed:?}");
    };
    assert_eq!(order.total_price.as_deref(), Some("9.90"));
    let unknown = api_error(client.query_servicemarket_order(&subscription.commodity_order_id, 1));
    assert_eq!(unknown.sub_code.as_deref(), Some("ORDER_NOT_EXIST"));
    let first = client
        .servicemarket_order_pages(&subscription.commodity_order_id)
        .next()
        .unwrap();
    assert!(first.is_err());
    assert!(
        emulator
            .subscribe(SubscribeOptions {
                total_price: Some("free".into()),
                ..SubscribeOptions::default()
            })
            .is_err()
    );
}
