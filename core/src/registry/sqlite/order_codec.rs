//! Order records ↔ rows of the `orders` table: the items, the message's parameters and the status
//! history as JSON text.

use rusqlite::{Rows, Transaction, params};
use serde_json::{Value, json};

use super::store_error;
use crate::error::{Error, Result};
use crate::registry::order::{OrderItemState, OrderRecord, OrderStatusChange};

/// The selected columns, in the order [`read_orders`] reads them.
pub(crate) const ORDER_COLUMNS: &str = "commodity_order_id, app_id, merchant_pid, \
     consumer_mini_app_id, merchant_name, title, total_price, order_time, contactor, phone, status, items, \
     notify_id, notified_at_ms, params, history, version, created_at_ms, updated_at_ms";

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

fn params_from(stored: &str, id: &str) -> Result<Vec<(String, String)>> {
    serde_json::from_str(stored).map_err(|_| corrupt(id, "params"))
}

/// Reads every row into order records.
pub(crate) fn read_orders(mut rows: Rows<'_>) -> Result<Vec<OrderRecord>> {
    let mut orders = Vec::new();
    let failed = |error: rusqlite::Error| store_error("cannot read the registry's orders", &error);
    while let Some(row) = rows.next().map_err(failed)? {
        let id: String = row.get(0).map_err(failed)?;
        let items: String = row.get(11).map_err(failed)?;
        let params: String = row.get(14).map_err(failed)?;
        let history: String = row.get(15).map_err(failed)?;
        orders.push(OrderRecord {
            app_id: row.get(1).map_err(failed)?,
            merchant_pid: row.get(2).map_err(failed)?,
            consumer_mini_app_id: row.get(3).map_err(failed)?,
            merchant_name: row.get(4).map_err(failed)?,
            title: row.get(5).map_err(failed)?,
            total_price: row.get(6).map_err(failed)?,
            order_time: row.get(7).map_err(failed)?,
            contactor: row.get(8).map_err(failed)?,
            phone: row.get(9).map_err(failed)?,
            status: row.get(10).map_err(failed)?,
            items: items_from(&items, &id)?,
            notify_id: row.get(12).map_err(failed)?,
            notified_at_ms: row.get(13).map_err(failed)?,
            params: params_from(&params, &id)?,
            history: history_from(&history, &id)?,
            version: row.get(16).map_err(failed)?,
            created_at_ms: row.get(17).map_err(failed)?,
            updated_at_ms: row.get(18).map_err(failed)?,
            commodity_order_id: id,
        });
    }
    Ok(orders)
}

/// Inserts or replaces the order's row.
pub(crate) fn write_order(transaction: &Transaction<'_>, order: &OrderRecord) -> Result<()> {
    let items: Vec<Value> = order
        .items
        .iter()
        .map(|item| json!({"mini_app_id": item.mini_app_id, "shop_id": item.shop_id, "status": item.status}))
        .collect();
    let history: Vec<Value> = order
        .history
        .iter()
        .map(|change| {
            json!({"status": change.status, "item": change.item, "source": change.source, "at_ms": change.at_ms})
        })
        .collect();
    let params = serde_json::to_string(&order.params).unwrap_or_else(|_| "[]".into());
    transaction
        .execute(
            &format!(
                "INSERT OR REPLACE INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \
                 ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
            ),
            params![
                order.commodity_order_id,
                order.app_id,
                order.merchant_pid,
                order.consumer_mini_app_id,
                order.merchant_name,
                order.title,
                order.total_price,
                order.order_time,
                order.contactor,
                order.phone,
                order.status,
                Value::Array(items).to_string(),
                order.notify_id,
                order.notified_at_ms,
                params,
                Value::Array(history).to_string(),
                order.version,
                order.created_at_ms,
                order.updated_at_ms,
            ],
        )
        .map(|_| ())
        .map_err(|error| store_error("cannot write the registry's orders", &error))
}
