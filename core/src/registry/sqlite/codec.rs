//! Authorisation records ↔ rows: tokens sealed with the [`TokenKey`] when one is configured (bound to the
//! row's key — our app and the merchant app — and column), granted methods as a JSON array.

use rusqlite::{Rows, Transaction, params};
use zeroize::Zeroizing;

use super::store_error;
use crate::error::{Error, Result};
use crate::registry::record::{AuthOrigin, AuthStatus, MerchantAuthorisation, RefreshLease};
use crate::registry::token_key::TokenKey;

/// The selected columns, in the order [`read_rows`] reads them.
pub(crate) const COLUMNS: &str = "auth_app_id, merchant_pid, app_auth_token, app_refresh_token, \
     expires_at_ms, refresh_expires_at_ms, authorised_at_ms, token_issued_at_ms, status, revoked_at_ms, \
     granted_methods, version, refresh_lease_owner, refresh_lease_until_ms, updated_at_ms, origin, app_id";

/// What a sealed token is bound to: its row's key and its column. A row stored before apps were recorded
/// (empty `app_id`) keeps the binding of schema 2.
fn context(app_id: &str, auth_app_id: &str, column: &str) -> String {
    if app_id.is_empty() {
        format!("{auth_app_id}:{column}")
    } else {
        format!("{app_id}/{auth_app_id}:{column}")
    }
}

fn seal(
    value: &str,
    (app_id, auth_app_id): (&str, &str),
    column: &str,
    key: Option<&TokenKey>,
) -> Result<Vec<u8>> {
    match key {
        Some(key) => key.seal(value.as_bytes(), &context(app_id, auth_app_id, column)),
        None => Ok(value.as_bytes().to_vec()),
    }
}

fn unseal(
    stored: &[u8],
    (app_id, auth_app_id): (&str, &str),
    column: &str,
    key: Option<&TokenKey>,
) -> Result<String> {
    let plain = match key {
        Some(key) => key.open(stored, &context(app_id, auth_app_id, column))?,
        None => Zeroizing::new(stored.to_vec()),
    };
    String::from_utf8(plain.to_vec()).map_err(|_| Error::Store {
        reason: format!("the stored {column} of {auth_app_id} is not text: a corrupt database"),
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
        let auth_app_id: String = row.get(0).map_err(failed)?;
        let app_id: String = row.get(16).map_err(failed)?;
        let row_key = (app_id.as_str(), auth_app_id.as_str());
        let token: Vec<u8> = row.get(2).map_err(failed)?;
        let refresh: Option<Vec<u8>> = row.get(3).map_err(failed)?;
        let status: String = row.get(8).map_err(failed)?;
        let methods: String = row.get(10).map_err(failed)?;
        let lease_owner: Option<String> = row.get(12).map_err(failed)?;
        let lease_until: Option<i64> = row.get(13).map_err(failed)?;
        let origin: String = row.get(15).map_err(failed)?;
        records.push(MerchantAuthorisation {
            merchant_pid: row.get(1).map_err(failed)?,
            app_auth_token: unseal(&token, row_key, "app_auth_token", key)?,
            app_refresh_token: refresh
                .map(|stored| unseal(&stored, row_key, "app_refresh_token", key))
                .transpose()?,
            expires_at_ms: row.get(4).map_err(failed)?,
            refresh_expires_at_ms: row.get(5).map_err(failed)?,
            authorised_at_ms: row.get(6).map_err(failed)?,
            token_issued_at_ms: row.get(7).map_err(failed)?,
            status: AuthStatus::from_name(&status).ok_or_else(|| Error::Store {
                reason: format!("unknown status `{status}` stored for {auth_app_id}"),
            })?,
            revoked_at_ms: row.get(9).map_err(failed)?,
            granted_methods: serde_json::from_str(&methods).unwrap_or_default(),
            version: row.get(11).map_err(failed)?,
            refresh_lease: lease_owner
                .zip(lease_until)
                .map(|(owner, until_ms)| RefreshLease { owner, until_ms }),
            updated_at_ms: row.get(14).map_err(failed)?,
            origin: AuthOrigin::from_name(&origin).ok_or_else(|| Error::Store {
                reason: format!("unknown origin `{origin}` stored for {auth_app_id}"),
            })?,
            auth_app_id,
            app_id,
        });
    }
    Ok(records)
}

/// Inserts or replaces the record's row.
pub(crate) fn write_record(
    transaction: &Transaction<'_>,
    record: &MerchantAuthorisation,
    key: Option<&TokenKey>,
) -> Result<()> {
    let id = &record.auth_app_id;
    let row_key = (record.app_id.as_str(), id.as_str());
    let token = seal(&record.app_auth_token, row_key, "app_auth_token", key)?;
    let refresh = record
        .app_refresh_token
        .as_deref()
        .map(|value| seal(value, row_key, "app_refresh_token", key))
        .transpose()?;
    let methods = serde_json::to_string(&record.granted_methods).unwrap_or_else(|_| "[]".into());
    transaction
        .execute(
            &format!(
                "INSERT OR REPLACE INTO authorisations ({COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ),
            params![
                id,
                record.merchant_pid,
                token,
                refresh,
                record.expires_at_ms,
                record.refresh_expires_at_ms,
                record.authorised_at_ms,
                record.token_issued_at_ms,
                record.status.as_str(),
                record.revoked_at_ms,
                methods,
                record.version,
                record
                    .refresh_lease
                    .as_ref()
                    .map(|lease| lease.owner.as_str()),
                record.refresh_lease.as_ref().map(|lease| lease.until_ms),
                record.updated_at_ms,
                record.origin.as_str(),
                record.app_id,
            ],
        )
        .map(|_| ())
        .map_err(|error| store_error("cannot write the registry", &error))
}
