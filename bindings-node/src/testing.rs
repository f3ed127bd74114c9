//! Test hooks, compiled into debug builds only and left out of `index.d.ts`: they let the JavaScript
//! suite check the error mapping of kinds the core cannot raise yet (API, transport, protocol, store),
//! that a Rust panic becomes a JavaScript error instead of a crash, on the JavaScript thread and
//! on the libuv pool, and that each fast path of a conversion gives what its slow path gives.

use alipay_isv::{ApiError, Error as CoreError};
use napi::bindgen_prelude::{AsyncTask, Object};
use napi::{Env, JsValue};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::js_object::{reader_available, string_entries_by};
use crate::error::to_js_error;
use crate::json::{Json, raw_json_safe};
use crate::task::{Blocking, spawn};

/// Throws the JavaScript error of a sample core error of `kind` (`config`, `signature`, `api`,
/// `api_bare`, `api_v3` (an OpenAPI v3 error: HTTP status, trace id, links), `transport`,
/// `transport_unsent`, `protocol` or `store`).
#[napi(js_name = "__throwCoreErrorForTests", skip_typescript, catch_unwind)]
pub fn throw_core_error_for_tests(env: Env, kind: String) -> napi::Result<()> {
    let reason = format!("sample {kind} error");
    let error = match kind.as_str() {
        "config" => CoreError::Config { reason },
        "signature" => CoreError::Signature { reason },
        "api" => CoreError::Api(Box::new(ApiError {
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: Some("isv.code-invalid".into()),
            sub_msg: Some("授权码code无效".into()),
            signed: true,
            hint: Some("ask the merchant to authorise again".into()),
            ..ApiError::default()
        })),
        "api_bare" => CoreError::Api(Box::new(ApiError {
            code: "40001".into(),
            msg: "Missing Required Arguments".into(),
            sub_code: None,
            sub_msg: None,
            signed: false,
            hint: None,
            ..ApiError::default()
        })),
        "api_v3" => CoreError::Api(Box::new(ApiError {
            code: "invalid-app-auth-token".into(),
            msg: "无效的应用授权令牌".into(),
            hint: Some("the merchant must authorise again".into()),
            http_status: Some(401),
            trace_id: Some("0b2f6a1717756911576".into()),
            links: vec![
                "https://open.alipay.com/api/errCheck?traceId=0b2f6a1717756911576".into(),
                "https://opendocs.alipay.com/common/02km9f".into(),
            ],
            ..ApiError::default()
        })),
        "transport" => CoreError::Transport {
            reason,
            request_sent: true,
        },
        "transport_unsent" => CoreError::Transport {
            reason,
            request_sent: false,
        },
        "protocol" => CoreError::Protocol { reason },
        "store" => CoreError::Store { reason },
        other => panic!("no sample error of kind {other}"),
    };
    Err(to_js_error(&env, &error))
}

/// Panics inside an export, to show that the panic surfaces as a JavaScript error.
#[napi(js_name = "__panicForTests", skip_typescript, catch_unwind)]
pub fn panic_for_tests() {
    panic!("deliberate panic from the test hook");
}

/// Panics inside a background (libuv pool) call, to show that the promise rejects with a JavaScript
/// error instead of crashing the process.
#[napi(js_name = "__panicInBackgroundForTests", skip_typescript, catch_unwind)]
pub fn panic_in_background_for_tests() -> AsyncTask<Blocking<(), ()>> {
    spawn(
        || -> alipay_isv::Result<()> { panic!("deliberate panic on the libuv pool") },
        |()| (),
    )
}

/// The `(key, value)` pairs of a parameter object as `string_entries` reads them: through the
/// JavaScript reader when `fast` (falling back as it does), else through Node-API alone.
#[napi(js_name = "__stringEntriesForTests", skip_typescript, catch_unwind)]
pub fn string_entries_for_tests(
    env: Env,
    object: Object<'_>,
    skip_undefined: bool,
    fast: bool,
) -> napi::Result<Vec<Vec<String>>> {
    // SAFETY: `object` is an argument of this call, alive for its duration.
    let entries = unsafe { string_entries_by(env.raw(), object.raw(), skip_undefined, fast)? };
    Ok(entries
        .pairs()
        .map(|(key, value)| vec![key.to_string(), value.to_string()])
        .collect())
}

/// A JSON object text handed to JavaScript as response fields are: as raw text (`raw`, one
/// `JSON.parse` when [`raw_json_safe`] allows) or parsed by `serde_json` first.
#[napi(js_name = "__jsonObjectForTests", skip_typescript, catch_unwind)]
pub fn json_object_for_tests(text: String, raw: bool) -> napi::Result<Json> {
    if raw {
        return Ok(Json::object_text(text));
    }
    serde_json::from_str::<Value>(&text)
        .map(Json::value)
        .map_err(|error| napi::Error::from_reason(error.to_string()))
}

/// Whether the raw text of a response node goes to JavaScript by one `JSON.parse`.
#[napi(js_name = "__rawJsonSafeForTests", skip_typescript, catch_unwind)]
pub fn raw_json_safe_for_tests(text: String) -> bool {
    raw_json_safe(&text)
}

/// Whether this environment's parameter reader compiled (else every object takes Node-API).
#[napi(js_name = "__readerAvailableForTests", skip_typescript, catch_unwind)]
pub fn reader_available_for_tests(env: Env) -> bool {
    // SAFETY: `env` is the live environment of this call.
    unsafe { reader_available(env.raw()) }
}
