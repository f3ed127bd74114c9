//! Criterion benchmarks: RSA2 (2048-bit) signing and verification of a ~600-byte canonical content,
//! with the keys parsed once — the figures `benches/rust-vs-openssl.sh` compares with `openssl speed`.

use std::hint::black_box;
use std::sync::Arc;

use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::sign::{Charset, SignType, Signer, Verifier, sign_content};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

/// A realistic request parameter set whose canonical content is about 600 bytes.
fn sample_params() -> Vec<(&'static str, String)> {
    vec![
        ("app_id", "2021004100000001".to_string()),
        ("method", "alipay.trade.create".to_string()),
        ("format", "JSON".to_string()),
        ("charset", "UTF-8".to_string()),
        ("sign_type", "RSA2".to_string()),
        ("timestamp", "2026-11-21 15:04:05".to_string()),
        ("version", "1.0".to_string()),
        (
            "notify_url",
            "https://isv.example.com/alipay/gateway".to_string(),
        ),
        (
            "app_auth_token",
            "202611BB8f3a51c0a1b2c3d4e5f6a7b8c9d0e1f2".to_string(),
        ),
        (
            "biz_content",
            concat!(
                r#"{"out_trade_no":"20261121150405000000000001","total_amount":"88.88","#,
                r#""subject":"测试商品：年货大礼包（坚果礼盒）","buyer_id":"2088102150527498","#,
                r#""body":"支付宝开放平台第三方应用代调用测试","timeout_express":"90m","#,
                r#""product_code":"FACE_TO_FACE_PAYMENT","seller_id":"2088102150000001","#,
                r#""extend_params":{"sys_service_provider_id":"2088511833207846"}}"#
            )
            .to_string(),
        ),
    ]
}

fn benchmarks(criterion: &mut Criterion) {
    let params = sample_params();
    let content = sign_content(params.iter().map(|(k, v)| (*k, v.as_str())));
    let private = Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap());
    let public = Arc::new(PublicKey::from_text(&key_file("app_2048_public.pem")).unwrap());
    let signer = Signer::new(private, SignType::Rsa2, Charset::Utf8).unwrap();
    let verifier = Verifier::new(public, SignType::Rsa2, Charset::Utf8).unwrap();
    let sign = signer.sign(&content).unwrap();

    let mut group = criterion.benchmark_group("rsa2048");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sign", |b| {
        b.iter(|| signer.sign(black_box(&content)).unwrap())
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&content), black_box(&sign))
                .unwrap()
        })
    });
    group.bench_function("sign_params", |b| {
        b.iter(|| {
            signer
                .sign_params(black_box(&params).iter().map(|(k, v)| (*k, v.as_str())))
                .unwrap()
        })
    });
    group.finish();
    eprintln!("canonical content: {} bytes", content.len());
}

criterion_group!(benches, benchmarks);
criterion_main!(benches);
