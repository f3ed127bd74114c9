//! The MySQL schema: the same four tables as PostgreSQL's, named `alipay_isv_*` (so the registry can live
//! beside an application's own tables in the URL's database), versioned in `alipay_isv_meta`, which also
//! marks the tables as ours and records the token encryption. InnoDB, `utf8mb4`; keys and the columns
//! compared or sorted (`app_id`, `auth_app_id`, `merchant_pid`, `notify_id`, `commodity_order_id`,
//! `order_time`) are `VARBINARY(255)`, so they compare and sort by their bytes as SQLite and PostgreSQL's
//! `COLLATE "C"` do, with no trailing-space padding (a `_bin` collation pads) on MySQL and MariaDB
//! alike; tokens are `BLOB`, other text `LONGTEXT`.
//!
//! MySQL's DDL is not transactional, so [`prepare`] cannot run in one transaction as PostgreSQL's does.
//! Instead:
//!
//! - the whole check and migration runs under the server-wide named lock
//!   `GET_LOCK('alipay_isv_migrate', 30)`, so two processes starting at once migrate once (the second
//!   finds the work done);
//! - it refuses — before writing anything — a database of another application, a schema newer than this
//!   library or a key that does not fit (the checks [shared](crate::registry::server::schema) with
//!   PostgreSQL, with the same messages);
//! - every migration step is idempotent (`CREATE TABLE IF NOT EXISTS`, indexes declared inside the
//!   table; a later step that alters a table must check `information_schema` first), and the version is
//!   recorded only after its step succeeded, so a migration cut off halfway is finished by the next open;
//! - the marker is written right after the metadata table is created, before the other tables: a cut
//!   between the two (an empty `alipay_isv_meta` of our columns) is read as our own interrupted
//!   migration and finished;
//! - the encryption setting is recorded in one transaction.

use std::collections::HashMap;

use mysql_async::Value;

use super::errors::{code, store_error};
use super::pool::Session;
use super::url::Target;
use crate::error::Result;
use crate::registry::server::schema::{
    APPLICATION, META, TABLES, UNREADABLE_META, check_marker, foreign_meta, foreign_tables, plan,
    refused,
};
use crate::registry::token_key::TokenKey;

/// The named lock of the migration.
const MIGRATION_LOCK: &str = "alipay_isv_migrate";
/// How long an opener waits for another's migration, in seconds.
const MIGRATION_WAIT_SECONDS: u64 = 30;

/// The options of every table.
macro_rules! table_options {
    () => {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC"
    };
}

/// The metadata table (the first statement of migration 1).
const CREATE_META: &str = concat!(
    "CREATE TABLE IF NOT EXISTS alipay_isv_meta (`key` VARCHAR(64) NOT NULL PRIMARY KEY, \
     value LONGTEXT NOT NULL)",
    table_options!()
);

/// Migrations in order; migration `n` (1-based) brings the schema to version `n`. Each statement is
/// idempotent.
const MIGRATIONS: &[&[&str]] = &[
    // 1: the metadata, authorisations keyed by (our app, merchant app), the notification journal,
    // orders.
    &[
        CREATE_META,
        concat!(
            "CREATE TABLE IF NOT EXISTS alipay_isv_authorisations (
            app_id VARBINARY(255) NOT NULL,
            auth_app_id VARBINARY(255) NOT NULL,
            merchant_pid VARBINARY(255),
            app_auth_token BLOB NOT NULL,
            app_refresh_token BLOB,
            expires_at_ms BIGINT,
            refresh_expires_at_ms BIGINT,
            authorised_at_ms BIGINT NOT NULL,
            token_issued_at_ms BIGINT NOT NULL,
            status VARCHAR(16) NOT NULL CHECK (status IN ('active', 'revoked')),
            revoked_at_ms BIGINT,
            granted_methods LONGTEXT NOT NULL,
            version BIGINT NOT NULL,
            refresh_lease_owner LONGTEXT,
            refresh_lease_until_ms BIGINT,
            updated_at_ms BIGINT NOT NULL,
            origin VARCHAR(16) NOT NULL CHECK (origin IN ('authorised', 'imported')),
            PRIMARY KEY (app_id, auth_app_id),
            KEY alipay_isv_authorisations_by_auth_app (auth_app_id),
            KEY alipay_isv_authorisations_by_merchant (merchant_pid)
        )",
            table_options!()
        ),
        concat!(
            "CREATE TABLE IF NOT EXISTS alipay_isv_notifications (
            notify_id VARBINARY(255) NOT NULL PRIMARY KEY,
            received_at_ms BIGINT NOT NULL,
            handled_at_ms BIGINT
        )",
            table_options!()
        ),
        concat!(
            "CREATE TABLE IF NOT EXISTS alipay_isv_orders (
            commodity_order_id VARBINARY(255) NOT NULL PRIMARY KEY,
            app_id VARBINARY(255) NOT NULL,
            merchant_pid VARBINARY(255) NOT NULL,
            consumer_mini_app_id LONGTEXT,
            merchant_name LONGTEXT,
            title LONGTEXT,
            total_price LONGTEXT,
            order_time VARBINARY(255),
            contactor LONGTEXT,
            phone LONGTEXT,
            status LONGTEXT NOT NULL,
            items LONGTEXT NOT NULL,
            notify_id LONGTEXT,
            notified_at_ms BIGINT,
            params LONGTEXT NOT NULL,
            history LONGTEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at_ms BIGINT NOT NULL,
            updated_at_ms BIGINT NOT NULL,
            KEY alipay_isv_orders_by_merchant (merchant_pid),
            KEY alipay_isv_orders_by_time (order_time, commodity_order_id)
        )",
            table_options!()
        ),
    ],
];

/// The schema version this build writes.
pub(crate) const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Writes one metadata value.
const WRITE_META: &str =
    "INSERT INTO alipay_isv_meta (`key`, value) VALUES (?, ?) ON DUPLICATE KEY UPDATE value = ?";

/// Whether the server (its `VERSION()`) is new enough: MySQL 5.7, MariaDB 10.2 (large index keys by
/// default, several named locks per session).
fn supported(version: &str) -> bool {
    let mut numbers = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    let minimum = if version.contains("MariaDB") {
        (10, 2)
    } else {
        (5, 7)
    };
    (major, minor) >= minimum
}

/// Checks the server, then — under the migration lock — refuses a foreign or newer schema or a key that
/// does not fit, migrates forward and records the encryption setting.
///
/// # Errors
/// [`Error::Store`](crate::Error::Store) for each refusal (nothing written) and for a failed statement.
pub(crate) fn prepare(
    session: &mut Session,
    target: &Target,
    key: Option<&TokenKey>,
) -> Result<()> {
    let failed = |context: &str| {
        let context = context.to_string();
        move |error: mysql_async::Error| store_error(target, &context, &error)
    };
    let found = session
        .rows("SELECT VERSION(), DATABASE()", Vec::new())
        .map_err(failed("cannot read the server's version"))?;
    let text = |value: Option<&Value>| match value {
        Some(Value::Bytes(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    let row = found.first();
    let version = text(row.and_then(|row| row.first())).unwrap_or_default();
    if !supported(&version) {
        return Err(refused(
            &target.server,
            format!(
                "runs {version}, older than the registry needs (MySQL 5.7 or MariaDB 10.2): upgrade \
                 the server"
            ),
        ));
    }
    if text(row.and_then(|row| row.get(1))).is_none() {
        return Err(refused(
            &target.server,
            "has no database selected: name one in the URL (…/DATABASE)",
        ));
    }
    let granted = session
        .rows(
            "SELECT GET_LOCK(?, ?)",
            vec![MIGRATION_LOCK.into(), MIGRATION_WAIT_SECONDS.into()],
        )
        .map_err(failed("cannot take the schema migration lock"))?;
    if !matches!(
        granted.first().and_then(|row| row.first()),
        Some(Value::Int(1))
    ) {
        return Err(store_error(
            target,
            "cannot take the schema migration lock",
            &Target::lock_not_granted(MIGRATION_LOCK, MIGRATION_WAIT_SECONDS),
        ));
    }
    let prepared = check_and_migrate(session, target, key);
    if session
        .rows("SELECT RELEASE_LOCK(?)", vec![MIGRATION_LOCK.into()])
        .is_err()
    {
        // Closing the session releases the lock.
        session.poison();
    }
    prepared
}

/// The work of [`prepare`] under the migration lock.
fn check_and_migrate(session: &mut Session, target: &Target, key: Option<&TokenKey>) -> Result<()> {
    let failed = |context: &str| {
        let context = context.to_string();
        move |error: mysql_async::Error| store_error(target, &context, &error)
    };
    let place = format!("database `{}`", target.server.dbname);
    let present: Vec<String> = session
        .rows(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name IN (?, ?, ?, ?)",
            [META, TABLES[0], TABLES[1], TABLES[2]]
                .into_iter()
                .map(Value::from)
                .collect(),
        )
        .map_err(failed("cannot read the database's tables"))?
        .into_iter()
        .filter_map(|row| match row.into_iter().next() {
            Some(Value::Bytes(name)) => String::from_utf8(name).ok(),
            _ => None,
        })
        .collect();
    let metadata = if present.iter().any(|table| table == META) {
        read_meta(session, target, &place)?
    } else {
        let ours: Vec<&str> = TABLES
            .into_iter()
            .filter(|table| present.iter().any(|name| name == table))
            .collect();
        if !ours.is_empty() {
            return Err(foreign_tables(&target.server, &place, &ours));
        }
        HashMap::new()
    };
    let plan = plan(&target.server, &metadata, CURRENT_VERSION, key)?;
    let write = |session: &mut Session, name: &str, value: &str| {
        session
            .execute(WRITE_META, vec![name.into(), value.into(), value.into()])
            .map(drop)
            .map_err(failed("cannot record the registry's metadata"))
    };
    for (index, statements) in MIGRATIONS.iter().enumerate().skip(plan.version as usize) {
        let failed_step = format!("schema migration {} failed", index + 1);
        for statement in *statements {
            session.run(statement).map_err(failed(&failed_step))?;
            if *statement == CREATE_META {
                write(session, "application", APPLICATION)?;
            }
        }
        write(session, "schema_version", &(index + 1).to_string())?;
    }
    if !plan.encryption.is_empty() {
        session
            .run("START TRANSACTION")
            .map_err(failed("cannot record the registry's metadata"))?;
        for (name, value) in &plan.encryption {
            if let Err(error) = write(session, name, value) {
                if session.run("ROLLBACK").is_err() {
                    session.poison();
                }
                return Err(error);
            }
        }
        session
            .run("COMMIT")
            .map_err(failed("cannot record the registry's metadata"))?;
    }
    Ok(())
}

/// The metadata of an existing `alipay_isv_meta`, refusing one that is not ours. An empty one is our own
/// first migration, cut off between creating the table and writing the marker.
fn read_meta(
    session: &mut Session,
    target: &Target,
    place: &str,
) -> Result<HashMap<String, String>> {
    let rows = session
        .rows(
            &format!("SELECT CAST(`key` AS CHAR), CAST(value AS CHAR) FROM {META}"),
            Vec::new(),
        )
        .map_err(|error| match &error {
            mysql_async::Error::Server(server) if server.code == code::BAD_FIELD => {
                foreign_meta(&target.server, place, UNREADABLE_META)
            }
            _ => store_error(target, "cannot read the registry's metadata", &error),
        })?;
    let mut metadata = HashMap::new();
    for row in &rows {
        let (Some(Value::Bytes(name)), Some(Value::Bytes(value))) = (row.first(), row.get(1))
        else {
            return Err(foreign_meta(&target.server, place, UNREADABLE_META));
        };
        metadata.insert(
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        );
    }
    if !rows.is_empty() {
        check_marker(&target.server, place, &metadata)?;
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_servers_are_told_apart() {
        assert!(supported("10.11.19-MariaDB-0+deb12u1"));
        assert!(supported("8.0.36"));
        assert!(supported("5.7.44-log"));
        assert!(!supported("5.6.51"));
        assert!(!supported("5.5.5-10.1.48-MariaDB"));
        assert!(!supported(""));
    }
}
