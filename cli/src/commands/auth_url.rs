//! `alipay-isv auth-url`: prints an authorisation link — the merchant's (single, batch or console) or a
//! user's consent link — with the `state` to check when the callback comes back.

use alipay_isv::Result;
use alipay_isv::auth::{
    ApplicationType, UserScope, app_auth_link, console_auth_link, user_consent_link,
};
use serde_json::json;

use crate::output::print_json;

/// Options of `auth-url`.
#[derive(clap::Args)]
pub struct Args {
    /// The app the link is for: the ISV app_id (merchant links) or the merchant's auth_app_id (user links).
    #[arg(long)]
    app_id: String,
    /// The callback URL configured for the app.
    #[arg(long)]
    redirect_uri: String,
    /// `production`, `sandbox`, or a URL (e.g. the emulator's base URL).
    #[arg(long, default_value = "production")]
    host: String,
    /// A batch authorisation for these application types (comma-separated: TINYAPP,WEBAPP,…).
    #[arg(long, value_delimiter = ',')]
    application_types: Vec<String>,
    /// The console-style link (b.alipay.com task page); needs --application-types.
    #[arg(long, conflicts_with = "user_scope")]
    console: bool,
    /// A user consent link with these scopes (auth_base, auth_user) instead of a merchant link.
    #[arg(long, value_delimiter = ',')]
    user_scope: Vec<String>,
    /// Use this Base64 state instead of a fresh random one.
    #[arg(long)]
    state: Option<String>,
}

/// Builds and prints the link.
pub fn run(args: Args) -> Result<()> {
    let types = args
        .application_types
        .iter()
        .map(|name| name.parse::<ApplicationType>())
        .collect::<Result<Vec<_>>>()?;
    let state = args.state.as_deref();
    let (kind, link) = if !args.user_scope.is_empty() {
        let scopes = args
            .user_scope
            .iter()
            .map(|name| name.parse::<UserScope>())
            .collect::<Result<Vec<_>>>()?;
        let link = user_consent_link(&args.host, &args.app_id, &scopes, &args.redirect_uri, state)?;
        ("user_consent", link)
    } else if args.console {
        let link = console_auth_link(&args.host, &args.app_id, &args.redirect_uri, &types, state)?;
        ("console", link)
    } else {
        let kind = if types.is_empty() { "single" } else { "batch" };
        let link = app_auth_link(&args.host, &args.app_id, &args.redirect_uri, &types, state)?;
        (kind, link)
    };
    print_json(&json!({"kind": kind, "url": link.url, "state": link.state}))
}
