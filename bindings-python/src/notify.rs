//! `NotificationVerifier` and the typed notifications: the Python face of `alipay_isv::notify`.
//!
//! Verification runs with the GIL released. A verified notification comes back as one of three
//! classes — `AppAuthNotification` (with its `AppAuthDetail`), `MessageNotification`,
//! `OtherNotification` — each with `kind`, the verified `params` and `signed_form`, the form of
//! the signature that matched (`v1`, `v1+empty`, `v2`, …). `repr()` masks the tokens and shows
//! parameter names only. [`core_notification`] turns one back into the core type, for the
//! registry's ingestion.

use alipay_isv::notify::{self, Notification, SignedForm};
use alipay_isv::secret::shown_optional;
use alipay_isv::sign::Charset;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{Body, json_to_py, key_list, optional, params_dict};
use crate::error::{detached, guarded};
use crate::key::PublicKey;
use crate::sign::extract_params;

/// Verifies notifications posted to the application gateway (form bodies) with the Alipay
/// public key, under every form the gateway signs (V1 without ``sign_type``, V2 with it; empty
/// values dropped or kept; ``alipay_cert_sn`` in or out), the likeliest first; the form that
/// matched is the result's ``signed_form``. A verifier made with the constructor ignores
/// ``alipay_cert_sn``; in certificate mode (:meth:`IsvConfig.notification_verifier`) the key is
/// the Alipay certificate the notification names, and an unknown one is a ``SignatureError``
/// naming it (:meth:`Client.verify_notification` fetches it first).
///
/// Immutable and safe to share between threads; verification releases the GIL.
#[pyclass(module = "alipay_isv", frozen)]
pub struct NotificationVerifier {
    inner: notify::NotificationVerifier,
}

impl NotificationVerifier {
    /// Wraps a core verifier.
    pub(crate) fn wrap(inner: notify::NotificationVerifier) -> Self {
        NotificationVerifier { inner }
    }
}

#[pymethods]
impl NotificationVerifier {
    /// A verifier using ``alipay_public_key``; ``default_sign_type`` applies to
    /// notifications without a ``sign_type``.
    ///
    /// Raises:
    ///     ConfigError: an unknown sign type.
    #[new]
    #[pyo3(signature = (alipay_public_key, *, default_sign_type = "RSA2", max_body_bytes = 10485760))]
    fn new(
        alipay_public_key: PyRef<'_, PublicKey>,
        default_sign_type: &str,
        max_body_bytes: usize,
    ) -> PyResult<Self> {
        let sign_type = guarded(|| Ok(default_sign_type.parse()?))?;
        let inner = notify::NotificationVerifier::new(alipay_public_key.inner.clone())
            .with_default_sign_type(sign_type)
            .with_max_body_bytes(max_body_bytes);
        Ok(NotificationVerifier::wrap(inner))
    }

    /// Parses the raw ``application/x-www-form-urlencoded`` body exactly once (in its
    /// declared ``charset``) and verifies it. Prefer this over :meth:`verify_params`: a web
    /// framework's own parsing may decode twice.
    ///
    /// Raises:
    ///     SignatureError: no ``sign``, or a signature that verifies under neither V1 nor V2.
    ///     ProtocolError: an oversized or malformed body, a parameter given twice, bytes
    ///         invalid in the declared charset.
    #[pyo3(signature = (body))]
    fn verify_body(&self, py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let body = Body::extract(body, Charset::Utf8, "body")?;
        let verified = detached(py, || {
            Ok(self.inner.verify_body_with_form(body.as_bytes())?)
        })?;
        typed_with_form(py, verified.notification, verified.signed_form)
    }

    /// Verifies parameters a web framework already decoded (once).
    ///
    /// Raises:
    ///     SignatureError: as for :meth:`verify_body`.
    ///     ProtocolError: an unknown ``sign_type`` or ``charset``, malformed ``biz_content``.
    ///     TypeError: a key or value is not a ``str``.
    #[pyo3(signature = (params))]
    fn verify_params(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let params = extract_params(params)?;
        let verified = detached(py, || Ok(self.inner.verify_params_with_form(params)?))?;
        typed_with_form(py, verified.notification, verified.signed_form)
    }

    fn __repr__(&self) -> &'static str {
        "NotificationVerifier()"
    }
}

/// The Python object of a verified notification and the form its signature matched.
pub(crate) fn typed_with_form(
    py: Python<'_>,
    notification: Notification,
    signed_form: SignedForm,
) -> PyResult<Py<PyAny>> {
    let signed_form = signed_form.name();
    Ok(match notification {
        Notification::AppAuth(auth) => {
            let object = AppAuthNotification {
                params: params_dict(py, &auth.params)?.unbind(),
                detail: Py::new(
                    py,
                    AppAuthDetail {
                        inner: auth.detail.clone(),
                    },
                )?,
                inner: auth,
                signed_form,
            };
            Py::new(py, object)?.into_any()
        }
        Notification::Message(message) => {
            let object = MessageNotification {
                params: params_dict(py, &message.params)?.unbind(),
                biz_content: json_to_py(py, &message.biz_content)?.unbind(),
                inner: message,
                signed_form,
            };
            Py::new(py, object)?.into_any()
        }
        Notification::Other { params } => {
            let object = OtherNotification {
                dict: params_dict(py, &params)?.unbind(),
                params,
                signed_form,
            };
            Py::new(py, object)?.into_any()
        }
    })
}

/// The core notification of a verified notification object (for the registry's ingestion).
pub(crate) fn core_notification(value: &Bound<'_, PyAny>) -> PyResult<Notification> {
    if let Ok(auth) = value.cast::<AppAuthNotification>() {
        return Ok(Notification::AppAuth(auth.get().inner.clone()));
    }
    if let Ok(message) = value.cast::<MessageNotification>() {
        return Ok(Notification::Message(message.get().inner.clone()));
    }
    if let Ok(other) = value.cast::<OtherNotification>() {
        return Ok(Notification::Other {
            params: other.get().params.clone(),
        });
    }
    Err(PyTypeError::new_err(
        "notification must be what NotificationVerifier.verify_body or verify_params returned",
    ))
}

/// A merchant authorised (or re-authorised) the app (``notify_type=open_app_auth_notify``).
///
/// ``repr()`` masks the tokens.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthNotification {
    inner: notify::AppAuthNotification,
    detail: Py<AppAuthDetail>,
    params: Py<PyDict>,
    signed_form: &'static str,
}

#[pymethods]
impl AppAuthNotification {
    /// ``"app_auth"``.
    #[getter]
    fn kind(&self) -> &'static str {
        "app_auth"
    }

    /// Alipay's id of this notification: deduplicate retries with it.
    #[getter]
    fn notify_id(&self) -> &str {
        &self.inner.notify_id
    }

    /// When it was sent (``yyyy-MM-dd HH:mm:ss``, China time).
    #[getter]
    fn notify_time(&self) -> Option<&str> {
        self.inner.notify_time.as_deref()
    }

    /// The ISV's ``app_id``.
    #[getter]
    fn app_id(&self) -> Option<&str> {
        self.inner.app_id.as_deref()
    }

    /// ``execute_auth`` for a new authorisation.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.inner.status.as_deref()
    }

    /// The tokens and the merchant they belong to.
    #[getter]
    fn detail(&self, py: Python<'_>) -> Py<AppAuthDetail> {
        self.detail.clone_ref(py)
    }

    /// The verified parameters: only those the matching signature covers (and ``sign``,
    /// ``sign_type``).
    #[getter]
    fn params(&self, py: Python<'_>) -> Py<PyDict> {
        self.params.clone_ref(py)
    }

    /// The form of the signature that matched.
    #[getter]
    fn signed_form(&self) -> &'static str {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "AppAuthNotification(notify_id='{}', status={}, signed_form='{}', detail={}, params={})",
            self.inner.notify_id,
            optional(self.inner.status.as_deref()),
            self.signed_form,
            detail_repr(&self.inner.detail),
            key_list(&self.inner.params)
        )
    }
}

/// The token detail of a merchant authorisation. ``repr()`` masks the tokens and the code;
/// store the tokens with the relation PID (``user_id``) - ``auth_app_id`` - token.
#[pyclass(module = "alipay_isv", frozen)]
pub struct AppAuthDetail {
    inner: notify::AppAuthDetail,
}

#[pymethods]
impl AppAuthDetail {
    /// The token for delegated calls on the merchant's behalf: keep it secret.
    #[getter]
    fn app_auth_token(&self) -> &str {
        &self.inner.app_auth_token
    }

    /// The token to refresh it with: keep it secret.
    #[getter]
    fn app_refresh_token(&self) -> Option<&str> {
        self.inner.app_refresh_token.as_deref()
    }

    /// The merchant's PID (``2088…``).
    #[getter]
    fn user_id(&self) -> Option<&str> {
        self.inner.user_id.as_deref()
    }

    /// The merchant's authorised app.
    #[getter]
    fn auth_app_id(&self) -> &str {
        &self.inner.auth_app_id
    }

    /// Seconds the token lives (sent as a number or a string).
    #[getter]
    fn expires_in(&self) -> Option<i64> {
        self.inner.expires_in
    }

    /// Seconds the refresh token lives.
    #[getter]
    fn re_expires_in(&self) -> Option<i64> {
        self.inner.re_expires_in
    }

    /// When the merchant authorised, epoch milliseconds.
    #[getter]
    fn auth_time(&self) -> Option<i64> {
        self.inner.auth_time
    }

    /// The single-use code this authorisation came with.
    #[getter]
    fn app_auth_code(&self) -> Option<&str> {
        self.inner.app_auth_code.as_deref()
    }

    fn __repr__(&self) -> String {
        detail_repr(&self.inner)
    }
}

/// The masked `repr` of a token detail.
fn detail_repr(detail: &notify::AppAuthDetail) -> String {
    let masked =
        |name: &str, secret: Option<&str>| optional(shown_optional(name, secret).as_deref());
    let number = |value: Option<i64>| value.map_or_else(|| "None".to_string(), |n| n.to_string());
    format!(
        "AppAuthDetail(app_auth_token={}, app_refresh_token={}, user_id={}, auth_app_id='{}', \
         expires_in={}, re_expires_in={}, auth_time={}, app_auth_code={})",
        masked("app_auth_token", Some(&detail.app_auth_token)),
        masked("app_refresh_token", detail.app_refresh_token.as_deref()),
        optional(detail.user_id.as_deref()),
        detail.auth_app_id,
        number(detail.expires_in),
        number(detail.re_expires_in),
        number(detail.auth_time),
        masked("app_auth_code", detail.app_auth_code.as_deref()),
    )
}

/// A message-service message (``msg_method`` present). ``repr()`` shows parameter names
/// only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct MessageNotification {
    inner: notify::MessageNotification,
    biz_content: Py<PyAny>,
    params: Py<PyDict>,
    signed_form: &'static str,
}

#[pymethods]
impl MessageNotification {
    /// ``"message"``.
    #[getter]
    fn kind(&self) -> &'static str {
        "message"
    }

    /// The message method, e.g. ``alipay.open.auth.appauth.cancelled``.
    #[getter]
    fn msg_method(&self) -> &str {
        &self.inner.msg_method
    }

    /// Alipay's id of this message: deduplicate retries with it.
    #[getter]
    fn notify_id(&self) -> Option<&str> {
        self.inner.notify_id.as_deref()
    }

    /// When it was sent, epoch milliseconds as text.
    #[getter]
    fn utc_timestamp(&self) -> Option<&str> {
        self.inner.utc_timestamp.as_deref()
    }

    /// The ISV's ``app_id``.
    #[getter]
    fn app_id(&self) -> Option<&str> {
        self.inner.app_id.as_deref()
    }

    /// The merchant app the message concerns, when given.
    #[getter]
    fn msg_app_id(&self) -> Option<&str> {
        self.inner.msg_app_id.as_deref()
    }

    /// The merchant PID the message concerns, when given.
    #[getter]
    fn msg_uid(&self) -> Option<&str> {
        self.inner.msg_uid.as_deref()
    }

    /// The parsed ``biz_content`` JSON (``None`` when absent).
    #[getter]
    fn biz_content(&self, py: Python<'_>) -> Py<PyAny> {
        self.biz_content.clone_ref(py)
    }

    /// Whether a merchant revoked the app's authorisation
    /// (``alipay.open.auth.appauth.cancelled``): forget its ``app_auth_token``.
    #[getter]
    fn is_app_auth_cancelled(&self) -> bool {
        self.inner.is_app_auth_cancelled()
    }

    /// The verified parameters: only those the matching signature covers (and ``sign``,
    /// ``sign_type``).
    #[getter]
    fn params(&self, py: Python<'_>) -> Py<PyDict> {
        self.params.clone_ref(py)
    }

    /// The form of the signature that matched.
    #[getter]
    fn signed_form(&self) -> &'static str {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "MessageNotification(msg_method='{}', notify_id={}, msg_app_id={}, signed_form='{}', \
             params={})",
            self.inner.msg_method,
            optional(self.inner.notify_id.as_deref()),
            optional(self.inner.msg_app_id.as_deref()),
            self.signed_form,
            key_list(&self.inner.params)
        )
    }
}

/// Any other verified notification (payment notifications, …). ``repr()`` shows parameter
/// names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct OtherNotification {
    params: Vec<(String, String)>,
    dict: Py<PyDict>,
    signed_form: &'static str,
}

#[pymethods]
impl OtherNotification {
    /// ``"other"``.
    #[getter]
    fn kind(&self) -> &'static str {
        "other"
    }

    /// The verified parameters: only those the matching signature covers (and ``sign``,
    /// ``sign_type``).
    #[getter]
    fn params(&self, py: Python<'_>) -> Py<PyDict> {
        self.dict.clone_ref(py)
    }

    /// The form of the signature that matched.
    #[getter]
    fn signed_form(&self) -> &'static str {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "OtherNotification(signed_form='{}', params={})",
            self.signed_form,
            key_list(&self.params)
        )
    }
}
