//! [`MemoryStore`]: the registry in process memory — for tests, and for hosts that keep tokens elsewhere.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::now_ms;
use super::order::OrderRecord;
use super::record::MerchantAuthorisation;
use super::store::{Decide, DecideOrder, Decision, NotificationState, Store, UpdateResult};
use crate::error::{Error, Result};

#[derive(Default)]
struct Contents {
    /// By (auth_app_id, app_id), so a merchant app's records are neighbours.
    records: BTreeMap<(String, String), MerchantAuthorisation>,
    orders: BTreeMap<String, OrderRecord>,
    /// notify_id → handled.
    journal: HashMap<String, bool>,
}

impl Contents {
    /// Whether `notify_id` is journaled; records it as received when it is not.
    fn journal(&mut self, notify_id: Option<&str>) -> bool {
        match notify_id {
            Some(notify_id) if self.journal.contains_key(notify_id) => true,
            Some(notify_id) => {
                self.journal.insert(notify_id.to_string(), false);
                false
            }
            None => false,
        }
    }
}

/// A [`Store`] in memory; everything is lost when it is dropped.
#[derive(Default)]
pub struct MemoryStore {
    contents: Mutex<Contents>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Contents>> {
        self.contents.lock().map_err(|_| Error::Store {
            reason: "the in-memory store was poisoned by a panic in another thread".into(),
        })
    }
}

fn key(app_id: &str, auth_app_id: &str) -> (String, String) {
    (auth_app_id.to_string(), app_id.to_string())
}

impl Store for MemoryStore {
    fn get(&self, app_id: &str, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        Ok(self.lock()?.records.get(&key(app_id, auth_app_id)).cloned())
    }

    fn find(&self, auth_app_id: &str) -> Result<Vec<MerchantAuthorisation>> {
        // The merchant app's records are neighbours: a range from (auth_app_id, "") on, not a scan.
        let start = (auth_app_id.to_string(), String::new());
        Ok(self
            .lock()?
            .records
            .range(start..)
            .take_while(|((merchant_app, _), _)| merchant_app == auth_app_id)
            .map(|(_, record)| record.clone())
            .collect())
    }

    fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        Ok(self.lock()?.records.values().cloned().collect())
    }

    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>> {
        Ok(self
            .lock()?
            .records
            .values()
            .filter(|record| record.merchant_pid.as_deref() == Some(merchant_pid))
            .cloned()
            .collect())
    }

    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult> {
        let mut contents = self.lock()?;
        if let Some(notify_id) = notify_id
            && contents.journal.contains_key(notify_id)
        {
            return Ok(UpdateResult::Duplicate);
        }
        let own = key(app_id, auth_app_id);
        let legacy = key("", auth_app_id);
        let (current_key, current) = match contents.records.get(&own) {
            Some(record) => (own.clone(), Some(record.clone())),
            None if !app_id.is_empty() => (legacy.clone(), contents.records.get(&legacy).cloned()),
            None => (own.clone(), None),
        };
        let result = match decide(current.as_ref())? {
            Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
            Decision::Write(mut record) => {
                record.app_id = app_id.to_string();
                record.auth_app_id = auth_app_id.to_string();
                record.version = current.as_ref().map_or(1, |stored| stored.version + 1);
                record.updated_at_ms = now_ms();
                if current.is_some() && current_key != own {
                    contents.records.remove(&current_key);
                }
                contents.records.insert(own, (*record).clone());
                UpdateResult::Written(record)
            }
        };
        contents.journal(notify_id);
        Ok(result)
    }

    fn get_order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>> {
        Ok(self.lock()?.orders.get(commodity_order_id).cloned())
    }

    fn list_orders(&self) -> Result<Vec<OrderRecord>> {
        let mut orders: Vec<OrderRecord> = self.lock()?.orders.values().cloned().collect();
        orders.sort_by(|a, b| {
            (&a.order_time, &a.commodity_order_id).cmp(&(&b.order_time, &b.commodity_order_id))
        });
        Ok(orders)
    }

    fn update_order(
        &self,
        commodity_order_id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> Result<UpdateResult<OrderRecord>> {
        let mut contents = self.lock()?;
        if let Some(notify_id) = notify_id
            && contents.journal.contains_key(notify_id)
        {
            return Ok(UpdateResult::Duplicate);
        }
        let current = contents.orders.get(commodity_order_id).cloned();
        let result = match decide(current.as_ref())? {
            Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
            Decision::Write(mut record) => {
                record.commodity_order_id = commodity_order_id.to_string();
                record.version = current.as_ref().map_or(1, |stored| stored.version + 1);
                record.updated_at_ms = now_ms();
                contents
                    .orders
                    .insert(commodity_order_id.to_string(), (*record).clone());
                UpdateResult::Written(record)
            }
        };
        contents.journal(notify_id);
        Ok(result)
    }

    fn notification_state(&self, notify_id: &str) -> Result<NotificationState> {
        Ok(match self.lock()?.journal.get(notify_id) {
            None => NotificationState::New,
            Some(false) => NotificationState::Received,
            Some(true) => NotificationState::Handled,
        })
    }

    fn record_notification(&self, notify_id: &str) -> Result<bool> {
        Ok(!self.lock()?.journal(Some(notify_id)))
    }

    fn mark_handled(&self, notify_id: &str) -> Result<()> {
        self.lock()?.journal.insert(notify_id.to_string(), true);
        Ok(())
    }
}
