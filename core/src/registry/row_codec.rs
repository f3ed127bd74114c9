//! Records ↔ the column values of the SQL stores, shared by SQLite ([`SqliteStore`](super::SqliteStore))
//! and PostgreSQL (`PostgresStore`) so both keep the same logical rows: tokens sealed with the
//! [`TokenKey`] when one is configured (bound to the row's key — our app and the merchant app — and to the
//! column), granted methods, order items, parameters and status history as JSON text; and the encryption
//! setting a database records in its metadata (`encryption`, `key_check`), checked the same way by both.
//! Each store only moves these values in and out of its driver's rows.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::order::{OrderItemState, OrderRecord, OrderStatusChange};
use super::record::{AuthOrigin, AuthStatus, MerchantAuthorisation, RefreshLease};
use super::token_key::TokenKey;
use crate::error::{Error, Result};

/// The columns of an authorisation row, in the order of [`AuthorisationRow`]'s fields.
pub(crate) const COLUMNS: &str = "auth_app_id, merchant_pid, app_auth_token, app_refresh_token, \
     expires_at_ms, refresh_expires_at_ms, authorised_at_ms, token_issued_at_ms, status, revoked_at_ms, \
     granted_methods, version, refresh_lease_owner, refresh_lease_until_ms, updated_at_ms, origin, app_id";

/// The columns of an order row, in the order of [`OrderRow`]'s fields.
pub(crate) const ORDER_COLUMNS: &str = "commodity_order_id, app_id, merchant_pid, \
     consumer_mini_app_id, merchant_name, title, total_price, order_time, contactor, phone, status, items, \
     notify_id, notified_at_ms, params, history, version, created_at_ms, updated_at_ms";

/// The plain text sealed into the `key_check` metadata of an encrypted registry.
const KEY_CHECK_PLAIN: &[u8] = b"alipay-isv registry key check";
/// What the `key_check` value is bound to.
const KEY_CHECK_CONTEXT: &str = "meta:key_check";

/// One authorisation as stored: the columns of [`COLUMNS`], tokens sealed (or plain bytes without a key).
#[derive(Clone)]
pub(crate) struct AuthorisationRow {
    pub(crate) auth_app_id: String,
    pub(crate) merchant_pid: Option<String>,
    pub(crate) app_auth_token: Vec<u8>,
    pub(crate) app_refresh_token: Option<Vec<u8>>,
    pub(crate) expires_at_ms: Option<i64>,
    pub(crate) refresh_expires_at_ms: Option<i64>,
    pub(crate) authorised_at_ms: i64,
    pub(crate) token_issued_at_ms: i64,
    pub(crate) status: String,
    pub(crate) revoked_at_ms: Option<i64>,
    pub(crate) granted_methods: String,
    pub(crate) version: i64,
    pub(crate) refresh_lease_owner: Option<String>,
    pub(crate) refresh_lease_until_ms: Option<i64>,
    pub(crate) updated_at_ms: i64,
    pub(crate) origin: String,
    pub(crate) app_id: String,
}

/// What a sealed token is bound to: its row's key and its column. A row stored before apps were recorded
/// (empty `app_id`) keeps the binding of SQLite schema 2.
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

impl AuthorisationRow {
    /// The row of `record`, its tokens sealed with `key` when given.
    ///
    /// # Errors
    /// [`Error::Store`] when sealing fails.
    pub(crate) fn encode(record: &MerchantAuthorisation, key: Option<&TokenKey>) -> Result<Self> {
        let row_key = (record.app_id.as_str(), record.auth_app_id.as_str());
        Ok(AuthorisationRow {
            auth_app_id: record.auth_app_id.clone(),
            merchant_pid: record.merchant_pid.clone(),
            app_auth_token: seal(&record.app_auth_token, row_key, "app_auth_token", key)?,
            app_refresh_token: record
                .app_refresh_token
                .as_deref()
                .map(|value| seal(value, row_key, "app_refresh_token", key))
                .transpose()?,
            expires_at_ms: record.expires_at_ms,
            refresh_expires_at_ms: record.refresh_expires_at_ms,
            authorised_at_ms: record.authorised_at_ms,
            token_issued_at_ms: record.token_issued_at_ms,
            status: record.status.as_str().to_string(),
            revoked_at_ms: record.revoked_at_ms,
            granted_methods: serde_json::to_string(&record.granted_methods)
                .unwrap_or_else(|_| "[]".into()),
            version: record.version,
            refresh_lease_owner: record
                .refresh_lease
                .as_ref()
                .map(|lease| lease.owner.clone()),
            refresh_lease_until_ms: record.refresh_lease.as_ref().map(|lease| lease.until_ms),
            updated_at_ms: record.updated_at_ms,
            origin: record.origin.as_str().to_string(),
            app_id: record.app_id.clone(),
        })
    }

    /// The record of this row, its tokens opened with `key` when given.
    ///
    /// # Errors
    /// [`Error::Store`] for a token that does not open with `key` (a wrong key, a tampered row) or is
    /// not text, an unknown status or origin.
    pub(crate) fn decode(self, key: Option<&TokenKey>) -> Result<MerchantAuthorisation> {
        let row_key = (self.app_id.as_str(), self.auth_app_id.as_str());
        let app_auth_token = unseal(&self.app_auth_token, row_key, "app_auth_token", key)?;
        let app_refresh_token = self
            .app_refresh_token
            .as_deref()
            .map(|stored| unseal(stored, row_key, "app_refresh_token", key))
            .transpose()?;
        let status = AuthStatus::from_name(&self.status).ok_or_else(|| Error::Store {
            reason: format!(
                "unknown status `{}` stored for {}",
                self.status, self.auth_app_id
            ),
        })?;
        let origin = AuthOrigin::from_name(&self.origin).ok_or_else(|| Error::Store {
            reason: format!(
                "unknown origin `{}` stored for {}",
                self.origin, self.auth_app_id
            ),
        })?;
        Ok(MerchantAuthorisation {
            merchant_pid: self.merchant_pid,
            app_auth_token,
            app_refresh_token,
            expires_at_ms: self.expires_at_ms,
            refresh_expires_at_ms: self.refresh_expires_at_ms,
            authorised_at_ms: self.authorised_at_ms,
            token_issued_at_ms: self.token_issued_at_ms,
            status,
            revoked_at_ms: self.revoked_at_ms,
            granted_methods: serde_json::from_str(&self.granted_methods).unwrap_or_default(),
            version: self.version,
            refresh_lease: self
                .refresh_lease_owner
                .zip(self.refresh_lease_until_ms)
                .map(|(owner, until_ms)| RefreshLease { owner, until_ms }),
            updated_at_ms: self.updated_at_ms,
            origin,
            auth_app_id: self.auth_app_id,
            app_id: self.app_id,
        })
    }
}

/// One order as stored: the columns of [`ORDER_COLUMNS`], items, parameters and history as JSON text.
#[derive(Clone)]
pub(crate) struct OrderRow {
    pub(crate) commodity_order_id: String,
    pub(crate) app_id: String,
    pub(crate) merchant_pid: String,
    pub(crate) consumer_mini_app_id: Option<String>,
    pub(crate) merchant_name: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) total_price: Option<String>,
    pub(crate) order_time: Option<String>,
    pub(crate) contactor: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) status: String,
    pub(crate) items: String,
    pub(crate) notify_id: Option<String>,
    pub(crate) notified_at_ms: Option<i64>,
    pub(crate) params: String,
    pub(crate) history: String,
    pub(crate) version: i64,
    pub(crate) created_at_ms: i64,
    pub(crate) updated_at_ms: i64,
}

fn text(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_string)
}

fn corrupt(commodity_order_id: &str, column: &str) -> Error {
    Error::Store {
        reason: format!(
            "the stored {column} of order {commodity_order_id} is not what the registry wrote: a \
             corrupt database"
        ),
    }
}

fn items_from(stored: &str, id: &str) -> Result<Vec<OrderItemState>> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(stored) else {
        return Err(corrupt(id, "items"));
    };
    Ok(items
        .iter()
        .map(|item| OrderItemState {
            mini_app_id: text(item, "mini_app_id"),
            shop_id: text(item, "shop_id"),
            status: text(item, "status").unwrap_or_default(),
        })
        .collect())
}

fn history_from(stored: &str, id: &str) -> Result<Vec<OrderStatusChange>> {
    let Ok(Value::Array(changes)) = serde_json::from_str::<Value>(stored) else {
        return Err(corrupt(id, "history"));
    };
    Ok(changes
        .iter()
        .map(|change| OrderStatusChange {
            status: text(change, "status").unwrap_or_default(),
            item: text(change, "item"),
            source: text(change, "source").unwrap_or_default(),
            at_ms: change.get("at_ms").and_then(Value::as_i64).unwrap_or(0),
        })
        .collect())
}

impl OrderRow {
    /// The row of `order`.
    pub(crate) fn encode(order: &OrderRecord) -> Self {
        let items: Vec<Value> = order
            .items
            .iter()
            .map(|item| {
                json!({"mini_app_id": item.mini_app_id, "shop_id": item.shop_id, "status": item.status})
            })
            .collect();
        let history: Vec<Value> = order
            .history
            .iter()
            .map(|change| {
                json!({"status": change.status, "item": change.item, "source": change.source, "at_ms": change.at_ms})
            })
            .collect();
        OrderRow {
            commodity_order_id: order.commodity_order_id.clone(),
            app_id: order.app_id.clone(),
            merchant_pid: order.merchant_pid.clone(),
            consumer_mini_app_id: order.consumer_mini_app_id.clone(),
            merchant_name: order.merchant_name.clone(),
            title: order.title.clone(),
            total_price: order.total_price.clone(),
            order_time: order.order_time.clone(),
            contactor: order.contactor.clone(),
            phone: order.phone.clone(),
            status: order.status.clone(),
            items: Value::Array(items).to_string(),
            notify_id: order.notify_id.clone(),
            notified_at_ms: order.notified_at_ms,
            params: serde_json::to_string(&order.params).unwrap_or_else(|_| "[]".into()),
            history: Value::Array(history).to_string(),
            version: order.version,
            created_at_ms: order.created_at_ms,
            updated_at_ms: order.updated_at_ms,
        }
    }

    /// The order of this row.
    ///
    /// # Errors
    /// [`Error::Store`] when its items, parameters or history are not the JSON the registry wrote.
    pub(crate) fn decode(self) -> Result<OrderRecord> {
        let id = self.commodity_order_id;
        Ok(OrderRecord {
            app_id: self.app_id,
            merchant_pid: self.merchant_pid,
            consumer_mini_app_id: self.consumer_mini_app_id,
            merchant_name: self.merchant_name,
            title: self.title,
            total_price: self.total_price,
            order_time: self.order_time,
            contactor: self.contactor,
            phone: self.phone,
            status: self.status,
            items: items_from(&self.items, &id)?,
            notify_id: self.notify_id,
            notified_at_ms: self.notified_at_ms,
            params: serde_json::from_str(&self.params).map_err(|_| corrupt(&id, "params"))?,
            history: history_from(&self.history, &id)?,
            version: self.version,
            created_at_ms: self.created_at_ms,
            updated_at_ms: self.updated_at_ms,
            commodity_order_id: id,
        })
    }
}

/// What [`check_encryption`] found.
pub(crate) enum Encryption {
    /// The database records the same setting as the key given (none, or a matching key).
    Matches,
    /// A new database (or one from before the setting was recorded): the store records
    /// [`encryption_metadata`] once the database is accepted.
    Unrecorded,
}

/// Checks that the key (or its absence) fits the `encryption` setting the database `shown` records;
/// `key_check` reads its `key_check` value (only called for an encrypted database opened with a key).
///
/// # Errors
/// [`Error::Store`] when they do not match: a key for an unencrypted database, none for an encrypted
/// one, another key, an unknown setting; `key_check`'s errors.
pub(crate) fn check_encryption(
    stored: Option<&str>,
    key_check: impl FnOnce() -> Result<String>,
    key: Option<&TokenKey>,
    shown: &str,
) -> Result<Encryption> {
    match (stored, key) {
        (None, _) => Ok(Encryption::Unrecorded),
        (Some("none"), None) => Ok(Encryption::Matches),
        (Some("none"), Some(_)) => Err(Error::Store {
            reason: format!(
                "{shown} stores tokens unencrypted; open it without a key (or migrate it to a new \
                 encrypted registry)"
            ),
        }),
        (Some("aes-256-gcm"), None) => Err(Error::Store {
            reason: format!("{shown} stores tokens encrypted: open it with its encryption key"),
        }),
        (Some("aes-256-gcm"), Some(key)) => {
            let sealed = STANDARD.decode(key_check()?).unwrap_or_default();
            match key.open(&sealed, KEY_CHECK_CONTEXT) {
                Ok(plain) if plain.as_slice() == KEY_CHECK_PLAIN => Ok(Encryption::Matches),
                _ => Err(Error::Store {
                    reason: format!(
                        "the encryption key does not match the one {shown} was created with"
                    ),
                }),
            }
        }
        (Some(other), _) => Err(Error::Store {
            reason: format!("{shown} uses an unknown token encryption `{other}`"),
        }),
    }
}

/// The metadata (key, value) that records the encryption setting of a new database: `encryption`, and
/// with a key its `key_check` value.
///
/// # Errors
/// [`Error::Store`] when sealing the check value fails.
pub(crate) fn encryption_metadata(key: Option<&TokenKey>) -> Result<Vec<(&'static str, String)>> {
    Ok(match key {
        None => vec![("encryption", "none".to_string())],
        Some(key) => vec![
            ("encryption", "aes-256-gcm".to_string()),
            (
                "key_check",
                STANDARD.encode(key.seal(KEY_CHECK_PLAIN, KEY_CHECK_CONTEXT)?),
            ),
        ],
    })
}
