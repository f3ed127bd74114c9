//! [`MemoryStore`]: the registry in process memory — for tests, and for hosts that keep tokens elsewhere.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use super::now_ms;
use super::record::MerchantAuthorisation;
use super::store::{Decide, Decision, Store, UpdateResult};
use crate::error::{Error, Result};

#[derive(Default)]
struct Contents {
    records: BTreeMap<String, MerchantAuthorisation>,
    seen_notifications: HashSet<String>,
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

impl Store for MemoryStore {
    fn get(&self, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        Ok(self.lock()?.records.get(auth_app_id).cloned())
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
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult> {
        let mut contents = self.lock()?;
        if let Some(notify_id) = notify_id
            && contents.seen_notifications.contains(notify_id)
        {
            return Ok(UpdateResult::Duplicate);
        }
        let current = contents.records.get(auth_app_id).cloned();
        let result = match decide(current.as_ref())? {
            Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
            Decision::Write(mut record) => {
                record.auth_app_id = auth_app_id.to_string();
                record.version = current.as_ref().map_or(1, |stored| stored.version + 1);
                record.updated_at_ms = now_ms();
                contents
                    .records
                    .insert(auth_app_id.to_string(), (*record).clone());
                UpdateResult::Written(record)
            }
        };
        if let Some(notify_id) = notify_id {
            contents.seen_notifications.insert(notify_id.to_string());
        }
        Ok(result)
    }
}
