//! `NotificationVerifier` and the typed notifications: the Python face of `alipay_isv::notify`.
//!
//! Verification runs with the GIL released. A verified notification comes back as one of four
//! classes — `AppAuthNotification` (with its `AppAuthDetail`), `MessageNotification`,
//! `ServiceMarketOrderNotification`, `OtherNotification` — each with `kind`, the verified `params`
//! and `signed_form`, the form of the signature that matched (`v1`, `v1+empty`, `v2`, …; `None` for
//! one a `Gateway` delivered: the core's `Delivery` does not say which form matched). `repr()`
//! masks the tokens and the personal data of an order (through `alipay_isv::secret::shown`) and
//! shows parameter names only. [`core_notification`] turns one back into the core type, for the
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
///
/// A verifier using ``alipay_public_key``; ``default_sign_type`` applies to
/// notifications without a ``sign_type``.
///
/// Raises:
///     ConfigError: an unknown sign type.
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
    typed(py, notification, Some(signed_form))
}

/// The Python object of a verified notification, with the form its signature matched when known.
pub(crate) fn typed(
    py: Python<'_>,
    notification: Notification,
    signed_form: Option<SignedForm>,
) -> PyResult<Py<PyAny>> {
    let signed_form = signed_form.map(SignedForm::name);
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
        Notification::ServiceMarketOrder(order) => {
            let object = ServiceMarketOrderNotification {
                params: params_dict(py, &order.params)?.unbind(),
                inner: order,
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
    if let Ok(order) = value.cast::<ServiceMarketOrderNotification>() {
        return Ok(Notification::ServiceMarketOrder(order.get().inner.clone()));
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
    signed_form: Option<&'static str>,
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

    /// What caused it (``biz_content.notify_context.trigger``): ``appstore`` when a merchant's
    /// order of a plugin in the service market granted it.
    #[getter]
    fn trigger(&self) -> Option<&str> {
        self.inner.trigger.as_deref()
    }

    /// Whether a merchant's order of a plugin in the service market granted this
    /// authorisation (``trigger`` is ``appstore``, or the detail names an ``agent_app_id``): the
    /// token is then for the plugin (``detail.authorised_app_id``) on the merchant's app
    /// (``detail.auth_app_id``).
    #[getter]
    fn is_plugin_authorisation(&self) -> bool {
        self.inner.is_plugin_authorisation()
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

    /// The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
    /// delivered (it verified, but the gateway does not report the form).
    #[getter]
    fn signed_form(&self) -> Option<&'static str> {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "AppAuthNotification(notify_id='{}', status={}, trigger={}, signed_form={}, detail={}, \
             params={})",
            self.inner.notify_id,
            optional(self.inner.status.as_deref()),
            optional(self.inner.trigger.as_deref()),
            optional(self.signed_form),
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

    /// The app the merchant authorised (``detail.app_id``): the plugin's id for a plugin
    /// authorisation.
    #[getter]
    fn authorised_app_id(&self) -> Option<&str> {
        self.inner.authorised_app_id.as_deref()
    }

    /// The third-party app owning the plugin (``detail.agent_app_id``): present only for a
    /// plugin authorisation.
    #[getter]
    fn agent_app_id(&self) -> Option<&str> {
        self.inner.agent_app_id.as_deref()
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
         expires_in={}, re_expires_in={}, auth_time={}, authorised_app_id={}, agent_app_id={}, \
         app_auth_code={})",
        masked("app_auth_token", Some(&detail.app_auth_token)),
        masked("app_refresh_token", detail.app_refresh_token.as_deref()),
        optional(detail.user_id.as_deref()),
        detail.auth_app_id,
        number(detail.expires_in),
        number(detail.re_expires_in),
        number(detail.auth_time),
        optional(detail.authorised_app_id.as_deref()),
        optional(detail.agent_app_id.as_deref()),
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
    signed_form: Option<&'static str>,
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

    /// The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
    /// delivered (it verified, but the gateway does not report the form).
    #[getter]
    fn signed_form(&self) -> Option<&'static str> {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "MessageNotification(msg_method='{}', notify_id={}, msg_app_id={}, signed_form={}, \
             params={})",
            self.inner.msg_method,
            optional(self.inner.notify_id.as_deref()),
            optional(self.inner.msg_app_id.as_deref()),
            optional(self.signed_form),
            key_list(&self.inner.params)
        )
    }
}

/// A merchant's order of the ISV's plugin or service in the service market (下单消息,
/// ``notify_type=servicemarket_order_notify``). ``notify_id``, ``commodity_order_id`` and
/// ``merchant_pid`` are always there (a message without one is a ``ProtocolError``); the rest
/// is ``None`` when the message leaves it out or sends it empty. No token comes with it: the
/// token comes in the plugin authorisation, an :class:`AppAuthNotification` whose
/// ``is_plugin_authorisation`` is true. ``repr()`` shows the contact person and phone by their
/// length only (:func:`shown`) and parameter names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct ServiceMarketOrderNotification {
    inner: notify::ServiceMarketOrder,
    params: Py<PyDict>,
    signed_form: Option<&'static str>,
}

#[pymethods]
impl ServiceMarketOrderNotification {
    /// ``"servicemarket_order"``.
    #[getter]
    fn kind(&self) -> &'static str {
        "servicemarket_order"
    }

    /// Alipay's id of this message: deduplicate retries with it.
    #[getter]
    fn notify_id(&self) -> &str {
        &self.inner.notify_id
    }

    /// When it was sent (``yyyy-MM-dd HH:mm:ss``, China time).
    #[getter]
    fn notify_time(&self) -> Option<&str> {
        self.inner.notify_time.as_deref()
    }

    /// The app the message was sent to (the ISV's third-party app or plugin).
    #[getter]
    fn app_id(&self) -> Option<&str> {
        self.inner.app_id.as_deref()
    }

    /// The order number: the key of every later call (query, accept, reject, item
    /// complete…).
    #[getter]
    fn commodity_order_id(&self) -> &str {
        &self.inner.commodity_order_id
    }

    /// The ordering merchant's PID (``2088…``).
    #[getter]
    fn merchant_pid(&self) -> &str {
        &self.inner.merchant_pid
    }

    /// The merchant's name as Alipay shows it (``name``; often partly masked by Alipay).
    #[getter]
    fn merchant_name(&self) -> Option<&str> {
        self.inner.merchant_name.as_deref()
    }

    /// The merchant's mini program the order is for (``consumer_miniAppId``), for
    /// mini-program orders: the ``auth_app_id`` of the plugin authorisation that comes with it.
    #[getter]
    fn consumer_mini_app_id(&self) -> Option<&str> {
        self.inner.consumer_mini_app_id.as_deref()
    }

    /// When the merchant ordered (``yyyy-MM-dd HH:mm:ss``).
    #[getter]
    fn order_time(&self) -> Option<&str> {
        self.inner.order_time.as_deref()
    }

    /// The ordered service's name.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }

    /// The order's price in yuan, as sent (``"0.00"``): money stays text.
    #[getter]
    fn total_price(&self) -> Option<&str> {
        self.inner.total_price.as_deref()
    }

    /// How many items (shops, mini programs) the order holds.
    #[getter]
    fn order_item_num(&self) -> Option<u32> {
        self.inner.order_item_num
    }

    /// The service's item code (``AM0…``).
    #[getter]
    fn item_code(&self) -> Option<&str> {
        self.inner.item_code.as_deref()
    }

    /// The chosen specification (``标准版``).
    #[getter]
    fn specifications(&self) -> Option<&str> {
        self.inner.specifications.as_deref()
    }

    /// The subscription period in days.
    #[getter]
    fn period_day(&self) -> Option<u32> {
        self.inner.period_day
    }

    /// The order authorisation ticket, for ``alipay.open.agent.create`` in pre-authorised
    /// mode.
    #[getter]
    fn order_ticket(&self) -> Option<&str> {
        self.inner.order_ticket.as_deref()
    }

    /// The service code.
    #[getter]
    fn service_code(&self) -> Option<&str> {
        self.inner.service_code.as_deref()
    }

    /// The ISV's pass-through value from the order link (often sent empty, then ``None``).
    #[getter]
    fn isv_ticket(&self) -> Option<&str> {
        self.inner.isv_ticket.as_deref()
    }

    /// The merchant's contact person. Personal data: ``repr()`` shows its length only.
    #[getter]
    fn contactor(&self) -> Option<&str> {
        self.inner.contactor.as_deref()
    }

    /// The merchant's contact phone. Personal data: ``repr()`` shows its length only.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.inner.phone.as_deref()
    }

    /// The verified parameters: only those the matching signature covers (and ``sign``,
    /// ``sign_type``), unknown ones included.
    #[getter]
    fn params(&self, py: Python<'_>) -> Py<PyDict> {
        self.params.clone_ref(py)
    }

    /// The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
    /// delivered (it verified, but the gateway does not report the form).
    #[getter]
    fn signed_form(&self) -> Option<&'static str> {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        let order = &self.inner;
        let personal =
            |name: &str, value: Option<&str>| optional(shown_optional(name, value).as_deref());
        format!(
            "ServiceMarketOrderNotification(notify_id='{}', commodity_order_id='{}', \
             merchant_pid='{}', consumer_mini_app_id={}, title={}, total_price={}, \
             order_item_num={}, order_time={}, contactor={}, phone={}, signed_form={}, \
             params={})",
            order.notify_id,
            order.commodity_order_id,
            order.merchant_pid,
            optional(order.consumer_mini_app_id.as_deref()),
            optional(order.title.as_deref()),
            optional(order.total_price.as_deref()),
            order
                .order_item_num
                .map_or_else(|| "None".to_string(), |n| n.to_string()),
            optional(order.order_time.as_deref()),
            personal("contactor", order.contactor.as_deref()),
            personal("phone", order.phone.as_deref()),
            optional(self.signed_form),
            key_list(&order.params)
        )
    }
}

/// Any other verified notification (payment notifications, …). ``repr()`` shows parameter
/// names only.
#[pyclass(module = "alipay_isv", frozen)]
pub struct OtherNotification {
    params: Vec<(String, String)>,
    dict: Py<PyDict>,
    signed_form: Option<&'static str>,
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

    /// The form of the signature that matched; ``None`` for a notification a :class:`Gateway`
    /// delivered (it verified, but the gateway does not report the form).
    #[getter]
    fn signed_form(&self) -> Option<&'static str> {
        self.signed_form
    }

    fn __repr__(&self) -> String {
        format!(
            "OtherNotification(signed_form={}, params={})",
            optional(self.signed_form),
            key_list(&self.params)
        )
    }
}
