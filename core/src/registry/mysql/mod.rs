//! [`MysqlStore`]: the registry — authorisations, orders, the notification journal — in MySQL or
//! MariaDB, shared by every process and host that opens the same database, as
//! [`PostgresStore`](super::PostgresStore) is in PostgreSQL: the same records (the same fields, `version`
//! semantics and sealed tokens, through the shared row codec), the same contract of [`Store`], and the
//! same pool, retries and read-decide-write ([shared](super::server)); this module holds MySQL's SQL.
//!
//! - **One transaction per write, at READ COMMITTED.** [`Store::update`] journals the `notify_id` with
//!   `INSERT IGNORE` (no row inserted — the affected-row count is 0 — means
//!   [`UpdateResult::Duplicate`]; a concurrent writer of the same id waits on the row's lock for the
//!   first to commit, then finds it); locks the record's row (`SELECT … FOR UPDATE`); runs the decision;
//!   writes (`INSERT … ON DUPLICATE KEY UPDATE`); commits. A decision's error rolls everything back.
//!   READ COMMITTED, not InnoDB's default REPEATABLE READ: every statement reads the latest committed
//!   rows, as PostgreSQL's default does, and a locking read of a row that does not exist takes **no gap
//!   lock** — under REPEATABLE READ, two writers creating different merchants' records would lock the
//!   same gap and then deadlock on their inserts. (Such a server must log by row: `binlog_format` ROW or
//!   MIXED, the defaults; the error says so otherwise.)
//! - **Creating a record** that does not exist yet is serialised by a named lock
//!   (`GET_LOCK('alipay_isv:<hash of database, kind, key>', 30)`), the counterpart of PostgreSQL's
//!   advisory lock: two writers creating the same record queue, and the second reads again after the
//!   first committed. A named lock rather than an insert-first placeholder row: a placeholder would be
//!   seen by no reader but still needs values for every column, must be deleted when the decision keeps
//!   nothing, and concurrent inserts of one key that roll back are InnoDB's textbook deadlock. Named locks
//!   belong to the session, not the transaction: the store releases each one after the commit or
//!   rollback, and closes the connection (which releases them) when it cannot.
//! - **Deadlocks and lock waits**: a transaction InnoDB chose as a deadlock victim (error 1213, or 3058
//!   among named locks) is rolled back and runs again, up to 3 times; one that waited more than
//!   `innodb_lock_wait_timeout` (30 s, error 1205) or for a named lock runs once more, then fails with a
//!   [`Error::Store`] saying a record stayed locked.
//! - **The refresh lease** of [`Registry::token_for`](super::Registry::token_for) is a compare-and-swap
//!   through `update` on the record's `version`, so exactly one of the hosts sharing the database takes
//!   it; the row lock is held only for that write, never across the HTTP call.
//! - **Connections**: a bounded [pool](crate::registry::server::pool) (default 8; `pool_max_size`,
//!   `pool_timeout` in the URL), TLS as the URL's `ssl-mode` asks ([tls]). A connection found lost is
//!   dropped with the idle ones; a read, or a write that failed before its decision ran, is tried once
//!   more on a new connection. A write that lost its connection while committing answers an
//!   [`Error::Store`] saying so.
//! - **Keys** (app ids, merchant app ids, merchant PIDs, notification and order ids, order times) are at
//!   most 255 bytes ([schema]); a longer one is refused with an [`Error::Store`] before anything is
//!   written — never cut, so two long ids can never collide.
//! - **Errors** are [`Error::Store`] with what to fix ([errors]); the URL's password is in no message
//!   and not in `Debug`.
//!
//! The driver is `mysql_async`, by the author of the synchronous `mysql` crate and on the same protocol
//! crate, behind a synchronous API ([`pool`]): the `mysql` crate's TLS features all pull `webpki` 0.22,
//! hence `ring`, which this workspace does not build.

mod codec;
mod errors;
mod pool;
mod schema;
mod tls;
mod url;

use mysql_async::Value;

use self::codec::{UPSERT_AUTHORISATION, UPSERT_ORDER};
use self::pool::Session;
use self::url::Target;
use super::now_ms;
use super::row_codec::{AuthorisationRow, COLUMNS, ORDER_COLUMNS, OrderRow};
use super::server::lock_digest;
use super::server::pool::doing::{COMMITTING, JOURNAL, READING, STARTING, WRITING};
use super::server::pool::{Attempt, Doing, Failure};
use super::server::schema::{AUTHORISATIONS, NOTIFICATIONS, ORDERS};
use super::server::store::{Driver, Select, SelectOrders, ServerStore, Step, Work, server_store};
use super::server::write::Writer;
#[cfg(doc)]
use super::store::Store;
use super::store::UpdateResult;
use super::token_key::TokenKey;
use crate::error::{Error, Result};

/// The most bytes a key column holds.
const KEY_BYTES: usize = 255;
/// How long a writer waits for the named lock of a record being created, in seconds.
const CREATE_LOCK_SECONDS: u64 = 30;

server_store! {
    /// A [`Store`] in a MySQL or MariaDB database, shared by processes and hosts.
    store MysqlStore;

    /// The pool's defaults of a [`MysqlStore`], which the URL's parameters override.
    options MysqlOptions;

    /// Opens the registry in the MySQL or MariaDB database of `url`
    /// (`mysql://user:password@host:port/database`, or `mariadb://…`), creating its tables on first use
    /// and migrating them forward. With `key`, tokens are encrypted at rest; a database created with a
    /// key must be opened with the same key, and one created without a key without one. The pool has
    /// [`MysqlOptions::default`] settings unless the URL's parameters say otherwise.
    ///
    /// The tables (`alipay_isv_*`) go to the URL's database, beside any of an application's own. TLS
    /// follows `ssl-mode` as the `mysql` client reads it (`VERIFY_IDENTITY` with `ssl-ca=/path/ca.pem`
    /// for a server across a network); without `ssl-mode`, no TLS is used. The server must be MySQL 5.7
    /// or MariaDB 10.2 or newer.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that is not valid; [`Error::Store`] when the server cannot be reached
    /// or refuses the login, the database does not exist, holds tables of another application or a
    /// newer schema, or the key does not match — nothing is written to a refused database.
    open;
}

impl MysqlStore {
    /// [`MysqlStore::open`] with other pool defaults (the URL's parameters still win).
    ///
    /// # Errors
    /// As for [`MysqlStore::open`].
    pub fn open_with(url: &str, key: Option<TokenKey>, options: MysqlOptions) -> Result<Self> {
        let target = Target::parse(url, options.connect_timeout)?;
        Ok(MysqlStore {
            inner: ServerStore::open(target, options, key, schema::prepare)?,
        })
    }
}

/// Refuses a key longer than its column (`what` names it), before anything is written.
fn fits(what: &str, value: &str) -> std::result::Result<(), Failure<mysql_async::Error>> {
    if value.len() > KEY_BYTES {
        return Err(Failure::Other(Error::Store {
            reason: format!(
                "the {what} is {} bytes long, longer than the {KEY_BYTES} bytes the MySQL registry keeps \
                 of a key: nothing was written",
                value.len()
            ),
        }));
    }
    Ok(())
}

/// The name of the named lock on creating the record `key` of `kind` in `database` (at most 64
/// characters, the same on every host).
fn lock_name(database: &str, kind: &str, key: &str) -> String {
    let digest = lock_digest(&[database, kind, key]);
    let hex: String = digest[..20]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("alipay_isv:{hex}")
}

/// A write's statements inside a MySQL transaction, with the named locks it took.
struct MyWriter<'s> {
    session: &'s mut Session,
    database: &'s str,
    locks: Vec<String>,
}

impl MyWriter<'_> {
    /// Takes the named lock on creating `key` of `kind` (released after the transaction ends).
    fn create_lock(&mut self, kind: &str, key: &str) -> Step<(), Target> {
        let name = lock_name(self.database, kind, key);
        let granted = self
            .session
            .rows(
                "SELECT GET_LOCK(?, ?)",
                vec![name.as_str().into(), CREATE_LOCK_SECONDS.into()],
            )
            .doing(WRITING)?;
        if !matches!(
            granted.first().and_then(|row| row.first()),
            Some(Value::Int(1))
        ) {
            return Err(Target::lock_not_granted(&name, CREATE_LOCK_SECONDS)).doing(WRITING);
        }
        self.locks.push(name);
        Ok(())
    }

    /// The authorisation rows of `sql` with `params`.
    fn authorisations(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> Step<Vec<AuthorisationRow>, Target> {
        let rows = self.session.rows(sql, params).doing(READING)?;
        Ok(rows
            .into_iter()
            .map(codec::authorisation)
            .collect::<Result<Vec<_>>>()?)
    }

    /// The order rows of `sql` with `params`.
    fn orders(&mut self, sql: &str, params: Vec<Value>) -> Step<Vec<OrderRow>, Target> {
        let rows = self.session.rows(sql, params).doing(READING)?;
        Ok(rows
            .into_iter()
            .map(codec::order)
            .collect::<Result<Vec<_>>>()?)
    }
}

impl Writer for MyWriter<'_> {
    type Error = mysql_async::Error;

    fn journal(&mut self, notify_id: &str) -> Step<bool, Target> {
        // INSERT IGNORE would cut a value too long for the column: refused before.
        fits("notify_id", notify_id)?;
        insert_notification(self.session, notify_id)
    }

    fn lock_authorisation(
        &mut self,
        app_id: &str,
        auth_app_id: &str,
    ) -> Step<Option<AuthorisationRow>, Target> {
        fits("app_id", app_id)?;
        fits("auth_app_id", auth_app_id)?;
        let own = self.authorisations(
            &format!(
                "SELECT {COLUMNS} FROM {AUTHORISATIONS} WHERE auth_app_id = ? AND app_id = ? \
                 FOR UPDATE"
            ),
            vec![auth_app_id.into(), app_id.into()],
        )?;
        if let Some(row) = own.into_iter().next() {
            return Ok(Some(row));
        }
        self.create_lock("authorisation", auth_app_id)?;
        Ok(self
            .authorisations(
                &format!(
                    "SELECT {COLUMNS} FROM {AUTHORISATIONS} WHERE auth_app_id = ? \
                     AND app_id IN (?, '') ORDER BY app_id DESC LIMIT 1 FOR UPDATE"
                ),
                vec![auth_app_id.into(), app_id.into()],
            )?
            .into_iter()
            .next())
    }

    fn delete_authorisation(&mut self, app_id: &str, auth_app_id: &str) -> Step<(), Target> {
        self.session
            .execute(
                &format!("DELETE FROM {AUTHORISATIONS} WHERE auth_app_id = ? AND app_id = ?"),
                vec![auth_app_id.into(), app_id.into()],
            )
            .map(drop)
            .doing(WRITING)
    }

    fn upsert_authorisation(&mut self, row: &AuthorisationRow) -> Step<(), Target> {
        if let Some(merchant_pid) = &row.merchant_pid {
            fits("merchant_pid", merchant_pid)?;
        }
        self.session
            .execute(&UPSERT_AUTHORISATION, codec::authorisation_params(row))
            .map(drop)
            .doing(WRITING)
    }

    fn lock_order(&mut self, commodity_order_id: &str) -> Step<Option<OrderRow>, Target> {
        fits("commodity_order_id", commodity_order_id)?;
        let sql =
            format!("SELECT {ORDER_COLUMNS} FROM {ORDERS} WHERE commodity_order_id = ? FOR UPDATE");
        if let Some(row) = self
            .orders(&sql, vec![commodity_order_id.into()])?
            .into_iter()
            .next()
        {
            return Ok(Some(row));
        }
        self.create_lock("order", commodity_order_id)?;
        Ok(self
            .orders(&sql, vec![commodity_order_id.into()])?
            .into_iter()
            .next())
    }

    fn upsert_order(&mut self, row: &OrderRow) -> Step<(), Target> {
        fits("merchant_pid", &row.merchant_pid)?;
        fits("app_id", &row.app_id)?;
        if let Some(order_time) = &row.order_time {
            fits("order_time", order_time)?;
        }
        self.session
            .execute(&UPSERT_ORDER, codec::order_params(row))
            .map(drop)
            .doing(WRITING)
    }
}

/// Inserts `notify_id` into the journal unless it is there (`INSERT IGNORE`: the affected-row count says
/// which); whether it was inserted. The caller has checked its length: `IGNORE` would cut a longer one.
fn insert_notification(session: &mut Session, notify_id: &str) -> Step<bool, Target> {
    session
        .execute(
            &format!(
                "INSERT IGNORE INTO {NOTIFICATIONS} (notify_id, received_at_ms) VALUES (?, ?)"
            ),
            vec![notify_id.into(), now_ms().into()],
        )
        .map(|inserted| inserted == 1)
        .doing(JOURNAL)
}

/// Ends the open transaction of `session` with a rollback; a session that cannot is closed (which rolls
/// back and releases its locks on the server).
fn roll_back(session: &mut Session) {
    if session.run("ROLLBACK").is_err() {
        session.poison();
    }
}

impl Driver for Target {
    fn authorisations(
        &self,
        session: &mut Session,
        select: Select<'_>,
    ) -> Step<Vec<AuthorisationRow>, Self> {
        let (clause, params): (&str, Vec<Value>) = match select {
            Select::One(app_id, auth_app_id) => (
                "WHERE auth_app_id = ? AND app_id = ?",
                vec![auth_app_id.into(), app_id.into()],
            ),
            Select::OfAuthApp(auth_app_id) => (
                "WHERE auth_app_id = ? ORDER BY app_id",
                vec![auth_app_id.into()],
            ),
            Select::OfMerchant(merchant_pid) => (
                "WHERE merchant_pid = ? ORDER BY auth_app_id, app_id",
                vec![merchant_pid.into()],
            ),
            Select::All => ("ORDER BY auth_app_id, app_id", Vec::new()),
        };
        let sql = format!("SELECT {COLUMNS} FROM {AUTHORISATIONS} {clause}");
        let rows = session.rows(&sql, params).doing(READING)?;
        Ok(rows
            .into_iter()
            .map(codec::authorisation)
            .collect::<Result<Vec<_>>>()?)
    }

    fn orders(&self, session: &mut Session, select: SelectOrders<'_>) -> Step<Vec<OrderRow>, Self> {
        // NULL sorts first in MySQL's ascending order.
        let (clause, params): (&str, Vec<Value>) = match select {
            SelectOrders::One(id) => ("WHERE commodity_order_id = ?", vec![id.into()]),
            SelectOrders::All => ("ORDER BY order_time, commodity_order_id", Vec::new()),
        };
        let sql = format!("SELECT {ORDER_COLUMNS} FROM {ORDERS} {clause}");
        let rows = session.rows(&sql, params).doing(READING)?;
        Ok(rows
            .into_iter()
            .map(codec::order)
            .collect::<Result<Vec<_>>>()?)
    }

    fn notification(
        &self,
        session: &mut Session,
        notify_id: &str,
    ) -> Step<Option<Option<i64>>, Self> {
        let rows = session
            .rows(
                &format!("SELECT handled_at_ms FROM {NOTIFICATIONS} WHERE notify_id = ?"),
                vec![notify_id.into()],
            )
            .doing(READING)?;
        Ok(rows.into_iter().next().map(|row| {
            row.into_iter()
                .next()
                .and_then(|handled| mysql_async::from_value_opt::<Option<i64>>(handled).ok())
                .flatten()
        }))
    }

    fn record_notification(&self, session: &mut Session, notify_id: &str) -> Step<bool, Self> {
        fits("notify_id", notify_id)?;
        insert_notification(session, notify_id)
    }

    fn mark_handled(&self, session: &mut Session, notify_id: &str) -> Step<(), Self> {
        fits("notify_id", notify_id)?;
        let now = now_ms();
        session
            .execute(
                &format!(
                    "INSERT INTO {NOTIFICATIONS} (notify_id, received_at_ms, handled_at_ms) \
                     VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE handled_at_ms = ?"
                ),
                vec![notify_id.into(), now.into(), now.into(), now.into()],
            )
            .map(drop)
            .doing(JOURNAL)
    }

    fn transaction<T>(
        &self,
        session: &mut Session,
        attempt: &mut Attempt,
        work: &mut Work<'_, T, Self>,
    ) -> Step<UpdateResult<T>, Self> {
        session.run("START TRANSACTION").doing(STARTING)?;
        let mut writer = MyWriter {
            session,
            database: &self.server.dbname,
            locks: Vec::new(),
        };
        let ended = match work(&mut writer, attempt) {
            Ok(written) if written.commit => writer
                .session
                .run("COMMIT")
                .map(|()| written.result)
                .doing(COMMITTING),
            Ok(written) => {
                roll_back(writer.session);
                Ok(written.result)
            }
            Err(failure) => {
                roll_back(writer.session);
                Err(failure)
            }
        };
        for name in &writer.locks {
            if writer
                .session
                .rows("SELECT RELEASE_LOCK(?)", vec![name.as_str().into()])
                .is_err()
            {
                writer.session.poison();
                break;
            }
        }
        ended
    }
}
