//! The Kotlin face of `alipay_isv::secret`: the one rule for secrets on display, as every
//! `toString()` of this package applies it.

use alipay_isv::secret;

/// The field names (protocol spelling, snake_case) whose values are secrets, masked in every
/// `toString()`, error and event.
#[uniffi::export]
pub fn secret_fields() -> Vec<String> {
    secret::SECRET_FIELDS
        .iter()
        .map(|name| name.to_string())
        .collect()
}

/// Whether a field of this name (protocol spelling, e.g. `app_auth_token`) holds a secret.
#[uniffi::export]
pub fn is_secret_field(name: String) -> bool {
    secret::is_secret_field(&name)
}

/// A secret as it may be shown: at most its first four characters, `…` and its length.
#[uniffi::export]
pub fn mask_secret(value: String) -> String {
    secret::mask_secret(&value)
}

/// The field names (protocol spelling) whose values are personal data of the merchant's staff (the
/// `contactor` and `phone` of a service-market order): every `toString()` shows their length only.
#[uniffi::export]
pub fn personal_fields() -> Vec<String> {
    secret::PERSONAL_FIELDS
        .iter()
        .map(|name| name.to_string())
        .collect()
}

/// Whether a field of this name (protocol spelling, e.g. `phone`) holds personal data.
#[uniffi::export]
pub fn is_personal_field(name: String) -> bool {
    secret::is_personal_field(&name)
}

/// The value of the field `name` as it may be shown: masked when the field is secret, its length when
/// it is personal data (`contactor`, `phone`: `…(11 chars)`) or may carry a secret (`biz_content`),
/// unchanged otherwise.
#[uniffi::export]
pub fn shown(name: String, value: String) -> String {
    secret::shown(&name, &value)
}
