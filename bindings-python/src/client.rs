//! `Client` and `RetryPolicy`: the Python face of `alipay_isv::client` and `alipay_isv::transport`.
//!
//! Every network call releases the GIL for its whole duration (signing, HTTP, verification), so
//! threads — and `alipay_isv.aio`, which runs these calls on worker threads — truly run in
//! parallel. The client holds no token: tokens are passed per call. In certificate mode the
//! client downloads an Alipay certificate it does not know yet (`fetch_alipay_cert`, also done by
//! `execute`, `execute_v3` and `verify_notification` by themselves). One client speaks both
//! protocols: the classic `gateway.do` calls and OpenAPI v3 (`execute_v3` and the typed `*_v3`
//! calls, their arguments and answers converted in [`crate::v3`]).

use std::time::Duration;

use alipay_isv::sign::Charset;
use alipay_isv::{Error, client, transport};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::auth::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
use crate::config::{IsvConfig, call_options};
use crate::convert::Body;
use crate::error::{Failure, detached, guarded};
use crate::notify::typed_with_form;
use crate::response::VerifiedResponse;
use crate::servicemarket::{ServiceMarketOrderPage, ServiceMarketOrderPages, item_target};
use crate::v3::{CallArgs, FileUpload, ReadResponse, V3File, V3Response, upload_file};

/// A duration from seconds given in Python; `what` names the argument in the error.
pub(crate) fn seconds(value: f64, what: &str) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        Error::config(format!(
            "`{what}` must be a finite, non-negative number of seconds, not {value}"
        ))
        .into()
    })
}

/// How :meth:`Client.execute` retries transport failures (``retry=RetryPolicy(...)``).
///
/// By default only failures before the request could reach the gateway are retried
/// (``TransportError.request_sent`` false: DNS, connect, TLS): that can never run a call twice.
///
/// A retry policy.
///
/// Args:
///     attempts: total attempts, the first included (0 counts as 1).
///     backoff: seconds to wait before the second attempt, doubled before each later one.
///     idempotent: also retry failures after the request may have been received (timeouts,
///         resets, HTTP 5xx): set it only for idempotent calls such as queries.
///
/// Raises:
///     ConfigError: a negative or non-finite backoff.
#[pyclass(module = "alipay_isv", frozen)]
pub struct RetryPolicy {
    pub(crate) inner: transport::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    /// A retry policy.
    ///
    /// Args:
    ///     attempts: total attempts, the first included (0 counts as 1).
    ///     backoff: seconds to wait before the second attempt, doubled before each later one.
    ///     idempotent: also retry failures after the request may have been received (timeouts,
    ///         resets, HTTP 5xx): set it only for idempotent calls such as queries.
    ///
    /// Raises:
    ///     ConfigError: a negative or non-finite backoff.
    #[new]
    #[pyo3(signature = (attempts = 3, backoff = 0.2, idempotent = false))]
    fn new(attempts: u32, backoff: f64, idempotent: bool) -> PyResult<Self> {
        let backoff = guarded(|| seconds(backoff, "backoff"))?;
        Ok(RetryPolicy {
            inner: transport::RetryPolicy {
                attempts,
                backoff,
                idempotent,
            },
        })
    }

    /// Total attempts, the first included.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Seconds before the second attempt, doubled before each later one.
    #[getter]
    fn backoff(&self) -> f64 {
        self.inner.backoff.as_secs_f64()
    }

    /// Whether failures after the request may have been received are retried too.
    #[getter]
    fn idempotent(&self) -> bool {
        self.inner.idempotent
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(attempts={}, backoff={}, idempotent={})",
            self.inner.attempts,
            self.inner.backoff.as_secs_f64(),
            if self.inner.idempotent {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// Calls the Alipay gateway on behalf of merchants: signs, POSTs, verifies.
///
/// Immutable and safe to share between threads (one client serves every merchant; tokens are
/// passed per call). Every call releases the GIL for its whole duration; nothing is retried
/// unless ``retry`` says so. ``repr()`` shows the app id, gateway and timeouts only. For asyncio,
/// use :class:`alipay_isv.aio.Client`.
///
/// A client of ``config`` on the default HTTP transport (TLS on rustls/aws-lc-rs,
/// pooled keep-alive connections).
///
/// Args:
///     config: the ISV app's configuration (its gateway: production, sandbox or a URL
///         such as :attr:`Emulator.gateway_url`).
///     connect_timeout: seconds to resolve, connect and finish the TLS handshake.
///     read_timeout: seconds to send the request and receive the whole answer; the
///         whole exchange never takes longer than ``connect_timeout + read_timeout``
///         (a peer that hangs or answers byte by byte ends in a ``TransportError``).
///     max_response_bytes: answers larger than this are refused (``TransportError``).
///     proxy: an ``http://host:port`` proxy; ``None`` reads ``HTTPS_PROXY``,
///         ``HTTP_PROXY``, ``ALL_PROXY`` (honouring ``NO_PROXY``).
///     max_idle_connections_per_host: idle keep-alive connections kept per host.
///
/// Raises:
///     ConfigError: a zero, negative or non-finite timeout, a malformed proxy URL.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Client {
    pub(crate) inner: client::Client,
    config: Py<IsvConfig>,
    options: transport::TransportOptions,
}

#[pymethods]
impl Client {
    /// A client of ``config`` on the default HTTP transport (TLS on rustls/aws-lc-rs,
    /// pooled keep-alive connections).
    ///
    /// Args:
    ///     config: the ISV app's configuration (its gateway: production, sandbox or a URL
    ///         such as :attr:`Emulator.gateway_url`).
    ///     connect_timeout: seconds to resolve, connect and finish the TLS handshake.
    ///     read_timeout: seconds to send the request and receive the whole answer; the
    ///         whole exchange never takes longer than ``connect_timeout + read_timeout``
    ///         (a peer that hangs or answers byte by byte ends in a ``TransportError``).
    ///     max_response_bytes: answers larger than this are refused (``TransportError``).
    ///     proxy: an ``http://host:port`` proxy; ``None`` reads ``HTTPS_PROXY``,
    ///         ``HTTP_PROXY``, ``ALL_PROXY`` (honouring ``NO_PROXY``).
    ///     max_idle_connections_per_host: idle keep-alive connections kept per host.
    ///
    /// Raises:
    ///     ConfigError: a zero, negative or non-finite timeout, a malformed proxy URL.
    #[new]
    #[pyo3(signature = (
        config,
        *,
        connect_timeout = 5.0,
        read_timeout = 15.0,
        max_response_bytes = 10485760,
        proxy = None,
        max_idle_connections_per_host = 16,
    ))]
    fn new(
        config: Bound<'_, IsvConfig>,
        connect_timeout: f64,
        read_timeout: f64,
        max_response_bytes: usize,
        proxy: Option<String>,
        max_idle_connections_per_host: usize,
    ) -> PyResult<Self> {
        let core_config = config.get().inner.clone();
        let (inner, options) = guarded(|| {
            let options = transport::TransportOptions {
                connect_timeout: seconds(connect_timeout, "connect_timeout")?,
                read_timeout: seconds(read_timeout, "read_timeout")?,
                max_response_bytes,
                proxy,
                max_idle_connections_per_host,
            };
            let inner = client::Client::with_transport_options(core_config, options.clone())?;
            Ok((inner, options))
        })?;
        Ok(Client {
            inner,
            config: config.unbind(),
            options,
        })
    }

    /// The configuration the client signs and verifies with.
    #[getter]
    fn config(&self, py: Python<'_>) -> Py<IsvConfig> {
        self.config.clone_ref(py)
    }

    /// Calls any Alipay API: signs ``method`` (see :meth:`IsvConfig.sign_request` for the
    /// arguments), POSTs it, verifies the answer and returns its fields.
    ///
    /// Args:
    ///     retry: retry transport failures under this policy, signing each attempt afresh;
    ///         ``None`` (the default) tries once.
    ///     auth_app_id: the merchant app the call is for; not sent, it labels the call's
    ///         logging event and counters (:meth:`Registry.execute_for` sets it itself).
    ///
    /// Raises:
    ///     ApiError: the gateway answered an error (``code``, ``sub_code``, ``signed``...).
    ///     SignatureError: the answer did not verify (or carried no ``sign``).
    ///     TransportError: no complete answer (DNS, connect, timeout, reset, TLS, an HTTP status
    ///         other than 200); ``request_sent`` says whether the call may have run.
    ///     ProtocolError: a malformed, truncated or oversized answer.
    ///     ConfigError: bad arguments, as for :meth:`IsvConfig.sign_request`.
    #[pyo3(signature = (
        method,
        biz_content = None,
        *,
        app_auth_token = None,
        auth_token = None,
        notify_url = None,
        return_url = None,
        extra_params = None,
        encrypt = false,
        retry = None,
        auth_app_id = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn execute(
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
        retry: Option<PyRef<'_, RetryPolicy>>,
        auth_app_id: Option<String>,
    ) -> PyResult<VerifiedResponse> {
        let mut options = call_options(
            biz_content,
            app_auth_token,
            auth_token,
            notify_url,
            return_url,
            extra_params,
            encrypt,
            None,
        )?;
        options.auth_app_id = auth_app_id;
        let policy = retry.map(|policy| policy.inner.clone());
        let verified = detached(py, || {
            Ok(match &policy {
                Some(policy) => self.inner.execute_with_retry(&method, &options, policy)?,
                None => self.inner.execute(&method, &options)?,
            })
        })?;
        VerifiedResponse::convert(py, verified)
    }

    /// Exchanges the ``app_auth_code`` of an authorisation callback for the merchant's
    /// tokens (``alipay.open.auth.token.app``): one per authorised app, several for a batch
    /// authorisation. Called as the ISV itself.
    ///
    /// Raises:
    ///     ApiError: ``40002 isv.code-invalid`` for an unknown, expired or used code; the other
    ///         errors of :meth:`execute`.
    #[pyo3(signature = (app_auth_code))]
    fn exchange_app_auth_code(
        &self,
        py: Python<'_>,
        app_auth_code: PyBackedStr,
    ) -> PyResult<Vec<AppAuthToken>> {
        let tokens = detached(py, || {
            Ok(self.inner.exchange_app_auth_code(&app_auth_code)?)
        })?;
        Ok(tokens.into_iter().map(AppAuthToken::wrap).collect())
    }

    /// Refreshes a merchant's token with its ``app_refresh_token``. The previous token keeps
    /// working for about ten minutes; the previous refresh token is dead at once.
    ///
    /// Raises:
    ///     ApiError: as for :meth:`exchange_app_auth_code`.
    #[pyo3(signature = (app_refresh_token))]
    fn refresh_app_auth_token(
        &self,
        py: Python<'_>,
        app_refresh_token: PyBackedStr,
    ) -> PyResult<Vec<AppAuthToken>> {
        let tokens = detached(py, || {
            Ok(self.inner.refresh_app_auth_token(&app_refresh_token)?)
        })?;
        Ok(tokens.into_iter().map(AppAuthToken::wrap).collect())
    }

    /// Asks the gateway what it knows of a merchant token
    /// (``alipay.open.auth.token.app.query``).
    ///
    /// Raises:
    ///     ApiError: ``20001 aop.invalid-app-auth-token`` for an unknown token.
    #[pyo3(signature = (app_auth_token))]
    fn query_app_auth_token(
        &self,
        py: Python<'_>,
        app_auth_token: PyBackedStr,
    ) -> PyResult<AppAuthTokenInfo> {
        let info = detached(py, || {
            Ok(self.inner.query_app_auth_token(&app_auth_token)?)
        })?;
        Ok(AppAuthTokenInfo::wrap(info))
    }

    /// Exchanges a user's ``auth_code`` for an access token (``alipay.system.oauth.token``),
    /// on the merchant's behalf when ``app_auth_token`` is given.
    ///
    /// Raises:
    ///     ApiError: ``40002 isv.code-invalid`` for a bad or used code.
    #[pyo3(signature = (auth_code, app_auth_token = None))]
    fn exchange_user_auth_code(
        &self,
        py: Python<'_>,
        auth_code: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserToken> {
        let token = detached(py, || {
            Ok(self
                .inner
                .exchange_user_auth_code(&auth_code, app_auth_token.as_deref())?)
        })?;
        Ok(UserToken::wrap(token))
    }

    /// Refreshes a user's access token with its ``refresh_token``.
    ///
    /// Raises:
    ///     ApiError: as for :meth:`exchange_user_auth_code`.
    #[pyo3(signature = (refresh_token, app_auth_token = None))]
    fn refresh_user_token(
        &self,
        py: Python<'_>,
        refresh_token: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserToken> {
        let token = detached(py, || {
            Ok(self
                .inner
                .refresh_user_token(&refresh_token, app_auth_token.as_deref())?)
        })?;
        Ok(UserToken::wrap(token))
    }

    /// Reads the user's profile (``alipay.user.info.share``) with their access token, on
    /// the merchant's behalf when ``app_auth_token`` is given.
    ///
    /// Raises:
    ///     ApiError: ``20001 aop.invalid-auth-token`` for an expired access token.
    #[pyo3(signature = (access_token, app_auth_token = None))]
    fn user_info_share(
        &self,
        py: Python<'_>,
        access_token: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserInfo> {
        let info = detached(py, || {
            Ok(self
                .inner
                .user_info_share(&access_token, app_auth_token.as_deref())?)
        })?;
        UserInfo::convert(py, info)
    }

    /// Calls any OpenAPI v3 operation (``https://openapi.alipay.com/v3/…``, the host being
    /// :attr:`IsvConfig.v3_base`): encodes and signs the call (``Authorization:
    /// ALIPAY-SHA256withRSA …``, the merchant's token in the signed string and the
    /// ``alipay-app-auth-token`` header), sends it, verifies the answer's ``alipay-signature``
    /// over its exact bytes (in certificate mode, downloading a new Alipay certificate the
    /// answer names) and returns it. Nothing is retried::
    ///
    ///     answer = client.execute_v3("POST", "/v3/alipay/open/mini/version/list/query",
    ///                                body={}, app_auth_token=token)
    ///     answer.fields["app_versions"]
    ///
    /// Args:
    ///     method: the HTTP method (``"GET"``, ``"POST"``, ...; sent in upper case).
    ///     path: the path, e.g. ``"/v3/alipay/open/mini/version/list/query"``, path parameters
    ///         already substituted and percent-encoded; no query (pass ``query``).
    ///     query: query parameters, unencoded, in order: a ``dict`` (any ``Mapping[str, str]``)
    ///         or a sequence of ``(name, value)`` pairs (a name may repeat).
    ///     body: the JSON body: a ``dict`` (serialised once, to compact JSON) or JSON text sent
    ///         as it is; ``None`` for no body.
    ///     app_auth_token: the merchant's token, for a call on its behalf.
    ///     encrypt: AES-encrypt the body (and decrypt the answer) with the configured key.
    ///     files: :class:`V3File` parts: the call becomes a ``multipart/form-data`` upload whose
    ///         signed ``data`` part is the body (a POST).
    ///     request_id: the ``alipay-request-id`` header; a fresh one when ``None``.
    ///
    /// Raises:
    ///     ApiError: Alipay answered a v3 error: ``http_status`` (e.g. ``401``), ``code`` (e.g.
    ///         ``"invalid-app-auth-token"``), ``msg``, ``trace_id``, ``links``, a ``hint`` for
    ///         the codes ISVs meet; ``signed`` whether it verified.
    ///     SignatureError: the answer did not verify, or a success was not signed (is the v3
    ///         base a v2 ``gateway.do``?).
    ///     TransportError: no complete answer, or a proxy answered instead of Alipay;
    ///         ``request_sent`` says whether the call may have run.
    ///     ProtocolError: a malformed answer (not JSON, not decryptable, duplicated signature
    ///         headers).
    ///     ConfigError: a bad call, refused before anything is sent: a path that does not
    ///         start with ``/v3/`` or holds a ``?``, a body that is not JSON, ``encrypt``
    ///         without an AES key, files with another method than POST, an unreadable file.
    ///         The text never holds a token.
    ///     TypeError: ``query``, ``body`` or ``files`` of another shape.
    ///     ValueError: ``body`` holds ``NaN`` or infinity.
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
    ))]
    #[allow(clippy::too_many_arguments)]
    fn execute_v3(
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
    ) -> PyResult<V3Response> {
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
        let read = detached(py, || ReadResponse::new(self.inner.execute_v3(&call)?))?;
        V3Response::convert(py, read)
    }

    /// The v3 form of :meth:`exchange_app_auth_code` (``POST
    /// /v3/alipay/open/auth/token/app``).
    ///
    /// Raises:
    ///     ApiError: HTTP 400 ``code-invalid`` for an unknown, expired or used code; the other
    ///         errors of :meth:`execute_v3`.
    #[pyo3(signature = (app_auth_code))]
    fn exchange_app_auth_code_v3(
        &self,
        py: Python<'_>,
        app_auth_code: PyBackedStr,
    ) -> PyResult<Vec<AppAuthToken>> {
        let tokens = detached(py, || {
            Ok(self.inner.exchange_app_auth_code_v3(&app_auth_code)?)
        })?;
        Ok(tokens.into_iter().map(AppAuthToken::wrap).collect())
    }

    /// The v3 form of :meth:`refresh_app_auth_token`.
    ///
    /// Raises:
    ///     ApiError: as for :meth:`exchange_app_auth_code_v3`.
    #[pyo3(signature = (app_refresh_token))]
    fn refresh_app_auth_token_v3(
        &self,
        py: Python<'_>,
        app_refresh_token: PyBackedStr,
    ) -> PyResult<Vec<AppAuthToken>> {
        let tokens = detached(py, || {
            Ok(self.inner.refresh_app_auth_token_v3(&app_refresh_token)?)
        })?;
        Ok(tokens.into_iter().map(AppAuthToken::wrap).collect())
    }

    /// The v3 form of :meth:`query_app_auth_token` (``GET
    /// /v3/alipay/open/auth/token/app/query``; the token queried is a query parameter).
    ///
    /// Raises:
    ///     ApiError: HTTP 401 ``invalid-app-auth-token`` for an unknown token.
    #[pyo3(signature = (app_auth_token))]
    fn query_app_auth_token_v3(
        &self,
        py: Python<'_>,
        app_auth_token: PyBackedStr,
    ) -> PyResult<AppAuthTokenInfo> {
        let info = detached(py, || {
            Ok(self.inner.query_app_auth_token_v3(&app_auth_token)?)
        })?;
        Ok(AppAuthTokenInfo::wrap(info))
    }

    /// The v3 form of :meth:`exchange_user_auth_code` (``POST
    /// /v3/alipay/system/oauth/token``), on the merchant's behalf when ``app_auth_token`` is
    /// given.
    ///
    /// Raises:
    ///     ApiError: ``code-invalid`` for a bad or used code; the other errors of
    ///         :meth:`execute_v3`.
    #[pyo3(signature = (auth_code, app_auth_token = None))]
    fn exchange_user_auth_code_v3(
        &self,
        py: Python<'_>,
        auth_code: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserToken> {
        let token = detached(py, || {
            Ok(self
                .inner
                .exchange_user_auth_code_v3(&auth_code, app_auth_token.as_deref())?)
        })?;
        Ok(UserToken::wrap(token))
    }

    /// The v3 form of :meth:`refresh_user_token`.
    ///
    /// Raises:
    ///     ApiError: as for :meth:`exchange_user_auth_code_v3`.
    #[pyo3(signature = (refresh_token, app_auth_token = None))]
    fn refresh_user_token_v3(
        &self,
        py: Python<'_>,
        refresh_token: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserToken> {
        let token = detached(py, || {
            Ok(self
                .inner
                .refresh_user_token_v3(&refresh_token, app_auth_token.as_deref())?)
        })?;
        Ok(UserToken::wrap(token))
    }

    /// The v3 form of :meth:`user_info_share` (``POST
    /// /v3/alipay/user/info/share?auth_token=…``), on the merchant's behalf when
    /// ``app_auth_token`` is given.
    ///
    /// Raises:
    ///     ApiError: HTTP 401 ``invalid-auth-token`` for an expired access token.
    #[pyo3(signature = (access_token, app_auth_token = None))]
    fn user_info_share_v3(
        &self,
        py: Python<'_>,
        access_token: PyBackedStr,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<UserInfo> {
        let info = detached(py, || {
            Ok(self
                .inner
                .user_info_share_v3(&access_token, app_auth_token.as_deref())?)
        })?;
        UserInfo::convert(py, info)
    }

    /// Uploads a file with ``alipay.open.file.upload`` (``POST
    /// /v3/alipay/open/file/upload``), on the merchant's behalf when ``app_auth_token`` is
    /// given: the signed ``data`` part ``{biz_code, md5}`` (the file's MD5, computed here) and
    /// the file in part ``file_content`` (whatever :attr:`V3File.field` says), streamed from
    /// disk for a :class:`V3File` of a ``path``.
    ///
    /// Args:
    ///     biz_code: what the file is for, as the API that uses it says (e.g.
    ///         ``"openpt_appstore"``).
    ///     file: the file.
    ///     app_auth_token: the merchant's token, for an upload on its behalf.
    ///
    /// Raises:
    ///     ApiError: ``invalid-file-extension``, ``invalid-file-size`` or ``file-check-fail``
    ///         as Alipay answers; the other errors of :meth:`execute_v3`.
    ///     ConfigError: an empty ``biz_code``, a file that cannot be read.
    #[pyo3(signature = (biz_code, file, app_auth_token = None))]
    fn upload_file_v3(
        &self,
        py: Python<'_>,
        biz_code: PyBackedStr,
        file: PyRef<'_, V3File>,
        app_auth_token: Option<PyBackedStr>,
    ) -> PyResult<FileUpload> {
        let file = upload_file(&file);
        let upload = detached(py, || {
            Ok(self
                .inner
                .upload_file_v3(&biz_code, file, app_auth_token.as_deref())?)
        })?;
        FileUpload::convert(py, upload)
    }

    /// Certificate mode: makes sure the Alipay certificate ``alipay_cert_sn`` is trusted.
    /// Nothing happens when it already is; otherwise it is downloaded
    /// (``alipay.open.app.alipaycert.download``), its validity and its chain to the root bundle
    /// are checked, and it is trusted by every client of this configuration. Returns whether a
    /// download happened. :meth:`execute` and :meth:`verify_notification` do this by
    /// themselves.
    ///
    /// Raises:
    ///     SignatureError: the certificate is expired, not chained to the root bundle, tampered
    ///         with or not the one asked for, or the download answer does not verify.
    ///     ConfigError: the client is not in certificate mode, or the SN is empty.
    ///     ApiError, TransportError, ProtocolError: as for :meth:`execute`.
    #[pyo3(signature = (alipay_cert_sn))]
    fn fetch_alipay_cert(&self, py: Python<'_>, alipay_cert_sn: PyBackedStr) -> PyResult<bool> {
        detached(py, || Ok(self.inner.fetch_alipay_cert(&alipay_cert_sn)?))
    }

    /// Verifies a notification body as :meth:`NotificationVerifier.verify_body` does; in
    /// certificate mode an ``alipay_cert_sn`` not trusted yet is fetched first
    /// (:meth:`fetch_alipay_cert`).
    ///
    /// Raises:
    ///     SignatureError, ProtocolError: as for :meth:`NotificationVerifier.verify_body`.
    ///     ApiError, TransportError: the certificate download failed.
    #[pyo3(signature = (body))]
    fn verify_notification(&self, py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let body = Body::extract(body, Charset::Utf8, "body")?;
        let verified = detached(py, || {
            Ok(self.inner.verify_notification_with_form(body.as_bytes())?)
        })?;
        typed_with_form(py, verified.notification, verified.signed_form)
    }

    /// One page (from 1) of a service-market order (``alipay.open.servicemarket.order.query``):
    /// its state and up to 100 of its items. Called as the ISV itself.
    ///
    /// Raises:
    ///     ApiError: ``ORDER_NOT_EXIST`` for an unknown order; the other errors of :meth:`execute`.
    ///     ConfigError: an empty id, or page 0.
    #[pyo3(signature = (commodity_order_id, page = 1))]
    fn query_servicemarket_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        page: u64,
    ) -> PyResult<ServiceMarketOrderPage> {
        let answer = detached(py, || {
            Ok(self
                .inner
                .query_servicemarket_order(&commodity_order_id, page)?)
        })?;
        Ok(ServiceMarketOrderPage::wrap(answer))
    }

    /// Every page of a service-market order, fetched as the iterator advances (one call per
    /// page of 100 items, the GIL released); the iteration ends after the last page. Nothing is
    /// fetched until the first ``next()``; an error raises from ``next()`` and ends the
    /// iteration.
    #[pyo3(signature = (commodity_order_id))]
    fn servicemarket_order_pages(&self, commodity_order_id: String) -> ServiceMarketOrderPages {
        ServiceMarketOrderPages::new(self.inner.clone(), commodity_order_id)
    }

    /// Accepts (接单) a service-market order the merchant placed
    /// (``alipay.open.servicemarket.order.accept``). Called as the ISV itself.
    ///
    /// Raises:
    ///     ApiError: ``COMMODITY_ORDER_STATUS_INVALID`` when the order is not awaiting the ISV
    ///         (already accepted or rejected), ``ORDER_NOT_EXIST``; the other errors of
    ///         :meth:`execute`.
    #[pyo3(signature = (commodity_order_id))]
    fn accept_servicemarket_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
    ) -> PyResult<()> {
        detached(py, || {
            Ok(self.inner.accept_servicemarket_order(&commodity_order_id)?)
        })
    }

    /// Rejects (拒单) a service-market order, with the reason the merchant will read
    /// (``alipay.open.servicemarket.order.reject``).
    ///
    /// Raises:
    ///     ApiError: as for :meth:`accept_servicemarket_order`.
    ///     ConfigError: an empty id or reason.
    #[pyo3(signature = (commodity_order_id, reason))]
    fn reject_servicemarket_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        reason: PyBackedStr,
    ) -> PyResult<()> {
        detached(py, || {
            Ok(self
                .inner
                .reject_servicemarket_order(&commodity_order_id, &reason)?)
        })
    }

    /// Marks one item of an accepted order implemented
    /// (``alipay.open.servicemarket.order.item.complete``); the merchant then confirms it. The
    /// item is named by exactly one of ``mini_app_id`` and ``shop_id``.
    ///
    /// Raises:
    ///     ApiError: ``ITEM_STATUS_NOT_ALLOW`` when the item is not in progress (the order not
    ///         accepted yet, the item already completed or cancelled),
    ///         ``COMMODITY_ORDER_ITEM_NOT_EXIST``; the other errors of :meth:`execute`.
    ///     ConfigError: neither or both of ``mini_app_id`` and ``shop_id``, or an empty one.
    #[pyo3(signature = (commodity_order_id, *, mini_app_id = None, shop_id = None))]
    fn complete_servicemarket_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<()> {
        let item = item_target(mini_app_id, shop_id)?;
        detached(py, || {
            Ok(self
                .inner
                .complete_servicemarket_order_item(&commodity_order_id, &item)?)
        })
    }

    /// Confirms a completed item on the merchant's behalf, with the merchant's
    /// ``app_auth_token`` (``alipay.open.servicemarket.order.item.confirm``; for a plugin, the
    /// token of the plugin authorisation that came with the order). The item is named as for
    /// :meth:`complete_servicemarket_order_item`.
    ///
    /// Raises:
    ///     ApiError: ``ITEM_STATUS_NOT_ALLOW`` when the item is not completed,
    ///         ``NO_PERMISSION_COMFIRM_ORDERITEM`` for another merchant's token,
    ///         ``CONFIRM_CHARGE_ITEM_NOT_ALLOW`` for a priced item, the token errors of a
    ///         delegated call (``isv.self-invoke-forbidden`` without one); the other errors of
    ///         :meth:`execute`.
    ///     ConfigError: as for :meth:`complete_servicemarket_order_item`.
    #[pyo3(signature = (commodity_order_id, app_auth_token, *, mini_app_id = None, shop_id = None))]
    fn confirm_servicemarket_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        app_auth_token: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<()> {
        let item = item_target(mini_app_id, shop_id)?;
        detached(py, || {
            Ok(self.inner.confirm_servicemarket_order_item(
                &commodity_order_id,
                &item,
                &app_auth_token,
            )?)
        })
    }

    /// Cancels one item of an order, with the reason the merchant will read
    /// (``alipay.open.servicemarket.order.item.cancel``). The item is named as for
    /// :meth:`complete_servicemarket_order_item`.
    ///
    /// Raises:
    ///     ApiError: as for :meth:`complete_servicemarket_order_item` (a done, rejected or
    ///         cancelled item cannot be cancelled).
    ///     ConfigError: as for :meth:`complete_servicemarket_order_item`; an empty reason.
    #[pyo3(signature = (commodity_order_id, reason, *, mini_app_id = None, shop_id = None))]
    fn cancel_servicemarket_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        reason: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<()> {
        let item = item_target(mini_app_id, shop_id)?;
        detached(py, || {
            Ok(self
                .inner
                .cancel_servicemarket_order_item(&commodity_order_id, &item, &reason)?)
        })
    }

    fn __repr__(&self) -> String {
        let config = self.config.get();
        format!(
            "Client(app_id='{}', gateway='{}', connect_timeout={}, read_timeout={})",
            config.inner.app_id(),
            config.inner.gateway(),
            self.options.connect_timeout.as_secs_f64(),
            self.options.read_timeout.as_secs_f64(),
        )
    }
}
