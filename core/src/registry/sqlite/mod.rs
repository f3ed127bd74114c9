//! [`SqliteStore`]: the registry — authorisations, orders, the notification journal — in one SQLite file (bundled SQLite; WAL, `synchronous=FULL`, a busy
//! timeout), shared safely by threads and by processes. A file that is refused — not SQLite, corrupt, a
//! SQLite database of another application, a newer schema, the wrong key or encryption setting — is
//! refused with a typed error before anything is written to it: it is left byte-identical, in WAL or in
//! rollback-journal mode, with no `-wal` / `-shm` file left behind.

mod codec;
mod order_codec;
mod schema;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

use super::now_ms;
use super::order::OrderRecord;
use super::record::MerchantAuthorisation;
use super::row_codec::{self, Encryption};
use super::store::{Decide, DecideOrder, Decision, NotificationState, Store, UpdateResult};
use super::token_key::TokenKey;
use crate::error::{Error, Result};

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// How long a writer waits for another process's transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A SQLite error as a [`Error::Store`], with what was being done. SQLite messages carry no values (every
/// statement binds its parameters), so no token can leak through them.
pub(crate) fn store_error(context: &str, error: &rusqlite::Error) -> Error {
    Error::Store {
        reason: format!("{context}: {error}"),
    }
}

/// A [`Store`] in a SQLite file.
pub struct SqliteStore {
    connection: Mutex<Connection>,
    key: Option<TokenKey>,
    path: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

fn check_header(path: &Path, shown: &str) -> Result<()> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(Error::Store {
                reason: format!("cannot open {shown}: {error}"),
            });
        }
    };
    let mut header = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut header)
        .map_err(|error| Error::Store {
            reason: format!("cannot read {shown}: {error}"),
        })?;
    if !header.is_empty() && header.as_slice() != SQLITE_HEADER {
        return Err(Error::Store {
            reason: format!(
                "{shown} is not a SQLite database (it may be corrupt or another kind of file); \
                 it was left untouched — choose another path or restore it from a backup"
            ),
        });
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (or creates) the registry at `path`. With `key`, tokens are encrypted at rest; a database
    /// created with a key must be opened with the same key, and one created without a key without one.
    ///
    /// # Errors
    /// [`Error::Store`] when the file is not SQLite, is another application's database, has a newer
    /// schema, cannot be opened or migrated, or the key does not match.
    pub fn open(path: impl AsRef<Path>, key: Option<TokenKey>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        check_header(path, &shown)?;
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| store_error(&format!("cannot open {shown}"), &error))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|error| store_error("cannot set the busy timeout", &error))?;
        // Every check that can refuse the file runs first, reading only: nothing is written to a file
        // that is then refused (not even the switch to WAL, which rewrites the header of a
        // rollback-journal database such as a `VACUUM INTO` backup).
        let inspection = schema::inspect(&connection, &shown)?;
        let encryption = check_encryption(&connection, &inspection, key.as_ref(), &shown)?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(|error| store_error(&format!("cannot configure {shown}"), &error))?;
        schema::migrate(&mut connection, inspection.schema_version)?;
        if let Encryption::Unrecorded = encryption {
            record_encryption(&mut connection, key.as_ref())?;
        }
        Ok(SqliteStore {
            connection: Mutex::new(connection),
            key,
            path: shown,
        })
    }

    /// Whether tokens are encrypted at rest in this database.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`ok` when healthy).
    ///
    /// # Errors
    /// [`Error::Store`] when the check cannot run.
    pub fn integrity_check(&self) -> Result<String> {
        self.lock()?
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(|error| store_error("the integrity check failed to run", &error))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>> {
        self.connection.lock().map_err(|_| Error::Store {
            reason: "the SQLite connection was poisoned by a panic in another thread".into(),
        })
    }

    /// Reads the rows selected by `clause`, binding `value` as `?1` when given.
    fn read_where(&self, clause: &str, value: Option<&str>) -> Result<Vec<MerchantAuthorisation>> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {} FROM authorisations {clause}",
                codec::COLUMNS
            ))
            .map_err(|error| store_error("cannot read the registry", &error))?;
        let rows = match value {
            Some(value) => statement.query([value]),
            None => statement.query([]),
        }
        .map_err(|error| store_error("cannot read the registry", &error))?;
        codec::read_rows(rows, self.key.as_ref())
    }
}

/// Checks, reading only, that the key (or its absence) fits what the database records.
fn check_encryption(
    connection: &Connection,
    inspection: &schema::Inspection,
    key: Option<&TokenKey>,
    shown: &str,
) -> Result<Encryption> {
    let stored: Option<String> = if inspection.schema_version == 0 {
        // No schema yet, so no `meta` table: a new database.
        None
    } else {
        connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'encryption'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|error| store_error(&format!("cannot read {shown}"), &error))?
    };
    let key_check = || {
        connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'key_check'",
                [],
                |row| row.get(0),
            )
            .map_err(|error| store_error(&format!("cannot read {shown}"), &error))
    };
    row_codec::check_encryption(stored.as_deref(), key_check, key, shown)
}

/// Records the encryption setting (and, with a key, its check value) of an accepted new database.
fn record_encryption(connection: &mut Connection, key: Option<&TokenKey>) -> Result<()> {
    let failed =
        |error: rusqlite::Error| store_error("cannot record the encryption setting", &error);
    let transaction = connection.transaction().map_err(failed)?;
    for (name, value) in row_codec::encryption_metadata(key)? {
        transaction
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![name, value],
            )
            .map_err(failed)?;
    }
    transaction.commit().map_err(failed)
}

/// Whether `notify_id` is in the journal (read inside `transaction`).
fn journaled(transaction: &Transaction<'_>, notify_id: Option<&str>) -> Result<bool> {
    let Some(notify_id) = notify_id else {
        return Ok(false);
    };
    let seen: Option<i64> = transaction
        .query_row(
            "SELECT 1 FROM seen_notifications WHERE notify_id = ?1",
            [notify_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(|error| store_error("cannot read the registry", &error))?;
    Ok(seen.is_some())
}

/// Records `notify_id` as received (not yet handled), inside `transaction`.
fn journal(transaction: &Transaction<'_>, notify_id: Option<&str>) -> Result<()> {
    if let Some(notify_id) = notify_id {
        transaction
            .execute(
                "INSERT INTO seen_notifications (notify_id, received_at_ms) VALUES (?1, ?2)",
                params![notify_id, now_ms()],
            )
            .map_err(|error| store_error("cannot record the notification", &error))?;
    }
    Ok(())
}

impl SqliteStore {
    /// Starts a write transaction (taking the database's write lock at once).
    fn write_transaction<'c>(connection: &'c mut Connection) -> Result<Transaction<'c>> {
        connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|error| store_error("cannot start a registry write", &error))
    }

    /// Reads the orders selected by `clause`, binding `value` as `?1` when given.
    fn read_orders_where(&self, clause: &str, value: Option<&str>) -> Result<Vec<OrderRecord>> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {} FROM orders {clause}",
                order_codec::ORDER_COLUMNS
            ))
            .map_err(|error| store_error("cannot read the registry's orders", &error))?;
        let rows = match value {
            Some(value) => statement.query([value]),
            None => statement.query([]),
        }
        .map_err(|error| store_error("cannot read the registry's orders", &error))?;
        order_codec::read_orders(rows)
    }
}

impl Store for SqliteStore {
    fn get(&self, app_id: &str, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare_cached(&format!(
                "SELECT {} FROM authorisations WHERE auth_app_id = ?1 AND app_id = ?2",
                codec::COLUMNS
            ))
            .map_err(|error| store_error("cannot read the registry", &error))?;
        let rows = statement
            .query([auth_app_id, app_id])
            .map_err(|error| store_error("cannot read the registry", &error))?;
        Ok(codec::read_rows(rows, self.key.as_ref())?
            .into_iter()
            .next())
    }

    fn find(&self, auth_app_id: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.read_where("WHERE auth_app_id = ?1 ORDER BY app_id", Some(auth_app_id))
    }

    fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        self.read_where("ORDER BY auth_app_id, app_id", None)
    }

    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.read_where(
            "WHERE merchant_pid = ?1 ORDER BY auth_app_id, app_id",
            Some(merchant_pid),
        )
    }

    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult> {
        let mut connection = self.lock()?;
        let transaction = SqliteStore::write_transaction(&mut connection)?;
        if journaled(&transaction, notify_id)? {
            return Ok(UpdateResult::Duplicate);
        }
        // The app's own record, else (for an app) the one stored before apps were recorded.
        let current = {
            let mut statement = transaction
                .prepare_cached(&format!(
                    "SELECT {} FROM authorisations WHERE auth_app_id = ?1 AND app_id IN (?2, '') \
                     ORDER BY app_id DESC LIMIT 1",
                    codec::COLUMNS
                ))
                .map_err(|error| store_error("cannot read the registry", &error))?;
            let rows = statement
                .query([auth_app_id, app_id])
                .map_err(|error| store_error("cannot read the registry", &error))?;
            codec::read_rows(rows, self.key.as_ref())?
                .into_iter()
                .next()
        };
        let result = match decide(current.as_ref())? {
            Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
            Decision::Write(mut record) => {
                record.app_id = app_id.to_string();
                record.auth_app_id = auth_app_id.to_string();
                record.version = current.as_ref().map_or(1, |stored| stored.version + 1);
                record.updated_at_ms = now_ms();
                if let Some(stored) = current.as_ref().filter(|stored| stored.app_id != app_id) {
                    transaction
                        .execute(
                            "DELETE FROM authorisations WHERE auth_app_id = ?1 AND app_id = ?2",
                            [auth_app_id, stored.app_id.as_str()],
                        )
                        .map_err(|error| store_error("cannot write the registry", &error))?;
                }
                codec::write_record(&transaction, &record, self.key.as_ref())?;
                UpdateResult::Written(record)
            }
        };
        journal(&transaction, notify_id)?;
        transaction
            .commit()
            .map_err(|error| store_error("cannot commit a registry write", &error))?;
        Ok(result)
    }

    fn get_order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>> {
        Ok(self
            .read_orders_where("WHERE commodity_order_id = ?1", Some(commodity_order_id))?
            .into_iter()
            .next())
    }

    fn list_orders(&self) -> Result<Vec<OrderRecord>> {
        self.read_orders_where("ORDER BY order_time, commodity_order_id", None)
    }

    fn update_order(
        &self,
        commodity_order_id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> Result<UpdateResult<OrderRecord>> {
        let mut connection = self.lock()?;
        let transaction = SqliteStore::write_transaction(&mut connection)?;
        if journaled(&transaction, notify_id)? {
            return Ok(UpdateResult::Duplicate);
        }
        let current = {
            let mut statement = transaction
                .prepare_cached(&format!(
                    "SELECT {} FROM orders WHERE commodity_order_id = ?1",
                    order_codec::ORDER_COLUMNS
                ))
                .map_err(|error| store_error("cannot read the registry's orders", &error))?;
            let rows = statement
                .query([commodity_order_id])
                .map_err(|error| store_error("cannot read the registry's orders", &error))?;
            order_codec::read_orders(rows)?.into_iter().next()
        };
        let result = match decide(current.as_ref())? {
            Decision::Keep => UpdateResult::Kept(current.map(Box::new)),
            Decision::Write(mut order) => {
                order.commodity_order_id = commodity_order_id.to_string();
                order.version = current.as_ref().map_or(1, |stored| stored.version + 1);
                order.updated_at_ms = now_ms();
                order_codec::write_order(&transaction, &order)?;
                UpdateResult::Written(order)
            }
        };
        journal(&transaction, notify_id)?;
        transaction
            .commit()
            .map_err(|error| store_error("cannot commit a registry write", &error))?;
        Ok(result)
    }

    fn notification_state(&self, notify_id: &str) -> Result<NotificationState> {
        let handled: Option<Option<i64>> = self
            .lock()?
            .query_row(
                "SELECT handled_at_ms FROM seen_notifications WHERE notify_id = ?1",
                [notify_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|error| store_error("cannot read the notification journal", &error))?;
        Ok(match handled {
            None => NotificationState::New,
            Some(None) => NotificationState::Received,
            Some(Some(_)) => NotificationState::Handled,
        })
    }

    fn record_notification(&self, notify_id: &str) -> Result<bool> {
        self.lock()?
            .execute(
                "INSERT OR IGNORE INTO seen_notifications (notify_id, received_at_ms) VALUES (?1, ?2)",
                params![notify_id, now_ms()],
            )
            .map(|inserted| inserted == 1)
            .map_err(|error| store_error("cannot record the notification", &error))
    }

    /// Committed without waiting for the disk (`synchronous=NORMAL` for this one statement; the file
    /// stays consistent): the mark only spares the handler a second run, so losing it to a power cut
    /// costs at most that second run on Alipay's retry, while the record itself was committed durably
    /// before. This halves the disk flushes per notification.
    fn mark_handled(&self, notify_id: &str) -> Result<()> {
        let now = now_ms();
        let connection = self.lock()?;
        connection
            .execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(|error| store_error("cannot mark the notification handled", &error))?;
        let marked = connection
            .execute(
                "INSERT INTO seen_notifications (notify_id, received_at_ms, handled_at_ms) \
                 VALUES (?1, ?2, ?2) ON CONFLICT (notify_id) DO UPDATE SET handled_at_ms = ?2",
                params![notify_id, now],
            )
            .map(drop)
            .map_err(|error| store_error("cannot mark the notification handled", &error));
        let restored = connection
            .execute_batch("PRAGMA synchronous = FULL")
            .map_err(|error| store_error("cannot restore synchronous = FULL", &error));
        marked.and(restored)
    }
}
