//! Order rows of SQLite's `orders` table ↔ [`OrderRow`]: the items, the message's parameters and the
//! status history as JSON text, made by the shared [`row_codec`](crate::registry::row_codec) so SQLite
//! and PostgreSQL keep the same rows; this file only moves them through rusqlite.

use rusqlite::{Row, Rows, Transaction, params};

use super::store_error;
use crate::error::Result;
use crate::registry::order::OrderRecord;
use crate::registry::row_codec::OrderRow;

/// The selected columns, in the order [`read_orders`] reads them.
pub(crate) use crate::registry::row_codec::ORDER_COLUMNS;

/// The row's values, as selected by [`ORDER_COLUMNS`].
fn row_values(row: &Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        commodity_order_id: row.get(0)?,
        app_id: row.get(1)?,
        merchant_pid: row.get(2)?,
        consumer_mini_app_id: row.get(3)?,
        merchant_name: row.get(4)?,
        title: row.get(5)?,
        total_price: row.get(6)?,
        order_time: row.get(7)?,
        contactor: row.get(8)?,
        phone: row.get(9)?,
        status: row.get(10)?,
        items: row.get(11)?,
        notify_id: row.get(12)?,
        notified_at_ms: row.get(13)?,
        params: row.get(14)?,
        history: row.get(15)?,
        version: row.get(16)?,
        created_at_ms: row.get(17)?,
        updated_at_ms: row.get(18)?,
    })
}

/// Reads every row into order records.
pub(crate) fn read_orders(mut rows: Rows<'_>) -> Result<Vec<OrderRecord>> {
    let mut orders = Vec::new();
    let failed = |error: rusqlite::Error| store_error("cannot read the registry's orders", &error);
    while let Some(row) = rows.next().map_err(failed)? {
        orders.push(row_values(row).map_err(failed)?.decode()?);
    }
    Ok(orders)
}

/// Inserts or replaces the order's row.
pub(crate) fn write_order(transaction: &Transaction<'_>, order: &OrderRecord) -> Result<()> {
    let row = OrderRow::encode(order);
    transaction
        .execute(
            &format!(
                "INSERT OR REPLACE INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \
                 ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
            ),
            params![
                row.commodity_order_id,
                row.app_id,
                row.merchant_pid,
                row.consumer_mini_app_id,
                row.merchant_name,
                row.title,
                row.total_price,
                row.order_time,
                row.contactor,
                row.phone,
                row.status,
                row.items,
                row.notify_id,
                row.notified_at_ms,
                row.params,
                row.history,
                row.version,
                row.created_at_ms,
                row.updated_at_ms,
            ],
        )
        .map(|_| ())
        .map_err(|error| store_error("cannot write the registry's orders", &error))
}
