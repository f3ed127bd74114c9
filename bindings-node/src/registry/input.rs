//! What the registry reads from JavaScript objects: a verified notification (the object
//! `NotificationVerifier.verifyBody` / `verifyParams` returned) and a token query result (the object
//! `Client.queryAppAuthToken` resolved to), back into the core's types. The typed fields are read;
//! the verified `params` only of an order message (the registry keeps them with the order); `null`
//! and absent optional fields are the same.

use alipay_isv::auth::AppAuthTokenInfo as CoreTokenInfo;
use alipay_isv::notify::{
    AppAuthDetail as CoreDetail, AppAuthNotification as CoreAppAuth,
    MessageNotification as CoreMessage, Notification as CoreNotification,
    ServiceMarketOrder as CoreOrder,
};
use serde_json::{Map, Value};

/// Why an object is not what was expected; becomes an `ALIPAY_CONFIG_ERROR` (no value is quoted: the
/// object may hold tokens).
pub(crate) type Refusal = String;

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Refusal> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} must be an object"))
}

/// An optional string field: absent and `null` are `None`; anything but a string is refused.
fn text(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, Refusal> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("`{name}` must be a string or null")),
    }
}

/// A required string field.
fn required_text(fields: &Map<String, Value>, name: &str, what: &str) -> Result<String, Refusal> {
    text(fields, name)?.ok_or_else(|| format!("{what} has no `{name}`"))
}

/// An optional whole-number field (JavaScript numbers are doubles: a fraction is refused).
fn integer(fields: &Map<String, Value>, name: &str) -> Result<Option<i64>, Refusal> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| {
                number
                    .as_f64()
                    .filter(|float| float.fract() == 0.0 && float.abs() < 9.0e15)
                    .map(|float| float as i64)
            })
            .map(Some)
            .ok_or_else(|| format!("`{name}` must be a whole number")),
        Some(_) => Err(format!("`{name}` must be a number or null")),
    }
}

/// An optional count field (`orderItemNum`, `periodDay`): a whole number from 0 to 2³² − 1.
fn count(fields: &Map<String, Value>, name: &str) -> Result<Option<u32>, Refusal> {
    integer(fields, name)?
        .map(|number| u32::try_from(number).map_err(|_| format!("`{name}` must be a count")))
        .transpose()
}

/// The verified `params` (an object of strings; absent or `null`: none), by name.
fn params(fields: &Map<String, Value>) -> Result<Vec<(String, String)>, Refusal> {
    match fields.get("params") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(params)) => params
            .iter()
            .map(|(name, value)| match value {
                Value::String(value) => Ok((name.clone(), value.clone())),
                _ => Err("`params` must hold strings".to_string()),
            })
            .collect(),
        Some(_) => Err("`params` must be an object of strings".to_string()),
    }
}

/// A notification object (`kind` `appAuth`, `message`, `serviceMarketOrder` or `other`) as the
/// core's [`CoreNotification`].
/// The verified `params` are read back for an order message only (the registry keeps them).
pub(crate) fn notification(value: &Value) -> Result<CoreNotification, Refusal> {
    const WHAT: &str = "the notification";
    let fields = object(value, WHAT)?;
    match required_text(fields, "kind", WHAT)?.as_str() {
        "appAuth" => {
            let detail = object(
                fields
                    .get("detail")
                    .ok_or_else(|| "an appAuth notification has no `detail`".to_string())?,
                "`detail`",
            )?;
            const DETAIL: &str = "the notification's `detail`";
            Ok(CoreNotification::AppAuth(CoreAppAuth {
                notify_id: required_text(fields, "notifyId", WHAT)?,
                notify_time: text(fields, "notifyTime")?,
                app_id: text(fields, "appId")?,
                status: text(fields, "status")?,
                trigger: text(fields, "trigger")?,
                detail: CoreDetail {
                    app_auth_token: required_text(detail, "appAuthToken", DETAIL)?,
                    app_refresh_token: text(detail, "appRefreshToken")?,
                    user_id: text(detail, "userId")?,
                    auth_app_id: required_text(detail, "authAppId", DETAIL)?,
                    expires_in: integer(detail, "expiresIn")?,
                    re_expires_in: integer(detail, "reExpiresIn")?,
                    auth_time: integer(detail, "authTime")?,
                    app_auth_code: text(detail, "appAuthCode")?,
                    authorised_app_id: text(detail, "authorisedAppId")?,
                    agent_app_id: text(detail, "agentAppId")?,
                },
                params: Vec::new(),
            }))
        }
        "message" => Ok(CoreNotification::Message(CoreMessage {
            msg_method: required_text(fields, "msgMethod", WHAT)?,
            notify_id: text(fields, "notifyId")?,
            utc_timestamp: text(fields, "utcTimestamp")?,
            app_id: text(fields, "appId")?,
            msg_app_id: text(fields, "msgAppId")?,
            msg_uid: text(fields, "msgUid")?,
            biz_content: fields.get("bizContent").cloned().unwrap_or(Value::Null),
            params: Vec::new(),
        })),
        "serviceMarketOrder" => Ok(CoreNotification::ServiceMarketOrder(CoreOrder {
            notify_id: required_text(fields, "notifyId", WHAT)?,
            notify_time: text(fields, "notifyTime")?,
            app_id: text(fields, "appId")?,
            commodity_order_id: required_text(fields, "commodityOrderId", WHAT)?,
            merchant_pid: required_text(fields, "merchantPid", WHAT)?,
            merchant_name: text(fields, "merchantName")?,
            consumer_mini_app_id: text(fields, "consumerMiniAppId")?,
            order_time: text(fields, "orderTime")?,
            title: text(fields, "title")?,
            total_price: text(fields, "totalPrice")?,
            order_item_num: count(fields, "orderItemNum")?,
            item_code: text(fields, "itemCode")?,
            specifications: text(fields, "specifications")?,
            period_day: count(fields, "periodDay")?,
            order_ticket: text(fields, "orderTicket")?,
            service_code: text(fields, "serviceCode")?,
            isv_ticket: text(fields, "isvTicket")?,
            contactor: text(fields, "contactor")?,
            phone: text(fields, "phone")?,
            params: params(fields)?,
        })),
        "other" => Ok(CoreNotification::Other { params: Vec::new() }),
        _ => Err(
            "the notification's `kind` must be appAuth, message, serviceMarketOrder or other"
                .to_string(),
        ),
    }
}

/// A token query result (`AppAuthTokenInfo`) as the core's [`CoreTokenInfo`].
pub(crate) fn token_info(value: &Value) -> Result<CoreTokenInfo, Refusal> {
    let fields = object(value, "the query result")?;
    let auth_methods = match fields.get("authMethods") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(methods)) => methods
            .iter()
            .map(|method| {
                method
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "`authMethods` must hold strings".to_string())
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`authMethods` must be an array of strings".to_string()),
    };
    Ok(CoreTokenInfo {
        user_id: text(fields, "userId")?,
        auth_app_id: text(fields, "authAppId")?,
        expires_in: integer(fields, "expiresIn")?,
        auth_methods,
        auth_start: text(fields, "authStart")?,
        auth_end: text(fields, "authEnd")?,
        status: text(fields, "status")?,
    })
}
