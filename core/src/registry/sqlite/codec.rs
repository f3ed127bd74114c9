//! Authorisation rows of SQLite ↔ [`AuthorisationRow`]: the values themselves (sealed tokens, JSON text)
//! are made by the shared [`row_codec`](crate::registry::row_codec), so SQLite and PostgreSQL keep the
//! same rows; this file only moves them through rusqlite.

use rusqlite::{Row, Rows, Transaction, params};

use super::store_error;
use crate::error::Result;
use crate::registry::record::MerchantAuthorisation;
use crate::registry::row_codec::AuthorisationRow;
use crate::registry::token_key::TokenKey;

/// The selected columns, in the order [`read_rows`] reads them.
pub(crate) use crate::registry::row_codec::COLUMNS;

/// The row's values, as selected by [`COLUMNS`].
fn row_values(row: &Row<'_>) -> rusqlite::Result<AuthorisationRow> {
    Ok(AuthorisationRow {
        auth_app_id: row.get(0)?,
        merchant_pid: row.get(1)?,
        app_auth_token: row.get(2)?,
        app_refresh_token: row.get(3)?,
        expires_at_ms: row.get(4)?,
        refresh_expires_at_ms: row.get(5)?,
        authorised_at_ms: row.get(6)?,
        token_issued_at_ms: row.get(7)?,
        status: row.get(8)?,
        revoked_at_ms: row.get(9)?,
        granted_methods: row.get(10)?,
        version: row.get(11)?,
        refresh_lease_owner: row.get(12)?,
        refresh_lease_until_ms: row.get(13)?,
        updated_at_ms: row.get(14)?,
        origin: row.get(15)?,
        app_id: row.get(16)?,
    })
}

/// Reads every row into records.
pub(crate) fn read_rows(
    mut rows: Rows<'_>,
    key: Option<&TokenKey>,
) -> Result<Vec<MerchantAuthorisation>> {
    let mut records = Vec::new();
    let failed = |error: rusqlite::Error| store_error("cannot read the registry", &error);
    while let Some(row) = rows.next().map_err(failed)? {
        records.push(row_values(row).map_err(failed)?.decode(key)?);
    }
    Ok(records)
}

/// Inserts or replaces the record's row.
pub(crate) fn write_record(
    transaction: &Transaction<'_>,
    record: &MerchantAuthorisation,
    key: Option<&TokenKey>,
) -> Result<()> {
    let row = AuthorisationRow::encode(record, key)?;
    transaction
        .execute(
            &format!(
                "INSERT OR REPLACE INTO authorisations ({COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ),
            params![
                row.auth_app_id,
                row.merchant_pid,
                row.app_auth_token,
                row.app_refresh_token,
                row.expires_at_ms,
                row.refresh_expires_at_ms,
                row.authorised_at_ms,
                row.token_issued_at_ms,
                row.status,
                row.revoked_at_ms,
                row.granted_methods,
                row.version,
                row.refresh_lease_owner,
                row.refresh_lease_until_ms,
                row.updated_at_ms,
                row.origin,
                row.app_id,
            ],
        )
        .map(|_| ())
        .map_err(|error| store_error("cannot write the registry", &error))
}
