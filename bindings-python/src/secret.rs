//! The Python face of `alipay_isv::secret`: the one rule for secrets on display, as every `repr()`
//! of this package applies it.

use alipay_isv::secret;
use pyo3::prelude::*;

/// The field names whose values are secrets (``app_auth_token``, ``app_refresh_token``,
/// ``access_token``, ``refresh_token``, ``auth_token``, ``app_auth_code``, ``auth_code``), masked
/// in every ``repr()``, error and log event: the one rule of the Rust core.
#[pyfunction]
pub fn secret_fields() -> Vec<&'static str> {
    secret::SECRET_FIELDS.to_vec()
}

/// Whether a field of this name holds a secret.
#[pyfunction]
#[pyo3(signature = (name))]
pub fn is_secret_field(name: &str) -> bool {
    secret::is_secret_field(name)
}

/// The field names whose values are personal data of the merchant's staff (``contactor``,
/// ``phone``: the contact person and phone of a service-market order), shown by their length
/// only in every ``repr()`` (:func:`shown`): the one rule of the Rust core.
#[pyfunction]
pub fn personal_fields() -> Vec<&'static str> {
    secret::PERSONAL_FIELDS.to_vec()
}

/// Whether a field of this name (protocol spelling, e.g. ``phone``) holds personal data.
#[pyfunction]
#[pyo3(signature = (name))]
pub fn is_personal_field(name: &str) -> bool {
    secret::is_personal_field(name)
}

/// A secret as it may be shown: at most its first four characters, ``…`` and its length.
#[pyfunction]
#[pyo3(signature = (value))]
pub fn mask_secret(value: &str) -> String {
    secret::mask_secret(value)
}

/// The value of the field ``name`` as it may be shown: masked when the field is secret, its
/// length when it may carry a secret (``biz_content``) or is personal data (``contactor``,
/// ``phone``: ``…(N chars)``), unchanged otherwise.
#[pyfunction]
#[pyo3(signature = (name, value))]
pub fn shown(name: &str, value: &str) -> String {
    secret::shown(name, value)
}
