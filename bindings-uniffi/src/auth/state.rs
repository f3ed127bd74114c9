//! The `state` of an authorisation link, mirroring `alipay_isv::auth::state`: a fresh random one
//! ([`generate_state`]) and the constant-time comparison of the one a callback carried
//! ([`states_match`]).

use alipay_isv::auth as core;

use crate::error::{Result, guard};

/// A fresh random `state` (32 characters of URL-safe Base64).
///
/// Throws `AlipayException.Config` if the system random source fails.
#[uniffi::export]
pub fn generate_state() -> Result<String> {
    guard("generateState", core::generate_state)
}

/// Compares the `state` a callback carried with the one issued, in constant time.
#[uniffi::export]
pub fn states_match(issued: String, received: String) -> bool {
    core::states_match(&issued, &received)
}
