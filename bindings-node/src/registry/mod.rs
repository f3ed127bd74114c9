//! [`Registry`]: the merchant authorisation registry of `alipay_isv::registry` — the unique relation
//! merchant PID – `authAppId` – `appAuthToken`, kept in a SQLite file, a PostgreSQL or MySQL/MariaDB
//! database shared by several instances (the cargo feature `sql-stores`, on by default), or in memory
//! (tokens optionally encrypted with a [`TokenKey`]), fed idempotently from token answers, verified
//! notifications and token queries, and serving usable tokens refreshed ahead of expiry exactly once
//! across threads, processes and hosts.
//!
//! One registry serves several of our apps (the third-party app and its plugins): `client` is the
//! default app's client, `clients` the clients of the others; records are keyed by (`appId`,
//! `authAppId`) and each is refreshed and called through the client of its app.
//!
//! Threading: every method that touches the store or the network returns a Promise and runs on the
//! libuv pool, each with a blocking `…Sync` twin: the calls that may reach the gateway (`tokenFor`,
//! `tokenForApp`, `tokenForMerchant`, `executeFor`, `executeV3For`: a due token is refreshed first;
//! `importToken`, in [`import`]; the order calls, in [`orders`]) and the store operations (ingesting,
//! `get`, `getForApp`, `list`, `byMerchant`, `revoke`, `integrityCheck`, the order reads). On SQLite a
//! store operation is a local transaction (milliseconds) that only waits longer while another process
//! holds the file's write lock (up to the store's 10 s busy timeout); on PostgreSQL or MySQL it is one
//! transaction on a pooled connection (a round trip or a few), waiting at most the URL's `pool_timeout`
//! for a free connection and its `connect_timeout` for a new one when the server is unreachable.
//! JavaScript inputs are read on the JavaScript thread before the work is queued; a closed registry,
//! or an argument that is not what it must be, throws at the call, and the work's errors reject.
//! `Registry.open` and `Registry.inMemory` are synchronous (a constructor): opening connects once.
//!
//! As in the core: the records it hands out are in [`record`], the service-market orders it keeps in
//! [`order`] and their calls in [`orders`], the key of tokens at rest in [`token_key`], importing a
//! console token in [`import`], and [`input`] reads the JavaScript objects it ingests back into the
//! core's types; [`location`] opens the store a path or URL names.

mod import;
mod input;
mod location;
mod order;
mod orders;
mod record;
mod token_key;

pub use import::TokenImport;
pub use order::{
    ITEM_CANCELLED, ITEM_DONE, ITEM_TO_CONFIRM, ORDER_ACCEPTED, ORDER_PLACED, ORDER_REJECTED,
    OrderItemState, OrderRecord, OrderStatusChange,
};
pub use record::{MerchantAuthorisation, RefreshLease};
pub use token_key::{TokenKey, generate_token_key};

use std::sync::{Arc, RwLock};

use alipay_isv::registry::{self as core, IngestOutcome, SqliteStore};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, ClassInstance, Either, ToNapiValue, TypeName};
use napi_derive::napi;
use serde_json::Value;

use crate::auth::AppAuthToken;
use crate::client::{Client, ExecuteOptions, millis, v3_response, verified};
use crate::error::{OrThrow, to_js_error};
use crate::response::VerifiedResponse;
use crate::task::{Blocking, run_sync, spawn};
use crate::v3::{V3Call, V3Response};

/// How a registry is set up.
#[napi(object, object_to_js = false)]
pub struct RegistryOptions<'env> {
    /// The client that refreshes due tokens (`tokenFor`) and makes the delegated calls
    /// (`executeFor`). Without one, a due refresh and `executeFor` fail with `ALIPAY_CONFIG_ERROR`.
    /// Its app is the registry's default app (`defaultAppId`): the tokens of `ingestTokens` are
    /// stored under it, and it wins when a merchant app authorised several of our apps and is asked
    /// for by `authAppId` alone.
    pub client: Option<ClassInstance<'env, Client>>,
    /// The clients of our other apps (one per plugin or further third-party app): the merchants who
    /// authorised one of them are refreshed and called through its client. A second client of the
    /// same app replaces the first. Without `client`, the first of these is the default app's.
    pub clients: Option<Vec<ClassInstance<'env, Client>>>,
    /// Refresh a token when it expires within this many milliseconds (default 600000: 10 minutes).
    pub refresh_margin_ms: Option<f64>,
    /// Serve `tokenFor` and the delegated calls from a per-instance cache whose entries live at most
    /// this many milliseconds (and only while the token is not due): no database round trip per
    /// lookup. A write through this registry evicts its merchant app at once; a revocation or refresh
    /// written by another instance sharing the database is seen within this bound, never after. For
    /// databases shared by several instances; 1000 is a sensible value. Positive; default: no cache.
    pub token_cache_ttl_ms: Option<f64>,
    /// `Registry.open` only: encrypt the stored tokens with this key (a `TokenKey` or its Base64
    /// text). A file or database created with a key must always be opened with the same key, and one
    /// created without a key without one. Secret.
    #[napi(ts_type = "TokenKey | string")]
    pub token_key: Option<Either<ClassInstance<'env, TokenKey>, String>>,
}

/// An open registry: the core registry (with its clients; shared with the `GatewayCore`s built on it)
/// and, when it is in a SQLite file, its SQLite store (for `integrityCheck`).
pub(crate) struct Open {
    pub(crate) registry: Arc<core::Registry>,
    sqlite: Option<Arc<SqliteStore>>,
}

/// The state of a registry, shared with the gateways built on it: the open registry, or `None` once
/// closed (then every call, a gateway's too, is refused).
#[derive(Clone)]
pub(crate) struct RegistryHandle(Arc<RwLock<Option<Arc<Open>>>>);

impl RegistryHandle {
    /// A handle on the open registry `open`.
    fn new(open: Open) -> Self {
        RegistryHandle(Arc::new(RwLock::new(Some(Arc::new(open)))))
    }

    /// The open registry, or `None` once closed.
    pub(crate) fn current(&self) -> Option<Arc<Open>> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Closes it: later calls are refused; calls still running keep their `Arc<Open>`.
    fn close(&self) -> Option<Arc<Open>> {
        self.0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// The merchant authorisation registry. Open one per process with `Registry.open(pathOrUrl)` — a
/// SQLite file (created if missing; the processes of one machine may share it), a PostgreSQL or
/// MySQL/MariaDB database (`postgres://…`, `mysql://…`; the instances of a backend on several hosts
/// share it) — or `Registry.inMemory()`, and share it.
///
/// Ingestion is idempotent and ordered: a notification retried by Alipay is a `duplicate`, a message
/// older than the stored state is `stale`, and a revoked merchant is kept (never deleted) and never
/// called. Every method throws (or rejects with) an `AlipayError`: `ALIPAY_STORE_ERROR` for an
/// unknown or revoked `authAppId` (the reason names it), a wrong key, a corrupt or foreign file or
/// database, a database that cannot be reached or refuses the login; `ALIPAY_CONFIG_ERROR` for bad
/// options or URL, a closed registry, or no client when one is needed. No error holds a token, the
/// key or the database password.
///
/// `toString()` and `util.inspect` show the path or database (without its password) and settings,
/// never a token or the key.
#[napi]
pub struct Registry {
    pub(crate) state: RegistryHandle,
    description: String,
    default_app_id: String,
    /// The core registry's `token_cache_ttl`, in milliseconds (kept: still known once closed).
    token_cache_ttl_ms: Option<f64>,
}

type Pending<T, J> = AsyncTask<Blocking<T, J>>;
type VerifiedTask = Pending<alipay_isv::response::VerifiedResponse, VerifiedResponse>;
type RecordsTask = Pending<Vec<core::MerchantAuthorisation>, Vec<MerchantAuthorisation>>;

fn same<T>(value: T) -> T {
    value
}

pub(crate) fn config_error(env: &Env, reason: impl Into<String>) -> napi::Error {
    to_js_error(env, &alipay_isv::Error::config(reason))
}

/// The error of a call on a closed registry.
pub(crate) fn closed_error(env: &Env) -> napi::Error {
    config_error(env, "the registry is closed")
}

fn outcomes(outcomes: Vec<IngestOutcome>) -> Vec<&'static str> {
    outcomes.into_iter().map(IngestOutcome::as_str).collect()
}

fn records(records: Vec<core::MerchantAuthorisation>) -> Vec<MerchantAuthorisation> {
    records
        .into_iter()
        .map(|inner| MerchantAuthorisation { inner })
        .collect()
}

/// An outcome's name, for a promise (a `&'static str` cannot be the value of one).
fn outcome_text(outcome: IngestOutcome) -> String {
    outcome.as_str().to_string()
}

/// A core record as its JavaScript class.
fn record(inner: core::MerchantAuthorisation) -> MerchantAuthorisation {
    MerchantAuthorisation { inner }
}

/// A core record, if any, as its JavaScript class.
pub(crate) fn maybe_record(
    record: Option<core::MerchantAuthorisation>,
) -> Option<MerchantAuthorisation> {
    record.map(|inner| MerchantAuthorisation { inner })
}

/// The core tokens of `tokens`, read on the JavaScript thread (the instances cannot leave it).
fn token_values(tokens: &[ClassInstance<'_, AppAuthToken>]) -> Vec<alipay_isv::auth::AppAuthToken> {
    tokens.iter().map(|token| token.inner.clone()).collect()
}

/// The JavaScript registry over `registry` with the options applied (`place` says where it keeps its
/// records, for the description).
fn configure(
    env: &Env,
    registry: core::Registry,
    sqlite: Option<Arc<SqliteStore>>,
    options: &Option<RegistryOptions<'_>>,
    place: &str,
) -> napi::Result<Registry> {
    let mut registry = registry;
    let mut clients = Vec::new();
    let mut margin = core::DEFAULT_REFRESH_MARGIN;
    let mut cache_ttl = None;
    if let Some(options) = options {
        if let Some(ms) = options.refresh_margin_ms {
            margin = millis(env, "refreshMarginMs", ms, true)?;
        }
        if let Some(ms) = options.token_cache_ttl_ms {
            cache_ttl = Some(millis(env, "tokenCacheTtlMs", ms, false)?);
        }
        clients.extend(options.client.iter().map(|given| given.inner.clone()));
        clients.extend(
            options
                .clients
                .iter()
                .flatten()
                .map(|given| given.inner.clone()),
        );
    }
    registry = registry.with_refresh_margin(margin);
    // Our apps, in the order the registry knows them (a second client of an app replaces the first).
    let mut apps: Vec<String> = Vec::new();
    for client in clients {
        let app_id = client.config().app_id().to_string();
        if !apps.contains(&app_id) {
            apps.push(app_id);
        }
        registry = registry.with_client(client);
    }
    if let Some(ttl) = cache_ttl {
        registry = registry.with_token_cache(ttl);
    }
    let default_app_id = registry.default_app_id().to_string();
    let token_cache_ttl_ms = registry
        .token_cache_ttl()
        .map(|ttl| ttl.as_secs_f64() * 1000.0);
    let description = format!(
        "Registry({place}, {}, refresh margin {} s{})",
        match apps.as_slice() {
            [] => "no client".to_string(),
            [only] => format!("client {only}"),
            [first, others @ ..] => format!("clients {first} (default), {}", others.join(", ")),
        },
        margin.as_secs_f64(),
        match cache_ttl {
            Some(ttl) => format!(", token cache {} s", ttl.as_secs_f64()),
            None => String::new(),
        }
    );
    Ok(Registry {
        state: RegistryHandle::new(Open {
            registry: Arc::new(registry),
            sqlite,
        }),
        description,
        default_app_id,
        token_cache_ttl_ms,
    })
}

#[napi]
impl Registry {
    /// Opens (or creates) the registry at `pathOrUrl`, with `options` (client, refresh margin, token
    /// cache, token encryption key), under the rules of the core's `open_store`:
    ///
    /// - a file path, `sqlite:///abs/path.db` or `sqlite:relative.db`: a SQLite file (WAL; the processes
    ///   of one machine may share it);
    /// - `postgres://USER:PASSWORD@HOST:PORT/DATABASE?…` (or `postgresql://`): a PostgreSQL database;
    /// - `mysql://USER:PASSWORD@HOST:PORT/DATABASE?…` (or `mariadb://`): a MySQL (5.7 or newer) or
    ///   MariaDB (10.2 or newer) database;
    /// - `memory:`: in memory, as `Registry.inMemory` (`tokenKey` is not used).
    ///
    /// A database is shared by every instance of a backend, on any host: its tables (`alipay_isv_*`) are
    /// created on first use and migrated forward in one transaction, and `tokenFor` refreshes a due token
    /// exactly once across them all. The URL's parameters (read by the core; percent-encode reserved
    /// characters of the password):
    ///
    /// - TLS, off unless asked for. PostgreSQL: `sslmode` = `disable`, `allow`, `prefer` (TLS when
    ///   offered, not verified), `require` (not verified, unless `sslrootcert` is given), `verify-ca`,
    ///   `verify-full` (chain and host name: use it across a network), with `sslrootcert=/path/ca.pem`
    ///   (else the Mozilla roots). MySQL: `ssl-mode` = `DISABLED`, `PREFERRED`, `REQUIRED`, `VERIFY_CA`,
    ///   `VERIFY_IDENTITY`, with `ssl-ca=/path/ca.pem`.
    /// - The pool: `pool_max_size` (connections, 1 to 1000, default 8), `pool_timeout` (seconds a call
    ///   waits for a free connection, default 10), `connect_timeout` (seconds, default 10).
    /// - PostgreSQL also takes libpq's `options` (`-csearch_path%3Dregistry` puts the tables in that
    ///   schema), `application_name`, `keepalives`, `target_session_attrs`; MySQL refuses any other
    ///   parameter by name.
    ///
    /// The password appears in no error and not in `toString()`.
    ///
    /// Synchronous (a constructor), blocking the calling thread while it opens: a SQLite file is opened
    /// (and created or migrated); a PostgreSQL or MySQL database is connected to once (up to the URL's
    /// `connect_timeout`) to check and create or migrate its tables. Open the registry once, at start-up;
    /// every later store operation returns a Promise (with a `…Sync` twin).
    ///
    /// @throws {AlipayError} `ALIPAY_STORE_ERROR` when the file is not a SQLite database or is corrupt
    /// (it is left untouched); when the database cannot be reached (within `connect_timeout`), refuses
    /// the login (the reason names the user, never the password), does not exist, or fails TLS
    /// verification; when the file or database belongs to another application or has a newer schema
    /// (nothing is written to it); or when its tokens were encrypted with another key (or none).
    /// `ALIPAY_CONFIG_ERROR` for a URL that is not valid (an unknown parameter or scheme, a scheme
    /// this build was compiled without), a malformed key or margin, a `tokenCacheTtlMs` that is not a
    /// positive number.
    #[napi(factory, catch_unwind)]
    pub fn open(
        env: Env,
        path_or_url: String,
        options: Option<RegistryOptions<'_>>,
    ) -> napi::Result<Self> {
        let key = match options
            .as_ref()
            .and_then(|options| options.token_key.as_ref())
        {
            None => None,
            Some(Either::A(key)) => Some(key.to_core(&env)?),
            Some(Either::B(text)) => Some(core::TokenKey::from_base64(text).or_throw(&env)?),
        };
        let opened = location::open(&path_or_url, key).or_throw(&env)?;
        configure(
            &env,
            core::Registry::new(opened.store),
            opened.sqlite,
            &options,
            &opened.place,
        )
    }

    /// A registry in memory (gone with the process), with `options` (client, refresh margin, token
    /// cache; no key: nothing is written to disk).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` for a `tokenKey`, a malformed margin, or a
    /// `tokenCacheTtlMs` that is not a positive number.
    #[napi(factory, catch_unwind)]
    pub fn in_memory(env: Env, options: Option<RegistryOptions<'_>>) -> napi::Result<Self> {
        if options
            .as_ref()
            .is_some_and(|options| options.token_key.is_some())
        {
            return Err(config_error(
                &env,
                "an in-memory registry stores nothing at rest: `tokenKey` applies to Registry.open only",
            ));
        }
        configure(
            &env,
            core::Registry::in_memory(),
            None,
            &options,
            "in memory",
        )
    }

    /// The open registry, or the error of a closed one.
    fn open_state(&self, env: &Env) -> napi::Result<Arc<Open>> {
        self.state.current().ok_or_else(|| closed_error(env))
    }

    /// `work` on the open registry, run on the libuv pool; the promise resolves to `finish(result)`.
    /// A closed registry throws at once (as every async method of the registry does).
    pub(crate) fn store_task<T, J>(
        &self,
        env: &Env,
        work: impl FnOnce(&Open) -> alipay_isv::Result<T> + Send + 'static,
        finish: fn(T) -> J,
    ) -> napi::Result<Pending<T, J>>
    where
        T: Send + 'static,
        J: ToNapiValue + TypeName,
    {
        let open = self.open_state(env)?;
        Ok(spawn(move || work(&open), finish))
    }

    /// `work` on the open registry, on the calling thread (the `…Sync` twins).
    pub(crate) fn store_sync<T, J>(
        &self,
        env: &Env,
        work: impl FnOnce(&Open) -> alipay_isv::Result<T>,
        finish: fn(T) -> J,
    ) -> napi::Result<J> {
        let open = self.open_state(env)?;
        run_sync(env, || work(&open), finish)
    }

    /// Stores the tokens `Client.exchangeAppAuthCode` returned (every token of a batch) under the
    /// default app (`defaultAppId`): each is a new authorisation and replaces what was stored for its
    /// `authAppId`. Resolves to one outcome per token: `applied`, or `stale` when the stored token is
    /// newer. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails; `ALIPAY_PROTOCOL_ERROR` for a token
    /// without `authAppId`.
    #[napi(catch_unwind, ts_return_type = "Promise<IngestOutcome[]>")]
    pub fn ingest_tokens(
        &self,
        env: Env,
        tokens: Vec<ClassInstance<'_, AppAuthToken>>,
    ) -> napi::Result<Pending<Vec<IngestOutcome>, Vec<&'static str>>> {
        let tokens = token_values(&tokens);
        self.store_task(
            &env,
            move |open| open.registry.ingest_tokens(&tokens),
            outcomes,
        )
    }

    /// `ingestTokens`, blocking the calling thread.
    #[napi(catch_unwind, ts_return_type = "IngestOutcome[]")]
    pub fn ingest_tokens_sync(
        &self,
        env: Env,
        tokens: Vec<ClassInstance<'_, AppAuthToken>>,
    ) -> napi::Result<Vec<&'static str>> {
        let tokens = token_values(&tokens);
        self.store_sync(&env, |open| open.registry.ingest_tokens(&tokens), outcomes)
    }

    /// Stores the tokens of a `Client.refreshAppAuthToken` made outside the registry (the same
    /// authorisation, a new token). Runs on the libuv pool.
    ///
    /// Rejects as `ingestTokens` does.
    #[napi(catch_unwind, ts_return_type = "Promise<IngestOutcome[]>")]
    pub fn ingest_refreshed_tokens(
        &self,
        env: Env,
        tokens: Vec<ClassInstance<'_, AppAuthToken>>,
    ) -> napi::Result<Pending<Vec<IngestOutcome>, Vec<&'static str>>> {
        let tokens = token_values(&tokens);
        self.store_task(
            &env,
            move |open| open.registry.ingest_refreshed_tokens(&tokens),
            outcomes,
        )
    }

    /// `ingestRefreshedTokens`, blocking the calling thread.
    #[napi(catch_unwind, ts_return_type = "IngestOutcome[]")]
    pub fn ingest_refreshed_tokens_sync(
        &self,
        env: Env,
        tokens: Vec<ClassInstance<'_, AppAuthToken>>,
    ) -> napi::Result<Vec<&'static str>> {
        let tokens = token_values(&tokens);
        self.store_sync(
            &env,
            |open| open.registry.ingest_refreshed_tokens(&tokens),
            outcomes,
        )
    }

    /// Ingests a notification that `NotificationVerifier.verifyBody` (or `verifyParams`) verified —
    /// pass its result as it is, never an unverified object. An `appAuth` notification stores its
    /// tokens under the app the merchant authorised (the plugin, for a plugin authorisation), an
    /// `alipay.open.auth.appauth.cancelled` message revokes, a `serviceMarketOrder` message stores the
    /// order (`order`); each is de-duplicated by `notifyId` (`duplicate`: Alipay's retries change
    /// nothing) and ordered (`stale`: a late message never overwrites newer state). Other
    /// notifications, and cancellations of unknown merchants, are `ignored`. Ingest, then answer
    /// `SUCCESS_ACK` (a `Gateway` does both, and more). Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails; throws `ALIPAY_CONFIG_ERROR` when the
    /// object is not a notification (nothing is stored).
    #[napi(catch_unwind, ts_return_type = "Promise<IngestOutcome>")]
    pub fn ingest_notification(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Notification")] notification: Value,
    ) -> napi::Result<Pending<IngestOutcome, String>> {
        let notification =
            input::notification(&notification).map_err(|reason| config_error(&env, reason))?;
        self.store_task(
            &env,
            move |open| open.registry.ingest_notification(&notification),
            outcome_text,
        )
    }

    /// `ingestNotification`, blocking the calling thread.
    #[napi(catch_unwind, ts_return_type = "IngestOutcome")]
    pub fn ingest_notification_sync(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Notification")] notification: Value,
    ) -> napi::Result<&'static str> {
        let notification =
            input::notification(&notification).map_err(|reason| config_error(&env, reason))?;
        self.store_sync(
            &env,
            |open| open.registry.ingest_notification(&notification),
            IngestOutcome::as_str,
        )
    }

    /// Ingests what `Client.queryAppAuthToken(appAuthToken)` resolved to: the granted APIs, the
    /// expiry, and — when the gateway says `invalid` — revocation. `stale` when `appAuthToken` is no
    /// longer the stored token; `ignored` for a merchant the registry does not know. Runs on the libuv
    /// pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails; throws `ALIPAY_CONFIG_ERROR` when
    /// `info` is not a query result (nothing is stored).
    #[napi(catch_unwind, ts_return_type = "Promise<IngestOutcome>")]
    pub fn ingest_query(
        &self,
        env: Env,
        app_auth_token: String,
        #[napi(ts_arg_type = "AppAuthTokenInfo")] info: Value,
    ) -> napi::Result<Pending<IngestOutcome, String>> {
        let info = input::token_info(&info).map_err(|reason| config_error(&env, reason))?;
        self.store_task(
            &env,
            move |open| open.registry.ingest_query(&app_auth_token, &info),
            outcome_text,
        )
    }

    /// `ingestQuery`, blocking the calling thread.
    #[napi(catch_unwind, ts_return_type = "IngestOutcome")]
    pub fn ingest_query_sync(
        &self,
        env: Env,
        app_auth_token: String,
        #[napi(ts_arg_type = "AppAuthTokenInfo")] info: Value,
    ) -> napi::Result<&'static str> {
        let info = input::token_info(&info).map_err(|reason| config_error(&env, reason))?;
        self.store_sync(
            &env,
            |open| open.registry.ingest_query(&app_auth_token, &info),
            IngestOutcome::as_str,
        )
    }

    /// Resolves to the record of `authAppId`, or `null` when the registry does not know it: its only
    /// one, or — when the merchant app authorised several of our apps — the default app's. Runs on the
    /// libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails (e.g. a wrong key), or when the merchant
    /// app authorised several of our apps and none is the default app (ask with `getForApp`).
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation | null>")]
    pub fn get(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<Pending<Option<core::MerchantAuthorisation>, Option<MerchantAuthorisation>>>
    {
        self.store_task(
            &env,
            move |open| open.registry.get(&auth_app_id),
            maybe_record,
        )
    }

    /// `get`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn get_sync(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<Option<MerchantAuthorisation>> {
        self.store_sync(&env, |open| open.registry.get(&auth_app_id), maybe_record)
    }

    /// Resolves to the authorisation of the merchant app `authAppId` to our app `appId` (a record
    /// stored before the registry recorded apps is found too), or `null`. Unlike `get`, it never has to
    /// choose between several of our apps. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails.
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation | null>")]
    pub fn get_for_app(
        &self,
        env: Env,
        app_id: String,
        auth_app_id: String,
    ) -> napi::Result<Pending<Option<core::MerchantAuthorisation>, Option<MerchantAuthorisation>>>
    {
        self.store_task(
            &env,
            move |open| open.registry.get_for_app(&app_id, &auth_app_id),
            maybe_record,
        )
    }

    /// `getForApp`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn get_for_app_sync(
        &self,
        env: Env,
        app_id: String,
        auth_app_id: String,
    ) -> napi::Result<Option<MerchantAuthorisation>> {
        self.store_sync(
            &env,
            |open| open.registry.get_for_app(&app_id, &auth_app_id),
            maybe_record,
        )
    }

    /// Our default app: the app of `client` (else of the first of `clients`); `''` without a client.
    #[napi(getter, catch_unwind)]
    pub fn default_app_id(&self) -> String {
        self.default_app_id.clone()
    }

    /// The bound of the token cache in milliseconds (`tokenCacheTtlMs`), or `null` without one: a
    /// revocation or refresh written by another instance is seen within it; a write through this
    /// registry at once.
    #[napi(getter, catch_unwind)]
    pub fn token_cache_ttl_ms(&self) -> Option<f64> {
        self.token_cache_ttl_ms
    }

    /// Resolves to every record (active and revoked), by `authAppId`. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails.
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation[]>")]
    pub fn list(&self, env: Env) -> napi::Result<RecordsTask> {
        self.store_task(&env, |open| open.registry.list(), records)
    }

    /// `list`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn list_sync(&self, env: Env) -> napi::Result<Vec<MerchantAuthorisation>> {
        self.store_sync(&env, |open| open.registry.list(), records)
    }

    /// Resolves to the records of one merchant PID (a merchant may authorise several apps). Runs on
    /// the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the store fails.
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation[]>")]
    pub fn by_merchant(&self, env: Env, merchant_pid: String) -> napi::Result<RecordsTask> {
        self.store_task(
            &env,
            move |open| open.registry.by_merchant(&merchant_pid),
            records,
        )
    }

    /// `byMerchant`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn by_merchant_sync(
        &self,
        env: Env,
        merchant_pid: String,
    ) -> napi::Result<Vec<MerchantAuthorisation>> {
        self.store_sync(
            &env,
            |open| open.registry.by_merchant(&merchant_pid),
            records,
        )
    }

    /// Marks the authorisation of `authAppId` revoked locally (the record is kept; its token is never
    /// handed out again) and resolves to the record. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` for an unknown `authAppId` or a store failure.
    #[napi(catch_unwind, ts_return_type = "Promise<MerchantAuthorisation>")]
    pub fn revoke(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<Pending<core::MerchantAuthorisation, MerchantAuthorisation>> {
        self.store_task(&env, move |open| open.registry.revoke(&auth_app_id), record)
    }

    /// `revoke`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn revoke_sync(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<MerchantAuthorisation> {
        self.store_sync(&env, |open| open.registry.revoke(&auth_app_id), record)
    }

    /// Resolves to a usable `appAuthToken` for the merchant app `authAppId`: the stored one, or — when
    /// it expires within the refresh margin — a fresh one, refreshed through the client and stored
    /// first. However many calls (or processes and hosts sharing the store) ask at once, exactly one
    /// refresh reaches the gateway; the others get the new token. Runs on the libuv pool.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` for an unknown or revoked `authAppId` (the reason names it; no
    /// call is made), `ALIPAY_CONFIG_ERROR` when a refresh is due and the registry has no client, or the
    /// refresh call's error.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn token_for(
        &self,
        env: Env,
        auth_app_id: String,
    ) -> napi::Result<Pending<String, String>> {
        let open = self.open_state(&env)?;
        Ok(spawn(move || open.registry.token_for(&auth_app_id), same))
    }

    /// `tokenFor`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn token_for_sync(&self, env: Env, auth_app_id: String) -> napi::Result<String> {
        let open = self.open_state(&env)?;
        run_sync(&env, || open.registry.token_for(&auth_app_id), same)
    }

    /// `tokenFor` for the authorisation of the merchant app `authAppId` to our app `appId`, refreshed
    /// (when due) through that app's client. Runs on the libuv pool.
    ///
    /// Rejects as `tokenFor` does; with `ALIPAY_CONFIG_ERROR` when a refresh is due and the registry
    /// has no client for `appId`.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn token_for_app(
        &self,
        env: Env,
        app_id: String,
        auth_app_id: String,
    ) -> napi::Result<Pending<String, String>> {
        let open = self.open_state(&env)?;
        Ok(spawn(
            move || open.registry.token_for_app(&app_id, &auth_app_id),
            same,
        ))
    }

    /// `tokenForApp`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn token_for_app_sync(
        &self,
        env: Env,
        app_id: String,
        auth_app_id: String,
    ) -> napi::Result<String> {
        let open = self.open_state(&env)?;
        run_sync(
            &env,
            || open.registry.token_for_app(&app_id, &auth_app_id),
            same,
        )
    }

    /// `tokenFor` of the merchant PID's only active authorisation.
    ///
    /// Rejects with `ALIPAY_STORE_ERROR` when the merchant has no active authorisation, or several (ask
    /// by `authAppId`); otherwise as `tokenFor`.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn token_for_merchant(
        &self,
        env: Env,
        merchant_pid: String,
    ) -> napi::Result<Pending<String, String>> {
        let open = self.open_state(&env)?;
        Ok(spawn(
            move || open.registry.token_for_merchant(&merchant_pid),
            same,
        ))
    }

    /// `tokenForMerchant`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn token_for_merchant_sync(&self, env: Env, merchant_pid: String) -> napi::Result<String> {
        let open = self.open_state(&env)?;
        run_sync(
            &env,
            || open.registry.token_for_merchant(&merchant_pid),
            same,
        )
    }

    /// A delegated `Client.execute` for the merchant app `authAppId`: the token is looked up (and
    /// refreshed when due) and sent as `app_auth_token`. `options` are those of `Client.execute`
    /// (`bizContent`, `retry`, …) without `appAuthToken`. Runs on the libuv pool.
    ///
    /// Rejects as `tokenFor` does (a revoked merchant: `ALIPAY_STORE_ERROR`, no call made), then as
    /// `Client.execute`; with `ALIPAY_CONFIG_ERROR` when the registry has no client or `options` sets
    /// `appAuthToken`.
    #[napi(catch_unwind, ts_return_type = "Promise<VerifiedResponse>")]
    pub fn execute_for(
        &self,
        env: Env,
        auth_app_id: String,
        method: String,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<VerifiedTask> {
        let call = self.delegated_call(&env, auth_app_id, method, options)?;
        Ok(spawn(move || call.run(), verified))
    }

    /// `executeFor`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn execute_for_sync(
        &self,
        env: Env,
        auth_app_id: String,
        method: String,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<VerifiedResponse> {
        let call = self.delegated_call(&env, auth_app_id, method, options)?;
        run_sync(&env, || call.run(), verified)
    }

    fn delegated_call(
        &self,
        env: &Env,
        auth_app_id: String,
        method: String,
        options: Option<ExecuteOptions<'_>>,
    ) -> napi::Result<DelegatedCall> {
        let open = self.open_state(env)?;
        let (options, retry) = match options {
            Some(options) if options.app_auth_token.is_some() => {
                return Err(config_error(
                    env,
                    "executeFor looks the merchant's token up itself: leave `appAuthToken` out \
                     (or call Client.execute)",
                ));
            }
            Some(options) => options.into_core(env)?,
            None => Default::default(),
        };
        Ok(DelegatedCall {
            open,
            auth_app_id,
            method,
            options,
            retry,
        })
    }

    /// A delegated OpenAPI v3 call (`Client.executeV3`) for the merchant app `authAppId`, through the
    /// client of the app it authorised: the token is looked up (and refreshed when due) and sent in
    /// the `alipay-app-auth-token` header and the signed string. `call` is that of `Client.executeV3`
    /// without `appAuthToken`. Runs on the libuv pool.
    ///
    /// Rejects as `tokenFor` does (an unknown or revoked merchant: `ALIPAY_STORE_ERROR`, no call
    /// made), then as `Client.executeV3`; throws `ALIPAY_CONFIG_ERROR` when `call` sets
    /// `appAuthToken`.
    #[napi(catch_unwind, ts_return_type = "Promise<V3Response>")]
    pub fn execute_v3_for(
        &self,
        env: Env,
        auth_app_id: String,
        call: V3Call<'_>,
    ) -> napi::Result<Pending<alipay_isv::v3::V3Response, V3Response>> {
        let (open, call) = self.delegated_v3_call(&env, call)?;
        Ok(spawn(
            move || open.registry.execute_v3_for(&auth_app_id, &call),
            v3_response,
        ))
    }

    /// `executeV3For`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn execute_v3_for_sync(
        &self,
        env: Env,
        auth_app_id: String,
        call: V3Call<'_>,
    ) -> napi::Result<V3Response> {
        let (open, call) = self.delegated_v3_call(&env, call)?;
        run_sync(
            &env,
            || open.registry.execute_v3_for(&auth_app_id, &call),
            v3_response,
        )
    }

    fn delegated_v3_call(
        &self,
        env: &Env,
        call: V3Call<'_>,
    ) -> napi::Result<(Arc<Open>, alipay_isv::v3::V3Call)> {
        let open = self.open_state(env)?;
        if call.app_auth_token.is_some() {
            return Err(config_error(
                env,
                "executeV3For looks the merchant's token up itself: leave `appAuthToken` out (or \
                 call Client.executeV3)",
            ));
        }
        Ok((open, call.to_core(env)?))
    }

    /// Runs SQLite's `PRAGMA integrity_check` on the file and resolves to `ok` for a sound database,
    /// else SQLite's list of problems. Runs on the libuv pool.
    ///
    /// Throws `ALIPAY_CONFIG_ERROR` for a registry that is not in a SQLite file (in memory,
    /// PostgreSQL, MySQL); rejects with `ALIPAY_STORE_ERROR` when the check cannot run.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn integrity_check(&self, env: Env) -> napi::Result<Pending<String, String>> {
        let store = self.sqlite_store(&env)?;
        Ok(spawn(move || store.integrity_check(), same))
    }

    /// `integrityCheck`, blocking the calling thread.
    #[napi(catch_unwind)]
    pub fn integrity_check_sync(&self, env: Env) -> napi::Result<String> {
        let store = self.sqlite_store(&env)?;
        run_sync(&env, || store.integrity_check(), same)
    }

    /// The SQLite store of the registry, for `integrityCheck`; the configuration error of a registry
    /// that is not in a SQLite file, or of a closed one.
    fn sqlite_store(&self, env: &Env) -> napi::Result<Arc<SqliteStore>> {
        let open = self.open_state(env)?;
        open.sqlite.clone().ok_or_else(|| {
            config_error(
                env,
                "integrityCheck checks a SQLite file: this registry is not in one",
            )
        })
    }

    /// Whether `close()` was called.
    #[napi(getter, catch_unwind)]
    pub fn closed(&self) -> bool {
        self.state.current().is_none()
    }

    /// Closes the registry (the SQLite file, or the database connections, are released once calls still
    /// running finish); later calls throw `ALIPAY_CONFIG_ERROR`, and so do the gateways built on it.
    /// Calling it again does nothing.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        drop(self.state.close());
    }

    /// `Registry(sqlite /path/registry.db, tokens encrypted, client 2021…, refresh margin 600 s)` (or
    /// `Registry(postgres://user@host:5432/db, …)`; `, token cache 1 s` after the margin with a token
    /// cache), with `closed` appended once closed: never a token,
    /// the key or the database password.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        if self.closed() {
            format!("{} closed", self.description)
        } else {
            self.description.clone()
        }
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// One `executeFor`, ready to run on any thread.
struct DelegatedCall {
    open: Arc<Open>,
    auth_app_id: String,
    method: String,
    options: alipay_isv::request::CallOptions,
    retry: Option<alipay_isv::transport::RetryPolicy>,
}

impl DelegatedCall {
    /// The core's `execute_for`, or `execute_for_with_retry` with a retry policy.
    fn run(self) -> alipay_isv::Result<alipay_isv::response::VerifiedResponse> {
        let registry = &self.open.registry;
        match &self.retry {
            Some(policy) => registry.execute_for_with_retry(
                &self.auth_app_id,
                &self.method,
                &self.options,
                policy,
            ),
            None => registry.execute_for(&self.auth_app_id, &self.method, &self.options),
        }
    }
}
