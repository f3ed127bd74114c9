//! Merchant and user authorisation, mirroring `alipay_isv::auth`: the links (merchant single and
//! batch, console-style, user consent) in [`links`], the `state` that ties a callback to its link in
//! [`state`], callback parsing in [`callback`], and the token records the typed calls of
//! [`crate::client::Client`] return in [`models`].
//!
//! The Kotlin `toString()` of every record that holds a token or a code masks it.

mod callback;
mod links;
mod models;
mod state;

pub use callback::{
    AppAuthCallback, StateCheck, UserAuthCallback, parse_app_auth_callback,
    parse_user_auth_callback,
};
pub use links::{
    ApplicationType, AuthLink, UserScope, app_auth_link, console_auth_link, parse_application_type,
    parse_user_scope, user_consent_link,
};
pub use models::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
pub use state::{generate_state, states_match};

use std::fmt;

/// Shows an optional value for `toString()`.
fn plain<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "null".to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_mask_their_secrets() {
        let token = AppAuthToken {
            app_auth_token: "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21".into(),
            app_refresh_token: Some("202611BBf0e1d2c3b4a5968778695a4b3c2d1R21".into()),
            auth_app_id: "2021000000000999".into(),
            user_id: None,
            expires_in: Some(1),
            re_expires_in: None,
        };
        let shown = token.to_string();
        assert!(!shown.contains("a1b2c3d4"), "{shown}");
        assert!(!shown.contains("f0e1d2c3"), "{shown}");
        assert!(shown.contains("2021000000000999"), "{shown}");
        let user = UserToken {
            user_id: None,
            open_id: Some("074a".into()),
            access_token: "authusrBa1b2c3d4e5f6a7b8c9d0e1f2X21".into(),
            expires_in: None,
            refresh_token: None,
            re_expires_in: None,
            auth_start: None,
        };
        assert!(!user.to_string().contains("a1b2c3d4"));
        let callback = AppAuthCallback {
            app_auth_code: "P5f3secretcode1234".into(),
            app_id: "2021".into(),
            source: None,
            state: None,
        };
        assert!(!callback.to_string().contains("secretcode"));
    }
}
