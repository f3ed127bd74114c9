//! The service market's orders (服务市场订单), mirroring `alipay_isv::servicemarket`: the methods of
//! the order calls, one page of an order as the query answers it ([`ServiceMarketOrderPage`], its
//! [`ServiceMarketOrderItem`]s), and the item a call is about (`{ miniAppId }` or `{ shopId }`, read
//! as an [`ItemTargetArg`]). `Client` makes the calls (`client/servicemarket_calls.rs`).
//!
//! The pages are plain objects: they hold no token (`fields` is every field of an item as answered).

use alipay_isv::servicemarket as core;
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object};
use napi::{JsValue, Unknown, ValueType, sys};
use napi_derive::napi;
use serde_json::Value;

use crate::json::Json;

/// `alipay.open.servicemarket.order.query`: one page of an order's items.
#[napi]
pub const SERVICEMARKET_ORDER_QUERY_METHOD: &str = core::ORDER_QUERY_METHOD;
/// `alipay.open.servicemarket.order.accept`: the ISV takes the order (接单).
#[napi]
pub const SERVICEMARKET_ORDER_ACCEPT_METHOD: &str = core::ORDER_ACCEPT_METHOD;
/// `alipay.open.servicemarket.order.reject`: the ISV declines the order (拒单), with a reason.
#[napi]
pub const SERVICEMARKET_ORDER_REJECT_METHOD: &str = core::ORDER_REJECT_METHOD;
/// `alipay.open.servicemarket.order.item.complete`: one item implemented, awaiting the merchant.
#[napi]
pub const SERVICEMARKET_ORDER_ITEM_COMPLETE_METHOD: &str = core::ORDER_ITEM_COMPLETE_METHOD;
/// `alipay.open.servicemarket.order.item.confirm`: the item confirmed on the merchant's behalf
/// (with the merchant's `app_auth_token`).
#[napi]
pub const SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD: &str = core::ORDER_ITEM_CONFIRM_METHOD;
/// `alipay.open.servicemarket.order.item.cancel`: one item cancelled, with a reason.
#[napi]
pub const SERVICEMARKET_ORDER_ITEM_CANCEL_METHOD: &str = core::ORDER_ITEM_CANCEL_METHOD;
/// The most items one page of the order query holds (100).
#[napi]
pub const SERVICEMARKET_ORDER_PAGE_SIZE: u32 = core::ORDER_PAGE_SIZE as u32;

/// One item of a service-market order, as the order query answers it (every field text, as sent;
/// `null` when absent).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ServiceMarketOrderItem {
    /// The item's state: `TO_DO`, `DOING`, `TO_CONFIRM`, `CONFIRMED`, `DONE`, `MERCHANT_REJECTED`,
    /// `MERCHANT_CANCELLED`, `ISV_REJECTED`, `ISV_CANCELLED`.
    pub order_status: Option<String>,
    /// The merchant's mini program of a plugin or template order.
    pub mini_app_id: Option<String>,
    /// Its name.
    pub mini_app_name: Option<String>,
    /// The shop of a shop service.
    pub shop_id: Option<String>,
    /// The shop's name.
    pub shop_name: Option<String>,
    /// The merchant's PID.
    pub merchant_pid: Option<String>,
    /// The merchant's name.
    pub merchant_name: Option<String>,
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// When the service starts (`yyyy-MM-dd HH:mm:ss`).
    pub service_effect_date: Option<String>,
    /// When the service ends (`yyyy-MM-dd HH:mm:ss`).
    pub service_expire_date: Option<String>,
    /// Every field of the item as answered (snake_case, as sent).
    #[napi(ts_type = "Record<string, any>")]
    pub fields: Json,
}

impl From<core::OrderItem> for ServiceMarketOrderItem {
    fn from(item: core::OrderItem) -> Self {
        ServiceMarketOrderItem {
            order_status: item.order_status,
            mini_app_id: item.mini_app_id,
            mini_app_name: item.mini_app_name,
            shop_id: item.shop_id,
            shop_name: item.shop_name,
            merchant_pid: item.merchant_pid,
            merchant_name: item.merchant_name,
            commodity_id: item.commodity_id,
            service_effect_date: item.service_effect_date,
            service_expire_date: item.service_expire_date,
            fields: Json::value(Value::Object(item.fields)),
        }
    }
}

/// One page of a service-market order (`Client.queryServicemarketOrder`): the order's state and this
/// page's items.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ServiceMarketOrderPage {
    /// The ordered commodity.
    pub commodity_id: Option<String>,
    /// The order's state: `MERCHANT_ORDED` (awaiting the ISV), `ISV_ACCEPTED`, `ISV_REJECTED`, … as
    /// Alipay answers.
    pub status: Option<String>,
    /// The ordered specification.
    pub specifications: Option<String>,
    /// Whether the merchant turned automatic upgrades on.
    pub auto_upgrade: Option<bool>,
    /// This page's number (from 1).
    pub current_page: i64,
    /// How many items the order holds in all.
    pub total_size: i64,
    /// Whether a later page may hold more items: this one was full and the total goes beyond it.
    pub has_next: bool,
    /// This page's items (at most `SERVICEMARKET_ORDER_PAGE_SIZE`).
    pub items: Vec<ServiceMarketOrderItem>,
}

impl From<core::OrderPage> for ServiceMarketOrderPage {
    fn from(page: core::OrderPage) -> Self {
        ServiceMarketOrderPage {
            has_next: page.has_next(),
            commodity_id: page.commodity_id,
            status: page.status,
            specifications: page.specifications,
            auto_upgrade: page.auto_upgrade,
            current_page: number(page.current_page),
            total_size: number(page.total_size),
            items: page
                .items
                .into_iter()
                .map(ServiceMarketOrderItem::from)
                .collect(),
        }
    }
}

/// The pages of an order, in order.
pub(crate) fn pages(pages: Vec<core::OrderPage>) -> Vec<ServiceMarketOrderPage> {
    pages
        .into_iter()
        .map(ServiceMarketOrderPage::from)
        .collect()
}

/// A count as a JavaScript number (exact below 2^53).
fn number(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The item argument of an order call (`{ miniAppId } | { shopId }`), read as the item it names or
/// why it names none: every JavaScript value is accepted here (`undefined`, a string, an object with
/// other properties, …), so a wrong one becomes an `ALIPAY_CONFIG_ERROR` of the call (no value is
/// quoted), never napi's own argument error (only a getter that throws is thrown as it is).
pub struct ItemTargetArg(Result<core::OrderItemTarget, String>);

impl ItemTargetArg {
    /// The item, or why the argument names none.
    pub(crate) fn target(&self) -> Result<core::OrderItemTarget, String> {
        self.0.clone()
    }
}

impl FromNapiValue for ItemTargetArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: `env` and `value` are live handles of the current call, as `FromNapiValue`
        // requires; both conversions only wrap them.
        let item = unsafe { Unknown::from_napi_value(env, value) }?;
        if item.get_type()? != ValueType::Object {
            return Ok(ItemTargetArg(Err(SHAPE.to_string())));
        }
        // SAFETY: as above; `value` is an object (checked just now).
        let object = unsafe { Object::from_napi_value(env, value) }?;
        let id = |name: &str| -> napi::Result<Result<Option<String>, String>> {
            let field: Unknown<'_> = object.get_named_property(name)?;
            Ok(match field.get_type()? {
                ValueType::Undefined | ValueType::Null => Ok(None),
                ValueType::String => Ok(Some(field.coerce_to_string()?.into_utf8()?.into_owned()?)),
                _ => Err(format!("the order item's `{name}` must be a string")),
            })
        };
        let target = match (id("miniAppId")?, id("shopId")?) {
            (Err(refusal), _) | (_, Err(refusal)) => Err(refusal),
            (Ok(mini_app_id), Ok(shop_id)) => item_target(mini_app_id, shop_id),
        };
        Ok(ItemTargetArg(target))
    }
}

/// What an item argument must look like.
const SHAPE: &str = "the order item must be { miniAppId } or { shopId }";

/// The item named by exactly one of `miniAppId` and `shopId`; an empty id is the core's to refuse
/// (also `ALIPAY_CONFIG_ERROR`).
fn item_target(
    mini_app_id: Option<String>,
    shop_id: Option<String>,
) -> Result<core::OrderItemTarget, String> {
    match (mini_app_id, shop_id) {
        (Some(mini_app_id), None) => Ok(core::OrderItemTarget::MiniApp(mini_app_id)),
        (None, Some(shop_id)) => Ok(core::OrderItemTarget::Shop(shop_id)),
        (Some(_), Some(_)) => Err(format!("{SHAPE}, not both")),
        (None, None) => Err(SHAPE.to_string()),
    }
}
