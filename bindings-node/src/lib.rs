//! Node.js binding of `alipay-isv` (napi-rs): `require('alipay-isv')`.
//!
//! A thin layer over the Rust core: it converts types, maps errors and holds no protocol logic. The
//! modules mirror the core's module paths: [`key`] (private and public keys, key-pair generation),
//! [`sign`] (canonical content, signers and verifiers), [`config`] (the app configuration),
//! [`request`] (signed requests and the China-time timestamp), [`aes`] (content encryption),
//! [`response`] (gateway response verification), [`notify`] (application-gateway notifications),
//! [`cert`] (certificate mode: SNs, certificates, the root bundle and its chain check) and [`v3`]
//! (OpenAPI v3: `IsvConfig.v3Sign` signs a request, `IsvConfig.v3Verify` verifies an answer, and, sans-IO,
//! `IsvConfig.prepareV3` encodes and signs a whole call (`v3/call.rs`) and `IsvConfig.readV3Answer`
//! reads its answer (`v3/response.rs`)); [`error`] is the one place where a core error becomes a
//! JavaScript `Error` with a stable `code`. [`client`] calls the gateway (its `auth_calls`,
//! `cert_calls`, `servicemarket_calls` and `v3_calls` as in the core), with [`servicemarket`]
//! holding the service market's order pages and item targets, [`auth`] builds authorisation links
//! (`links`, `state`), parses their callbacks (`callback`) and holds the typed token results
//! (`auth/models.rs`), [`registry`] keeps merchant authorisations for one or several of our apps
//! (SQLite, PostgreSQL, MySQL or memory, opened by path or URL in `location`: `record`,
//! `token_key`, `import`) and serves their tokens, and keeps service-market orders (`order`) with
//! the order calls made through it (`orders`), [`gateway`] is the application gateway (the native
//! two-phase `GatewayCore` under the package's hand-written `Gateway` in `gateway.js`: handlers per
//! kind, `node:http` and Express), [`secret`] is the one masking rule, and [`emulator`] runs the
//! offline Alipay gateway for tests (its `options`, `push` deliveries, `console` entries and v3
//! `upload`s). `convert` reads JavaScript arguments (parameter objects in `convert/js_object.rs`),
//! `json` hands results back by one `JSON.parse`, and `task` runs blocking work on the libuv pool.
//!
//! Crypto and parsing calls are synchronous. Network calls (and the emulator's waits) return Promises
//! and run on the libuv thread pool, each with a blocking `…Sync` twin. Every export is compiled with
//! `#[napi(catch_unwind)]`, and background work catches panics too, so a Rust panic surfaces as a
//! JavaScript error instead of a crash.

#![deny(missing_docs)]

pub mod aes;
pub mod auth;
pub mod cert;
pub mod client;
pub mod config;
mod convert;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod gateway;
mod json;
pub mod key;
pub mod notify;
pub mod observe;
pub mod registry;
pub mod request;
pub mod response;
pub mod secret;
pub mod servicemarket;
pub mod sign;
mod task;
#[cfg(debug_assertions)]
pub mod testing;
pub mod v3;
