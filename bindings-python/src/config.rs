//! `IsvConfig`: the Python face of `alipay_isv::config` — the app's identity, keys and options,
//! checked once (the app's own public key is refused as the Alipay key), and the entry point to
//! signing requests, verifying responses and notifications, and answering the gateway check.
//! In certificate mode (`app_cert`, `alipay_cert`, `root_cert`) it also carries the SNs and the
//! store of trusted Alipay certificates, shared with every client made from it. OpenAPI v3 signing
//! and answer verification (`v3_sign`, `v3_verify`) and the sans-IO form of a whole v3 call
//! (`prepare_v3`, `read_v3_answer`) are methods here too, converted in [`crate::v3`].

use std::sync::Arc;

use alipay_isv::{Error, config, notify, request};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::aes::extract_aes_key;
use crate::cert::cert_bytes;
use crate::convert::biz_content_text;
use crate::error::{detached, guarded};
use crate::key::{PrivateKey, PublicKey};
use crate::notify::NotificationVerifier;
use crate::request::SignedRequest;
use crate::response::ResponseVerifier;
use crate::sign::{extract_params, parse_options};
use crate::v3::{self, CallArgs, V3HttpRequest, V3Response, V3Signature};

/// The third-party app's configuration: ``app_id``, keys and options, checked once.
///
/// Immutable and safe to share between threads.
///
/// Checks and builds the configuration, in public-key mode (``alipay_public_key``) or in
/// public-key certificate mode (公钥证书模式: ``app_cert``, ``alipay_cert`` and ``root_cert``).
///
/// In certificate mode the Alipay key is the key of ``alipay_cert``, which must be valid
/// now and chained to ``root_cert``; ``app_cert`` must hold the public half of
/// ``private_key``; ``app_cert_sn`` and ``alipay_root_cert_sn`` are then signed into every
/// request, and answers are verified with the Alipay certificate they name
/// (``alipay_cert_sn``; an unknown one is downloaded by :class:`Client`). Each certificate
/// is a ``str`` (PEM or Base64 contents), ``bytes`` (PEM, DER or Base64), a
/// ``pathlib.Path`` (read), or a :class:`Certificate`.
///
/// Args:
///     app_id: the ISV app's id (digits, from the console).
///     private_key: the app private key.
///     alipay_public_key: the **Alipay** public key (支付宝公钥), not the app's own. In
///         certificate mode it may be left out (when given it must be the key of
///         ``alipay_cert``).
///     app_cert: the app public-key certificate (``appCertPublicKey_<app_id>.crt``).
///     alipay_cert: the Alipay public-key certificate (``alipayCertPublicKey_RSA2.crt``).
///     root_cert: the Alipay root bundle (``alipayRootCert.crt``).
///     sign_type: ``"RSA2"`` or ``"RSA"``.
///     charset: ``"UTF-8"`` or ``"GBK"``.
///     gateway: ``"production"``, ``"sandbox"`` or an ``http(s)://`` URL.
///     aes_key: the content-encryption key (an :class:`AesKey` or its Base64 text).
///     max_body_bytes: the largest response or notification body accepted.
///     v3_base: where OpenAPI v3 calls go: ``"production"``
///         (``https://openapi.alipay.com``), ``"sandbox"`` or an ``http(s)://`` URL (its
///         path is dropped); ``None`` takes the gateway's scheme and host.
///     v3_additional_auth_info: extra ``key=value`` pairs, separated by commas, appended
///         to the auth string of every OpenAPI v3 request after ``timestamp``, in the
///         ``Authorization`` header and in its signed first line, e.g.
///         ``"expired_seconds=120"`` (the official Node SDK's ``additionalAuthInfo``).
///         Keys are letters, digits, ``_`` and ``-``; values hold no comma; ``app_id``,
///         ``app_cert_sn``, ``nonce``, ``timestamp`` and ``sign`` are refused. ``None``
///         or ``""``: none.
///
/// Raises:
///     ConfigError: a bad ``app_id``, gateway, v3 base, v3 additional auth info, sign
///         type, charset or AES key, a key too short for ``RSA2``, or the app's own public
///         key given as the Alipay public key; no Alipay key at all, or only some of the
///         three certificates. In certificate mode also: a certificate that does not parse
///         or cannot be read, a root bundle without an RSA-signed root (only SM2 / ECDSA),
///         an Alipay certificate that is expired, not chained to the bundle or tampered
///         with, an app certificate for another key; a ``str`` certificate that looks like
///         a file name (pass a ``pathlib.Path``).
///     TypeError: a certificate of another type.
#[pyclass(module = "alipay_isv", frozen)]
pub struct IsvConfig {
    pub(crate) inner: config::IsvConfig,
}

#[pymethods]
impl IsvConfig {
    /// Checks and builds the configuration, in public-key mode (``alipay_public_key``) or in
    /// public-key certificate mode (公钥证书模式: ``app_cert``, ``alipay_cert`` and ``root_cert``).
    ///
    /// In certificate mode the Alipay key is the key of ``alipay_cert``, which must be valid
    /// now and chained to ``root_cert``; ``app_cert`` must hold the public half of
    /// ``private_key``; ``app_cert_sn`` and ``alipay_root_cert_sn`` are then signed into every
    /// request, and answers are verified with the Alipay certificate they name
    /// (``alipay_cert_sn``; an unknown one is downloaded by :class:`Client`). Each certificate
    /// is a ``str`` (PEM or Base64 contents), ``bytes`` (PEM, DER or Base64), a
    /// ``pathlib.Path`` (read), or a :class:`Certificate`.
    ///
    /// Args:
    ///     app_id: the ISV app's id (digits, from the console).
    ///     private_key: the app private key.
    ///     alipay_public_key: the **Alipay** public key (支付宝公钥), not the app's own. In
    ///         certificate mode it may be left out (when given it must be the key of
    ///         ``alipay_cert``).
    ///     app_cert: the app public-key certificate (``appCertPublicKey_<app_id>.crt``).
    ///     alipay_cert: the Alipay public-key certificate (``alipayCertPublicKey_RSA2.crt``).
    ///     root_cert: the Alipay root bundle (``alipayRootCert.crt``).
    ///     sign_type: ``"RSA2"`` or ``"RSA"``.
    ///     charset: ``"UTF-8"`` or ``"GBK"``.
    ///     gateway: ``"production"``, ``"sandbox"`` or an ``http(s)://`` URL.
    ///     aes_key: the content-encryption key (an :class:`AesKey` or its Base64 text).
    ///     max_body_bytes: the largest response or notification body accepted.
    ///     v3_base: where OpenAPI v3 calls go: ``"production"``
    ///         (``https://openapi.alipay.com``), ``"sandbox"`` or an ``http(s)://`` URL (its
    ///         path is dropped); ``None`` takes the gateway's scheme and host.
    ///     v3_additional_auth_info: extra ``key=value`` pairs, separated by commas, appended
    ///         to the auth string of every OpenAPI v3 request after ``timestamp``, in the
    ///         ``Authorization`` header and in its signed first line, e.g.
    ///         ``"expired_seconds=120"`` (the official Node SDK's ``additionalAuthInfo``).
    ///         Keys are letters, digits, ``_`` and ``-``; values hold no comma; ``app_id``,
    ///         ``app_cert_sn``, ``nonce``, ``timestamp`` and ``sign`` are refused. ``None``
    ///         or ``""``: none.
    ///
    /// Raises:
    ///     ConfigError: a bad ``app_id``, gateway, v3 base, v3 additional auth info, sign
    ///         type, charset or AES key, a key too short for ``RSA2``, or the app's own public
    ///         key given as the Alipay public key; no Alipay key at all, or only some of the
    ///         three certificates. In certificate mode also: a certificate that does not parse
    ///         or cannot be read, a root bundle without an RSA-signed root (only SM2 / ECDSA),
    ///         an Alipay certificate that is expired, not chained to the bundle or tampered
    ///         with, an app certificate for another key; a ``str`` certificate that looks like
    ///         a file name (pass a ``pathlib.Path``).
    ///     TypeError: a certificate of another type.
    #[new]
    #[pyo3(signature = (
        app_id,
        private_key,
        alipay_public_key = None,
        *,
        app_cert = None,
        alipay_cert = None,
        root_cert = None,
        sign_type = "RSA2",
        charset = "UTF-8",
        gateway = "production",
        aes_key = None,
        max_body_bytes = 10485760,
        v3_base = None,
        v3_additional_auth_info = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        app_id: PyBackedStr,
        private_key: PyRef<'_, PrivateKey>,
        alipay_public_key: Option<PyRef<'_, PublicKey>>,
        app_cert: Option<&Bound<'_, PyAny>>,
        alipay_cert: Option<&Bound<'_, PyAny>>,
        root_cert: Option<&Bound<'_, PyAny>>,
        sign_type: &str,
        charset: &str,
        gateway: &str,
        aes_key: Option<&Bound<'_, PyAny>>,
        max_body_bytes: usize,
        v3_base: Option<String>,
        v3_additional_auth_info: Option<String>,
    ) -> PyResult<Self> {
        let (sign_type, charset) = parse_options(sign_type, charset)?;
        let aes_key = aes_key.map(extract_aes_key).transpose()?;
        let certificates = cert_inputs(app_cert, alipay_cert, root_cert)?;
        let gateway = gateway.to_string();
        let private_key = Arc::clone(&private_key.inner);
        let alipay_public_key = alipay_public_key.map(|key| Arc::clone(&key.inner));
        // Building signs a probe (the own-key check) and checks certificate chains: release the GIL.
        let inner = detached(py, || {
            let mut builder = match (alipay_public_key, certificates) {
                (Some(key), None) => config::IsvConfig::builder(&*app_id, private_key, key),
                (Some(key), Some([app, alipay, root])) => {
                    config::IsvConfig::builder(&*app_id, private_key, key)
                        .cert_mode(app, alipay, root)
                }
                (None, Some([app, alipay, root])) => {
                    config::IsvConfig::cert_builder(&*app_id, private_key, app, alipay, root)
                }
                (None, None) => {
                    return Err(Error::config(
                        "no Alipay key: give `alipay_public_key` (public-key mode), or `app_cert`, \
                         `alipay_cert` and `root_cert` (certificate mode)",
                    )
                    .into());
                }
            };
            builder = builder
                .sign_type(sign_type)
                .charset(charset)
                .gateway(gateway)
                .max_body_bytes(max_body_bytes);
            if let Some(key) = aes_key {
                builder = builder.aes_key(key);
            }
            if let Some(base) = v3_base {
                builder = builder.v3_base(base);
            }
            if let Some(extension) = v3_additional_auth_info {
                builder = builder.v3_additional_auth_info(extension);
            }
            Ok(builder.build()?)
        })?;
        Ok(IsvConfig { inner })
    }

    /// The app's ``app_id``.
    #[getter]
    fn app_id(&self) -> &str {
        self.inner.app_id()
    }

    /// The gateway URL.
    #[getter]
    fn gateway(&self) -> &str {
        self.inner.gateway()
    }

    /// The base URL of OpenAPI v3 calls (scheme and host, no path), e.g.
    /// ``"https://openapi.alipay.com"``: the ``v3_base`` given, or the gateway's scheme and
    /// host.
    #[getter]
    fn v3_base(&self) -> &str {
        self.inner.v3_base()
    }

    /// The ``key=value`` pairs appended to the auth string of every OpenAPI v3 request
    /// after ``timestamp`` (e.g. ``"expired_seconds=120"``); ``None`` when none were given.
    #[getter]
    fn v3_additional_auth_info(&self) -> Option<&str> {
        self.inner.v3_additional_auth_info()
    }

    /// ``"RSA2"`` or ``"RSA"``.
    #[getter]
    fn sign_type(&self) -> &'static str {
        self.inner.signer().sign_type().as_str()
    }

    /// ``"UTF-8"`` or ``"GBK"``.
    #[getter]
    fn charset(&self) -> &'static str {
        self.inner.signer().charset().as_str()
    }

    /// The Alipay public key (in certificate mode: the key of ``alipay_cert``).
    #[getter]
    fn alipay_public_key(&self) -> PublicKey {
        PublicKey::wrap((**self.inner.alipay_public_key()).clone())
    }

    /// Whether the configuration is in public-key certificate mode.
    #[getter]
    fn cert_mode(&self) -> bool {
        self.inner.cert_mode().is_some()
    }

    /// Certificate mode: the ``app_cert_sn`` signed into every request; else ``None``.
    #[getter]
    fn app_cert_sn(&self) -> Option<&str> {
        self.inner.cert_mode().map(|cert| cert.app_cert_sn())
    }

    /// Certificate mode: the ``alipay_root_cert_sn`` signed into every request; else
    /// ``None``.
    #[getter]
    fn alipay_root_cert_sn(&self) -> Option<&str> {
        self.inner
            .cert_mode()
            .map(|cert| cert.alipay_root_cert_sn())
    }

    /// Certificate mode: the SN of the configured Alipay certificate; else ``None``.
    #[getter]
    fn alipay_cert_sn(&self) -> Option<&str> {
        self.inner.cert_mode().map(|cert| cert.alipay_cert_sn())
    }

    /// Certificate mode: the SNs of every trusted Alipay certificate (the configured one and
    /// those downloaded since, by any client of this configuration), sorted; else ``None``.
    #[getter]
    fn trusted_alipay_cert_sns(&self) -> PyResult<Option<Vec<String>>> {
        guarded(|| {
            Ok(self
                .inner
                .cert_mode()
                .map(|cert| cert.cert_store().known_sns()))
        })
    }

    /// Certificate mode, without a :class:`Client`: checks an Alipay certificate you
    /// downloaded yourself (``alipay.open.app.alipaycert.download``) against the root bundle
    /// now, then trusts it for every user of this configuration; returns its SN.
    ///
    /// Raises:
    ///     SignatureError: the certificate does not parse, is expired, is not chained to the
    ///         root bundle, is tampered with, or its key is not RSA.
    ///     ConfigError: the configuration is not in certificate mode.
    #[pyo3(signature = (alipay_cert))]
    fn trust_alipay_cert(
        &self,
        py: Python<'_>,
        alipay_cert: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let bytes = cert_bytes(alipay_cert, "alipay_cert")?;
        detached(py, || {
            let cert = self.inner.cert_mode().ok_or_else(|| {
                Error::config("the configuration is not in certificate mode (app_cert, alipay_cert, root_cert)")
            })?;
            Ok(cert.cert_store().trust(&bytes)?)
        })
    }

    /// Builds and signs a request for ``method`` (``app_id, method, format=JSON, charset,
    /// sign_type, timestamp, version=1.0`` plus the options given, then ``sign``).
    ///
    /// Args:
    ///     method: the API, e.g. ``"alipay.open.auth.token.app"``.
    ///     biz_content: a ``dict`` (serialised to compact JSON) or JSON text.
    ///     app_auth_token: the merchant's token, for a delegated call.
    ///     auth_token: the user's ``access_token``.
    ///     notify_url: where Alipay posts this call's notifications.
    ///     return_url: where a page flow returns.
    ///     extra_params: other top-level parameters, e.g. ``grant_type`` and ``code`` of
    ///         ``alipay.system.oauth.token``.
    ///     encrypt: AES-encrypt ``biz_content`` (``encrypt_type=AES``) with the configured key.
    ///     timestamp: ``yyyy-MM-dd HH:mm:ss`` China time instead of now (tests, replays).
    ///
    /// Raises:
    ///     ConfigError: an empty method, an extra parameter colliding with a common one,
    ///         ``encrypt`` without an AES key, a malformed timestamp, text the charset cannot
    ///         encode.
    ///     TypeError: ``biz_content`` not a ``dict``/``str``, ``extra_params`` not str to str.
    ///     ValueError: ``biz_content`` holds ``NaN`` or infinity.
    #[pyo3(signature = (
        method,
        *,
        biz_content = None,
        app_auth_token = None,
        auth_token = None,
        notify_url = None,
        return_url = None,
        extra_params = None,
        encrypt = false,
        timestamp = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn sign_request(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        biz_content: Option<&Bound<'_, PyAny>>,
        app_auth_token: Option<String>,
        auth_token: Option<String>,
        notify_url: Option<String>,
        return_url: Option<String>,
        extra_params: Option<&Bound<'_, PyAny>>,
        encrypt: bool,
        timestamp: Option<String>,
    ) -> PyResult<SignedRequest> {
        let options = call_options(
            biz_content,
            app_auth_token,
            auth_token,
            notify_url,
            return_url,
            extra_params,
            encrypt,
            timestamp,
        )?;
        let inner = detached(py, || Ok(self.inner.sign_request(&method, &options)?))?;
        Ok(SignedRequest { inner })
    }

    /// A verifier of this app's gateway responses (its sign type, charset, AES key and
    /// body limit; in certificate mode, the trusted Alipay certificates).
    fn response_verifier(&self) -> ResponseVerifier {
        let signer = self.inner.signer();
        let inner = self.inner.response_verifier().clone();
        ResponseVerifier::wrap(inner, signer.sign_type(), signer.charset())
    }

    /// A verifier of the notifications posted to this app's gateway (its body limit; in
    /// certificate mode it picks the key by ``alipay_cert_sn``).
    fn notification_verifier(&self) -> NotificationVerifier {
        NotificationVerifier::wrap(self.inner.notification_verifier())
    }

    /// The signed XML answer to the legacy gateway check (``service=alipay.service.check``),
    /// carrying the app public key. Pass ``verified=False`` when the check request's own
    /// signature did not verify: the answer then says ``VERIFY_FAILED``.
    #[pyo3(signature = (verified = true))]
    fn service_check_answer(&self, py: Python<'_>, verified: bool) -> PyResult<String> {
        detached(py, || {
            Ok(notify::service_check_answer(self.inner.signer(), verified)?)
        })
    }

    /// Signs an OpenAPI v3 request (``https://openapi.alipay.com/v3/…``) as this app: the
    /// ``Authorization`` header ``ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…``
    /// (with :attr:`v3_additional_auth_info` after ``timestamp`` when configured) over the
    /// auth string, the method, the request target, the body and, on a merchant's
    /// behalf, its ``app_auth_token`` (SHA256withRSA over UTF-8, whatever ``sign_type`` and
    /// ``charset`` say). Send every header of :attr:`V3Signature.headers` with the request,
    /// and the body exactly as signed. Tokens are per call, never per configuration.
    ///
    /// Args:
    ///     method: the HTTP method, upper case (``"POST"``, ``"GET"``).
    ///     request_target: the path and query exactly as sent, percent-encoded, e.g.
    ///         ``"/v3/alipay/open/auth/token/app"``.
    ///     body: the body exactly as sent (the JSON text); ``""`` when there is none.
    ///     app_auth_token: the merchant's token, for a call on its behalf (signed, and sent in
    ///         the ``alipay-app-auth-token`` header).
    ///     nonce: a fixed nonce instead of a fresh random one (tests, replays); only with
    ///         ``timestamp_ms``.
    ///     timestamp_ms: a fixed time, in milliseconds since the Unix epoch, instead of now;
    ///         only with ``nonce``.
    ///
    /// Raises:
    ///     ConfigError: a method that is not upper case, a request target that does not start
    ///         with ``/`` or holds a space or a line break, a token with a line break, a nonce
    ///         with a comma, ``nonce`` without ``timestamp_ms`` or the reverse. The text never
    ///         holds the token.
    ///     OverflowError: a negative ``timestamp_ms``.
    #[pyo3(signature = (
        method,
        request_target,
        body = "",
        *,
        app_auth_token = None,
        nonce = None,
        timestamp_ms = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn v3_sign(
        &self,
        py: Python<'_>,
        method: &str,
        request_target: &str,
        body: &str,
        app_auth_token: Option<&str>,
        nonce: Option<&str>,
        timestamp_ms: Option<u64>,
    ) -> PyResult<V3Signature> {
        v3::sign(
            py,
            &self.inner,
            method,
            request_target,
            body,
            app_auth_token,
            nonce,
            timestamp_ms,
        )
    }

    /// Verifies an OpenAPI v3 answer: Alipay's ``alipay-signature`` over the
    /// ``alipay-timestamp`` and ``alipay-nonce`` headers and the raw body, one per line, with
    /// the Alipay public key (in certificate mode, the trusted Alipay certificate that
    /// ``alipay-sn`` names). Returns ``"verified"``, or ``"unsigned"`` for an unsigned answer
    /// that is not a success (Alipay's error answers often are not signed: nobody vouches for
    /// their ``code`` and ``message``). Alipay's trace id is the ``alipay-trace-id`` header.
    ///
    /// Args:
    ///     status: the HTTP status.
    ///     headers: every header received, names in any case: a mapping, or a sequence of
    ///         ``(name, value)`` pairs. A header received twice must be passed twice: give
    ///         httpx's or Starlette's ``Headers`` as they are (their ``multi_items()`` are
    ///         read), aiohttp's, werkzeug's or ``http.client``'s too (their ``items()``).
    ///         ``bytes`` names and values are read as Latin-1.
    ///     body: the raw body as received, before any AES decryption (``bytes``; a ``str`` is
    ///         encoded in UTF-8).
    ///
    /// Raises:
    ///     SignatureError: a success (2xx) answer without ``alipay-signature`` (is the
    ///         endpoint a v2 ``gateway.do``?), a signature that does not verify, an
    ///         ``alipay-sn`` this configuration does not trust (see
    ///         :meth:`trust_alipay_cert`).
    ///     ProtocolError: the signature, timestamp, nonce or SN header given twice, an
    ///         ``alipay-timestamp`` that is not a number, no ``alipay-nonce``, a body that is
    ///         not UTF-8 or is over 10 MiB.
    ///     TypeError: ``headers`` of another shape, ``body`` not ``bytes`` or ``str``.
    #[pyo3(signature = (status, headers, body))]
    fn v3_verify(
        &self,
        py: Python<'_>,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<&'static str> {
        v3::verify(py, &self.inner, status, headers, body)
    }

    /// Encodes and signs an OpenAPI v3 call as this app, without sending it: the sans-IO form
    /// of :meth:`Client.execute_v3`, for a host with its own HTTP stack. Send the request's
    /// ``method`` to its ``url`` with its ``headers`` and ``body``, then read the answer with
    /// :meth:`read_v3_answer`::
    ///
    ///     request = config.prepare_v3("POST", "/v3/alipay/open/mini/version/list/query",
    ///                                 body={}, app_auth_token=token)
    ///     answer = httpx.request(request.method, request.url, headers=request.headers,
    ///                            content=request.body)
    ///     response = config.read_v3_answer(answer.status_code, answer.headers, answer.content,
    ///                                      encrypted=request.encrypted)
    ///
    /// Args:
    ///     method, path, query, body, app_auth_token, encrypt, files, request_id: as for
    ///         :meth:`Client.execute_v3`.
    ///     nonce: a fixed nonce instead of a fresh random one (tests, replays); only with
    ///         ``timestamp_ms``.
    ///     timestamp_ms: a fixed time, in milliseconds since the Unix epoch, instead of now;
    ///         only with ``nonce``.
    ///
    /// Raises:
    ///     ConfigError: as for :meth:`Client.execute_v3`; ``nonce`` without ``timestamp_ms`` or
    ///         the reverse. The text never holds a token.
    ///     TypeError, ValueError: as for :meth:`Client.execute_v3`.
    ///     OverflowError: a negative ``timestamp_ms``.
    #[pyo3(signature = (
        method,
        path,
        *,
        query = None,
        body = None,
        app_auth_token = None,
        encrypt = false,
        files = None,
        request_id = None,
        nonce = None,
        timestamp_ms = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn prepare_v3(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        query: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        app_auth_token: Option<String>,
        encrypt: bool,
        files: Option<&Bound<'_, PyAny>>,
        request_id: Option<String>,
        nonce: Option<&str>,
        timestamp_ms: Option<u64>,
    ) -> PyResult<V3HttpRequest> {
        let fixed = v3::fixed_clock(nonce, timestamp_ms)?;
        let call = CallArgs {
            method,
            path,
            query,
            body,
            app_auth_token,
            encrypt,
            files,
            request_id,
        }
        .into_call()?;
        v3::prepare(py, &self.inner, &call, fixed)
    }

    /// Verifies and reads the answer to an OpenAPI v3 call sent by your own HTTP stack (the
    /// sans-IO form of what :meth:`Client.execute_v3` does): the signature as
    /// :meth:`v3_verify` checks it, then a success's body, decrypted when the call was
    /// ``encrypted``, or the typed error of a failure.
    ///
    /// Args:
    ///     status: the HTTP status.
    ///     headers: every header received, as for :meth:`v3_verify`.
    ///     body: the raw body as received (``bytes``; a ``str`` is encoded in UTF-8).
    ///     encrypted: whether the call was encrypted (:attr:`V3HttpRequest.encrypted`).
    ///
    /// Raises:
    ///     ApiError: a v3 error answer (``{code, message, links}``): ``http_status``, ``code``
    ///         (e.g. ``"invalid-app-auth-token"``), ``msg``, ``trace_id``, ``links``, a ``hint``
    ///         for the codes ISVs meet, ``signed`` whether it verified.
    ///     TransportError: a non-2xx answer that is not an Alipay error (a proxy's or load
    ///         balancer's page).
    ///     SignatureError: as for :meth:`v3_verify` (an unsigned success, a signature that does
    ///         not verify, an ``alipay-sn`` not trusted yet: fetch that certificate with
    ///         :meth:`Client.fetch_alipay_cert` or :meth:`trust_alipay_cert` and read the same
    ///         answer again).
    ///     ProtocolError: as for :meth:`v3_verify`; a success that is not a JSON object or does
    ///         not decrypt.
    ///     TypeError: ``headers`` or ``body`` of another shape.
    #[pyo3(signature = (status, headers, body, encrypted = false))]
    fn read_v3_answer(
        &self,
        py: Python<'_>,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        encrypted: bool,
    ) -> PyResult<V3Response> {
        v3::read(py, &self.inner, status, headers, body, encrypted)
    }

    fn __repr__(&self) -> PyResult<String> {
        guarded(|| {
            let signer = self.inner.signer();
            Ok(format!(
                "IsvConfig(app_id='{}', gateway='{}', sign_type='{}', charset='{}', \
                 app_key_fingerprint='{}', alipay_key_fingerprint='{}', aes={}, cert_mode={})",
                self.inner.app_id(),
                self.inner.gateway(),
                signer.sign_type(),
                signer.charset(),
                signer.key().public_key().fingerprint(),
                self.inner.alipay_public_key().fingerprint(),
                if self.inner.aes_key().is_some() {
                    "True"
                } else {
                    "False"
                },
                if self.cert_mode() { "True" } else { "False" },
            ))
        })
    }
}

/// The three certificates of certificate mode, all or none (naming the missing ones).
fn cert_inputs(
    app_cert: Option<&Bound<'_, PyAny>>,
    alipay_cert: Option<&Bound<'_, PyAny>>,
    root_cert: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<[Vec<u8>; 3]>> {
    match (app_cert, alipay_cert, root_cert) {
        (None, None, None) => Ok(None),
        (Some(app), Some(alipay), Some(root)) => Ok(Some([
            cert_bytes(app, "app_cert")?,
            cert_bytes(alipay, "alipay_cert")?,
            cert_bytes(root, "root_cert")?,
        ])),
        _ => {
            let missing: Vec<&str> = [
                ("app_cert", app_cert.is_none()),
                ("alipay_cert", alipay_cert.is_none()),
                ("root_cert", root_cert.is_none()),
            ]
            .into_iter()
            .filter_map(|(name, absent)| absent.then_some(name))
            .collect();
            guarded(|| {
                Err(Error::config(format!(
                    "certificate mode needs app_cert, alipay_cert and root_cert; missing: {}",
                    missing.join(", ")
                ))
                .into())
            })
        }
    }
}

/// The core call options from the keyword arguments `sign_request` and `Client.execute` share.
#[allow(clippy::too_many_arguments)]
pub(crate) fn call_options(
    biz_content: Option<&Bound<'_, PyAny>>,
    app_auth_token: Option<String>,
    auth_token: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    extra_params: Option<&Bound<'_, PyAny>>,
    encrypt: bool,
    timestamp: Option<String>,
) -> PyResult<request::CallOptions> {
    Ok(request::CallOptions {
        app_auth_token,
        auth_token,
        notify_url,
        return_url,
        biz_content: biz_content.map(biz_content_text).transpose()?,
        extra_params: extra_params
            .map(extract_params)
            .transpose()?
            .unwrap_or_default(),
        encrypt,
        timestamp,
        ..request::CallOptions::default()
    })
}
