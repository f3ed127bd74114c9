//! Merchant and user authorisation, mirroring `alipay_isv::auth`: the links to send a merchant or
//! user to ([`app_auth_link`], [`console_auth_link`], [`user_consent_link`], in [`links`]), the
//! `state` that ties a callback to its link ([`generate_state`], [`states_match`], in [`state`]),
//! the callback parsers ([`parse_app_auth_callback`], [`parse_user_auth_callback`], in
//! [`callback`]), and the typed results of the client's token calls (in [`models`]). Links, state
//! and callbacks are synchronous: no network.
//!
//! Application types and scopes are their wire names as strings (`TINYAPP`, `auth_user`, …,
//! case-insensitive). A parsed callback carries a single-use code and a token result its tokens:
//! their `toString()` and `util.inspect` mask them.

mod callback;
mod links;
mod models;
mod state;

pub use callback::{
    AppAuthCallback, StateCheckOptions, UserAuthCallback, parse_app_auth_callback,
    parse_user_auth_callback,
};
pub use links::{
    AppAuthLinkOptions, AuthLink, UserConsentLinkOptions, app_auth_link, console_auth_link,
    user_consent_link,
};
pub use models::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
pub use state::{generate_state, states_match};
