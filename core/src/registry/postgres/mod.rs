//! [`PostgresStore`]: the registry — authorisations, orders, the notification journal — in PostgreSQL,
//! shared by every process and host that opens the same database: the store of an ISV backend that runs
//! several instances. It keeps the same records as [`SqliteStore`](super::SqliteStore) (the same fields,
//! `version` semantics and sealed tokens, through the shared row codec) and the same contract of
//! [`Store`]:
//!
//! - **One transaction per write.** [`Store::update`] inserts the `notify_id` into the journal
//!   (`ON CONFLICT DO NOTHING`: no row inserted means [`UpdateResult::Duplicate`], and a concurrent
//!   writer of the same id waits for the first to commit); locks the record's row (`SELECT … FOR
//!   UPDATE`), or — when it does not exist yet — takes a transaction-level advisory lock on a hash of the
//!   merchant app and reads again, so two writers creating the same record queue instead of racing; runs
//!   the decision; writes; commits. A decision's error rolls everything back. The record stored before
//!   apps were recorded (empty `app_id`) is moved under the first app that writes it, in the same
//!   transaction. `synchronous_commit` is left as the server has it (on by default): a write is
//!   acknowledged once durable.
//! - **The refresh lease** of [`Registry::token_for`](super::Registry::token_for) is a compare-and-swap
//!   through `update` on the record's `version`, so exactly one of the hosts sharing the database takes
//!   it; the row lock is held only for that write, never across the HTTP call.
//! - **Connections**: a bounded [pool](pool) (default 8; `pool_max_size`, `pool_timeout` in the URL),
//!   TLS as the URL's `sslmode` asks ([tls]). A connection found lost is dropped with the idle ones; a
//!   read, or a write that failed before its decision ran, is tried once more on a new connection, so
//!   after a server restart the first call already succeeds when the server is back. A write that lost
//!   its connection while committing answers an [`Error::Store`] saying so (a notification retried by
//!   Alipay is then de-duplicated by the journal if it had landed). A deadlock victim runs again (up to
//!   3 times): its transaction was rolled back.
//! - **Errors** are [`Error::Store`] with what to fix ([errors]); the URL's password is in no message
//!   and not in `Debug`.
//!
//! The pool, the retries and the read-decide-write are [shared](super::server) with
//! [`MysqlStore`](super::MysqlStore); this module holds PostgreSQL's SQL.

mod codec;
mod errors;
mod pool;
mod schema;
mod tls;
mod url;

use postgres::types::Type;
use postgres::{Client, Transaction};

use self::codec::{UPSERT_AUTHORISATION, UPSERT_ORDER};
use self::url::Target;
use super::now_ms;
use super::row_codec::{AuthorisationRow, COLUMNS, ORDER_COLUMNS, OrderRow};
use super::server::lock_digest;
use super::server::pool::doing::{COMMITTING, JOURNAL, READING, STARTING, WRITING};
use super::server::pool::{Attempt, Doing};
use super::server::schema::{AUTHORISATIONS, NOTIFICATIONS, ORDERS};
use super::server::store::{Driver, Select, SelectOrders, ServerStore, Step, Work, server_store};
use super::server::write::Writer;
#[cfg(doc)]
use super::store::Store;
use super::store::UpdateResult;
use super::token_key::TokenKey;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;

/// The classes (first key) of the store's advisory locks.
pub(crate) mod lock_class {
    /// The schema migration ("ALIP").
    pub(crate) const MIGRATION: i32 = 0x414C_4950;
    /// The creation of an authorisation, by merchant app.
    pub(crate) const AUTHORISATION: i32 = 0x414C_4951;
    /// The creation of an order, by order id.
    pub(crate) const ORDER: i32 = 0x414C_4952;
}

/// The second key of an advisory lock on `text`: the first 4 bytes of its SHA-256 (the same on every
/// host; two keys sharing a hash only queue behind each other).
fn lock_key(text: &str) -> i32 {
    let digest = lock_digest(&[text]);
    i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

server_store! {
    /// A [`Store`] in a PostgreSQL database, shared by processes and hosts.
    store PostgresStore;

    /// The pool's defaults of a [`PostgresStore`], which the URL's parameters override.
    options PostgresOptions;

    /// Opens the registry in the PostgreSQL database of `url` (`postgres://user:password@host:port/db`,
    /// or `postgresql://…`), creating its tables on first use and migrating them forward. With `key`,
    /// tokens are encrypted at rest; a database created with a key must be opened with the same key,
    /// and one created without a key without one. The pool has [`PostgresOptions::default`] settings
    /// unless the URL's parameters say otherwise.
    ///
    /// The tables (`alipay_isv_*`) go to the first schema of the connection's `search_path` —
    /// `public` by default, a dedicated one with `?options=-csearch_path%3Dregistry`. TLS follows
    /// `sslmode` as libpq does (`verify-full` with `sslrootcert=/path/ca.pem` for a server across a
    /// network); without `sslmode`, no TLS is used.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that is not valid; [`Error::Store`] when the server cannot be reached
    /// or refuses the login, the database does not exist, holds tables of another application or a
    /// newer schema, or the key does not match — nothing is written to a refused database.
    open;
}

impl PostgresStore {
    /// [`PostgresStore::open`] with other pool defaults (the URL's parameters still win).
    ///
    /// # Errors
    /// As for [`PostgresStore::open`].
    pub fn open_with(url: &str, key: Option<TokenKey>, options: PostgresOptions) -> Result<Self> {
        let mut target = Target::parse(url)?;
        if target.config.get_connect_timeout().is_none() {
            target.config.connect_timeout(options.connect_timeout);
            target.server.connect_timeout = Some(options.connect_timeout);
        }
        Ok(PostgresStore {
            inner: ServerStore::open(target, options, key, schema::prepare)?,
        })
    }
}

/// A write's statements inside a PostgreSQL transaction.
struct PgWriter<'t, 'c>(&'t mut Transaction<'c>);

impl PgWriter<'_, '_> {
    /// Takes the advisory lock of `class` on `text` until the end of the transaction.
    fn advisory_lock(&mut self, class: i32, text: &str) -> Step<(), Target> {
        self.0
            .query_typed(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[(&class, Type::INT4), (&lock_key(text), Type::INT4)],
            )
            .map(drop)
            .doing(WRITING)
    }
}

/// Rows that exist are locked with `FOR UPDATE`; when the app's own row does not exist yet, the merchant
/// app's (or the order's) advisory lock is taken first (every writer that creates or moves a row holds
/// it), so the read after it sees what the previous holder committed. `INSERT … ON CONFLICT DO NOTHING`
/// journals a notification: a concurrent writer of the same id waits for the first to commit.
impl Writer for PgWriter<'_, '_> {
    type Error = postgres::Error;

    fn journal(&mut self, notify_id: &str) -> Step<bool, Target> {
        let inserted = self
            .0
            .execute_typed(
                &format!(
                    "INSERT INTO {NOTIFICATIONS} (notify_id, received_at_ms) VALUES ($1, $2) \
                     ON CONFLICT (notify_id) DO NOTHING"
                ),
                &[(&notify_id, Type::TEXT), (&now_ms(), Type::INT8)],
            )
            .doing(JOURNAL)?;
        Ok(inserted == 1)
    }

    fn lock_authorisation(
        &mut self,
        app_id: &str,
        auth_app_id: &str,
    ) -> Step<Option<AuthorisationRow>, Target> {
        let own = self
            .0
            .query_typed(
                &format!(
                    "SELECT {COLUMNS} FROM {AUTHORISATIONS} WHERE auth_app_id = $1 AND app_id = $2 \
                     FOR UPDATE"
                ),
                &[(&auth_app_id, Type::TEXT), (&app_id, Type::TEXT)],
            )
            .doing(READING)?;
        if let Some(row) = own.first() {
            return Ok(Some(codec::authorisation(row).doing(READING)?));
        }
        self.advisory_lock(lock_class::AUTHORISATION, auth_app_id)?;
        let current = self
            .0
            .query_typed(
                &format!(
                    "SELECT {COLUMNS} FROM {AUTHORISATIONS} WHERE auth_app_id = $1 \
                     AND app_id IN ($2, '') ORDER BY app_id DESC LIMIT 1 FOR UPDATE"
                ),
                &[(&auth_app_id, Type::TEXT), (&app_id, Type::TEXT)],
            )
            .doing(READING)?;
        current
            .first()
            .map(codec::authorisation)
            .transpose()
            .doing(READING)
    }

    fn delete_authorisation(&mut self, app_id: &str, auth_app_id: &str) -> Step<(), Target> {
        self.0
            .execute_typed(
                &format!("DELETE FROM {AUTHORISATIONS} WHERE auth_app_id = $1 AND app_id = $2"),
                &[(&auth_app_id, Type::TEXT), (&app_id, Type::TEXT)],
            )
            .map(drop)
            .doing(WRITING)
    }

    fn upsert_authorisation(&mut self, row: &AuthorisationRow) -> Step<(), Target> {
        self.0
            .execute_typed(&UPSERT_AUTHORISATION, &codec::authorisation_params(row))
            .map(drop)
            .doing(WRITING)
    }

    fn lock_order(&mut self, commodity_order_id: &str) -> Step<Option<OrderRow>, Target> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM {ORDERS} WHERE commodity_order_id = $1 FOR UPDATE"
        );
        let rows = self
            .0
            .query_typed(&sql, &[(&commodity_order_id, Type::TEXT)])
            .doing(READING)?;
        if let Some(row) = rows.first() {
            return Ok(Some(codec::order(row).doing(READING)?));
        }
        self.advisory_lock(lock_class::ORDER, commodity_order_id)?;
        let rows = self
            .0
            .query_typed(&sql, &[(&commodity_order_id, Type::TEXT)])
            .doing(READING)?;
        rows.first().map(codec::order).transpose().doing(READING)
    }

    fn upsert_order(&mut self, row: &OrderRow) -> Step<(), Target> {
        self.0
            .execute_typed(&UPSERT_ORDER, &codec::order_params(row))
            .map(drop)
            .doing(WRITING)
    }
}

/// The statement of `select`, and its text parameters.
fn authorisations_sql<'a>(select: Select<'a>) -> (String, Vec<&'a str>) {
    let (clause, values) = match select {
        Select::One(app_id, auth_app_id) => (
            "WHERE auth_app_id = $1 AND app_id = $2",
            vec![auth_app_id, app_id],
        ),
        Select::OfAuthApp(auth_app_id) => {
            ("WHERE auth_app_id = $1 ORDER BY app_id", vec![auth_app_id])
        }
        Select::OfMerchant(merchant_pid) => (
            "WHERE merchant_pid = $1 ORDER BY auth_app_id, app_id",
            vec![merchant_pid],
        ),
        Select::All => ("ORDER BY auth_app_id, app_id", Vec::new()),
    };
    (
        format!("SELECT {COLUMNS} FROM {AUTHORISATIONS} {clause}"),
        values,
    )
}

/// Runs `sql` with text parameters.
fn query_text(client: &mut Client, sql: &str, values: &[&str]) -> Step<Vec<postgres::Row>, Target> {
    let params: Vec<_> = values
        .iter()
        .map(|value| (value as &(dyn postgres::types::ToSql + Sync), Type::TEXT))
        .collect();
    client.query_typed(sql, &params).doing(READING)
}

impl Driver for Target {
    fn authorisations(
        &self,
        client: &mut Client,
        select: Select<'_>,
    ) -> Step<Vec<AuthorisationRow>, Self> {
        let (sql, values) = authorisations_sql(select);
        query_text(client, &sql, &values)?
            .iter()
            .map(codec::authorisation)
            .collect::<std::result::Result<Vec<_>, _>>()
            .doing(READING)
    }

    fn orders(&self, client: &mut Client, select: SelectOrders<'_>) -> Step<Vec<OrderRow>, Self> {
        let (clause, values) = match select {
            SelectOrders::One(id) => ("WHERE commodity_order_id = $1", vec![id]),
            SelectOrders::All => (
                "ORDER BY order_time NULLS FIRST, commodity_order_id",
                Vec::new(),
            ),
        };
        let sql = format!("SELECT {ORDER_COLUMNS} FROM {ORDERS} {clause}");
        query_text(client, &sql, &values)?
            .iter()
            .map(codec::order)
            .collect::<std::result::Result<Vec<_>, _>>()
            .doing(READING)
    }

    fn notification(
        &self,
        client: &mut Client,
        notify_id: &str,
    ) -> Step<Option<Option<i64>>, Self> {
        let sql = format!("SELECT handled_at_ms FROM {NOTIFICATIONS} WHERE notify_id = $1");
        query_text(client, &sql, &[notify_id])?
            .first()
            .map(|row| row.try_get::<_, Option<i64>>(0))
            .transpose()
            .doing(READING)
    }

    fn record_notification(&self, client: &mut Client, notify_id: &str) -> Step<bool, Self> {
        client
            .execute_typed(
                &format!(
                    "INSERT INTO {NOTIFICATIONS} (notify_id, received_at_ms) VALUES ($1, $2) \
                     ON CONFLICT (notify_id) DO NOTHING"
                ),
                &[(&notify_id, Type::TEXT), (&now_ms(), Type::INT8)],
            )
            .map(|inserted| inserted == 1)
            .doing(JOURNAL)
    }

    fn mark_handled(&self, client: &mut Client, notify_id: &str) -> Step<(), Self> {
        client
            .execute_typed(
                &format!(
                    "INSERT INTO {NOTIFICATIONS} (notify_id, received_at_ms, handled_at_ms) \
                     VALUES ($1, $2, $2) ON CONFLICT (notify_id) DO UPDATE SET handled_at_ms = \
                     EXCLUDED.handled_at_ms"
                ),
                &[(&notify_id, Type::TEXT), (&now_ms(), Type::INT8)],
            )
            .map(drop)
            .doing(JOURNAL)
    }

    fn transaction<T>(
        &self,
        client: &mut Client,
        attempt: &mut Attempt,
        work: &mut Work<'_, T, Self>,
    ) -> Step<UpdateResult<T>, Self> {
        let mut transaction = client.transaction().doing(STARTING)?;
        // Dropped without a commit (a duplicate, a failure), the transaction rolls back.
        let written = work(&mut PgWriter(&mut transaction), attempt)?;
        if written.commit {
            transaction.commit().doing(COMMITTING)?;
        }
        Ok(written.result)
    }
}
