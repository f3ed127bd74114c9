//! Certificate mode end to end: the emulator's root bundle, Alipay and app certificates configured in
//! the core client; SN checks on requests; `alipay_cert_sn` in answers and pushes; a rotation the
//! client follows through `alipay.open.app.alipaycert.download`.

mod common;

use alipay_isv::cert::{ALIPAY_CERT_DOWNLOAD_METHOD, alipay_root_cert_sn, app_cert_sn};
use alipay_isv::client::Client;
use alipay_isv::request::CallOptions;
use alipay_isv_emulator::Emulator;
use common::{authorise, call_raw, cert_config, delegated, options, start_cert_mode as start};

const DELEGATED: &str = "alipay.open.mini.version.list.query";

#[test]
fn the_emulator_hands_out_a_bundle_with_a_non_rsa_root_and_matching_sns() {
    let emulator = start();
    let bundle = emulator.root_cert_bundle_pem().unwrap();
    assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 2);
    let sn = alipay_root_cert_sn(bundle.as_bytes()).unwrap();
    assert_eq!(sn, emulator.alipay_root_cert_sn().unwrap());
    assert!(!sn.contains('_'), "the ECDSA root is left out: {sn}");
    let config = cert_config(&emulator);
    let cert = config.cert_mode().unwrap();
    assert_eq!(cert.alipay_cert_sn(), emulator.alipay_cert_sn().unwrap());
    assert_eq!(
        config.alipay_public_key().as_ref(),
        emulator.alipay_public_key()
    );
    let plain = Emulator::start(options()).unwrap();
    assert_eq!(plain.root_cert_bundle_pem().err().unwrap().kind(), "config");
    assert_eq!(plain.rotate_alipay_cert().err().unwrap().kind(), "config");
}

#[test]
fn requests_need_both_sns_and_answers_name_the_signing_certificate() {
    let emulator = start();
    let config = cert_config(&emulator);
    let client = Client::new(config.clone()).unwrap();
    let merchant = authorise(&emulator, &config);
    let answer = client
        .execute(DELEGATED, &delegated(&merchant.app_auth_token))
        .unwrap();
    assert_eq!(
        answer.alipay_cert_sn,
        Some(emulator.alipay_cert_sn().unwrap())
    );

    let public_key_mode = common::config(&emulator);
    let raw = call_raw(
        &emulator,
        &public_key_mode,
        DELEGATED,
        &delegated(&merchant.app_auth_token),
    );
    assert!(
        raw.text().contains("isv.invalid-app-cert-sn"),
        "{}",
        raw.text()
    );
    assert!(raw.text().contains("\"alipay_cert_sn\""), "{}", raw.text());

    let other = alipay_isv::key::generate_key_pair(2048).unwrap();
    let foreign_cert = emulator.issue_app_cert(&other.public_key).unwrap();
    let foreign_sn = app_cert_sn(foreign_cert.as_bytes()).unwrap();
    let mut options = delegated(&merchant.app_auth_token);
    options.extra_params = vec![
        ("app_cert_sn".into(), foreign_sn),
        (
            "alipay_root_cert_sn".into(),
            emulator.alipay_root_cert_sn().unwrap(),
        ),
    ];
    let raw = call_raw(&emulator, &public_key_mode, DELEGATED, &options);
    assert!(
        raw.text().contains("isv.invalid-app-cert-sn"),
        "{}",
        raw.text()
    );

    let own_sn = config.cert_mode().unwrap().app_cert_sn().to_string();
    options.extra_params = vec![
        ("app_cert_sn".into(), own_sn),
        (
            "alipay_root_cert_sn".into(),
            format!("{}_0123", emulator.alipay_root_cert_sn().unwrap()),
        ),
    ];
    let raw = call_raw(&emulator, &public_key_mode, DELEGATED, &options);
    assert!(
        raw.text().contains("isv.invalid-alipay-root-cert-sn"),
        "{}",
        raw.text()
    );
    match client.execute(DELEGATED, &CallOptions::default()) {
        Err(alipay_isv::Error::Api(api)) => {
            assert_eq!(api.sub_code.as_deref(), Some("isv.self-invoke-forbidden"));
            assert!(api.signed);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_rotated_certificate_is_downloaded_checked_cached_and_shared() {
    let emulator = start();
    let config = cert_config(&emulator);
    let client = Client::new(config).unwrap();
    let merchant = authorise(&emulator, client.config());
    let first = emulator.alipay_cert_sn().unwrap();
    let rotated = emulator.rotate_alipay_cert().unwrap();
    assert_ne!(first, rotated);
    let store = client.config().cert_mode().unwrap().cert_store().clone();
    assert!(store.key(&rotated).is_none());

    let clone = client.clone();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = clone.clone();
            let token = merchant.app_auth_token.clone();
            std::thread::spawn(move || client.execute(DELEGATED, &delegated(&token)).unwrap())
        })
        .collect();
    for thread in threads {
        assert_eq!(
            thread.join().unwrap().alipay_cert_sn.as_deref(),
            Some(rotated.as_str())
        );
    }
    assert!(store.key(&rotated).is_some());
    let downloads = emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD);
    assert!((1..=4).contains(&downloads), "{downloads}");
    client
        .execute(DELEGATED, &delegated(&merchant.app_auth_token))
        .unwrap();
    assert_eq!(
        emulator.call_count(ALIPAY_CERT_DOWNLOAD_METHOD),
        downloads,
        "cached"
    );
    assert!(!client.fetch_alipay_cert(&first).unwrap());
    let unknown = client
        .fetch_alipay_cert("0123456789abcdef0123456789abcdef")
        .err()
        .unwrap();
    assert_eq!(unknown.kind(), "api", "{unknown}");
}

#[test]
fn pushes_carry_the_signing_certificate_and_verify_after_a_rotation() {
    let emulator = start();
    let client = Client::new(cert_config(&emulator)).unwrap();
    let merchant = authorise(&emulator, client.config());
    let rotated = emulator.rotate_alipay_cert().unwrap();
    emulator.revoke(&merchant.auth_app_id).unwrap();
    let deliveries = emulator.deliveries();
    let cancelled = deliveries.last().unwrap();
    assert!(
        cancelled
            .body
            .contains(&format!("alipay_cert_sn={rotated}")),
        "{cancelled:?}"
    );
    let sans_io = client
        .config()
        .notification_verifier()
        .verify_body(cancelled.body.as_bytes());
    assert!(sans_io.err().unwrap().reason().contains(&rotated));
    let notification = client
        .verify_notification(cancelled.body.as_bytes())
        .unwrap();
    assert!(matches!(
        notification,
        alipay_isv::notify::Notification::Message(_)
    ));
}
