//! The JavaScript face of `alipay_isv::secret`: the one rule for secrets on display, as every
//! `toString()` and `util.inspect` form of this package applies it.

use alipay_isv::secret;
use napi_derive::napi;

/// The field names (protocol spelling, snake_case) whose values are secrets, masked in every
/// `toString()`, `util.inspect` form, error and event.
#[napi(catch_unwind)]
pub fn secret_fields() -> Vec<&'static str> {
    secret::SECRET_FIELDS.to_vec()
}

/// Whether a field of this name (protocol spelling, e.g. `app_auth_token`) holds a secret.
#[napi(catch_unwind)]
pub fn is_secret_field(name: String) -> bool {
    secret::is_secret_field(&name)
}

/// The field names (protocol spelling) whose values are the personal data of the merchant's staff
/// (the contact person and phone of a service-market order): shown by their length only.
#[napi(catch_unwind)]
pub fn personal_fields() -> Vec<&'static str> {
    secret::PERSONAL_FIELDS.to_vec()
}

/// Whether a field of this name (protocol spelling, e.g. `phone`) holds personal data.
#[napi(catch_unwind)]
pub fn is_personal_field(name: String) -> bool {
    secret::is_personal_field(&name)
}

/// A secret as it may be shown: at most its first four characters, `…` and its length.
#[napi(catch_unwind)]
pub fn mask_secret(value: String) -> String {
    secret::mask_secret(&value)
}

/// The value of the field `name` as it may be shown: masked when the field is secret, its length when
/// it holds personal data (`contactor`, `phone`: `…(11 chars)`) or may carry a secret (`biz_content`),
/// unchanged otherwise.
#[napi(catch_unwind)]
pub fn shown(name: String, value: String) -> String {
    secret::shown(&name, &value)
}
