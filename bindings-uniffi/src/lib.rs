//! uniffi binding of `alipay-isv`: generates the Kotlin/JVM package `alipay.isv`.
//!
//! The modules mirror the core crates' module paths: [`key`] (private and public keys, key-pair
//! generation), [`sign`] (canonical content, signing, verification), [`config`] (the app's
//! configuration), [`request`] (signed requests and their three outputs), [`aes`] (content
//! encryption), [`response`] (gateway response verification), [`notify`] (application-gateway
//! notifications), [`cert`] (certificate mode: SNs, certificates, root bundles) and [`error`] (the
//! one place where core errors become the sealed Kotlin `AlipayException` hierarchy), plus
//! [`client`] (the HTTP client and its typed authorisation calls), [`servicemarket`] (the service
//! market's order calls on the client and their records), [`auth`] (`links`, `state`,
//! `callback`, and the token records in `auth/models.rs`), [`registry`] (the durable merchant
//! authorisation registry: its `store` — PostgreSQL, MySQL, SQLite or memory, opened by path or URL —,
//! `record`, `import`, `token_key`, and the service-market orders it keeps:
//! `order`, `orders`), [`gateway`] (the application gateway: verify, store, hand to the Kotlin
//! handlers, answer; its `answer`), [`v3`] (OpenAPI v3: a request's `Authorization` header signed,
//! an answer's `alipay-signature` verified — its `answer` —, whole calls described by a `call`, run
//! on the client and the registry by `calls`, prepared for the caller's own HTTP stack by
//! `prepared`, their answers read by `response`), [`secret`] (the one masking rule),
//! [`observe`] (events for SLF4J, counters) and [`emulator`] (the offline Alipay gateway for tests:
//! its `options` and faults, `push` deliveries, `console` entries and v3 `uploads`). The binding
//! holds no protocol logic: it converts types, maps errors and catches panics. Debug builds add
//! [`testing`] hooks (sample core errors, deliberate panics) for the Kotlin suite.
//!
//! Every call is blocking: CPU-bound (RSA) or, for `Client`, `Registry` and `Emulator`, disk and
//! network I/O; from coroutines, call it on `Dispatchers.IO` (or `Dispatchers.Default` for pure
//! crypto). Every object is safe to share between threads.

// `AlipayError::Api` carries every field of an API error inline (code, messages, hint, HTTP status,
// trace id, links): uniffi makes them the fields of the Kotlin `AlipayException.Api` and cannot box
// them. Errors are the cold path; the size of `Result<T, AlipayError>` does not matter here.
#![allow(clippy::result_large_err)]

pub mod aes;
pub mod auth;
pub mod cert;
pub mod client;
pub mod config;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod gateway;
pub mod key;
pub mod notify;
pub mod observe;
pub mod registry;
pub mod request;
pub mod response;
pub mod secret;
pub mod servicemarket;
pub mod sign;
#[cfg(debug_assertions)]
pub mod testing;
pub mod v3;

pub use aes::AesKey;
pub use auth::{
    AppAuthCallback, AppAuthToken, AppAuthTokenInfo, ApplicationType, AuthLink, StateCheck,
    UserAuthCallback, UserInfo, UserScope, UserToken, app_auth_link, console_auth_link,
    generate_state, parse_app_auth_callback, parse_application_type, parse_user_auth_callback,
    parse_user_scope, states_match, user_consent_link,
};
pub use cert::{
    Certificate, RootBundle, alipay_cert_download_method, alipay_root_cert_sn, app_cert_sn,
    parse_certificates,
};
pub use client::{Client, RetryPolicy, TransportOptions};
pub use config::IsvConfig;
#[cfg(feature = "emulator")]
pub use emulator::{
    ConsoleToken, Delivery, Emulator, Fault, SubscribeOptions, Subscription, UploadedFile,
};
pub use error::AlipayError;
pub use gateway::{DeliveryKind, Gateway, GatewayDelivery, GatewayReceived, GatewayResult};
pub use key::{KeyPair, PrivateKey, PublicKey, generate_key_pair};
pub use notify::{
    AppAuthDetail, Notification, NotificationVerifier, service_check_name, success_ack,
};
pub use observe::{
    EventListener, MetricSample, ObservedEvent, add_event_listener, metrics_snapshot,
    prometheus_metrics, remove_event_listener, reset_metrics,
};
pub use registry::{
    AuthOrigin, AuthStatus, IngestOutcome, MerchantAuthorisation, OrderItemState, OrderRecord,
    OrderStatusChange, RefreshLease, Registry, StoreKind, TokenImport, TokenKey,
    generate_token_key, item_cancelled, item_done, item_to_confirm, order_accepted, order_placed,
    order_rejected,
};
pub use request::{
    CallOptions, HttpRequest, SignedRequest, china_timestamp, china_timestamp_now,
    parse_china_timestamp,
};
pub use response::{ResponseCheck, ResponseVerifier, VerifiedResponse};
pub use secret::{
    is_personal_field, is_secret_field, mask_secret, personal_fields, secret_fields, shown,
};
pub use servicemarket::{OrderItemTarget, ServiceMarketOrderItem, ServiceMarketOrderPage};
pub use sign::{
    Charset, SignType, SignedContent, Signer, Verifier, looks_like_own_key, parse_charset,
    parse_sign_type, sign_content,
};
pub use v3::{
    FileUpload, HttpHeader, QueryParam, V3Call, V3File, V3FileSource, V3HttpRequest, V3Response,
    V3Signature, V3Verdict,
};

uniffi::setup_scaffolding!();
