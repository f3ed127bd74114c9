//! Helpers of the v3 test files (`v3_aes.rs`, `v3_upload.rs`, `v3_faults.rs`): a v3 request signed with
//! our signer and sent over raw HTTP with any content type, body and extra headers (changeable after
//! signing), the verdict of an answer, its v3 error code, and a `multipart/form-data` body builder.

#![allow(dead_code)]

use alipay_isv::config::IsvConfig;
use alipay_isv::v3::{V3Answer, V3Request, V3Verdict, new_nonce, now_ms};
use alipay_isv_emulator::Emulator;
use serde_json::Value;

use crate::common::{Raw, send_raw};

/// The fixed AES test key of the v3 vectors (the official Node SDK's test key).
pub const AES_KEY: &str = "aYA0GP8JEW+D7/UFaskCWA==";
/// Another AES key, for the wrong-key cases.
pub const OTHER_AES_KEY: &str = "wEA0iV4eLSTV+o5/T9RKjg==";
/// The upload operation's path.
pub const UPLOAD: &str = "/v3/alipay/open/file/upload";
/// A boundary shaped like the Node SDK's (formstream's).
pub const BOUNDARY: &str = "--------------------------7e2f0c5a9b1d3e4f6a8b0c1d";

/// One v3 request to send.
#[derive(Debug, Clone)]
pub struct Send<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// Path and query.
    pub target: &'a str,
    /// The body line of the signature (the JSON, the ciphertext, an upload's `data` part).
    pub signed_body: &'a str,
    /// The bytes sent (for a plain request, `signed_body`).
    pub body: Vec<u8>,
    /// `Content-Type`.
    pub content_type: String,
    /// The merchant token (header and signed line).
    pub token: Option<&'a str>,
    /// Extra headers (`alipay-encrypt-type`, …).
    pub extra: Vec<(String, String)>,
}

impl<'a> Send<'a> {
    /// A JSON `POST`.
    pub fn json(target: &'a str, body: &'a str, token: Option<&'a str>) -> Self {
        Send {
            method: "POST",
            target,
            signed_body: body,
            body: body.as_bytes().to_vec(),
            content_type: "application/json".into(),
            token,
            extra: Vec::new(),
        }
    }

    /// An AES `POST`: `ciphertext` as the body, `text/plain`, `alipay-encrypt-type: AES`.
    pub fn aes(target: &'a str, ciphertext: &'a str, token: Option<&'a str>) -> Self {
        Send {
            content_type: "text/plain".into(),
            extra: vec![("alipay-encrypt-type".into(), "AES".into())],
            ..Send::json(target, ciphertext, token)
        }
    }

    /// A multipart upload whose `data` part is `data` (signed) and whose whole body is `form`.
    pub fn upload(data: &'a str, form: Vec<u8>, token: Option<&'a str>) -> Self {
        Send {
            method: "POST",
            target: UPLOAD,
            signed_body: data,
            body: form,
            content_type: format!("multipart/form-data; boundary={BOUNDARY}"),
            token,
            extra: Vec::new(),
        }
    }
}

/// The raw request bytes of `send` signed with `config`; `tamper` may change the headers and the body
/// after signing.
pub fn request_bytes(
    config: &IsvConfig,
    send: &Send<'_>,
    tamper: impl FnOnce(&mut Vec<(String, String)>, &mut Vec<u8>),
) -> Vec<u8> {
    let request = V3Request {
        method: send.method,
        request_target: send.target,
        body: send.signed_body,
        app_auth_token: send.token,
    };
    let signed = request.sign_with(config, &new_nonce(), now_ms()).unwrap();
    let mut headers = signed.headers.clone();
    headers.extend(send.extra.iter().cloned());
    let mut body = send.body.clone();
    tamper(&mut headers, &mut body);
    let mut text = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        send.method,
        send.target,
        send.content_type,
        body.len()
    );
    for (name, value) in &headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// Signs and sends `send`; `tamper` may change it after signing.
pub fn send_tampered(
    emulator: &Emulator,
    config: &IsvConfig,
    send: &Send<'_>,
    tamper: impl FnOnce(&mut Vec<(String, String)>, &mut Vec<u8>),
) -> Raw {
    send_raw(emulator.local_addr(), &request_bytes(config, send, tamper)).unwrap()
}

/// Signs and sends `send` as it is.
pub fn send(emulator: &Emulator, config: &IsvConfig, send: &Send<'_>) -> Raw {
    send_tampered(emulator, config, send, |_, _| {})
}

/// The headers of a raw answer.
pub fn headers_of(raw: &Raw) -> Vec<(String, String)> {
    raw.head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect()
}

/// Our verifier's verdict on an answer.
pub fn verdict(config: &IsvConfig, raw: &Raw) -> alipay_isv::Result<V3Verdict> {
    let headers = headers_of(raw);
    V3Answer {
        status: raw.status,
        headers: &headers,
        body: &raw.body,
    }
    .verify(config)
}

/// The JSON of a plain (not encrypted) answer.
pub fn json_of(raw: &Raw) -> Value {
    serde_json::from_slice(&raw.body).unwrap_or_else(|_| panic!("not JSON: {}", raw.text()))
}

/// Asserts a v3 error: status, code, unsigned JSON with one link; returns its message.
pub fn assert_error(raw: &Raw, status: u16, code: &str) -> String {
    assert_eq!(raw.status, status, "{}", raw.text());
    let fields = json_of(raw);
    assert_eq!(fields["code"], code, "{fields}");
    assert_eq!(
        fields["links"].as_array().map(Vec::len),
        Some(1),
        "{fields}"
    );
    assert!(raw.header("alipay-signature").is_none());
    assert!(
        raw.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    fields["message"].as_str().unwrap().to_string()
}

/// A `multipart/form-data` body with [`BOUNDARY`]: an optional `data` part (content type, text), then
/// an optional file part `file_content` (file name, content type, bytes).
pub fn form(data: Option<(&str, &str)>, file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some((content_type, text)) = data {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: {content_type}\r\n\r\n{text}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file_content\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}
