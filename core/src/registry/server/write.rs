//! The atomic read-decide-write of the server stores, the same steps for PostgreSQL and MySQL inside the
//! transaction each driver opens ([`Writer`] is that transaction): record the `notify_id` in the
//! journal (none recorded: [`UpdateResult::Duplicate`], rolled back), lock and read the current record
//! (creating one is serialised by a lock on its key), decide, and write the decision — the record moved
//! from the row stored before apps were recorded when that is the current one. The caller commits when
//! [`Written::commit`] says so.

use super::pool::{Attempt, Failure};
use crate::registry::now_ms;
use crate::registry::order::OrderRecord;
use crate::registry::record::MerchantAuthorisation;
use crate::registry::row_codec::{AuthorisationRow, OrderRow};
use crate::registry::store::{Decide, DecideOrder, Decision, UpdateResult};
use crate::registry::token_key::TokenKey;

/// The statements of a write, inside one transaction of a driver.
pub(crate) trait Writer {
    /// The driver's error.
    type Error;
    /// Records `notify_id`; `false` when it was already in the journal (or is being recorded by a
    /// transaction that then commits).
    fn journal(&mut self, notify_id: &str) -> std::result::Result<bool, Failure<Self::Error>>;
    /// The current authorisation of `(app_id, auth_app_id)` — its own row, else (for an app) the one
    /// stored before apps were recorded — locked until the end of the transaction.
    fn lock_authorisation(
        &mut self,
        app_id: &str,
        auth_app_id: &str,
    ) -> std::result::Result<Option<AuthorisationRow>, Failure<Self::Error>>;
    /// Deletes the authorisation row of `(app_id, auth_app_id)`.
    fn delete_authorisation(
        &mut self,
        app_id: &str,
        auth_app_id: &str,
    ) -> std::result::Result<(), Failure<Self::Error>>;
    /// Inserts `row`, or replaces the one of its key.
    fn upsert_authorisation(
        &mut self,
        row: &AuthorisationRow,
    ) -> std::result::Result<(), Failure<Self::Error>>;
    /// The order `commodity_order_id`, locked as an authorisation is.
    fn lock_order(
        &mut self,
        commodity_order_id: &str,
    ) -> std::result::Result<Option<OrderRow>, Failure<Self::Error>>;
    /// Inserts `row`, or replaces the one of its id.
    fn upsert_order(&mut self, row: &OrderRow) -> std::result::Result<(), Failure<Self::Error>>;
}

/// What a write did, and whether its transaction is to be committed.
pub(crate) struct Written<T> {
    /// The result.
    pub(crate) result: UpdateResult<T>,
    /// Commit (the journal entry, the record); `false` for a duplicate, which wrote nothing.
    pub(crate) commit: bool,
}

/// Records `notify_id` (if any) through `writer`: `false` for a duplicate.
fn journal<W: Writer + ?Sized>(
    writer: &mut W,
    notify_id: Option<&str>,
) -> std::result::Result<bool, Failure<W::Error>> {
    match notify_id {
        Some(notify_id) => writer.journal(notify_id),
        None => Ok(true),
    }
}

/// Runs [`Store::update`](crate::registry::Store::update) of `(app_id, auth_app_id)` through `writer`,
/// tokens sealed with `key`. The attempt is marked past its point of no return once the decision runs.
///
/// # Errors
/// The writer's failures; the decision's error (rolled back with the rest).
pub(crate) fn update_authorisation<W: Writer + ?Sized>(
    writer: &mut W,
    attempt: &mut Attempt,
    key: Option<&TokenKey>,
    (app_id, auth_app_id): (&str, &str),
    notify_id: Option<&str>,
    decide: &mut Decide<'_>,
) -> std::result::Result<Written<MerchantAuthorisation>, Failure<W::Error>> {
    if !journal(writer, notify_id)? {
        return Ok(Written {
            result: UpdateResult::Duplicate,
            commit: false,
        });
    }
    let current = writer
        .lock_authorisation(app_id, auth_app_id)?
        .map(|row| row.decode(key))
        .transpose()?;
    attempt.no_retry();
    let result = match decide(current.as_ref())? {
        Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
        Decision::Write(mut record) => {
            record.app_id = app_id.to_string();
            record.auth_app_id = auth_app_id.to_string();
            record.version = current.as_ref().map_or(1, |stored| stored.version + 1);
            record.updated_at_ms = now_ms();
            if let Some(stored) = current.as_ref().filter(|stored| stored.app_id != app_id) {
                writer.delete_authorisation(&stored.app_id, auth_app_id)?;
            }
            writer.upsert_authorisation(&AuthorisationRow::encode(&record, key)?)?;
            UpdateResult::Written(record)
        }
    };
    Ok(Written {
        result,
        commit: true,
    })
}

/// Runs [`Store::update_order`](crate::registry::Store::update_order) of `commodity_order_id` through
/// `writer`, as [`update_authorisation`] does.
///
/// # Errors
/// The writer's failures; the decision's error (rolled back with the rest).
pub(crate) fn update_order<W: Writer + ?Sized>(
    writer: &mut W,
    attempt: &mut Attempt,
    commodity_order_id: &str,
    notify_id: Option<&str>,
    decide: &mut DecideOrder<'_>,
) -> std::result::Result<Written<OrderRecord>, Failure<W::Error>> {
    if !journal(writer, notify_id)? {
        return Ok(Written {
            result: UpdateResult::Duplicate,
            commit: false,
        });
    }
    let current = writer
        .lock_order(commodity_order_id)?
        .map(OrderRow::decode)
        .transpose()?;
    attempt.no_retry();
    let result = match decide(current.as_ref())? {
        Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
        Decision::Write(mut order) => {
            order.commodity_order_id = commodity_order_id.to_string();
            order.version = current.as_ref().map_or(1, |stored| stored.version + 1);
            order.updated_at_ms = now_ms();
            writer.upsert_order(&OrderRow::encode(&order))?;
            UpdateResult::Written(order)
        }
    };
    Ok(Written {
        result,
        commit: true,
    })
}
