//! `alipay.open.auth.token.app` (exchange an `app_auth_code`, or refresh) and
//! `alipay.open.auth.token.app.query`. Both are called as the ISV itself: a top-level
//! `app_auth_token`, if sent, is ignored.

use alipay_isv::request::china_timestamp;
use serde_json::{Map, Value, json};

use super::Call;
use super::reply::Answer;
use crate::shared::{Shared, lock};
use crate::state::{State, TokenStatus};

/// APIs listed as authorised in the query answer.
const AUTH_METHODS: &[&str] = &[
    "alipay.open.mini.version.list.query",
    "alipay.system.oauth.token",
    "alipay.user.info.share",
    "alipay.trade.create",
    "alipay.trade.query",
];

/// Whole seconds from `now_ms` until `until_ms` (0 when past).
pub fn seconds_left(until_ms: u64, now_ms: u64) -> u64 {
    until_ms.saturating_sub(now_ms) / 1000
}

/// `alipay.open.auth.token.app`.
pub fn token_app(shared: &Shared, call: &Call) -> Answer {
    let biz = match call.biz() {
        Ok(biz) => biz,
        Err(answer) => return answer,
    };
    match biz.get("grant_type").and_then(Value::as_str).map(str::trim) {
        Some("authorization_code") => exchange_code(shared, call, Call::biz_text(&biz, "code")),
        Some("refresh_token") => refresh(shared, call, Call::biz_text(&biz, "refresh_token")),
        _ => Answer::business_error(
            &call.method,
            "40002",
            "isv.grant-type-invalid",
            "grant_type 无效 (use authorization_code or refresh_token)",
        ),
    }
}

/// The token object of one merchant app, as the answer and the `tokens` array carry it.
fn token_object(
    state: &State,
    token: &str,
    refresh: &str,
    now_ms: u64,
) -> Option<Map<String, Value>> {
    let issued = state.app_tokens.get(token)?;
    let refresh_expires = state.app_refresh.get(refresh)?.expires_ms;
    let mut fields = Map::new();
    fields.insert("app_auth_token".into(), json!(token));
    fields.insert("app_refresh_token".into(), json!(refresh));
    fields.insert("auth_app_id".into(), json!(issued.auth_app_id));
    fields.insert("user_id".into(), json!(issued.user_id));
    fields.insert(
        "expires_in".into(),
        json!(seconds_left(issued.expires_ms, now_ms)),
    );
    fields.insert(
        "re_expires_in".into(),
        json!(seconds_left(refresh_expires, now_ms)),
    );
    Some(fields)
}

fn code_invalid(call: &Call) -> Answer {
    Answer::business_error(
        &call.method,
        "40002",
        "isv.code-invalid",
        "授权码code无效 (unknown, already used, expired, or issued to another app)",
    )
}

fn exchange_code(shared: &Shared, call: &Call, code: Option<String>) -> Answer {
    let Some(code) = code else {
        return code_invalid(call);
    };
    let now = shared.now_ms();
    let mut state = lock(&shared.state);
    let Some(entry) = state.app_codes.get_mut(&code) else {
        return code_invalid(call);
    };
    if entry.used || now >= entry.expires_ms || entry.isv_app_id != shared.app_id {
        return code_invalid(call);
    }
    entry.used = true;
    let (grants, batch) = (entry.grants.clone(), entry.batch);
    let tokens: Option<Vec<Map<String, Value>>> = grants
        .iter()
        .filter(|grant| {
            state
                .authorisations
                .get(&grant.auth_app_id)
                .is_some_and(|a| !a.revoked)
        })
        .map(|grant| token_object(&state, &grant.app_auth_token, &grant.app_refresh_token, now))
        .collect();
    let tokens = match tokens {
        Some(tokens) if !tokens.is_empty() => tokens,
        _ => return code_invalid(call),
    };
    let mut fields = Map::new();
    if !batch {
        fields.extend(tokens[0].clone());
    }
    fields.insert(
        "tokens".into(),
        Value::Array(tokens.into_iter().map(Value::Object).collect()),
    );
    Answer::success(&call.method, fields)
}

fn refresh(shared: &Shared, call: &Call, refresh_token: Option<String>) -> Answer {
    let invalid = || {
        Answer::business_error(
            &call.method,
            "40002",
            "isv.refresh-token-invalid",
            "刷新令牌无效 (unknown, already used, expired, or the merchant revoked the authorisation)",
        )
    };
    let Some(refresh_token) = refresh_token else {
        return invalid();
    };
    let now = shared.now_ms();
    let mut state = lock(&shared.state);
    let Some(entry) = state.app_refresh.get(&refresh_token).cloned() else {
        return invalid();
    };
    let Some(merchant) = state
        .authorisations
        .get(&entry.auth_app_id)
        .filter(|a| !a.revoked)
        .map(|a| a.merchant_pid.clone())
    else {
        return invalid();
    };
    if entry.used || now >= entry.expires_ms {
        return invalid();
    }
    if let Some(used) = state.app_refresh.get_mut(&refresh_token) {
        used.used = true;
    }
    let grace_end = now.saturating_add(shared.refresh_grace_ms);
    if let Some(old) = state.app_tokens.get_mut(&entry.app_auth_token) {
        old.expires_ms = old.expires_ms.min(grace_end);
    }
    let grant = state.mint_app_token(&entry.auth_app_id, &merchant, now, shared.lifetimes);
    let Some(token) = token_object(&state, &grant.app_auth_token, &grant.app_refresh_token, now)
    else {
        return invalid();
    };
    let mut fields = token.clone();
    fields.insert("tokens".into(), json!([token]));
    Answer::success(&call.method, fields)
}

/// `alipay.open.auth.token.app.query`.
pub fn token_app_query(shared: &Shared, call: &Call) -> Answer {
    let biz = match call.biz() {
        Ok(biz) => biz,
        Err(answer) => return answer,
    };
    let Some(token) = Call::biz_text(&biz, "app_auth_token") else {
        return Answer::business_error(
            &call.method,
            "40001",
            "isv.missing-app-auth-token",
            "缺少 biz_content.app_auth_token",
        );
    };
    let now = shared.now_ms();
    let state = lock(&shared.state);
    let (issued, valid) = match state.app_token_status(&token, now) {
        TokenStatus::Unknown => {
            return Answer::business_error(
                &call.method,
                "20001",
                "aop.invalid-app-auth-token",
                "无效的应用授权令牌 (this app_auth_token was never issued)",
            );
        }
        TokenStatus::Valid(issued) => (issued, true),
        TokenStatus::Expired(issued) | TokenStatus::Revoked(issued) => (issued, false),
    };
    let auth_start = state
        .authorisations
        .get(&issued.auth_app_id)
        .map_or(0, |a| a.auth_start_ms);
    let format_ms = |ms: u64| china_timestamp((ms / 1000) as i64);
    let mut fields = Map::new();
    fields.insert("user_id".into(), json!(issued.user_id));
    fields.insert("auth_app_id".into(), json!(issued.auth_app_id));
    fields.insert(
        "expires_in".into(),
        json!(if valid {
            seconds_left(issued.expires_ms, now)
        } else {
            0
        }),
    );
    fields.insert("auth_methods".into(), json!(AUTH_METHODS));
    fields.insert("auth_start".into(), json!(format_ms(auth_start)));
    fields.insert("auth_end".into(), json!(format_ms(issued.expires_ms)));
    fields.insert(
        "status".into(),
        json!(if valid { "valid" } else { "invalid" }),
    );
    Answer::success(&call.method, fields)
}
