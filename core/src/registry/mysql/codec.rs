//! MySQL rows ↔ the shared [`AuthorisationRow`] and [`OrderRow`] (whose values — sealed tokens, JSON
//! text — the shared [`row_codec`](crate::registry::row_codec) makes, as for SQLite and PostgreSQL, and
//! which [`columns`](crate::registry::server::columns) reads and writes column by column), and the
//! statements that write them. Statements are prepared once per connection (the driver's statement
//! cache) and run in the binary protocol; keys are `VARBINARY`, so text comes back as bytes and is read
//! as UTF-8.

use std::sync::LazyLock;

use mysql_async::Value;

use crate::error::Error;
use crate::registry::row_codec::{AuthorisationRow, COLUMNS, ORDER_COLUMNS, OrderRow};
use crate::registry::server::columns::{ReadColumns, WriteColumns, non_key_columns};
use crate::registry::server::schema::{AUTHORISATIONS, ORDERS};

/// The key columns of the authorisations.
const AUTHORISATION_KEYS: [&str; 2] = ["app_id", "auth_app_id"];
/// The key column of the orders.
const ORDER_KEYS: [&str; 1] = ["commodity_order_id"];

/// `INSERT … ON DUPLICATE KEY UPDATE` of every column of `columns` into `table`: the non-key values
/// bound a second time for the update (portable across MySQL and MariaDB, unlike `VALUES(column)`,
/// which MySQL deprecates, or a row alias, which MariaDB lacks).
fn upsert(table: &str, columns: &str, keys: &[&str]) -> String {
    let count = columns.split(',').count();
    let updates = non_key_columns(columns, keys)
        .iter()
        .map(|column| format!("{column} = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {table} ({columns}) VALUES ({}) ON DUPLICATE KEY UPDATE {updates}",
        vec!["?"; count].join(", ")
    )
}

/// Inserts an authorisation row, or replaces the one of its key.
pub(crate) static UPSERT_AUTHORISATION: LazyLock<String> =
    LazyLock::new(|| upsert(AUTHORISATIONS, COLUMNS, &AUTHORISATION_KEYS));

/// Inserts an order row, or replaces the one of its id.
pub(crate) static UPSERT_ORDER: LazyLock<String> =
    LazyLock::new(|| upsert(ORDERS, ORDER_COLUMNS, &ORDER_KEYS));

/// The error of a stored value that is not of its column's type (the value is not quoted).
fn corrupt(column: usize) -> Error {
    Error::Store {
        reason: format!(
            "a registry row holds a value of another type in its column {}: a corrupt database",
            column + 1
        ),
    }
}

/// A MySQL row read column after column.
struct Columns {
    values: std::vec::IntoIter<Value>,
    index: usize,
}

impl Columns {
    /// The next value; `None` for NULL.
    fn next(&mut self) -> Result<(usize, Option<Value>), Error> {
        let index = self.index;
        self.index += 1;
        match self.values.next() {
            None => Err(corrupt(index)),
            Some(Value::NULL) => Ok((index, None)),
            Some(value) => Ok((index, Some(value))),
        }
    }

    fn required<T>(&mut self, read: fn(Value) -> Option<T>) -> Result<T, Error> {
        let (index, value) = self.next()?;
        value.and_then(read).ok_or_else(|| corrupt(index))
    }

    fn optional<T>(&mut self, read: fn(Value) -> Option<T>) -> Result<Option<T>, Error> {
        match self.next()? {
            (_, None) => Ok(None),
            (index, Some(value)) => read(value).map(Some).ok_or_else(|| corrupt(index)),
        }
    }
}

fn bytes(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::Bytes(bytes) => Some(bytes),
        _ => None,
    }
}

fn text(value: Value) -> Option<String> {
    bytes(value).and_then(|bytes| String::from_utf8(bytes).ok())
}

fn int(value: Value) -> Option<i64> {
    match value {
        Value::Int(value) => Some(value),
        Value::UInt(value) => i64::try_from(value).ok(),
        Value::Bytes(digits) => std::str::from_utf8(&digits).ok()?.parse().ok(),
        _ => None,
    }
}

impl ReadColumns for Columns {
    type Error = Error;

    fn text(&mut self) -> Result<String, Error> {
        self.required(text)
    }
    fn maybe_text(&mut self) -> Result<Option<String>, Error> {
        self.optional(text)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, Error> {
        self.required(bytes)
    }
    fn maybe_bytes(&mut self) -> Result<Option<Vec<u8>>, Error> {
        self.optional(bytes)
    }
    fn int(&mut self) -> Result<i64, Error> {
        self.required(int)
    }
    fn maybe_int(&mut self) -> Result<Option<i64>, Error> {
        self.optional(int)
    }
}

/// A statement's parameters.
#[derive(Default)]
struct Params(Vec<Value>);

impl<'a> WriteColumns<'a> for Params {
    fn text(&mut self, value: &'a String) {
        self.0.push(Value::from(value.as_str()));
    }
    fn maybe_text(&mut self, value: &'a Option<String>) {
        self.0.push(Value::from(value.as_deref()));
    }
    fn bytes(&mut self, value: &'a Vec<u8>) {
        self.0.push(Value::from(value.as_slice()));
    }
    fn maybe_bytes(&mut self, value: &'a Option<Vec<u8>>) {
        self.0.push(Value::from(value.as_deref()));
    }
    fn int(&mut self, value: &'a i64) {
        self.0.push(Value::from(*value));
    }
    fn maybe_int(&mut self, value: &'a Option<i64>) {
        self.0.push(Value::from(*value));
    }
}

impl Params {
    /// The values of an upsert: every column's, then the non-key ones again.
    fn upsert(self, columns: &str, keys: &[&str]) -> Vec<Value> {
        let again: Vec<Value> = columns
            .split(',')
            .map(str::trim)
            .zip(&self.0)
            .filter(|(column, _)| !keys.contains(column))
            .map(|(_, value)| value.clone())
            .collect();
        let mut values = self.0;
        values.extend(again);
        values
    }
}

/// The row's values, as selected by [`COLUMNS`].
pub(crate) fn authorisation(values: Vec<Value>) -> Result<AuthorisationRow, Error> {
    AuthorisationRow::read(&mut Columns {
        values: values.into_iter(),
        index: 0,
    })
}

/// The parameters of [`UPSERT_AUTHORISATION`] for `row`.
pub(crate) fn authorisation_params(row: &AuthorisationRow) -> Vec<Value> {
    let mut params = Params::default();
    row.write(&mut params);
    params.upsert(COLUMNS, &AUTHORISATION_KEYS)
}

/// The row's values, as selected by [`ORDER_COLUMNS`].
pub(crate) fn order(values: Vec<Value>) -> Result<OrderRow, Error> {
    OrderRow::read(&mut Columns {
        values: values.into_iter(),
        index: 0,
    })
}

/// The parameters of [`UPSERT_ORDER`] for `row`.
pub(crate) fn order_params(row: &OrderRow) -> Vec<Value> {
    let mut params = Params::default();
    row.write(&mut params);
    params.upsert(ORDER_COLUMNS, &ORDER_KEYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_bind_every_column_then_the_non_key_ones() {
        assert!(
            UPSERT_ORDER.starts_with("INSERT INTO alipay_isv_orders (commodity_order_id, app_id")
        );
        assert_eq!(UPSERT_AUTHORISATION.matches('?').count(), 17 + 15);
        assert_eq!(UPSERT_ORDER.matches('?').count(), 19 + 18);
        assert!(UPSERT_AUTHORISATION.ends_with("origin = ?"));
        let values = vec![
            Value::NULL,
            Value::Int(7),
            Value::Bytes(b"42".to_vec()),
            Value::Bytes(vec![0xff]),
        ];
        let mut columns = Columns {
            values: values.into_iter(),
            index: 0,
        };
        assert_eq!(columns.maybe_text().unwrap(), None);
        assert_eq!(columns.int().unwrap(), 7);
        assert_eq!(columns.int().unwrap(), 42);
        let error = columns.text().unwrap_err();
        assert!(error.reason().contains("column 4"), "{error}");
        assert!(columns.int().is_err(), "past the last column");
    }
}
