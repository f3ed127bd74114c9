//! `/v3/…`: the OpenAPI v3 front of the same operations — the `Authorization` header checked as the real
//! gateway checks it (scheme, `app_id`, in certificate mode `app_cert_sn` and the `alipay-root-cert-sn`
//! header, the signature over the auth string, method, request target as received, body and the
//! `alipay-app-auth-token` line, the timestamp window), then the operation the path names (`/v3/a/b/c` is
//! `a.b.c`), answered in v3's shape ([`answer`]). The auth string is read as `k=v` pairs in any order; a
//! pair it does not read (an extension such as `expired_seconds=120`) is only signed, and `app_id`,
//! `app_cert_sn`, `nonce` or `timestamp` named twice is refused as ambiguous (`invalid-parameter`; what
//! the real gateway does then is not known). The signed body line is the body as sent: for an
//! AES request the ciphertext ([`aes`]), for a `multipart/form-data` upload the text of its `data` part
//! only ([`multipart`], [`upload`]). The injected faults apply here as on `/gateway.do`.

mod aes;
mod answer;
mod multipart;
mod upload;

use std::sync::Arc;

use alipay_isv::sign::{Charset, SignType, Verifier};
use alipay_isv::v3::{APP_AUTH_TOKEN_HEADER, ROOT_CERT_SN_HEADER, V3_AUTH_SCHEME};
use serde_json::{Map, Value};

use super::faults::Injected;
use super::{Call, Outcome, dispatch};
use crate::http::request::Request;
use crate::http::response::Response;
use crate::shared::Shared;
use answer::{error, invalid_parameter};
use multipart::Part;

/// Parameters of the classic operations that v3 carries as query or body fields but the operations read
/// as top-level parameters.
const TOP_LEVEL: &[&str] = &["grant_type", "code", "refresh_token", "auth_token"];

/// What a v3 request carries in its body.
enum Content<'a> {
    /// A JSON body (or AES ciphertext of one, or nothing): all of it is signed.
    Plain(&'a str),
    /// A `multipart/form-data` form: the `data` part's text is signed (empty when absent), the other
    /// parts are not.
    Form { data: &'a str, parts: Vec<Part<'a>> },
}

impl Content<'_> {
    /// The body line of the string to sign.
    fn signed_text(&self) -> &str {
        match self {
            Content::Plain(text) => text,
            Content::Form { data, .. } => data,
        }
    }
}

/// The auth string's `k=v` pairs, in any order; pairs the gateway does not read (an extension such as
/// `expired_seconds=120`, the official Node SDK's `additionalAuthInfo`) are kept and signed like the rest.
fn auth_pairs(auth: &str) -> Vec<(&str, &str)> {
    auth.split(',')
        .filter_map(|pair| pair.split_once('='))
        .collect()
}

/// The pairs the gateway reads, which an auth string may name once only: a second one would be ambiguous.
const SINGLE_PAIRS: &[&str] = &["app_id", "app_cert_sn", "nonce", "timestamp"];

/// The first pair of [`SINGLE_PAIRS`] that `pairs` names more than once.
fn repeated_pair<'a>(pairs: &[(&'a str, &str)]) -> Option<&'a str> {
    SINGLE_PAIRS
        .iter()
        .copied()
        .find(|name| pairs.iter().filter(|(key, _)| key == name).count() > 1)
}

/// The classic operation a v3 path names: `/v3/a/b/c` → `a.b.c`.
fn method_of(request: &Request) -> String {
    request
        .path()
        .trim_start_matches("/v3/")
        .trim_end_matches('/')
        .replace('/', ".")
}

/// Handles one `/v3/…` request, applying the injected fault as `/gateway.do` does (counted first, one
/// fault per request).
pub fn handle(shared: &Arc<Shared>, request: &Request) -> Outcome {
    shared.count_call(&method_of(request));
    let fault = Injected::take(shared);
    if let Some(outcome) = fault.before_processing(shared, answer::V3_OVERSIZED) {
        return outcome;
    }
    fault.deliver(process(shared, request, !fault.unsigned()))
}

/// The checks, then the operation; `signed: false` leaves the signature headers off a success.
fn process(shared: &Arc<Shared>, request: &Request, signed: bool) -> Response {
    let Some(header) = request.header("authorization") else {
        return error(
            400,
            "missing-timestamp",
            "缺少时间戳参数 (no Authorization header)",
        );
    };
    let Some((auth, sign)) = header
        .strip_prefix(V3_AUTH_SCHEME)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|rest| rest.rsplit_once(",sign="))
    else {
        return error(
            400,
            "missing-signature",
            "缺少签名参数: the Authorization header is `ALIPAY-SHA256withRSA <auth string>,sign=<signature>`",
        );
    };
    let pairs = auth_pairs(auth);
    if let Some(name) = repeated_pair(&pairs) {
        return invalid_parameter(&format!(
            "the auth string names `{name}` more than once; each of app_id, app_cert_sn, nonce and \
             timestamp is given once"
        ));
    }
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    };
    match value("app_id") {
        None => return error(400, "missing-app-id", "缺少AppID参数"),
        Some(app_id) if app_id != shared.app_id => {
            return error(400, "invalid-app-id", "无效的AppID参数");
        }
        Some(_) => {}
    }
    if let Some(authority) = &shared.cert {
        if !authority.knows_app_cert(value("app_cert_sn").unwrap_or_default()) {
            return error(400, "invalid-app-cert-sn", "无效的应用公钥证书序列号");
        }
        if request.header(ROOT_CERT_SN_HEADER) != Some(authority.root_cert_sn()) {
            return error(
                400,
                "invalid-alipay-root-cert-sn",
                "无效的支付宝根证书序列号",
            );
        }
    }
    let content = match content_of(request) {
        Ok(content) => content,
        Err(response) => return response,
    };
    let token = request
        .header(APP_AUTH_TOKEN_HEADER)
        .filter(|token| !token.is_empty());
    let mut string_to_sign = format!(
        "{auth}\n{}\n{}\n{}\n",
        request.method,
        request.target,
        content.signed_text()
    );
    if let Some(token) = token {
        string_to_sign.push_str(token);
        string_to_sign.push('\n');
    }
    let verified = Verifier::new(shared.app_public_key.clone(), SignType::Rsa2, Charset::Utf8)
        .and_then(|verifier| verifier.verify(&string_to_sign, sign));
    if verified.is_err() {
        return error(
            400,
            "invalid-signature",
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配 (the string to sign is the auth string, \
             method, request target, body (an AES request's ciphertext, an upload's data part) and the \
             app_auth_token, each line ending with \\n)",
        );
    }
    let in_window = value("timestamp")
        .and_then(|text| text.parse::<i64>().ok())
        .is_some_and(|millis| {
            (millis / 1000 - shared.real_now_secs()).abs() <= shared.timestamp_window_secs
        });
    if !in_window {
        return error(
            400,
            "invalid-timestamp",
            "非法的时间戳参数: the auth string's timestamp must be epoch milliseconds close to now",
        );
    }
    let key = match aes::request_key(shared, request) {
        Ok(key) => key,
        Err(response) => return response,
    };
    let plaintext = match key {
        Some(key) => match aes::decrypt(key, content.signed_text()) {
            Ok(plaintext) => plaintext,
            Err(response) => return response,
        },
        None => content.signed_text().to_string(),
    };
    let method = method_of(request);
    let fields = if method == upload::UPLOAD_METHOD {
        let parts = match &content {
            Content::Form { parts, .. } => parts.as_slice(),
            Content::Plain(_) => &[],
        };
        upload::upload(shared, token, &plaintext, parts)
    } else {
        operation(shared, &method, request, &plaintext, token)
    };
    match fields {
        Ok(fields) => answer::success(shared, fields, key, signed),
        Err(response) => response,
    }
}

/// The body as a JSON text or a form; a multipart body that does not parse is `invalid-parameter`,
/// a body (or `data` part) that is not UTF-8 `invalid-charset`.
fn content_of(request: &Request) -> Result<Content<'_>, Response> {
    let not_utf8 = || error(400, "invalid-charset", "字符集错误: v3 bodies are UTF-8");
    let content_type = request.header("content-type").unwrap_or_default();
    if !multipart::is_multipart(content_type) {
        return std::str::from_utf8(&request.body)
            .map(Content::Plain)
            .map_err(|_| not_utf8());
    }
    let form = multipart::boundary(content_type)
        .and_then(|boundary| multipart::parse(&request.body, &boundary))
        .map_err(|refused| invalid_parameter(&format!("multipart body: {refused}")))?;
    let mut data_parts = form.iter().filter(|part| part.name == "data");
    let data = match (data_parts.next(), data_parts.next()) {
        (None, _) => "",
        (Some(_), Some(_)) => return Err(invalid_parameter("the data part is sent twice")),
        (Some(part), None) => std::str::from_utf8(part.body).map_err(|_| not_utf8())?,
    };
    Ok(Content::Form { data, parts: form })
}

/// A classic operation through the shared handlers: the answer's fields, or its v3 error.
fn operation(
    shared: &Arc<Shared>,
    method: &str,
    request: &Request,
    body: &str,
    token: Option<&str>,
) -> Result<Map<String, Value>, Response> {
    let call = call_of(method, request, body, token)?;
    let answer = dispatch(shared, &call);
    if answer.is_success() {
        Ok(answer::fields_of(&answer))
    } else {
        Err(answer::from_classic(&answer))
    }
}

/// The classic call of a v3 request: the body's and the query's fields as `biz_content` (and as the
/// top-level parameters the operations read), the merchant token from its header.
fn call_of(
    method: &str,
    request: &Request,
    body: &str,
    token: Option<&str>,
) -> Result<Call, Response> {
    let mut fields = match body.trim() {
        "" => Map::new(),
        text => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(fields)) => fields,
            _ => return Err(invalid_parameter("the body is not a JSON object")),
        },
    };
    for (key, value) in form_urlencoded::parse(request.query().as_bytes()) {
        fields.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    let mut params = vec![("method".to_string(), method.to_string())];
    if let Some(token) = token {
        params.push(("app_auth_token".to_string(), token.to_string()));
    }
    for name in TOP_LEVEL {
        if let Some(Value::String(value)) = fields.get(*name) {
            params.push((name.to_string(), value.clone()));
        }
    }
    fields.remove("auth_token");
    params.push(("biz_content".to_string(), Value::Object(fields).to_string()));
    Ok(Call {
        method: method.to_string(),
        params,
    })
}
