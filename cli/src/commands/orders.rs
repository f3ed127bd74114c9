//! `alipay-isv orders list|show --db FILE`: the service-market orders a registry holds — what each order
//! message said, the status the ISV's calls and queries moved it to, and (for `show`) its history and the
//! message's parameters. The merchant's contact person and phone are personal data: masked unless
//! `--show-secrets` is given.

use alipay_isv::registry::OrderRecord;
use alipay_isv::secret::mask_json;
use alipay_isv::{Error, Result};
use serde_json::{Map, Value, json};

use super::registry::RegistryFile;
use crate::output::print_json;

/// Options of `orders`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    file: RegistryFile,
    /// Print the merchant's contact person and phone in full.
    #[arg(long, global = true)]
    show_secrets: bool,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Every order, oldest first: id, app, merchant, title, price, status, items.
    List,
    /// One order in full, by commodity_order_id: with its status history and the order message's
    /// parameters.
    Show {
        /// The order number.
        commodity_order_id: String,
    },
}

/// An order as printed; `full` adds the history and the message's parameters.
fn describe(order: &OrderRecord, full: bool, show_secrets: bool) -> Value {
    let items: Vec<Value> = order
        .items
        .iter()
        .map(|item| json!({"mini_app_id": item.mini_app_id, "shop_id": item.shop_id, "status": item.status}))
        .collect();
    let mut described = json!({
        "commodity_order_id": order.commodity_order_id,
        "app_id": order.app_id,
        "merchant_pid": order.merchant_pid,
        "consumer_mini_app_id": order.consumer_mini_app_id,
        "merchant_name": order.merchant_name,
        "title": order.title,
        "total_price": order.total_price,
        "order_time": order.order_time,
        "contactor": order.contactor,
        "phone": order.phone,
        "status": order.status,
        "items": items,
        "version": order.version,
    });
    if full {
        let history: Vec<Value> = order
            .history
            .iter()
            .map(|change| {
                json!({"status": change.status, "item": change.item, "source": change.source, "at_ms": change.at_ms})
            })
            .collect();
        let params: Map<String, Value> = order
            .params
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(value.clone())))
            .collect();
        described["notify_id"] = json!(order.notify_id);
        described["notified_at_ms"] = json!(order.notified_at_ms);
        described["created_at_ms"] = json!(order.created_at_ms);
        described["updated_at_ms"] = json!(order.updated_at_ms);
        described["history"] = Value::Array(history);
        described["params"] = Value::Object(params);
    }
    if !show_secrets {
        mask_json(&mut described);
    }
    described
}

/// Runs the action.
pub fn run(args: Args) -> Result<()> {
    let shown = args.file.place()?.shown();
    let registry = args.file.open(false)?;
    match args.action {
        Action::List => {
            let orders: Vec<Value> = registry
                .orders()?
                .iter()
                .map(|order| describe(order, false, args.show_secrets))
                .collect();
            print_json(&Value::Array(orders))
        }
        Action::Show { commodity_order_id } => {
            let order = registry.order(&commodity_order_id)?.ok_or_else(|| {
                Error::config(format!("no order {commodity_order_id} in {shown}"))
            })?;
            print_json(&describe(&order, true, args.show_secrets))
        }
    }
}
