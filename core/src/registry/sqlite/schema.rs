//! The SQLite schema, versioned by `PRAGMA user_version` and migrated forward in one transaction; the file
//! is marked as ours with `PRAGMA application_id` so a foreign database is never touched.

use rusqlite::Connection;

use super::store_error;
use crate::error::{Error, Result};

/// `PRAGMA application_id` of our databases: "ALIP".
pub(crate) const APPLICATION_ID: i64 = 0x414C_4950;

/// Migrations in order; migration `n` (1-based) brings the schema to version `n`.
const MIGRATIONS: &[&str] = &[
    // 1: authorisations, notification de-duplication, metadata.
    "CREATE TABLE authorisations (
        auth_app_id TEXT PRIMARY KEY NOT NULL,
        merchant_pid TEXT,
        app_auth_token BLOB NOT NULL,
        app_refresh_token BLOB,
        expires_at_ms INTEGER,
        refresh_expires_at_ms INTEGER,
        authorised_at_ms INTEGER NOT NULL,
        token_issued_at_ms INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        revoked_at_ms INTEGER,
        granted_methods TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL,
        refresh_lease_owner TEXT,
        refresh_lease_until_ms INTEGER,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE INDEX authorisations_by_merchant ON authorisations (merchant_pid);
    CREATE TABLE seen_notifications (
        notify_id TEXT PRIMARY KEY NOT NULL,
        received_at_ms INTEGER NOT NULL
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);",
    // 2: how each authorisation reached the registry (the records of version 1 all came from the
    // merchant's authorisation).
    "ALTER TABLE authorisations ADD COLUMN origin TEXT NOT NULL DEFAULT 'authorised'
        CHECK (origin IN ('authorised', 'imported'));",
    // 3: authorisations keyed by (our app, merchant app) — the records of version 2 keep an empty
    // app_id until the first write by an app moves them; service-market orders; the journal remembers
    // which notifications were handled (those of version 2 all were).
    "CREATE TABLE authorisations_v3 (
        auth_app_id TEXT NOT NULL,
        app_id TEXT NOT NULL DEFAULT '',
        merchant_pid TEXT,
        app_auth_token BLOB NOT NULL,
        app_refresh_token BLOB,
        expires_at_ms INTEGER,
        refresh_expires_at_ms INTEGER,
        authorised_at_ms INTEGER NOT NULL,
        token_issued_at_ms INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        revoked_at_ms INTEGER,
        granted_methods TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL,
        refresh_lease_owner TEXT,
        refresh_lease_until_ms INTEGER,
        updated_at_ms INTEGER NOT NULL,
        origin TEXT NOT NULL DEFAULT 'authorised' CHECK (origin IN ('authorised', 'imported')),
        PRIMARY KEY (auth_app_id, app_id)
    );
    INSERT INTO authorisations_v3 (auth_app_id, app_id, merchant_pid, app_auth_token, app_refresh_token,
        expires_at_ms, refresh_expires_at_ms, authorised_at_ms, token_issued_at_ms, status, revoked_at_ms,
        granted_methods, version, refresh_lease_owner, refresh_lease_until_ms, updated_at_ms, origin)
    SELECT auth_app_id, '', merchant_pid, app_auth_token, app_refresh_token, expires_at_ms,
        refresh_expires_at_ms, authorised_at_ms, token_issued_at_ms, status, revoked_at_ms, granted_methods,
        version, refresh_lease_owner, refresh_lease_until_ms, updated_at_ms, origin
    FROM authorisations;
    DROP TABLE authorisations;
    ALTER TABLE authorisations_v3 RENAME TO authorisations;
    CREATE INDEX authorisations_by_merchant ON authorisations (merchant_pid);
    ALTER TABLE seen_notifications ADD COLUMN handled_at_ms INTEGER;
    UPDATE seen_notifications SET handled_at_ms = received_at_ms;
    CREATE TABLE orders (
        commodity_order_id TEXT PRIMARY KEY NOT NULL,
        app_id TEXT NOT NULL,
        merchant_pid TEXT NOT NULL,
        consumer_mini_app_id TEXT,
        merchant_name TEXT,
        title TEXT,
        total_price TEXT,
        order_time TEXT,
        contactor TEXT,
        phone TEXT,
        status TEXT NOT NULL,
        items TEXT NOT NULL DEFAULT '[]',
        notify_id TEXT,
        notified_at_ms INTEGER,
        params TEXT NOT NULL DEFAULT '[]',
        history TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE INDEX orders_by_merchant ON orders (merchant_pid);",
];

/// The schema version this build writes.
pub(crate) const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// What a database file holds before we touch it.
pub(crate) struct Inspection {
    pub(crate) schema_version: i64,
}

/// Reads, without writing, whether the database is empty, ours (and which schema version), or foreign.
pub(crate) fn inspect(connection: &Connection, path: &str) -> Result<Inspection> {
    let application_id: i64 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(|error| store_error(&format!("cannot read {path}"), &error))?;
    let objects: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .map_err(|error| store_error(&format!("cannot read {path}"), &error))?;
    let schema_version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|error| store_error(&format!("cannot read {path}"), &error))?;
    if objects > 0 && application_id != APPLICATION_ID {
        return Err(Error::Store {
            reason: format!(
                "{path} is a SQLite database of another application (it has {objects} schema objects \
                 and is not an alipay-isv registry); it was left untouched — choose another path"
            ),
        });
    }
    if schema_version > CURRENT_VERSION {
        return Err(Error::Store {
            reason: format!(
                "{path} has registry schema version {schema_version}, newer than this library's \
                 ({CURRENT_VERSION}); upgrade alipay-isv to open it"
            ),
        });
    }
    Ok(Inspection { schema_version })
}

/// Applies the missing migrations in one transaction.
pub(crate) fn migrate(connection: &mut Connection, from_version: i64) -> Result<()> {
    if from_version >= CURRENT_VERSION {
        return Ok(());
    }
    // Takes the write lock first, then reads the version again: another process opening the same file
    // at the same moment may have migrated it in between.
    let transaction = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|error| store_error("cannot start the schema migration", &error))?;
    let from_version: i64 = transaction
        .query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))
        .map_err(|error| store_error("cannot read the schema version", &error))?
        .max(from_version);
    if from_version >= CURRENT_VERSION {
        return Ok(());
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(from_version as usize) {
        transaction.execute_batch(migration).map_err(|error| {
            store_error(&format!("schema migration {} failed", index + 1), &error)
        })?;
    }
    transaction
        .execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {CURRENT_VERSION};"
        ))
        .map_err(|error| store_error("cannot record the schema version", &error))?;
    transaction
        .commit()
        .map_err(|error| store_error("cannot commit the schema migration", &error))
}
