//! The open-platform console (开放平台控制台) page that lists a merchant's authorisation: the merchant
//! app, the merchant's PID, the current `app_auth_token` to copy (获得 app_auth_token 的方法二), and when
//! the authorisation started and the token ends. As [`Emulator::console_app_auth_token`] and
//! `GET /emulator/console/app-auth-token?auth_app_id=…`. The console shows no refresh token.

use std::fmt;
use std::sync::Arc;

use alipay_isv::request::china_timestamp;
use alipay_isv::secret::shown;
use alipay_isv::{Error, Result};
use serde_json::json;

use crate::emulator::Emulator;
use crate::http::response::Response;
use crate::shared::{Shared, lock};

/// What the console shows of one merchant authorisation. `Debug` masks the token.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsoleToken {
    /// The merchant's authorised app.
    pub auth_app_id: String,
    /// The merchant's PID (2088…).
    pub merchant_pid: String,
    /// The merchant's current token, to copy into the ISV's registry. Secret.
    pub app_auth_token: String,
    /// When the merchant authorised, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    pub auth_start: String,
    /// When the token ends, `yyyy-MM-dd HH:mm:ss` (UTC+8).
    pub auth_end: String,
}

impl fmt::Debug for ConsoleToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsoleToken")
            .field("auth_app_id", &self.auth_app_id)
            .field("merchant_pid", &self.merchant_pid)
            .field(
                "app_auth_token",
                &shown("app_auth_token", &self.app_auth_token),
            )
            .field("auth_start", &self.auth_start)
            .field("auth_end", &self.auth_end)
            .finish()
    }
}

/// The console's entry for `auth_app_id`.
///
/// # Errors
/// [`Error::Config`] when the app never authorised the ISV, or the merchant revoked the authorisation
/// (the console then lists no token).
pub(crate) fn app_auth_token(shared: &Shared, auth_app_id: &str) -> Result<ConsoleToken> {
    let state = lock(&shared.state);
    let authorisation = state.authorisations.get(auth_app_id).ok_or_else(|| {
        Error::config(format!(
            "auth_app_id {auth_app_id} never authorised this third-party app"
        ))
    })?;
    if authorisation.revoked {
        return Err(Error::config(format!(
            "the merchant revoked the authorisation of {auth_app_id}: the console lists no token"
        )));
    }
    let token = state.current_app_tokens.get(auth_app_id);
    let issued = token.and_then(|token| state.app_tokens.get(token));
    let (Some(token), Some(issued)) = (token, issued) else {
        return Err(Error::config(format!(
            "the console has no token for {auth_app_id}"
        )));
    };
    let shown = |ms: u64| china_timestamp((ms / 1000) as i64);
    Ok(ConsoleToken {
        auth_app_id: auth_app_id.to_string(),
        merchant_pid: authorisation.merchant_pid.clone(),
        app_auth_token: token.clone(),
        auth_start: shown(authorisation.auth_start_ms),
        auth_end: shown(issued.expires_ms),
    })
}

/// `GET /emulator/console/app-auth-token?auth_app_id=…`: the console's entry as JSON (404 for an app
/// that never authorised or was revoked).
pub(crate) fn app_auth_token_endpoint(shared: &Arc<Shared>, query: &str) -> Response {
    let auth_app_id = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "auth_app_id")
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_default();
    if auth_app_id.is_empty() {
        return Response::json(400, &json!({"error": "auth_app_id is missing"}));
    }
    match app_auth_token(shared, &auth_app_id) {
        Ok(entry) => Response::json(
            200,
            &json!({
                "auth_app_id": entry.auth_app_id,
                "merchant_pid": entry.merchant_pid,
                "app_auth_token": entry.app_auth_token,
                "auth_start": entry.auth_start,
                "auth_end": entry.auth_end,
            }),
        ),
        Err(error) => Response::json(404, &json!({"error": error.reason()})),
    }
}

impl Emulator {
    /// The merchant's current `app_auth_token` as the open-platform console shows it (with the merchant
    /// app, PID, and when the authorisation started and the token ends): what an ISV copies to import
    /// the merchant by hand (方法二). No refresh token is shown.
    ///
    /// # Errors
    /// [`Error::Config`] when the app never authorised, or the merchant revoked the authorisation.
    pub fn console_app_auth_token(&self, auth_app_id: &str) -> Result<ConsoleToken> {
        app_auth_token(&self.shared, auth_app_id)
    }
}
