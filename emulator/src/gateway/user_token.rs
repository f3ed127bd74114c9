//! The user side of a delegated call: `alipay.system.oauth.token` (a user `auth_code` or refresh token
//! for an `access_token`; parameters at top level; errors in `error_response`, as Alipay does) and
//! `alipay.user.info.share` (the user's profile with the `access_token` as `auth_token`).

use alipay_isv::request::china_timestamp;
use serde_json::{Map, json};

use super::Call;
use super::app_token::seconds_left;
use super::delegated::{app_token_answer, require_app_token};
use super::reply::Answer;
use crate::ids;
use crate::shared::{Shared, lock};
use crate::state::UserGrant;

/// `alipay.system.oauth.token`.
pub fn oauth_token(shared: &Shared, call: &Call) -> Answer {
    let now = shared.now_ms();
    let mut state = lock(&shared.state);
    let merchant_app = match call.param("app_auth_token") {
        Some(token) => {
            match app_token_answer(&call.method, state.app_token_status(token, now), true) {
                Ok(token) => Some(token.auth_app_id),
                Err(answer) => return answer,
            }
        }
        None => None,
    };
    let belongs = |grant: &UserGrant| merchant_app.as_deref() == Some(grant.auth_app_id.as_str());
    let user = match call.param("grant_type") {
        Some("authorization_code") => {
            let invalid = || {
                Answer::gateway_error(
                    "40002",
                    "isv.code-invalid",
                    "授权码code无效 (unknown, used, expired, or issued for another merchant app than the app_auth_token's)",
                )
            };
            let Some(code) = call.param("code") else {
                return invalid();
            };
            match state.user_codes.get_mut(code) {
                Some(entry) if !entry.used && now < entry.expires_ms => {
                    let grant = UserGrant {
                        auth_app_id: entry.auth_app_id.clone(),
                        user_id: entry.user_id.clone(),
                        full_scope: entry.full_scope,
                        expires_ms: 0,
                        used: false,
                    };
                    if !belongs(&grant) {
                        return invalid();
                    }
                    entry.used = true;
                    grant
                }
                _ => return invalid(),
            }
        }
        Some("refresh_token") => {
            let invalid = || {
                Answer::gateway_error(
                    "40002",
                    "isv.refresh-token-invalid",
                    "刷新令牌无效 (unknown, used, expired, or issued for another merchant app)",
                )
            };
            let Some(refresh) = call.param("refresh_token") else {
                return invalid();
            };
            match state.user_refresh.get_mut(refresh) {
                Some(entry) if !entry.used && now < entry.expires_ms && belongs(entry) => {
                    entry.used = true;
                    entry.clone()
                }
                _ => return invalid(),
            }
        }
        _ => {
            return Answer::gateway_error(
                "40002",
                "isv.grant-type-invalid",
                "grant_type 无效 (use authorization_code or refresh_token, as top-level parameters)",
            );
        }
    };
    let access_token = ids::user_token();
    let refresh_token = ids::user_token();
    let access_expires = now.saturating_add(shared.lifetimes.access_ms);
    let refresh_expires = now.saturating_add(shared.lifetimes.user_refresh_ms);
    state.access_tokens.insert(
        access_token.clone(),
        UserGrant {
            expires_ms: access_expires,
            ..user.clone()
        },
    );
    state.user_refresh.insert(
        refresh_token.clone(),
        UserGrant {
            expires_ms: refresh_expires,
            used: false,
            ..user.clone()
        },
    );
    let mut fields = Map::new();
    fields.insert("user_id".into(), json!(user.user_id));
    fields.insert(
        "open_id".into(),
        json!(ids::open_id(&user.user_id, &user.auth_app_id)),
    );
    fields.insert("access_token".into(), json!(access_token));
    fields.insert(
        "expires_in".into(),
        json!(seconds_left(access_expires, now)),
    );
    fields.insert("refresh_token".into(), json!(refresh_token));
    fields.insert(
        "re_expires_in".into(),
        json!(seconds_left(refresh_expires, now)),
    );
    fields.insert(
        "auth_start".into(),
        json!(china_timestamp((now / 1000) as i64)),
    );
    Answer::success(&call.method, fields)
}

/// `alipay.user.info.share`.
pub fn user_info_share(shared: &Shared, call: &Call) -> Answer {
    let now = shared.now_ms();
    let user = call.param("auth_token").and_then(|token| {
        lock(&shared.state)
            .access_tokens
            .get(token)
            .filter(|grant| now < grant.expires_ms)
            .cloned()
    });
    let Some(user) = user else {
        return Answer::business_error(
            &call.method,
            "20001",
            "aop.invalid-auth-token",
            "无效的访问令牌 (unknown or expired access_token, sent as auth_token)",
        );
    };
    let merchant = match require_app_token(shared, call) {
        Ok(token) => token,
        Err(answer) => return answer,
    };
    if merchant.auth_app_id != user.auth_app_id {
        return Answer::business_error(
            &call.method,
            "20001",
            "aop.invalid-app-auth-token",
            "无效的应用授权令牌 (the access_token was issued for another merchant app)",
        );
    }
    if !user.full_scope {
        return Answer::business_error(
            &call.method,
            "40006",
            "isv.insufficient-user-permissions",
            "用户授权范围不足 (the user granted auth_base only; ask for scope auth_user)",
        );
    }
    let female = user.user_id.bytes().last().is_some_and(|b| b % 2 == 1);
    let mut fields = Map::new();
    fields.insert("user_id".into(), json!(user.user_id));
    fields.insert(
        "open_id".into(),
        json!(ids::open_id(&user.user_id, &user.auth_app_id)),
    );
    fields.insert("nick_name".into(), json!("支付宝用户"));
    fields.insert(
        "avatar".into(),
        json!("https://tfs.alipayobjects.com/images/partner/emulator-avatar.png"),
    );
    fields.insert("province".into(), json!("浙江省"));
    fields.insert("city".into(), json!("杭州市"));
    fields.insert("gender".into(), json!(if female { "f" } else { "m" }));
    Answer::success(&call.method, fields)
}
