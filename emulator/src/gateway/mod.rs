//! `/gateway.do`: the checks the real gateway makes, in its order — `app_id` known, charset, (in
//! certificate mode) `app_cert_sn` and `alipay_root_cert_sn`, signature, timestamp window, method — then
//! the method handlers, and the injected faults.

mod app_token;
mod delegated;
mod faults;
pub mod params;
pub mod reply;
mod servicemarket;
mod user_token;
pub mod v3;

use std::sync::Arc;
use std::time::Duration;

use alipay_isv::secret::shown_param;

use alipay_isv::request::parse_china_timestamp;
use alipay_isv::sign::{Charset, SignType, Verifier, sign_content};
use serde_json::{Map, Value};

use crate::http::request::Request;
use crate::http::response::Response;
use crate::shared::Shared;
pub(crate) use faults::sleep_unless_stopping;
use faults::{Injected, OversizedShape};
use params::{ParamError, RawParams};
use reply::{Answer, Rendering, render};

/// What the connection should do with a gateway request.
#[derive(Debug)]
pub enum Outcome {
    /// Write this answer.
    Respond(Response),
    /// Write the head with the full length and half the body, then close.
    Truncate(Response),
    /// Close with a TCP reset, answering nothing.
    Reset,
    /// Answer nothing, keep the connection open until the emulator stops.
    Hang,
    /// Write this answer one byte at a time with this pause between bytes.
    Trickle(Response, Duration),
}

/// A verified gateway call.
#[derive(Debug)]
pub struct Call {
    /// The API name.
    pub method: String,
    /// Every parameter, decoded (and `biz_content` decrypted for AES requests).
    pub params: Vec<(String, String)>,
}

impl Call {
    /// A non-empty parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// `biz_content` as a JSON object (empty when absent); a business error when it is not JSON.
    pub fn biz(&self) -> Result<Map<String, Value>, Answer> {
        match self.param("biz_content") {
            None => Ok(Map::new()),
            Some(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(fields)) => Ok(fields),
                _ => Err(Answer::business_error(
                    &self.method,
                    "40002",
                    "isv.invalid-parameter",
                    "biz_content 不是合法的 JSON 对象 (biz_content is not a JSON object)",
                )),
            },
        }
    }

    /// A text field of `biz_content`.
    pub fn biz_text(biz: &Map<String, Value>, key: &str) -> Option<String> {
        match biz.get(key)? {
            Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
            _ => None,
        }
    }
}

/// How the classic front's oversized answer starts.
const CLASSIC_OVERSIZED: OversizedShape = OversizedShape {
    prefix: b"{\"alipay_open_auth_token_app_response\":{\"code\":\"10000\",\"msg\":\"",
    content_type: "text/html;charset=utf-8",
};

/// Handles one `/gateway.do` request, applying the injected fault.
pub fn handle(shared: &Arc<Shared>, request: &Request) -> Outcome {
    let multipart = request
        .header("content-type")
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("multipart/"));
    let body: &[u8] = if multipart { b"" } else { &request.body };
    let raw = RawParams::collect(request.query().as_bytes(), body);
    shared.count_call(&raw.ascii("method").unwrap_or_default());
    let fault = Injected::take(shared);
    if let Some(outcome) = fault.before_processing(shared, CLASSIC_OVERSIZED) {
        return outcome;
    }
    let unsigned = fault.unsigned();
    let response = if multipart {
        render(
            shared,
            &Answer::gateway_error(
                "40002",
                "isv.invalid-parameter",
                "multipart requests (file uploads) are not emulated",
            ),
            Rendering {
                charset: Charset::Utf8,
                signed: !unsigned,
                encrypt: false,
            },
        )
    } else {
        process(shared, &raw, unsigned)
    };
    // The real gateway names each answer's trace in a `trace_id` header (what its support asks for).
    let mut response = response;
    response
        .headers
        .push(("trace_id".to_string(), crate::ids::trace_id()));
    fault.deliver(response)
}

/// The checks, then the method.
fn process(shared: &Arc<Shared>, raw: &RawParams, unsigned: bool) -> Response {
    let mut rendering = Rendering {
        charset: Charset::Utf8,
        signed: false,
        encrypt: false,
    };
    match raw.ascii("app_id") {
        None => {
            let answer = Answer::gateway_error("40001", "isv.missing-app-id", "缺少AppID参数");
            return render(shared, &answer, rendering);
        }
        Some(app_id) if app_id != shared.app_id => {
            let answer = Answer::gateway_error("40002", "isv.invalid-app-id", "无效的AppID参数");
            return render(shared, &answer, rendering);
        }
        Some(_) => {}
    }
    rendering.signed = !unsigned;
    let answer = match checked_call(shared, raw, &mut rendering) {
        Ok(call) => dispatch(shared, &call),
        Err(answer) => answer,
    };
    render(shared, &answer, rendering)
}

/// Charset, signature, timestamp, method and encryption checks; fills in the rendering as it learns
/// the charset and encryption.
fn checked_call(
    shared: &Shared,
    raw: &RawParams,
    rendering: &mut Rendering,
) -> Result<Call, Answer> {
    let charset = match raw.ascii("charset") {
        None => Charset::Utf8,
        Some(name) => name.parse::<Charset>().map_err(|_| {
            Answer::gateway_error(
                "40002",
                "isv.invalid-charset",
                &format!("字符集错误: `{name}` is not supported; use utf-8 or gbk"),
            )
        })?,
    };
    rendering.charset = charset;
    let mut params = raw.decode(charset).map_err(|error| match error {
        ParamError::BadBytes => Answer::gateway_error(
            "40002",
            "isv.invalid-charset",
            &format!("字符集错误: the parameters are not valid {charset}"),
        ),
        ParamError::Conflict(key) => Answer::gateway_error(
            "40002",
            "isv.invalid-parameter",
            &format!("the parameter `{key}` is given twice with different values"),
        ),
    })?;
    let value = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let sign = value("sign")
        .ok_or_else(|| Answer::gateway_error("40001", "isv.missing-signature", "缺少签名参数"))?;
    let sign_type: SignType = value("sign_type")
        .ok_or_else(|| {
            Answer::gateway_error("40001", "isv.missing-signature-type", "缺少签名类型参数")
        })?
        .parse()
        .map_err(|_| {
            Answer::gateway_error("40002", "isv.invalid-signature-type", "无效的签名类型参数")
        })?;
    check_cert_sns(shared, &value)?;
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let verified = Verifier::new(shared.app_public_key.clone(), sign_type, charset)
        .and_then(|verifier| verifier.verify(&content, &sign));
    if verified.is_err() {
        return Err(Answer::gateway_error(
            "40002",
            "isv.invalid-signature",
            &format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
                masked_content(&params)
            ),
        ));
    }
    let timestamp = value("timestamp")
        .ok_or_else(|| Answer::gateway_error("40001", "isv.missing-timestamp", "缺少时间戳参数"))?;
    let in_window = parse_china_timestamp(&timestamp).is_some_and(|seconds| {
        (seconds - shared.real_now_secs()).abs() <= shared.timestamp_window_secs
    });
    if !in_window {
        return Err(Answer::gateway_error(
            "40002",
            "isv.invalid-timestamp",
            &format!(
                "非法的时间戳参数: `{timestamp}` must be yyyy-MM-dd HH:mm:ss China time (UTC+8), within {} s of now",
                shared.timestamp_window_secs
            ),
        ));
    }
    let method = value("method")
        .ok_or_else(|| Answer::gateway_error("40001", "isv.missing-method", "缺少方法名参数"))?;
    match value("encrypt_type").as_deref() {
        None => {}
        Some(kind) if kind.eq_ignore_ascii_case("AES") => {
            let key = shared.aes_key.as_ref().ok_or_else(|| {
                Answer::gateway_error(
                    "40002",
                    "isv.invalid-encrypt-type",
                    "AES content encryption is not configured for this app (EmulatorOptions::aes_key)",
                )
            })?;
            if let Some((_, biz)) = params.iter_mut().find(|(k, _)| k == "biz_content") {
                let plain = key
                    .decrypt(biz)
                    .ok()
                    .and_then(|bytes| charset.decode(&bytes).ok().map(|t| t.into_owned()))
                    .ok_or_else(|| {
                        Answer::gateway_error(
                            "40002",
                            "isv.decryption-error",
                            "解密出错: biz_content does not decrypt with the app's AES key",
                        )
                    })?;
                *biz = plain;
            }
            rendering.encrypt = true;
        }
        Some(_) => {
            return Err(Answer::gateway_error(
                "40002",
                "isv.invalid-encrypt-type",
                "无效的加密类型参数: only AES is supported",
            ));
        }
    }
    Ok(Call { method, params })
}

/// Certificate mode: the request must name an app certificate this emulator issued for the app key
/// and the exact root SN of its bundle (RSA roots only).
fn check_cert_sns(shared: &Shared, value: &impl Fn(&str) -> Option<String>) -> Result<(), Answer> {
    let Some(authority) = &shared.cert else {
        return Ok(());
    };
    let app_cert_sn = value("app_cert_sn").unwrap_or_default();
    if !authority.knows_app_cert(&app_cert_sn) {
        return Err(Answer::gateway_error(
            "40002",
            "isv.invalid-app-cert-sn",
            &format!(
                "无效的应用公钥证书序列号: app_cert_sn `{app_cert_sn}` is not the SN of an app certificate \
                 issued for this app's key"
            ),
        ));
    }
    let root_sn = value("alipay_root_cert_sn").unwrap_or_default();
    if root_sn != authority.root_cert_sn() {
        return Err(Answer::gateway_error(
            "40002",
            "isv.invalid-alipay-root-cert-sn",
            &format!(
                "无效的支付宝根证书序列号: alipay_root_cert_sn `{root_sn}` must be the SNs of the bundle's \
                 RSA-signed roots only ({} of them)",
                authority.root_cert_sn().split('_').count()
            ),
        ));
    }
    Ok(())
}

/// The canonical content with secret values masked, for the invalid-signature message.
fn masked_content(params: &[(String, String)]) -> String {
    sign_content(
        params
            .iter()
            .map(|(name, value)| (name.clone(), shown_param(name, value))),
    )
}

/// The method handlers.
fn dispatch(shared: &Arc<Shared>, call: &Call) -> Answer {
    match call.method.as_str() {
        "alipay.open.auth.token.app" => app_token::token_app(shared, call),
        "alipay.open.auth.token.app.query" => app_token::token_app_query(shared, call),
        "alipay.system.oauth.token" => user_token::oauth_token(shared, call),
        "alipay.user.info.share" => user_token::user_info_share(shared, call),
        "alipay.open.app.alipaycert.download" => delegated::cert_download(shared, call),
        "alipay.open.mini.version.list.query" => delegated::mini_version_list(shared, call),
        "alipay.open.servicemarket.order.query" => servicemarket::query(shared, call),
        "alipay.open.servicemarket.order.accept" => {
            servicemarket::accept_or_reject(shared, call, true)
        }
        "alipay.open.servicemarket.order.reject" => {
            servicemarket::accept_or_reject(shared, call, false)
        }
        "alipay.open.servicemarket.order.item.complete" => {
            servicemarket::item(shared, call, servicemarket::ItemStep::Complete)
        }
        "alipay.open.servicemarket.order.item.confirm" => {
            servicemarket::item(shared, call, servicemarket::ItemStep::Confirm)
        }
        "alipay.open.servicemarket.order.item.cancel" => {
            servicemarket::item(shared, call, servicemarket::ItemStep::Cancel)
        }
        _ => delegated::not_emulated(shared, call),
    }
}
