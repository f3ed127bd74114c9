//! PostgreSQL rows ↔ the shared [`AuthorisationRow`] and [`OrderRow`] (whose values — sealed tokens, JSON
//! text — the shared [`row_codec`](crate::registry::row_codec) makes, as for SQLite, and which
//! [`columns`](crate::registry::server::columns) reads and writes column by column), and the statements
//! that write them. Every statement names its parameter types (`query_typed`), so each runs in one round
//! trip without a prepared-statement cache to keep per connection.

use std::sync::LazyLock;

use postgres::Row;
use postgres::types::{ToSql, Type};

use crate::registry::row_codec::{AuthorisationRow, COLUMNS, ORDER_COLUMNS, OrderRow};
use crate::registry::server::columns::{ReadColumns, WriteColumns, non_key_columns};
use crate::registry::server::schema::{AUTHORISATIONS, ORDERS};

/// A statement's parameter: its value and its type.
pub(crate) type Param<'a> = (&'a (dyn ToSql + Sync), Type);

/// `$1, $2, …, $n`.
fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `column = EXCLUDED.column` for each column but the key ones.
fn updates(columns: &str, keys: &[&str]) -> String {
    non_key_columns(columns, keys)
        .iter()
        .map(|column| format!("{column} = EXCLUDED.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts an authorisation row, or replaces the one of its key.
pub(crate) static UPSERT_AUTHORISATION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO {AUTHORISATIONS} ({COLUMNS}) VALUES ({}) ON CONFLICT (app_id, auth_app_id) DO UPDATE \
         SET {}",
        placeholders(17),
        updates(COLUMNS, &["app_id", "auth_app_id"])
    )
});

/// Inserts an order row, or replaces the one of its id.
pub(crate) static UPSERT_ORDER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO {ORDERS} ({ORDER_COLUMNS}) VALUES ({}) ON CONFLICT (commodity_order_id) DO UPDATE \
         SET {}",
        placeholders(19),
        updates(ORDER_COLUMNS, &["commodity_order_id"])
    )
});

/// A PostgreSQL row read column after column.
struct Columns<'r> {
    row: &'r Row,
    next: usize,
}

impl Columns<'_> {
    fn next<T: for<'v> postgres::types::FromSql<'v>>(&mut self) -> Result<T, postgres::Error> {
        self.next += 1;
        self.row.try_get(self.next - 1)
    }
}

impl ReadColumns for Columns<'_> {
    type Error = postgres::Error;

    fn text(&mut self) -> Result<String, postgres::Error> {
        self.next()
    }
    fn maybe_text(&mut self) -> Result<Option<String>, postgres::Error> {
        self.next()
    }
    fn bytes(&mut self) -> Result<Vec<u8>, postgres::Error> {
        self.next()
    }
    fn maybe_bytes(&mut self) -> Result<Option<Vec<u8>>, postgres::Error> {
        self.next()
    }
    fn int(&mut self) -> Result<i64, postgres::Error> {
        self.next()
    }
    fn maybe_int(&mut self) -> Result<Option<i64>, postgres::Error> {
        self.next()
    }
}

/// A statement's typed parameters.
#[derive(Default)]
struct Params<'a>(Vec<Param<'a>>);

impl<'a> WriteColumns<'a> for Params<'a> {
    fn text(&mut self, value: &'a String) {
        self.0.push((value, Type::TEXT));
    }
    fn maybe_text(&mut self, value: &'a Option<String>) {
        self.0.push((value, Type::TEXT));
    }
    fn bytes(&mut self, value: &'a Vec<u8>) {
        self.0.push((value, Type::BYTEA));
    }
    fn maybe_bytes(&mut self, value: &'a Option<Vec<u8>>) {
        self.0.push((value, Type::BYTEA));
    }
    fn int(&mut self, value: &'a i64) {
        self.0.push((value, Type::INT8));
    }
    fn maybe_int(&mut self, value: &'a Option<i64>) {
        self.0.push((value, Type::INT8));
    }
}

/// The row's values, as selected by [`COLUMNS`].
pub(crate) fn authorisation(row: &Row) -> Result<AuthorisationRow, postgres::Error> {
    AuthorisationRow::read(&mut Columns { row, next: 0 })
}

/// The parameters of [`UPSERT_AUTHORISATION`] for `row`.
pub(crate) fn authorisation_params(row: &AuthorisationRow) -> Vec<Param<'_>> {
    let mut params = Params::default();
    row.write(&mut params);
    params.0
}

/// The row's values, as selected by [`ORDER_COLUMNS`].
pub(crate) fn order(row: &Row) -> Result<OrderRow, postgres::Error> {
    OrderRow::read(&mut Columns { row, next: 0 })
}

/// The parameters of [`UPSERT_ORDER`] for `row`.
pub(crate) fn order_params(row: &OrderRow) -> Vec<Param<'_>> {
    let mut params = Params::default();
    row.write(&mut params);
    params.0
}
