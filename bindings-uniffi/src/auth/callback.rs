//! Parsing the callbacks an authorisation redirects to, mirroring `alipay_isv::auth::callback`: how
//! to check their `state` ([`StateCheck`]), the merchant's [`AppAuthCallback`] and the user's
//! [`UserAuthCallback`], each checked against the expected app id. `toString()` masks the codes.

use std::fmt;

use alipay_isv::auth as core;
use alipay_isv::secret::shown;

use super::plain;
use crate::error::{Result, guard};

/// How to check a callback's `state` (Kotlin: `StateCheck.Expect(link.state)`, or
/// `StateCheck.AllowMissing(issued = null)` for console-issued links).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum StateCheck {
    /// The callback must carry exactly this `state` (the one of the link you issued).
    Expect {
        /// The issued state.
        state: String,
    },
    /// Links issued from the Alipay console come back without `state`: accept its absence. A
    /// callback that does carry one is still compared with `issued` when given.
    AllowMissing {
        /// The state you issued, if any link of yours is in use too.
        issued: Option<String>,
    },
}

impl StateCheck {
    /// The core check, borrowing the state.
    fn to_core(&self) -> core::StateCheck<'_> {
        match self {
            StateCheck::Expect { state } => core::StateCheck::Expect(state),
            StateCheck::AllowMissing { issued } => core::StateCheck::AllowMissing {
                issued: issued.as_deref(),
            },
        }
    }
}

/// A checked merchant authorisation callback. `toString()` masks the code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct AppAuthCallback {
    /// The single-use code to pass to `Client.exchangeAppAuthCode`.
    pub app_auth_code: String,
    /// The ISV app id (checked to be ours).
    pub app_id: String,
    /// `alipay_app_auth` for Alipay's redirect.
    pub source: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for AppAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for AppAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AppAuthCallback(appAuthCode={}, appId={}, source={}, state={})",
            shown("app_auth_code", &self.app_auth_code),
            self.app_id,
            plain(&self.source),
            plain(&self.state)
        )
    }
}

/// Parses and checks a merchant authorisation callback (a URL or its query).
///
/// Throws `AlipayException.Protocol` when `app_auth_code` or `app_id` is missing or a parameter is
/// repeated, `.Signature` when the app id is not `expected_app_id` or the state check fails.
#[uniffi::export]
pub fn parse_app_auth_callback(
    url_or_query: String,
    expected_app_id: String,
    state: StateCheck,
) -> Result<AppAuthCallback> {
    guard("parseAppAuthCallback", || {
        let callback =
            core::parse_app_auth_callback(&url_or_query, &expected_app_id, state.to_core())?;
        Ok(AppAuthCallback {
            app_auth_code: callback.app_auth_code,
            app_id: callback.app_id,
            source: callback.source,
            state: callback.state,
        })
    })
}

/// A checked user consent callback. `toString()` masks the code.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct UserAuthCallback {
    /// The single-use code to pass to `Client.exchangeUserAuthCode`.
    pub auth_code: String,
    /// The app the user consented to (for a delegated mini-program, the merchant's app).
    pub app_id: String,
    /// The scopes granted, e.g. `auth_user`.
    pub scope: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for UserAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for UserAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UserAuthCallback(authCode={}, appId={}, scope={}, state={})",
            shown("auth_code", &self.auth_code),
            self.app_id,
            plain(&self.scope),
            plain(&self.state)
        )
    }
}

/// Parses and checks a user consent callback; `expected_app_id` is the app the link named.
///
/// Throws as `parseAppAuthCallback` does, with `auth_code` in place of `app_auth_code`.
#[uniffi::export]
pub fn parse_user_auth_callback(
    url_or_query: String,
    expected_app_id: String,
    state: StateCheck,
) -> Result<UserAuthCallback> {
    guard("parseUserAuthCallback", || {
        let callback =
            core::parse_user_auth_callback(&url_or_query, &expected_app_id, state.to_core())?;
        Ok(UserAuthCallback {
            auth_code: callback.auth_code,
            app_id: callback.app_id,
            scope: callback.scope,
            state: callback.state,
        })
    })
}
