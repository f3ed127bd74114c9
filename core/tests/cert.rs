//! Certificate mode: every case of `tests/vectors/certs.json` (SNs, root bundles, chain checks,
//! certificate-mode configurations), then the request parameters, response and notification
//! verification by `alipay_cert_sn`, and the client fetching an unknown certificate.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use alipay_isv::cert::{
    ALIPAY_CERT_DOWNLOAD_METHOD, AlipayCertStore, Certificate, RootBundle, alipay_root_cert_sn,
    app_cert_sn, parse_certificates,
};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::key::PrivateKey;
use alipay_isv::request::{CallOptions, HttpRequest};
use alipay_isv::response::ResponseCheck;
use alipay_isv::sign::{Charset, SignType, Signer, sign_content};
use alipay_isv::transport::{HttpResponse, Transport};
use alipay_isv::{Error, Result};
use base64::Engine;
use serde_json::Value;

const PRODUCTION_ROOT_SN: &str =
    "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6";

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn bytes(relative: &str) -> Vec<u8> {
    let path = vectors().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cases(name: &str) -> Vec<Value> {
    let all: Value = serde_json::from_slice(&bytes("certs.json")).unwrap();
    all[name].as_array().unwrap().clone()
}

fn text(case: &Value, field: &str) -> String {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {case}"))
        .to_string()
}

fn expect_error(result: Result<impl std::fmt::Debug>, kind: &str, case: &Value) {
    match result {
        Err(error) => {
            assert_eq!(error.kind(), kind, "{case}: {error}");
            let wanted = text(case, "reason_contains");
            assert!(
                error.reason().to_lowercase().contains(&wanted),
                "{case}: {error}"
            );
        }
        Ok(value) => panic!("{case}: expected a {kind} error, got {value:?}"),
    }
}

#[test]
fn every_sn_case_matches() {
    let cases = cases("sn_cases");
    assert!(cases.len() >= 7);
    for case in cases {
        let certificate = Certificate::from_bytes(&bytes(&text(&case, "file"))).unwrap();
        assert_eq!(certificate.issuer(), text(&case, "issuer"), "{case}");
        assert_eq!(
            certificate.serial_number(),
            text(&case, "serial_number"),
            "{case}"
        );
        assert_eq!(certificate.sn(), text(&case, "sn"), "{case}");
        assert_eq!(
            app_cert_sn(&bytes(&text(&case, "file"))).unwrap(),
            text(&case, "sn")
        );
    }
}

#[test]
fn every_root_case_matches() {
    let cases = cases("root_cases");
    assert_eq!(cases[0]["sn"], PRODUCTION_ROOT_SN);
    for case in cases {
        let result = alipay_root_cert_sn(&bytes(&text(&case, "file")));
        match text(&case, "expect").as_str() {
            "ok" => assert_eq!(result.unwrap(), text(&case, "sn"), "{case}"),
            _ => expect_error(result, "config", &case),
        }
    }
}

#[test]
fn every_chain_case_matches() {
    for case in cases("chain_cases") {
        let roots = RootBundle::parse(&bytes(&text(&case, "root_bundle"))).unwrap();
        let at = match case["at"].as_u64() {
            Some(seconds) => SystemTime::UNIX_EPOCH + Duration::from_secs(seconds),
            None => SystemTime::now(),
        };
        let result = roots.verify_chain(&bytes(&text(&case, "alipay_cert")), at);
        match text(&case, "expect").as_str() {
            "ok" => assert_eq!(result.unwrap().sn(), text(&case, "sn"), "{case}"),
            _ => expect_error(result, "signature", &case),
        }
    }
}

#[test]
fn every_config_case_matches() {
    for case in cases("config_cases") {
        let key =
            PrivateKey::from_text(&String::from_utf8(bytes(&text(&case, "private_key"))).unwrap())
                .unwrap();
        let result = IsvConfig::cert_builder(
            text(&case, "app_id"),
            Arc::new(key),
            bytes(&text(&case, "app_cert")),
            bytes(&text(&case, "alipay_cert")),
            bytes(&text(&case, "root_bundle")),
        )
        .build();
        match text(&case, "expect").as_str() {
            "ok" => {
                let config = result.unwrap();
                let cert = config.cert_mode().unwrap();
                assert_eq!(cert.app_cert_sn(), text(&case, "app_cert_sn"));
                assert_eq!(cert.alipay_cert_sn(), text(&case, "alipay_cert_sn"));
                assert_eq!(
                    cert.alipay_root_cert_sn(),
                    text(&case, "alipay_root_cert_sn")
                );
            }
            _ => expect_error(result.map(|_| ()), "config", &case),
        }
    }
}

#[test]
fn bundles_parse_from_pem_der_and_base64_and_skip_non_rsa_blocks() {
    let production = parse_certificates(&bytes("certs/production/alipayRootCert.crt")).unwrap();
    assert_eq!(production.len(), 4);
    assert_eq!(production[0].signature_algorithm(), "1.2.156.10197.1.501");
    let der = bytes("certs/alipay_cert.der");
    let from_der = Certificate::from_bytes(&der).unwrap();
    let base64 = base64::engine::general_purpose::STANDARD.encode(&der);
    assert_eq!(
        Certificate::from_bytes(base64.as_bytes()).unwrap(),
        from_der
    );
    let pem_base64 = base64::engine::general_purpose::STANDARD.encode(from_der.to_pem());
    assert_eq!(
        Certificate::from_bytes(pem_base64.as_bytes()).unwrap().sn(),
        from_der.sn()
    );
    let mut two = der.clone();
    two.extend_from_slice(&der);
    assert_eq!(parse_certificates(&two).unwrap().len(), 2);
    let crlf = RootBundle::parse(&bytes("certs/root_bundle_crlf.crt")).unwrap();
    assert_eq!(crlf.roots().len(), 1);
    assert!(!crlf.sn().contains('_'));
    for garbage in [
        &b""[..],
        b"not a certificate",
        &der[..40],
        b"-----BEGIN CERTIFICATE-----\nAAAA",
    ] {
        assert_eq!(parse_certificates(garbage).err().unwrap().kind(), "config");
    }
}

#[test]
fn the_store_trusts_checked_certificates_only() {
    let store = AlipayCertStore::new(
        &bytes("certs/root_bundle.crt"),
        &bytes("certs/alipay_cert.crt"),
    )
    .unwrap();
    let configured = store.configured_sn().to_string();
    assert_eq!(store.known_sns(), vec![configured.clone()]);
    let via = store
        .trust(&bytes("certs/alipay_cert_via_intermediate.crt"))
        .unwrap();
    assert!(store.key(&via).is_some());
    for refused in ["expired", "not_chained", "tampered", "issued_by_app_cert"] {
        let error = store
            .trust(&bytes(&format!("certs/alipay_cert_{refused}.crt")))
            .err()
            .unwrap();
        assert_eq!(error.kind(), "signature", "{refused}: {error}");
    }
    assert_eq!(store.trust(b"garbage").err().unwrap().kind(), "signature");
    assert_eq!(store.known_sns().len(), 2);
    let expired = AlipayCertStore::new(
        &bytes("certs/root_bundle.crt"),
        &bytes("certs/alipay_cert_expired.crt"),
    );
    assert!(matches!(expired, Err(Error::Config { .. })));
}

fn key(name: &str) -> Arc<PrivateKey> {
    Arc::new(
        PrivateKey::from_text(&String::from_utf8(bytes(&format!("keys/{name}"))).unwrap()).unwrap(),
    )
}

fn cert_config() -> IsvConfig {
    IsvConfig::cert_builder(
        "2021000000000001",
        key("app_2048_pkcs8.pem"),
        bytes("certs/app_cert.crt"),
        bytes("certs/alipay_cert.crt"),
        bytes("certs/root_bundle.crt"),
    )
    .gateway("http://gateway.test/gateway.do")
    .build()
    .unwrap()
}

#[test]
fn both_sns_are_signed_parameters_of_every_request() {
    let config = cert_config();
    let cert = config.cert_mode().unwrap();
    let request = config
        .sign_request("alipay.user.info.share", &CallOptions::default())
        .unwrap();
    assert_eq!(request.param("app_cert_sn"), Some(cert.app_cert_sn()));
    assert_eq!(
        request.param("alipay_root_cert_sn"),
        Some(cert.alipay_root_cert_sn())
    );
    assert!(
        request
            .sign_content()
            .contains(&format!("app_cert_sn={}", cert.app_cert_sn()))
    );
    let url = request.to_http_request().unwrap().url;
    assert!(url.contains("alipay_root_cert_sn="), "{url}");
    let mismatch = IsvConfig::builder(
        "2021000000000001",
        key("app_2048_pkcs8.pem"),
        Arc::new(key("app_1024_pkcs1.pem").public_key().clone()),
    )
    .cert_mode(
        bytes("certs/app_cert.crt"),
        bytes("certs/alipay_cert.crt"),
        bytes("certs/root_bundle.crt"),
    )
    .build();
    assert!(
        mismatch
            .err()
            .unwrap()
            .reason()
            .contains("is not the key of the Alipay certificate")
    );
}

fn alipay_signer() -> Signer {
    Signer::new(key("alipay_2048_pkcs8.pem"), SignType::Rsa2, Charset::Utf8).unwrap()
}

fn body(node: &str, raw: &str, sn: Option<&str>, signer: &Signer) -> String {
    let sign = signer.sign(raw).unwrap();
    let sn = sn
        .map(|sn| format!(",\"alipay_cert_sn\":\"{sn}\""))
        .unwrap_or_default();
    format!("{{\"{node}\":{raw}{sn},\"sign\":\"{sign}\"}}")
}

#[test]
fn responses_are_verified_with_the_certificate_they_name() {
    let config = cert_config();
    let verifier = config.response_verifier();
    let sn = config.cert_mode().unwrap().alipay_cert_sn().to_string();
    let signer = alipay_signer();
    let method = "alipay.user.info.share";
    let node = "alipay_user_info_share_response";
    let ok = r#"{"code":"10000","msg":"Success","user_id":"2088"}"#;
    let verified = verifier
        .verify(method, body(node, ok, Some(&sn), &signer).as_bytes())
        .unwrap();
    assert_eq!(verified.alipay_cert_sn.as_deref(), Some(sn.as_str()));
    let missing = verifier
        .verify(method, body(node, ok, None, &signer).as_bytes())
        .err()
        .unwrap();
    assert!(
        missing.reason().contains("names no alipay_cert_sn"),
        "{missing}"
    );
    let error = r#"{"code":"40004","msg":"Business Failed","sub_code":"x"}"#;
    match verifier.verify(method, body(node, error, None, &signer).as_bytes()) {
        Err(Error::Api(api)) => assert!(api.signed),
        other => panic!("{other:?}"),
    }
    let unknown = body(node, ok, Some("0123456789abcdef0123456789abcdef"), &signer);
    assert_eq!(
        verifier.check(method, unknown.as_bytes()).unwrap(),
        ResponseCheck::NeedsCertificate {
            alipay_cert_sn: "0123456789abcdef0123456789abcdef".into()
        }
    );
    let refused = verifier.verify(method, unknown.as_bytes()).err().unwrap();
    assert!(
        refused.reason().contains(ALIPAY_CERT_DOWNLOAD_METHOD),
        "{refused}"
    );
    let wrong = Signer::new(key("app_2048_pkcs8.pem"), SignType::Rsa2, Charset::Utf8).unwrap();
    assert_eq!(
        verifier
            .verify(method, body(node, ok, Some(&sn), &wrong).as_bytes())
            .err()
            .unwrap()
            .kind(),
        "signature"
    );
}

fn notification(sn: Option<&str>, signer: &Signer) -> Vec<u8> {
    let params = [
        ("notify_id", "n1"),
        ("notify_type", "trade_status_sync"),
        ("charset", "utf-8"),
    ];
    let sign = signer.sign(&sign_content(params)).unwrap();
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(params)
        .append_pair("sign_type", "RSA2")
        .append_pair("sign", &sign);
    if let Some(sn) = sn {
        form.append_pair("alipay_cert_sn", sn);
    }
    form.finish().into_bytes()
}

#[test]
fn notifications_pick_the_key_by_alipay_cert_sn() {
    let config = cert_config();
    let verifier = config.notification_verifier();
    let sn = config.cert_mode().unwrap().alipay_cert_sn().to_string();
    let signer = alipay_signer();
    verifier
        .verify_body(&notification(Some(&sn), &signer))
        .unwrap();
    verifier.verify_body(&notification(None, &signer)).unwrap();
    let unknown = verifier
        .verify_body(&notification(Some("ffff"), &signer))
        .err()
        .unwrap();
    assert_eq!(unknown.kind(), "signature");
    assert!(
        unknown.reason().contains("ffff") && unknown.reason().contains("fetch"),
        "{unknown}"
    );
}

/// A gateway that answers every call with a signed success naming one certificate, and downloads.
struct RotatedGateway {
    signer: Signer,
    sn: String,
    content: String,
    seen: Mutex<Vec<String>>,
}

impl Transport for RotatedGateway {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse> {
        let method = request
            .url
            .split("method=")
            .nth(1)
            .unwrap_or("")
            .split('&')
            .next()
            .unwrap()
            .to_string();
        self.seen.lock().unwrap().push(method.clone());
        let raw = if method == ALIPAY_CERT_DOWNLOAD_METHOD {
            serde_json::json!({"code": "10000", "msg": "Success", "alipay_cert_content": self.content}).to_string()
        } else {
            r#"{"code":"10000","msg":"Success"}"#.to_string()
        };
        let node = format!("{}_response", method.replace('.', "_"));
        Ok(HttpResponse {
            status: 200,
            content_type: Some("text/html;charset=utf-8".into()),
            body: body(&node, &raw, Some(&self.sn), &self.signer).into_bytes(),
            trace_id: None,
        })
    }
}

#[test]
fn the_client_downloads_checks_and_caches_an_unknown_certificate() {
    let via = bytes("certs/alipay_cert_via_intermediate.crt");
    let sn = Certificate::from_bytes(&via).unwrap().sn().to_string();
    let gateway = Arc::new(RotatedGateway {
        signer: alipay_signer(),
        sn: sn.clone(),
        content: base64::engine::general_purpose::STANDARD.encode(&via),
        seen: Mutex::new(Vec::new()),
    });
    let client = Client::with_transport(cert_config(), gateway.clone());
    client
        .execute(
            "alipay.open.mini.version.list.query",
            &CallOptions::default(),
        )
        .unwrap();
    assert_eq!(
        *gateway.seen.lock().unwrap(),
        [
            "alipay.open.mini.version.list.query",
            ALIPAY_CERT_DOWNLOAD_METHOD
        ],
        "the first answer is verified once its certificate is fetched, not sent again"
    );
    client
        .execute(
            "alipay.open.mini.version.list.query",
            &CallOptions::default(),
        )
        .unwrap();
    assert_eq!(
        gateway.seen.lock().unwrap().len(),
        3,
        "the certificate was cached"
    );
    assert_eq!(gateway.seen.lock().unwrap()[1], ALIPAY_CERT_DOWNLOAD_METHOD);
    assert!(
        client
            .config()
            .cert_mode()
            .unwrap()
            .cert_store()
            .key(&sn)
            .is_some()
    );
    assert!(!client.fetch_alipay_cert(&sn).unwrap());
    client
        .verify_notification(&notification(Some(&sn), &alipay_signer()))
        .unwrap();

    let chain = parse_certificates(&via).unwrap();
    let mut leaf = chain[0].der().to_vec();
    let at = leaf
        .windows(23)
        .position(|w| w == b"Test Alipay Certificate")
        .unwrap();
    leaf[at + 22] = b'3';
    let tampered = format!(
        "{}{}",
        Certificate::from_der(&leaf).unwrap().to_pem(),
        chain[1].to_pem()
    )
    .into_bytes();
    let bad = Arc::new(RotatedGateway {
        signer: alipay_signer(),
        sn: Certificate::from_bytes(&tampered).unwrap().sn().to_string(),
        content: base64::engine::general_purpose::STANDARD.encode(&tampered),
        seen: Mutex::new(Vec::new()),
    });
    let sn_of_tampered = bad.sn.clone();
    let client = Client::with_transport(cert_config(), bad);
    let error = client
        .execute(
            "alipay.open.mini.version.list.query",
            &CallOptions::default(),
        )
        .err()
        .unwrap();
    assert_eq!(error.kind(), "signature", "{error}");
    assert!(error.reason().contains("does not verify"), "{error}");
    assert!(
        client
            .config()
            .cert_mode()
            .unwrap()
            .cert_store()
            .key(&sn_of_tampered)
            .is_none()
    );
    let plain = Client::with_transport(
        IsvConfig::builder(
            "2021000000000001",
            key("app_2048_pkcs8.pem"),
            Arc::new(key("alipay_2048_pkcs8.pem").public_key().clone()),
        )
        .build()
        .unwrap(),
        gateway,
    );
    assert_eq!(plain.fetch_alipay_cert(&sn).err().unwrap().kind(), "config");
}
