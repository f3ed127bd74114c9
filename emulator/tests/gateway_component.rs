//! A subscription end to end through the library's `Gateway`, served over HTTP on loopback: the emulator
//! pushes the order message and the plugin authorisation to it; the order is stored and accepted by the
//! order handler (which fails on its first call, so the emulator retries: the order is stored once and the
//! handler runs twice, never a third time); the token is stored; a delegated call is made through the
//! registry; the item is completed and confirmed on the merchant's behalf, each step in the order's history.
//! In certificate mode, a push signed by a rotated Alipay certificate is verified after the gateway downloads
//! that certificate.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use alipay_isv::client::Client;
use alipay_isv::gateway::{Delivery, Gateway};
use alipay_isv::notify::Notification;
use alipay_isv::registry::{ITEM_DONE, ITEM_TO_CONFIRM, ORDER_ACCEPTED, ORDER_PLACED, Registry};
use alipay_isv::request::CallOptions;
use alipay_isv::servicemarket::OrderItemTarget;
use alipay_isv_emulator::SubscribeOptions;

use common::{APP_ID, authorise, cert_config, config, start, start_cert_mode};

type Handler = dyn Fn(&Delivery) -> Result<(), String> + Send + Sync;

/// Reads one request's content type and body.
fn read_request(stream: &TcpStream) -> Option<(Option<String>, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let (mut length, mut content_type) = (0, None);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            } else if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((content_type, body))
}

/// Serves `gateway` with `handler` on a loopback port; the gateway's URL.
fn serve(gateway: Arc<Gateway>, handler: Arc<Handler>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let (gateway, handler) = (gateway.clone(), handler.clone());
            thread::spawn(move || {
                let Some((content_type, body)) = read_request(&stream) else {
                    return;
                };
                let answer = gateway
                    .handle(content_type.as_deref(), &body, |delivery| handler(delivery))
                    .answer;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    answer.status,
                    answer.content_type,
                    answer.body.len(),
                    answer.body
                );
            });
        }
    });
    format!("http://127.0.0.1:{port}/alipay/gateway")
}

#[test]
fn a_subscription_runs_through_the_gateway_and_a_failed_push_is_retried_and_stored_once() {
    let emulator = start();
    let config = config(&emulator);
    let client = Client::new(config.clone()).unwrap();
    let path = std::env::temp_dir().join(format!(
        "alipay-isv-gateway-component-{}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let registry = Arc::new(Registry::open(&path, None).unwrap().with_client(client));

    let order_calls = Arc::new(AtomicUsize::new(0));
    let handler: Arc<Handler> = {
        let (registry, order_calls) = (registry.clone(), order_calls.clone());
        Arc::new(move |delivery: &Delivery| {
            let Notification::ServiceMarketOrder(order) = &delivery.notification else {
                return Ok(());
            };
            if order_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err("the order service is restarting".into());
            }
            let stored = registry.order(&order.commodity_order_id).unwrap().unwrap();
            assert_eq!(stored.status, ORDER_PLACED);
            assert_eq!(stored.version, 1, "stored once, by the first delivery");
            registry
                .accept_order(&order.commodity_order_id)
                .map(drop)
                .map_err(|error| error.to_string())
        })
    };
    let url = serve(Arc::new(Gateway::new(&config, registry.clone())), handler);
    emulator.set_notify_url(Some(url));

    let subscription = emulator.subscribe(SubscribeOptions::default()).unwrap();
    let id = subscription.commodity_order_id.as_str();
    assert!(emulator.wait_for_deliveries(2, Duration::from_secs(20)));
    let deliveries = emulator.deliveries();
    assert!(
        deliveries.iter().all(|delivery| delivery.acknowledged),
        "{deliveries:?}"
    );
    let order_push = deliveries
        .iter()
        .find(|delivery| delivery.kind == "servicemarket_order_notify")
        .unwrap();
    assert_eq!(order_push.attempts, 2, "answered fail once, then success");
    assert_eq!(order_calls.load(Ordering::SeqCst), 2);

    let order = registry.order(id).unwrap().unwrap();
    assert_eq!(order.status, ORDER_ACCEPTED);
    assert_eq!(order.app_id, APP_ID);
    let linked = registry.order_authorisation(id).unwrap().unwrap();
    assert_eq!(linked.auth_app_id, subscription.auth_app_id);
    assert_eq!(linked.app_id, APP_ID);

    let options = CallOptions {
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    };
    let answer = registry
        .execute_for(
            &subscription.auth_app_id,
            "alipay.open.mini.version.list.query",
            &options,
        )
        .unwrap();
    assert_eq!(answer.code(), Some("10000"));

    let item = OrderItemTarget::MiniApp(subscription.auth_app_id.clone());
    let order = registry.complete_order_item(id, &item).unwrap();
    assert_eq!(order.item_status(&item), Some(ITEM_TO_CONFIRM));
    let order = registry.confirm_order_item(id, &item).unwrap();
    assert_eq!(order.item_status(&item), Some(ITEM_DONE));
    let order = registry.refresh_order(id).unwrap();
    assert_eq!(order.item_status(&item), Some(ITEM_DONE), "Alipay agrees");
    let sources: Vec<&str> = order
        .history
        .iter()
        .map(|change| change.source.as_str())
        .collect();
    assert_eq!(
        sources,
        ["notification", "accept", "item.complete", "item.confirm"]
    );
    // A later retry of the order message (Alipay resends after a lost answer): acknowledged, nothing run.
    let result = registry_gateway_replay(&config, &registry, order_push.body.as_bytes());
    assert_eq!(result, "already_handled");
    assert_eq!(order_calls.load(Ordering::SeqCst), 2);
    drop(registry);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Posts `body` again to a gateway over the same registry; the outcome's name.
fn registry_gateway_replay(
    config: &alipay_isv::config::IsvConfig,
    registry: &Arc<Registry>,
    body: &[u8],
) -> &'static str {
    Gateway::new(config, registry.clone())
        .handle(
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            body,
            |_| Err("a handled notification must not reach the handler"),
        )
        .outcome
        .as_str()
}

#[test]
fn in_certificate_mode_a_push_signed_after_a_rotation_is_verified_after_one_download() {
    let emulator = start_cert_mode();
    let config = cert_config(&emulator);
    let client = Client::new(config.clone()).unwrap();
    let registry = Arc::new(Registry::in_memory().with_client(client.clone()));
    let url = serve(
        Arc::new(Gateway::new(&config, registry.clone())),
        Arc::new(|_: &Delivery| Ok(())),
    );
    let merchant = authorise(&emulator, client.config());
    registry
        .ingest_tokens(&[alipay_isv::auth::AppAuthToken {
            app_auth_token: merchant.app_auth_token.clone(),
            app_refresh_token: None,
            auth_app_id: merchant.auth_app_id.clone(),
            user_id: None,
            expires_in: Some(3600),
            re_expires_in: None,
        }])
        .unwrap();
    emulator.set_notify_url(Some(url));
    let rotated = emulator.rotate_alipay_cert().unwrap();
    let downloads = emulator.call_count(alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD);
    emulator.revoke(&merchant.auth_app_id).unwrap();
    // The authorisation's push (made before the gateway was configured) and the cancellation's.
    assert!(emulator.wait_for_deliveries(2, Duration::from_secs(20)));
    let pushed = emulator.deliveries();
    let cancellation = pushed
        .iter()
        .find(|delivery| delivery.body.contains(&rotated))
        .expect("the cancellation is signed by the new certificate");
    assert!(cancellation.acknowledged, "{cancellation:?}");
    assert_eq!(cancellation.attempts, 1);
    assert_eq!(
        emulator.call_count(alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD),
        downloads + 1
    );
    assert!(
        !registry
            .get(&merchant.auth_app_id)
            .unwrap()
            .unwrap()
            .is_active()
    );
}
