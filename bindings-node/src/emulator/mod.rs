//! [`Emulator`]: the offline Alipay gateway of `alipay-isv-emulator`, started on loopback from
//! JavaScript for tests and demos. It signs with its own "Alipay" key pair, issues codes through the
//! authorisation pages, pushes signed notifications to the application gateway and can inject network
//! faults. The calls that wait (`merchantAuthorizes`, `userConsents`, `waitForDeliveries`) return
//! Promises run on the libuv pool, so a server in the same process keeps answering meanwhile; each
//! has a `…Sync` twin.
//!
//! In certificate mode (`certMode: true`) it has its own test root CA and Alipay certificate, issues
//! app certificates, checks both SNs on every request, names the signing certificate in answers and
//! pushes, serves the certificate download API, and can rotate its Alipay certificate.
//!
//! It also plays the service market: `subscribe` is a merchant ordering the ISV's plugin (the order,
//! its two pushes), and the order calls (`Client.queryServicemarketOrder`, …) walk the order's state
//! machine, answering wrong states with Alipay's `sub_code`s.
//!
//! As in the emulator crate: its start options and faults are in [`options`], the pushes it made
//! ([`Delivery`]) in [`push`], its open-platform console's entries ([`ConsoleToken`]) in
//! [`console`], service-market subscriptions ([`SubscribeOptions`], [`Subscription`]) in
//! [`servicemarket`], and the files of OpenAPI v3 uploads ([`UploadedFile`]) in [`upload`].
//!
//! It answers OpenAPI v3 (`/v3/…`) as well, on the same port: `IsvConfig`'s `v3Base` defaults to its
//! `baseUrl`, and an `aesKey` makes it accept and answer AES-encrypted v3 calls too.

mod console;
mod options;
mod push;
mod servicemarket;
mod upload;

pub use console::ConsoleToken;
pub use options::{EmulatorOptions, FaultOptions};
pub use push::{APP_AUTH_CANCELLED, APP_AUTH_NOTIFY, Delivery, SERVICEMARKET_ORDER_NOTIFY};
pub use servicemarket::{SubscribeOptions, Subscription};
pub use upload::UploadedFile;

use std::sync::{Arc, RwLock};

use alipay_isv_emulator as core;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::client::millis;
use crate::convert::{self, PublicKeyArg};
use crate::error::{OrThrow, to_js_error};
use crate::key::PublicKey;
use crate::task::{Blocking, run_sync, spawn};
use options::{core_options, fault};

fn config_error(env: &Env, reason: String) -> napi::Error {
    to_js_error(env, &alipay_isv::Error::config(reason))
}

/// An offline Alipay gateway on loopback. Stop it with `stop()` when done (a stopped emulator refuses
/// every call with `ALIPAY_CONFIG_ERROR`); a call still running keeps it alive until it finishes.
#[napi]
pub struct Emulator {
    inner: RwLock<Option<Arc<core::Emulator>>>,
    /// The "Alipay" public key, kept after `stop()`.
    alipay_public_key: Arc<alipay_isv::key::PublicKey>,
}

type Pending<T, J> = AsyncTask<Blocking<T, J>>;

fn same<T>(value: T) -> T {
    value
}

#[napi]
impl Emulator {
    /// Starts an emulator: binds the port and answers at once.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for bad options or keys; `ALIPAY_TRANSPORT_ERROR`
    /// when the port cannot be bound.
    #[napi(factory, catch_unwind)]
    pub fn start(env: Env, options: EmulatorOptions<'_>) -> napi::Result<Self> {
        let options = core_options(&env, options)?;
        let emulator = core::Emulator::start(options).or_throw(&env)?;
        Ok(Emulator {
            alipay_public_key: Arc::new(emulator.alipay_public_key().clone()),
            inner: RwLock::new(Some(Arc::new(emulator))),
        })
    }

    /// The running emulator, or the error of a stopped one.
    fn running(&self, env: &Env) -> napi::Result<Arc<core::Emulator>> {
        let guard = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard
            .clone()
            .ok_or_else(|| config_error(env, "the emulator is stopped".to_string()))
    }

    /// `http://127.0.0.1:PORT`: the `host` of the authorisation links.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self, env: Env) -> napi::Result<String> {
        Ok(self.running(&env)?.base_url())
    }

    /// `baseUrl` + `/gateway.do`: the `gateway` of the `IsvConfig` (or of any SDK).
    #[napi(getter, catch_unwind)]
    pub fn gateway_url(&self, env: Env) -> napi::Result<String> {
        Ok(self.running(&env)?.gateway_url())
    }

    /// The ISV `app_id` this emulator serves.
    #[napi(getter, catch_unwind)]
    pub fn app_id(&self, env: Env) -> napi::Result<String> {
        Ok(self.running(&env)?.app_id().to_string())
    }

    /// The "Alipay" public key: the `alipayPublicKey` of the `IsvConfig`.
    #[napi(getter, catch_unwind)]
    pub fn alipay_public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.alipay_public_key.clone(),
        }
    }

    /// The "Alipay" public key as SPKI PEM (for SDKs that take text).
    #[napi(getter, catch_unwind)]
    pub fn alipay_public_key_pem(&self) -> String {
        self.alipay_public_key.to_pem()
    }

    /// Whether the emulator runs in certificate mode (`certMode: true`).
    #[napi(getter, catch_unwind)]
    pub fn is_cert_mode(&self, env: Env) -> napi::Result<bool> {
        Ok(self.running(&env)?.is_cert_mode())
    }

    /// Certificate mode: the root bundle to configure as `rootCert` (`alipayRootCert.crt`, PEM): an
    /// ECDSA root, which `alipay_root_cert_sn` leaves out, then the RSA root that signs the Alipay and
    /// app certificates.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode.
    #[napi(getter, catch_unwind)]
    pub fn root_cert_bundle_pem(&self, env: Env) -> napi::Result<String> {
        self.running(&env)?.root_cert_bundle_pem().or_throw(&env)
    }

    /// Certificate mode: the `alipay_root_cert_sn` the emulator requires.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode.
    #[napi(getter, catch_unwind)]
    pub fn alipay_root_cert_sn(&self, env: Env) -> napi::Result<String> {
        self.running(&env)?.alipay_root_cert_sn().or_throw(&env)
    }

    /// Certificate mode: the current Alipay certificate (`alipayCertPublicKey_RSA2.crt`, PEM), to
    /// configure as `alipayCert`.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode.
    #[napi(getter, catch_unwind)]
    pub fn alipay_cert_pem(&self, env: Env) -> napi::Result<String> {
        self.running(&env)?.alipay_cert_pem().or_throw(&env)
    }

    /// Certificate mode: the SN of the current Alipay certificate (named in every signed answer).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode.
    #[napi(getter, catch_unwind)]
    pub fn alipay_cert_sn(&self, env: Env) -> napi::Result<String> {
        self.running(&env)?.alipay_cert_sn().or_throw(&env)
    }

    /// Certificate mode: issues an app public-key certificate (`appCertPublicKey_<app_id>.crt`, PEM)
    /// for `appPublicKey` (a `PublicKey` or PEM / Base64 text), signed by the emulator's root. Its SN
    /// is accepted as `app_cert_sn` only when the key is the app key the emulator was started with.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode or for an unreadable key.
    #[napi(catch_unwind)]
    pub fn issue_app_cert(
        &self,
        env: Env,
        app_public_key: PublicKeyArg<'_>,
    ) -> napi::Result<String> {
        let key = convert::public_key(&env, app_public_key)?;
        self.running(&env)?.issue_app_cert(&key).or_throw(&env)
    }

    /// Certificate mode: Alipay rotates its certificate. A new key and a certificate signed by the
    /// same root sign every later answer and push (clients must download it); the previous
    /// certificates stay downloadable. Returns the new `alipay_cert_sn`.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` outside certificate mode.
    #[napi(catch_unwind)]
    pub fn rotate_alipay_cert(&self, env: Env) -> napi::Result<String> {
        self.running(&env)?.rotate_alipay_cert().or_throw(&env)
    }

    /// Where pushes go from now on; `null` for nowhere (they are still recorded in `deliveries()`).
    #[napi(catch_unwind)]
    pub fn set_notify_url(&self, env: Env, url: Option<String>) -> napi::Result<()> {
        self.running(&env)?.set_notify_url(url);
        Ok(())
    }

    /// Injects a fault into the next gateway calls (`options.times` of them, or all until cleared);
    /// `null` clears it. Faults touch `/gateway.do` only, never the authorisation pages.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for an unknown kind, or `delay` without `delayMs`,
    /// `trickle` without `pauseMs`, `oversized` without `sizeBytes`.
    #[napi(
        catch_unwind,
        ts_args_type = "kind: FaultKind | null, options?: FaultOptions"
    )]
    pub fn set_fault(
        &self,
        env: Env,
        kind: Option<String>,
        options: Option<FaultOptions>,
    ) -> napi::Result<()> {
        let emulator = self.running(&env)?;
        let options = options.unwrap_or(FaultOptions {
            delay_ms: None,
            pause_ms: None,
            size_bytes: None,
            times: None,
        });
        let fault = match kind.as_deref() {
            None => None,
            Some(kind) => Some(fault(&env, kind, &options)?),
        };
        emulator.set_fault(fault, options.times);
        Ok(())
    }

    /// The merchant opens an authorisation link (single, batch or console-style, built with this
    /// emulator's `baseUrl` as host) and agrees; resolves to the redirect target: the ISV's callback
    /// URL with `app_auth_code` and `state`. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_CONFIG_ERROR` for a link elsewhere, `ALIPAY_TRANSPORT_ERROR` when the page
    /// answers anything but a redirect (e.g. a wrong `app_id`).
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn merchant_authorizes(
        &self,
        env: Env,
        link: String,
    ) -> napi::Result<Pending<String, String>> {
        let emulator = self.running(&env)?;
        Ok(spawn(move || emulator.merchant_authorizes(&link), same))
    }

    /// `merchantAuthorizes`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn merchant_authorizes_sync(&self, env: Env, link: String) -> napi::Result<String> {
        let emulator = self.running(&env)?;
        run_sync(&env, || emulator.merchant_authorizes(&link), same)
    }

    /// The user opens a consent link and agrees; resolves to the callback URL with `auth_code`, as
    /// `merchantAuthorizes` does.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn user_consents(&self, env: Env, link: String) -> napi::Result<Pending<String, String>> {
        let emulator = self.running(&env)?;
        Ok(spawn(move || emulator.user_consents(&link), same))
    }

    /// `userConsents`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn user_consents_sync(&self, env: Env, link: String) -> napi::Result<String> {
        let emulator = self.running(&env)?;
        run_sync(&env, || emulator.user_consents(&link), same)
    }

    /// The merchant revokes the authorisation of `authAppId`: its tokens stop working at once and
    /// `alipay.open.auth.appauth.cancelled` is pushed.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when that app never authorised.
    #[napi(catch_unwind)]
    pub fn revoke(&self, env: Env, auth_app_id: String) -> napi::Result<()> {
        self.running(&env)?.revoke(&auth_app_id).or_throw(&env)
    }

    /// A merchant orders the ISV's plugin in the service market (服务市场订购): the emulator records
    /// the order (one item, `TO_DO`, for the merchant's mini program), authorises the plugin on that
    /// mini program, and pushes both the order message (`servicemarket_order_notify`) and the plugin
    /// authorisation (`open_app_auth_notify` with `trigger=appstore`, carrying the merchant's
    /// `appAuthToken`) to the notify URL, each retried until acknowledged. Returns at once (the pushes
    /// are queued; `waitForDeliveries` waits for them). The order calls (`Client.queryServicemarketOrder`,
    /// `acceptServicemarketOrder`, …) then walk the order's state machine.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for a `totalPrice` that is not a non-negative number
    /// of yuan, or a stopped emulator.
    #[napi(catch_unwind)]
    pub fn subscribe(
        &self,
        env: Env,
        options: Option<SubscribeOptions>,
    ) -> napi::Result<Subscription> {
        let options = options.map(Into::into).unwrap_or_default();
        self.running(&env)?
            .subscribe(options)
            .map(Subscription::from)
            .or_throw(&env)
    }

    /// The merchant's current `appAuthToken` as the open-platform console shows it (with the merchant
    /// app, PID, and when the authorisation started and the token ends): what an ISV copies to import
    /// the merchant with `Registry.importToken`. No refresh token is shown.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when that app never authorised, or the merchant
    /// revoked the authorisation.
    #[napi(catch_unwind)]
    pub fn console_app_auth_token(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<ConsoleToken> {
        let inner = self
            .running(&env)?
            .console_app_auth_token(&auth_app_id)
            .or_throw(&env)?;
        Ok(ConsoleToken { inner })
    }

    /// Test hook: the current tokens of `authAppId` expire now (refresh tokens keep working).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when that app never authorised.
    #[napi(catch_unwind)]
    pub fn expire_app_auth_token(&self, env: Env, auth_app_id: String) -> napi::Result<()> {
        self.running(&env)?
            .expire_app_auth_token(&auth_app_id)
            .or_throw(&env)
    }

    /// Test hook: moves the emulator's token clock forward by `ms` milliseconds (codes and tokens age;
    /// request timestamps are still checked against real time).
    #[napi(catch_unwind)]
    pub fn advance_clock(&self, env: Env, ms: f64) -> napi::Result<()> {
        let by = millis(&env, "ms", ms, true)?;
        self.running(&env)?.advance_clock(by);
        Ok(())
    }

    /// The file an OpenAPI v3 upload (`Client.uploadFileV3`) stored under `fileId`: its name, size,
    /// MD5, `biz_code` and the merchant app it was uploaded for; `null` for an id the emulator never
    /// gave.
    #[napi(catch_unwind)]
    pub fn uploaded_file(&self, env: Env, file_id: String) -> napi::Result<Option<UploadedFile>> {
        Ok(self
            .running(&env)?
            .uploaded_file(&file_id)
            .map(UploadedFile::from))
    }

    /// Gateway requests received for `method` (faulted ones included).
    #[napi(catch_unwind)]
    pub fn call_count(&self, env: Env, method: String) -> napi::Result<i64> {
        Ok(count(self.running(&env)?.call_count(&method)))
    }

    /// Gateway requests received in all.
    #[napi(getter, catch_unwind)]
    pub fn total_calls(&self, env: Env) -> napi::Result<i64> {
        Ok(count(self.running(&env)?.total_calls()))
    }

    /// Every push so far, in the order they were made.
    #[napi(catch_unwind)]
    pub fn deliveries(&self, env: Env) -> napi::Result<Vec<Delivery>> {
        Ok(self
            .running(&env)?
            .deliveries()
            .into_iter()
            .map(Delivery::from)
            .collect())
    }

    /// Resolves `true` once at least `count` pushes are finished (acknowledged, attempts exhausted, or
    /// nowhere to post), `false` after `timeoutMs`. Runs on the libuv pool, so an application gateway
    /// served by this process keeps answering the pushes meanwhile.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn wait_for_deliveries(
        &self,
        env: Env,
        count: u32,
        timeout_ms: f64,
    ) -> napi::Result<Pending<bool, bool>> {
        let emulator = self.running(&env)?;
        let timeout = millis(&env, "timeoutMs", timeout_ms, true)?;
        Ok(spawn(
            move || Ok(emulator.wait_for_deliveries(count as usize, timeout)),
            same,
        ))
    }

    /// `waitForDeliveries`, blocking the calling thread (never with the application gateway served by
    /// this same thread: it could not answer).
    #[napi(catch_unwind)]
    pub fn wait_for_deliveries_sync(
        &self,
        env: Env,
        count: u32,
        timeout_ms: f64,
    ) -> napi::Result<bool> {
        let emulator = self.running(&env)?;
        let timeout = millis(&env, "timeoutMs", timeout_ms, true)?;
        Ok(emulator.wait_for_deliveries(count as usize, timeout))
    }

    /// Whether the emulator still runs (`stop()` not called).
    #[napi(getter, js_name = "running", catch_unwind)]
    pub fn is_running(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some()
    }

    /// Stops the server (at once, or when the last running call finishes). Calling it again does
    /// nothing.
    #[napi(catch_unwind)]
    pub fn stop(&self) {
        let emulator = self
            .inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(emulator) = emulator.and_then(|shared| Arc::try_unwrap(shared).ok()) {
            emulator.stop();
        }
    }

    /// `Emulator(http://127.0.0.1:PORT, app 2021…, Alipay key SHA256:…)`, or `Emulator(stopped)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        let guard = self
            .inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_ref() {
            Some(emulator) => format!(
                "Emulator({}, app {}, Alipay key {})",
                emulator.base_url(),
                emulator.app_id(),
                self.alipay_public_key.fingerprint()
            ),
            None => "Emulator(stopped)".to_string(),
        }
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// A counter as a JavaScript number (exact below 2^53).
fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
