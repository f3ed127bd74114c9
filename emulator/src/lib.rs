//! `alipay-isv-emulator`: an offline Alipay gateway on loopback, for tests, demos and CI.
//!
//! A real HTTP/1.1 server with its own "Alipay" RSA key pair and real RSA2 signatures. It speaks the
//! delegated-call flow of the Alipay Open Platform as the real gateway does: the merchant authorisation
//! pages (single, batch, console-style) redirecting with a fresh `app_auth_code`;
//! `alipay.open.auth.token.app` (code and refresh, single and batch) and its `.query`; the user consent
//! page, `alipay.system.oauth.token` and `alipay.user.info.share`; every other method answered with a
//! signed business error once the delegated call checks out; and signed pushes of
//! `open_app_auth_notify` and `alipay.open.auth.appauth.cancelled` to the application gateway. It
//! enforces what Alipay enforces (signature, timestamp window, single-use codes, expiry, revocation,
//! self-invoke, user scope) with Alipay's error codes, and can inject network faults.
//!
//! ```no_run
//! use alipay_isv::key::generate_key_pair;
//! use alipay_isv_emulator::{Emulator, EmulatorOptions};
//!
//! let app = generate_key_pair(2048)?;
//! let emulator = Emulator::start(EmulatorOptions::new("2021000000000001", app.public_key))?;
//! println!("gateway {} — Alipay public key:\n{}", emulator.gateway_url(), emulator.alipay_public_key_pem());
//! let callback = emulator.merchant_authorizes(&emulator.app_auth_url("https://isv.example/cb", Some("c3RhdGU=")))?;
//! assert!(callback.contains("app_auth_code="));
//! # Ok::<(), alipay_isv::Error>(())
//! ```
//!
//! HTTP endpoints: `GET|POST /gateway.do`; the OpenAPI v3 front `/v3/<a>/<b>/…` (the same operations,
//! `Authorization` header checked, answers signed in `alipay-signature`, AES content encryption, and the
//! multipart `alipay.open.file.upload` whose files [`Emulator::uploaded_file`] reads back);
//! `GET /oauth2/appToAppAuth.htm`,
//! `/oauth2/appToAppBatchAuth.htm`, `/page/message/tasksDetail`, `/oauth2/publicAppAuthorize.htm`;
//! admin `POST /emulator/revoke?auth_app_id=`, `GET /emulator/alipay-public-key`,
//! `GET /emulator/stats`, the console's `GET /emulator/console/app-auth-token?auth_app_id=`
//! ([`Emulator::console_app_auth_token`]). No token is ever logged.
//!
//! Certificate mode ([`EmulatorOptions::cert_mode`]): a test root CA of its own, an Alipay certificate it
//! signed ([`Emulator::alipay_cert_pem`]), the root bundle to configure
//! ([`Emulator::root_cert_bundle_pem`]), app certificates on demand ([`Emulator::issue_app_cert`]), SN
//! checks on every request, `alipay_cert_sn` in answers and pushes, the certificate download API, and
//! [`Emulator::rotate_alipay_cert`].
//!
//! Signed forms ([`EmulatorOptions::push_forms`], [`PushForms`]): pushes are signed V1 / V2 as the
//! gateway usually does, or all in one [`SignedForm`], or in a seeded mix of every form the real
//! gateway has used (empty values signed, `alipay_cert_sn` signed); each [`Delivery`] records its form.

mod admin;
mod certs;
mod console;
mod emulator;
#[doc(hidden)]
pub mod fuzzing;
mod gateway;
mod http;
mod ids;
mod options;
mod pages;
mod push;
mod server;
mod servicemarket;
mod shared;
mod state;

pub use alipay_isv::notify::SignedForm;
pub use console::ConsoleToken;
pub use emulator::Emulator;
pub use options::{EmulatorOptions, Fault, FaultDetail, MAX_OVERSIZED_BYTES, PushForms};
pub use push::{APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Delivery, EMPTY_PARAM};
pub use servicemarket::{SubscribeOptions, Subscription};
pub use state::UploadedFile;
