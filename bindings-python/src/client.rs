//! `Client` and `RetryPolicy`: the Python face of `alipay_isv::client` and `alipay_isv::transport`.
//!
//! Every network call releases the GIL for its whole duration (signing, HTTP, verification), so
//! threads — and `alipay_isv.aio`, which runs these calls on worker threads — truly run in
//! parallel. The client holds no token: tokens are passed per call. In certificate mode the
//! client downloads an Alipay certificate it does not know yet (`fetch_alipay_cert`, also done by
//! `execute` and `verify_notification` by themselves).

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

/// A duration from seconds given in Python; `what` names the argument in the error.
pub(crate) fn seconds(value: f64, what: &str) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        Error::config(format!(
            "`{what}` must be a finite, non-negative number of seconds, not {value}"
        ))
        .into()
    })
}

/// How `Client.execute(..., retry=...)` retries transport failures.
#[pyclass(module = "alipay_isv", frozen)]
pub struct RetryPolicy {
    pub(crate) inner: transport::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    /// A policy (see the stub for the arguments).
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

    /// Seconds to wait before the second attempt, doubled before each later one.
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

/// Calls the Alipay gateway on behalf of merchants. Immutable; share one across threads.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Client {
    pub(crate) inner: client::Client,
    config: Py<IsvConfig>,
    options: transport::TransportOptions,
}

#[pymethods]
impl Client {
    /// A client of `config` on the default HTTP transport (see the stub for the options).
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

    /// Calls any Alipay API and returns the verified answer (see the stub).
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
    ) -> PyResult<VerifiedResponse> {
        let options = call_options(
            biz_content,
            app_auth_token,
            auth_token,
            notify_url,
            return_url,
            extra_params,
            encrypt,
            None,
        )?;
        let policy = retry.map(|policy| policy.inner.clone());
        let verified = detached(py, || {
            Ok(match &policy {
                Some(policy) => self.inner.execute_with_retry(&method, &options, policy)?,
                None => self.inner.execute(&method, &options)?,
            })
        })?;
        VerifiedResponse::convert(py, verified)
    }

    /// Exchanges the `app_auth_code` of an authorisation callback for the merchant's tokens.
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

    /// Refreshes a merchant's token with its `app_refresh_token`.
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

    /// Asks the gateway what it knows of a merchant token.
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

    /// Exchanges a user's `auth_code` for an access token, on the merchant's behalf when
    /// `app_auth_token` is given.
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

    /// Refreshes a user's access token with its `refresh_token`.
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

    /// Reads the user's profile with their access token.
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

    /// Certificate mode: makes sure the Alipay certificate `alipay_cert_sn` is trusted,
    /// downloading and checking it when unknown; returns whether a download happened.
    #[pyo3(signature = (alipay_cert_sn))]
    fn fetch_alipay_cert(&self, py: Python<'_>, alipay_cert_sn: PyBackedStr) -> PyResult<bool> {
        detached(py, || Ok(self.inner.fetch_alipay_cert(&alipay_cert_sn)?))
    }

    /// Verifies a notification body; in certificate mode an unknown `alipay_cert_sn` is fetched
    /// first.
    #[pyo3(signature = (body))]
    fn verify_notification(&self, py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let body = Body::extract(body, Charset::Utf8, "body")?;
        let verified = detached(py, || {
            Ok(self.inner.verify_notification_with_form(body.as_bytes())?)
        })?;
        typed_with_form(py, verified.notification, verified.signed_form)
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
