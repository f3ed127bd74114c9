//! `alipay-isv verify-notification`: verifies a notification form body and prints what it says.

use std::sync::Arc;

use alipay_isv::Result;
use alipay_isv::notify::{Notification, NotificationVerifier};
use alipay_isv::sign::SignType;
use serde_json::{Map, Value, json};

use crate::input::{read_body, read_public_key};
use alipay_isv::secret::mask_json;

use crate::output::print_json;

/// Options of `verify-notification`.
#[derive(clap::Args)]
pub struct Args {
    /// The Alipay public key file (PEM, one-line Base64, or certificate).
    #[arg(long)]
    alipay_public_key: String,
    /// The algorithm assumed when the notification names none: RSA2 or RSA.
    #[arg(long, default_value = "RSA2")]
    sign_type: String,
    /// The raw application/x-www-form-urlencoded body file, or `-` for standard input.
    #[arg(long)]
    body: String,
    /// Print tokens in full instead of masked.
    #[arg(long)]
    show_secrets: bool,
}

/// Verifies and prints `{"kind": ..., "params": {...}, "signed_form": "v1", ...}`.
pub fn run(args: Args) -> Result<()> {
    let sign_type: SignType = args.sign_type.parse()?;
    let key = Arc::new(read_public_key(&args.alipay_public_key)?);
    let verifier = NotificationVerifier::new(key).with_default_sign_type(sign_type);
    let body = read_body(&args.body, "body")?;
    let params_of = |params: &[(String, String)]| {
        Value::Object(
            params
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect::<Map<_, _>>(),
        )
    };
    let verified = verifier.verify_body_with_form(&body)?;
    let mut printed = match verified.notification {
        Notification::AppAuth(auth) => json!({
            "kind": "app_auth",
            "notify_id": auth.notify_id,
            "detail": {
                "app_auth_token": auth.detail.app_auth_token,
                "app_refresh_token": auth.detail.app_refresh_token,
                "user_id": auth.detail.user_id,
                "auth_app_id": auth.detail.auth_app_id,
                "expires_in": auth.detail.expires_in,
                "re_expires_in": auth.detail.re_expires_in,
                "auth_time": auth.detail.auth_time,
                "authorised_app_id": auth.detail.authorised_app_id,
                "agent_app_id": auth.detail.agent_app_id,
            },
            "plugin_authorisation": auth.is_plugin_authorisation(),
            "trigger": auth.trigger,
            "params": params_of(&auth.params),
        }),
        Notification::ServiceMarketOrder(order) => json!({
            "kind": "servicemarket_order",
            "notify_id": order.notify_id,
            "commodity_order_id": order.commodity_order_id,
            "merchant_pid": order.merchant_pid,
            "merchant_name": order.merchant_name,
            "consumer_mini_app_id": order.consumer_mini_app_id,
            "title": order.title,
            "total_price": order.total_price,
            "order_item_num": order.order_item_num,
            "order_time": order.order_time,
            "order_ticket": order.order_ticket,
            "service_code": order.service_code,
            "contactor": order.contactor,
            "phone": order.phone,
            "params": params_of(&order.params),
        }),
        Notification::Message(message) => json!({
            "kind": "message",
            "msg_method": message.msg_method,
            "app_auth_cancelled": message.is_app_auth_cancelled(),
            "biz_content": message.biz_content,
            "params": params_of(&message.params),
        }),
        Notification::Other { params } => json!({ "kind": "other", "params": params_of(&params) }),
    };
    printed["signed_form"] = json!(verified.signed_form.name());
    if !args.show_secrets {
        mask_json(&mut printed);
    }
    print_json(&printed)
}
