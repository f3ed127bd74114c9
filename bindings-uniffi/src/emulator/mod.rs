//! [`Emulator`], wrapping `alipay_isv_emulator`: an offline Alipay gateway on loopback for tests —
//! start it with the app's public key, point a `Client` at `gatewayUrl()` with
//! `alipayPublicKey()`, drive the authorisation pages (`merchantAuthorizes`, `userConsents`),
//! revoke, inject network faults ([`Fault`], in [`options`]) and watch its pushes ([`Delivery`], in
//! [`push`]); the open-platform console's entries are in [`console`]; service-market subscriptions
//! (`subscribe`: the order message and the plugin authorisation pushed) in [`servicemarket`]. In
//! certificate mode (`certMode = true`) it hands out its root bundle, Alipay and app certificates
//! and rotates its Alipay certificate on demand. With `aesKey` it accepts AES-encrypted calls (classic
//! and v3) and encrypts their answers; the files uploaded over v3 are read back with `uploadedFile`
//! (in [`uploads`]).
//!
//! `close()` (Kotlin `use { }`) or `stop()` stops the server.

mod console;
mod options;
mod push;
mod servicemarket;
mod uploads;

pub use console::ConsoleToken;
pub use options::Fault;
pub use push::Delivery;
pub use servicemarket::{SubscribeOptions, Subscription};
pub use uploads::UploadedFile;

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use alipay_isv::key as core_key;
use alipay_isv_emulator as core;

use crate::aes::AesKey;
use crate::error::{Result, guard};
use crate::key::{PrivateKey, PublicKey};
use options::StartOptions;

/// A running offline Alipay gateway on loopback (Kotlin:
/// `Emulator(appId, appPublicKey).use { emulator -> … }`). Thread-safe. `close()` or `stop()`
/// stops it; every call after `stop()` throws `AlipayException.Config`.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Emulator {
    inner: RwLock<Option<core::Emulator>>,
    base_url: String,
    gateway_url: String,
    alipay_public_key: Arc<PublicKey>,
}

/// The message of calls on a stopped emulator.
const STOPPED: &str = "the emulator is stopped";

impl Emulator {
    /// Starts an emulator from checked options.
    fn start(
        app_id: String,
        app_public_key: core_key::PublicKey,
        start: StartOptions,
    ) -> alipay_isv::Result<Arc<Self>> {
        let mut options = core::EmulatorOptions::new(app_id, app_public_key);
        options.port = start.port.unwrap_or(0);
        if let Some(ttl) = start.app_auth_token_ttl {
            options.app_auth_token_ttl = ttl;
        }
        options.notify_url = start.notify_url;
        if let Some(host) = start.host {
            options.host = host;
        }
        if let Some(key) = start.alipay_private_key {
            options.alipay_private_key = Some(core_key::PrivateKey::from_text(
                &key.core().to_pkcs8_pem()?,
            )?);
        }
        options.cert_mode = start.cert_mode;
        options.aes_key = start.aes_key.map(|key| key.core().clone());
        if start.push_form.is_some() || start.push_form_seed.is_some() {
            let name = start.push_form.as_deref().unwrap_or("classic");
            options.push_forms = core::PushForms::from_name(name, start.push_form_seed)?;
        }
        let emulator = core::Emulator::start(options)?;
        Ok(Arc::new(Emulator {
            base_url: emulator.base_url(),
            gateway_url: emulator.gateway_url(),
            alipay_public_key: PublicKey::wrap(emulator.alipay_public_key().clone()),
            inner: RwLock::new(Some(emulator)),
        }))
    }

    /// Runs `body` on the running emulator, or fails with a Config error once it is stopped.
    fn with<T>(
        &self,
        operation: &str,
        body: impl FnOnce(&core::Emulator) -> alipay_isv::Result<T>,
    ) -> Result<T> {
        guard(operation, || {
            let running = self.inner.read().unwrap_or_else(|e| e.into_inner());
            match running.as_ref() {
                Some(emulator) => body(emulator),
                None => Err(alipay_isv::Error::config(STOPPED)),
            }
        })
    }
}

#[uniffi::export]
impl Emulator {
    /// Starts an emulator serving the ISV app `app_id`, whose requests are verified with
    /// `app_public_key`. `port` null or 0 takes any free port; `notify_url` is the application
    /// gateway pushes go to; `alipay_private_key` null generates the "Alipay" key pair (2048
    /// bits); `host` defaults to `127.0.0.1`; `app_auth_token_ttl` (default one year) is how long
    /// the merchant tokens it issues live (short ones exercise expiry-driven refresh); `cert_mode`
    /// (default false) runs it in certificate mode: its own test root CA and Alipay certificate
    /// (`rootCertBundlePem()`, `alipayCertPem()`, `issueAppCert(key)`), both SNs required on every
    /// request, `alipay_cert_sn` in answers and pushes, the certificate download API, and
    /// `rotateAlipayCert()`; `push_form` is the form pushes are signed in (each `Delivery` says its
    /// `signedForm`): null or `classic` (authorisations `v1`, cancellations `v2`), one form for
    /// every push (`v1`, `v1+empty`, `v2`, `v2+empty`, and in certificate mode the
    /// `+alipay_cert_sn` forms), or `mixed`: each push in a form dealt from a deck of every form
    /// (the `+alipay_cert_sn` ones in certificate mode only) reshuffled by a generator seeded with
    /// `push_form_seed` (default 0; only with `mixed`). A `+empty` form sends and signs an empty
    /// `isv_ticket=`; in a mix, about half the pushes whose form drops empty values carry it
    /// unsigned (a verifier leaves it out of `params`). `aes_key` is the app's AES content key (the
    /// `aesKey` of its `IsvConfig`): encrypted requests — classic `encrypt_type=AES` and v3
    /// `alipay-encrypt-type: AES` — are decrypted and answered encrypted; without it they are
    /// refused (v3: HTTP 400 `missing-encrypt-key`).
    ///
    /// Throws `AlipayException.Config` for a non-numeric app id, a notify URL that is not
    /// `http://`, an unknown push form, a seed without `mixed`, a `+alipay_cert_sn` form outside
    /// certificate mode; `.Transport` when the port cannot be bound.
    #[uniffi::constructor(default(port = None, notify_url = None, alipay_private_key = None, host = None, app_auth_token_ttl = None, cert_mode = false, push_form = None, push_form_seed = None, aes_key = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        app_id: String,
        app_public_key: Arc<PublicKey>,
        port: Option<u16>,
        notify_url: Option<String>,
        alipay_private_key: Option<Arc<PrivateKey>>,
        host: Option<String>,
        app_auth_token_ttl: Option<Duration>,
        cert_mode: bool,
        push_form: Option<String>,
        push_form_seed: Option<u64>,
        aes_key: Option<Arc<AesKey>>,
    ) -> Result<Arc<Self>> {
        guard("Emulator", || {
            let key = (**app_public_key.core()).clone();
            let options = StartOptions {
                port,
                notify_url,
                alipay_private_key,
                host,
                app_auth_token_ttl,
                cert_mode,
                push_form,
                push_form_seed,
                aes_key,
            };
            Emulator::start(app_id, key, options)
        })
    }

    /// As the primary constructor, with the app's public key as PEM or Base64 text.
    ///
    /// Throws `AlipayException.Config` for key text that does not parse, and as the primary
    /// constructor does.
    #[uniffi::constructor(default(port = None, notify_url = None, alipay_private_key = None, host = None, app_auth_token_ttl = None, cert_mode = false, push_form = None, push_form_seed = None, aes_key = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn from_pem(
        app_id: String,
        app_public_key_pem: String,
        port: Option<u16>,
        notify_url: Option<String>,
        alipay_private_key: Option<Arc<PrivateKey>>,
        host: Option<String>,
        app_auth_token_ttl: Option<Duration>,
        cert_mode: bool,
        push_form: Option<String>,
        push_form_seed: Option<u64>,
        aes_key: Option<Arc<AesKey>>,
    ) -> Result<Arc<Self>> {
        guard("Emulator.fromPem", || {
            let key = core_key::PublicKey::from_text(&app_public_key_pem)?;
            let options = StartOptions {
                port,
                notify_url,
                alipay_private_key,
                host,
                app_auth_token_ttl,
                cert_mode,
                push_form,
                push_form_seed,
                aes_key,
            };
            Emulator::start(app_id, key, options)
        })
    }

    /// `http://127.0.0.1:PORT`: the host of the authorisation links (`appAuthLink(baseUrl(), …)`).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `baseUrl()` + `/gateway.do`: the gateway of the app's `IsvConfig`.
    pub fn gateway_url(&self) -> String {
        self.gateway_url.clone()
    }

    /// The "Alipay" public key: the `alipayPublicKey` of the app's `IsvConfig`. In certificate
    /// mode, the key of the first Alipay certificate (after `rotateAlipayCert()` answers are signed
    /// with another key).
    pub fn alipay_public_key(&self) -> Arc<PublicKey> {
        Arc::clone(&self.alipay_public_key)
    }

    /// The "Alipay" public key as SPKI PEM (for other SDKs).
    pub fn alipay_public_key_pem(&self) -> String {
        self.alipay_public_key.core().to_pem()
    }

    /// Where pushes go from now on (null: nowhere; they are still recorded in `deliveries()`).
    pub fn set_notify_url(&self, url: Option<String>) -> Result<()> {
        self.with("Emulator.setNotifyUrl", |emulator| {
            emulator.set_notify_url(url);
            Ok(())
        })
    }

    /// Injects `fault` into the next `times` gateway calls (null: until cleared); a null `fault`
    /// clears it.
    ///
    /// Throws `AlipayException.Config` for a `Fault.Oversized` body of 0 bytes or over 256 MiB
    /// (the emulator builds it in memory).
    #[uniffi::method(default(times = None))]
    pub fn set_fault(&self, fault: Option<Fault>, times: Option<u32>) -> Result<()> {
        self.with("Emulator.setFault", |emulator| {
            let fault = fault.map(core::Fault::from);
            if let Some(fault) = &fault {
                fault.check()?;
            }
            emulator.set_fault(fault, times);
            Ok(())
        })
    }

    /// The merchant opens an authorisation link (single, batch or console-style, built on
    /// `baseUrl()`) and agrees; returns the callback URL (with `app_auth_code` and `state`) the page
    /// redirects to, without following it. Blocking (one loopback HTTP request).
    ///
    /// Throws `AlipayException.Config` when the link points elsewhere, `.Transport` when the page
    /// answers anything but a redirect (e.g. a wrong app id; the reason carries the page text).
    pub fn merchant_authorizes(&self, link: String) -> Result<String> {
        self.with("Emulator.merchantAuthorizes", |emulator| {
            emulator.merchant_authorizes(&link)
        })
    }

    /// The user opens a consent link (`userConsentLink(baseUrl(), …)`) and agrees; returns the
    /// callback URL with `auth_code`. Blocking; throws as `merchantAuthorizes` does.
    pub fn user_consents(&self, link: String) -> Result<String> {
        self.with("Emulator.userConsents", |emulator| {
            emulator.user_consents(&link)
        })
    }

    /// The merchant revokes the authorisation of `auth_app_id`: its tokens stop working at once and
    /// `alipay.open.auth.appauth.cancelled` is pushed.
    ///
    /// Throws `AlipayException.Config` when the app never authorised.
    pub fn revoke(&self, auth_app_id: String) -> Result<()> {
        self.with("Emulator.revoke", |emulator| emulator.revoke(&auth_app_id))
    }

    /// The merchant's current `appAuthToken` as the open-platform console shows it (with the
    /// merchant app, PID, and when the authorisation started and the token ends): what an ISV copies
    /// to import the merchant with `Registry.importToken`. No refresh token is shown.
    ///
    /// Throws `AlipayException.Config` when the app never authorised, or the merchant revoked the
    /// authorisation.
    pub fn console_app_auth_token(&self, auth_app_id: String) -> Result<crate::ConsoleToken> {
        self.with("Emulator.consoleAppAuthToken", |emulator| {
            Ok(emulator.console_app_auth_token(&auth_app_id)?.into())
        })
    }

    /// Test hook: the current tokens of `auth_app_id` expire now (refresh tokens keep working).
    ///
    /// Throws `AlipayException.Config` when the app never authorised.
    pub fn expire_app_auth_token(&self, auth_app_id: String) -> Result<()> {
        self.with("Emulator.expireAppAuthToken", |emulator| {
            emulator.expire_app_auth_token(&auth_app_id)
        })
    }

    /// Test hook: moves the emulator's token clock forward by `by` (codes and tokens age; request
    /// timestamps are still checked against real time).
    pub fn advance_clock(&self, by: Duration) -> Result<()> {
        self.with("Emulator.advanceClock", |emulator| {
            emulator.advance_clock(by);
            Ok(())
        })
    }

    /// Gateway requests received for `method` (faulted ones included).
    pub fn call_count(&self, method: String) -> Result<u64> {
        self.with("Emulator.callCount", |emulator| {
            Ok(emulator.call_count(&method))
        })
    }

    /// Gateway requests received in all.
    pub fn total_calls(&self) -> Result<u64> {
        self.with("Emulator.totalCalls", |emulator| Ok(emulator.total_calls()))
    }

    /// Every push so far, in the order they were made.
    pub fn deliveries(&self) -> Result<Vec<Delivery>> {
        self.with("Emulator.deliveries", |emulator| {
            Ok(emulator
                .deliveries()
                .into_iter()
                .map(Delivery::from)
                .collect())
        })
    }

    /// Blocks until at least `count` pushes are finished (acknowledged, attempts exhausted, or
    /// nowhere to post) or `timeout` passes; false on timeout.
    pub fn wait_for_deliveries(&self, count: u32, timeout: Duration) -> Result<bool> {
        self.with("Emulator.waitForDeliveries", |emulator| {
            Ok(emulator.wait_for_deliveries(count as usize, timeout))
        })
    }

    /// Stops the server (waiting for calls in flight); later calls throw. Idempotent.
    pub fn stop(&self) -> Result<()> {
        guard("Emulator.stop", || {
            let stopped = self.inner.write().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(emulator) = stopped {
                emulator.stop();
            }
            Ok(())
        })
    }

    /// Whether the server is running (not stopped).
    pub fn is_running(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

/// Certificate mode (an emulator started with `certMode = true`); every method throws
/// `AlipayException.Config` outside it.
#[uniffi::export]
impl Emulator {
    /// Whether the emulator runs in certificate mode.
    pub fn is_cert_mode(&self) -> Result<bool> {
        self.with(
            "Emulator.isCertMode",
            |emulator| Ok(emulator.is_cert_mode()),
        )
    }

    /// The root bundle to configure (`alipayRootCert.crt`), PEM: an ECDSA root (which
    /// `alipay_root_cert_sn` must leave out), then the RSA root that signs every certificate.
    pub fn root_cert_bundle_pem(&self) -> Result<String> {
        self.with("Emulator.rootCertBundlePem", |emulator| {
            emulator.root_cert_bundle_pem()
        })
    }

    /// The `alipay_root_cert_sn` the emulator requires on every request.
    pub fn alipay_root_cert_sn(&self) -> Result<String> {
        self.with("Emulator.alipayRootCertSn", |emulator| {
            emulator.alipay_root_cert_sn()
        })
    }

    /// The current Alipay certificate (`alipayCertPublicKey_RSA2.crt`), PEM.
    pub fn alipay_cert_pem(&self) -> Result<String> {
        self.with("Emulator.alipayCertPem", |emulator| {
            emulator.alipay_cert_pem()
        })
    }

    /// The SN of the current Alipay certificate (named in every signed answer and push).
    pub fn alipay_cert_sn(&self) -> Result<String> {
        self.with("Emulator.alipayCertSn", |emulator| {
            emulator.alipay_cert_sn()
        })
    }

    /// Issues an app public-key certificate (`appCertPublicKey_<app_id>.crt`, PEM) for
    /// `app_public_key`, signed by the emulator's root. Its SN is accepted as `app_cert_sn` only when
    /// the key is the app key the emulator was started with.
    pub fn issue_app_cert(&self, app_public_key: Arc<PublicKey>) -> Result<String> {
        self.with("Emulator.issueAppCert", |emulator| {
            emulator.issue_app_cert(app_public_key.core())
        })
    }

    /// Alipay rotates its certificate: a new key and a certificate signed by the same root sign every
    /// later answer and push (earlier certificates stay downloadable). Returns the new
    /// `alipay_cert_sn`.
    pub fn rotate_alipay_cert(&self) -> Result<String> {
        self.with("Emulator.rotateAlipayCert", |emulator| {
            emulator.rotate_alipay_cert()
        })
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Emulator(baseUrl={}, alipayKeyFingerprint={}, running={})",
            self.base_url,
            self.alipay_public_key.core().fingerprint(),
            self.is_running()
        )
    }
}
