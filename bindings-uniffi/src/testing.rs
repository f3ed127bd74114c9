//! Test hooks, compiled into debug builds only (the release library does not have them): they let
//! the Kotlin suite raise every core error kind through the real FFI path, and check that a Rust
//! panic — with a message, without one, or while a lock is held — arrives in the JVM as
//! `AlipayException.Internal` (the sealed base type) instead of crashing the process, and that the
//! library keeps working afterwards; and leak memory on purpose, to show the memory test sees a leak.

use std::sync::{Mutex, PoisonError};

use alipay_isv::{ApiError, Error as CoreError};

use crate::error::{Result, guard};

/// A lock the panic hook poisons, to show a later call still gets through.
static HELD: Mutex<u64> = Mutex::new(0);

/// Throws the `AlipayException` of a sample core error of `kind` (`config`, `signature`, `api`,
/// `api_v3` — an OpenAPI v3 error answer with its HTTP status, trace id and links —, `transport`,
/// `transport_unsent`, `protocol` or `store`), through the same mapping every call uses.
/// An unknown kind panics (and so arrives as `AlipayException.Internal`).
#[uniffi::export]
pub fn core_error_for_tests(kind: String) -> Result<()> {
    guard("coreErrorForTests", || {
        let reason = format!("sample {kind} error");
        Err(match kind.as_str() {
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
            "api_v3" => CoreError::Api(Box::new(ApiError {
                code: "invalid-app-auth-token".into(),
                msg: "无效的应用授权令牌".into(),
                signed: false,
                hint: Some(
                    "the merchant's app_auth_token is unknown or revoked: authorise again".into(),
                ),
                http_status: Some(401),
                trace_id: Some("0b2f1a3c17966001000012345".into()),
                links: vec![
                    "https://open.alipay.com/api/errCheck?traceId=0b2f1a3c17966001000012345".into(),
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
        })
    })
}

/// Panics with `message` inside a guarded export.
#[uniffi::export]
pub fn panic_for_tests(message: String) -> Result<()> {
    guard("panicForTests", || -> alipay_isv::Result<()> {
        panic!("{message}")
    })
}

/// Panics with a payload that is not a string (`panic_any(42)`).
#[uniffi::export]
pub fn panic_without_message_for_tests() -> Result<()> {
    guard(
        "panicWithoutMessageForTests",
        || -> alipay_isv::Result<()> { std::panic::panic_any(42_u32) },
    )
}

/// Takes a lock, counts, and panics while holding it when `panic` is true (poisoning it); returns the
/// count. A poisoned lock is recovered, so later calls keep counting.
#[uniffi::export]
pub fn locked_counter_for_tests(panic: bool) -> Result<u64> {
    guard("lockedCounterForTests", || {
        let mut count = HELD.lock().unwrap_or_else(PoisonError::into_inner);
        *count += 1;
        if panic {
            panic!("deliberate panic while holding a lock");
        }
        Ok(*count)
    })
}

/// Allocates `bytes` bytes (written, so resident) and never frees them: the deliberate leak that
/// shows the Kotlin memory test can see one.
#[uniffi::export]
pub fn leak_for_tests(bytes: u32) -> Result<()> {
    guard("leakForTests", || {
        std::mem::forget(vec![0x5a_u8; bytes as usize]);
        Ok(())
    })
}
