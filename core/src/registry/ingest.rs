//! The ordering rules of ingestion, as pure decisions over the stored record: a newer authorisation
//! replaces an older one, a message about an older token never overwrites a newer one, a cancellation
//! revokes (never deletes) unless the merchant authorised again after it.

use super::record::{AuthOrigin, AuthStatus, MerchantAuthorisation};
use super::store::Decision;
use crate::auth::{AppAuthToken, AppAuthTokenInfo};
use crate::notify::AppAuthDetail;

/// How a token reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenSource {
    /// `exchange_app_auth_code`: a new authorisation.
    Exchange,
    /// `refresh_app_auth_token`: the same authorisation, a new token.
    Refresh,
}

/// The instant `seconds` after `issued_at_ms`, when known.
pub(crate) fn expiry(issued_at_ms: i64, seconds: Option<i64>) -> Option<i64> {
    seconds.map(|seconds| issued_at_ms.saturating_add(seconds.saturating_mul(1000)))
}

/// A token answered by the gateway at `now_ms` to our app `app_id`.
pub(crate) fn from_token(
    current: Option<&MerchantAuthorisation>,
    app_id: &str,
    token: &AppAuthToken,
    source: TokenSource,
    now_ms: i64,
) -> Decision {
    if current.is_some_and(|stored| stored.token_issued_at_ms > now_ms) {
        return Decision::Keep;
    }
    let (authorised_at_ms, origin) = match (source, current) {
        (TokenSource::Refresh, Some(stored)) => (stored.authorised_at_ms, stored.origin),
        _ => (now_ms, AuthOrigin::Authorised),
    };
    Decision::Write(Box::new(MerchantAuthorisation {
        app_id: app_id.to_string(),
        auth_app_id: token.auth_app_id.clone(),
        merchant_pid: token
            .user_id
            .clone()
            .or_else(|| current.and_then(|stored| stored.merchant_pid.clone())),
        app_auth_token: token.app_auth_token.clone(),
        app_refresh_token: token.app_refresh_token.clone(),
        expires_at_ms: expiry(now_ms, token.expires_in),
        refresh_expires_at_ms: expiry(now_ms, token.re_expires_in),
        authorised_at_ms,
        token_issued_at_ms: now_ms,
        status: AuthStatus::Active,
        revoked_at_ms: None,
        granted_methods: current
            .map(|stored| stored.granted_methods.clone())
            .unwrap_or_default(),
        version: 0,
        refresh_lease: None,
        updated_at_ms: now_ms,
        origin,
    }))
}

/// A verified `open_app_auth_notify` to our app `app_id`, authorised at `authorised_at_ms`.
pub(crate) fn from_app_auth_notification(
    current: Option<&MerchantAuthorisation>,
    app_id: &str,
    detail: &AppAuthDetail,
    authorised_at_ms: i64,
) -> Decision {
    if let Some(stored) = current {
        let older_token = stored.token_issued_at_ms >= authorised_at_ms;
        let revoked_after = stored
            .revoked_at_ms
            .is_some_and(|revoked_at| revoked_at >= authorised_at_ms);
        if older_token || revoked_after {
            return Decision::Keep;
        }
    }
    Decision::Write(Box::new(MerchantAuthorisation {
        app_id: app_id.to_string(),
        auth_app_id: detail.auth_app_id.clone(),
        merchant_pid: detail
            .user_id
            .clone()
            .or_else(|| current.and_then(|stored| stored.merchant_pid.clone())),
        app_auth_token: detail.app_auth_token.clone(),
        app_refresh_token: detail.app_refresh_token.clone(),
        expires_at_ms: expiry(authorised_at_ms, detail.expires_in),
        refresh_expires_at_ms: expiry(authorised_at_ms, detail.re_expires_in),
        authorised_at_ms,
        token_issued_at_ms: authorised_at_ms,
        status: AuthStatus::Active,
        revoked_at_ms: None,
        granted_methods: current
            .map(|stored| stored.granted_methods.clone())
            .unwrap_or_default(),
        version: 0,
        refresh_lease: None,
        updated_at_ms: authorised_at_ms,
        origin: AuthOrigin::Authorised,
    }))
}

/// A verified `alipay.open.auth.appauth.cancelled` sent at `cancelled_at_ms`.
pub(crate) fn from_cancellation(
    current: Option<&MerchantAuthorisation>,
    cancelled_at_ms: i64,
) -> Decision {
    match current {
        Some(stored)
            if stored.status == AuthStatus::Active
                && stored.authorised_at_ms <= cancelled_at_ms =>
        {
            let mut revoked = stored.clone();
            revoked.status = AuthStatus::Revoked;
            revoked.revoked_at_ms = Some(cancelled_at_ms);
            revoked.refresh_lease = None;
            Decision::Write(Box::new(revoked))
        }
        _ => Decision::Keep,
    }
}

/// What `alipay.open.auth.token.app.query` said of `queried_token` at `now_ms`.
pub(crate) fn from_query(
    current: Option<&MerchantAuthorisation>,
    queried_token: &str,
    info: &AppAuthTokenInfo,
    now_ms: i64,
) -> Decision {
    let Some(stored) = current else {
        return Decision::Keep;
    };
    if stored.app_auth_token != queried_token {
        return Decision::Keep;
    }
    let mut updated = stored.clone();
    if !info.auth_methods.is_empty() {
        updated.granted_methods = info.auth_methods.clone();
    }
    if let Some(seconds) = info.expires_in {
        // Re-querying moves the computed expiry by the query's latency: ignore differences under 2 s.
        let fresh = expiry(now_ms, Some(seconds));
        let moved = match (fresh, stored.expires_at_ms) {
            (Some(fresh), Some(old)) => (fresh - old).abs() >= 2_000,
            _ => true,
        };
        if moved {
            updated.expires_at_ms = fresh;
        }
    }
    if updated.merchant_pid.is_none() {
        updated.merchant_pid = info.user_id.clone();
    }
    if info.status.as_deref() == Some("invalid") && updated.status == AuthStatus::Active {
        updated.status = AuthStatus::Revoked;
        updated.revoked_at_ms = Some(now_ms);
    }
    if &updated == stored {
        Decision::Keep
    } else {
        Decision::Write(Box::new(updated))
    }
}
