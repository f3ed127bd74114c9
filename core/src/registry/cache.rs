//! The per-instance read cache of [`Registry::token_for`](super::Registry::token_for) and the delegated
//! calls ([`Registry::with_token_cache`](super::Registry::with_token_cache)): a token served from memory
//! instead of a database round trip, with a stated bound on staleness.
//!
//! - An entry lives at most the cache's `ttl` after it was read from the store, and only while its token
//!   is not due for a refresh: a revocation or a refresh written by **another instance** sharing the
//!   database is seen by this one within `ttl` — a revoked merchant is never served after that bound.
//! - Every write **through this instance** ([`Store::update`], so ingestion, revocation, refresh, import)
//!   evicts the merchant app's entry before it returns, whatever its outcome: this instance never serves
//!   what it replaced itself.
//! - Revoked and due records are never cached; they take the store path, which refreshes or refuses.
//!
//! [`CachingStore`] is the store wrapper that evicts on write; the reads of the store are not cached (only
//! the token of `token_for` is), so every other read — lists, orders, the refresh lease's compare-and-swap —
//! sees the database as it is.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::order::OrderRecord;
use super::record::MerchantAuthorisation;
use super::store::{Decide, DecideOrder, NotificationState, Store, UpdateResult};
use crate::error::Result;

/// A cached token: whose it is, until when it may be served.
struct Entry {
    token: String,
    app_id: String,
    read_at: Instant,
    /// Epoch ms at which the token becomes due for a refresh (`i64::MAX`: never).
    due_at_ms: i64,
}

/// The cache: merchant app → its usable token.
pub(crate) struct TokenCache {
    ttl: Duration,
    entries: RwLock<HashMap<String, Entry>>,
    /// Moves on every eviction: a read of the store that began before a write does not cache what it
    /// read once the write has evicted.
    epoch: AtomicU64,
}

impl TokenCache {
    /// An empty cache whose entries live at most `ttl`.
    pub(crate) fn new(ttl: Duration) -> Self {
        TokenCache {
            ttl,
            entries: RwLock::new(HashMap::new()),
            epoch: AtomicU64::new(0),
        }
    }

    /// The bound on staleness.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The cached token of `auth_app_id` and the app it authorised, while fresh and not due at `now_ms`.
    pub(crate) fn get(&self, auth_app_id: &str, now_ms: i64) -> Option<(String, String)> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(auth_app_id)?;
        (entry.read_at.elapsed() < self.ttl && now_ms < entry.due_at_ms)
            .then(|| (entry.token.clone(), entry.app_id.clone()))
    }

    /// The epoch to pass to [`TokenCache::put`], taken before the store is read.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Caches the token of `record`, read from the store at `read_at` in `epoch`, due at `due_at_ms` —
    /// unless a write evicted since `epoch` (what was read may be older than that write).
    pub(crate) fn put(
        &self,
        record: &MerchantAuthorisation,
        read_at: Instant,
        epoch: u64,
        due_at_ms: i64,
    ) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        entries.insert(
            record.auth_app_id.clone(),
            Entry {
                token: record.app_auth_token.clone(),
                app_id: record.app_id.clone(),
                read_at,
                due_at_ms,
            },
        );
    }

    /// Forgets `auth_app_id`.
    pub(crate) fn evict(&self, auth_app_id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        entries.remove(auth_app_id);
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }
}

/// A [`Store`] that evicts a merchant app's cached token on every write about it; everything else is the
/// inner store's.
pub(crate) struct CachingStore {
    pub(crate) inner: Arc<dyn Store>,
    pub(crate) cache: Arc<TokenCache>,
}

impl Store for CachingStore {
    fn get(&self, app_id: &str, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        self.inner.get(app_id, auth_app_id)
    }

    fn find(&self, auth_app_id: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.inner.find(auth_app_id)
    }

    fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        self.inner.list()
    }

    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.inner.by_merchant(merchant_pid)
    }

    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult> {
        // Evicted before (no read of this instance starts from the old entry while the write runs) and
        // after (a read that raced the write does not keep what it read).
        self.cache.evict(auth_app_id);
        let result = self.inner.update(app_id, auth_app_id, notify_id, decide);
        self.cache.evict(auth_app_id);
        result
    }

    fn get_order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>> {
        self.inner.get_order(commodity_order_id)
    }

    fn list_orders(&self) -> Result<Vec<OrderRecord>> {
        self.inner.list_orders()
    }

    fn update_order(
        &self,
        commodity_order_id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> Result<UpdateResult<OrderRecord>> {
        self.inner
            .update_order(commodity_order_id, notify_id, decide)
    }

    fn notification_state(&self, notify_id: &str) -> Result<NotificationState> {
        self.inner.notification_state(notify_id)
    }

    fn record_notification(&self, notify_id: &str) -> Result<bool> {
        self.inner.record_notification(notify_id)
    }

    fn mark_handled(&self, notify_id: &str) -> Result<()> {
        self.inner.mark_handled(notify_id)
    }
}

/// The default bound of [`Registry::with_token_cache`](super::Registry::with_token_cache) users may
/// quote: one second.
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);
