//! The shapes of v3 answers: an error is `{"code","message","links"}` with its HTTP status, unsigned as
//! Alipay's are; a success is the flat JSON of the answer's fields (or, for an AES request, the Base64
//! ciphertext of that JSON, `text/plain`), signed in `alipay-signature` over `timestamp\nnonce\nbody\n`
//! with `alipay-timestamp`, `alipay-nonce` and in certificate mode `alipay-sn`; the classic error answers
//! mapped to v3 codes and statuses; and what the oversized fault sends on this front.

use alipay_isv::aes::AesKey;
use alipay_isv::sign::Charset;
use alipay_isv::v3::new_nonce;
use serde_json::{Map, Value, json};

use crate::gateway::faults::OversizedShape;
use crate::gateway::reply::Answer;
use crate::http::response::Response;
use crate::shared::Shared;

/// The oversized fault on `/v3/…`: a flat JSON answer that never ends, without signature headers.
pub const V3_OVERSIZED: OversizedShape = OversizedShape {
    prefix: b"{\"auth_app_id\":\"2021000000000000\",\"app_auth_token\":\"",
    content_type: "application/json;charset=utf-8",
};

/// A v3 error answer: status, code, message; unsigned, with one trace id in the link and the header.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    let trace_id = crate::ids::trace_id();
    let body = json!({
        "code": code,
        "message": message,
        "links": [{
            "link": format!("https://open.alipay.com/api/errCheck?traceId={trace_id}"),
            "desc": "解决方案",
        }],
    })
    .to_string();
    let mut response = Response::bytes(status, "application/json;charset=utf-8", body.into_bytes());
    response
        .headers
        .push(("alipay-trace-id".to_string(), trace_id));
    response
}

/// A 400 `invalid-parameter` error.
pub fn invalid_parameter(message: &str) -> Response {
    error(400, "invalid-parameter", &format!("参数无效: {message}"))
}

/// The v3 code and HTTP status of a classic error answer: the sub-code without its `isv.` / `aop.`
/// prefix; 401 for token errors (`20001`, invalid or expired user tokens), 403 for missing permissions
/// (`40006`), 503 for `20000`, 400 otherwise.
pub fn from_classic(answer: &Answer) -> Response {
    let field = |name: &str| {
        answer
            .node
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (code, sub_code, sub_msg) = (field("code"), field("sub_code"), field("sub_msg"));
    let v3_code = sub_code
        .strip_prefix("isv.")
        .or_else(|| sub_code.strip_prefix("aop."))
        .unwrap_or(&sub_code)
        .to_string();
    let status = match (code.as_str(), v3_code.as_str()) {
        (_, "invalid-auth-token" | "auth-token-time-out") => 401,
        ("20001", _) => 401,
        ("40006", _) => 403,
        ("20000", _) => 503,
        _ => 400,
    };
    error(status, &v3_code, &sub_msg)
}

/// The fields of a classic success answer: its node without `code` and `msg`.
pub fn fields_of(answer: &Answer) -> Map<String, Value> {
    let mut fields = answer.node.as_object().cloned().unwrap_or_default();
    fields.remove("code");
    fields.remove("msg");
    fields
}

/// A v3 success: the flat JSON of `fields`, encrypted with `aes` when the request was, and signed
/// unless `signed` is false (the `unsigned` fault: no `alipay-signature`, `alipay-timestamp`,
/// `alipay-nonce` or `alipay-sn`).
pub fn success(
    shared: &Shared,
    fields: Map<String, Value>,
    aes: Option<&AesKey>,
    signed: bool,
) -> Response {
    let json = Value::Object(fields).to_string();
    let (body, content_type) = match aes {
        None => (json, "application/json;charset=utf-8"),
        Some(key) => match key.encrypt(json.as_bytes()) {
            Ok(ciphertext) => (ciphertext, "text/plain"),
            Err(_) => return Response::text(500, "the emulator could not encrypt its answer\n"),
        },
    };
    let mut headers = Vec::new();
    if signed {
        let timestamp = shared.now_ms().to_string();
        let nonce = new_nonce();
        let Ok((signer, cert_sn)) = shared.signer(Charset::Utf8) else {
            return Response::text(500, "the emulator could not sign its answer\n");
        };
        let Ok(signature) = signer.sign(&format!("{timestamp}\n{nonce}\n{body}\n")) else {
            return Response::text(500, "the emulator could not sign its answer\n");
        };
        headers.extend([
            ("alipay-timestamp".to_string(), timestamp),
            ("alipay-nonce".to_string(), nonce),
            ("alipay-signature".to_string(), signature),
        ]);
        if let Some(sn) = cert_sn {
            headers.push(("alipay-sn".to_string(), sn));
        }
    }
    headers.push(("alipay-trace-id".to_string(), crate::ids::trace_id()));
    let mut response = Response::bytes(200, content_type, body.into_bytes());
    response.headers = headers;
    response
}
