//! `Gateway`: the application gateway (应用网关) of `alipay_isv::gateway` — content type and raw body
//! in, the exact HTTP answer out — with the host's handlers per kind of notification, and
//! `GatewayDelivery`, a verified and stored notification on its way to a handler.
//!
//! The binding only converts and dispatches: [`Gateway::handle`] runs the core's `receive` with the
//! GIL released, calls the handler of the delivery's kind (a four-entry table, [`HANDLER_KINDS`]),
//! then the core's `finish` with the GIL released again. `receive` and `finish` are exposed too, for
//! the asyncio adapter of `python/alipay_isv/gateway.py` (which awaits async handlers between
//! them); `asgi_app()` and `wsgi_app()` build the framework adapters of that module. What is
//! answered, stored and retried is the core's.
//!
//! The result's answer is in [`answer`].

mod answer;

pub(crate) use answer::GatewayResult;

use alipay_isv::gateway::{self, DeliveryKind, Received};
use alipay_isv::sign::Charset;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyString;

use crate::config::IsvConfig;
use crate::convert::{Body, optional};
use crate::error::detached;
use crate::notify::typed;
use crate::registry::{Registry, outcome};

/// The delivery kinds, in the order of the handler table.
const HANDLER_KINDS: [DeliveryKind; 4] = [
    DeliveryKind::Authorisation,
    DeliveryKind::Cancellation,
    DeliveryKind::Order,
    DeliveryKind::Other,
];

/// The handler table's entry of `kind`.
fn slot(kind: DeliveryKind) -> usize {
    match kind {
        DeliveryKind::Authorisation => 0,
        DeliveryKind::Cancellation => 1,
        DeliveryKind::Order => 2,
        DeliveryKind::Other => 3,
    }
}

/// A verified notification the :class:`Gateway` stored (as :attr:`ingest` says), on its way to
/// the handler of its :attr:`kind`. Generic in the type of its notification, for annotations
/// (``GatewayDelivery[ServiceMarketOrderNotification]`` is what ``on_order`` gets).
/// ``repr()`` shows the notification as its own ``repr()`` does (tokens and personal data
/// masked).
#[pyclass(module = "alipay_isv", frozen, generic)]
pub struct GatewayDelivery {
    inner: gateway::Delivery,
    notification: Py<PyAny>,
}

impl GatewayDelivery {
    /// Wraps a core delivery and its notification's Python object.
    fn wrap(py: Python<'_>, inner: gateway::Delivery) -> PyResult<Self> {
        // The core's delivery does not carry the form the signature matched in.
        let notification = typed(py, inner.notification.clone(), Some(inner.signed_form))?;
        Ok(GatewayDelivery {
            inner,
            notification,
        })
    }
}

#[pymethods]
impl GatewayDelivery {
    /// Which handler it goes to: ``"authorisation"`` (a merchant authorised one of our apps,
    /// already stored), ``"cancellation"`` (a merchant revoked one, already stored),
    /// ``"order"`` (a service-market order, already stored: accept or reject it) or
    /// ``"other"`` (anything else: only the host knows what to do).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// The verified notification: an :class:`AppAuthNotification`,
    /// :class:`MessageNotification`, :class:`ServiceMarketOrderNotification` or
    /// :class:`OtherNotification` (its ``signed_form`` names the content the gateway had
    /// signed).
    #[getter]
    fn notification(&self, py: Python<'_>) -> Py<PyAny> {
        self.notification.clone_ref(py)
    }

    /// What the registry did with it (an :class:`IngestOutcome`): ``DUPLICATE`` when an
    /// earlier delivery stored it but its handler did not finish (the handler runs again),
    /// ``IGNORED`` for a notification the registry does not keep.
    #[getter]
    fn ingest<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        outcome(py, self.inner.ingest)
    }

    /// Alipay's id of the notification, when it has one.
    #[getter]
    fn notify_id(&self) -> Option<&str> {
        self.inner.notify_id.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "GatewayDelivery(kind='{}', ingest='{}', notify_id={}, notification={})",
            self.inner.kind.as_str(),
            self.inner.ingest.as_str(),
            optional(self.inner.notify_id.as_deref()),
            self.notification.bind(py).repr()?,
        ))
    }
}

/// The application gateway (应用网关) of one app: give it each request's ``Content-Type`` and
/// raw body, write back the answer it gives. It refuses what is not a form (415) or is over
/// the size limit (413), answers the gateway check (``service=alipay.service.check``) with the
/// signed XML, verifies every other body (400 when it does not verify), stores what the
/// registry keeps — authorisations, cancellations, service-market orders — and hands each
/// verified notification to the handler of its kind, answering ``success`` only after the
/// registry write and the handler finished; ``fail`` (500) otherwise, so Alipay retries. A
/// retried notification is stored once; one already handled is acknowledged without calling
/// the handler again.
///
/// Frameworks: :meth:`asgi_app` (Starlette, FastAPI, any ASGI 3 server) and :meth:`wsgi_app`
/// (Flask, Django, any WSGI server); :meth:`handle` for anything else. Safe to share between
/// threads; every verification and store write releases the GIL.
///
/// The application gateway of the app ``config`` describes (its private key signs the
/// gateway check's answer, its Alipay key or certificates verify), storing into
/// ``registry``.
///
/// Each handler is called with the :class:`GatewayDelivery` of its kind, after the
/// notification was stored; it may call the registry (``registry.accept_order(...)``). A
/// handler that raises makes the answer ``fail`` (500; the exception's text goes to the
/// result's :attr:`GatewayResult.error`, never to the HTTP body), so Alipay retries and the
/// handler runs again; a kind without a handler is acknowledged once stored. Handlers may be
/// ``async def`` functions when the gateway is served by :meth:`asgi_app` (or
/// :func:`alipay_isv.gateway.handle_async`).
///
/// Args:
///     config: the app's configuration.
///     registry: the registry notifications are stored into (an
///         :class:`alipay_isv.aio.Registry` stands for the registry it wraps).
///     on_order: called for each service-market order (``servicemarket_order_notify``).
///     on_authorisation: called for each merchant authorisation (``open_app_auth_notify``,
///         a plugin's too).
///     on_cancellation: called for each revocation (``alipay.open.auth.appauth.cancelled``).
///     on_other: called for every other verified notification (payments, other messages).
///
/// Raises:
///     ConfigError: the registry is closed.
///     TypeError: a handler that is not callable, a registry of another type.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Gateway {
    config: Py<IsvConfig>,
    registry: Py<Registry>,
    handlers: [Option<Py<PyAny>>; 4],
    max_body_bytes: usize,
}

impl Gateway {
    /// The core gateway over the registry (`ConfigError` once the registry is closed): cheap,
    /// the keys and the registry are shared.
    fn core(&self) -> PyResult<gateway::Gateway> {
        let registry = self.registry.get().live()?;
        Ok(gateway::Gateway::new(&self.config.get().inner, registry))
    }

    /// Runs the handler of the delivery's kind, if any: `Ok(Err(reason))` when it raised an
    /// `Exception` (or returned an awaitable, which only the asyncio adapter can run); a
    /// `BaseException` that is not an `Exception` (`KeyboardInterrupt`, …) propagates.
    fn run_handler(
        &self,
        py: Python<'_>,
        delivery: &Bound<'_, GatewayDelivery>,
    ) -> PyResult<Result<(), String>> {
        let kind = delivery.get().inner.kind;
        let Some(handler) = &self.handlers[slot(kind)] else {
            return Ok(Ok(()));
        };
        match handler.call1(py, (delivery,)) {
            Ok(returned) => {
                let returned = returned.bind(py);
                if returned.hasattr("__await__")? {
                    if returned.hasattr("close")? {
                        returned.call_method0("close")?;
                    }
                    return Ok(Err(format!(
                        "the {} handler is asynchronous: run it through gateway.asgi_app() or \
                         alipay_isv.gateway.handle_async()",
                        kind.as_str()
                    )));
                }
                Ok(Ok(()))
            }
            Err(error) if error.is_instance_of::<PyException>(py) => Ok(Err(error.to_string())),
            Err(error) => Err(error),
        }
    }

    /// The registry argument: a `Registry`, or an `alipay_isv.aio.Registry` (its `blocking`
    /// registry).
    fn registry_of<'py>(registry: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Registry>> {
        if let Ok(registry) = registry.cast::<Registry>() {
            return Ok(registry.clone());
        }
        registry
            .getattr("blocking")
            .ok()
            .and_then(|blocking| blocking.cast_into::<Registry>().ok())
            .ok_or_else(|| {
                PyTypeError::new_err(
                    "registry must be an alipay_isv.Registry or an alipay_isv.aio.Registry",
                )
            })
    }

    /// A handler argument: `None` or a callable.
    fn handler(name: &str, handler: Option<Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
        match handler {
            Some(handler) if !handler.is_none() => {
                if !handler.is_callable() {
                    return Err(PyTypeError::new_err(format!(
                        "{name} must be a callable taking a GatewayDelivery"
                    )));
                }
                Ok(Some(handler.unbind()))
            }
            _ => Ok(None),
        }
    }
}

#[pymethods]
impl Gateway {
    /// The application gateway of the app ``config`` describes (its private key signs the
    /// gateway check's answer, its Alipay key or certificates verify), storing into
    /// ``registry``.
    ///
    /// Each handler is called with the :class:`GatewayDelivery` of its kind, after the
    /// notification was stored; it may call the registry (``registry.accept_order(...)``). A
    /// handler that raises makes the answer ``fail`` (500; the exception's text goes to the
    /// result's :attr:`GatewayResult.error`, never to the HTTP body), so Alipay retries and the
    /// handler runs again; a kind without a handler is acknowledged once stored. Handlers may be
    /// ``async def`` functions when the gateway is served by :meth:`asgi_app` (or
    /// :func:`alipay_isv.gateway.handle_async`).
    ///
    /// Args:
    ///     config: the app's configuration.
    ///     registry: the registry notifications are stored into (an
    ///         :class:`alipay_isv.aio.Registry` stands for the registry it wraps).
    ///     on_order: called for each service-market order (``servicemarket_order_notify``).
    ///     on_authorisation: called for each merchant authorisation (``open_app_auth_notify``,
    ///         a plugin's too).
    ///     on_cancellation: called for each revocation (``alipay.open.auth.appauth.cancelled``).
    ///     on_other: called for every other verified notification (payments, other messages).
    ///
    /// Raises:
    ///     ConfigError: the registry is closed.
    ///     TypeError: a handler that is not callable, a registry of another type.
    #[new]
    #[pyo3(signature = (
        config,
        registry,
        *,
        on_order = None,
        on_authorisation = None,
        on_cancellation = None,
        on_other = None,
    ))]
    fn new(
        config: Bound<'_, IsvConfig>,
        registry: &Bound<'_, PyAny>,
        on_order: Option<Bound<'_, PyAny>>,
        on_authorisation: Option<Bound<'_, PyAny>>,
        on_cancellation: Option<Bound<'_, PyAny>>,
        on_other: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let handlers = [
            Self::handler("on_authorisation", on_authorisation)?,
            Self::handler("on_cancellation", on_cancellation)?,
            Self::handler("on_order", on_order)?,
            Self::handler("on_other", on_other)?,
        ];
        let registry = Self::registry_of(registry)?;
        let core = gateway::Gateway::new(&config.get().inner, registry.get().live()?);
        Ok(Gateway {
            max_body_bytes: core.max_body_bytes(),
            config: config.unbind(),
            registry: registry.unbind(),
            handlers,
        })
    }

    /// The app's configuration.
    #[getter]
    fn config(&self, py: Python<'_>) -> Py<IsvConfig> {
        self.config.clone_ref(py)
    }

    /// The registry notifications are stored into (the blocking one an
    /// :class:`alipay_isv.aio.Registry` wraps).
    #[getter]
    fn registry(&self, py: Python<'_>) -> Py<Registry> {
        self.registry.clone_ref(py)
    }

    /// The largest body accepted, in bytes (the configuration's ``max_body_bytes``): read at
    /// most one byte more from a request, and hand that to :meth:`receive` (it answers 413).
    #[getter]
    fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The handler of a delivery kind (``"authorisation"``, ``"cancellation"``, ``"order"``
    /// or ``"other"``), or ``None`` when the gateway has none for it.
    ///
    /// Raises:
    ///     ValueError: an unknown kind.
    #[pyo3(signature = (kind))]
    fn handler_for(&self, py: Python<'_>, kind: &str) -> PyResult<Option<Py<PyAny>>> {
        let kind = HANDLER_KINDS
            .into_iter()
            .find(|known| known.as_str() == kind)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "unknown delivery kind {kind:?}: authorisation, cancellation, order or other"
                ))
            })?;
        Ok(self.handlers[slot(kind)]
            .as_ref()
            .map(|handler| handler.clone_ref(py)))
    }

    /// Handles one request: :meth:`receive`, the handler of the delivery's kind (with the GIL
    /// held), then :meth:`finish`. Write the result's :attr:`GatewayResult.status`,
    /// :attr:`GatewayResult.content_type` and :attr:`GatewayResult.body` back. Never raises for
    /// a bad request or a failed handler (they are answers); a handler's ``KeyboardInterrupt``
    /// or ``SystemExit`` propagates (the notification stays stored, and the retry runs the
    /// handler again).
    ///
    /// Args:
    ///     content_type: the request's ``Content-Type`` header (``None`` when absent).
    ///     body: the raw request body (a ``str`` is encoded as UTF-8); read at most
    ///         :attr:`max_body_bytes` + 1 bytes of it.
    ///
    /// Raises:
    ///     ConfigError: the registry is closed.
    #[pyo3(signature = (content_type, body))]
    fn handle(
        &self,
        py: Python<'_>,
        content_type: Option<PyBackedStr>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<GatewayResult> {
        let body = Body::extract(body, Charset::Utf8, "body")?;
        let gateway = self.core()?;
        let received = detached(py, || {
            Ok(gateway.receive(content_type.as_deref(), body.as_bytes()))
        })?;
        match received {
            Received::Answer(result) => Ok(GatewayResult::wrap(py, result)),
            Received::Deliver(delivery) => {
                let delivery = Bound::new(py, GatewayDelivery::wrap(py, *delivery)?)?;
                let handled = self.run_handler(py, &delivery)?;
                let delivered = &delivery.get().inner;
                let result = detached(py, || Ok(gateway.finish(delivered, handled)))?;
                Ok(GatewayResult::wrap(py, result))
            }
        }
    }

    /// The first half of :meth:`handle`, for hosts whose handlers run elsewhere (an event
    /// loop, a queue): a :class:`GatewayResult` to write back when there is nothing for a
    /// handler (refused, the gateway check, a notification already handled, a store failure),
    /// or the :class:`GatewayDelivery` of a verified, stored notification: run its handler,
    /// then :meth:`finish`. Releases the GIL. Arguments as for :meth:`handle`.
    ///
    /// Raises:
    ///     ConfigError: the registry is closed.
    #[pyo3(signature = (content_type, body))]
    fn receive(
        &self,
        py: Python<'_>,
        content_type: Option<PyBackedStr>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let body = Body::extract(body, Charset::Utf8, "body")?;
        let gateway = self.core()?;
        let received = detached(py, || {
            Ok(gateway.receive(content_type.as_deref(), body.as_bytes()))
        })?;
        Ok(match received {
            Received::Answer(result) => Py::new(py, GatewayResult::wrap(py, result))?.into_any(),
            Received::Deliver(delivery) => {
                Py::new(py, GatewayDelivery::wrap(py, *delivery)?)?.into_any()
            }
        })
    }

    /// The second half of :meth:`handle`, after the delivery's handler ran: ``error=None``
    /// when it finished (the notification is marked handled, ``success`` answered), else the
    /// exception it raised (or a reason as ``str``): answered ``fail`` (500), so Alipay retries
    /// and the handler runs again. Releases the GIL.
    ///
    /// Raises:
    ///     ConfigError: the registry is closed.
    ///     TypeError: ``error`` is neither ``None``, a ``str`` nor an exception.
    #[pyo3(signature = (delivery, error = None))]
    fn finish(
        &self,
        py: Python<'_>,
        delivery: PyRef<'_, GatewayDelivery>,
        error: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<GatewayResult> {
        let handled = match error {
            None => Ok(()),
            Some(error) if error.is_none() => Ok(()),
            Some(error) if error.is_instance_of::<PyString>() => Err(error.extract::<String>()?),
            Some(error) if error.is_instance_of::<pyo3::exceptions::PyBaseException>() => {
                Err(PyErr::from_value(error.clone()).to_string())
            }
            Some(_) => {
                return Err(PyTypeError::new_err(
                    "error must be None, a str or the exception the handler raised",
                ));
            }
        };
        let gateway = self.core()?;
        let delivered = &delivery.inner;
        let result = detached(py, || Ok(gateway.finish(delivered, handled)))?;
        Ok(GatewayResult::wrap(py, result))
    }

    /// An ASGI 3 application serving this gateway (:class:`alipay_isv.gateway.AsgiGateway`):
    /// route Alipay's path to it in Starlette or FastAPI
    /// (``app.add_route("/alipay/gateway", gateway.asgi_app(), methods=["POST"])``), or serve it
    /// with any ASGI server.
    fn asgi_app<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        adapter(slf, "asgi_app")
    }

    /// A WSGI application serving this gateway (:class:`alipay_isv.gateway.WsgiGateway`):
    /// mount it beside a Flask app (werkzeug's ``DispatcherMiddleware``), call it from a view, or
    /// serve it with any WSGI server.
    fn wsgi_app<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        adapter(slf, "wsgi_app")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let handlers: Vec<String> = HANDLER_KINDS
            .into_iter()
            .filter(|kind| self.handlers[slot(*kind)].is_some())
            .map(|kind| format!("'{}'", kind.as_str()))
            .collect();
        Ok(format!(
            "Gateway(app_id='{}', max_body_bytes={}, handlers=[{}], registry={})",
            self.config.get().inner.app_id(),
            self.max_body_bytes,
            handlers.join(", "),
            self.registry.bind(py).repr()?,
        ))
    }
}

/// The framework adapter `name` of `alipay_isv.gateway` built for `gateway`.
fn adapter<'py>(gateway: &Bound<'py, Gateway>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    gateway
        .py()
        .import("alipay_isv.gateway")?
        .getattr(name)?
        .call1((gateway,))
}
