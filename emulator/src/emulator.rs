//! [`Emulator`]: start, inspect, drive and stop one offline Alipay gateway.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use alipay_isv::key::{PublicKey, generate_key_pair};
use alipay_isv::sign::{Charset, SignType, Signer, Verifier};
use alipay_isv::{Error, Result};

use crate::certs::CertAuthority;
use crate::http::client::{HttpUrl, send};
use crate::options::{EmulatorOptions, Fault, PushForms};
use crate::push::{Delivery, FormDealer};
use crate::shared::{Shared, Stats, lock, millis};
use crate::state::{Lifetimes, State, UploadedFile};
use crate::{admin, server};

/// Extra lifetime of an `app_refresh_token` over its `app_auth_token`.
const APP_REFRESH_EXTRA: Duration = Duration::from_secs(30 * 24 * 3600);
/// Lifetime of a user refresh token.
const USER_REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Hosts of the real authorisation pages: links to them are served by the emulator instead.
const ALIPAY_PAGE_HOSTS: &[&str] = &[
    "openauth.alipay.com",
    "openauth-sandbox.dl.alipaydev.com",
    "b.alipay.com",
];

/// A running emulator. `Send + Sync`: share it between test threads. Dropping it stops the server.
pub struct Emulator {
    pub(crate) shared: Arc<Shared>,
    alipay_public_key: PublicKey,
    local_addr: SocketAddr,
    accept_thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.base_url)
            .field("app_id", &self.shared.app_id)
            .field("alipay_public_key", &self.alipay_public_key.fingerprint())
            .finish_non_exhaustive()
    }
}

/// Checks the options that would make the emulator useless.
fn check_options(options: &EmulatorOptions) -> Result<()> {
    let app_id = options.app_id.trim();
    if app_id.is_empty() || !app_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::config(
            "the emulator's app_id must be the ISV app's digits, e.g. 2021000000000001",
        ));
    }
    if options.notify_attempts == 0 {
        return Err(Error::config("notify_attempts must be at least 1"));
    }
    if options.timestamp_window.is_zero() {
        return Err(Error::config("timestamp_window must be positive"));
    }
    if let PushForms::Fixed(form) = options.push_forms
        && form.alipay_cert_sn_signed
        && !options.cert_mode
    {
        return Err(Error::config(format!(
            "the push form {form} signs alipay_cert_sn, which is only sent in certificate mode \
             (EmulatorOptions::cert_mode)"
        )));
    }
    if let Some(url) = &options.notify_url {
        HttpUrl::parse(url)
            .map_err(|reason| Error::config(format!("notify_url `{url}`: {reason}")))?;
    }
    Ok(())
}

impl Emulator {
    /// Starts an emulator: checks the options, generates the Alipay key pair if none was given, binds
    /// `host:port` and serves on background threads.
    ///
    /// # Errors
    /// [`Error::Config`] for a non-numeric `app_id`, an Alipay key shorter than 2048 bits, a
    /// `notify_url` that is not `http://`, zero attempts or window, a fixed push form with
    /// `+alipay_cert_sn` outside certificate mode; [`Error::Transport`] when the
    /// address cannot be bound.
    pub fn start(options: EmulatorOptions) -> Result<Emulator> {
        check_options(&options)?;
        let alipay_key = match options.alipay_private_key {
            Some(key) => key,
            None => generate_key_pair(2048)?.private_key,
        };
        let alipay_key = Arc::new(alipay_key);
        Signer::new(alipay_key.clone(), SignType::Rsa2, Charset::Utf8)?;
        let (cert, alipay_cert_sn) = if options.cert_mode {
            let authority = CertAuthority::new()?;
            let first = authority.alipay_cert(alipay_key.clone())?;
            (Some(authority), Some(first.sn))
        } else {
            (None, None)
        };
        let app_public_key = Arc::new(options.app_public_key);
        Verifier::new(app_public_key.clone(), SignType::Rsa, Charset::Utf8)?;
        let listener = TcpListener::bind((options.host.as_str(), options.port)).map_err(|e| {
            Error::transport(
                format!(
                    "the emulator cannot listen on {}:{}: {e}",
                    options.host, options.port
                ),
                false,
            )
        })?;
        let local_addr = listener.local_addr().map_err(|e| {
            Error::transport(format!("the emulator's socket has no address: {e}"), false)
        })?;
        let alipay_public_key = alipay_key.public_key().clone();
        let shared = Arc::new(Shared {
            app_id: options.app_id.trim().to_string(),
            app_public_key,
            alipay: RwLock::new((alipay_key, alipay_cert_sn)),
            cert,
            lifetimes: Lifetimes {
                app_token_ms: millis(options.app_auth_token_ttl),
                app_refresh_ms: millis(
                    options.app_auth_token_ttl.saturating_add(APP_REFRESH_EXTRA),
                ),
                access_ms: millis(options.access_token_ttl),
                user_refresh_ms: millis(USER_REFRESH_TTL),
            },
            timestamp_window_secs: i64::try_from(options.timestamp_window.as_secs())
                .unwrap_or(i64::MAX),
            notify_attempts: options.notify_attempts,
            notify_backoff: options.notify_backoff,
            refresh_grace_ms: millis(options.refresh_grace),
            aes_key: options.aes_key,
            base_url: base_url_of(local_addr),
            state: Mutex::new(State::default()),
            notify_url: Mutex::new(options.notify_url),
            fault: Mutex::new(None),
            stats: Mutex::new(Stats::default()),
            push_forms: options.push_forms,
            form_dealer: Mutex::new(FormDealer::new(match options.push_forms {
                PushForms::Mixed { seed } => seed,
                _ => 0,
            })),
            deliveries: Mutex::new(Vec::new()),
            deliveries_changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            clock_offset_ms: AtomicU64::new(0),
            connections: Mutex::new(HashMap::new()),
            next_connection: AtomicU64::new(0),
        });
        let accept_thread = server::spawn(Arc::clone(&shared), listener).map_err(|e| {
            Error::transport(
                format!("the emulator cannot start its server thread: {e}"),
                false,
            )
        })?;
        Ok(Emulator {
            shared,
            alipay_public_key,
            local_addr,
            accept_thread: Mutex::new(Some(accept_thread)),
        })
    }

    /// `http://127.0.0.1:PORT` (the bound address; a wildcard host is shown as loopback).
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// `base_url` + `/gateway.do`: configure it as the SDK's gateway.
    pub fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.shared.base_url)
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The ISV `app_id` this emulator serves.
    pub fn app_id(&self) -> &str {
        &self.shared.app_id
    }

    /// The "Alipay" public key: configure it as the SDK's Alipay public key. In certificate mode this is
    /// the key of the first Alipay certificate; after [`Emulator::rotate_alipay_cert`] answers are signed
    /// with another key.
    pub fn alipay_public_key(&self) -> &PublicKey {
        &self.alipay_public_key
    }

    /// The "Alipay" public key as SPKI PEM.
    pub fn alipay_public_key_pem(&self) -> String {
        self.alipay_public_key.to_pem()
    }

    /// Whether the emulator runs in certificate mode.
    pub fn is_cert_mode(&self) -> bool {
        self.shared.cert.is_some()
    }

    fn authority(&self) -> Result<&CertAuthority> {
        self.shared.cert.as_ref().ok_or_else(|| {
            Error::config("the emulator is not in certificate mode (EmulatorOptions::cert_mode)")
        })
    }

    /// Certificate mode: the root bundle to configure (`alipayRootCert.crt`): an ECDSA root, which
    /// clients must leave out of `alipay_root_cert_sn`, then the RSA root that signs the Alipay and app
    /// certificates.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn root_cert_bundle_pem(&self) -> Result<String> {
        Ok(self.authority()?.bundle_pem().to_string())
    }

    /// Certificate mode: the `alipay_root_cert_sn` the emulator requires.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn alipay_root_cert_sn(&self) -> Result<String> {
        Ok(self.authority()?.root_cert_sn().to_string())
    }

    /// Certificate mode: the current Alipay certificate (`alipayCertPublicKey_RSA2.crt`), PEM.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn alipay_cert_pem(&self) -> Result<String> {
        let sn = self.alipay_cert_sn()?;
        self.authority()?
            .alipay_cert_pem(&sn)
            .ok_or_else(|| Error::config("the current Alipay certificate is missing"))
    }

    /// Certificate mode: the SN of the current Alipay certificate (named in every signed answer).
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn alipay_cert_sn(&self) -> Result<String> {
        self.authority()?;
        self.shared
            .alipay_key()
            .1
            .ok_or_else(|| Error::config("the emulator has no Alipay certificate"))
    }

    /// Certificate mode: issues an app public-key certificate (`appCertPublicKey_<app_id>.crt`, PEM) for
    /// `app_public_key`, signed by the emulator's root. Its SN is accepted as `app_cert_sn` when the key
    /// is the app key the emulator was started with; certificates for other keys are issued (for tests
    /// of a mismatched key) but their SN is refused.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn issue_app_cert(&self, app_public_key: &PublicKey) -> Result<String> {
        let accepted = *app_public_key == *self.shared.app_public_key;
        self.authority()?
            .app_cert(&self.shared.app_id, app_public_key, accepted)
    }

    /// Certificate mode: Alipay rotates its certificate — a new 2048-bit key and a certificate signed by
    /// the same root sign every later answer and push; the previous certificates stay downloadable.
    /// Returns the new `alipay_cert_sn`.
    ///
    /// # Errors
    /// [`Error::Config`] outside certificate mode.
    pub fn rotate_alipay_cert(&self) -> Result<String> {
        let authority = self.authority()?;
        let fresh = authority.alipay_cert(Arc::new(generate_key_pair(2048)?.private_key))?;
        let sn = fresh.sn.clone();
        *self
            .shared
            .alipay
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = (fresh.key, Some(fresh.sn));
        Ok(sn)
    }

    /// Where pushes go from now on (`None`: nowhere; pushes are still recorded in
    /// [`Emulator::deliveries`]).
    pub fn set_notify_url(&self, url: Option<String>) {
        *lock(&self.shared.notify_url) = url;
    }

    /// Injects `fault` into the next `times` gateway calls (`None`: until cleared); `fault: None`
    /// clears it.
    pub fn set_fault(&self, fault: Option<Fault>, times: Option<u32>) {
        *lock(&self.shared.fault) = fault.map(|fault| (fault, times));
    }

    /// The single merchant authorisation link (`appToAppAuth.htm`) on this emulator.
    pub fn app_auth_url(&self, redirect_uri: &str, state: Option<&str>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("app_id", &self.shared.app_id);
        query.append_pair("redirect_uri", redirect_uri);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        format!(
            "{}/oauth2/appToAppAuth.htm?{}",
            self.shared.base_url,
            query.finish()
        )
    }

    /// The user consent link (`publicAppAuthorize.htm`) for a merchant app on this emulator; `scope`
    /// is `auth_user` or `auth_base`.
    pub fn user_consent_url(
        &self,
        auth_app_id: &str,
        scope: &str,
        redirect_uri: &str,
        state: Option<&str>,
    ) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("app_id", auth_app_id);
        query.append_pair("scope", scope);
        query.append_pair("redirect_uri", redirect_uri);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        format!(
            "{}/oauth2/publicAppAuthorize.htm?{}",
            self.shared.base_url,
            query.finish()
        )
    }

    /// The merchant opens an authorisation link (single, batch or console-style) and agrees: the link
    /// is fetched from this emulator without following the redirect, and the `Location` — the ISV's
    /// callback with `app_auth_code` and `state` — is returned. Links to the real Alipay page hosts
    /// (`openauth.alipay.com`, its sandbox, `b.alipay.com`) are served by this emulator too.
    ///
    /// # Errors
    /// [`Error::Config`] when the link points elsewhere; [`Error::Transport`] when the page answers
    /// anything but a redirect (e.g. 400 for a wrong `app_id`; the reason carries the page text).
    pub fn merchant_authorizes(&self, link: &str) -> Result<String> {
        self.visit(link)
    }

    /// The user opens a consent link (`publicAppAuthorize.htm`) and agrees; returns the `Location`
    /// (the callback with `auth_code`), as [`Emulator::merchant_authorizes`] does.
    ///
    /// # Errors
    /// As for [`Emulator::merchant_authorizes`].
    pub fn user_consents(&self, link: &str) -> Result<String> {
        self.visit(link)
    }

    /// GETs a page of this emulator and returns the redirect target.
    fn visit(&self, link: &str) -> Result<String> {
        let target = self.local_target(link.trim())?;
        let url = HttpUrl {
            host: self.local_addr_for_clients().ip().to_string(),
            port: self.local_addr.port(),
            target,
        };
        let answer = send("GET", &url, None, b"", Duration::from_secs(10)).map_err(|reason| {
            let sent =
                !reason.starts_with("cannot connect") && !reason.starts_with("cannot resolve");
            Error::transport(reason, sent)
        })?;
        match (answer.status, answer.header("location")) {
            (302, Some(location)) => Ok(location.to_string()),
            (status, _) => Err(Error::transport(
                format!(
                    "the authorisation page answered HTTP {status} instead of a redirect: {}",
                    strip_tags(&String::from_utf8_lossy(&answer.body))
                ),
                true,
            )),
        }
    }

    /// The path and query of a link that points at this emulator (or at a real Alipay page host).
    fn local_target(&self, link: &str) -> Result<String> {
        let elsewhere = || {
            Error::config(format!(
                "the link does not point at this emulator ({}); build it with the emulator's base URL",
                self.shared.base_url
            ))
        };
        let (scheme, rest) = link.split_once("://").ok_or_else(elsewhere)?;
        let split = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host);
        let ours = scheme.eq_ignore_ascii_case("http")
            && HttpUrl::parse(&format!("http://{authority}/")).is_ok_and(|url| {
                url.port == self.local_addr.port()
                    && (url.host == "localhost"
                        || url.host == self.local_addr.ip().to_string()
                        || url
                            .host
                            .parse::<std::net::IpAddr>()
                            .is_ok_and(|ip| ip.is_loopback()))
            });
        let alipay = ALIPAY_PAGE_HOSTS.contains(&host.to_ascii_lowercase().as_str());
        if !(ours || alipay) {
            return Err(elsewhere());
        }
        let target = if target.starts_with('?') {
            format!("/{target}")
        } else {
            target.to_string()
        };
        Ok(target.split('#').next().unwrap_or_default().to_string())
    }

    /// The address clients use to reach this emulator (loopback for a wildcard bind).
    fn local_addr_for_clients(&self) -> SocketAddr {
        let mut address = self.local_addr;
        if address.ip().is_unspecified() {
            address.set_ip(match address {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        address
    }

    /// The merchant revokes the authorisation of `auth_app_id`: its tokens stop working at once and
    /// `alipay.open.auth.appauth.cancelled` is pushed.
    ///
    /// # Errors
    /// [`Error::Config`] when the app never authorised.
    pub fn revoke(&self, auth_app_id: &str) -> Result<()> {
        admin::revoke(&self.shared, auth_app_id)
    }

    /// A merchant orders the ISV's plugin in the service market: the emulator records the order (one
    /// item, the merchant's mini program), authorises the plugin on that mini program, and pushes the
    /// order message and the plugin authorisation (order first unless `authorisation_first`), each
    /// retried until the application gateway answers `success`. The order calls then follow the
    /// order's state machine.
    ///
    /// # Errors
    /// [`Error::Config`] for a price that is not a number of yuan.
    pub fn subscribe(&self, options: crate::SubscribeOptions) -> Result<crate::Subscription> {
        crate::servicemarket::subscribe(&self.shared, options)
    }

    /// Test hook: the current tokens of `auth_app_id` expire now (refresh tokens keep working).
    ///
    /// # Errors
    /// [`Error::Config`] when the app never authorised.
    pub fn expire_app_auth_token(&self, auth_app_id: &str) -> Result<()> {
        let now = self.shared.now_ms();
        if lock(&self.shared.state).expire_app_tokens(auth_app_id, now) {
            Ok(())
        } else {
            Err(Error::config(format!(
                "auth_app_id {auth_app_id} never authorised this third-party app"
            )))
        }
    }

    /// Test hook: moves the emulator's token clock forward, so codes and tokens age by `by` (e.g. past
    /// the 10-minute grace of a refreshed token). Request timestamps are still checked against real
    /// time.
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .clock_offset_ms
            .fetch_add(millis(by), Ordering::Relaxed);
    }

    /// The file `alipay.open.file.upload` (v3) answered with this `file_id`: its name, size, MD5 and
    /// the merchant app it was uploaded for. `None` for an id the emulator never gave.
    pub fn uploaded_file(&self, file_id: &str) -> Option<UploadedFile> {
        lock(&self.shared.state)
            .uploaded_files
            .get(file_id)
            .cloned()
    }

    /// Gateway requests received for `method` (faulted ones included).
    pub fn call_count(&self, method: &str) -> u64 {
        lock(&self.shared.stats)
            .by_method
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Gateway requests received in all.
    pub fn total_calls(&self) -> u64 {
        lock(&self.shared.stats).total
    }

    /// Every push so far, in the order they were made.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.shared.deliveries).clone()
    }

    /// Waits until at least `count` pushes are finished (acknowledged, attempts exhausted, or nowhere
    /// to post); `false` on timeout.
    pub fn wait_for_deliveries(&self, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let mut deliveries = lock(&self.shared.deliveries);
        loop {
            if deliveries.iter().filter(|d| d.finished).count() >= count {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.shared.is_stopping() {
                return false;
            }
            deliveries = match self
                .shared
                .deliveries_changed
                .wait_timeout(deliveries, left)
            {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Stops the server and waits for the listener thread (dropping the emulator does the same).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let handle = lock(&self.accept_thread).take();
        server::stop(&self.shared, self.local_addr, handle);
    }
}

/// `http://ip:port`, loopback for a wildcard bind.
fn base_url_of(address: SocketAddr) -> String {
    let port = address.port();
    match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => format!("http://127.0.0.1:{port}"),
        ip if ip.is_unspecified() => format!("http://[::1]:{port}"),
        std::net::IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
        std::net::IpAddr::V4(ip) => format!("http://{ip}:{port}"),
    }
}

/// Page text without tags, on one line, shortened.
fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").chars().take(300).collect()
}
