//! The browser pages: a merchant authorising the ISV (single `appToAppAuth.htm`, batch
//! `appToAppBatchAuth.htm`, the console-style `tasksDetail` link) and a user consenting inside a
//! merchant's mini-program (`publicAppAuthorize.htm`). Each answers a 302 to the ISV's callback with a
//! fresh single-use code; authorising also mints the tokens and pushes `open_app_auth_notify`.

use std::sync::Arc;

use alipay_isv::request::html_attribute;
use serde_json::Value;

use crate::http::response::Response;
use crate::ids;
use crate::push::push_app_auth;
use crate::shared::{Shared, lock};
use crate::state::{AppCode, UserCode};

/// The application types a batch authorisation may name.
const APPLICATION_TYPES: &[&str] = &[
    "MOBILEAPP",
    "WEBAPP",
    "PUBLICAPP",
    "TINYAPP",
    "ARAPP",
    "BASEAPP",
];
/// How long a single authorisation's `app_auth_code` lives.
const CODE_TTL_MS: u64 = 24 * 3600 * 1000;
/// How long a batch authorisation's `app_auth_code` lives.
const BATCH_CODE_TTL_MS: u64 = 10 * 60 * 1000;
/// How long a user `auth_code` lives.
const USER_CODE_TTL_MS: u64 = 10 * 60 * 1000;

/// Query parameters, first value of each name.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: &str) -> Self {
        Query(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// A 400 page saying what is wrong.
fn refuse(reason: &str) -> Response {
    Response::html(
        400,
        &format!(
            "<html><head><title>Authorisation refused</title></head><body><h1>Authorisation refused</h1><p>{}</p></body></html>\n",
            html_attribute(reason)
        ),
    )
}

/// Checks a callback URL: `http(s)://`, no spaces or control characters (it goes into a header).
fn check_redirect(uri: Option<String>) -> Result<String, Response> {
    let uri = uri.ok_or_else(|| refuse("redirect_uri is missing"))?;
    let lower = uri.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(refuse("redirect_uri must be an http(s) URL"));
    }
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(refuse("redirect_uri contains spaces or control characters"));
    }
    Ok(uri)
}

/// An optional all-digits emulator-only parameter.
fn digits_param(query: &Query, key: &str) -> Result<Option<String>, Response> {
    match query.get(key) {
        Some(value) if !value.bytes().all(|b| b.is_ascii_digit()) => {
            Err(refuse(&format!("{key} must be digits")))
        }
        other => Ok(other),
    }
}

/// `redirect_uri` with `pairs` appended to its query (before any fragment).
fn callback(redirect_uri: &str, pairs: &[(&str, String)]) -> String {
    let (base, fragment) = match redirect_uri.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (redirect_uri, None),
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut location = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        location.push('#');
        location.push_str(fragment);
    }
    location
}

/// A merchant authorisation, however it was asked for.
struct MerchantAuth {
    redirect_uri: String,
    state: Option<String>,
    /// `None` for a single authorisation, the application types for a batch.
    app_types: Option<Vec<String>>,
    merchant_pid: Option<String>,
    auth_app_id: Option<String>,
}

/// Mints the authorisation(s), the code and the pushes; answers the 302.
fn authorise(shared: &Arc<Shared>, request: MerchantAuth) -> Response {
    let now = shared.now_ms();
    let code = ids::code();
    let grants = {
        let mut state = lock(&shared.state);
        let pid = request
            .merchant_pid
            .clone()
            .or_else(|| {
                let existing = request.auth_app_id.as_ref()?;
                Some(state.authorisations.get(existing)?.merchant_pid.clone())
            })
            .unwrap_or_else(ids::merchant_pid);
        let apps: Vec<String> = match &request.app_types {
            None => vec![request.auth_app_id.clone().unwrap_or_else(ids::app_id)],
            Some(types) => (0..types.len())
                .map(|index| match (&request.auth_app_id, index) {
                    (Some(given), 0) => given.clone(),
                    _ => ids::app_id(),
                })
                .collect(),
        };
        let grants: Vec<_> = apps
            .iter()
            .map(|app| state.authorise(app, &pid, now, shared.lifetimes))
            .collect();
        let batch = request.app_types.is_some();
        state.app_codes.insert(
            code.clone(),
            AppCode {
                isv_app_id: shared.app_id.clone(),
                expires_ms: now
                    + if batch {
                        BATCH_CODE_TTL_MS
                    } else {
                        CODE_TTL_MS
                    },
                used: false,
                batch,
                grants: grants.clone(),
            },
        );
        grants
    };
    for grant in &grants {
        push_app_auth(shared, grant, &code);
    }
    let mut pairs = vec![
        ("app_id", shared.app_id.clone()),
        ("source", "alipay_app_auth".to_string()),
        ("app_auth_code", code),
    ];
    if let Some(state) = request.state {
        pairs.push(("state", state));
    }
    Response::redirect(&callback(&request.redirect_uri, &pairs))
}

/// Parses `TINYAPP,WEBAPP`.
fn application_types(list: &str) -> Result<Vec<String>, Response> {
    let types: Vec<String> = list
        .split(',')
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .collect();
    if types.is_empty() {
        return Err(refuse("application_type names no application type"));
    }
    match types
        .iter()
        .find(|t| !APPLICATION_TYPES.contains(&t.as_str()))
    {
        Some(unknown) => Err(refuse(&format!(
            "unknown application type {unknown}; expected {}",
            APPLICATION_TYPES.join(", ")
        ))),
        None => Ok(types),
    }
}

/// Checks the ISV `app_id` a merchant link names.
fn check_isv(shared: &Shared, app_id: Option<String>) -> Result<(), Response> {
    match app_id {
        Some(app_id) if app_id == shared.app_id => Ok(()),
        Some(app_id) => Err(refuse(&format!(
            "app_id {app_id} is not the third-party app this emulator serves"
        ))),
        None => Err(refuse("app_id is missing")),
    }
}

fn merchant_auth(
    shared: &Arc<Shared>,
    query: &Query,
    app_types: Option<Vec<String>>,
) -> Result<Response, Response> {
    check_isv(shared, query.get("app_id"))?;
    let request = MerchantAuth {
        redirect_uri: check_redirect(query.get("redirect_uri"))?,
        state: query.get("state"),
        app_types,
        merchant_pid: digits_param(query, "merchant_pid")?,
        auth_app_id: digits_param(query, "auth_app_id")?,
    };
    Ok(authorise(shared, request))
}

/// `GET /oauth2/appToAppAuth.htm`.
pub fn app_to_app_auth(shared: &Arc<Shared>, query: &str) -> Response {
    merchant_auth(shared, &Query::parse(query), None).unwrap_or_else(|refused| refused)
}

/// `GET /oauth2/appToAppBatchAuth.htm`.
pub fn app_to_app_batch_auth(shared: &Arc<Shared>, query: &str) -> Response {
    let query = Query::parse(query);
    let outcome = query
        .get("application_type")
        .ok_or_else(|| refuse("application_type is missing (e.g. TINYAPP,WEBAPP)"))
        .and_then(|list| application_types(&list))
        .and_then(|types| merchant_auth(shared, &query, Some(types)));
    outcome.unwrap_or_else(|refused| refused)
}

/// `GET /page/message/tasksDetail?bizData=…`: the console-style link.
pub fn tasks_detail(shared: &Arc<Shared>, query: &str) -> Response {
    let query = Query::parse(query);
    let outcome = (|| {
        let data: Value = query
            .get("bizData")
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| refuse("bizData is missing or not JSON"))?;
        if data.get("taskType").and_then(Value::as_str) != Some("INTERFACE_AUTH") {
            return Err(refuse("bizData.taskType must be INTERFACE_AUTH"));
        }
        let op = data
            .get("agentOpParam")
            .ok_or_else(|| refuse("bizData.agentOpParam is missing"))?;
        let text = |key: &str| {
            op.get(key)
                .and_then(Value::as_str)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        check_isv(shared, text("isvAppId"))?;
        let types: Vec<String> = match op.get("appTypes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| refuse("agentOpParam.appTypes must be strings"))?,
            Some(_) => return Err(refuse("agentOpParam.appTypes must be an array")),
        };
        let app_types = if types.len() > 1 {
            Some(application_types(&types.join(","))?)
        } else {
            None
        };
        let request = MerchantAuth {
            redirect_uri: check_redirect(text("redirectUri"))?,
            state: text("state"),
            app_types,
            merchant_pid: digits_param(&query, "merchant_pid")?,
            auth_app_id: digits_param(&query, "auth_app_id")?,
        };
        Ok(authorise(shared, request))
    })();
    outcome.unwrap_or_else(|refused| refused)
}

/// `GET /oauth2/publicAppAuthorize.htm`: a user consents in a merchant's app.
pub fn public_app_authorize(shared: &Arc<Shared>, query: &str) -> Response {
    let query = Query::parse(query);
    let outcome = (|| {
        let app_id = query
            .get("app_id")
            .ok_or_else(|| refuse("app_id is missing"))?;
        let scope = query
            .get("scope")
            .ok_or_else(|| refuse("scope is missing (auth_base or auth_user)"))?;
        let scopes: Vec<&str> = scope.split(',').map(str::trim).collect();
        if !scopes
            .iter()
            .all(|s| matches!(*s, "auth_base" | "auth_user"))
        {
            return Err(refuse("scope must be auth_base, auth_user, or both"));
        }
        let redirect_uri = check_redirect(query.get("redirect_uri"))?;
        let user_id = digits_param(&query, "user_id")?.unwrap_or_else(ids::merchant_pid);
        let now = shared.now_ms();
        let code = ids::code();
        {
            let mut state = lock(&shared.state);
            if state.authorisations.get(&app_id).is_none_or(|a| a.revoked) {
                return Err(refuse(&format!(
                    "app_id {app_id} is not a merchant app authorised to this third-party app"
                )));
            }
            state.user_codes.insert(
                code.clone(),
                UserCode {
                    auth_app_id: app_id.clone(),
                    user_id,
                    full_scope: scopes.contains(&"auth_user"),
                    expires_ms: now.saturating_add(USER_CODE_TTL_MS),
                    used: false,
                },
            );
        }
        let mut pairs = vec![
            ("app_id", app_id),
            ("source", "alipay_wallet".to_string()),
            ("scope", scope.clone()),
            ("auth_code", code),
        ];
        if let Some(state) = query.get("state") {
            pairs.push(("state", state));
        }
        Ok(Response::redirect(&callback(&redirect_uri, &pairs)))
    })();
    outcome.unwrap_or_else(|refused| refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_appends_to_existing_query_and_keeps_fragment() {
        let pairs = [("state", "a b+/=".to_string())];
        assert_eq!(
            callback("http://x/cb", &pairs),
            "http://x/cb?state=a+b%2B%2F%3D"
        );
        assert_eq!(
            callback("http://x/cb?k=1#top", &pairs),
            "http://x/cb?k=1&state=a+b%2B%2F%3D#top"
        );
    }

    #[test]
    fn redirects_must_be_http_without_control_characters() {
        assert!(check_redirect(Some("https://isv.example/cb".into())).is_ok());
        assert!(check_redirect(Some("javascript:alert(1)".into())).is_err());
        assert!(check_redirect(Some("http://x/\r\nSet-Cookie: a".into())).is_err());
        assert!(check_redirect(None).is_err());
    }

    #[test]
    fn application_types_are_checked() {
        assert_eq!(
            application_types("tinyapp, WEBAPP").unwrap(),
            ["TINYAPP", "WEBAPP"]
        );
        assert!(application_types("FOO").is_err());
        assert!(application_types(",").is_err());
    }
}
