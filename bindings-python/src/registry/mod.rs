//! `Registry`: the Python face of `alipay_isv::registry::Registry`, the durable merchant
//! authorisation registry (PID – `auth_app_id` – `app_auth_token`) in a SQLite file or in memory.
//!
//! Every method releases the GIL: opening and ingesting touch the disk, `token_for` and
//! `execute_for` may refresh a token over the network (exactly once however many threads ask),
//! `import_token` asks the gateway about the token it stores.
//! The core registry is shared behind an `Arc`, so `close()` never waits for calls in flight.
//!
//! As in the core: the records it hands out are in [`record`], the key of tokens at rest in
//! [`token_key`], and what `import_token` did ([`TokenImport`]) in [`import`].

mod import;
mod record;
mod token_key;

pub(crate) use import::TokenImport;
pub(crate) use record::MerchantAuthorisation;
pub(crate) use token_key::TokenKey;

use std::path::PathBuf;
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
use record::outcome;

/// An open registry: the core registry and, for a file, its SQLite store.
struct Open {
    registry: Arc<registry::Registry>,
    sqlite: Option<Arc<SqliteStore>>,
}

/// The merchant authorisation registry: the unique relation merchant PID - ``auth_app_id`` -
/// ``app_auth_token`` an ISV server must keep, in a SQLite file (WAL; shared safely by threads
/// and by processes) or in memory.
///
/// Fed idempotently from token answers (:meth:`ingest_tokens`), verified notifications
/// (:meth:`ingest_notification`: Alipay's retries are duplicates, late messages never overwrite
/// newer state, a cancellation revokes without deleting) and queries (:meth:`ingest_query`);
/// serves usable tokens (:meth:`token_for`), refreshed ahead of expiry exactly once however many
/// threads or processes ask, and delegated calls (:meth:`execute_for`).
///
/// Thread-safe: open one per process and share it. Every method releases the GIL (opening and
/// ingesting touch the disk; :meth:`token_for` and :meth:`execute_for` may call the gateway).
/// For asyncio, use :class:`alipay_isv.aio.Registry`. ``repr()`` shows no token and no key.
#[pyclass(module = "alipay_isv", frozen)]
pub struct Registry {
    open: RwLock<Option<Open>>,
    client: Option<Py<Client>>,
    path: Option<String>,
    encrypted: bool,
    refresh_margin: Duration,
}

impl Registry {
    /// Wraps `store` with the options every constructor takes.
    fn build(
        store: Arc<dyn Store>,
        sqlite: Option<Arc<SqliteStore>>,
        client: Option<Bound<'_, Client>>,
        refresh_margin: Duration,
        path: Option<String>,
        encrypted: bool,
    ) -> Self {
        let mut core = registry::Registry::new(store).with_refresh_margin(refresh_margin);
        if let Some(client) = &client {
            core = core.with_client(client.get().inner.clone());
        }
        Registry {
            open: RwLock::new(Some(Open {
                registry: Arc::new(core),
                sqlite,
            })),
            client: client.map(Bound::unbind),
            path,
            encrypted,
            refresh_margin,
        }
    }

    /// The core registry, or `ConfigError` once closed.
    fn live(&self) -> PyResult<Arc<registry::Registry>> {
        let open = self.open.read().unwrap_or_else(PoisonError::into_inner);
        let registry = open.as_ref().map(|open| Arc::clone(&open.registry));
        guarded(|| registry.ok_or_else(|| Error::config("the registry was closed").into()))
    }

    /// The margin argument as a duration.
    fn margin(refresh_margin: f64) -> PyResult<Duration> {
        guarded(|| seconds(refresh_margin, "refresh_margin"))
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
    /// Opens the registry in the SQLite file at ``path``, creating it if missing.
    ///
    /// Args:
    ///     path: the database file (its ``-wal`` and ``-shm`` companions live beside it).
    ///     key: encrypt stored tokens with this key (a :class:`TokenKey`, its Base64 text, or
    ///         32 bytes); a file created with a key must always be opened with that key.
    ///     client: the client tokens are refreshed and :meth:`execute_for` calls made with.
    ///     refresh_margin: refresh a token when it expires within this many seconds.
    ///
    /// Raises:
    ///     StoreError: the file is not SQLite, or a SQLite database of another application (it
    ///         is left untouched), or was encrypted with another key (or none), or cannot be
    ///         opened.
    ///     ConfigError: a malformed key or a negative margin.
    #[new]
    #[pyo3(signature = (path, *, key = None, client = None, refresh_margin = 600.0))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        key: Option<&Bound<'_, PyAny>>,
        client: Option<Bound<'_, Client>>,
        refresh_margin: f64,
    ) -> PyResult<Self> {
        let key = key.map(TokenKey::extract).transpose()?;
        let encrypted = key.is_some();
        let margin = Self::margin(refresh_margin)?;
        let store = detached(py, || Ok(Arc::new(SqliteStore::open(&path, key)?)))?;
        let shown = path.display().to_string();
        Ok(Self::build(
            Arc::clone(&store) as Arc<dyn Store>,
            Some(store),
            client,
            margin,
            Some(shown),
            encrypted,
        ))
    }

    /// A registry in memory (gone with the process), for tests and single-process tools.
    /// Arguments as for the constructor.
    #[staticmethod]
    #[pyo3(signature = (*, client = None, refresh_margin = 600.0))]
    fn in_memory(client: Option<Bound<'_, Client>>, refresh_margin: f64) -> PyResult<Self> {
        let margin = Self::margin(refresh_margin)?;
        let store = Arc::new(registry::MemoryStore::new());
        Ok(Self::build(store, None, client, margin, None, false))
    }

    /// The SQLite file, or ``None`` for a registry in memory.
    #[getter]
    fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Whether stored tokens are encrypted with a :class:`TokenKey`.
    #[getter]
    fn encrypted(&self) -> bool {
        self.encrypted
    }

    /// The client tokens are refreshed and delegated calls made with, if any.
    #[getter]
    fn client(&self, py: Python<'_>) -> Option<Py<Client>> {
        self.client.as_ref().map(|client| client.clone_ref(py))
    }

    /// Seconds before expiry a token is refreshed.
    #[getter]
    fn refresh_margin(&self) -> f64 {
        self.refresh_margin.as_secs_f64()
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
    /// ``open_app_auth_notify`` stores its tokens, an ``alipay.open.auth.appauth.cancelled``
    /// revokes; both de-duplicated by ``notify_id`` (``DUPLICATE``) and ordered (``STALE`` when
    /// older than what is stored). Anything else (a service-market order too) is ``IGNORED``.
    /// Answer ``success`` only after this returned.
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

    /// The record of ``auth_app_id``, or ``None``.
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
    /// through :attr:`client` and stored before it is returned. Exactly one refresh reaches the
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
    /// looked up (and refreshed when due) by the registry. Arguments as for
    /// :meth:`Client.execute`, without ``app_auth_token``.
    ///
    /// Raises:
    ///     StoreError: as for :meth:`token_for` (no call is made for a revoked merchant).
    ///     ConfigError: the registry has no client.
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

    /// Runs SQLite's ``PRAGMA integrity_check``: ``"ok"`` when the file is healthy.
    ///
    /// Raises:
    ///     ConfigError: a registry in memory (no file) or a closed one.
    ///     StoreError: the check could not run.
    fn integrity_check(&self, py: Python<'_>) -> PyResult<String> {
        let sqlite = {
            let open = self.open.read().unwrap_or_else(PoisonError::into_inner);
            open.as_ref().map(|open| open.sqlite.clone())
        };
        let sqlite =
            guarded(|| sqlite.ok_or_else(|| Error::config("the registry was closed").into()))?;
        detached(py, || match sqlite {
            Some(store) => Ok(store.integrity_check()?),
            None => Err(Error::config("a registry in memory has no file to check").into()),
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
        let place = match &self.path {
            Some(path) => format!("path='{path}', encrypted={}", py_bool(self.encrypted)),
            None => "in_memory".to_string(),
        };
        Ok(format!(
            "Registry({place}, client={client}, refresh_margin={:?}, closed={})",
            self.refresh_margin.as_secs_f64(),
            py_bool(self.closed())
        ))
    }
}

/// `True` or `False`.
fn py_bool(flag: bool) -> &'static str {
    if flag { "True" } else { "False" }
}

/// The default margin must match the literal in the `#[pyo3(signature)]`s.
const _: () = assert!(DEFAULT_REFRESH_MARGIN.as_secs() == 600);
