//! Shared helpers of the emulator's integration tests: fixed test keys, an ISV configuration pointed
//! at the emulator, a raw HTTP client on `TcpStream`, and the merchant / user authorisation steps.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use alipay_isv::config::IsvConfig;
use alipay_isv::key::PrivateKey;
use alipay_isv::request::CallOptions;
use alipay_isv::response::VerifiedResponse;
use alipay_isv::sign::Charset;
use alipay_isv_emulator::{Emulator, EmulatorOptions};

/// The ISV app id used by every test.
pub const APP_ID: &str = "2021000000000001";
/// The callback URL of the ISV.
pub const CALLBACK: &str = "https://isv.example/callback";

fn key_file(name: &str) -> String {
    let path = format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The ISV app's private key (a fixed test key).
pub fn app_key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap())
}

/// The fixed "Alipay" test key, so tests do not spend time generating one.
pub fn alipay_key() -> PrivateKey {
    PrivateKey::from_text(&key_file("alipay_2048_pkcs8.pem")).unwrap()
}

/// Default options for the test ISV, with the fixed Alipay key.
pub fn options() -> EmulatorOptions {
    let mut options = EmulatorOptions::new(APP_ID, app_key().public_key().clone());
    options.alipay_private_key = Some(alipay_key());
    options
}

/// An emulator with default options.
pub fn start() -> Emulator {
    Emulator::start(options()).unwrap()
}

/// The ISV configuration pointed at the emulator, in `charset`.
pub fn config_with(emulator: &Emulator, charset: Charset) -> IsvConfig {
    IsvConfig::builder(
        APP_ID,
        app_key(),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .charset(charset)
    .build()
    .unwrap()
}

/// The UTF-8 ISV configuration pointed at the emulator.
pub fn config(emulator: &Emulator) -> IsvConfig {
    config_with(emulator, Charset::Utf8)
}

/// An emulator in certificate mode.
pub fn start_cert_mode() -> Emulator {
    let mut options = options();
    options.cert_mode = true;
    Emulator::start(options).unwrap()
}

/// The certificate-mode ISV configuration for an emulator in certificate mode: an app certificate it
/// issues, its Alipay certificate and root bundle.
pub fn cert_config(emulator: &Emulator) -> IsvConfig {
    let app_cert = emulator.issue_app_cert(app_key().public_key()).unwrap();
    IsvConfig::cert_builder(
        APP_ID,
        app_key(),
        app_cert,
        emulator.alipay_cert_pem().unwrap(),
        emulator.root_cert_bundle_pem().unwrap(),
    )
    .gateway(emulator.gateway_url())
    .build()
    .unwrap()
}

/// A raw HTTP answer.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Raw {
    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw request bytes (which should say `Connection: close`) and reads until the server closes.
pub fn send_raw(address: SocketAddr, request: &[u8]) -> std::io::Result<Raw> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.write_all(request)?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received)?;
    Ok(parse_raw(&received))
}

/// Splits a received answer into status, head and body (the body as received, not de-chunked).
pub fn parse_raw(received: &[u8]) -> Raw {
    let split = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&received[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status code");
    Raw {
        status,
        head,
        body: received[split + 4..].to_vec(),
    }
}

/// `GET target` on the emulator.
pub fn get(emulator: &Emulator, target: &str) -> Raw {
    let request = format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    send_raw(emulator.local_addr(), request.as_bytes()).unwrap()
}

/// `POST target` with a form body on the emulator.
pub fn post(emulator: &Emulator, target: &str, content_type: &str, body: &[u8]) -> Raw {
    let mut request = format!(
        "POST {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    send_raw(emulator.local_addr(), &request).unwrap()
}

/// Signs a request the way the core does and posts it (system parameters in the query, the rest in
/// the body, like the Java SDK).
pub fn call_raw(
    emulator: &Emulator,
    config: &IsvConfig,
    method: &str,
    options: &CallOptions,
) -> Raw {
    let signed = config.sign_request(method, options).unwrap();
    let http = signed.to_http_request().unwrap();
    let target = http
        .url
        .trim_start_matches(&emulator.base_url())
        .to_string();
    post(emulator, &target, &http.content_type, http.body.as_bytes())
}

/// Calls a method and verifies the answer with the emulator's Alipay public key.
pub fn execute(
    emulator: &Emulator,
    config: &IsvConfig,
    method: &str,
    options: &CallOptions,
) -> alipay_isv::Result<VerifiedResponse> {
    let raw = call_raw(emulator, config, method, options);
    assert_eq!(raw.status, 200, "{}", raw.text());
    config.response_verifier().verify(method, &raw.body)
}

/// The API error of a failed call (panics on success or another error kind).
pub fn api_error(result: alipay_isv::Result<VerifiedResponse>) -> alipay_isv::ApiError {
    match result {
        Err(alipay_isv::Error::Api(error)) => *error,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.split('#').next()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Biz-content options.
pub fn biz(json: serde_json::Value) -> CallOptions {
    CallOptions {
        biz_content: Some(json.to_string()),
        ..CallOptions::default()
    }
}

/// A merchant authorisation exchanged for tokens.
#[derive(Debug, Clone)]
pub struct Merchant {
    pub auth_app_id: String,
    pub user_id: String,
    pub app_auth_token: String,
    pub app_refresh_token: String,
}

/// The merchant authorises through the emulator's page and the ISV exchanges the code.
pub fn authorise(emulator: &Emulator, config: &IsvConfig) -> Merchant {
    let location = emulator
        .merchant_authorizes(&emulator.app_auth_url(CALLBACK, Some("c3RhdGU=")))
        .unwrap();
    let code = query_param(&location, "app_auth_code").unwrap();
    let answer = execute(
        emulator,
        config,
        "alipay.open.auth.token.app",
        &biz(serde_json::json!({"grant_type": "authorization_code", "code": code})),
    )
    .unwrap();
    let text = |name: &str| answer.fields[name].as_str().unwrap().to_string();
    Merchant {
        auth_app_id: text("auth_app_id"),
        user_id: text("user_id"),
        app_auth_token: text("app_auth_token"),
        app_refresh_token: text("app_refresh_token"),
    }
}

/// Options of a delegated call.
pub fn delegated(token: &str) -> CallOptions {
    CallOptions {
        app_auth_token: Some(token.to_string()),
        ..CallOptions::default()
    }
}
