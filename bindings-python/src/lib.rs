//! `alipay_isv._native`: the pyo3 extension behind the `alipay_isv` Python package.
//!
//! This file only registers the module. The binding modules mirror the core's: [`key`] and
//! [`sign`]; [`error`] is the one place core errors (and panics) become Python exceptions, whose
//! classes live in `python/alipay_isv/errors.py`.

mod error;
mod key;
mod sign;

use pyo3::prelude::*;

/// The native module; import `alipay_isv` instead.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<key::PrivateKey>()?;
    module.add_class::<key::PublicKey>()?;
    module.add_class::<key::KeyPair>()?;
    module.add_function(wrap_pyfunction!(key::generate_key_pair, module)?)?;
    module.add_class::<sign::Signer>()?;
    module.add_class::<sign::Verifier>()?;
    module.add_function(wrap_pyfunction!(sign::sign_content, module)?)?;
    module.add_function(wrap_pyfunction!(sign::looks_like_own_key, module)?)?;
    module.add_function(wrap_pyfunction!(error::_error_for_tests, module)?)?;
    module.add_function(wrap_pyfunction!(error::_panic_for_tests, module)?)?;
    Ok(())
}
