//! One-line hints for the gateway errors integrators meet most, keyed by `sub_code` (then `code`).

/// The hint for an error, when it is a well-known one.
pub fn hint_for(code: &str, sub_code: Option<&str>) -> Option<&'static str> {
    let by_sub_code = match sub_code.unwrap_or_default() {
        "isv.self-invoke-forbidden" => {
            Some("this API must be called with the merchant's app_auth_token (a delegated call)")
        }
        "isv.insufficient-isv-permissions" => Some(
            "the third-party app lacks this API's permission, or the merchant did not grant it: check \
             the app's products and the merchant's authorisation",
        ),
        "aop.invalid-app-auth-token" => Some(
            "the app_auth_token is unknown or revoked: have the merchant authorise again, or refresh it",
        ),
        "aop.app-auth-token-time-out" => {
            Some("the app_auth_token expired: refresh it with the app_refresh_token")
        }
        "aop.invalid-app-auth-token-no-api" => Some(
            "the merchant's authorisation does not cover this API: ask for a new authorisation",
        ),
        "aop.invalid-auth-token" => {
            Some("the user's access_token is invalid: obtain a new auth_code")
        }
        "aop.auth-token-time-out" => {
            Some("the user's access_token expired: refresh it with its refresh_token")
        }
        "isv.code-invalid" => {
            Some("the authorisation code is invalid, expired or already used: codes are single-use")
        }
        "isv.invalid-signature" => Some(
            "the gateway could not verify the request signature: check which public key you uploaded \
             and that the app private key matches it",
        ),
        "isv.invalid-app-id" | "isv.missing-app-id" => Some("check the app_id configured"),
        "isv.invalid-timestamp" => {
            Some("the timestamp must be China time (UTC+8) within minutes of the gateway's clock")
        }
        "isv.missing-signature" => Some("the request carried no sign parameter"),
        // The service market's order calls (Alipay's spelling, misspellings included).
        "ORDER_NOT_EXIST" => {
            Some("no such service-market order: check commodity_order_id (from the order message)")
        }
        "COMMODITY_ORDER_STATUS_INVALID" => Some(
            "the order is not in a state this call accepts (already accepted, rejected or done?): \
             query it and act on its status",
        ),
        "COMMODITY_ORDER_ITEM_NOT_EXIST" => Some(
            "the order has no item for this mini_app_id / shop_id: query the order for its items",
        ),
        "ITEM_STATUS_NOT_ALLOW" => Some(
            "the item is not in a state this call accepts (complete needs it in progress, confirm \
             needs it completed): query the order",
        ),
        "NO_PERMISSION_ACCETP_ORDER"
        | "NO_PERMISSION_REJECT_ORDER"
        | "NO_PERMISSION_OPERATION"
        | "NO_PERMISSION_CANCEL_ORDER_ITEM"
        | "NOPERMISSION_QUERY" => Some(
            "this order belongs to another service provider's app: call with the app that received \
             the order message",
        ),
        "NO_PERMISSION_COMFIRM_ORDERITEM" => {
            Some("confirming an item on the merchant's behalf needs that merchant's app_auth_token")
        }
        "CONFIRM_CHARGE_ITEM_NOT_ALLOW" => Some(
            "a paid item cannot be confirmed on the merchant's behalf: the merchant confirms it",
        ),
        _ => None,
    };
    by_sub_code.or(match code {
        "20000" => {
            Some("the service is temporarily unavailable: retry later with the same request")
        }
        "40006" => Some("insufficient permissions for this call"),
        _ => None,
    })
}
