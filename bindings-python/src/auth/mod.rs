//! The authorisation helpers, the Python face of `alipay_isv::auth`: the links (`app_auth_link`,
//! `console_auth_link`, `user_consent_link`) in [`links`], `generate_state` and `states_match` in
//! [`state`], the callback parsers in [`callback`], and the typed results of the token calls
//! (`AppAuthToken`, `AppAuthTokenInfo`, `UserToken`, `UserInfo`) in [`models`].
//!
//! Application types and scopes are given as strings (or the `str` enums `ApplicationType` and
//! `UserScope` of `alipay_isv.enums`), one string or a sequence. `repr()` of a callback masks its
//! code, and of a token result every token.

mod callback;
mod links;
mod models;
mod state;

pub(crate) use callback::{
    AppAuthCallback, UserAuthCallback, parse_app_auth_callback, parse_user_auth_callback,
};
pub(crate) use links::{AuthLink, app_auth_link, console_auth_link, user_consent_link};
pub(crate) use models::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
pub(crate) use state::{generate_state, states_match};
