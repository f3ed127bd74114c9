//! Pushes to the application gateway: a tiny gateway that answers `fail` twice then `success`, the
//! retries counted, and both notifications verified and typed by the core's `NotificationVerifier`.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_isv::notify::{Notification, NotificationVerifier};
use alipay_isv_emulator::{APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Emulator};
use common::*;

/// A test application gateway: records every body, answers `fail` to the first `failures` posts of
/// each notify_id-less count, then `success`.
struct AppGateway {
    url: String,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(split) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..split]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if received.len() >= split + 4 + length {
                return Some(received[split + 4..split + 4 + length].to_vec());
            }
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        received.extend_from_slice(&chunk[..read]);
    }
}

fn app_gateway(failures: usize) -> AppGateway {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/alipay/gateway", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(body) = read_request(&mut stream) else {
                continue;
            };
            let count = {
                let mut seen = seen.lock().unwrap();
                seen.push(body);
                seen.len()
            };
            let answer = if count <= failures { "fail" } else { "success" };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    AppGateway { url, bodies }
}

fn verifier(emulator: &Emulator) -> NotificationVerifier {
    NotificationVerifier::new(Arc::new(emulator.alipay_public_key().clone()))
}

#[test]
fn authorisation_push_is_retried_until_success_and_verifies() {
    let gateway = app_gateway(2);
    let mut options = options();
    options.notify_url = Some(gateway.url.clone());
    options.notify_backoff = Duration::from_millis(20);
    let emulator = Emulator::start(options).unwrap();
    let config = config(&emulator);
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, None))
        .unwrap();
    let code = query_param(&location, "app_auth_code").unwrap();
    assert!(emulator.wait_for_deliveries(1, Duration::from_secs(10)));
    let deliveries = emulator.deliveries();
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(delivery.kind, APP_AUTH_NOTIFY);
    assert_eq!(delivery.attempts, 3);
    assert!(delivery.acknowledged && delivery.finished);
    assert!(
        !format!("{delivery:?}").contains("BB"),
        "Debug shows no token"
    );

    let bodies = gateway.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "retries resend the same notification"
    );
    let Notification::AppAuth(notification) = verifier(&emulator).verify_body(&bodies[0]).unwrap()
    else {
        panic!("expected an app-auth notification");
    };
    assert_eq!(notification.notify_id, delivery.notify_id);
    assert_eq!(notification.status.as_deref(), Some("execute_auth"));
    assert_eq!(notification.app_id.as_deref(), Some(APP_ID));
    assert_eq!(
        notification.detail.app_auth_code.as_deref(),
        Some(code.as_str())
    );
    assert!(notification.detail.auth_time.unwrap() > 1_600_000_000_000);
    let params = alipay_isv::notify::parse_form(&bodies[0]).unwrap();
    let v1 = alipay_isv::sign::sign_content(
        params
            .iter()
            .filter(|(k, _)| k != "sign_type")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let sign = &params.iter().find(|(k, _)| k == "sign").unwrap().1;
    alipay_isv::sign::Verifier::new(
        Arc::new(emulator.alipay_public_key().clone()),
        alipay_isv::sign::SignType::Rsa2,
        alipay_isv::sign::Charset::Utf8,
    )
    .unwrap()
    .verify(&v1, sign)
    .expect("the authorisation push is V1-signed");

    let exchanged = execute(
        &emulator,
        &config,
        "alipay.open.auth.token.app",
        &biz(serde_json::json!({"grant_type": "authorization_code", "code": code})),
    )
    .unwrap();
    assert_eq!(
        exchanged.fields["app_auth_token"],
        notification.detail.app_auth_token.as_str()
    );
    assert_eq!(
        exchanged.fields["auth_app_id"],
        notification.detail.auth_app_id.as_str()
    );
    assert_eq!(
        exchanged.fields["app_refresh_token"],
        notification.detail.app_refresh_token.as_deref().unwrap()
    );
}

#[test]
fn revocation_pushes_a_v2_signed_cancellation_message() {
    let gateway = app_gateway(0);
    let emulator = start();
    let config = config(&emulator);
    let merchant = authorise(&emulator, &config);
    emulator.set_notify_url(Some(gateway.url.clone()));
    let revoked = post(
        &emulator,
        &format!("/emulator/revoke?auth_app_id={}", merchant.auth_app_id),
        "text/plain",
        b"",
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert!(emulator.wait_for_deliveries(2, Duration::from_secs(10)));
    let deliveries = emulator.deliveries();
    assert_eq!(
        deliveries[0].attempts, 0,
        "no notify_url at authorisation time"
    );
    assert!(deliveries[0].url.is_none());
    assert_eq!(deliveries[1].kind, APP_AUTH_CANCELLED);
    assert_eq!(
        (deliveries[1].attempts, deliveries[1].acknowledged),
        (1, true)
    );

    let recorded = verifier(&emulator)
        .verify_body(deliveries[0].body.as_bytes())
        .unwrap();
    assert!(matches!(recorded, Notification::AppAuth(_)));
    let body = gateway.bodies.lock().unwrap()[0].clone();
    assert!(!String::from_utf8_lossy(&body).contains(&merchant.app_auth_token));
    let Notification::Message(message) = verifier(&emulator).verify_body(&body).unwrap() else {
        panic!("expected a message");
    };
    assert!(message.is_app_auth_cancelled());
    assert_eq!(
        message.msg_app_id.as_deref(),
        Some(merchant.auth_app_id.as_str())
    );
    assert_eq!(message.msg_uid.as_deref(), Some(merchant.user_id.as_str()));
    assert_eq!(message.app_id.as_deref(), Some(APP_ID));
    assert_eq!(
        message.biz_content["auth_app_id"],
        merchant.auth_app_id.as_str()
    );
    assert!(message.biz_content.get("app_auth_token").is_none());
}

#[test]
fn batch_authorisation_pushes_one_notification_per_app_and_gives_up_after_the_attempts() {
    let gateway = app_gateway(usize::MAX);
    let mut options = options();
    options.notify_url = Some(gateway.url.clone());
    options.notify_backoff = Duration::from_millis(5);
    options.notify_attempts = 3;
    let emulator = Emulator::start(options).unwrap();
    emulator
        .merchant_authorizes(&format!(
            "{}/oauth2/appToAppBatchAuth.htm?app_id={APP_ID}&application_type=TINYAPP,WEBAPP&redirect_uri=https%3A%2F%2Fx",
            emulator.base_url()
        ))
        .unwrap();
    assert!(emulator.wait_for_deliveries(2, Duration::from_secs(10)));
    let deliveries = emulator.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_ne!(deliveries[0].auth_app_id, deliveries[1].auth_app_id);
    for delivery in &deliveries {
        assert_eq!((delivery.attempts, delivery.acknowledged), (3, false));
    }
    assert!(!emulator.wait_for_deliveries(3, Duration::from_millis(50)));
}
