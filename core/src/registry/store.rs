//! The [`Store`] trait: where merchant authorisations, service-market orders and the journal of
//! received notifications live. Two implementations ship — in memory ([`MemoryStore`](super::MemoryStore))
//! and SQLite ([`SqliteStore`](super::SqliteStore)); a host can bring its own. Every write goes through one
//! atomic read-decide-write ([`Store::update`], [`Store::update_order`]), so the registry's ordering rules
//! hold across threads and processes.
//!
//! Authorisations are keyed by **(our app, merchant app)**: `app_id` is the app the merchant authorised
//! (our third-party app, or one of our plugins), `auth_app_id` the merchant's app. One store serves an ISV
//! with several apps and plugins without one overwriting another. A record written before the registry
//! recorded apps (schema 1 and 2) has an empty `app_id`; the first write of `(app_id, auth_app_id)` finds it
//! as the current record and moves it under `app_id`, in the same transaction.

use super::order::OrderRecord;
use super::record::MerchantAuthorisation;
use crate::error::Result;

/// What a decision function of the store wants done with the record it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<T = MerchantAuthorisation> {
    /// Write this record (the store sets `version` to the stored one plus one, and `updated_at_ms`).
    Write(Box<T>),
    /// Leave the stored record as it is.
    Keep,
}

/// What an update of the store did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateResult<T = MerchantAuthorisation> {
    /// The `notify_id` was already recorded: the decision function was not called.
    Duplicate,
    /// The decision was [`Decision::Keep`]; the stored record, if any.
    Kept(Option<Box<T>>),
    /// The record as written.
    Written(Box<T>),
}

/// The decision function of [`Store::update`]: sees the stored authorisation (if any), decides.
pub type Decide<'a> = dyn FnMut(Option<&MerchantAuthorisation>) -> Result<Decision> + 'a;

/// The decision function of [`Store::update_order`]: sees the stored order (if any), decides.
pub type DecideOrder<'a> = dyn FnMut(Option<&OrderRecord>) -> Result<Decision<OrderRecord>> + 'a;

/// What the journal knows of a notification (by `notify_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationState {
    /// Never received.
    New,
    /// Received and stored, but its handler has not finished (it failed, or the process stopped): a
    /// retry calls the handler again.
    Received,
    /// Received, stored and handled: a retry is acknowledged without doing anything.
    Handled,
}

/// A durable home for merchant authorisations, orders and the notification journal.
pub trait Store: Send + Sync {
    /// The authorisation of the merchant app `auth_app_id` to our app `app_id` (a record written before
    /// apps were recorded, under an empty `app_id`, is found only by `app_id` `""`).
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be read.
    fn get(&self, app_id: &str, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>>;

    /// Every authorisation of the merchant app `auth_app_id`, to any of our apps, by `app_id`.
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn find(&self, auth_app_id: &str) -> Result<Vec<MerchantAuthorisation>>;

    /// Every authorisation, by `auth_app_id` then `app_id`.
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn list(&self) -> Result<Vec<MerchantAuthorisation>>;

    /// The authorisations of one merchant (a merchant may authorise several apps).
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>>;

    /// Atomically: when `notify_id` is given and already in the journal, returns
    /// [`UpdateResult::Duplicate`]; otherwise reads the authorisation of `(app_id, auth_app_id)` — or,
    /// when there is none and `app_id` is not empty, the one of `("", auth_app_id)` written before apps
    /// were recorded, which the write then moves under `app_id` — calls `decide`, writes what it decided,
    /// and records `notify_id` as received — all or nothing. Errors of `decide` abort the update.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be written; `decide`'s errors.
    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult>;

    /// The order `commodity_order_id`.
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn get_order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>>;

    /// Every order, oldest first (by order time as received, then by id).
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn list_orders(&self) -> Result<Vec<OrderRecord>>;

    /// Atomically, as [`Store::update`] for the order `commodity_order_id`.
    ///
    /// # Errors
    /// As for [`Store::update`].
    fn update_order(
        &self,
        commodity_order_id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> Result<UpdateResult<OrderRecord>>;

    /// What the journal knows of `notify_id`.
    ///
    /// # Errors
    /// As for [`Store::get`].
    fn notification_state(&self, notify_id: &str) -> Result<NotificationState>;

    /// Records `notify_id` as received (a notification that changes no record); `false` when it was
    /// already in the journal.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be written.
    fn record_notification(&self, notify_id: &str) -> Result<bool>;

    /// Marks `notify_id` handled (its handler finished); records it first when it is not in the journal.
    ///
    /// # Errors
    /// [`Error::Store`](crate::Error::Store) when the store cannot be written.
    fn mark_handled(&self, notify_id: &str) -> Result<()>;
}
