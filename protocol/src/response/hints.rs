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
