//! The [`Store`] trait: where merchant authorisations live. Two implementations ship — in memory
//! ([`MemoryStore`](super::MemoryStore)) and SQLite ([`SqliteStore`](super::SqliteStore)); a host can
//! bring its own. Every write goes through [`Store::update`], one atomic read-decide-write, so the
//! registry's ordering rules hold across threads and processes.

use super::record::MerchantAuthorisation;
use crate::error::Result;

/// What [`Store::update`]'s decision function wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Write this record (the store sets `version` to the stored one plus one, and `updated_at_ms`).
    Write(Box<MerchantAuthorisation>),
    /// Leave the stored record as it is.
    Keep,
}

/// What [`Store::update`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateResult {
    /// The `notify_id` was already recorded: the decision function was not called.
    Duplicate,
    /// The decision was [`Decision::Keep`]; the stored record, if any.
    Kept(Option<Box<MerchantAuthorisation>>),
    /// The record as written.
    Written(Box<MerchantAuthorisation>),
}

/// The decision function of [`Store::update`]: sees the stored record (if any), decides.
pub type Decide<'a> = dyn FnMut(Option<&MerchantAuthorisation>) -> Result<Decision> + 'a;

/// A durable home for merchant authorisations, one record per `auth_app_id`.
pub trait Store: Send + Sync {
    /// The record of `auth_app_id`.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be read.
    fn get(&self, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>>;

    /// Every record, by `auth_app_id`.
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn list(&self) -> Result<Vec<MerchantAuthorisation>>;

    /// The records of one merchant (a merchant may authorise several apps).
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>>;

    /// Atomically: when `notify_id` is given and already recorded, returns [`UpdateResult::Duplicate`];
    /// otherwise reads the record of `auth_app_id`, calls `decide`, writes what it decided, and records
    /// `notify_id` — all or nothing. Errors of `decide` abort the update.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be written; `decide`'s errors.
    fn update(
        &self,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult>;
}
