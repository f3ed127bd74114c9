//! The callback parsers, the Python face of `alipay_isv::auth::callback`: `parse_app_auth_callback`
//! and `parse_user_auth_callback`, checking the app id and the `state` (or its absence when
//! `allow_missing_state` is set), and the [`AppAuthCallback`] / [`UserAuthCallback`] they return.
//! `repr()` masks the code.

use alipay_isv::auth::{self, StateCheck};
use alipay_isv::secret::shown;
use alipay_isv::{Error, Result};
use pyo3::prelude::*;

use crate::convert::optional;
use crate::error::{Failure, guarded};

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

/// A checked merchant authorisation callback. ``repr()`` masks the code.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthCallback {
    inner: auth::AppAuthCallback,
}

#[pymethods]
impl AppAuthCallback {
    /// The single-use code to exchange with :meth:`Client.exchange_app_auth_code`.
    #[getter]
    fn app_auth_code(&self) -> &str {
        &self.inner.app_auth_code
    }

    /// The ISV ``app_id`` (checked to be ours).
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// ``"alipay_app_auth"`` for Alipay's redirect.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.inner.source.as_deref()
    }

    /// The ``state`` carried back, when there was one.
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

/// Parses and checks a merchant authorisation callback (a full URL, or its query with or
/// without ``?``).
///
/// Args:
///     url_or_query: the callback as received.
///     expected_app_id: the ISV app's id: the callback must name it.
///     state: the ``state`` issued with the link (compared in constant time).
///     allow_missing_state: accept a callback without ``state`` (links issued from the Alipay
///         console come back without one); a ``state`` that is present is still compared with
///         ``state`` when given.
///
/// Raises:
///     SignatureError: another ``app_id``, a ``state`` that does not match, or a missing one.
///     ProtocolError: no ``app_id`` or ``app_auth_code`` (the merchant declined), or a
///         parameter given twice.
///     ConfigError: neither ``state`` nor ``allow_missing_state`` given.
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

/// A checked user consent callback. ``repr()`` masks the code.
#[pyclass(module = "alipay_isv", frozen)]
pub struct UserAuthCallback {
    inner: auth::UserAuthCallback,
}

#[pymethods]
impl UserAuthCallback {
    /// The single-use code to exchange with :meth:`Client.exchange_user_auth_code`.
    #[getter]
    fn auth_code(&self) -> &str {
        &self.inner.auth_code
    }

    /// The app the user consented to (for a delegated mini-program, the merchant's
    /// ``auth_app_id``).
    #[getter]
    fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The scopes granted, e.g. ``"auth_user"``.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The ``state`` carried back, when there was one.
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

/// Parses and checks a user consent callback; ``expected_app_id`` is the app the link
/// named. Arguments and errors as for :func:`parse_app_auth_callback`, with ``auth_code``.
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
