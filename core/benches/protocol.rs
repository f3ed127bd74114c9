//! Criterion benchmarks of the protocol layer against the raw RSA2 verification it wraps, over the same
//! bytes: for a ~2 KB response, extraction of the raw node + verification, and the whole
//! `ResponseVerifier::verify` (which also parses the node into fields and applies the error policy),
//! and `ResponseVerifier::verify_node` (the same without the field map); for a notification,
//! `NotificationVerifier::verify_body` (parse the form once, V1 content, verify, type the result), the
//! same for a notification signed with an empty value kept (the 2020 order-notification form: V1 fails,
//! V1+empty verifies), and forged ones (every distinct form tried, one RSA verification each). Hostile
//! bodies: a 1 M-parameter form and a response with 800 k root keys, both refused.

use std::hint::black_box;
use std::sync::Arc;

use alipay_isv::config::IsvConfig;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::notify::{NotificationVerifier, SignedForm};
use alipay_isv::request::form_encode;
use alipay_isv::response::{ResponseVerifier, extract_signed_node};
use alipay_isv::sign::{Charset, SignType, Signer, Verifier, sign_content};
use alipay_isv::v3::{V3Answer, V3Request};
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
    let notifications = NotificationVerifier::new(alipay_public.clone());
    notifications.verify_body(form.as_bytes()).unwrap();

    // The 2020 form: an empty `isv_ticket=` signed, `sign_type` not.
    let mut with_empty = params.clone();
    with_empty.push(("isv_ticket".into(), String::new()));
    with_empty.push(("sign_type".into(), "RSA2".into()));
    let empty_form = SignedForm::from_name("v1+empty").unwrap();
    let empty_sign = signer.sign(&empty_form.content(&with_empty)).unwrap();
    with_empty.push(("sign".into(), empty_sign));
    // Not `form_encode`, which leaves empty values out as requests do.
    let empty_body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&with_empty)
        .finish();
    let verified = notifications
        .verify_body_with_form(empty_body.as_bytes())
        .unwrap();
    assert_eq!(verified.signed_form, empty_form);

    // Forgeries: the ordinary form with one value changed (V1 and V2 tried), and the form with an empty
    // value changed (V1, V1+empty, V2, V2+empty tried).
    let forged = form.replace("88.88", "88.89");
    let forged_with_empty = empty_body.replace("88.88", "88.89");
    assert!(notifications.verify_body(forged.as_bytes()).is_err());
    assert!(
        notifications
            .verify_body(forged_with_empty.as_bytes())
            .is_err()
    );

    // Hostile bodies just under the 10 MiB limit.
    let mut hostile_form = String::new();
    let mut hostile_params = 0;
    while hostile_form.len() < 10 * 1024 * 1024 - 20 {
        hostile_form.push_str(&format!("p{hostile_params}=1&"));
        hostile_params += 1;
    }
    let mut hostile_response = String::from("{");
    let mut index = 0;
    while hostile_response.len() < 10 * 1024 * 1024 - 40 {
        hostile_response.push_str(&format!("\"k{index}\":1,"));
        index += 1;
    }
    hostile_response.push_str("\"z\":1}");
    let hostile_keys = index;
    assert!(notifications.verify_body(hostile_form.as_bytes()).is_err());
    assert!(
        responses
            .verify_node("alipay.user.info.share", hostile_response.as_bytes())
            .is_err()
    );

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
    group.bench_function("notification_verify_form_body_with_empty_value", |b| {
        b.iter(|| {
            notifications
                .verify_body(black_box(empty_body.as_bytes()))
                .unwrap()
        })
    });
    group.bench_function("notification_forged_ordinary", |b| {
        b.iter(|| {
            notifications
                .verify_body(black_box(forged.as_bytes()))
                .unwrap_err()
        })
    });
    group.bench_function("notification_forged_with_empty_value", |b| {
        b.iter(|| {
            notifications
                .verify_body(black_box(forged_with_empty.as_bytes()))
                .unwrap_err()
        })
    });
    // OpenAPI v3: signing a request (auth string + string to sign + RSA2) against the raw RSA2 signature
    // of the same string, and verifying an answer (headers, policy, content) against the raw
    // verification of the same content. The configuration carries an auth-string extension, so its
    // check is in the measured cost.
    let v3_config = IsvConfig::builder(
        "2021000000000001",
        Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap()),
        alipay_public.clone(),
    )
    .v3_additional_auth_info("expired_seconds=120")
    .build()
    .unwrap();
    let v3_body = node.clone();
    let v3_request = V3Request {
        method: "POST",
        request_target: "/v3/alipay/open/mini/version/list/query",
        body: &v3_body,
        app_auth_token: Some("202612BB0123456789abcdef0123456789abcdef"),
    };
    let v3_signed = v3_request
        .sign_with(
            &v3_config,
            "2f3b2c1d0e9f4a8b8c7d6e5f4a3b2c1d",
            1_796_600_002_222,
        )
        .unwrap();
    let app_signer = Signer::new(
        v3_config.signer().key().clone(),
        SignType::Rsa2,
        Charset::Utf8,
    )
    .unwrap();
    group.bench_function("raw_sign_v3_string", |b| {
        b.iter(|| {
            app_signer
                .sign(black_box(&v3_signed.string_to_sign))
                .unwrap()
        })
    });
    group.bench_function("v3_sign_request", |b| {
        b.iter(|| {
            black_box(&v3_request)
                .sign_with(
                    &v3_config,
                    "2f3b2c1d0e9f4a8b8c7d6e5f4a3b2c1d",
                    1_796_600_002_222,
                )
                .unwrap()
        })
    });
    let v3_content = format!("1796600100000\nanswer-nonce\n{v3_body}\n");
    let v3_answer_sign = signer.sign(&v3_content).unwrap();
    let v3_headers = vec![
        ("alipay-timestamp".to_string(), "1796600100000".to_string()),
        ("alipay-nonce".to_string(), "answer-nonce".to_string()),
        ("alipay-signature".to_string(), v3_answer_sign.clone()),
        ("alipay-trace-id".to_string(), "0b2f1c3d4e5f".to_string()),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    group.bench_function("raw_verify_v3_content", |b| {
        b.iter(|| {
            raw_verifier
                .verify(black_box(&v3_content), &v3_answer_sign)
                .unwrap()
        })
    });
    group.bench_function("v3_verify_answer", |b| {
        b.iter(|| {
            V3Answer {
                status: 200,
                headers: black_box(&v3_headers),
                body: black_box(v3_body.as_bytes()),
            }
            .verify(&v3_config)
            .unwrap()
        })
    });
    group.finish();

    let mut hostile = criterion.benchmark_group("hostile");
    hostile.sample_size(10);
    hostile.bench_function("notification_1m_params_10mib_refused", |b| {
        b.iter(|| {
            notifications
                .verify_body(black_box(hostile_form.as_bytes()))
                .unwrap_err()
        })
    });
    hostile.bench_function("response_800k_root_keys_10mib_refused", |b| {
        b.iter(|| {
            responses
                .verify_node(
                    "alipay.user.info.share",
                    black_box(hostile_response.as_bytes()),
                )
                .unwrap_err()
        })
    });
    hostile.finish();
    eprintln!(
        "response body: {} bytes; notification body: {} bytes; hostile form: {} bytes, \
         {hostile_params} parameters; hostile response: {} bytes, {hostile_keys} root keys",
        body.len(),
        form.len(),
        hostile_form.len(),
        hostile_response.len()
    );
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
