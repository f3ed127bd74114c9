//! Delegated calls: the `app_auth_token` rules every merchant API shares (self-invoke forbidden,
//! unknown / revoked / expired tokens), the one merchant API that succeeds
//! (`alipay.open.mini.version.list.query`), certificate download, and every other method.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, json};

use super::Call;
use super::reply::Answer;
use crate::shared::{Shared, lock};
use crate::state::{AppToken, TokenStatus};

/// The token of a delegated call, or the error the gateway answers in the method node.
pub fn require_app_token(shared: &Shared, call: &Call) -> Result<AppToken, Answer> {
    let Some(token) = call.param("app_auth_token") else {
        return Err(Answer::business_error(
            &call.method,
            "40006",
            "isv.self-invoke-forbidden",
            "此用户不允许自调用 (this API is called on behalf of a merchant: send its app_auth_token)",
        ));
    };
    let status = lock(&shared.state).app_token_status(token, shared.now_ms());
    app_token_answer(&call.method, status, false)
}

/// Turns a token status into the token or the 20001 error, in the method node or (`in_error_node`)
/// in `error_response`.
pub fn app_token_answer(
    method: &str,
    status: TokenStatus,
    in_error_node: bool,
) -> Result<AppToken, Answer> {
    let error = |sub_code: &str, sub_msg: &str| {
        if in_error_node {
            Answer::gateway_error("20001", sub_code, sub_msg)
        } else {
            Answer::business_error(method, "20001", sub_code, sub_msg)
        }
    };
    match status {
        TokenStatus::Valid(token) => Ok(token),
        TokenStatus::Expired(_) => Err(error(
            "aop.app-auth-token-time-out",
            "应用授权令牌已过期 (the app_auth_token expired: refresh it)",
        )),
        TokenStatus::Unknown | TokenStatus::Revoked(_) => Err(error(
            "aop.invalid-app-auth-token",
            "无效的应用授权令牌 (unknown app_auth_token, or the merchant revoked the authorisation)",
        )),
    }
}

/// `alipay.open.mini.version.list.query`: succeeds for any valid delegated call.
pub fn mini_version_list(shared: &Shared, call: &Call) -> Answer {
    match require_app_token(shared, call) {
        Ok(token) => {
            let mut fields = Map::new();
            fields.insert("app_versions".into(), json!(["0.0.1"]));
            fields.insert("auth_app_id".into(), json!(token.auth_app_id));
            Answer::success(&call.method, fields)
        }
        Err(answer) => answer,
    }
}

/// `alipay.open.app.alipaycert.download`: biz `{"alipay_cert_sn": …}` → the Base64 of that Alipay
/// certificate's PEM, in certificate mode; a business error in public-key mode.
pub fn cert_download(shared: &Shared, call: &Call) -> Answer {
    let Some(authority) = &shared.cert else {
        return Answer::business_error(
            &call.method,
            "40004",
            "isv.not-cert-mode",
            "the emulator signs with a public key, not certificates: there is no certificate to download",
        );
    };
    let biz = match call.biz() {
        Ok(biz) => biz,
        Err(answer) => return answer,
    };
    let Some(sn) = Call::biz_text(&biz, "alipay_cert_sn") else {
        return Answer::business_error(
            &call.method,
            "40001",
            "isv.missing-alipay-cert-sn",
            "缺少支付宝公钥证书序列号 (biz_content.alipay_cert_sn)",
        );
    };
    match authority.alipay_cert_pem(&sn) {
        Some(pem) => {
            let mut fields = Map::new();
            fields.insert("alipay_cert_content".into(), json!(STANDARD.encode(pem)));
            Answer::success(&call.method, fields)
        }
        None => Answer::business_error(
            &call.method,
            "40004",
            "isv.alipay-cert-not-exist",
            &format!("支付宝公钥证书不存在: no Alipay certificate has the SN {sn}"),
        ),
    }
}

/// Any other method: the token rules, then a signed business error naming the method.
pub fn not_emulated(shared: &Shared, call: &Call) -> Answer {
    match require_app_token(shared, call) {
        Ok(_) => Answer::business_error(
            &call.method,
            "40004",
            "isv.method-not-emulated",
            &format!(
                "the emulator does not implement {}; the delegated call itself was valid",
                call.method
            ),
        ),
        Err(answer) => answer,
    }
}
