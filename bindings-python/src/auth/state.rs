//! The `state` of an authorisation link, the Python face of `alipay_isv::auth::state`:
//! `generate_state` and the constant-time `states_match`.

use alipay_isv::auth;
use pyo3::prelude::*;

use crate::error::guarded;

/// A fresh ``state``: 24 random bytes as URL-safe Base64 (32 characters).
#[pyfunction]
pub(crate) fn generate_state() -> PyResult<String> {
    guarded(|| Ok(auth::generate_state()?))
}

/// Whether the ``state`` a callback carried equals the one issued (constant-time).
#[pyfunction]
#[pyo3(signature = (issued, received))]
pub(crate) fn states_match(issued: &str, received: &str) -> PyResult<bool> {
    guarded(|| Ok(auth::states_match(issued, received)))
}
