//! The merchant authorisation registry: the unique relation merchant PID – `auth_app_id` –
//! `app_auth_token` that an ISV server must keep, durable ([`SqliteStore`]) or in memory
//! ([`MemoryStore`]), fed idempotently from token answers, notifications and queries, and serving usable
//! tokens — refreshed ahead of expiry, exactly once across threads and processes ([`Registry::token_for`]).
//! Several instances of a backend share one registry in PostgreSQL (`PostgresStore`, cargo feature
//! `postgres`) or MySQL/MariaDB (`MysqlStore`, feature `mysql`); [`Registry::open_url`] opens any store
//! by URL.
//! A token copied from the open-platform console is imported after the gateway vouched for it
//! ([`Registry::import_token`]).

mod cache;
pub mod conformance;
mod import;
mod ingest;
mod memory;
#[cfg(feature = "mysql")]
mod mysql;
mod order;
mod orders;
#[cfg(feature = "postgres")]
mod postgres;
mod record;
mod refresh;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod row_codec;
#[cfg(any(feature = "postgres", feature = "mysql"))]
mod server;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;
mod token_key;

pub use cache::DEFAULT_TOKEN_CACHE_TTL;
pub use import::TokenImport;
pub use memory::MemoryStore;
#[cfg(feature = "mysql")]
pub use mysql::{MysqlOptions, MysqlStore};
pub use order::{
    ITEM_CANCELLED, ITEM_DONE, ITEM_TO_CONFIRM, ORDER_ACCEPTED, ORDER_PLACED, ORDER_REJECTED,
    OrderItemState, OrderRecord, OrderStatusChange,
};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
pub use record::{AuthOrigin, AuthStatus, IngestOutcome, MerchantAuthorisation, RefreshLease};
pub use refresh::RETRY_REFRESH_AFTER;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub use server::store::PoolOptions;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use store::{Decide, DecideOrder, Decision, NotificationState, Store, UpdateResult};
pub use token_key::TokenKey;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ingest::TokenSource;

use crate::auth::{AppAuthToken, AppAuthTokenInfo};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::notify::Notification;
use crate::observe::{self, Event, EventKind, Outcome};
use crate::request::{CallOptions, parse_china_timestamp};
use crate::response::VerifiedResponse;
use crate::transport::RetryPolicy;
use crate::v3::{V3Call, V3Response};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

/// Refresh a token this long before it expires, by default: 10 minutes.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(600);

/// The registry: a [`Store`] plus the rules of ingestion and refresh. Cheap to share (`Send + Sync`); open
/// one per process and share it.
pub struct Registry {
    store: Arc<dyn Store>,
    clients: Vec<Client>,
    refresh_margin: Duration,
    lease_duration: Duration,
    owner: String,
    flights: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    failed_refreshes: Mutex<HashMap<String, i64>>,
    token_cache: Option<Arc<cache::TokenCache>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("clients", &self.clients)
            .field("refresh_margin", &self.refresh_margin)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A registry over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut random = [0u8; 8];
        let _ =
            aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut random);
        let owner = format!(
            "{}-{}",
            std::process::id(),
            random
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>()
        );
        Registry {
            store,
            clients: Vec::new(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            lease_duration: Duration::from_secs(30),
            owner,
            flights: Mutex::new(HashMap::new()),
            failed_refreshes: Mutex::new(HashMap::new()),
            token_cache: None,
        }
    }

    /// A registry in a SQLite file (created if missing), tokens encrypted at rest when `key` is given.
    ///
    /// # Errors
    /// As for [`SqliteStore::open`].
    #[cfg(feature = "sqlite")]
    pub fn open(path: impl AsRef<std::path::Path>, key: Option<TokenKey>) -> Result<Self> {
        Ok(Registry::new(Arc::new(SqliteStore::open(path, key)?)))
    }

    /// A registry opened by URL, whichever the store (see [`open_store`]).
    ///
    /// # Errors
    /// As for [`open_store`].
    pub fn open_url(url: &str, key: Option<TokenKey>) -> Result<Self> {
        Ok(Registry::new(open_store(url, key)?))
    }

    /// A registry in memory.
    pub fn in_memory() -> Self {
        Registry::new(Arc::new(MemoryStore::new()))
    }

    /// Refresh tokens and call through this client (needed by [`Registry::token_for`] and
    /// [`Registry::execute_for`]) for the merchants who authorised its app. Call it once per app when one
    /// registry serves several of our apps or plugins: each record is refreshed and called through the
    /// client of the app it authorised. The first client's app is the registry's *default app*: the
    /// tokens of [`Registry::ingest_tokens`] are stored under it, and it wins when a merchant app
    /// authorised several of ours and is asked for by `auth_app_id` alone. A second client of the same
    /// app replaces the first.
    pub fn with_client(mut self, client: Client) -> Self {
        let app_id = client.config().app_id().to_string();
        match self
            .clients
            .iter_mut()
            .find(|known| known.config().app_id() == app_id)
        {
            Some(known) => *known = client,
            None => self.clients.push(client),
        }
        self
    }

    /// The app of the first client (empty without a client).
    pub fn default_app_id(&self) -> &str {
        self.clients
            .first()
            .map_or("", |client| client.config().app_id())
    }

    /// Refresh a token when it expires within `margin` (default 10 minutes).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Serves [`Registry::token_for`] and the delegated calls from a per-instance cache whose entries
    /// live at most `ttl` (and only while the token is not due): a token lookup costs no database round
    /// trip. Coherence: a write through this registry evicts its merchant app at once; a revocation or a
    /// refresh written by another instance sharing the database is seen within `ttl` — a revoked
    /// merchant is never served after that bound. For registries shared by several instances
    /// (PostgreSQL, MySQL); [`DEFAULT_TOKEN_CACHE_TTL`] is one second.
    pub fn with_token_cache(mut self, ttl: Duration) -> Self {
        let cache = Arc::new(cache::TokenCache::new(ttl));
        self.store = Arc::new(cache::CachingStore {
            inner: self.store.clone(),
            cache: cache.clone(),
        });
        self.token_cache = Some(cache);
        self
    }

    /// The bound of the token cache, when there is one.
    pub fn token_cache_ttl(&self) -> Option<Duration> {
        self.token_cache.as_ref().map(|cache| cache.ttl())
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Emits the event of revoking the authorisation of `auth_app_id` to `app_id` (by `method`: the
    /// cancellation message or `registry.revoke`), whose store update started at `started` and ended in
    /// `result`.
    fn revocation_event(
        &self,
        app_id: &str,
        auth_app_id: &str,
        method: &str,
        started: Instant,
        result: &Result<UpdateResult>,
    ) {
        let mut event = Event::new(EventKind::Revocation, Outcome::SUCCESS, started.elapsed());
        event.app_id = Some(self.event_app_id(app_id));
        event.auth_app_id = Some(auth_app_id.to_string());
        event.method = Some(method.to_string());
        if let Err(error) = result {
            event = event.with_error(error);
        }
        observe::emit(&event);
    }

    /// The app an event about a record of `app_id` names: the record's, else the default app.
    fn event_app_id(&self, app_id: &str) -> String {
        if app_id.is_empty() {
            self.default_app_id().to_string()
        } else {
            app_id.to_string()
        }
    }

    fn outcome<T>(result: UpdateResult<T>) -> IngestOutcome {
        match result {
            UpdateResult::Duplicate => IngestOutcome::Duplicate,
            UpdateResult::Kept(_) => IngestOutcome::Stale,
            UpdateResult::Written(_) => IngestOutcome::Applied,
        }
    }

    /// The authorisation of the merchant app `auth_app_id`: its only one, or — when it authorised several
    /// of our apps — the default app's.
    ///
    /// # Errors
    /// [`Error::Store`] when it authorised several of our apps, none of them the default app (ask with
    /// [`Registry::get_for_app`]), or the store fails.
    fn resolve(&self, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        let mut records = self.store.find(auth_app_id)?;
        if records.len() <= 1 {
            return Ok(records.pop());
        }
        let default = self.default_app_id();
        if let Some(position) = records
            .iter()
            .position(|record| !default.is_empty() && record.app_id == default)
        {
            return Ok(Some(records.swap_remove(position)));
        }
        Err(Error::Store {
            reason: format!(
                "merchant app {auth_app_id} authorised several of our apps ({}): name the app \
                 (get_for_app, token_for_app)",
                records
                    .iter()
                    .map(|record| record.app_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// The app a write about `auth_app_id` with no app of its own goes to: the default app, else the app
    /// of the merchant app's only record, else none (`""`).
    fn write_app_for(&self, auth_app_id: &str) -> Result<String> {
        let default = self.default_app_id();
        if !default.is_empty() {
            return Ok(default.to_string());
        }
        Ok(self
            .resolve(auth_app_id)?
            .map(|record| record.app_id)
            .unwrap_or_default())
    }

    fn ingest_tokens_from(
        &self,
        tokens: &[AppAuthToken],
        source: TokenSource,
    ) -> Result<Vec<IngestOutcome>> {
        tokens
            .iter()
            .map(|token| {
                if token.auth_app_id.is_empty() {
                    return Err(Error::protocol(
                        "a token without auth_app_id cannot be stored: the registry is keyed by it",
                    ));
                }
                let app_id = self.write_app_for(&token.auth_app_id)?;
                let now = now_ms();
                let result =
                    self.store
                        .update(&app_id, &token.auth_app_id, None, &mut |current| {
                            Ok(ingest::from_token(current, &app_id, token, source, now))
                        })?;
                Ok(Registry::outcome(result))
            })
            .collect()
    }

    /// Stores the tokens of `exchange_app_auth_code` (every token of a batch) under the default app
    /// (the first client's): each is a new authorisation and replaces what was stored for its
    /// `auth_app_id`.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails; [`Error::Protocol`] for a token without `auth_app_id`.
    pub fn ingest_tokens(&self, tokens: &[AppAuthToken]) -> Result<Vec<IngestOutcome>> {
        self.ingest_tokens_from(tokens, TokenSource::Exchange)
    }

    /// Stores the tokens of a `refresh_app_auth_token` made outside the registry.
    ///
    /// # Errors
    /// As for [`Registry::ingest_tokens`].
    pub fn ingest_refreshed_tokens(&self, tokens: &[AppAuthToken]) -> Result<Vec<IngestOutcome>> {
        self.ingest_tokens_from(tokens, TokenSource::Refresh)
    }

    /// Ingests a verified notification: an `open_app_auth_notify` stores its tokens under the app the
    /// merchant authorised (the plugin for a plugin authorisation), an `alipay.open.auth.appauth.cancelled`
    /// revokes, a `servicemarket_order_notify` stores the order (see [`Registry::order`]); each is
    /// de-duplicated by `notify_id`, so Alipay's retries change nothing, and ordered, so a late message
    /// never overwrites newer state. Other notifications are [`IngestOutcome::Ignored`].
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn ingest_notification(&self, notification: &Notification) -> Result<IngestOutcome> {
        match notification {
            Notification::AppAuth(auth) => {
                let detail = &auth.detail;
                if detail.auth_app_id.is_empty() || detail.app_auth_token.is_empty() {
                    return Ok(IngestOutcome::Ignored);
                }
                let authorised_at = detail
                    .auth_time
                    .or_else(|| {
                        auth.notify_time
                            .as_deref()
                            .and_then(parse_china_timestamp)
                            .map(|seconds| seconds * 1000)
                    })
                    .unwrap_or_else(now_ms);
                let app_id = match detail
                    .authorised_app_id
                    .as_deref()
                    .or(auth.app_id.as_deref())
                    .filter(|app_id| !app_id.trim().is_empty())
                {
                    Some(app_id) => app_id.trim().to_string(),
                    None => self.write_app_for(&detail.auth_app_id)?,
                };
                let result = self.store.update(
                    &app_id,
                    &detail.auth_app_id,
                    Some(&auth.notify_id),
                    &mut |current| {
                        Ok(ingest::from_app_auth_notification(
                            current,
                            &app_id,
                            detail,
                            authorised_at,
                        ))
                    },
                )?;
                Ok(Registry::outcome(result))
            }
            Notification::Message(message) if message.is_app_auth_cancelled() => {
                let auth_app_id = message
                    .msg_app_id
                    .clone()
                    .or_else(|| {
                        message
                            .biz_content
                            .get("auth_app_id")
                            .and_then(|value| value.as_str())
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                if auth_app_id.is_empty() {
                    return Ok(IngestOutcome::Ignored);
                }
                let app_id = match message
                    .app_id
                    .as_deref()
                    .filter(|app_id| !app_id.trim().is_empty())
                {
                    Some(app_id) => app_id.trim().to_string(),
                    None => self.write_app_for(&auth_app_id)?,
                };
                let cancelled_at = message
                    .utc_timestamp
                    .as_deref()
                    .and_then(|text| text.trim().parse::<i64>().ok())
                    .unwrap_or_else(now_ms);
                let mut known = true;
                let started = Instant::now();
                let result = self.store.update(
                    &app_id,
                    &auth_app_id,
                    message.notify_id.as_deref(),
                    &mut |current| {
                        known = current.is_some();
                        Ok(ingest::from_cancellation(current, cancelled_at))
                    },
                );
                if matches!(&result, Ok(UpdateResult::Written(_)) | Err(_)) {
                    self.revocation_event(
                        &app_id,
                        &auth_app_id,
                        &message.msg_method,
                        started,
                        &result,
                    );
                }
                Ok(match Registry::outcome(result?) {
                    IngestOutcome::Stale if !known => IngestOutcome::Ignored,
                    outcome => outcome,
                })
            }
            Notification::ServiceMarketOrder(order) => self.ingest_order(order),
            _ => Ok(IngestOutcome::Ignored),
        }
    }

    /// Ingests what `query_app_auth_token(app_auth_token)` answered: granted APIs, expiry, and — when the
    /// gateway says `invalid` — revocation. A query about a token that is no longer the stored one is stale.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn ingest_query(
        &self,
        app_auth_token: &str,
        info: &AppAuthTokenInfo,
    ) -> Result<IngestOutcome> {
        let Some(auth_app_id) = info.auth_app_id.as_deref() else {
            return Ok(IngestOutcome::Ignored);
        };
        let app_id = self.write_app_for(auth_app_id)?;
        let now = now_ms();
        let mut known = true;
        let result = self
            .store
            .update(&app_id, auth_app_id, None, &mut |current| {
                known = current.is_some();
                Ok(ingest::from_query(current, app_auth_token, info, now))
            })?;
        Ok(match Registry::outcome(result) {
            IngestOutcome::Stale if !known => IngestOutcome::Ignored,
            outcome => outcome,
        })
    }

    /// Marks a merchant authorisation revoked locally (the record is kept).
    ///
    /// # Errors
    /// [`Error::Store`] when there is no such record or the store fails.
    pub fn revoke(&self, auth_app_id: &str) -> Result<MerchantAuthorisation> {
        let record = self
            .resolve(auth_app_id)?
            .ok_or_else(|| unknown_merchant(auth_app_id))?;
        let now = now_ms();
        let started = Instant::now();
        let result = self
            .store
            .update(&record.app_id, auth_app_id, None, &mut |current| {
                Ok(match current {
                    Some(stored) => {
                        ingest::from_cancellation(Some(stored), now.max(stored.authorised_at_ms))
                    }
                    None => Decision::Keep,
                })
            });
        if matches!(&result, Ok(UpdateResult::Written(_)) | Err(_)) {
            self.revocation_event(
                &record.app_id,
                auth_app_id,
                "registry.revoke",
                started,
                &result,
            );
        }
        match result? {
            UpdateResult::Written(record) => Ok(*record),
            UpdateResult::Kept(Some(record)) => Ok(*record),
            _ => Err(unknown_merchant(auth_app_id)),
        }
    }

    /// The authorisation of `auth_app_id`: its only one, or — when the merchant app authorised several of
    /// our apps — the default app's.
    ///
    /// # Errors
    /// [`Error::Store`] when it authorised several of our apps and none is the default app (ask with
    /// [`Registry::get_for_app`]), or the store fails.
    pub fn get(&self, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        self.resolve(auth_app_id)
    }

    /// The authorisation of the merchant app `auth_app_id` to our app `app_id` (a record stored before
    /// the registry recorded apps is found too).
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn get_for_app(
        &self,
        app_id: &str,
        auth_app_id: &str,
    ) -> Result<Option<MerchantAuthorisation>> {
        match self.store.get(app_id, auth_app_id)? {
            Some(record) => Ok(Some(record)),
            None if !app_id.is_empty() => self.store.get("", auth_app_id),
            None => Ok(None),
        }
    }

    /// Every record.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        self.store.list()
    }

    /// The records of one merchant PID.
    ///
    /// # Errors
    /// [`Error::Store`] when the store fails.
    pub fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.store.by_merchant(merchant_pid)
    }

    /// A usable token of the merchant's only active authorisation (by PID).
    ///
    /// # Errors
    /// [`Error::Store`] when the merchant has no active authorisation, or several (ask by `auth_app_id`);
    /// otherwise as for [`Registry::token_for`].
    pub fn token_for_merchant(&self, merchant_pid: &str) -> Result<String> {
        let active: Vec<MerchantAuthorisation> = self
            .by_merchant(merchant_pid)?
            .into_iter()
            .filter(MerchantAuthorisation::is_active)
            .collect();
        match active.as_slice() {
            [only] => self.token_for_app(&only.app_id, &only.auth_app_id),
            [] => Err(Error::Store {
                reason: format!(
                    "merchant {merchant_pid} has no active authorisation in the registry"
                ),
            }),
            several => Err(Error::Store {
                reason: format!(
                    "merchant {merchant_pid} authorised {} apps ({}): ask for a token by auth_app_id",
                    several.len(),
                    several
                        .iter()
                        .map(|record| record.auth_app_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// A delegated [`Client::execute`] for the merchant app `auth_app_id`, through the client of the app
    /// it authorised: the token is looked up (and refreshed if due) and set on `options`.
    ///
    /// # Errors
    /// As for [`Registry::token_for`] and [`Client::execute`].
    pub fn execute_for(
        &self,
        auth_app_id: &str,
        method: &str,
        options: &CallOptions,
    ) -> Result<VerifiedResponse> {
        let (client, options) = self.delegated(auth_app_id, options)?;
        client.execute(method, &options)
    }

    /// [`Registry::execute_for`] retried under `policy` (see [`Client::execute_with_retry`]): the token
    /// is looked up once, each attempt is signed afresh.
    ///
    /// # Errors
    /// As for [`Registry::execute_for`].
    pub fn execute_for_with_retry(
        &self,
        auth_app_id: &str,
        method: &str,
        options: &CallOptions,
        policy: &RetryPolicy,
    ) -> Result<VerifiedResponse> {
        let (client, options) = self.delegated(auth_app_id, options)?;
        client.execute_with_retry(method, &options, policy)
    }

    /// A delegated OpenAPI v3 call ([`Client::execute_v3`]) for the merchant app `auth_app_id`, through
    /// the client of the app it authorised: the token is looked up (and refreshed if due) and sent in the
    /// `alipay-app-auth-token` header and the signed string.
    ///
    /// # Errors
    /// As for [`Registry::execute_for`], with the errors of [`Client::execute_v3`].
    pub fn execute_v3_for(&self, auth_app_id: &str, call: &V3Call) -> Result<V3Response> {
        let (token, app_id) = self.usable_token_of(auth_app_id)?;
        let client = self.client_for(&app_id)?;
        let mut call = call.clone();
        call.app_auth_token = Some(token);
        client.execute_v3_for(&call, Some(auth_app_id))
    }

    /// The client of the app `auth_app_id` authorised, and `options` with its usable token set.
    fn delegated(
        &self,
        auth_app_id: &str,
        options: &CallOptions,
    ) -> Result<(&Client, CallOptions)> {
        let (token, app_id) = self.usable_token_of(auth_app_id)?;
        let client = self.client_for(&app_id)?;
        let mut options = options.clone();
        options.app_auth_token = Some(token);
        options.auth_app_id = Some(auth_app_id.to_string());
        Ok((client, options))
    }

    /// The default app's client.
    fn client(&self) -> Result<&Client> {
        self.clients.first().ok_or_else(|| {
            Error::config("this registry has no client: build it with `with_client` to refresh tokens and call")
        })
    }

    /// The client of our app `app_id` (the default app's for a record stored before apps were recorded).
    pub(crate) fn client_for(&self, app_id: &str) -> Result<&Client> {
        if app_id.is_empty() {
            return self.client();
        }
        self.clients
            .iter()
            .find(|client| client.config().app_id() == app_id)
            .ok_or_else(|| {
                Error::config(format!(
                    "this registry has no client for app {app_id}: add that app's client with \
                     `with_client` to refresh and call for the merchants who authorised it"
                ))
            })
    }
}

/// A registry URL as it may be shown: the password — after `user:` and in a `password=` parameter —
/// replaced by `***`. A path or a URL without a password is returned as it is.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (credentials, after) = match rest.split_once('@') {
        Some((credentials, after)) => (Some(credentials), after),
        None => (None, rest),
    };
    let credentials = match credentials.map(|text| text.split_once(':')) {
        Some(Some((user, _))) => format!("{user}:***@"),
        Some(None) => format!("{}@", credentials.unwrap_or_default()),
        None => String::new(),
    };
    let (location, query) = match after.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (after, None),
    };
    let query = query.map(|query| {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => pair.to_string(),
            })
            .collect();
        format!("?{}", pairs.join("&"))
    });
    format!(
        "{scheme}://{credentials}{location}{}",
        query.unwrap_or_default()
    )
}

/// The store a URL names, tokens encrypted at rest with `key` where the store keeps them:
///
/// - `postgres://user:password@host:port/dbname?…` (or `postgresql://`): `PostgresStore` — cargo feature
///   `postgres`; its parameters (`sslmode`, `pool_max_size`, …) are described there;
/// - `mysql://user:password@host:port/database?…` (or `mariadb://`): `MysqlStore` — cargo feature
///   `mysql`; its parameters (`ssl-mode`, `pool_max_size`, …) are described there;
/// - `sqlite://PATH`, `sqlite:PATH`, or a plain file path: [`SqliteStore`] (feature `sqlite`, default);
///   `sqlite:///var/lib/isv/registry.db` is the absolute path `/var/lib/isv/registry.db`;
/// - `memory:`: a [`MemoryStore`], gone with the process (`key` is not used).
///
/// # Errors
/// [`Error::Config`] for another scheme, or one whose cargo feature was not compiled in (the message
/// names it); the opening store's errors.
pub fn open_store(url: &str, key: Option<TokenKey>) -> Result<Arc<dyn Store>> {
    open_location(url, key).map(|opened| opened.store)
}

/// Which kind of store [`open_location`] opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
    /// A MySQL or MariaDB database.
    Mysql,
    /// Memory.
    Memory,
}

impl StoreKind {
    /// The kind's name: `sqlite`, `postgres`, `mysql` or `memory`.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
            StoreKind::Mysql => "mysql",
            StoreKind::Memory => "memory",
        }
    }
}

/// A store opened by [`open_location`]: the store, the same store when it is a SQLite file (for its
/// integrity check), its kind, whether tokens are encrypted at rest, and where it is, as it may be shown.
pub struct OpenedStore {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Its kind.
    pub kind: StoreKind,
    /// Whether tokens are encrypted at rest (never in memory).
    pub encrypted: bool,
    /// The same store when it is a SQLite file.
    #[cfg(feature = "sqlite")]
    pub sqlite: Option<Arc<SqliteStore>>,
    /// Where the records are — the file, the database as its store names it, or `memory` — never with a
    /// password.
    pub place: String,
}

impl fmt::Debug for OpenedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedStore")
            .field("kind", &self.kind)
            .field("encrypted", &self.encrypted)
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

/// [`open_store`], keeping what a host shows or checks of the store: the one place where a registry
/// location is dispatched, for the bindings and the command line alike.
///
/// # Errors
/// As for [`open_store`].
pub fn open_location(url: &str, key: Option<TokenKey>) -> Result<OpenedStore> {
    let opened = |store: Arc<dyn Store>, kind, encrypted, place: String| OpenedStore {
        store,
        kind,
        encrypted,
        #[cfg(feature = "sqlite")]
        sqlite: None,
        place,
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        {
            let store = Arc::new(PostgresStore::open(url, key)?);
            let (encrypted, place) = (store.is_encrypted(), store.database().to_string());
            return Ok(opened(store, StoreKind::Postgres, encrypted, place));
        }
        #[cfg(not(feature = "postgres"))]
        return Err(Error::config(
            "a postgres:// registry needs the cargo feature `postgres` of alipay-isv, which this \
             build was compiled without",
        ));
    }
    if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        #[cfg(feature = "mysql")]
        {
            let store = Arc::new(MysqlStore::open(url, key)?);
            let (encrypted, place) = (store.is_encrypted(), store.database().to_string());
            return Ok(opened(store, StoreKind::Mysql, encrypted, place));
        }
        #[cfg(not(feature = "mysql"))]
        return Err(Error::config(
            "a mysql:// registry needs the cargo feature `mysql` of alipay-isv, which this build was \
             compiled without",
        ));
    }
    if url == "memory:" || url == "memory://" {
        drop(key);
        return Ok(opened(
            Arc::new(MemoryStore::new()),
            StoreKind::Memory,
            false,
            "memory".to_string(),
        ));
    }
    let path = if let Some(path) = url.strip_prefix("sqlite://") {
        path
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        path
    } else if let Some((scheme, _)) = url.split_once("://") {
        return Err(Error::config(format!(
            "`{scheme}://` is not a registry this build opens: use postgres://… (feature `postgres`), \
             mysql://… (feature `mysql`), sqlite://PATH or a file path (feature `sqlite`), or memory:"
        )));
    } else {
        url
    };
    if path.is_empty() {
        return Err(Error::config(
            "the registry URL names no SQLite file: sqlite://PATH or a file path",
        ));
    }
    #[cfg(feature = "sqlite")]
    {
        let store = Arc::new(SqliteStore::open(path, key)?);
        Ok(OpenedStore {
            store: store.clone(),
            kind: StoreKind::Sqlite,
            encrypted: store.is_encrypted(),
            sqlite: Some(store),
            place: path.to_string(),
        })
    }
    #[cfg(not(feature = "sqlite"))]
    return Err(Error::config(format!(
        "the SQLite registry {path} needs the cargo feature `sqlite` of alipay-isv, which this build \
         was compiled without"
    )));
}

/// The error for an `auth_app_id` the registry does not know.
pub(crate) fn unknown_merchant(auth_app_id: &str) -> Error {
    Error::Store {
        reason: format!(
            "no authorisation is stored for auth_app_id {auth_app_id}: the merchant has not authorised \
             this app (or it was ingested into another registry)"
        ),
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;

/// For tests elsewhere in the crate (the gateway's, which need SQLite): the decision of a call moving the
/// order to `status`.
#[cfg(all(test, feature = "sqlite"))]
pub(crate) fn order_status_for_tests(
    current: Option<&OrderRecord>,
    status: &str,
) -> Result<Decision<OrderRecord>> {
    let id = current.map_or("", |order| order.commodity_order_id.as_str());
    order::with_status(current, id, status, None, "accept", now_ms())
}
