//! The PostgreSQL schema: four tables named `alipay_isv_*` (so the registry can live beside an
//! application's own tables, in the schema the connection's `search_path` selects — e.g.
//! `?options=-csearch_path%3Dregistry` for a dedicated one), versioned in `alipay_isv_meta`, which also
//! marks the tables as ours (`application`) and records the token encryption (`encryption`,
//! `key_check`, as SQLite does).
//!
//! [`prepare`] runs once per open, in **one transaction** under a transaction-level advisory lock, so
//! two processes starting at once migrate once: it reads what is there, refuses — before writing
//! anything, the transaction rolled back — a schema of another application (our table names without
//! our marker, or another application's marker), a schema newer than this library, or a key that does
//! not fit the recorded encryption (the checks [shared](crate::registry::server::schema) with MySQL);
//! then applies the missing migrations and records the setting.

use std::collections::HashMap;

use postgres::Transaction;
use postgres::types::Type;

use super::errors::store_error;
use super::lock_class;
use super::url::Target;
use crate::error::Result;
use crate::registry::server::schema::{
    APPLICATION, META, TABLES, UNREADABLE_META, check_marker, foreign_meta, foreign_tables, plan,
    refused,
};
use crate::registry::token_key::TokenKey;

/// Migrations in order; migration `n` (1-based) brings the schema to version `n`. Text compared or
/// sorted by the registry is `COLLATE "C"`, so lists come in the byte order SQLite gives.
const MIGRATIONS: &[&str] = &[
    // 1: the metadata, authorisations keyed by (our app, merchant app), the notification journal,
    // orders.
    r#"CREATE TABLE alipay_isv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE alipay_isv_authorisations (
        app_id TEXT COLLATE "C" NOT NULL,
        auth_app_id TEXT COLLATE "C" NOT NULL,
        merchant_pid TEXT COLLATE "C",
        app_auth_token BYTEA NOT NULL,
        app_refresh_token BYTEA,
        expires_at_ms BIGINT,
        refresh_expires_at_ms BIGINT,
        authorised_at_ms BIGINT NOT NULL,
        token_issued_at_ms BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        revoked_at_ms BIGINT,
        granted_methods TEXT NOT NULL DEFAULT '[]',
        version BIGINT NOT NULL,
        refresh_lease_owner TEXT,
        refresh_lease_until_ms BIGINT,
        updated_at_ms BIGINT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'authorised' CHECK (origin IN ('authorised', 'imported')),
        PRIMARY KEY (app_id, auth_app_id)
    );
    CREATE INDEX alipay_isv_authorisations_by_auth_app ON alipay_isv_authorisations (auth_app_id);
    CREATE INDEX alipay_isv_authorisations_by_merchant ON alipay_isv_authorisations (merchant_pid);
    CREATE TABLE alipay_isv_notifications (
        notify_id TEXT COLLATE "C" PRIMARY KEY,
        received_at_ms BIGINT NOT NULL,
        handled_at_ms BIGINT
    );
    CREATE TABLE alipay_isv_orders (
        commodity_order_id TEXT COLLATE "C" PRIMARY KEY,
        app_id TEXT NOT NULL,
        merchant_pid TEXT COLLATE "C" NOT NULL,
        consumer_mini_app_id TEXT,
        merchant_name TEXT,
        title TEXT,
        total_price TEXT,
        order_time TEXT COLLATE "C",
        contactor TEXT,
        phone TEXT,
        status TEXT NOT NULL,
        items TEXT NOT NULL DEFAULT '[]',
        notify_id TEXT,
        notified_at_ms BIGINT,
        params TEXT NOT NULL DEFAULT '[]',
        history TEXT NOT NULL DEFAULT '[]',
        version BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
    );
    CREATE INDEX alipay_isv_orders_by_merchant ON alipay_isv_orders (merchant_pid);
    CREATE INDEX alipay_isv_orders_by_time ON alipay_isv_orders (order_time NULLS FIRST, commodity_order_id);"#,
];

/// The schema version this build writes.
pub(crate) const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Checks the server, then — in one transaction under the migration lock — refuses a foreign or newer
/// schema or a key that does not fit, migrates forward and records the encryption setting.
///
/// # Errors
/// [`Error::Store`] for each refusal (the transaction rolled back, nothing written) and for a failed
/// statement.
pub(crate) fn prepare(
    client: &mut postgres::Client,
    target: &Target,
    key: Option<&TokenKey>,
) -> Result<()> {
    let failed = |context: &str| {
        let context = context.to_string();
        move |error: postgres::Error| store_error(target, &context, &error)
    };
    let encoding: String = client
        .query_one("SHOW server_encoding", &[])
        .and_then(|row| row.try_get(0))
        .map_err(failed("cannot read the server's encoding"))?;
    if !encoding.eq_ignore_ascii_case("UTF8") {
        return Err(refused(
            &target.server,
            format!(
                "is encoded in {encoding}, not UTF8 (the registry stores Chinese text): create the \
                 database with ENCODING 'UTF8'"
            ),
        ));
    }
    let mut transaction = client
        .transaction()
        .map_err(failed("cannot start the schema check"))?;
    transaction
        .query_typed(
            "SELECT pg_advisory_xact_lock($1, 0)",
            &[(&lock_class::MIGRATION, Type::INT4)],
        )
        .map_err(failed("cannot take the schema migration lock"))?;
    let present = transaction
        .query_one(
            "SELECT current_schema()::text, to_regclass('alipay_isv_meta') IS NOT NULL, \
             to_regclass('alipay_isv_authorisations') IS NOT NULL, \
             to_regclass('alipay_isv_notifications') IS NOT NULL, \
             to_regclass('alipay_isv_orders') IS NOT NULL",
            &[],
        )
        .map_err(failed("cannot read the database's tables"))?;
    let schema: Option<String> = present
        .try_get(0)
        .map_err(failed("cannot read the schema"))?;
    let mut flags = [false; 4];
    for (index, flag) in flags.iter_mut().enumerate() {
        *flag = present
            .try_get(index + 1)
            .map_err(failed("cannot read the database's tables"))?;
    }
    let [meta_present, others @ ..] = flags;
    let Some(schema) = schema else {
        return Err(refused(
            &target.server,
            "has no schema to create the registry in: the connection's search_path names no existing \
             schema (create it, or fix options=-csearch_path=… in the URL)",
        ));
    };
    let metadata = if meta_present {
        read_meta(&mut transaction, target, &schema)?
    } else {
        let ours: Vec<&str> = TABLES
            .iter()
            .zip(others)
            .filter_map(|(table, present)| present.then_some(*table))
            .collect();
        if !ours.is_empty() {
            return Err(foreign_tables(
                &target.server,
                &format!("schema `{schema}`"),
                &ours,
            ));
        }
        HashMap::new()
    };
    let plan = plan(&target.server, &metadata, CURRENT_VERSION, key)?;
    let mut writes = Vec::new();
    if plan.version < CURRENT_VERSION {
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(plan.version as usize) {
            transaction
                .batch_execute(migration)
                .map_err(failed(&format!("schema migration {} failed", index + 1)))?;
        }
        if plan.version == 0 {
            writes.push(("application", APPLICATION.to_string()));
        }
        writes.push(("schema_version", CURRENT_VERSION.to_string()));
    }
    writes.extend(plan.encryption);
    for (name, value) in &writes {
        transaction
            .execute(
                &format!(
                    "INSERT INTO {META} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET \
                     value = EXCLUDED.value"
                ),
                &[name, value],
            )
            .map_err(failed("cannot record the registry's metadata"))?;
    }
    transaction
        .commit()
        .map_err(failed("cannot commit the schema migration"))
}

/// The metadata of an existing `alipay_isv_meta`, refusing one that is not ours.
fn read_meta(
    transaction: &mut Transaction<'_>,
    target: &Target,
    schema: &str,
) -> Result<HashMap<String, String>> {
    let place = format!("schema `{schema}`");
    let rows = transaction
        .query(&format!("SELECT key::text, value::text FROM {META}"), &[])
        .map_err(|error| match error.as_db_error() {
            Some(_) => foreign_meta(&target.server, &place, UNREADABLE_META),
            None => store_error(target, "cannot read the registry's metadata", &error),
        })?;
    let mut metadata = HashMap::new();
    for row in rows {
        let (Ok(Some(name)), Ok(Some(value))) = (
            row.try_get::<_, Option<String>>(0),
            row.try_get::<_, Option<String>>(1),
        ) else {
            return Err(foreign_meta(&target.server, &place, UNREADABLE_META));
        };
        metadata.insert(name, value);
    }
    check_marker(&target.server, &place, &metadata)?;
    Ok(metadata)
}
