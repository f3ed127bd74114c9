//! `/v3/…`: the OpenAPI v3 front of the same operations — the `Authorization` header checked as the real
//! gateway checks it (scheme, `app_id`, in certificate mode `app_cert_sn` and the `alipay-root-cert-sn`
//! header, the signature over the auth string, method, request target as received, body and the
//! `alipay-app-auth-token` line, the timestamp window), then the operation the path names (`/v3/a/b/c` is
//! `a.b.c`), answered in v3's shape: a success is the flat JSON of the answer's fields, signed in the
//! `alipay-signature` header over `timestamp\nnonce\nbody\n` (with `alipay-sn` in certificate mode); an error
//! is `{"code","message","links"}` with its HTTP status, unsigned, as Alipay's are.

use std::sync::Arc;

use alipay_isv::sign::{Charset, SignType, Verifier};
use alipay_isv::v3::{APP_AUTH_TOKEN_HEADER, ROOT_CERT_SN_HEADER, V3_AUTH_SCHEME, new_nonce};
use serde_json::{Map, Value, json};

use super::reply::Answer;
use super::{Call, dispatch};
use crate::http::request::Request;
use crate::http::response::Response;
use crate::shared::Shared;

/// Parameters of the classic operations that v3 carries as query or body fields but the operations read
/// as top-level parameters.
const TOP_LEVEL: &[&str] = &["grant_type", "code", "refresh_token", "auth_token"];

/// A v3 error answer: status, code, message.
fn error(status: u16, code: &str, message: &str) -> Response {
    // One trace id: the one the link names is the one in the header.
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

/// The v3 code and HTTP status of a classic error answer.
fn v3_error(answer: &Answer) -> Response {
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

/// The auth string's `k=v` pairs.
fn auth_pairs(auth: &str) -> Vec<(&str, &str)> {
    auth.split(',')
        .filter_map(|pair| pair.split_once('='))
        .collect()
}

/// Handles one `/v3/…` request.
pub fn handle(shared: &Arc<Shared>, request: &Request) -> Response {
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
    let Ok(body) = std::str::from_utf8(&request.body) else {
        return error(400, "invalid-charset", "字符集错误: v3 bodies are UTF-8");
    };
    let token = request
        .header(APP_AUTH_TOKEN_HEADER)
        .filter(|token| !token.is_empty());
    let mut signed = format!("{auth}\n{}\n{}\n{body}\n", request.method, request.target);
    if let Some(token) = token {
        signed.push_str(token);
        signed.push('\n');
    }
    let verified = Verifier::new(shared.app_public_key.clone(), SignType::Rsa2, Charset::Utf8)
        .and_then(|verifier| verifier.verify(&signed, sign));
    if verified.is_err() {
        return error(
            400,
            "invalid-signature",
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配 (the string to sign is the auth string, \
             method, request target, body and the app_auth_token, each line ending with \\n)",
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
    let method = request
        .path()
        .trim_start_matches("/v3/")
        .trim_end_matches('/')
        .replace('/', ".");
    shared.count_call(&method);
    let call = match call_of(&method, request, body, token) {
        Ok(call) => call,
        Err(response) => return response,
    };
    let answer = dispatch(shared, &call);
    if !answer.is_success() {
        return v3_error(&answer);
    }
    success(shared, &answer)
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
            _ => {
                return Err(error(
                    400,
                    "invalid-parameter",
                    "参数无效: the body is not a JSON object",
                ));
            }
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

/// A signed v3 success: the node's fields without `code` and `msg`.
fn success(shared: &Shared, answer: &Answer) -> Response {
    let mut fields = answer.node.as_object().cloned().unwrap_or_default();
    fields.remove("code");
    fields.remove("msg");
    let body = Value::Object(fields).to_string();
    let timestamp = shared.now_ms().to_string();
    let nonce = new_nonce();
    let Ok((signer, cert_sn)) = shared.signer(Charset::Utf8) else {
        return Response::text(500, "the emulator could not sign its answer\n");
    };
    let Ok(signature) = signer.sign(&format!("{timestamp}\n{nonce}\n{body}\n")) else {
        return Response::text(500, "the emulator could not sign its answer\n");
    };
    let mut response = Response::bytes(200, "application/json;charset=utf-8", body.into_bytes());
    response.headers.extend([
        ("alipay-timestamp".to_string(), timestamp),
        ("alipay-nonce".to_string(), nonce),
        ("alipay-signature".to_string(), signature),
        ("alipay-trace-id".to_string(), crate::ids::trace_id()),
    ]);
    if let Some(sn) = cert_sn {
        response.headers.push(("alipay-sn".to_string(), sn));
    }
    response
}
