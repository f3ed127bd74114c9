//! The `state` of an authorisation link, mirroring `alipay_isv::auth::state`: a fresh random one
//! ([`generate_state`]) and the constant-time comparison of the one a callback carried
//! ([`states_match`]).

use alipay_isv::auth as core;
use napi::Env;
use napi_derive::napi;

use crate::error::OrThrow;

/// A fresh `state`: 24 random bytes as URL-safe Base64 (32 characters).
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` if the system random source fails.
#[napi(catch_unwind)]
pub fn generate_state(env: Env) -> napi::Result<String> {
    core::generate_state().or_throw(&env)
}

/// Whether the `state` a callback carried is the one issued, compared in constant time.
#[napi(catch_unwind)]
pub fn states_match(issued: String, received: String) -> bool {
    core::states_match(&issued, &received)
}
