//! `Registry`: the Python face of `alipay_isv::registry::Registry`, the durable merchant
//! authorisation registry (our app – merchant PID – `auth_app_id` – `app_auth_token`) and the
//! service-market orders, in a SQLite file, in PostgreSQL or MySQL/MariaDB, or in memory — opened
//! from a path or URL as the core's `open_store` reads it ([`place`]).
//!
//! Every method releases the GIL: opening, reading and ingesting touch the disk or the database
//! server, `token_for`, `execute_for` and `execute_v3_for` may refresh a token over the network
//! (exactly once however many threads, processes or hosts ask), `import_token` asks the gateway about the token it stores, and the order calls
//! (`accept_order`, …) call the gateway and record the new status.
//! The core registry is shared behind an `Arc`, so `close()` never waits for calls in flight.
//!
//! As in the core: the records it hands out are in [`record`], the orders in [`order`], the key
//! of tokens at rest in [`token_key`], and what `import_token` did ([`TokenImport`]) in
//! [`import`]. One registry may hold a client per app (`client`, the default app's, and
//! `clients`, one per other app or plugin).

mod import;
mod order;
mod place;
mod record;
mod token_key;

pub(crate) use import::TokenImport;
pub(crate) use order::{OrderItemState, OrderRecord, OrderStatusChange};
pub(crate) use record::MerchantAuthorisation;
pub(crate) use token_key::TokenKey;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use alipay_isv::registry::{self, DEFAULT_REFRESH_MARGIN, SqliteStore, Store};
use alipay_isv::{Error, auth};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyList;

use crate::auth::{AppAuthToken, AppAuthTokenInfo};
use crate::client::{Client, RetryPolicy, seconds};
use crate::config::call_options;
use crate::error::{detached, guarded};
use crate::notify::core_notification;
use crate::response::VerifiedResponse;
use crate::servicemarket::item_target;
use crate::v3::{CallArgs, ReadResponse, V3Response};
use place::{Kind, Place};
pub(crate) use record::outcome;

/// An open registry: the core registry and, for a file, its SQLite store.
struct Open {
    registry: Arc<registry::Registry>,
    sqlite: Option<Arc<SqliteStore>>,
}

/// The merchant authorisation registry: the unique relation merchant PID - ``auth_app_id`` -
/// ``app_auth_token`` an ISV server must keep, in a SQLite file (WAL; shared safely by threads
/// and by processes), in PostgreSQL or MySQL/MariaDB (shared by every instance of a backend, on
/// any number of hosts), or in memory.
///
/// Fed idempotently from token answers (:meth:`ingest_tokens`), verified notifications
/// (:meth:`ingest_notification`: Alipay's retries are duplicates, late messages never overwrite
/// newer state, a cancellation revokes without deleting) and queries (:meth:`ingest_query`);
/// serves usable tokens (:meth:`token_for`), refreshed ahead of expiry exactly once however many
/// threads, processes or hosts sharing the store ask, and delegated calls (:meth:`execute_for`).
///
/// One registry serves several of our apps (a third-party app and its plugins): records are
/// keyed by (``app_id``, ``auth_app_id``), and each is refreshed and called through the client
/// of its app (``client`` for the default app, ``clients`` for the others; see
/// :meth:`get_for_app`). Service-market orders (:meth:`order`, :class:`OrderRecord`) are stored
/// from their order messages, and the order calls made through the registry
/// (:meth:`accept_order`, :meth:`complete_order_item`, …) record each new status.
///
/// Thread-safe: open one per process and share it. Every method releases the GIL (opening and
/// ingesting touch the disk or the database server; :meth:`token_for`, :meth:`execute_for` and
/// the order calls may call the gateway). For asyncio, use :class:`alipay_isv.aio.Registry`.
/// ``repr()`` shows no token, no key and no database password.
///
/// Opens the registry at ``path_or_url``: a SQLite file (created if missing), a
/// PostgreSQL or MySQL/MariaDB database (its tables created on first use), or memory. The
/// core's ``registry::open_store`` reads the URL, as every binding and the CLI do:
///
/// - a file path, ``sqlite://PATH`` or ``sqlite:PATH`` (``sqlite:///var/lib/isv/r.db`` is
///   the absolute path ``/var/lib/isv/r.db``), or an ``os.PathLike``: a SQLite file (WAL;
///   its ``-wal`` and ``-shm`` companions live beside it);
/// - ``postgres://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``postgresql://``): PostgreSQL.
///   TLS as libpq's ``sslmode`` says: absent or ``disable`` — none; ``prefer``/``require``
///   — encrypted, the certificate not checked (``require`` with ``sslrootcert`` checks the
///   chain); ``verify-ca`` — the chain; ``verify-full`` — the chain and the host name (use
///   it across any network you do not control), against ``sslrootcert=/path/ca.pem`` or
///   the Mozilla roots. Also ``connect_timeout`` (seconds, default 10), ``options`` (e.g.
///   ``options=-csearch_path%3Dregistry`` for a schema of its own; the tables go to the
///   first schema of the ``search_path``), ``application_name`` and the other libpq
///   parameters the driver knows; client certificates (``sslcert``) are refused;
/// - ``mysql://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``mariadb://``): MySQL 5.7+ or
///   MariaDB 10.2+. TLS as the ``mysql`` client's ``ssl-mode`` says (any case):
///   ``DISABLED`` (the default) — none; ``PREFERRED``/``REQUIRED`` — encrypted, the
///   certificate not checked (``REQUIRED`` with ``ssl-ca`` checks the chain);
///   ``VERIFY_CA`` — the chain; ``VERIFY_IDENTITY`` — the chain and the host name, against
///   ``ssl-ca=/path/ca.pem`` or the Mozilla roots. Also ``connect_timeout`` (seconds); any
///   other parameter is refused by name;
/// - both servers: ``pool_max_size`` (connections, 1 to 1000, default 8) and
///   ``pool_timeout`` (seconds a call waits for a free connection, default 10); a password
///   with ``@``, ``:``, ``/``, ``?`` or ``%`` is written percent-encoded (``%40`` …);
/// - ``memory:``: in memory, as :meth:`in_memory` (``key`` is not used).
///
/// Instances on any number of hosts may share one PostgreSQL or MySQL database: each sees
/// the others' records, and a token due for refresh is refreshed by exactly one of them.
/// The password is in no error, no ``repr()`` and not in :attr:`database`.
///
/// Args:
///     path_or_url: the SQLite file or the URL, as above.
///     key: encrypt stored tokens with this key (a :class:`TokenKey`, its Base64 text, or
///         32 bytes); a file or database created with a key must always be opened with that
///         key.
///     client: the client of the *default app* (the third-party app): tokens of
///         :meth:`ingest_tokens` are stored under its app, and it refreshes tokens and makes
///         :meth:`execute_for` calls for the merchants who authorised it.
///     clients: one client per other app of ours (each plugin) whose merchants the registry
///         keeps: each record is refreshed and called through the client of its app.
///     refresh_margin: refresh a token when it expires within this many seconds.
///     token_cache_ttl: serve :meth:`token_for` and the delegated calls from a cache in this
///         instance whose entries live at most this many seconds (and only while the token
///         is not due), sparing a database round trip; ``None`` (the default): no cache. A
///         write through this registry evicts at once; a revocation or refresh written by
///         another instance sharing the database is seen within this bound, never after.
///
/// Raises:
///     StoreError: the file is not SQLite, or a SQLite database of another application (it
///         is left untouched), or was encrypted with another key (or none), or cannot be
///         opened; the database server cannot be reached (within ``connect_timeout``) or
///         refuses the login (the error names the user, never the password), the database
///         does not exist, holds tables of another application or a newer schema (nothing
///         is written to it), or the key does not match.
///     ConfigError: a URL that is not valid (another scheme, an unknown or malformed
///         parameter, an unreadable CA file; never showing the password), a server URL in a
///         build without the ``sql-stores`` feature, a malformed key, a negative margin, or a
///         ``token_cache_ttl`` that is zero, negative or not finite.
///     TypeError: ``path_or_url`` is neither a ``str`` nor an ``os.PathLike``, or
///         ``clients`` holds something other than :class:`Client` objects.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Registry {
    open: RwLock<Option<Open>>,
    client: Option<Py<Client>>,
    clients: Vec<Py<Client>>,
    default_app_id: String,
    kind: Kind,
    location: Option<String>,
    encrypted: bool,
    refresh_margin: Duration,
    token_cache_ttl: Option<Duration>,
}

/// The timing options every constructor takes.
struct Timing {
    refresh_margin: Duration,
    token_cache_ttl: Option<Duration>,
}

impl Registry {
    /// Wraps `store` with the options every constructor takes.
    fn build(
        store: Arc<dyn Store>,
        sqlite: Option<Arc<SqliteStore>>,
        clients: Clients<'_>,
        timing: Timing,
        kind: Kind,
        location: Option<String>,
        encrypted: bool,
    ) -> Self {
        let mut core = registry::Registry::new(store).with_refresh_margin(timing.refresh_margin);
        for client in clients.client.iter().chain(&clients.others) {
            core = core.with_client(client.get().inner.clone());
        }
        if let Some(ttl) = timing.token_cache_ttl {
            core = core.with_token_cache(ttl);
        }
        Registry {
            default_app_id: core.default_app_id().to_string(),
            open: RwLock::new(Some(Open {
                registry: Arc::new(core),
                sqlite,
            })),
            client: clients.client.map(Bound::unbind),
            clients: clients.others.into_iter().map(Bound::unbind).collect(),
            kind,
            location,
            encrypted,
            refresh_margin: timing.refresh_margin,
            token_cache_ttl: timing.token_cache_ttl,
        }
    }

    /// The core registry, or `ConfigError` once closed.
    pub(crate) fn live(&self) -> PyResult<Arc<registry::Registry>> {
        let open = self.open.read().unwrap_or_else(PoisonError::into_inner);
        let registry = open.as_ref().map(|open| Arc::clone(&open.registry));
        guarded(|| registry.ok_or_else(|| Error::config("the registry was closed").into()))
    }

    /// The margin argument as a duration.
    fn margin(refresh_margin: f64) -> PyResult<Duration> {
        guarded(|| seconds(refresh_margin, "refresh_margin"))
    }

    /// The `token_cache_ttl` argument as a duration: finite and positive, or `None` (no cache).
    fn cache_ttl(token_cache_ttl: Option<f64>) -> PyResult<Option<Duration>> {
        guarded(|| {
            token_cache_ttl
                .map(|value| {
                    Duration::try_from_secs_f64(value)
                        .ok()
                        .filter(|ttl| !ttl.is_zero())
                        .ok_or_else(|| {
                            Error::config(format!(
                                "`token_cache_ttl` must be a finite, positive number of seconds \
                                 (the longest a cached token may be served), not {value}; pass \
                                 None for no cache"
                            ))
                            .into()
                        })
                })
                .transpose()
        })
    }

    /// The orders as a Python list.
    fn orders_list(
        py: Python<'_>,
        orders: Vec<registry::OrderRecord>,
    ) -> PyResult<Vec<Py<OrderRecord>>> {
        orders
            .into_iter()
            .map(|order| Py::new(py, OrderRecord::wrap(order)))
            .collect()
    }

    /// Runs an order call of the core registry with the GIL released; the updated order.
    fn order_call(
        &self,
        py: Python<'_>,
        call: impl FnOnce(&registry::Registry) -> alipay_isv::Result<registry::OrderRecord> + Send,
    ) -> PyResult<OrderRecord> {
        let registry = self.live()?;
        let order = detached(py, || Ok(call(&registry)?))?;
        Ok(OrderRecord::wrap(order))
    }

    /// The records as a Python list.
    fn records(
        py: Python<'_>,
        records: Vec<registry::MerchantAuthorisation>,
    ) -> PyResult<Vec<Py<MerchantAuthorisation>>> {
        records
            .into_iter()
            .map(|record| Py::new(py, MerchantAuthorisation::wrap(record)))
            .collect()
    }

    /// The core tokens of a sequence of `AppAuthToken`.
    fn tokens(tokens: &Bound<'_, PyAny>) -> PyResult<Vec<auth::AppAuthToken>> {
        tokens
            .try_iter()?
            .map(|item| {
                let item = item?;
                let token = item.cast::<AppAuthToken>().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "tokens must be AppAuthToken objects (as exchange_app_auth_code returns)",
                    )
                })?;
                Ok(token.get().inner.clone())
            })
            .collect()
    }

    /// Ingests `tokens` with `ingest` and returns the outcomes as a list of `IngestOutcome`.
    fn ingest_with<'py>(
        &self,
        py: Python<'py>,
        tokens: &Bound<'py, PyAny>,
        refreshed: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let tokens = Self::tokens(tokens)?;
        let registry = self.live()?;
        let outcomes = detached(py, || {
            Ok(if refreshed {
                registry.ingest_refreshed_tokens(&tokens)?
            } else {
                registry.ingest_tokens(&tokens)?
            })
        })?;
        let members = outcomes
            .into_iter()
            .map(|each| outcome(py, each))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, members)
    }
}

#[pymethods]
impl Registry {
    /// Opens the registry at ``path_or_url``: a SQLite file (created if missing), a
    /// PostgreSQL or MySQL/MariaDB database (its tables created on first use), or memory. The
    /// core's ``registry::open_store`` reads the URL, as every binding and the CLI do:
    ///
    /// - a file path, ``sqlite://PATH`` or ``sqlite:PATH`` (``sqlite:///var/lib/isv/r.db`` is
    ///   the absolute path ``/var/lib/isv/r.db``), or an ``os.PathLike``: a SQLite file (WAL;
    ///   its ``-wal`` and ``-shm`` companions live beside it);
    /// - ``postgres://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``postgresql://``): PostgreSQL.
    ///   TLS as libpq's ``sslmode`` says: absent or ``disable`` — none; ``prefer``/``require``
    ///   — encrypted, the certificate not checked (``require`` with ``sslrootcert`` checks the
    ///   chain); ``verify-ca`` — the chain; ``verify-full`` — the chain and the host name (use
    ///   it across any network you do not control), against ``sslrootcert=/path/ca.pem`` or
    ///   the Mozilla roots. Also ``connect_timeout`` (seconds, default 10), ``options`` (e.g.
    ///   ``options=-csearch_path%3Dregistry`` for a schema of its own; the tables go to the
    ///   first schema of the ``search_path``), ``application_name`` and the other libpq
    ///   parameters the driver knows; client certificates (``sslcert``) are refused;
    /// - ``mysql://USER:PASSWORD@HOST:PORT/DATABASE?…`` (or ``mariadb://``): MySQL 5.7+ or
    ///   MariaDB 10.2+. TLS as the ``mysql`` client's ``ssl-mode`` says (any case):
    ///   ``DISABLED`` (the default) — none; ``PREFERRED``/``REQUIRED`` — encrypted, the
    ///   certificate not checked (``REQUIRED`` with ``ssl-ca`` checks the chain);
    ///   ``VERIFY_CA`` — the chain; ``VERIFY_IDENTITY`` — the chain and the host name, against
    ///   ``ssl-ca=/path/ca.pem`` or the Mozilla roots. Also ``connect_timeout`` (seconds); any
    ///   other parameter is refused by name;
    /// - both servers: ``pool_max_size`` (connections, 1 to 1000, default 8) and
    ///   ``pool_timeout`` (seconds a call waits for a free connection, default 10); a password
    ///   with ``@``, ``:``, ``/``, ``?`` or ``%`` is written percent-encoded (``%40`` …);
    /// - ``memory:``: in memory, as :meth:`in_memory` (``key`` is not used).
    ///
    /// Instances on any number of hosts may share one PostgreSQL or MySQL database: each sees
    /// the others' records, and a token due for refresh is refreshed by exactly one of them.
    /// The password is in no error, no ``repr()`` and not in :attr:`database`.
    ///
    /// Args:
    ///     path_or_url: the SQLite file or the URL, as above.
    ///     key: encrypt stored tokens with this key (a :class:`TokenKey`, its Base64 text, or
    ///         32 bytes); a file or database created with a key must always be opened with that
    ///         key.
    ///     client: the client of the *default app* (the third-party app): tokens of
    ///         :meth:`ingest_tokens` are stored under its app, and it refreshes tokens and makes
    ///         :meth:`execute_for` calls for the merchants who authorised it.
    ///     clients: one client per other app of ours (each plugin) whose merchants the registry
    ///         keeps: each record is refreshed and called through the client of its app.
    ///     refresh_margin: refresh a token when it expires within this many seconds.
    ///     token_cache_ttl: serve :meth:`token_for` and the delegated calls from a cache in this
    ///         instance whose entries live at most this many seconds (and only while the token
    ///         is not due), sparing a database round trip; ``None`` (the default): no cache. A
    ///         write through this registry evicts at once; a revocation or refresh written by
    ///         another instance sharing the database is seen within this bound, never after.
    ///
    /// Raises:
    ///     StoreError: the file is not SQLite, or a SQLite database of another application (it
    ///         is left untouched), or was encrypted with another key (or none), or cannot be
    ///         opened; the database server cannot be reached (within ``connect_timeout``) or
    ///         refuses the login (the error names the user, never the password), the database
    ///         does not exist, holds tables of another application or a newer schema (nothing
    ///         is written to it), or the key does not match.
    ///     ConfigError: a URL that is not valid (another scheme, an unknown or malformed
    ///         parameter, an unreadable CA file; never showing the password), a server URL in a
    ///         build without the ``sql-stores`` feature, a malformed key, a negative margin, or a
    ///         ``token_cache_ttl`` that is zero, negative or not finite.
    ///     TypeError: ``path_or_url`` is neither a ``str`` nor an ``os.PathLike``, or
    ///         ``clients`` holds something other than :class:`Client` objects.
    #[new]
    #[pyo3(
        signature = (path_or_url, *, key = None, client = None, clients = None, refresh_margin = 600.0, token_cache_ttl = None),
        text_signature = "(path_or_url, *, key=None, client=None, clients=(), refresh_margin=600.0, token_cache_ttl=None)"
    )]
    fn new(
        py: Python<'_>,
        path_or_url: &Bound<'_, PyAny>,
        key: Option<&Bound<'_, PyAny>>,
        client: Option<Bound<'_, Client>>,
        clients: Option<&Bound<'_, PyAny>>,
        refresh_margin: f64,
        token_cache_ttl: Option<f64>,
    ) -> PyResult<Self> {
        let place = Place::extract(path_or_url)?;
        let clients = Clients::extract(client, clients)?;
        let key = key.map(TokenKey::extract).transpose()?;
        let timing = Timing {
            refresh_margin: Self::margin(refresh_margin)?,
            token_cache_ttl: Self::cache_ttl(token_cache_ttl)?,
        };
        let opened = detached(py, || Ok(place.open(key)?))?;
        Ok(Self::build(
            opened.store,
            opened.sqlite,
            clients,
            timing,
            opened.kind,
            opened.location,
            opened.encrypted,
        ))
    }

    /// A registry in memory (gone with the process), for tests and single-process tools.
    /// Arguments as for the constructor.
    #[staticmethod]
    #[pyo3(
        signature = (*, client = None, clients = None, refresh_margin = 600.0),
        text_signature = "(*, client=None, clients=(), refresh_margin=600.0)"
    )]
    fn in_memory(
        client: Option<Bound<'_, Client>>,
        clients: Option<&Bound<'_, PyAny>>,
        refresh_margin: f64,
    ) -> PyResult<Self> {
        let clients = Clients::extract(client, clients)?;
        let timing = Timing {
            refresh_margin: Self::margin(refresh_margin)?,
            token_cache_ttl: None,
        };
        let store = Arc::new(registry::MemoryStore::new());
        Ok(Self::build(
            store,
            None,
            clients,
            timing,
            Kind::Memory,
            None,
            false,
        ))
    }

    /// The SQLite file, or ``None`` for a registry in a database server or in memory.
    #[getter]
    fn path(&self) -> Option<&str> {
        match self.kind {
            Kind::Sqlite => self.location.as_deref(),
            Kind::Postgres | Kind::Mysql | Kind::Memory => None,
        }
    }

    /// The database of a registry in PostgreSQL or MySQL as the core names it —
    /// ``postgres://USER@HOST:PORT/DATABASE``, ``mysql://…`` (never the password, no
    /// parameters) —, or ``None`` for a SQLite file or memory.
    #[getter]
    fn database(&self) -> Option<&str> {
        match self.kind {
            Kind::Postgres | Kind::Mysql => self.location.as_deref(),
            Kind::Sqlite | Kind::Memory => None,
        }
    }

    /// Which store keeps the records: ``"sqlite"`` (a file), ``"postgres"``, ``"mysql"``
    /// (MySQL or MariaDB) or ``"memory"``.
    #[getter]
    fn store_kind(&self) -> &'static str {
        self.kind.name()
    }

    /// Whether stored tokens are encrypted with a :class:`TokenKey`.
    #[getter]
    fn encrypted(&self) -> bool {
        self.encrypted
    }

    /// The default app's client, if any: tokens of its merchants are refreshed and delegated
    /// calls made with it.
    #[getter]
    fn client(&self, py: Python<'_>) -> Option<Py<Client>> {
        self.client.as_ref().map(|client| client.clone_ref(py))
    }

    /// The clients of our other apps (plugins), as given (a new ``list`` each time).
    #[getter]
    fn clients(&self, py: Python<'_>) -> Vec<Py<Client>> {
        self.clients
            .iter()
            .map(|client| client.clone_ref(py))
            .collect()
    }

    /// The *default app*: the app of :attr:`client` (else of the first of :attr:`clients`),
    /// ``""`` without a client. Tokens of :meth:`ingest_tokens` are stored under it, and it wins
    /// when a merchant app that authorised several of our apps is asked for by ``auth_app_id``
    /// alone.
    #[getter]
    fn default_app_id(&self) -> &str {
        &self.default_app_id
    }

    /// Seconds before expiry a token is refreshed.
    #[getter]
    fn refresh_margin(&self) -> f64 {
        self.refresh_margin.as_secs_f64()
    }

    /// The bound, in seconds, of the token cache (``None``: no cache): a cached token is
    /// served at most this long after it was read, so another instance's revocation or refresh
    /// is seen within it; a write through this registry evicts at once.
    #[getter]
    fn token_cache_ttl(&self) -> Option<f64> {
        self.token_cache_ttl.map(|ttl| ttl.as_secs_f64())
    }

    /// Stores the tokens :meth:`Client.exchange_app_auth_code` returned (every token of a
    /// batch): each is a new authorisation and replaces what was stored for its
    /// ``auth_app_id``. Returns one outcome per token.
    ///
    /// Raises:
    ///     ProtocolError: a token without ``auth_app_id``.
    ///     StoreError: the store failed.
    #[pyo3(signature = (tokens))]
    fn ingest_tokens<'py>(
        &self,
        py: Python<'py>,
        tokens: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.ingest_with(py, tokens, false)
    }

    /// Stores the tokens of a :meth:`Client.refresh_app_auth_token` made outside the
    /// registry (the authorisation time is kept). Errors as for :meth:`ingest_tokens`.
    #[pyo3(signature = (tokens))]
    fn ingest_refreshed_tokens<'py>(
        &self,
        py: Python<'py>,
        tokens: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.ingest_with(py, tokens, true)
    }

    /// Ingests a notification :meth:`NotificationVerifier.verify_body` verified: an
    /// ``open_app_auth_notify`` stores its tokens under the app the merchant authorised (the
    /// plugin for a plugin authorisation), an ``alipay.open.auth.appauth.cancelled`` revokes, a
    /// ``servicemarket_order_notify`` stores the order (:meth:`order`); each de-duplicated by
    /// ``notify_id`` (``DUPLICATE``) and ordered (``STALE`` when older than what is stored).
    /// Anything else is ``IGNORED``. Answer ``success`` only after this returned (a
    /// :class:`Gateway` does all of it).
    ///
    /// Raises:
    ///     StoreError: the store failed.
    #[pyo3(signature = (notification))]
    fn ingest_notification<'py>(
        &self,
        py: Python<'py>,
        notification: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let notification = core_notification(notification)?;
        let registry = self.live()?;
        let done = detached(py, || Ok(registry.ingest_notification(&notification)?))?;
        outcome(py, done)
    }

    /// Ingests what :meth:`Client.query_app_auth_token` answered for ``app_auth_token``:
    /// granted APIs, expiry and — when the gateway says ``invalid`` — revocation. A query about
    /// a token that is no longer the stored one is ``STALE``.
    ///
    /// Raises:
    ///     StoreError: the store failed.
    #[pyo3(signature = (app_auth_token, info))]
    fn ingest_query<'py>(
        &self,
        py: Python<'py>,
        app_auth_token: PyBackedStr,
        info: PyRef<'py, AppAuthTokenInfo>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let info = info.inner.clone();
        let registry = self.live()?;
        let done = detached(py, || Ok(registry.ingest_query(&app_auth_token, &info)?))?;
        outcome(py, done)
    }

    /// Imports a merchant's ``app_auth_token`` copied from the open-platform console
    /// (获得 app_auth_token 的方法二), with its ``app_refresh_token`` when known. The token is
    /// checked with ``alipay.open.auth.token.app.query`` through the registry's client (the GIL
    /// released), and the relation the gateway answers — merchant PID, ``auth_app_id``, granted
    /// APIs, expiry — is stored with :attr:`AuthOrigin.IMPORTED`. Importing the stored token
    /// again is ``DUPLICATE`` (one record); a token older than the stored one (it expires
    /// earlier) is ``STALE`` and changes nothing. Without a refresh token, :meth:`token_for`
    /// refuses the token once it is due for refresh (re-import it, or have the merchant
    /// authorise again). Nothing is stored on any error, and no error holds either token.
    ///
    /// Raises:
    ///     ConfigError: text that cannot be a token (empty, spaces, control or non-ASCII
    ///         characters, too long; no call is made), or a registry without a client.
    ///     ApiError: the gateway refused the query (``20001 aop.invalid-app-auth-token`` for a
    ///         token it never issued).
    ///     StoreError: the gateway reports the token ``invalid`` (expired or revoked), or the
    ///         store failed.
    ///     TransportError: the gateway could not be reached.
    ///     ProtocolError: an answer without ``auth_app_id`` or ``status``.
    #[pyo3(signature = (app_auth_token, app_refresh_token = None))]
    fn import_token(
        &self,
        py: Python<'_>,
        app_auth_token: PyBackedStr,
        app_refresh_token: Option<PyBackedStr>,
    ) -> PyResult<TokenImport> {
        let registry = self.live()?;
        let imported = detached(py, || {
            Ok(registry.import_token(&app_auth_token, app_refresh_token.as_deref())?)
        })?;
        TokenImport::wrap(py, imported)
    }

    /// The record of the merchant app ``auth_app_id``, or ``None``: its only one, or — when it
    /// authorised several of our apps — the default app's.
    ///
    /// Raises:
    ///     StoreError: it authorised several of our apps and none is the default app (ask with
    ///         :meth:`get_for_app`), or the store failed.
    #[pyo3(signature = (auth_app_id))]
    fn get(
        &self,
        py: Python<'_>,
        auth_app_id: PyBackedStr,
    ) -> PyResult<Option<MerchantAuthorisation>> {
        let registry = self.live()?;
        let found = detached(py, || Ok(registry.get(&auth_app_id)?))?;
        Ok(found.map(MerchantAuthorisation::wrap))
    }

    /// The record of the merchant app ``auth_app_id``'s authorisation of our app ``app_id``
    /// (a plugin's, say), or ``None``. A record stored before the registry recorded apps is
    /// found too.
    ///
    /// Raises:
    ///     StoreError: the store failed.
    #[pyo3(signature = (app_id, auth_app_id))]
    fn get_for_app(
        &self,
        py: Python<'_>,
        app_id: PyBackedStr,
        auth_app_id: PyBackedStr,
    ) -> PyResult<Option<MerchantAuthorisation>> {
        let registry = self.live()?;
        let found = detached(py, || Ok(registry.get_for_app(&app_id, &auth_app_id)?))?;
        Ok(found.map(MerchantAuthorisation::wrap))
    }

    /// Every record (revoked ones included), by ``auth_app_id``.
    fn list(&self, py: Python<'_>) -> PyResult<Vec<Py<MerchantAuthorisation>>> {
        let registry = self.live()?;
        let records = detached(py, || Ok(registry.list()?))?;
        Self::records(py, records)
    }

    /// The records of one merchant PID (a merchant may authorise several apps).
    #[pyo3(signature = (merchant_pid))]
    fn by_merchant(
        &self,
        py: Python<'_>,
        merchant_pid: PyBackedStr,
    ) -> PyResult<Vec<Py<MerchantAuthorisation>>> {
        let registry = self.live()?;
        let records = detached(py, || Ok(registry.by_merchant(&merchant_pid)?))?;
        Self::records(py, records)
    }

    /// Marks the merchant app revoked locally (the record is kept) and returns the record.
    ///
    /// Raises:
    ///     StoreError: no record of ``auth_app_id``.
    #[pyo3(signature = (auth_app_id))]
    fn revoke(&self, py: Python<'_>, auth_app_id: PyBackedStr) -> PyResult<MerchantAuthorisation> {
        let registry = self.live()?;
        let record = detached(py, || Ok(registry.revoke(&auth_app_id)?))?;
        Ok(MerchantAuthorisation::wrap(record))
    }

    /// A usable ``app_auth_token`` for the merchant app: the stored one, or — when it
    /// expires within the refresh margin — a fresh one obtained with the stored refresh token
    /// through the client of the record's app (:attr:`client`, or one of :attr:`clients`) and
    /// stored before it is returned. Exactly one refresh reaches the
    /// gateway when many threads (or processes sharing the file) ask at once. A refresh that
    /// fails while the stored token is still valid returns the stored token (and is retried a
    /// few seconds later); once it has expired, the refresh's error is raised.
    ///
    /// Raises:
    ///     StoreError: an unknown or revoked merchant app (the reason names its
    ///         ``auth_app_id``; no call is made), or a store failure.
    ///     ConfigError: the token has expired and the registry has no client to refresh it.
    ///     ApiError: the refresh was refused; the other errors of :meth:`Client.execute`.
    #[pyo3(signature = (auth_app_id))]
    fn token_for(&self, py: Python<'_>, auth_app_id: PyBackedStr) -> PyResult<String> {
        let registry = self.live()?;
        detached(py, || Ok(registry.token_for(&auth_app_id)?))
    }

    /// :meth:`token_for` the authorisation of the merchant app ``auth_app_id`` to our app
    /// ``app_id`` (refreshed through that app's client).
    ///
    /// Raises:
    ///     StoreError: no such authorisation, a revoked one (no call is made), or a store
    ///         failure.
    ///     ConfigError: the token is due and the registry has no client of ``app_id``.
    ///     ApiError: the refresh was refused; the other errors of :meth:`Client.execute`.
    #[pyo3(signature = (app_id, auth_app_id))]
    fn token_for_app(
        &self,
        py: Python<'_>,
        app_id: PyBackedStr,
        auth_app_id: PyBackedStr,
    ) -> PyResult<String> {
        let registry = self.live()?;
        detached(py, || Ok(registry.token_for_app(&app_id, &auth_app_id)?))
    }

    /// A usable token of the merchant's only active authorisation, by PID.
    ///
    /// Raises:
    ///     StoreError: the merchant has no active authorisation, or several (ask by
    ///         ``auth_app_id``); otherwise as for :meth:`token_for`.
    #[pyo3(signature = (merchant_pid))]
    fn token_for_merchant(&self, py: Python<'_>, merchant_pid: PyBackedStr) -> PyResult<String> {
        let registry = self.live()?;
        detached(py, || Ok(registry.token_for_merchant(&merchant_pid)?))
    }

    /// :meth:`Client.execute` on behalf of the merchant app ``auth_app_id``: its token is
    /// looked up (and refreshed when due) by the registry, and the call made through the client
    /// of the app it authorised. Arguments as for :meth:`Client.execute`, without
    /// ``app_auth_token``.
    ///
    /// Raises:
    ///     StoreError: as for :meth:`token_for` (no call is made for a revoked merchant).
    ///     ConfigError: the registry has no client of the merchant's app.
    ///     ApiError: the errors of :meth:`Client.execute`.
    #[pyo3(signature = (
        auth_app_id,
        method,
        biz_content = None,
        *,
        auth_token = None,
        notify_url = None,
        return_url = None,
        extra_params = None,
        encrypt = false,
        retry = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn execute_for(
        &self,
        py: Python<'_>,
        auth_app_id: PyBackedStr,
        method: PyBackedStr,
        biz_content: Option<&Bound<'_, PyAny>>,
        auth_token: Option<String>,
        notify_url: Option<String>,
        return_url: Option<String>,
        extra_params: Option<&Bound<'_, PyAny>>,
        encrypt: bool,
        retry: Option<PyRef<'_, RetryPolicy>>,
    ) -> PyResult<VerifiedResponse> {
        let options = call_options(
            biz_content,
            None,
            auth_token,
            notify_url,
            return_url,
            extra_params,
            encrypt,
            None,
        )?;
        let policy = retry.map(|policy| policy.inner.clone());
        let registry = self.live()?;
        let verified = detached(py, || {
            Ok(match &policy {
                Some(policy) => {
                    registry.execute_for_with_retry(&auth_app_id, &method, &options, policy)?
                }
                None => registry.execute_for(&auth_app_id, &method, &options)?,
            })
        })?;
        VerifiedResponse::convert(py, verified)
    }

    /// :meth:`Client.execute_v3` on behalf of the merchant app ``auth_app_id``: its token is
    /// looked up (and refreshed when due) by the registry and sent in the
    /// ``alipay-app-auth-token`` header and the signed string, and the call made through the
    /// client of the app it authorised. Arguments as for :meth:`Client.execute_v3`, without
    /// ``app_auth_token``.
    ///
    /// Raises:
    ///     StoreError: as for :meth:`token_for` (no call is made for a revoked or unknown
    ///         merchant).
    ///     ConfigError: the registry has no client of the merchant's app; a bad call, as for
    ///         :meth:`Client.execute_v3`.
    ///     ApiError: the errors of :meth:`Client.execute_v3`.
    #[pyo3(signature = (
        auth_app_id,
        method,
        path,
        *,
        query = None,
        body = None,
        encrypt = false,
        files = None,
        request_id = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn execute_v3_for(
        &self,
        py: Python<'_>,
        auth_app_id: PyBackedStr,
        method: String,
        path: String,
        query: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        encrypt: bool,
        files: Option<&Bound<'_, PyAny>>,
        request_id: Option<String>,
    ) -> PyResult<V3Response> {
        let call = CallArgs {
            method,
            path,
            query,
            body,
            app_auth_token: None,
            encrypt,
            files,
            request_id,
        }
        .into_call()?;
        let registry = self.live()?;
        let read = detached(py, || {
            ReadResponse::new(registry.execute_v3_for(&auth_app_id, &call)?)
        })?;
        V3Response::convert(py, read)
    }

    /// The stored service-market order ``commodity_order_id``, or ``None`` when its order
    /// message was not ingested.
    ///
    /// Raises:
    ///     StoreError: the store failed.
    #[pyo3(signature = (commodity_order_id))]
    fn order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
    ) -> PyResult<Option<OrderRecord>> {
        let registry = self.live()?;
        let found = detached(py, || Ok(registry.order(&commodity_order_id)?))?;
        Ok(found.map(OrderRecord::wrap))
    }

    /// Every stored order, oldest first.
    ///
    /// Raises:
    ///     StoreError: the store failed.
    fn orders(&self, py: Python<'_>) -> PyResult<Vec<Py<OrderRecord>>> {
        let registry = self.live()?;
        let orders = detached(py, || Ok(registry.orders()?))?;
        Self::orders_list(py, orders)
    }

    /// The merchant authorisation an order goes with: the authorisation of the order's mini
    /// program (``consumer_mini_app_id``) to the app that received the order, else the
    /// merchant's only active authorisation of that app. ``None`` while it has not arrived (the
    /// order message and the plugin authorisation come in either order).
    ///
    /// Raises:
    ///     StoreError: an unknown order, or a store failure.
    #[pyo3(signature = (commodity_order_id))]
    fn order_authorisation(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
    ) -> PyResult<Option<MerchantAuthorisation>> {
        let registry = self.live()?;
        let found = detached(
            py,
            || Ok(registry.order_authorisation(&commodity_order_id)?),
        )?;
        Ok(found.map(MerchantAuthorisation::wrap))
    }

    /// Accepts the stored order (接单) through the client of the app that received it
    /// (:meth:`Client.accept_servicemarket_order`), records :data:`ORDER_ACCEPTED` in its
    /// status and history, and returns the updated order.
    ///
    /// Raises:
    ///     StoreError: an order the registry does not hold (no call is made).
    ///     ConfigError: the registry has no client of the order's app.
    ///     ApiError: the errors of :meth:`Client.accept_servicemarket_order` (nothing is
    ///         recorded).
    #[pyo3(signature = (commodity_order_id))]
    fn accept_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
    ) -> PyResult<OrderRecord> {
        self.order_call(py, |registry| registry.accept_order(&commodity_order_id))
    }

    /// Rejects the stored order (拒单) with the reason the merchant will read, and records
    /// :data:`ORDER_REJECTED`. Errors as for :meth:`accept_order`.
    #[pyo3(signature = (commodity_order_id, reason))]
    fn reject_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        reason: PyBackedStr,
    ) -> PyResult<OrderRecord> {
        self.order_call(py, |registry| {
            registry.reject_order(&commodity_order_id, &reason)
        })
    }

    /// Marks one item of the stored order implemented and records it :data:`ITEM_TO_CONFIRM`
    /// (the merchant confirms it next). The item is named by exactly one of ``mini_app_id``
    /// and ``shop_id``.
    ///
    /// Raises:
    ///     ConfigError: neither or both of ``mini_app_id`` and ``shop_id``; otherwise as for
    ///         :meth:`accept_order` (:meth:`Client.complete_servicemarket_order_item`).
    #[pyo3(signature = (commodity_order_id, *, mini_app_id = None, shop_id = None))]
    fn complete_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<OrderRecord> {
        let item = item_target(mini_app_id, shop_id)?;
        self.order_call(py, |registry| {
            registry.complete_order_item(&commodity_order_id, &item)
        })
    }

    /// Confirms a completed item on the merchant's behalf with the token of the order's
    /// authorisation (:meth:`order_authorisation`; refreshed if due), and records it
    /// :data:`ITEM_DONE`. The item is named as for :meth:`complete_order_item`.
    ///
    /// Raises:
    ///     StoreError: an unknown order, or the merchant's authorisation has not arrived or is
    ///         revoked (no call is made).
    ///     ConfigError: as for :meth:`complete_order_item`.
    ///     ApiError: the errors of :meth:`Client.confirm_servicemarket_order_item`.
    #[pyo3(signature = (commodity_order_id, *, mini_app_id = None, shop_id = None))]
    fn confirm_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<OrderRecord> {
        let item = item_target(mini_app_id, shop_id)?;
        self.order_call(py, |registry| {
            registry.confirm_order_item(&commodity_order_id, &item)
        })
    }

    /// Cancels one item of the stored order with the reason the merchant will read, and
    /// records it :data:`ITEM_CANCELLED`. The item is named as for
    /// :meth:`complete_order_item`; errors as for it.
    #[pyo3(signature = (commodity_order_id, reason, *, mini_app_id = None, shop_id = None))]
    fn cancel_order_item(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
        reason: PyBackedStr,
        mini_app_id: Option<String>,
        shop_id: Option<String>,
    ) -> PyResult<OrderRecord> {
        let item = item_target(mini_app_id, shop_id)?;
        self.order_call(py, |registry| {
            registry.cancel_order_item(&commodity_order_id, &item, &reason)
        })
    }

    /// Queries every page of the stored order (:meth:`Client.servicemarket_order_pages`) and
    /// records the status and item states Alipay answered (each change in the history with
    /// source ``query``); returns the updated order.
    ///
    /// Raises:
    ///     StoreError: an order the registry does not hold (no call is made).
    ///     ConfigError: the registry has no client of the order's app.
    ///     ApiError: the errors of :meth:`Client.query_servicemarket_order`.
    #[pyo3(signature = (commodity_order_id))]
    fn refresh_order(
        &self,
        py: Python<'_>,
        commodity_order_id: PyBackedStr,
    ) -> PyResult<OrderRecord> {
        self.order_call(py, |registry| registry.refresh_order(&commodity_order_id))
    }

    /// Runs SQLite's ``PRAGMA integrity_check``: ``"ok"`` when the file is healthy.
    ///
    /// Raises:
    ///     ConfigError: a registry in a database server or in memory (no file), or a closed
    ///         one.
    ///     StoreError: the check could not run.
    fn integrity_check(&self, py: Python<'_>) -> PyResult<String> {
        let sqlite = {
            let open = self.open.read().unwrap_or_else(PoisonError::into_inner);
            open.as_ref().map(|open| open.sqlite.clone())
        };
        let sqlite =
            guarded(|| sqlite.ok_or_else(|| Error::config("the registry was closed").into()))?;
        let elsewhere = match (self.kind, &self.location) {
            (Kind::Postgres | Kind::Mysql, Some(database)) => format!(
                "the registry in {database} is not a SQLite file: integrity_check() checks SQLite \
                 files only (the database server checks its own)"
            ),
            _ => "a registry in memory has no file to check".to_string(),
        };
        detached(py, || match sqlite {
            Some(store) => Ok(store.integrity_check()?),
            None => Err(Error::config(elsewhere).into()),
        })
    }

    /// Closes the registry (idempotent): later calls raise ``ConfigError``; calls in flight
    /// finish first. Leaving a ``with`` block closes it too.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self
            .open
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        detached(py, || {
            drop(taken);
            Ok(())
        })
    }

    /// Whether :meth:`close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.open
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let client = match &self.client {
            Some(client) => client.bind(py).repr()?.to_string(),
            None => "None".to_string(),
        };
        let place = match (self.kind, &self.location) {
            (Kind::Sqlite, Some(path)) => {
                format!("path='{path}', encrypted={}", py_bool(self.encrypted))
            }
            (Kind::Postgres | Kind::Mysql, Some(database)) => {
                format!(
                    "database='{database}', encrypted={}",
                    py_bool(self.encrypted)
                )
            }
            _ => "in_memory".to_string(),
        };
        let clients = if self.clients.is_empty() {
            String::new()
        } else {
            let shown = self
                .clients
                .iter()
                .map(|client| Ok(client.bind(py).repr()?.to_string()))
                .collect::<PyResult<Vec<_>>>()?;
            format!(", clients=[{}]", shown.join(", "))
        };
        let cache = match self.token_cache_ttl {
            Some(ttl) => format!(", token_cache_ttl={:?}", ttl.as_secs_f64()),
            None => String::new(),
        };
        Ok(format!(
            "Registry({place}, client={client}{clients}, refresh_margin={:?}{cache}, closed={})",
            self.refresh_margin.as_secs_f64(),
            py_bool(self.closed())
        ))
    }
}

/// The clients a registry is built with: the default app's, and the other apps'.
struct Clients<'py> {
    client: Option<Bound<'py, Client>>,
    others: Vec<Bound<'py, Client>>,
}

impl<'py> Clients<'py> {
    /// Reads the `client` and `clients` arguments (`clients`: any iterable of `Client`).
    fn extract(
        client: Option<Bound<'py, Client>>,
        clients: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        let others = match clients {
            None => Vec::new(),
            Some(clients) => clients
                .try_iter()
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "clients must be a sequence of Client objects",
                    )
                })?
                .map(|item| {
                    item?.cast_into::<Client>().map_err(|_| {
                        pyo3::exceptions::PyTypeError::new_err(
                            "clients must be a sequence of Client objects",
                        )
                    })
                })
                .collect::<PyResult<Vec<_>>>()?,
        };
        Ok(Clients { client, others })
    }
}

/// `True` or `False`.
fn py_bool(flag: bool) -> &'static str {
    if flag { "True" } else { "False" }
}

/// The default margin must match the literal in the `#[pyo3(signature)]`s.
const _: () = assert!(DEFAULT_REFRESH_MARGIN.as_secs() == 600);
