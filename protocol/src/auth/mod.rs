//! Merchant and user authorisation: the links a merchant or user opens ([`links`]), the `state` that
//! ties a callback to the link it came from ([`state`]), parsing those callbacks ([`callback`]), and the
//! lenient token models the gateway answers with ([`models`]). The calls that exchange codes for tokens
//! live on `Client` (crate `alipay-isv`).

pub mod callback;
pub(crate) mod lenient;
pub mod links;
pub mod models;
pub mod state;

pub use callback::{
    AppAuthCallback, StateCheck, UserAuthCallback, parse_app_auth_callback,
    parse_user_auth_callback,
};
pub use links::{
    ApplicationType, AuthLink, UserScope, app_auth_link, console_auth_link, resolve_auth_host,
    resolve_console_host, user_consent_link,
};
pub use models::{AppAuthToken, AppAuthTokenInfo, UserInfo, UserToken};
pub use state::{generate_state, states_match};
