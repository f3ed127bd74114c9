//! The service market's order calls on the state machine of [`crate::servicemarket`]: query (pages of
//! 100), accept, reject, item complete, item confirm (the merchant's `app_auth_token` required) and item
//! cancel, with the `sub_code`s Alipay answers for unknown orders and wrong states.
//!
//! Order: `MERCHANT_ORDED` → accept → `ISV_ACCEPTED` (items `DOING`), or reject → `ISV_REJECTED` (items
//! `ISV_REJECTED`). Item: `DOING` → complete → `TO_CONFIRM` → confirm → `DONE`; cancel from `TO_DO`,
//! `DOING` or `TO_CONFIRM` → `ISV_CANCELLED`.

use serde_json::{Map, Value, json};

use super::Call;
use super::delegated::require_app_token;
use super::reply::Answer;
use crate::shared::{Shared, lock};
use crate::state::Order;

/// A business error of an order call.
fn refused(call: &Call, sub_code: &str, text: &str) -> Answer {
    Answer::business_error(&call.method, "40004", sub_code, text)
}

/// The `biz_content` and the order it names, or the error to answer.
fn order_of(shared: &Shared, call: &Call) -> Result<(Map<String, Value>, Order), Answer> {
    let biz = call.biz()?;
    let Some(id) = Call::biz_text(&biz, "commodity_order_id") else {
        return Err(refused(
            call,
            "PARAMS_ERROR",
            "参数错误: commodity_order_id is missing",
        ));
    };
    match lock(&shared.state).orders.get(&id) {
        Some(order) => Ok((biz, order.clone())),
        None => Err(refused(
            call,
            "ORDER_NOT_EXIST",
            "订单不存在 (no such commodity_order_id)",
        )),
    }
}

/// Stores `order` back.
fn save(shared: &Shared, order: Order) {
    lock(&shared.state)
        .orders
        .insert(order.commodity_order_id.clone(), order);
}

/// `alipay.open.servicemarket.order.query`.
pub fn query(shared: &Shared, call: &Call) -> Answer {
    let (biz, order) = match order_of(shared, call) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    if order.unknown_to_query {
        return refused(
            call,
            "ORDER_NOT_EXIST",
            "订单不存在 (no such commodity_order_id)",
        );
    }
    let page = match Call::biz_text(&biz, "start_page").map(|text| text.parse::<usize>()) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => {
            return refused(
                call,
                "PARAMS_ERROR",
                "参数错误: start_page must be 1 or more",
            );
        }
    };
    let items: Vec<Value> = order
        .items
        .iter()
        .skip((page - 1) * 100)
        .take(100)
        .map(|(mini_app_id, status)| {
            json!({
                "order_status": status,
                "mini_app_id": mini_app_id,
                "merchant_pid": order.merchant_pid,
                "merchant_name": order.merchant_name,
                "commodity_id": "201604290086730119",
                "status": order.status,
            })
        })
        .collect();
    let mut fields = Map::new();
    fields.insert("commodity_id".into(), json!("201604290086730119"));
    fields.insert("status".into(), json!(order.status));
    fields.insert("specifications".into(), json!("标准版"));
    fields.insert("auto_upgrade".into(), json!(false));
    fields.insert("current_page".into(), json!(page));
    fields.insert("total_size".into(), json!(order.items.len()));
    fields.insert("order_items".into(), Value::Array(items));
    Answer::success(&call.method, fields)
}

/// `alipay.open.servicemarket.order.accept` and `.reject`.
pub fn accept_or_reject(shared: &Shared, call: &Call, accept: bool) -> Answer {
    let (biz, mut order) = match order_of(shared, call) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    if !accept && Call::biz_text(&biz, "reject_reason").is_none() {
        return refused(call, "PARAMS_ERROR", "参数错误: reject_reason is missing");
    }
    if order.status != "MERCHANT_ORDED" {
        return refused(
            call,
            "COMMODITY_ORDER_STATUS_INVALID",
            &format!(
                "订单状态不合法: the order is {}, not awaiting the ISV",
                order.status
            ),
        );
    }
    let (status, item_status) = if accept {
        ("ISV_ACCEPTED", "DOING")
    } else {
        ("ISV_REJECTED", "ISV_REJECTED")
    };
    order.status = status.into();
    for item in &mut order.items {
        item.1 = item_status.into();
    }
    save(shared, order);
    Answer::success(&call.method, Map::new())
}

/// Which item step an item call takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ItemStep {
    /// `item.complete`: `DOING` → `TO_CONFIRM`.
    Complete,
    /// `item.confirm`: `TO_CONFIRM` → `DONE`, with the merchant's token.
    Confirm,
    /// `item.cancel`: `TO_DO` / `DOING` / `TO_CONFIRM` → `ISV_CANCELLED`, with a reason.
    Cancel,
}

/// `alipay.open.servicemarket.order.item.complete`, `.confirm` and `.cancel`.
pub fn item(shared: &Shared, call: &Call, step: ItemStep) -> Answer {
    let token = if step == ItemStep::Confirm {
        match require_app_token(shared, call) {
            Ok(token) => Some(token),
            Err(answer) => return answer,
        }
    } else {
        None
    };
    let (biz, mut order) = match order_of(shared, call) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let Some(target) =
        Call::biz_text(&biz, "mini_app_id").or_else(|| Call::biz_text(&biz, "shop_id"))
    else {
        return refused(
            call,
            "PARAMS_ERROR",
            "参数错误: mini_app_id or shop_id is required",
        );
    };
    if step == ItemStep::Cancel && Call::biz_text(&biz, "cancel_reason").is_none() {
        return refused(call, "PARAMS_ERROR", "参数错误: cancel_reason is missing");
    }
    if let Some(token) = &token
        && token.auth_app_id != order.auth_app_id
    {
        return refused(
            call,
            "NO_PERMISSION_COMFIRM_ORDERITEM",
            "无权限确认该订单明细: the app_auth_token is not the ordering merchant's",
        );
    }
    if step == ItemStep::Confirm && order.total_price.parse::<f64>().unwrap_or(0.0) > 0.0 {
        return refused(
            call,
            "CONFIRM_CHARGE_ITEM_NOT_ALLOW",
            "收费订单不允许代确认: a priced item is confirmed by the merchant",
        );
    }
    let Some(item) = order.items.iter_mut().find(|(id, _)| *id == target) else {
        return refused(
            call,
            "COMMODITY_ORDER_ITEM_NOT_EXIST",
            "订单明细不存在: no item for this mini_app_id / shop_id",
        );
    };
    let (allowed, next): (&[&str], &str) = match step {
        ItemStep::Complete => (&["DOING"], "TO_CONFIRM"),
        ItemStep::Confirm => (&["TO_CONFIRM"], "DONE"),
        ItemStep::Cancel => (&["TO_DO", "DOING", "TO_CONFIRM"], "ISV_CANCELLED"),
    };
    if !allowed.contains(&item.1.as_str()) {
        return refused(
            call,
            "ITEM_STATUS_NOT_ALLOW",
            &format!("明细状态不允许该操作: the item is {}", item.1),
        );
    }
    item.1 = next.into();
    save(shared, order);
    Answer::success(&call.method, Map::new())
}
