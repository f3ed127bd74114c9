//! The application gateway (应用网关), mirroring `alipay_isv::gateway`: [`GatewayCore`] takes a
//! request's content type and raw body and gives either the exact answer to write back or a verified,
//! stored notification for the host's handler ([`GatewayDelivery`]), then, once the handler ran,
//! the answer (`success` only after the registry write and the handler; `fail` otherwise, so Alipay
//! retries). What it did is a [`GatewayResult`] (`answer.rs`).
//!
//! This is the native, two-phase layer: `receive` (verify, store) runs on the libuv pool and resolves
//! to a `GatewayResult` or a `GatewayDelivery`; `finish` records the handler's end. The package's
//! hand-written `Gateway` (`gateway.js`) builds on it: it dispatches each delivery to the handler of
//! its kind (`onOrder`, `onAuthorisation`, `onCancellation`, `onOther`, sync or async) and adapts it
//! to `node:http` and Express.
//!
//! A gateway stores into the `Registry` it was built with; once that registry is closed, its calls
//! throw `ALIPAY_CONFIG_ERROR`.

mod answer;

pub use answer::GatewayResult;

use std::sync::Arc;

use alipay_isv::config::IsvConfig as CoreConfig;
use alipay_isv::gateway as core;
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Either};
use napi_derive::napi;

use crate::config::IsvConfig;
use crate::convert::{BodyArg, with_body};
use crate::notify::{NotificationValue, masked_text};
use crate::registry::{Registry, RegistryHandle, closed_error};
use crate::task::{Blocking, run_sync, spawn};

/// What `receive` gives: the answer to write back, or a notification for the handler.
pub type Received = Either<GatewayResult, GatewayDelivery>;

type Pending<T, J> = AsyncTask<Blocking<T, J>>;

/// A verified notification, already stored in the registry, waiting for the host's handler
/// (`GatewayCore.receive`); hand it back to `GatewayCore.finish` once the handler ran. A `Gateway`
/// passes it to the handler of its `kind`.
///
/// `toString()` and `util.inspect` show the notification masked (no token, code, contact person or
/// phone); its `notification` getter gives the verified notification in full.
#[napi]
pub struct GatewayDelivery {
    inner: Arc<core::Delivery>,
}

#[napi]
impl GatewayDelivery {
    /// Which handler it goes to: `authorisation` (a merchant authorised one of our apps, stored),
    /// `cancellation` (a merchant revoked an authorisation, stored), `order` (a service-market order,
    /// stored: accept or reject it) or `other` (payments, other messages: only the host knows).
    #[napi(getter, catch_unwind, ts_return_type = "DeliveryKind")]
    pub fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// What the registry did with it: `applied`, `stale`, `ignored`, or `duplicate` when an earlier
    /// delivery of the same notification stored it but its handler did not finish (the handler runs
    /// again; nothing is stored twice).
    #[napi(getter, catch_unwind, ts_return_type = "IngestOutcome")]
    pub fn ingest(&self) -> &'static str {
        self.inner.ingest.as_str()
    }

    /// Alipay's id of the notification, or `null` when it has none.
    #[napi(getter, catch_unwind)]
    pub fn notify_id(&self) -> Option<String> {
        self.inner.notify_id.clone()
    }

    /// The verified notification, as `NotificationVerifier.verifyBody` gives it (with the
    /// `signedForm` that matched): an `appAuth` one for `authorisation`, a `message` for `cancellation`, a
    /// `serviceMarketOrder` for `order`. It holds tokens and personal data in full: never log it whole.
    /// A new object on every read.
    #[napi(getter, catch_unwind, ts_return_type = "Notification")]
    pub fn notification(&self) -> NotificationValue {
        NotificationValue(self.inner.notification.clone(), self.inner.signed_form)
    }

    /// `GatewayDelivery { kind: 'order', ingest: 'applied', notifyId: '…', notification: … }`, the
    /// notification masked.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "GatewayDelivery {{ kind: '{}', ingest: '{}', notifyId: {}, notification: {} }}",
            self.inner.kind.as_str(),
            self.inner.ingest.as_str(),
            self.inner.notify_id.as_deref().map_or_else(
                || "null".to_string(),
                |id| format!("'{}'", id.escape_default())
            ),
            masked_text(&self.inner.notification),
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// The native application gateway of one app: verifies what Alipay posts with the app's
/// configuration (its Alipay key or certificates; its own key signs the answer to a gateway check),
/// stores authorisations, cancellations and service-market orders into the registry, and answers.
/// Immutable; share one instance.
///
/// Most hosts use the package's `Gateway` (handlers per kind, `node:http` and Express adapters),
/// which is built on this class. Use it directly when handlers run elsewhere: `receive`, then the
/// handler, then `finish`.
///
/// Retries are idempotent through the registry's notification journal: a notification already
/// handled is answered `success` without a delivery; one stored whose handler failed is delivered
/// again (`ingest` `duplicate`) and never stored twice.
#[napi]
pub struct GatewayCore {
    config: CoreConfig,
    registry: RegistryHandle,
    max_body_bytes: usize,
    description: String,
}

/// The JavaScript form of what `receive` found.
fn received(received: core::Received) -> Received {
    match received {
        core::Received::Answer(result) => Either::A(result.into()),
        core::Received::Deliver(delivery) => Either::B(GatewayDelivery {
            inner: Arc::from(delivery),
        }),
    }
}

/// The handler's end as the core takes it: `Ok` when it finished, else its failure.
fn handled(failure: Option<String>) -> Result<(), String> {
    match failure {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

#[napi]
impl GatewayCore {
    /// The gateway of the app `config` describes, storing into `registry`. The largest body it takes
    /// is `config`'s `maxBodyBytes` (10 MiB by default).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when `registry` is closed.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, config: &IsvConfig, registry: &Registry) -> napi::Result<Self> {
        let handle = registry.state.clone();
        let open = handle.current().ok_or_else(|| closed_error(&env))?;
        let gateway = core::Gateway::new(&config.inner, open.registry.clone());
        let max_body_bytes = gateway.max_body_bytes();
        Ok(GatewayCore {
            description: format!(
                "GatewayCore(app {}, max body {max_body_bytes} bytes)",
                config.inner.app_id()
            ),
            config: config.inner.clone(),
            registry: handle,
            max_body_bytes,
        })
    }

    /// The largest body it takes, in bytes: read no more than this from a request (one byte more is
    /// enough to be answered 413).
    #[napi(getter, catch_unwind)]
    pub fn max_body_bytes(&self) -> i64 {
        i64::try_from(self.max_body_bytes).unwrap_or(i64::MAX)
    }

    /// The core gateway over the open registry, or the error of a closed one.
    fn gateway(&self, env: &Env) -> napi::Result<core::Gateway> {
        let open = self.registry.current().ok_or_else(|| closed_error(env))?;
        Ok(core::Gateway::new(&self.config, open.registry.clone()))
    }

    /// Receives one request — its `Content-Type` header (`null` / `undefined` when absent) and its raw
    /// body (a `Buffer`; text is taken as UTF-8 bytes) — on the libuv pool: resolves to the
    /// `GatewayResult` to write back (not a form: 415; over the limit: 413; a bad signature or a
    /// malformed notification: 400; a gateway check: the signed XML; a notification already handled:
    /// `success`; a store failure: 500), or to a `GatewayDelivery`: a verified notification, already
    /// stored, for the handler. Never rejects for what was posted: every problem is an answer.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the registry is closed.
    #[napi(
        catch_unwind,
        ts_args_type = "contentType: string | null | undefined, body: BodyArg",
        ts_return_type = "Promise<GatewayResult | GatewayDelivery>"
    )]
    pub fn receive(
        &self,
        env: Env,
        content_type: Option<String>,
        body: BodyArg,
    ) -> napi::Result<Pending<core::Received, Received>> {
        let gateway = self.gateway(&env)?;
        let body = with_body(&body, <[u8]>::to_vec);
        Ok(spawn(
            move || Ok(gateway.receive(content_type.as_deref(), &body)),
            received,
        ))
    }

    /// `receive`, on the calling thread.
    #[napi(
        catch_unwind,
        ts_args_type = "contentType: string | null | undefined, body: BodyArg",
        ts_return_type = "GatewayResult | GatewayDelivery"
    )]
    pub fn receive_sync(
        &self,
        env: Env,
        content_type: Option<String>,
        body: BodyArg,
    ) -> napi::Result<Received> {
        let gateway = self.gateway(&env)?;
        run_sync(
            &env,
            || {
                Ok(with_body(&body, |bytes| {
                    gateway.receive(content_type.as_deref(), bytes)
                }))
            },
            received,
        )
    }

    /// Finishes a delivery after its handler ran, on the libuv pool: with no `failure`, the
    /// notification is marked handled and the result is `success` (`handled`); with the handler's
    /// failure (why it could not do its work), the result is `fail` with status 500 (`failed`, the
    /// reason in `error`, never in the body): Alipay retries, and the retry is delivered again without
    /// being stored twice.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the registry is closed.
    #[napi(catch_unwind, ts_return_type = "Promise<GatewayResult>")]
    pub fn finish(
        &self,
        env: Env,
        delivery: &GatewayDelivery,
        failure: Option<String>,
    ) -> napi::Result<Pending<core::GatewayResult, GatewayResult>> {
        let gateway = self.gateway(&env)?;
        let delivery = delivery.inner.clone();
        Ok(spawn(
            move || Ok(gateway.finish(&delivery, handled(failure))),
            GatewayResult::from,
        ))
    }

    /// `finish`, on the calling thread.
    #[napi(catch_unwind)]
    pub fn finish_sync(
        &self,
        env: Env,
        delivery: &GatewayDelivery,
        failure: Option<String>,
    ) -> napi::Result<GatewayResult> {
        let gateway = self.gateway(&env)?;
        run_sync(
            &env,
            || Ok(gateway.finish(&delivery.inner, handled(failure))),
            GatewayResult::from,
        )
    }

    /// `GatewayCore(app 2021…, max body 10485760 bytes)`: never a key.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        self.description.clone()
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}
