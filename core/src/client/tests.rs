//! Client tests over an in-memory transport that plays the gateway with its own key.

use std::sync::{Arc, Mutex};

use super::*;
use crate::key::{PrivateKey, generate_key_pair};
use crate::request::HttpRequest;
use crate::sign::{Charset, SignType, Signer};

/// Status, body text and the charset to encode it in.
type Answer = (u16, String, Charset);

struct FakeGateway {
    signer: Signer,
    answer: Box<dyn Fn(&HttpRequest) -> Answer + Send + Sync>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl Transport for FakeGateway {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse> {
        self.seen.lock().unwrap().push(request.clone());
        let (status, body, charset) = (self.answer)(request);
        Ok(HttpResponse {
            status,
            content_type: Some(format!("text/html;charset={}", charset.as_str())),
            body: charset.encode(&body).unwrap().into_owned(),
            trace_id: Some("0b8f2a1d17000000000000000000001".into()),
        })
    }
}

fn signed_body(signer: &Signer, node: &str, raw: &str) -> String {
    let sign = signer.sign(raw).unwrap();
    format!("{{\"{node}\":{raw},\"sign\":\"{sign}\"}}")
}

fn client_with(
    answer: impl Fn(&Signer, &HttpRequest) -> (u16, String, Charset) + Send + Sync + 'static,
) -> (Client, Arc<FakeGateway>) {
    let app = generate_key_pair(2048).unwrap();
    let alipay = generate_key_pair(2048).unwrap();
    let alipay_private: Arc<PrivateKey> = Arc::new(alipay.private_key);
    let signer = Signer::new(alipay_private, SignType::Rsa2, Charset::Utf8).unwrap();
    let answer_signer = signer.clone();
    let gateway = Arc::new(FakeGateway {
        signer,
        answer: Box::new(move |request| answer(&answer_signer, request)),
        seen: Mutex::new(Vec::new()),
    });
    let config = IsvConfig::builder(
        "2021000000000001",
        Arc::new(app.private_key),
        Arc::new(alipay.public_key),
    )
    .gateway("http://gateway.test/gateway.do")
    .build()
    .unwrap();
    (Client::with_transport(config, gateway.clone()), gateway)
}

#[test]
fn execute_signs_sends_and_verifies() {
    let (client, gateway) = client_with(|signer, _| {
        let raw = r#"{"code":"10000","msg":"Success","app_versions":["0.0.1"]}"#;
        (
            200,
            signed_body(signer, "alipay_open_mini_version_list_query_response", raw),
            Charset::Utf8,
        )
    });
    let options = CallOptions {
        app_auth_token: Some("merchant-token-secret".into()),
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    };
    let response = client
        .execute("alipay.open.mini.version.list.query", &options)
        .unwrap();
    assert_eq!(response.fields["app_versions"][0], "0.0.1");
    let seen = gateway.seen.lock().unwrap();
    assert!(
        seen[0]
            .url
            .contains("method=alipay.open.mini.version.list.query")
    );
    assert!(
        seen[0]
            .body
            .contains("app_auth_token=merchant-token-secret")
    );
    assert!(!format!("{client:?}").contains("secret"));
    assert!(gateway.signer.sign("x").is_ok());
}

#[test]
fn http_errors_are_sent_transport_errors() {
    let (client, _) = client_with(|_, _| (502, "<html>Bad Gateway</html>".into(), Charset::Utf8));
    match client.execute("alipay.user.info.share", &CallOptions::default()) {
        Err(Error::Transport {
            reason,
            request_sent: true,
        }) => assert!(reason.contains("502"), "{reason}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn a_gbk_answer_to_a_utf8_request_verifies_in_gbk() {
    let (client, _) = client_with(|signer, _| {
        let raw =
            r#"{"code":"40004","msg":"Business Failed","sub_code":"isv.x","sub_msg":"业务失败"}"#;
        let gbk = Signer::new(signer.key().clone(), SignType::Rsa2, Charset::Gbk).unwrap();
        (
            200,
            signed_body(&gbk, "alipay_trade_query_response", raw),
            Charset::Gbk,
        )
    });
    match client.execute("alipay.trade.query", &CallOptions::default()) {
        Err(Error::Api(api)) => {
            assert!(api.signed);
            assert_eq!(api.sub_msg.as_deref(), Some("业务失败"));
        }
        other => panic!("expected a signed API error, got {other:?}"),
    }
}

#[test]
fn code_exchange_returns_every_token_of_a_batch() {
    let (client, gateway) = client_with(|signer, request| {
        assert!(request.body.contains("authorization_code"));
        let raw = r#"{"code":"10000","msg":"Success","tokens":[{"app_auth_token":"a1","app_refresh_token":"r1","auth_app_id":"2021001","user_id":"2088001","expires_in":31536000,"re_expires_in":"32140800"},{"app_auth_token":"a2","auth_app_id":"2021002","user_id":"2088001"}]}"#;
        (
            200,
            signed_body(signer, "alipay_open_auth_token_app_response", raw),
            Charset::Utf8,
        )
    });
    let tokens = client.exchange_app_auth_code("code-1").unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0].re_expires_in, Some(32_140_800));
    assert_eq!(tokens[1].auth_app_id, "2021002");
    assert!(
        gateway.seen.lock().unwrap()[0]
            .body
            .contains("biz_content=")
    );
    assert!(matches!(
        client.exchange_app_auth_code(" "),
        Err(Error::Config { .. })
    ));
}

#[test]
fn user_token_parameters_are_top_level_and_delegated() {
    let (client, gateway) = client_with(|signer, _| {
        let raw = r#"{"open_id":"074abc","access_token":"access-secret","expires_in":"7200","refresh_token":"refresh-secret","re_expires_in":2592000}"#;
        (
            200,
            signed_body(signer, "alipay_system_oauth_token_response", raw),
            Charset::Utf8,
        )
    });
    let token = client
        .exchange_user_auth_code("user-code", Some("merchant-token"))
        .unwrap();
    assert_eq!(token.user_id, None);
    assert_eq!(token.expires_in, Some(7200));
    let seen = gateway.seen.lock().unwrap();
    let body = &seen[0].body;
    assert!(body.contains("grant_type=authorization_code"), "{body}");
    assert!(body.contains("code=user-code"));
    assert!(body.contains("app_auth_token=merchant-token"));
    assert!(!body.contains("biz_content"));
}
