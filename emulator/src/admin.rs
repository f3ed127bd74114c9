//! The emulator's own endpoints under `/emulator/`: revoke a merchant (`POST /emulator/revoke`), the
//! Alipay public key (`GET /emulator/alipay-public-key`), call counts (`GET /emulator/stats`); and the
//! revocation itself, shared with [`crate::Emulator::revoke`]. The console's token page
//! (`GET /emulator/console/app-auth-token`) lives in [`crate::console`].

use std::sync::Arc;

use alipay_isv::{Error, Result};
use serde_json::json;

use crate::http::response::Response;
use crate::push::push_cancelled;
use crate::shared::{Shared, lock};

/// The merchant revokes the authorisation of `auth_app_id`: its tokens die now and
/// `alipay.open.auth.appauth.cancelled` is pushed.
///
/// # Errors
/// [`Error::Config`] when the app never authorised the ISV.
pub fn revoke(shared: &Arc<Shared>, auth_app_id: &str) -> Result<()> {
    let revoked = lock(&shared.state).revoke(auth_app_id);
    match revoked {
        Some(authorisation) => {
            push_cancelled(shared, auth_app_id, &authorisation.merchant_pid);
            Ok(())
        }
        None => Err(Error::config(format!(
            "auth_app_id {auth_app_id} never authorised this third-party app"
        ))),
    }
}

/// `POST /emulator/revoke?auth_app_id=…`.
pub fn revoke_endpoint(shared: &Arc<Shared>, query: &str) -> Response {
    let auth_app_id = form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "auth_app_id")
        .map(|(_, value)| value.trim().to_string())
        .unwrap_or_default();
    if auth_app_id.is_empty() {
        return Response::json(400, &json!({"error": "auth_app_id is missing"}));
    }
    match revoke(shared, &auth_app_id) {
        Ok(()) => Response::json(200, &json!({"revoked": auth_app_id})),
        Err(error) => Response::json(404, &json!({"error": error.reason()})),
    }
}

/// `GET /emulator/alipay-public-key` (the current key: it changes with a certificate rotation).
pub fn public_key_endpoint(shared: &Shared) -> Response {
    Response::bytes(
        200,
        "application/x-pem-file",
        shared.alipay_key().0.public_key().to_pem().into_bytes(),
    )
}

/// `GET /emulator/stats`.
pub fn stats_endpoint(shared: &Shared) -> Response {
    let stats = lock(&shared.stats);
    Response::json(
        200,
        &json!({
            "total_calls": stats.total,
            "calls": stats.by_method,
        }),
    )
}
