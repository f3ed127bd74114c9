//! Test hooks, compiled into debug builds only and left out of `index.d.ts`: they let the JavaScript
//! suite check the error mapping of kinds the core cannot raise yet (API, transport, protocol, store)
//! and that a Rust panic becomes a JavaScript error instead of a crash, on the JavaScript thread and
//! on the libuv pool.

use alipay_isv::{ApiError, Error as CoreError};
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::error::to_js_error;
use crate::task::{Blocking, spawn};

/// Throws the JavaScript error of a sample core error of `kind` (`config`, `signature`, `api`,
/// `api_bare`, `transport`, `transport_unsent`, `protocol` or `store`).
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
        })),
        "api_bare" => CoreError::Api(Box::new(ApiError {
            code: "40001".into(),
            msg: "Missing Required Arguments".into(),
            sub_code: None,
            sub_msg: None,
            signed: false,
            hint: None,
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
