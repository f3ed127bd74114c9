//! The authorisation links, the Python face of `alipay_isv::auth::links`: `app_auth_link` (single or
//! batch), `console_auth_link` and `user_consent_link`, each an [`AuthLink`] with the `state` its
//! callback must carry back. Application types and scopes come as one string or a sequence.

use alipay_isv::auth::{self, ApplicationType, UserScope};
use alipay_isv::{Error, Result};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::error::guarded;

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

/// A link to send a merchant or user to, with the ``state`` to check on the way back.
/// ``repr()`` shows the page and the state, not the query.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AuthLink {
    /// The URL to open (redirect the browser to it).
    #[pyo3(get)]
    url: String,
    /// The ``state`` the callback must carry back: keep it (session, signed cookie).
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

/// The merchant authorisation link: single (``appToAppAuth.htm``), or batch
/// (``appToAppBatchAuth.htm?application_type=…``) when ``application_types`` is given.
///
/// Args:
///     app_id: the ISV app's id.
///     redirect_uri: the http(s) callback URL configured for the app.
///     host: ``"production"``, ``"sandbox"`` or a URL (:attr:`Emulator.base_url`).
///     application_types: ``"TINYAPP"``, ``"WEBAPP"``... (see
///         :class:`alipay_isv.ApplicationType`), one or a sequence.
///     state: a Base64 ``state`` of your own; ``None`` generates one.
///
/// Raises:
///     ConfigError: an empty ``app_id``, a ``redirect_uri`` that is not http(s), a ``state``
///         that is not Base64, an unknown host or application type.
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

/// The console-style merchant authorisation link
/// (``b.alipay.com/page/message/tasksDetail?bizData=…``); ``host`` is ``"production"`` or a
/// URL.
///
/// Raises:
///     ConfigError: as for :func:`app_auth_link`; at least one application type is required
///         and the sandbox has no console links.
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

/// The user consent link (``publicAppAuthorize.htm``) for the app ``app_id`` — for a
/// delegated mini-program, the merchant's ``auth_app_id``.
///
/// Args:
///     scopes: ``"auth_user"`` or ``"auth_base"`` (see :class:`alipay_isv.UserScope`), one or a
///         sequence.
///
/// Raises:
///     ConfigError: as for :func:`app_auth_link`; at least one scope is required.
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
