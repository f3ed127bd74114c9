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

/// The merchant authorisation registry. Thread-safe; open one per process and share it.
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
    /// Opens (or creates) a registry in the SQLite file at `path` (see the stub).
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
    #[staticmethod]
    #[pyo3(signature = (*, client = None, refresh_margin = 600.0))]
    fn in_memory(client: Option<Bound<'_, Client>>, refresh_margin: f64) -> PyResult<Self> {
        let margin = Self::margin(refresh_margin)?;
        let store = Arc::new(registry::MemoryStore::new());
        Ok(Self::build(store, None, client, margin, None, false))
    }

    /// The SQLite file, or `None` for a registry in memory.
    #[getter]
    fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Whether stored tokens are encrypted with a `TokenKey`.
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

    /// Stores the tokens of `exchange_app_auth_code` (each a new authorisation).
    #[pyo3(signature = (tokens))]
    fn ingest_tokens<'py>(
        &self,
        py: Python<'py>,
        tokens: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.ingest_with(py, tokens, false)
    }

    /// Stores the tokens of a `refresh_app_auth_token` made outside the registry.
    #[pyo3(signature = (tokens))]
    fn ingest_refreshed_tokens<'py>(
        &self,
        py: Python<'py>,
        tokens: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.ingest_with(py, tokens, true)
    }

    /// Ingests a verified notification (authorisation or cancellation; others are ignored).
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

    /// Ingests what `query_app_auth_token(app_auth_token)` answered.
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

    /// Imports a merchant's `app_auth_token` copied from the open-platform console (see the stub):
    /// checked with `alipay.open.auth.token.app.query` through the registry's client, then stored.
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

    /// The record of `auth_app_id`, or `None`.
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

    /// Every record, by `auth_app_id`.
    fn list(&self, py: Python<'_>) -> PyResult<Vec<Py<MerchantAuthorisation>>> {
        let registry = self.live()?;
        let records = detached(py, || Ok(registry.list()?))?;
        Self::records(py, records)
    }

    /// The records of one merchant PID.
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
    #[pyo3(signature = (auth_app_id))]
    fn revoke(&self, py: Python<'_>, auth_app_id: PyBackedStr) -> PyResult<MerchantAuthorisation> {
        let registry = self.live()?;
        let record = detached(py, || Ok(registry.revoke(&auth_app_id)?))?;
        Ok(MerchantAuthorisation::wrap(record))
    }

    /// A usable `app_auth_token` for `auth_app_id`, refreshed first when due.
    #[pyo3(signature = (auth_app_id))]
    fn token_for(&self, py: Python<'_>, auth_app_id: PyBackedStr) -> PyResult<String> {
        let registry = self.live()?;
        detached(py, || Ok(registry.token_for(&auth_app_id)?))
    }

    /// A usable token of the merchant's only active authorisation, by PID.
    #[pyo3(signature = (merchant_pid))]
    fn token_for_merchant(&self, py: Python<'_>, merchant_pid: PyBackedStr) -> PyResult<String> {
        let registry = self.live()?;
        detached(py, || Ok(registry.token_for_merchant(&merchant_pid)?))
    }

    /// `Client.execute` on behalf of the merchant app `auth_app_id`, its token looked up (and
    /// refreshed when due) by the registry.
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

    /// Runs SQLite's `PRAGMA integrity_check` (`"ok"` when healthy).
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

    /// Closes the registry (idempotent); calls in flight finish first.
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

    /// Whether `close()` was called.
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
