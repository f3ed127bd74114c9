//! `alipay_isv._native`: the pyo3 extension behind the `alipay_isv` Python package.
//!
//! This file only registers the module. The binding modules mirror the core's module paths:
//! [`key`], [`sign`], [`aes`], [`config`], [`request`], [`response`], [`notify`], [`client`],
//! [`servicemarket`] (the typed answers of the client's service-market order calls) and
//! [`auth`] (`links`, `state`, `callback`, and the token results of the client's calls in
//! `auth/models.rs`); [`cert`] has certificate mode's certificates, root bundles and SNs;
//! [`registry`] keeps merchant authorisations and service-market orders (its `record`s, `order`s,
//! `token_key` and the results of `import`); [`v3`] has OpenAPI v3's `V3Signature` (signing a
//! request and verifying an `answer` are `IsvConfig` methods), the `V3File`s of a `call`, the
//! `prepared` `V3HttpRequest` and the `response`s (`V3Response`, `FileUpload`); [`gateway`] is the application
//! gateway (`Gateway`, its deliveries and its `answer`s; the framework adapters are the pure-Python
//! `alipay_isv/gateway.py`); [`secret`] is the one masking rule; [`observe`] bridges the core's events to
//! `logging`; [`emulator`] wraps the offline gateway of `alipay-isv-emulator` (its `options`, `push`
//! deliveries, `console` entries, service-market `subscription`s and v3 `upload`s). [`error`] is the
//! one place core errors (and panics) become Python exceptions, whose classes live in
//! `python/alipay_isv/errors.py`; [`convert`] holds the shared argument and result conversions and
//! [`json_text`] turns JSON text into Python objects.

mod aes;
mod auth;
mod cert;
mod client;
mod config;
mod convert;
#[cfg(feature = "emulator")]
mod emulator;
mod error;
mod gateway;
mod json_text;
mod key;
mod notify;
mod observe;
mod registry;
mod request;
mod response;
mod secret;
mod servicemarket;
mod sign;
mod v3;

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
    module.add_class::<aes::AesKey>()?;
    module.add_class::<config::IsvConfig>()?;
    module.add_class::<request::SignedRequest>()?;
    module.add_class::<request::HttpRequest>()?;
    module.add_class::<v3::V3Signature>()?;
    module.add_class::<v3::V3File>()?;
    module.add_class::<v3::V3HttpRequest>()?;
    module.add_class::<v3::V3Response>()?;
    module.add_class::<v3::FileUpload>()?;
    module.add_function(wrap_pyfunction!(request::china_timestamp_now, module)?)?;
    module.add_class::<response::ResponseVerifier>()?;
    module.add_class::<response::VerifiedResponse>()?;
    module.add_class::<response::NeedsCertificate>()?;
    module.add_class::<cert::Certificate>()?;
    module.add_class::<cert::RootBundle>()?;
    module.add_function(wrap_pyfunction!(cert::app_cert_sn, module)?)?;
    module.add_function(wrap_pyfunction!(cert::alipay_root_cert_sn, module)?)?;
    module.add(
        "ALIPAY_CERT_DOWNLOAD_METHOD",
        alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD,
    )?;
    module.add_class::<notify::NotificationVerifier>()?;
    module.add_class::<notify::AppAuthNotification>()?;
    module.add_class::<notify::AppAuthDetail>()?;
    module.add_class::<notify::MessageNotification>()?;
    module.add_class::<notify::ServiceMarketOrderNotification>()?;
    module.add_class::<notify::OtherNotification>()?;
    module.add_class::<client::Client>()?;
    module.add_class::<client::RetryPolicy>()?;
    module.add_class::<servicemarket::ServiceMarketOrderPage>()?;
    module.add_class::<servicemarket::ServiceMarketOrderItem>()?;
    module.add_class::<servicemarket::ServiceMarketOrderPages>()?;
    module.add_class::<auth::AppAuthToken>()?;
    module.add_class::<auth::AppAuthTokenInfo>()?;
    module.add_class::<auth::UserToken>()?;
    module.add_class::<auth::UserInfo>()?;
    module.add_class::<auth::AuthLink>()?;
    module.add_class::<auth::AppAuthCallback>()?;
    module.add_class::<auth::UserAuthCallback>()?;
    module.add_function(wrap_pyfunction!(auth::app_auth_link, module)?)?;
    module.add_function(wrap_pyfunction!(auth::console_auth_link, module)?)?;
    module.add_function(wrap_pyfunction!(auth::user_consent_link, module)?)?;
    module.add_function(wrap_pyfunction!(auth::generate_state, module)?)?;
    module.add_function(wrap_pyfunction!(auth::states_match, module)?)?;
    module.add_function(wrap_pyfunction!(auth::parse_app_auth_callback, module)?)?;
    module.add_function(wrap_pyfunction!(auth::parse_user_auth_callback, module)?)?;
    module.add_class::<registry::Registry>()?;
    module.add_class::<registry::MerchantAuthorisation>()?;
    module.add_class::<registry::TokenKey>()?;
    module.add_class::<registry::TokenImport>()?;
    module.add_class::<registry::OrderRecord>()?;
    module.add_class::<registry::OrderItemState>()?;
    module.add_class::<registry::OrderStatusChange>()?;
    module.add("ORDER_PLACED", alipay_isv::registry::ORDER_PLACED)?;
    module.add("ORDER_ACCEPTED", alipay_isv::registry::ORDER_ACCEPTED)?;
    module.add("ORDER_REJECTED", alipay_isv::registry::ORDER_REJECTED)?;
    module.add("ITEM_TO_CONFIRM", alipay_isv::registry::ITEM_TO_CONFIRM)?;
    module.add("ITEM_DONE", alipay_isv::registry::ITEM_DONE)?;
    module.add("ITEM_CANCELLED", alipay_isv::registry::ITEM_CANCELLED)?;
    module.add_class::<gateway::Gateway>()?;
    module.add_class::<gateway::GatewayDelivery>()?;
    module.add_class::<gateway::GatewayResult>()?;
    #[cfg(feature = "emulator")]
    {
        module.add_class::<emulator::Emulator>()?;
        module.add_class::<emulator::Delivery>()?;
        module.add_class::<emulator::ConsoleToken>()?;
        module.add_class::<emulator::Subscription>()?;
        module.add_class::<emulator::UploadedFile>()?;
    }
    module.add_function(wrap_pyfunction!(observe::metrics_snapshot, module)?)?;
    module.add_function(wrap_pyfunction!(observe::prometheus_metrics, module)?)?;
    module.add_function(wrap_pyfunction!(observe::reset_metrics, module)?)?;
    observe::install_logging_bridge();
    module.add_function(wrap_pyfunction!(secret::secret_fields, module)?)?;
    module.add_function(wrap_pyfunction!(secret::is_secret_field, module)?)?;
    module.add_function(wrap_pyfunction!(secret::personal_fields, module)?)?;
    module.add_function(wrap_pyfunction!(secret::is_personal_field, module)?)?;
    module.add_function(wrap_pyfunction!(secret::mask_secret, module)?)?;
    module.add_function(wrap_pyfunction!(secret::shown, module)?)?;
    module.add("SUCCESS_ACK", alipay_isv::notify::SUCCESS_ACK)?;
    module.add("SERVICE_CHECK", alipay_isv::notify::SERVICE_CHECK)?;
    module.add(
        "SERVICEMARKET_ORDER_NOTIFY",
        alipay_isv::notify::SERVICEMARKET_ORDER_NOTIFY,
    )?;
    module.add("DEFAULT_MAX_BODY_BYTES", convert::DEFAULT_MAX_BODY_BYTES)?;
    module.add_function(wrap_pyfunction!(error::_error_for_tests, module)?)?;
    module.add_function(wrap_pyfunction!(error::_panic_for_tests, module)?)?;
    Ok(())
}
