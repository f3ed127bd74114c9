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

use std::sync::{Arc, RwLock};

use alipay_isv::key::PrivateKey as CorePrivateKey;
use alipay_isv_emulator as core;
use napi::Env;
use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;

use crate::client::millis;
use crate::convert::{self, AesKeyArg, PrivateKeyArg, PublicKeyArg};
use crate::error::{OrThrow, to_js_error};
use crate::key::PublicKey;
use crate::task::{Blocking, run_sync, spawn};

/// `notify_type` of a merchant authorisation push.
#[napi]
pub const APP_AUTH_NOTIFY: &str = core::APP_AUTH_NOTIFY;
/// `msg_method` of a revocation push.
#[napi]
pub const APP_AUTH_CANCELLED: &str = core::APP_AUTH_CANCELLED;

/// How an emulator is set up.
#[napi(object, object_to_js = false)]
pub struct EmulatorOptions<'env> {
    /// The ISV `app_id` the gateway accepts.
    pub app_id: String,
    /// The ISV's public key (a `PublicKey` or PEM / Base64 text): request signatures are verified with
    /// it.
    pub app_public_key: PublicKeyArg<'env>,
    /// The interface to listen on (default `127.0.0.1`).
    pub host: Option<String>,
    /// The port to listen on; `0` or absent takes any free port.
    pub port: Option<u32>,
    /// The "Alipay" private key answers are signed with; a fresh 2048-bit pair by default. Secret.
    pub alipay_private_key: Option<PrivateKeyArg<'env>>,
    /// The ISV's application gateway (应用网关): authorisation and cancellation pushes go there.
    pub notify_url: Option<String>,
    /// How far a request `timestamp` may be from the emulator's clock, in milliseconds (default 15 min).
    pub timestamp_window_ms: Option<f64>,
    /// How many times a push is attempted before giving up (default 8).
    pub notify_attempts: Option<u32>,
    /// The wait before the first retry of a push, in milliseconds, doubled after each failure (default
    /// 100).
    pub notify_backoff_ms: Option<f64>,
    /// The ISV app's AES content-encryption key, to accept `encrypt_type=AES` requests. Secret.
    pub aes_key: Option<AesKeyArg<'env>>,
    /// How long an `app_auth_token` lives (its `expires_in`), in milliseconds (default 365 days); its
    /// refresh token lives 30 days longer. Short lifetimes exercise `Registry.tokenFor`'s refresh.
    pub app_auth_token_ttl_ms: Option<f64>,
    /// Certificate mode (公钥证书模式, default `false`): a test root CA of the emulator's own and an
    /// Alipay certificate it signed; every request must carry the `app_cert_sn` of a certificate from
    /// `issueAppCert` and the `alipay_root_cert_sn` of `rootCertBundlePem`; answers and pushes name
    /// their signing certificate (`alipay_cert_sn`); `alipay.open.app.alipaycert.download` is served.
    pub cert_mode: Option<bool>,
    /// The form pushes are signed in (each `Delivery` says its `signedForm`): `classic` (the
    /// default: authorisations `v1`, cancellations `v2`); one form for every push (`v1`,
    /// `v1+empty`, `v2`, `v2+empty`, and in certificate mode the `+alipay_cert_sn` forms); or
    /// `mixed`: each push in a form dealt from a deck of every form (the `+alipay_cert_sn` ones in
    /// certificate mode only), reshuffled by a generator seeded with `pushFormSeed`. A `+empty` form
    /// sends and signs an empty `isv_ticket=`; in a mix, about half the pushes whose form drops
    /// empty values carry it unsigned (a verifier leaves it out of `params`).
    #[napi(
        ts_type = "'classic' | 'mixed' | 'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    pub push_form: Option<String>,
    /// The seed of the `mixed` push form (a whole number from 0 to 2^53 - 1, default 0); only with
    /// `pushForm: 'mixed'`.
    pub push_form_seed: Option<f64>,
}

/// The details of a failure the gateway injects (`setFault`): `delay` (answer late), `reset` (TCP
/// reset without an answer), `truncated_body` (half the body, then close), `bad_gateway` (HTTP 502),
/// `unsigned` (the answer without `sign`), `hang` (read the request, never answer), `trickle` (the
/// answer one byte at a time) and `oversized` (HTTP 200 with a body of `sizeBytes` bytes).
#[napi(object, object_to_js = false)]
pub struct FaultOptions {
    /// For `delay`: how long to wait before answering, in milliseconds (required).
    pub delay_ms: Option<f64>,
    /// For `trickle`: the pause between two bytes of the answer, in milliseconds (required).
    pub pause_ms: Option<f64>,
    /// For `oversized`: the size of the body served, in bytes (required, at least 1).
    pub size_bytes: Option<f64>,
    /// How many gateway calls get the fault; absent: every call until cleared.
    pub times: Option<u32>,
}

/// One push the emulator made (the body, which carries tokens, is left out).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Delivery {
    /// The push's `notify_id`.
    pub notify_id: String,
    /// `open_app_auth_notify` or `alipay.open.auth.appauth.cancelled`.
    pub kind: String,
    /// The merchant app it concerns.
    pub auth_app_id: String,
    /// Where it was posted (`null`: no notify URL was set).
    pub url: Option<String>,
    /// How many times it was posted so far.
    pub attempts: u32,
    /// Whether the application gateway answered `success`.
    pub acknowledged: bool,
    /// Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post).
    pub finished: bool,
    /// The form the push is signed in: a verifier that accepts it reports this `signedForm`.
    #[napi(
        ts_type = "'v1' | 'v1+empty' | 'v2' | 'v2+empty' | 'v1+alipay_cert_sn' | 'v1+empty+alipay_cert_sn' | 'v2+alipay_cert_sn' | 'v2+empty+alipay_cert_sn'"
    )]
    pub signed_form: String,
}

impl From<core::Delivery> for Delivery {
    fn from(delivery: core::Delivery) -> Self {
        Delivery {
            notify_id: delivery.notify_id,
            kind: delivery.kind,
            auth_app_id: delivery.auth_app_id,
            url: delivery.url,
            attempts: delivery.attempts,
            acknowledged: delivery.acknowledged,
            finished: delivery.finished,
            signed_form: delivery.signed_form.name().to_string(),
        }
    }
}

fn config_error(env: &Env, reason: String) -> napi::Error {
    to_js_error(env, &alipay_isv::Error::config(reason))
}

/// An owned private key (the emulator takes its key by value; a `PrivateKey` object shares its own).
fn owned_private_key(env: &Env, key: PrivateKeyArg<'_>) -> napi::Result<CorePrivateKey> {
    let shared = convert::private_key(env, key)?;
    match Arc::try_unwrap(shared) {
        Ok(key) => Ok(key),
        Err(shared) => {
            let pem = shared.to_pkcs8_pem().or_throw(env)?;
            CorePrivateKey::from_text(&pem).or_throw(env)
        }
    }
}

fn core_options(env: &Env, options: EmulatorOptions<'_>) -> napi::Result<core::EmulatorOptions> {
    let app_public_key = (*convert::public_key(env, options.app_public_key)?).clone();
    let mut core = core::EmulatorOptions::new(options.app_id, app_public_key);
    if let Some(host) = options.host {
        core.host = host;
    }
    if let Some(port) = options.port {
        core.port = u16::try_from(port)
            .map_err(|_| config_error(env, format!("port must be 0-65535; got {port}")))?;
    }
    if let Some(key) = options.alipay_private_key {
        core.alipay_private_key = Some(owned_private_key(env, key)?);
    }
    core.notify_url = options.notify_url;
    if let Some(ms) = options.timestamp_window_ms {
        core.timestamp_window = millis(env, "timestampWindowMs", ms, true)?;
    }
    if let Some(attempts) = options.notify_attempts {
        core.notify_attempts = attempts;
    }
    if let Some(ms) = options.notify_backoff_ms {
        core.notify_backoff = millis(env, "notifyBackoffMs", ms, true)?;
    }
    if let Some(key) = options.aes_key {
        core.aes_key = Some(convert::aes_key(env, key)?);
    }
    if let Some(ms) = options.app_auth_token_ttl_ms {
        core.app_auth_token_ttl = millis(env, "appAuthTokenTtlMs", ms, false)?;
    }
    core.cert_mode = options.cert_mode.unwrap_or(false);
    let seed = match options.push_form_seed {
        None => None,
        Some(seed) if seed >= 0.0 && seed.fract() == 0.0 && seed < 9_007_199_254_740_992.0 => {
            Some(seed as u64)
        }
        Some(seed) => {
            return Err(config_error(
                env,
                format!("pushFormSeed must be a whole number from 0 to 2^53 - 1; got {seed}"),
            ));
        }
    };
    if options.push_form.is_some() || seed.is_some() {
        let name = options.push_form.as_deref().unwrap_or("classic");
        core.push_forms = core::PushForms::from_name(name, seed).or_throw(env)?;
    }
    Ok(core)
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
    ) -> napi::Result<crate::console::ConsoleToken> {
        let inner = self
            .running(&env)?
            .console_app_auth_token(&auth_app_id)
            .or_throw(&env)?;
        Ok(crate::console::ConsoleToken { inner })
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

/// The core fault named `kind` with its details in JavaScript's units (milliseconds, bytes); the
/// emulator crate checks names, required and foreign details and limits.
fn fault(env: &Env, kind: &str, options: &FaultOptions) -> napi::Result<core::Fault> {
    let detail = core::FaultDetail {
        delay: options
            .delay_ms
            .map(|value| millis(env, "delayMs", value, true))
            .transpose()?,
        pause: options
            .pause_ms
            .map(|value| millis(env, "pauseMs", value, true))
            .transpose()?,
        size: options
            .size_bytes
            .map(|value| convert::byte_limit(env, "sizeBytes", value))
            .transpose()?,
    };
    core::Fault::from_name(kind, detail).or_throw(env)
}

/// A counter as a JavaScript number (exact below 2^53).
fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
