//! [`Registry`], mirroring `alipay_isv::registry`: the durable relation merchant PID – `authAppId` –
//! `appAuthToken` an ISV server keeps. Open one per process on a PostgreSQL or MySQL/MariaDB database
//! shared by every instance of the backend, on a SQLite file, or in memory ([`store`]: `Registry.open`
//! takes a path or a URL; tokens optionally encrypted with a [`TokenKey`]), feed it the exchange
//! results, verified notifications and query answers (each ingestion idempotent), import tokens copied
//! from the open-platform console (`importToken`, in [`import`]), and ask it for usable tokens:
//! `tokenFor` refreshes ahead of expiry, exactly once however many threads (or processes and hosts
//! sharing the database or file) ask.
//!
//! Records are keyed by (our app, merchant app): one registry serves several of our apps or plugins,
//! each with its own `Client` (`client`, the default app's, plus `clients`), and each record is
//! refreshed and called through the client of the app it authorised (`getForApp`, `tokenForApp`,
//! `defaultAppId`). Service-market orders are stored too ([`order`]: the records; [`orders`]: the
//! order calls made through the registry and recorded).
//!
//! Every call is blocking: disk or database I/O, and for `tokenFor`, `tokenForApp`, `tokenForMerchant`,
//! `executeFor` network I/O when a refresh is due (for `importToken` and the order calls always) — call
//! them from `Dispatchers.IO` or a thread pool. A registry is safe to share between threads.

mod import;
mod order;
mod orders;
mod record;
mod store;
mod token_key;

pub use import::TokenImport;
pub use order::{
    OrderItemState, OrderRecord, OrderStatusChange, item_cancelled, item_done, item_to_confirm,
    order_accepted, order_placed, order_rejected,
};
pub use record::{AuthOrigin, AuthStatus, IngestOutcome, MerchantAuthorisation, RefreshLease};
pub use store::StoreKind;
pub use token_key::{TokenKey, generate_token_key};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use alipay_isv::auth as core_auth;
use alipay_isv::notify as core_notify;
use alipay_isv::registry as core;
use serde_json::Value;

use crate::auth::{AppAuthToken, AppAuthTokenInfo};
use crate::client::{Client, RetryPolicy};
use crate::error::{Result, guard};
use crate::notify::Notification;
use crate::request::CallOptions;
use crate::response::VerifiedResponse;

/// The merchant authorisation registry (Kotlin:
/// `Registry.open(pathOrUrl, tokenKey, client = client, refreshMargin = Duration.ofMinutes(10))` —
/// `"postgres://…"`, `"mysql://…"`, a SQLite file — or `Registry.inMemory(client)`;
/// `clients = listOf(pluginClient)` adds the clients of further apps; `tokenCacheTtlMs = 1000uL`
/// caches tokens per instance, a bound on how stale they may be). Thread-safe: open one per
/// process and share it. `toString()` shows the store (a database without its password), whether
/// tokens are encrypted, the clients, the margin and the cache bound — never a token or a password.
///
/// Every call is blocking (disk or database, and network when a refresh is due): call it from
/// `Dispatchers.IO`. `close()` releases the file, or the database connections, once no other reference
/// remains.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Registry {
    inner: Arc<core::Registry>,
    sqlite: Option<Arc<core::SqliteStore>>,
    kind: StoreKind,
    location: String,
    encrypted: bool,
    clients: Vec<Arc<Client>>,
    refresh_margin: Duration,
}

impl Registry {
    /// A registry over `opened`, with the clients (the default app's first), margin and token cache
    /// options applied (the cache once the clients are set).
    fn build(
        opened: store::Opened,
        clients: Vec<Arc<Client>>,
        refresh_margin: Option<Duration>,
        token_cache_ttl_ms: Option<u64>,
    ) -> Arc<Self> {
        let refresh_margin = refresh_margin.unwrap_or(core::DEFAULT_REFRESH_MARGIN);
        let mut registry = core::Registry::new(opened.store).with_refresh_margin(refresh_margin);
        for client in &clients {
            registry = registry.with_client(client.core().clone());
        }
        if let Some(ttl_ms) = token_cache_ttl_ms {
            registry = registry.with_token_cache(Duration::from_millis(ttl_ms));
        }
        Arc::new(Registry {
            inner: Arc::new(registry),
            sqlite: opened.sqlite,
            kind: opened.kind,
            location: opened.location,
            encrypted: opened.encrypted,
            clients,
            refresh_margin,
        })
    }

    /// The core registry (shared with a `Gateway`).
    pub(crate) fn core(&self) -> &Arc<core::Registry> {
        &self.inner
    }
}

/// Refuses a token cache bound of zero (no bound at all is `null`, not `0`).
fn check_token_cache_ttl(token_cache_ttl_ms: Option<u64>) -> alipay_isv::Result<()> {
    match token_cache_ttl_ms {
        Some(0) => Err(alipay_isv::Error::Config {
            reason: "tokenCacheTtlMs must be a positive number of milliseconds (null: no token \
                     cache), not 0"
                .to_string(),
        }),
        _ => Ok(()),
    }
}

/// The clients of the `client` and `clients` options, the default app's first.
fn all_clients(client: Option<Arc<Client>>, clients: Vec<Arc<Client>>) -> Vec<Arc<Client>> {
    client.into_iter().chain(clients).collect()
}

#[uniffi::export]
impl Registry {
    /// Opens (or creates) the registry that `path_or_url` names, creating its tables on first use
    /// and migrating an older schema forward in one transaction:
    ///
    /// - `postgres://USER:PASSWORD@HOST:PORT/DATABASE?…` (or `postgresql://…`): a PostgreSQL
    ///   database, shared by every process and host that opens it — the store of a backend with
    ///   several instances (a refresh is still made exactly once across all of them). Parameters:
    ///   `sslmode` (`disable`, the default, `prefer`, `require`, `verify-ca`, `verify-full` — use
    ///   `verify-full` with `sslrootcert=/path/ca.pem` for a server across a network),
    ///   `connect_timeout` (seconds), `options=-csearch_path%3Dmyschema` (the tables go to the first
    ///   schema of the `search_path`), `application_name`;
    /// - `mysql://USER:PASSWORD@HOST:PORT/DATABASE?…` (or `mariadb://…`): a MySQL 5.7+ or MariaDB
    ///   10.2+ database, shared likewise. Parameters: `ssl-mode` (`DISABLED`, the default,
    ///   `PREFERRED`, `REQUIRED`, `VERIFY_CA`, `VERIFY_IDENTITY` — use `VERIFY_IDENTITY` with
    ///   `ssl-ca=/path/ca.pem` across a network), `connect_timeout` (seconds); any other parameter is
    ///   refused by name;
    /// - both: `pool_max_size` (connections the registry opens at most, 1 to 1000, default 8) and
    ///   `pool_timeout` (seconds a call waits for a free connection, default 10); reaching the
    ///   server is given `connect_timeout` (default 10 s). A password with `@`, `:`, `/` or `?` is
    ///   percent-encoded (`p%40ss`). The password never appears in any error, log or `toString()`;
    /// - `sqlite://PATH` (`sqlite:///var/lib/isv/registry.db` is the absolute path), `sqlite:PATH`,
    ///   or a plain file path: a SQLite file (WAL), shared by the processes of one machine;
    /// - `memory:`: memory, gone with the process (as `inMemory`; `token_key` is not used).
    ///
    /// With `token_key`, tokens are encrypted at rest (AES-256-GCM) and the database or file only
    /// opens with that key. `client` (the *default app*'s) refreshes tokens and makes the delegated
    /// calls of `executeFor`; `refresh_margin` (default 10 minutes) is how long before expiry a token
    /// is refreshed; `clients` are the clients of our other apps or plugins, one per app (a
    /// merchant's authorisation is refreshed and called through the client of the app it authorised;
    /// a later client of an app already given replaces it).
    ///
    /// `token_cache_ttl_ms` (default null: no cache) serves `tokenFor` and the delegated calls from a
    /// per-instance cache whose entries live at most that many milliseconds, and only while the token
    /// is not due: a write through this registry evicts at once, a revocation or refresh written by
    /// another instance sharing the database is seen within the bound — never served after it.
    ///
    /// Throws `AlipayException.Store` when the server cannot be reached (within `connect_timeout`)
    /// or refuses the login (the message names the user, never the password), the database does not
    /// exist, the file is not SQLite, the database or file holds another application's tables or a
    /// newer schema, or the key does not match (a wrong key, a key for a plain registry, no key for
    /// an encrypted one) — nothing is then written; `AlipayException.Config` for a URL that is not
    /// valid (an unknown parameter or `sslmode`, a pool size out of range, an unreadable CA file), a
    /// scheme this library does not open, or a `postgres://` / `mysql://` URL in a build without the
    /// binding's `sql-stores` feature, and for a `token_cache_ttl_ms` of 0 (nothing is then opened).
    #[uniffi::constructor(default(
        token_key = None,
        client = None,
        refresh_margin = None,
        clients = [],
        token_cache_ttl_ms = None
    ))]
    pub fn open(
        path_or_url: String,
        token_key: Option<Arc<TokenKey>>,
        client: Option<Arc<Client>>,
        refresh_margin: Option<Duration>,
        clients: Vec<Arc<Client>>,
        token_cache_ttl_ms: Option<u64>,
    ) -> Result<Arc<Self>> {
        guard("Registry.open", || {
            check_token_cache_ttl(token_cache_ttl_ms)?;
            let key = token_key.as_deref().map(TokenKey::to_core).transpose()?;
            let opened = store::open(&path_or_url, key)?;
            Ok(Registry::build(
                opened,
                all_clients(client, clients),
                refresh_margin,
                token_cache_ttl_ms,
            ))
        })
    }

    /// A registry in memory (lost when the process ends): for tests and single-process tools.
    /// `client`, `refresh_margin`, `clients` and `token_cache_ttl_ms` as for `open`.
    ///
    /// Throws `AlipayException.Config` for a `token_cache_ttl_ms` of 0.
    #[uniffi::constructor(default(
        client = None,
        refresh_margin = None,
        clients = [],
        token_cache_ttl_ms = None
    ))]
    pub fn in_memory(
        client: Option<Arc<Client>>,
        refresh_margin: Option<Duration>,
        clients: Vec<Arc<Client>>,
        token_cache_ttl_ms: Option<u64>,
    ) -> Result<Arc<Self>> {
        guard("Registry.inMemory", || {
            check_token_cache_ttl(token_cache_ttl_ms)?;
            Ok(Registry::build(
                store::memory(),
                all_clients(client, clients),
                refresh_margin,
                token_cache_ttl_ms,
            ))
        })
    }

    /// Our *default app*: the app of the first client (`client`, else the first of `clients`);
    /// empty without a client. The tokens of `ingestTokens` are stored under it, and its record
    /// wins when a merchant app authorised several of our apps and is asked for by `authAppId`
    /// alone.
    pub fn default_app_id(&self) -> String {
        self.inner.default_app_id().to_string()
    }

    /// Stores the tokens of `Client.exchangeAppAuthCode` (every token of a batch) under the default
    /// app: each is a new authorisation and replaces what was stored for its `authAppId`. One
    /// outcome per token.
    ///
    /// Throws `AlipayException.Store` when the store fails, `.Protocol` for a token without
    /// `authAppId`.
    pub fn ingest_tokens(&self, tokens: Vec<AppAuthToken>) -> Result<Vec<IngestOutcome>> {
        guard("Registry.ingestTokens", || {
            let tokens: Vec<core_auth::AppAuthToken> = tokens.iter().map(token_to_core).collect();
            let outcomes = self.inner.ingest_tokens(&tokens)?;
            Ok(outcomes.into_iter().map(IngestOutcome::from).collect())
        })
    }

    /// Stores the tokens of a `Client.refreshAppAuthToken` made outside the registry.
    ///
    /// Throws as `ingestTokens` does.
    pub fn ingest_refreshed_tokens(&self, tokens: Vec<AppAuthToken>) -> Result<Vec<IngestOutcome>> {
        guard("Registry.ingestRefreshedTokens", || {
            let tokens: Vec<core_auth::AppAuthToken> = tokens.iter().map(token_to_core).collect();
            let outcomes = self.inner.ingest_refreshed_tokens(&tokens)?;
            Ok(outcomes.into_iter().map(IngestOutcome::from).collect())
        })
    }

    /// Ingests a VERIFIED notification (from `NotificationVerifier`): an `open_app_auth_notify`
    /// stores its tokens under the app the merchant authorised (the plugin for a plugin
    /// authorisation), an `alipay.open.auth.appauth.cancelled` revokes, a `ServiceMarketOrder` is
    /// stored as an order (`order(id)`); each is de-duplicated by `notifyId` (Alipay's retries are
    /// `DUPLICATE`) and ordered (a late message is `STALE`). Other notifications are `IGNORED`.
    /// Answer `successAck()` once this returned — or let a `Gateway` do all of it.
    ///
    /// Throws `AlipayException.Store` when the store fails.
    pub fn ingest_notification(&self, notification: Notification) -> Result<IngestOutcome> {
        guard("Registry.ingestNotification", || {
            let notification = notification_to_core(notification);
            Ok(self.inner.ingest_notification(&notification)?.into())
        })
    }

    /// Ingests what `Client.queryAppAuthToken(appAuthToken)` answered: granted APIs, expiry, and —
    /// when the gateway says `invalid` — revocation. A query about a token that is no longer the
    /// stored one is `STALE`.
    ///
    /// Throws `AlipayException.Store` when the store fails.
    pub fn ingest_query(
        &self,
        app_auth_token: String,
        info: AppAuthTokenInfo,
    ) -> Result<IngestOutcome> {
        guard("Registry.ingestQuery", || {
            let info = core_auth::AppAuthTokenInfo {
                user_id: info.user_id,
                auth_app_id: info.auth_app_id,
                expires_in: info.expires_in,
                auth_methods: info.auth_methods,
                auth_start: info.auth_start,
                auth_end: info.auth_end,
                status: info.status,
            };
            Ok(self.inner.ingest_query(&app_auth_token, &info)?.into())
        })
    }

    /// The record of the merchant app `auth_app_id`: its only one, or — when it authorised several
    /// of our apps — the default app's; null when there is none.
    ///
    /// Throws `AlipayException.Store` when it authorised several of our apps, none of them the
    /// default app (ask with `getForApp`), or the store cannot be read.
    pub fn get(&self, auth_app_id: String) -> Result<Option<MerchantAuthorisation>> {
        guard("Registry.get", || {
            Ok(self.inner.get(&auth_app_id)?.map(Into::into))
        })
    }

    /// The authorisation of the merchant app `auth_app_id` to our app `app_id` (a record written
    /// before the registry recorded apps is found too), or null.
    ///
    /// Throws `AlipayException.Store` when the store cannot be read.
    pub fn get_for_app(
        &self,
        app_id: String,
        auth_app_id: String,
    ) -> Result<Option<MerchantAuthorisation>> {
        guard("Registry.getForApp", || {
            Ok(self
                .inner
                .get_for_app(&app_id, &auth_app_id)?
                .map(Into::into))
        })
    }

    /// Every record, by `authAppId`.
    ///
    /// Throws `AlipayException.Store` when the store cannot be read.
    pub fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        guard("Registry.list", || {
            Ok(self.inner.list()?.into_iter().map(Into::into).collect())
        })
    }

    /// The records of one merchant PID (a merchant may authorise several apps).
    ///
    /// Throws `AlipayException.Store` when the store cannot be read.
    pub fn by_merchant(&self, merchant_pid: String) -> Result<Vec<MerchantAuthorisation>> {
        guard("Registry.byMerchant", || {
            Ok(self
                .inner
                .by_merchant(&merchant_pid)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// Marks the authorisation of `auth_app_id` revoked locally (the record is kept) and returns it.
    ///
    /// Throws `AlipayException.Store` when there is no such record or the store fails.
    pub fn revoke(&self, auth_app_id: String) -> Result<MerchantAuthorisation> {
        guard("Registry.revoke", || {
            Ok(self.inner.revoke(&auth_app_id)?.into())
        })
    }

    /// A usable token for the merchant app `auth_app_id`, refreshed through the client when it
    /// expires within the margin — exactly one refresh however many threads, processes or hosts ask at
    /// once. Blocking (network when a refresh is due): call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Store` naming `auth_app_id` when it is unknown or revoked (no call is
    /// made), `.Config` when a refresh is due and the registry has no client, and the errors of
    /// `Client.refreshAppAuthToken` once the token has expired.
    pub fn token_for(&self, auth_app_id: String) -> Result<String> {
        guard("Registry.tokenFor", || self.inner.token_for(&auth_app_id))
    }

    /// A usable token of the authorisation of the merchant app `auth_app_id` to our app `app_id`,
    /// refreshed through that app's client as `tokenFor` does — blocking (network when a refresh is
    /// due): call from `Dispatchers.IO`.
    ///
    /// Throws `AlipayException.Store` when there is no such authorisation or it is revoked (no call
    /// is made), `.Config` when a refresh is due and the registry has no client for `app_id`, and as
    /// `tokenFor` does.
    pub fn token_for_app(&self, app_id: String, auth_app_id: String) -> Result<String> {
        guard("Registry.tokenForApp", || {
            self.inner.token_for_app(&app_id, &auth_app_id)
        })
    }

    /// A usable token of the merchant's only active authorisation, by PID — blocking, as `tokenFor`.
    ///
    /// Throws `AlipayException.Store` when the merchant has no active authorisation or several (ask
    /// by `authAppId`), and as `tokenFor` does.
    pub fn token_for_merchant(&self, merchant_pid: String) -> Result<String> {
        guard("Registry.tokenForMerchant", || {
            self.inner.token_for_merchant(&merchant_pid)
        })
    }

    /// A delegated `Client.execute` for the merchant app `auth_app_id`: the token is looked up (and
    /// refreshed if due) and set as `options.appAuthToken`; `retry` as for `Client.execute` —
    /// blocking; call from `Dispatchers.IO`.
    ///
    /// Throws as `tokenFor` (no call is made for an unknown or revoked merchant) and
    /// `Client.execute` do; `AlipayException.Config` when the registry has no client.
    #[uniffi::method(default(retry = None, options))]
    pub fn execute_for(
        &self,
        auth_app_id: String,
        method: String,
        options: CallOptions,
        retry: Option<RetryPolicy>,
    ) -> Result<VerifiedResponse> {
        guard("Registry.executeFor", || {
            let options = options.to_core();
            let response = match retry {
                None => self.inner.execute_for(&auth_app_id, &method, &options)?,
                Some(policy) => self.inner.execute_for_with_retry(
                    &auth_app_id,
                    &method,
                    &options,
                    &policy.to_core(),
                )?,
            };
            Ok(VerifiedResponse::from_core(response))
        })
    }

    /// Runs SQLite's `PRAGMA integrity_check` on the file: `ok` when it is sound.
    ///
    /// Throws `AlipayException.Config` for a registry in memory or in a database server (whose own
    /// tools check it), `.Store` when the check cannot run.
    pub fn integrity_check(&self) -> Result<String> {
        guard("Registry.integrityCheck", || match &self.sqlite {
            Some(store) => store.integrity_check(),
            None if self.kind == StoreKind::Memory => Err(alipay_isv::Error::config(
                "an in-memory registry has no file to check",
            )),
            None => Err(alipay_isv::Error::config(format!(
                "integrityCheck checks a SQLite file; this registry is in the database {} (check it \
                 with the server's own tools)",
                self.location
            ))),
        })
    }

    /// The SQLite file (as given, without `sqlite://`), or null for a registry in memory or in a
    /// database server.
    pub fn path(&self) -> Option<String> {
        (self.kind == StoreKind::Sqlite).then(|| self.location.clone())
    }

    /// Which store the records are in: `SQLITE`, `POSTGRES`, `MYSQL` or `MEMORY`.
    pub fn store_kind(&self) -> StoreKind {
        self.kind
    }

    /// Where the records are: the SQLite file, the database as `postgres://USER@HOST:PORT/DATABASE`
    /// or `mysql://USER@HOST:PORT/DATABASE` (never the password), or `memory`.
    pub fn location(&self) -> String {
        self.location.clone()
    }

    /// Whether stored tokens are encrypted with a `TokenKey`.
    pub fn is_encrypted(&self) -> bool {
        self.encrypted
    }

    /// How long before expiry a token is refreshed.
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The bound of the token cache in milliseconds (the `token_cache_ttl_ms` option), or null
    /// without a cache: another instance's revocation or refresh is seen within it; a write through
    /// this registry evicts at once.
    pub fn token_cache_ttl_ms(&self) -> Option<u64> {
        self.inner
            .token_cache_ttl()
            .map(|ttl| u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
    }
}

/// The core token of a binding token record.
fn token_to_core(token: &AppAuthToken) -> core_auth::AppAuthToken {
    core_auth::AppAuthToken {
        app_auth_token: token.app_auth_token.clone(),
        app_refresh_token: token.app_refresh_token.clone(),
        auth_app_id: token.auth_app_id.clone(),
        user_id: token.user_id.clone(),
        expires_in: token.expires_in,
        re_expires_in: token.re_expires_in,
    }
}

/// The core notification of a binding one (parameters sorted by name: the registry does not read
/// them).
pub(crate) fn notification_to_core(notification: Notification) -> core_notify::Notification {
    let params = |params: std::collections::HashMap<String, String>| {
        let mut params: Vec<(String, String)> = params.into_iter().collect();
        params.sort();
        params
    };
    match notification {
        Notification::AppAuth {
            notify_id,
            notify_time,
            app_id,
            status,
            detail,
            params: verified,
            trigger,
            // Derived from `trigger` and `detail.agentAppId` by the core.
            plugin_authorisation: _,
        } => core_notify::Notification::AppAuth(core_notify::AppAuthNotification {
            notify_id,
            notify_time,
            app_id,
            status,
            trigger,
            detail: detail.into(),
            params: params(verified),
        }),
        Notification::Message {
            msg_method,
            notify_id,
            utc_timestamp,
            app_id,
            msg_app_id,
            msg_uid,
            biz_content_json,
            params: verified,
            ..
        } => core_notify::Notification::Message(core_notify::MessageNotification {
            msg_method,
            notify_id,
            utc_timestamp,
            app_id,
            msg_app_id,
            msg_uid,
            biz_content: biz_content_json.map_or(Value::Null, |text| {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            }),
            params: params(verified),
        }),
        Notification::ServiceMarketOrder {
            notify_id,
            notify_time,
            app_id,
            commodity_order_id,
            merchant_pid,
            merchant_name,
            consumer_mini_app_id,
            order_time,
            title,
            total_price,
            order_item_num,
            item_code,
            specifications,
            period_day,
            order_ticket,
            service_code,
            isv_ticket,
            contactor,
            phone,
            params: verified,
        } => core_notify::Notification::ServiceMarketOrder(core_notify::ServiceMarketOrder {
            notify_id,
            notify_time,
            app_id,
            commodity_order_id,
            merchant_pid,
            merchant_name,
            consumer_mini_app_id,
            order_time,
            title,
            total_price,
            order_item_num,
            item_code,
            specifications,
            period_day,
            order_ticket,
            service_code,
            isv_ticket,
            contactor,
            phone,
            params: params(verified),
        }),
        Notification::Other { params: verified } => core_notify::Notification::Other {
            params: params(verified),
        },
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clients: Vec<String> = self.clients.iter().map(ToString::to_string).collect();
        write!(
            f,
            "Registry(store={}, encrypted={}, clients=[{}], refreshMargin={}s{})",
            self.location,
            self.encrypted,
            clients.join(", "),
            self.refresh_margin.as_secs_f64(),
            match self.inner.token_cache_ttl() {
                Some(ttl) => format!(", tokenCacheTtl={}s", ttl.as_secs_f64()),
                None => String::new(),
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_memory_registry_ingests_and_refuses_what_it_does_not_know() {
        let registry = Registry::in_memory(None, None, Vec::new(), None).unwrap();
        let token = AppAuthToken {
            app_auth_token: "token-in-memory-0001".into(),
            app_refresh_token: Some("refresh-in-memory-0001".into()),
            auth_app_id: "2021000000000777".into(),
            user_id: Some("2088000000000777".into()),
            expires_in: Some(3600),
            re_expires_in: Some(7200),
        };
        assert_eq!(
            registry.ingest_tokens(vec![token.clone()]).unwrap(),
            [IngestOutcome::Applied]
        );
        assert_eq!(
            registry.token_for(token.auth_app_id.clone()).unwrap(),
            token.app_auth_token
        );
        let unknown = registry.token_for("2021000000000778".into()).unwrap_err();
        assert_eq!(unknown.kind(), "store");
        assert!(unknown.reason().contains("2021000000000778"));
        assert_eq!(registry.integrity_check().unwrap_err().kind(), "config");
        assert!(!registry.to_string().contains("token-in-memory"));
        let cancelled = Notification::Message {
            msg_method: "alipay.open.auth.appauth.cancelled".into(),
            notify_id: Some("c1".into()),
            utc_timestamp: Some(i64::MAX.to_string()),
            app_id: None,
            msg_app_id: Some(token.auth_app_id.clone()),
            msg_uid: None,
            biz_content_json: Some("{\"auth_app_id\":\"2021000000000777\"}".into()),
            is_app_auth_cancelled: true,
            params: Default::default(),
        };
        assert_eq!(
            registry.ingest_notification(cancelled).unwrap(),
            IngestOutcome::Applied
        );
        assert_eq!(
            registry.get(token.auth_app_id).unwrap().unwrap().status,
            AuthStatus::Revoked
        );
    }
}
