//! The typed results of the authorisation calls — `AppAuthToken`, `AppAuthTokenInfo`, `UserToken`,
//! `UserInfo` — the Python face of `alipay_isv::auth::models`.
//!
//! Read-only attribute objects. `repr()` masks every token (`mask_secret`: a short prefix and the
//! length), so logging a result never leaks one.

use alipay_isv::auth::models;
use alipay_isv::secret::shown_optional;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{json_to_py, optional};

/// `'abcd…(40)'` or `None`, for a `repr`.
fn masked(name: &str, secret: Option<&str>) -> String {
    optional(shown_optional(name, secret).as_deref())
}

/// `123` or `None`, for a `repr`.
fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "None".to_string(), |n| n.to_string())
}

/// One merchant authorisation: the token for delegated calls and the merchant it belongs
/// to. ``repr()`` masks the tokens.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthToken {
    pub(crate) inner: models::AppAuthToken,
}

impl AppAuthToken {
    /// Wraps a core token.
    pub(crate) fn wrap(inner: models::AppAuthToken) -> Self {
        AppAuthToken { inner }
    }
}

#[pymethods]
impl AppAuthToken {
    /// The token to pass as ``app_auth_token`` on delegated calls: keep it secret.
    #[getter]
    fn app_auth_token(&self) -> &str {
        &self.inner.app_auth_token
    }

    /// The token to refresh it with: keep it secret.
    #[getter]
    fn app_refresh_token(&self) -> Option<&str> {
        self.inner.app_refresh_token.as_deref()
    }

    /// The merchant's authorised app.
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// The merchant's PID (``2088…``).
    #[getter]
    fn user_id(&self) -> Option<&str> {
        self.inner.user_id.as_deref()
    }

    /// Seconds the token lives from now.
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// Seconds the refresh token lives from now.
    #[getter]
    fn re_expires_in(&self) -> Option<i64> {
        self.inner.re_expires_in
    }

    fn __repr__(&self) -> String {
        let token = &self.inner;
        format!(
            "AppAuthToken(app_auth_token={}, app_refresh_token={}, auth_app_id='{}', user_id={}, \
             expires_in={}, re_expires_in={})",
            masked("app_auth_token", Some(&token.app_auth_token)),
            masked("app_refresh_token", token.app_refresh_token.as_deref()),
            token.auth_app_id,
            optional(token.user_id.as_deref()),
            number(token.expires_in),
            number(token.re_expires_in),
        )
    }
}

/// What ``alipay.open.auth.token.app.query`` says of a merchant token.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthTokenInfo {
    pub(crate) inner: models::AppAuthTokenInfo,
}

impl AppAuthTokenInfo {
    /// Wraps a core answer.
    pub(crate) fn wrap(inner: models::AppAuthTokenInfo) -> Self {
        AppAuthTokenInfo { inner }
    }
}

#[pymethods]
impl AppAuthTokenInfo {
    /// The merchant's PID.
    #[getter]
    fn user_id(&self) -> Option<&str> {
        self.inner.user_id.as_deref()
    }

    /// The merchant's authorised app.
    #[getter]
    fn auth_app_id(&self) -> Option<&str> {
        self.inner.auth_app_id.as_deref()
    }

    /// Seconds the token still lives.
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// The APIs the merchant granted.
    #[getter]
    fn auth_methods(&self) -> Vec<String> {
        self.inner.auth_methods.clone()
    }

    /// When the authorisation started (``yyyy-MM-dd HH:mm:ss``, China time).
    #[getter]
    fn auth_start(&self) -> Option<&str> {
        self.inner.auth_start.as_deref()
    }

    /// When it ends.
    #[getter]
    fn auth_end(&self) -> Option<&str> {
        self.inner.auth_end.as_deref()
    }

    /// ``"valid"`` or ``"invalid"`` (revoked or expired).
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_deref()
    }

    /// Whether the gateway says the token is valid.
    #[getter]
    fn is_valid(&self) -> bool {
        self.inner.is_valid()
    }

    fn __repr__(&self) -> String {
        let info = &self.inner;
        format!(
            "AppAuthTokenInfo(auth_app_id={}, user_id={}, status={}, expires_in={}, \
             auth_methods={}, auth_start={}, auth_end={})",
            optional(info.auth_app_id.as_deref()),
            optional(info.user_id.as_deref()),
            optional(info.status.as_deref()),
            number(info.expires_in),
            info.auth_methods.len(),
            optional(info.auth_start.as_deref()),
            optional(info.auth_end.as_deref()),
        )
    }
}

/// A user's authorisation, from ``alipay.system.oauth.token``. ``repr()`` masks the
/// tokens.
#[pyclass(module = "alipay_isv", frozen)]
pub struct UserToken {
    inner: models::UserToken,
}

impl UserToken {
    /// Wraps a core token.
    pub(crate) fn wrap(inner: models::UserToken) -> Self {
        UserToken { inner }
    }
}

#[pymethods]
impl UserToken {
    /// The user's id (``2088…``), when the app still receives it.
    #[getter]
    fn user_id(&self) -> Option<&str> {
        self.inner.user_id.as_deref()
    }

    /// The user's per-app ``open_id``, when present.
    #[getter]
    fn open_id(&self) -> Option<&str> {
        self.inner.open_id.as_deref()
    }

    /// The token to pass as ``auth_token`` on calls for this user: keep it secret.
    #[getter]
    fn access_token(&self) -> &str {
        &self.inner.access_token
    }

    /// Seconds the access token lives.
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// The token to refresh it with: keep it secret.
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.inner.refresh_token.as_deref()
    }

    /// Seconds the refresh token lives.
    #[getter]
    fn re_expires_in(&self) -> Option<i64> {
        self.inner.re_expires_in
    }

    /// When the user authorised (``yyyy-MM-dd HH:mm:ss``, China time).
    #[getter]
    fn auth_start(&self) -> Option<&str> {
        self.inner.auth_start.as_deref()
    }

    fn __repr__(&self) -> String {
        let token = &self.inner;
        format!(
            "UserToken(user_id={}, open_id={}, access_token={}, expires_in={}, \
             refresh_token={}, re_expires_in={}, auth_start={})",
            optional(token.user_id.as_deref()),
            optional(token.open_id.as_deref()),
            masked("access_token", Some(&token.access_token)),
            number(token.expires_in),
            masked("refresh_token", token.refresh_token.as_deref()),
            number(token.re_expires_in),
            optional(token.auth_start.as_deref()),
        )
    }
}

/// A user's profile, from ``alipay.user.info.share``; every attribute optional.
/// ``repr()`` shows the identifiers and the field names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct UserInfo {
    inner: models::UserInfo,
    fields: Py<PyDict>,
}

impl UserInfo {
    /// Converts a core profile (its raw fields into a `dict`).
    pub(crate) fn convert(py: Python<'_>, inner: models::UserInfo) -> PyResult<Self> {
        let fields = json_to_py(py, &serde_json::Value::Object(inner.fields.clone()))?;
        Ok(UserInfo {
            fields: fields.cast_into::<PyDict>()?.unbind(),
            inner,
        })
    }
}

#[pymethods]
impl UserInfo {
    /// The user's id (``2088…``).
    #[getter]
    fn user_id(&self) -> Option<&str> {
        self.inner.user_id.as_deref()
    }

    /// The user's per-app ``open_id``.
    #[getter]
    fn open_id(&self) -> Option<&str> {
        self.inner.open_id.as_deref()
    }

    /// Nickname.
    #[getter]
    fn nick_name(&self) -> Option<&str> {
        self.inner.nick_name.as_deref()
    }

    /// Avatar URL.
    #[getter]
    fn avatar(&self) -> Option<&str> {
        self.inner.avatar.as_deref()
    }

    /// Province.
    #[getter]
    fn province(&self) -> Option<&str> {
        self.inner.province.as_deref()
    }

    /// City.
    #[getter]
    fn city(&self) -> Option<&str> {
        self.inner.city.as_deref()
    }

    /// ``"m"`` or ``"f"``.
    #[getter]
    fn gender(&self) -> Option<&str> {
        self.inner.gender.as_deref()
    }

    /// Every field of the answer (``code`` and ``msg`` included), as ``json.loads``
    /// gives them.
    #[getter]
    fn fields(&self, py: Python<'_>) -> Py<PyDict> {
        self.fields.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        // Personal data: identifiers only, and the names of the other fields.
        let names: Vec<String> = self
            .inner
            .fields
            .keys()
            .map(|key| format!("'{key}'"))
            .collect();
        format!(
            "UserInfo(user_id={}, open_id={}, fields=[{}])",
            optional(self.inner.user_id.as_deref()),
            optional(self.inner.open_id.as_deref()),
            names.join(", ")
        )
    }
}
