//! The authorisation helpers: links (`app_auth_link`, `console_auth_link`, `user_consent_link`),
//! `generate_state`, `states_match`, and the callback parsers — the Python face of
//! `alipay_isv::auth`.
//!
//! Application types and scopes are given as strings (or the `str` enums `ApplicationType` and
//! `UserScope` of `alipay_isv.enums`), one string or a sequence. `repr()` of a callback masks its
//! code.

use alipay_isv::auth::{self, ApplicationType, StateCheck, UserScope};
use alipay_isv::secret::shown;
use alipay_isv::{Error, Result};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::optional;
use crate::error::{Failure, guarded};

/// One name or a sequence of names, as given for `application_types` or `scopes`.
fn names(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if value.is_instance_of::<PyString>() {
        return Ok(vec![value.extract()?]);
    }
    value
        .extract::<Vec<String>>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a str or a sequence of str")))
}

/// Parses each name with the core's `FromStr` (case-insensitive; unknown names are `ConfigError`).
fn parse_all<T: std::str::FromStr<Err = Error>>(names: &[String]) -> Result<Vec<T>> {
    names.iter().map(|name| name.parse()).collect()
}

/// A link to send a merchant or user to, with the `state` to check on the way back.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AuthLink {
    /// The URL to open (a redirect target for the browser).
    #[pyo3(get)]
    url: String,
    /// The `state` the callback must carry back: keep it (session, signed cookie) until then.
    #[pyo3(get)]
    state: String,
}

impl AuthLink {
    fn wrap(link: auth::AuthLink) -> Self {
        AuthLink {
            url: link.url,
            state: link.state,
        }
    }
}

#[pymethods]
impl AuthLink {
    fn __repr__(&self) -> String {
        let page = self.url.split('?').next().unwrap_or_default();
        format!("AuthLink(url='{page}?…', state='{}')", self.state)
    }
}

/// The merchant authorisation link: single, or batch when `application_types` is given.
#[pyfunction]
#[pyo3(signature = (app_id, redirect_uri, *, host = "production", application_types = None, state = None))]
pub(crate) fn app_auth_link(
    app_id: &str,
    redirect_uri: &str,
    host: &str,
    application_types: Option<&Bound<'_, PyAny>>,
    state: Option<&str>,
) -> PyResult<AuthLink> {
    let types = names(application_types, "application_types")?;
    guarded(|| {
        let types: Vec<ApplicationType> = parse_all(&types)?;
        let link = auth::app_auth_link(host, app_id, redirect_uri, &types, state)?;
        Ok(AuthLink::wrap(link))
    })
}

/// The console-style merchant authorisation link (`b.alipay.com/page/message/tasksDetail`).
#[pyfunction]
#[pyo3(signature = (app_id, redirect_uri, application_types, *, host = "production", state = None))]
pub(crate) fn console_auth_link(
    app_id: &str,
    redirect_uri: &str,
    application_types: &Bound<'_, PyAny>,
    host: &str,
    state: Option<&str>,
) -> PyResult<AuthLink> {
    let types = names(Some(application_types), "application_types")?;
    guarded(|| {
        let types: Vec<ApplicationType> = parse_all(&types)?;
        let link = auth::console_auth_link(host, app_id, redirect_uri, &types, state)?;
        Ok(AuthLink::wrap(link))
    })
}

/// The user consent link (`publicAppAuthorize.htm`).
#[pyfunction]
#[pyo3(signature = (app_id, redirect_uri, scopes, *, host = "production", state = None))]
pub(crate) fn user_consent_link(
    app_id: &str,
    redirect_uri: &str,
    scopes: &Bound<'_, PyAny>,
    host: &str,
    state: Option<&str>,
) -> PyResult<AuthLink> {
    let scopes = names(Some(scopes), "scopes")?;
    guarded(|| {
        let scopes: Vec<UserScope> = parse_all(&scopes)?;
        let link = auth::user_consent_link(host, app_id, &scopes, redirect_uri, state)?;
        Ok(AuthLink::wrap(link))
    })
}

/// A fresh random `state`.
#[pyfunction]
pub(crate) fn generate_state() -> PyResult<String> {
    guarded(|| Ok(auth::generate_state()?))
}

/// Compares a received `state` with the issued one in constant time.
#[pyfunction]
#[pyo3(signature = (issued, received))]
pub(crate) fn states_match(issued: &str, received: &str) -> PyResult<bool> {
    guarded(|| Ok(auth::states_match(issued, received)))
}

/// The core state check from the Python arguments.
fn state_check(state: Option<&str>, allow_missing_state: bool) -> Result<StateCheck<'_>, Failure> {
    match (state, allow_missing_state) {
        (issued, true) => Ok(StateCheck::AllowMissing { issued }),
        (Some(issued), false) => Ok(StateCheck::Expect(issued)),
        (None, false) => Err(Error::config(
            "pass the `state` issued with the link, or allow_missing_state=True for links issued \
             from the Alipay console (they come back without state)",
        )
        .into()),
    }
}

/// A verified merchant authorisation callback. `repr()` masks the code.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthCallback {
    inner: auth::AppAuthCallback,
}

#[pymethods]
impl AppAuthCallback {
    /// The single-use code to exchange with `Client.exchange_app_auth_code`.
    #[getter]
    fn app_auth_code(&self) -> &str {
        &self.inner.app_auth_code
    }

    /// The ISV `app_id` (checked to be ours).
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// `"alipay_app_auth"` for Alipay's redirect.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }

    /// The `state` carried back, when there was one.
    #[getter]
    fn state(&self) -> Option<&str> {
        self.inner.state.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "AppAuthCallback(app_auth_code='{}', app_id='{}', source={}, state={})",
            shown("app_auth_code", &self.inner.app_auth_code),
            self.inner.app_id,
            optional(self.inner.source.as_deref()),
            optional(self.inner.state.as_deref()),
        )
    }
}

/// Parses and checks a merchant authorisation callback (see the stub).
#[pyfunction]
#[pyo3(signature = (url_or_query, expected_app_id, state = None, *, allow_missing_state = false))]
pub(crate) fn parse_app_auth_callback(
    url_or_query: &str,
    expected_app_id: &str,
    state: Option<&str>,
    allow_missing_state: bool,
) -> PyResult<AppAuthCallback> {
    guarded(|| {
        let check = state_check(state, allow_missing_state)?;
        let inner = auth::parse_app_auth_callback(url_or_query, expected_app_id, check)?;
        Ok(AppAuthCallback { inner })
    })
}

/// A verified user consent callback. `repr()` masks the code.
#[pyclass(module = "alipay_isv", frozen)]
pub struct UserAuthCallback {
    inner: auth::UserAuthCallback,
}

#[pymethods]
impl UserAuthCallback {
    /// The single-use code to exchange with `Client.exchange_user_auth_code`.
    #[getter]
    fn auth_code(&self) -> &str {
        &self.inner.auth_code
    }

    /// The app the user consented to (for a delegated mini-program, the merchant's auth_app_id).
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The scopes granted, e.g. `"auth_user"`.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The `state` carried back, when there was one.
    #[getter]
    fn state(&self) -> Option<&str> {
        self.inner.state.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "UserAuthCallback(auth_code='{}', app_id='{}', scope={}, state={})",
            shown("auth_code", &self.inner.auth_code),
            self.inner.app_id,
            optional(self.inner.scope.as_deref()),
            optional(self.inner.state.as_deref()),
        )
    }
}

/// Parses and checks a user consent callback (see the stub).
#[pyfunction]
#[pyo3(signature = (url_or_query, expected_app_id, state = None, *, allow_missing_state = false))]
pub(crate) fn parse_user_auth_callback(
    url_or_query: &str,
    expected_app_id: &str,
    state: Option<&str>,
    allow_missing_state: bool,
) -> PyResult<UserAuthCallback> {
    guarded(|| {
        let check = state_check(state, allow_missing_state)?;
        let inner = auth::parse_user_auth_callback(url_or_query, expected_app_id, check)?;
        Ok(UserAuthCallback { inner })
    })
}
