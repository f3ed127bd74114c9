//! The logical schema of the server stores and the checks before it is touched, the same for PostgreSQL
//! and MySQL: four tables named `alipay_isv_*` (so the registry can live beside an application's own
//! tables), versioned in [`META`], which also marks the tables as ours ([`APPLICATION`]) and records the
//! token encryption (`encryption`, `key_check`, as SQLite does).
//!
//! Before writing anything, a store refuses a database of another application (our table names without
//! our marker, or another application's marker), a schema newer than this library, or a key that does
//! not fit the recorded encryption ([`plan`]); each refusal says that nothing was written.

use std::collections::HashMap;

use super::Server;
use crate::error::{Error, Result};
use crate::registry::row_codec::{self, Encryption};
use crate::registry::token_key::TokenKey;

/// The metadata table.
pub(crate) const META: &str = "alipay_isv_meta";
/// The authorisations table.
pub(crate) const AUTHORISATIONS: &str = "alipay_isv_authorisations";
/// The orders table.
pub(crate) const ORDERS: &str = "alipay_isv_orders";
/// The notification journal.
pub(crate) const NOTIFICATIONS: &str = "alipay_isv_notifications";
/// Our tables besides [`META`].
pub(crate) const TABLES: [&str; 3] = [AUTHORISATIONS, NOTIFICATIONS, ORDERS];
/// The `application` metadata of our databases.
pub(crate) const APPLICATION: &str = "alipay-isv registry";
/// Why a metadata table whose rows cannot be read as ours is refused.
pub(crate) const UNREADABLE_META: &str = "that is not an alipay-isv registry's";

/// The refusal of the database: `why`, and that nothing was written.
pub(crate) fn refused(server: &Server, why: impl std::fmt::Display) -> Error {
    server.error(format!("{} {why}; nothing was written to it", server.shown))
}

/// The refusal of a database in which `present` (some of [`TABLES`]) stand in `place` (`schema `x``,
/// `database `x``) without our metadata.
pub(crate) fn foreign_tables(server: &Server, place: &str, present: &[&str]) -> Error {
    refused(
        server,
        format!(
            "has the table(s) {} in {place} but no {META} marking them as an alipay-isv registry: they \
             belong to another application — use another database or schema",
            present.join(", ")
        ),
    )
}

/// The refusal of a [`META`] table in `place` that is not ours (`what` says why).
pub(crate) fn foreign_meta(server: &Server, place: &str, what: &str) -> Error {
    refused(
        server,
        format!(
            "has a table {META} in {place} {what}: it belongs to another application — use another \
             database or schema"
        ),
    )
}

/// Checks that `metadata` carries our marker.
///
/// # Errors
/// [`foreign_meta`] for another application's marker or none.
pub(crate) fn check_marker(
    server: &Server,
    place: &str,
    metadata: &HashMap<String, String>,
) -> Result<()> {
    match metadata.get("application").map(String::as_str) {
        Some(APPLICATION) => Ok(()),
        Some(other) => Err(foreign_meta(
            server,
            place,
            &format!("marked as the database of `{other}`"),
        )),
        None => Err(foreign_meta(
            server,
            place,
            "without the alipay-isv registry's marker",
        )),
    }
}

/// What opening a database of our own does.
pub(crate) struct Plan {
    /// The schema version found (0: none yet).
    pub(crate) version: i64,
    /// The encryption metadata to record (empty when it is recorded already).
    pub(crate) encryption: Vec<(&'static str, String)>,
}

/// Checks our `metadata` against this library (`current` schema version) and `key`.
///
/// # Errors
/// [`Error::Store`] for a version that is not a number or newer than `current`, and for a key that does
/// not fit the recorded encryption.
pub(crate) fn plan(
    server: &Server,
    metadata: &HashMap<String, String>,
    current: i64,
    key: Option<&TokenKey>,
) -> Result<Plan> {
    let version = match metadata.get("schema_version") {
        None => 0,
        Some(text) => text.parse::<i64>().map_err(|_| {
            refused(
                server,
                format!(
                    "records a schema version `{text}` that is not a number: a corrupt registry"
                ),
            )
        })?,
    };
    if version > current {
        return Err(refused(
            server,
            format!(
                "has registry schema version {version}, newer than this library's ({current}): \
                 upgrade alipay-isv to open it"
            ),
        ));
    }
    let key_check = || {
        metadata.get("key_check").cloned().ok_or_else(|| {
            refused(
                server,
                "records encrypted tokens but no key check value: a corrupt registry",
            )
        })
    };
    let encryption = match row_codec::check_encryption(
        metadata.get("encryption").map(String::as_str),
        key_check,
        key,
        &server.shown,
    )? {
        Encryption::Matches => Vec::new(),
        Encryption::Unrecorded => row_codec::encryption_metadata(key)?,
    };
    Ok(Plan {
        version,
        encryption,
    })
}
