//! Criterion benchmarks of the protocol layer against the raw RSA2 verification it wraps, over the same
//! bytes: for a ~2 KB response, extraction of the raw node + verification, and the whole
//! `ResponseVerifier::verify` (which also parses the node into fields and applies the error policy),
//! and `ResponseVerifier::verify_node` (the same without the field map); for a notification, `NotificationVerifier::verify_body` (parse the form once, V1 content, verify,
//! type the result).

use std::hint::black_box;
use std::sync::Arc;

use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::notify::NotificationVerifier;
use alipay_isv::request::form_encode;
use alipay_isv::response::{ResponseVerifier, extract_signed_node};
use alipay_isv::sign::{Charset, SignType, Signer, Verifier, sign_content};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

/// A ~2 KB `alipay.user.info.share` node.
fn response_node() -> String {
    let mut node = String::from(
        r#"{"code":"10000","msg":"Success","user_id":"2088102150527498","nick_name":"支付宝用户","city":"杭州市","province":"浙江省","gender":"F","avatar":"https://tfs.alipayobjects.com/images/partner/T1example""#,
    );
    let mut index = 0;
    while node.len() < 2000 {
        node.push_str(&format!(
            r#","extra_field_{index}":"value with \"quotes\" and {{braces}} {index}""#
        ));
        index += 1;
    }
    node.push('}');
    node
}

fn benchmarks(criterion: &mut Criterion) {
    let alipay_private =
        Arc::new(PrivateKey::from_text(&key_file("alipay_2048_pkcs8.pem")).unwrap());
    let alipay_public =
        Arc::new(PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap());
    let signer = Signer::new(alipay_private, SignType::Rsa2, Charset::Utf8).unwrap();
    let raw_verifier = Verifier::new(alipay_public.clone(), SignType::Rsa2, Charset::Utf8).unwrap();

    let node = response_node();
    let node_sign = signer.sign(&node).unwrap();
    let body = format!(r#"{{"alipay_user_info_share_response":{node},"sign":"{node_sign}"}}"#);
    let responses =
        ResponseVerifier::new(alipay_public.clone(), SignType::Rsa2, Charset::Utf8).unwrap();
    responses
        .verify("alipay.user.info.share", body.as_bytes())
        .unwrap();

    let params: Vec<(String, String)> = [
        ("notify_type", "trade_status_sync"),
        ("notify_id", "2026112100222150405000000000000001"),
        ("notify_time", "2026-11-21 15:04:05"),
        ("app_id", "2021000000000001"),
        ("auth_app_id", "2021000000000002"),
        ("charset", "utf-8"),
        ("version", "1.0"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "88.88"),
        ("out_trade_no", "20261121150405000000000001"),
        ("subject", "测试商品：年货大礼包"),
        ("passback_params", "merchant%3D1%26order%3D2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let notification_sign = signer.sign(&content).unwrap();
    let mut form_params = params.clone();
    form_params.push(("sign_type".into(), "RSA2".into()));
    form_params.push(("sign".into(), notification_sign.clone()));
    let form = form_encode(
        form_params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        Charset::Utf8,
    )
    .unwrap();
    let notifications = NotificationVerifier::new(alipay_public);
    notifications.verify_body(form.as_bytes()).unwrap();

    let mut group = criterion.benchmark_group("protocol");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_verify_2kb_node", |b| {
        b.iter(|| {
            raw_verifier
                .verify(black_box(&node), black_box(&node_sign))
                .unwrap()
        })
    });
    group.bench_function("response_extract_and_verify_2kb_body", |b| {
        b.iter(|| {
            let node = extract_signed_node(black_box(&body), "alipay.user.info.share").unwrap();
            raw_verifier
                .verify(node.raw, node.sign.as_deref().unwrap())
                .unwrap()
        })
    });
    group.bench_function("response_verify_2kb_body", |b| {
        b.iter(|| {
            responses
                .verify("alipay.user.info.share", black_box(body.as_bytes()))
                .unwrap()
        })
    });
    group.bench_function("response_verify_node_2kb_body", |b| {
        b.iter(|| {
            responses
                .verify_node("alipay.user.info.share", black_box(body.as_bytes()))
                .unwrap()
        })
    });
    group.bench_function("raw_verify_notification_content", |b| {
        b.iter(|| {
            raw_verifier
                .verify(black_box(&content), black_box(&notification_sign))
                .unwrap()
        })
    });
    group.bench_function("notification_verify_form_body", |b| {
        b.iter(|| {
            notifications
                .verify_body(black_box(form.as_bytes()))
                .unwrap()
        })
    });
    group.finish();
    eprintln!(
        "response body: {} bytes; notification body: {} bytes",
        body.len(),
        form.len()
    );
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
