//! The `state` of an authorisation link, the Python face of `alipay_isv::auth::state`:
//! `generate_state` and the constant-time `states_match`.

use alipay_isv::auth;
use pyo3::prelude::*;

use crate::error::guarded;

/// A fresh random `state`.
#[pyfunction]
pub(crate) fn generate_state() -> PyResult<String> {
    guarded(|| Ok(auth::generate_state()?))
}

/// Compares a received `state` with the issued one in constant time.
#[pyfunction]
#[pyo3(signature = (issued, received))]
pub(crate) fn states_match(issued: &str, received: &str) -> PyResult<bool> {
    guarded(|| Ok(auth::states_match(issued, received)))
}
