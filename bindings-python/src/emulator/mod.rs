//! `Emulator`: the Python handle of `alipay_isv_emulator`, an offline Alipay gateway on loopback
//! for tests and demos. Its arguments (key arguments, faults) are read in [`options`], the pushes it
//! made are [`Delivery`]s ([`push`]), its open-platform console's entries are [`ConsoleToken`]s
//! ([`console`]), a merchant's order of the plugin in its service market is a [`Subscription`]
//! ([`servicemarket`]), and a file received by an OpenAPI v3 upload is an [`UploadedFile`]
//! ([`upload`]), as in the emulator crate.
//!
//! Every call that waits on the network or on the server — starting, the authorisation pages,
//! revocation, waiting for pushes, stopping, a certificate rotation — releases the GIL, so an
//! application gateway served by Python in the same process keeps answering the emulator's pushes.

mod console;
mod options;
mod push;
mod servicemarket;
mod upload;

pub(crate) use console::ConsoleToken;
pub(crate) use push::Delivery;
pub(crate) use servicemarket::Subscription;
pub(crate) use upload::UploadedFile;

use std::sync::{Arc, PoisonError, RwLock};

use alipay_isv::Error;
use alipay_isv_emulator as emulator;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::aes::extract_aes_key;
use crate::client::seconds;
use crate::error::{detached, guarded};
use crate::key::PublicKey;
use options::{KeyArg, fault};

/// An offline Alipay gateway on loopback, for tests and demos: a real HTTP server with its
/// own "Alipay" key pair, the authorisation pages, the token methods, signed pushes to the
/// application gateway, and injectable faults.
///
/// Starting it starts serving; :meth:`stop` (or leaving a ``with`` block, or :meth:`close`)
/// stops it. Safe to share between threads; calls that wait release the GIL.
///
/// Starts an emulator serving the ISV app ``app_id``.
///
/// Args:
///     app_id: the ISV app's id: requests with another are refused (unsigned
///         ``isv.invalid-app-id``).
///     app_public_key: the app's public key (object or PEM text): request signatures are
///         verified with it.
///     host: the interface to listen on.
///     port: the port; ``0`` takes a free one (see :attr:`base_url`).
///     notify_url: the application gateway the pushes are posted to.
///     alipay_private_key: the "Alipay" key to sign with (object or PEM text); ``None``
///         generates a 2048-bit pair.
///     app_auth_token_ttl: seconds an ``app_auth_token`` lives (365 days).
///     access_token_ttl: seconds a user ``access_token`` lives (2 hours).
///     timestamp_window: seconds a request ``timestamp`` may be off (15 minutes).
///     notify_attempts: how many times a push is attempted until ``success``.
///     notify_backoff: seconds before the first retry of a push, doubled after each.
///     refresh_grace: seconds the old ``app_auth_token`` works after a refresh (10 min).
///     cert_mode: public-key certificate mode: the emulator makes a test root CA (its bundle
///         also holds an ECDSA root) and an Alipay certificate for its key, requires the
///         ``app_cert_sn`` of an app certificate it issued (:meth:`issue_app_cert`) and its
///         ``alipay_root_cert_sn`` on every request, names ``alipay_cert_sn`` in every
///         signed answer and push, and serves ``alipay.open.app.alipaycert.download``.
///     push_form: the form pushes are signed in (see :attr:`Delivery.signed_form`):
///         ``"classic"`` (authorisations ``v1``, cancellations ``v2``); one form for every
///         push (``"v1"``, ``"v1+empty"``, ``"v2"``, ``"v2+empty"``, and in certificate mode
///         the ``+alipay_cert_sn`` forms); or ``"mixed"``: each push in a form dealt from a
///         deck of every form (the ``+alipay_cert_sn`` ones in certificate mode only),
///         reshuffled by a generator seeded with ``push_form_seed``. A form with ``+empty``
///         sends and signs an empty ``isv_ticket=``; in a mix, about half the pushes whose
///         form drops empty values carry it unsigned (a verifier leaves it out).
///     push_form_seed: the seed of ``"mixed"`` (default 0); only with ``"mixed"``.
///     aes_key: the app's AES content-encryption key (an :class:`AesKey` or its Base64
///         text): encrypted requests (classic ``encrypt_type=AES``, v3
///         ``alipay-encrypt-type: AES``) are decrypted and answered encrypted; without it
///         they are refused.
///
/// Raises:
///     ConfigError: a non-numeric ``app_id``, a bad key or AES key, a ``notify_url`` that
///         is not ``http://``, zero attempts or window, an unknown ``push_form``, a seed
///         without ``"mixed"``, a ``+alipay_cert_sn`` form outside certificate mode.
///     TransportError: the address cannot be bound.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Emulator {
    inner: RwLock<Option<Arc<emulator::Emulator>>>,
    alipay_public_key: Py<PublicKey>,
    base_url: String,
    app_id: String,
    cert_mode: bool,
}

impl Emulator {
    /// The running emulator, or `ConfigError` once stopped.
    fn live(&self) -> PyResult<Arc<emulator::Emulator>> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        let running = inner.clone();
        guarded(|| running.ok_or_else(|| Error::config("the emulator was stopped").into()))
    }
}

#[pymethods]
impl Emulator {
    /// Starts an emulator serving the ISV app ``app_id``.
    ///
    /// Args:
    ///     app_id: the ISV app's id: requests with another are refused (unsigned
    ///         ``isv.invalid-app-id``).
    ///     app_public_key: the app's public key (object or PEM text): request signatures are
    ///         verified with it.
    ///     host: the interface to listen on.
    ///     port: the port; ``0`` takes a free one (see :attr:`base_url`).
    ///     notify_url: the application gateway the pushes are posted to.
    ///     alipay_private_key: the "Alipay" key to sign with (object or PEM text); ``None``
    ///         generates a 2048-bit pair.
    ///     app_auth_token_ttl: seconds an ``app_auth_token`` lives (365 days).
    ///     access_token_ttl: seconds a user ``access_token`` lives (2 hours).
    ///     timestamp_window: seconds a request ``timestamp`` may be off (15 minutes).
    ///     notify_attempts: how many times a push is attempted until ``success``.
    ///     notify_backoff: seconds before the first retry of a push, doubled after each.
    ///     refresh_grace: seconds the old ``app_auth_token`` works after a refresh (10 min).
    ///     cert_mode: public-key certificate mode: the emulator makes a test root CA (its bundle
    ///         also holds an ECDSA root) and an Alipay certificate for its key, requires the
    ///         ``app_cert_sn`` of an app certificate it issued (:meth:`issue_app_cert`) and its
    ///         ``alipay_root_cert_sn`` on every request, names ``alipay_cert_sn`` in every
    ///         signed answer and push, and serves ``alipay.open.app.alipaycert.download``.
    ///     push_form: the form pushes are signed in (see :attr:`Delivery.signed_form`):
    ///         ``"classic"`` (authorisations ``v1``, cancellations ``v2``); one form for every
    ///         push (``"v1"``, ``"v1+empty"``, ``"v2"``, ``"v2+empty"``, and in certificate mode
    ///         the ``+alipay_cert_sn`` forms); or ``"mixed"``: each push in a form dealt from a
    ///         deck of every form (the ``+alipay_cert_sn`` ones in certificate mode only),
    ///         reshuffled by a generator seeded with ``push_form_seed``. A form with ``+empty``
    ///         sends and signs an empty ``isv_ticket=``; in a mix, about half the pushes whose
    ///         form drops empty values carry it unsigned (a verifier leaves it out).
    ///     push_form_seed: the seed of ``"mixed"`` (default 0); only with ``"mixed"``.
    ///     aes_key: the app's AES content-encryption key (an :class:`AesKey` or its Base64
    ///         text): encrypted requests (classic ``encrypt_type=AES``, v3
    ///         ``alipay-encrypt-type: AES``) are decrypted and answered encrypted; without it
    ///         they are refused.
    ///
    /// Raises:
    ///     ConfigError: a non-numeric ``app_id``, a bad key or AES key, a ``notify_url`` that
    ///         is not ``http://``, zero attempts or window, an unknown ``push_form``, a seed
    ///         without ``"mixed"``, a ``+alipay_cert_sn`` form outside certificate mode.
    ///     TransportError: the address cannot be bound.
    #[new]
    #[pyo3(signature = (
        app_id,
        app_public_key,
        *,
        host = "127.0.0.1",
        port = 0,
        notify_url = None,
        alipay_private_key = None,
        app_auth_token_ttl = 31536000.0,
        access_token_ttl = 7200.0,
        timestamp_window = 900.0,
        notify_attempts = 8,
        notify_backoff = 0.1,
        refresh_grace = 600.0,
        cert_mode = false,
        push_form = "classic",
        push_form_seed = None,
        aes_key = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        app_id: String,
        app_public_key: &Bound<'_, PyAny>,
        host: &str,
        port: u16,
        notify_url: Option<String>,
        alipay_private_key: Option<&Bound<'_, PyAny>>,
        app_auth_token_ttl: f64,
        access_token_ttl: f64,
        timestamp_window: f64,
        notify_attempts: u32,
        notify_backoff: f64,
        refresh_grace: f64,
        cert_mode: bool,
        push_form: &str,
        push_form_seed: Option<u64>,
        aes_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let public = KeyArg::public(app_public_key)?;
        let private = alipay_private_key.map(KeyArg::private).transpose()?;
        let aes_key = aes_key.map(extract_aes_key).transpose()?;
        // Starting may generate a 2048-bit key pair: release the GIL.
        let started = detached(py, || {
            let mut options = emulator::EmulatorOptions::new(app_id, public.into_public()?);
            options.host = host.to_string();
            options.port = port;
            options.notify_url = notify_url;
            options.alipay_private_key = private.map(KeyArg::into_private).transpose()?;
            options.app_auth_token_ttl = seconds(app_auth_token_ttl, "app_auth_token_ttl")?;
            options.access_token_ttl = seconds(access_token_ttl, "access_token_ttl")?;
            options.timestamp_window = seconds(timestamp_window, "timestamp_window")?;
            options.notify_attempts = notify_attempts;
            options.notify_backoff = seconds(notify_backoff, "notify_backoff")?;
            options.refresh_grace = seconds(refresh_grace, "refresh_grace")?;
            options.cert_mode = cert_mode;
            options.push_forms = emulator::PushForms::from_name(push_form, push_form_seed)?;
            options.aes_key = aes_key;
            Ok(emulator::Emulator::start(options)?)
        })?;
        Ok(Emulator {
            alipay_public_key: Py::new(py, PublicKey::wrap(started.alipay_public_key().clone()))?,
            base_url: started.base_url(),
            app_id: started.app_id().to_string(),
            cert_mode: started.is_cert_mode(),
            inner: RwLock::new(Some(Arc::new(started))),
        })
    }

    /// Starts an emulator: the same as the constructor.
    #[staticmethod]
    #[pyo3(signature = (
        app_id,
        app_public_key,
        *,
        host = "127.0.0.1",
        port = 0,
        notify_url = None,
        alipay_private_key = None,
        app_auth_token_ttl = 31536000.0,
        access_token_ttl = 7200.0,
        timestamp_window = 900.0,
        notify_attempts = 8,
        notify_backoff = 0.1,
        refresh_grace = 600.0,
        cert_mode = false,
        push_form = "classic",
        push_form_seed = None,
        aes_key = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        py: Python<'_>,
        app_id: String,
        app_public_key: &Bound<'_, PyAny>,
        host: &str,
        port: u16,
        notify_url: Option<String>,
        alipay_private_key: Option<&Bound<'_, PyAny>>,
        app_auth_token_ttl: f64,
        access_token_ttl: f64,
        timestamp_window: f64,
        notify_attempts: u32,
        notify_backoff: f64,
        refresh_grace: f64,
        cert_mode: bool,
        push_form: &str,
        push_form_seed: Option<u64>,
        aes_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Emulator::new(
            py,
            app_id,
            app_public_key,
            host,
            port,
            notify_url,
            alipay_private_key,
            app_auth_token_ttl,
            access_token_ttl,
            timestamp_window,
            notify_attempts,
            notify_backoff,
            refresh_grace,
            cert_mode,
            push_form,
            push_form_seed,
            aes_key,
        )
    }

    /// ``http://127.0.0.1:PORT``: the ``host`` of the emulator's authorisation links.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// ``base_url + "/gateway.do"``: the gateway to configure.
    #[getter]
    fn gateway_url(&self) -> String {
        format!("{}/gateway.do", self.base_url)
    }

    /// The ISV ``app_id`` the emulator serves.
    #[getter]
    fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The emulator's "Alipay" public key: configure it as the Alipay public key.
    #[getter]
    fn alipay_public_key(&self, py: Python<'_>) -> Py<PublicKey> {
        self.alipay_public_key.clone_ref(py)
    }

    /// The same key as SPKI PEM, for SDKs that take text.
    #[getter]
    fn alipay_public_key_pem(&self) -> PyResult<String> {
        guarded(|| Ok(self.alipay_public_key.get().inner.to_pem()))
    }

    /// Whether the emulator runs in certificate mode.
    #[getter]
    fn is_cert_mode(&self) -> bool {
        self.cert_mode
    }

    /// Certificate mode: the root bundle to configure as ``root_cert``: an ECDSA root
    /// (which the root SN leaves out), then the RSA root that signs the other certificates.
    ///
    /// Raises:
    ///     ConfigError: the emulator is not in certificate mode (as for the other
    ///         certificate-mode members).
    #[getter]
    fn root_cert_bundle_pem(&self) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.root_cert_bundle_pem()?))
    }

    /// Certificate mode: the ``alipay_root_cert_sn`` the emulator requires.
    #[getter]
    fn alipay_root_cert_sn(&self) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.alipay_root_cert_sn()?))
    }

    /// Certificate mode: the current Alipay certificate (``alipayCertPublicKey_RSA2.crt``),
    /// PEM.
    #[getter]
    fn alipay_cert_pem(&self) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.alipay_cert_pem()?))
    }

    /// Certificate mode: the SN of the current Alipay certificate, named in every signed
    /// answer and push.
    #[getter]
    fn alipay_cert_sn(&self) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.alipay_cert_sn()?))
    }

    /// Certificate mode: issues an app public-key certificate (PEM) for ``app_public_key``,
    /// signed by the emulator's root. Its SN is accepted as ``app_cert_sn`` only when the key is
    /// the app key the emulator serves; others are issued for tests of a mismatch.
    #[pyo3(signature = (app_public_key))]
    fn issue_app_cert(
        &self,
        py: Python<'_>,
        app_public_key: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let running = self.live()?;
        let key = KeyArg::public(app_public_key)?;
        detached(py, || Ok(running.issue_app_cert(&key.into_public()?)?))
    }

    /// Certificate mode: Alipay rotates its certificate: a new 2048-bit key and a new
    /// certificate from the same root sign every later answer and push (clients must download
    /// it); earlier certificates stay downloadable. Returns the new ``alipay_cert_sn``.
    fn rotate_alipay_cert(&self, py: Python<'_>) -> PyResult<String> {
        let running = self.live()?;
        // A new 2048-bit key is generated: release the GIL.
        detached(py, || Ok(running.rotate_alipay_cert()?))
    }

    /// Whether the emulator is still serving.
    #[getter]
    fn running(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Where pushes go from now on (``None``: nowhere; they are still recorded).
    #[pyo3(signature = (url))]
    fn set_notify_url(&self, url: Option<String>) -> PyResult<()> {
        let running = self.live()?;
        guarded(|| {
            running.set_notify_url(url);
            Ok(())
        })
    }

    /// Injects a fault into the next ``times`` gateway calls (``None``: until cleared);
    /// ``kind=None`` clears it.
    ///
    /// * ``"delay"``: wait ``delay`` seconds, then answer normally.
    /// * ``"reset"``: close the connection with a TCP reset without answering.
    /// * ``"truncated_body"``: send the headers and half the body, then close.
    /// * ``"bad_gateway"``: answer HTTP 502 with an HTML page.
    /// * ``"unsigned"``: answer a success without ``sign``.
    /// * ``"hang"``: read the request and never answer (until the emulator stops).
    /// * ``"trickle"``: send the answer one byte at a time, ``pause`` seconds apart.
    /// * ``"oversized"``: answer HTTP 200 with a body of ``size`` bytes (a JSON-looking prefix
    ///   padded with spaces, at most 1 GiB), to meet the client's ``max_response_bytes``.
    ///
    /// ``delay``, ``pause`` and ``size`` each belong to their one kind.
    ///
    /// Raises:
    ///     ConfigError: an unknown kind, a kind without its argument (``"delay"`` without
    ///         ``delay``, ``"trickle"`` without ``pause``, ``"oversized"`` without ``size``),
    ///         an argument the kind does not take, a negative or non-finite number of
    ///         seconds, or a ``size`` over 1 GiB.
    #[pyo3(signature = (kind, *, delay = None, times = None, pause = None, size = None))]
    fn set_fault(
        &self,
        kind: Option<&str>,
        delay: Option<f64>,
        times: Option<u32>,
        pause: Option<f64>,
        size: Option<usize>,
    ) -> PyResult<()> {
        let running = self.live()?;
        let fault = guarded(|| match kind {
            Some(kind) => fault(kind, delay, pause, size).map(Some),
            None if delay.is_some() || pause.is_some() || size.is_some() => {
                Err(Error::config("clearing the fault takes no delay, pause or size").into())
            }
            None => Ok(None),
        })?;
        guarded(|| {
            running.set_fault(fault, times);
            Ok(())
        })
    }

    /// The single merchant authorisation link on this emulator.
    #[pyo3(signature = (redirect_uri, state = None))]
    fn app_auth_url(&self, redirect_uri: &str, state: Option<&str>) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.app_auth_url(redirect_uri, state)))
    }

    /// The user consent link for the merchant app ``auth_app_id`` on this emulator.
    #[pyo3(signature = (auth_app_id, redirect_uri, scope = "auth_user", state = None))]
    fn user_consent_url(
        &self,
        auth_app_id: &str,
        redirect_uri: &str,
        scope: &str,
        state: Option<&str>,
    ) -> PyResult<String> {
        let running = self.live()?;
        guarded(|| Ok(running.user_consent_url(auth_app_id, scope, redirect_uri, state)))
    }

    /// The merchant opens an authorisation link (single, batch or console-style, built with
    /// ``host=emulator.base_url``) and agrees; returns the redirect target: the callback URL
    /// with ``app_auth_code`` and ``state``. The app-auth push starts now.
    ///
    /// Raises:
    ///     ConfigError: the link points elsewhere.
    ///     TransportError: the page refused (e.g. a wrong ``app_id``).
    #[pyo3(signature = (link))]
    fn merchant_authorizes(&self, py: Python<'_>, link: PyBackedStr) -> PyResult<String> {
        let running = self.live()?;
        detached(py, || Ok(running.merchant_authorizes(&link)?))
    }

    /// The user opens a consent link and agrees; returns the callback URL with
    /// ``auth_code``. Errors as for :meth:`merchant_authorizes`.
    #[pyo3(signature = (link))]
    fn user_consents(&self, py: Python<'_>, link: PyBackedStr) -> PyResult<String> {
        let running = self.live()?;
        detached(py, || Ok(running.user_consents(&link)?))
    }

    /// The merchant revokes the authorisation of ``auth_app_id``: its tokens stop working
    /// and ``alipay.open.auth.appauth.cancelled`` is pushed.
    ///
    /// Raises:
    ///     ConfigError: the app never authorised.
    #[pyo3(signature = (auth_app_id))]
    fn revoke(&self, py: Python<'_>, auth_app_id: PyBackedStr) -> PyResult<()> {
        let running = self.live()?;
        detached(py, || Ok(running.revoke(&auth_app_id)?))
    }

    /// A merchant orders the ISV's plugin in the service market (服务市场订购): the emulator
    /// records the order (one item, ``TO_DO``, for the merchant's mini program), authorises the
    /// plugin on that mini program, and pushes both the order message
    /// (``servicemarket_order_notify``, a :class:`ServiceMarketOrderNotification`) and the plugin
    /// authorisation (an :class:`AppAuthNotification` with ``trigger=appstore``), each retried
    /// until the application gateway answers ``success``. The order calls of :class:`Client`
    /// then walk the order (accept or reject, complete, confirm, cancel).
    ///
    /// Args:
    ///     merchant_pid: the ordering merchant (default: the owner of ``auth_app_id`` when it
    ///         authorised before, else a new PID).
    ///     auth_app_id: the merchant's mini program the plugin is for (default: a new app id).
    ///     title: the ordered service's name (default ``插件订购``).
    ///     total_price: the price in yuan, as text (default ``"0.00"``; a priced item cannot be
    ///         confirmed on the merchant's behalf: ``CONFIRM_CHARGE_ITEM_NOT_ALLOW``).
    ///     authorisation_first: push the plugin authorisation before the order message (the
    ///         real gateway may send either first).
    ///     unknown_to_query: fault: the order query answers ``ORDER_NOT_EXIST`` for this order.
    ///
    /// Raises:
    ///     ConfigError: a price that is not a non-negative number of yuan.
    #[pyo3(signature = (
        *,
        merchant_pid = None,
        auth_app_id = None,
        title = None,
        total_price = None,
        authorisation_first = false,
        unknown_to_query = false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn subscribe(
        &self,
        py: Python<'_>,
        merchant_pid: Option<String>,
        auth_app_id: Option<String>,
        title: Option<String>,
        total_price: Option<String>,
        authorisation_first: bool,
        unknown_to_query: bool,
    ) -> PyResult<Subscription> {
        let running = self.live()?;
        let options = emulator::SubscribeOptions {
            merchant_pid,
            auth_app_id,
            title,
            total_price,
            authorisation_first,
            unknown_to_query,
        };
        // The pushes start now (a Python application gateway in this process answers them).
        let subscription = detached(py, || Ok(running.subscribe(options)?))?;
        Ok(Subscription::wrap(subscription))
    }

    /// The merchant's current ``app_auth_token`` as the open-platform console shows it (with
    /// the merchant app, PID, and when the authorisation started and the token ends): what an
    /// ISV copies to import the merchant with :meth:`Registry.import_token`. No refresh token
    /// is shown.
    ///
    /// Raises:
    ///     ConfigError: the app never authorised, or the merchant revoked the authorisation.
    #[pyo3(signature = (auth_app_id))]
    fn console_app_auth_token(&self, auth_app_id: &str) -> PyResult<ConsoleToken> {
        let running = self.live()?;
        let entry = guarded(|| Ok(running.console_app_auth_token(auth_app_id)?))?;
        Ok(ConsoleToken::wrap(entry))
    }

    /// The file an OpenAPI v3 upload (:meth:`Client.upload_file_v3`) stored under ``file_id``:
    /// its name, size, MD5, ``biz_code`` and the merchant app it was uploaded for; ``None`` for
    /// an id the emulator never gave.
    ///
    /// Raises:
    ///     ConfigError: the emulator is stopped.
    #[pyo3(signature = (file_id))]
    fn uploaded_file(&self, file_id: &str) -> PyResult<Option<UploadedFile>> {
        let running = self.live()?;
        Ok(running.uploaded_file(file_id).map(UploadedFile::wrap))
    }

    /// Test hook: the current tokens of ``auth_app_id`` expire now (refresh tokens keep
    /// working).
    ///
    /// Raises:
    ///     ConfigError: the app never authorised.
    #[pyo3(signature = (auth_app_id))]
    fn expire_app_auth_token(&self, auth_app_id: &str) -> PyResult<()> {
        let running = self.live()?;
        guarded(|| Ok(running.expire_app_auth_token(auth_app_id)?))
    }

    /// Test hook: codes and tokens age by ``seconds`` (request timestamps are still checked
    /// against real time).
    #[pyo3(signature = (seconds))]
    fn advance_clock(&self, seconds: f64) -> PyResult<()> {
        let running = self.live()?;
        let by = guarded(|| crate::client::seconds(seconds, "seconds"))?;
        guarded(|| {
            running.advance_clock(by);
            Ok(())
        })
    }

    /// Gateway requests received for ``method`` (faulted ones included).
    #[pyo3(signature = (method))]
    fn call_count(&self, method: &str) -> PyResult<u64> {
        let running = self.live()?;
        guarded(|| Ok(running.call_count(method)))
    }

    /// Gateway requests received in all.
    fn total_calls(&self) -> PyResult<u64> {
        let running = self.live()?;
        guarded(|| Ok(running.total_calls()))
    }

    /// Every push so far, in the order they were made.
    fn deliveries(&self) -> PyResult<Vec<Delivery>> {
        let running = self.live()?;
        let deliveries = guarded(|| Ok(running.deliveries()))?;
        Ok(deliveries
            .into_iter()
            .map(|inner| Delivery { inner })
            .collect())
    }

    /// Waits until at least ``count`` pushes are finished (acknowledged, attempts
    /// exhausted, or nowhere to post); ``False`` on timeout.
    #[pyo3(signature = (count, timeout = 10.0))]
    fn wait_for_deliveries(&self, py: Python<'_>, count: usize, timeout: f64) -> PyResult<bool> {
        let running = self.live()?;
        detached(py, || {
            let timeout = seconds(timeout, "timeout")?;
            Ok(running.wait_for_deliveries(count, timeout))
        })
    }

    /// Stops the server and waits for it (idempotent). Other methods then raise
    /// :class:`ConfigError`.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self
            .inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // The last reference stops the server and joins its thread: without the GIL, so that a
        // Python application gateway can still answer a push in flight.
        detached(py, || {
            drop(taken);
            Ok(())
        })
    }

    /// The same as :meth:`stop`.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.stop(py)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            Ok(format!(
                "Emulator(base_url='{}', app_id='{}', alipay_key_fingerprint='{}', cert_mode={}, \
                 running={})",
                self.base_url,
                self.app_id,
                self.alipay_public_key.get().inner.fingerprint(),
                if self.cert_mode { "True" } else { "False" },
                if self.running() { "True" } else { "False" },
            ))
        })
    }
}
