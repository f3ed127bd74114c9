//! Authorisation links: the merchant's (`appToAppAuth.htm`, batch `appToAppBatchAuth.htm`, the console
//! `b.alipay.com` task page) and the user's consent link (`publicAppAuthorize.htm`), on the production,
//! sandbox or any other host (the emulator).

use std::fmt;
use std::str::FromStr;

use serde_json::json;

use super::state::{check_state, generate_state};
use crate::error::{Error, Result};
use crate::request::form_component;
use crate::sign::Charset;

/// The production authorisation host.
pub const PRODUCTION_AUTH_HOST: &str = "https://openauth.alipay.com";
/// The sandbox authorisation host.
pub const SANDBOX_AUTH_HOST: &str = "https://openauth-sandbox.dl.alipaydev.com";
/// The merchant console host of console-style links.
pub const PRODUCTION_CONSOLE_HOST: &str = "https://b.alipay.com";

/// Resolves an authorisation host given by name (`production`, `sandbox`) or as an `http(s)://` URL.
///
/// # Errors
/// [`Error::Config`] for anything else.
pub fn resolve_auth_host(name_or_url: &str) -> Result<String> {
    resolve_host(name_or_url, PRODUCTION_AUTH_HOST, SANDBOX_AUTH_HOST)
}

/// Resolves the console host of console-style links: `production` (`b.alipay.com`) or a URL.
///
/// # Errors
/// [`Error::Config`] for anything else (the sandbox has no console links).
pub fn resolve_console_host(name_or_url: &str) -> Result<String> {
    if name_or_url.trim() == "sandbox" {
        return Err(Error::config(
            "the sandbox has no console authorisation links; use app_auth_link with host `sandbox`",
        ));
    }
    resolve_host(
        name_or_url,
        PRODUCTION_CONSOLE_HOST,
        PRODUCTION_CONSOLE_HOST,
    )
}

fn resolve_host(name_or_url: &str, production: &str, sandbox: &str) -> Result<String> {
    match name_or_url.trim() {
        "production" | "prod" => Ok(production.to_string()),
        "sandbox" => Ok(sandbox.to_string()),
        url if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(url.trim_end_matches('/').to_string())
        }
        other => Err(Error::config(format!(
            "unknown authorisation host `{other}`; use `production`, `sandbox` or an http(s) URL"
        ))),
    }
}

/// The kinds of merchant applications a batch authorisation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationType {
    /// `MOBILEAPP`: a mobile app.
    MobileApp,
    /// `WEBAPP`: a web site.
    WebApp,
    /// `PUBLICAPP`: a life account (生活号).
    PublicApp,
    /// `TINYAPP`: a mini-program.
    TinyApp,
    /// `ARAPP`: an AR app.
    ArApp,
    /// `BASEAPP`: a basic app.
    BaseApp,
}

impl ApplicationType {
    /// Every type, in the documented order.
    pub const ALL: [ApplicationType; 6] = [
        ApplicationType::MobileApp,
        ApplicationType::WebApp,
        ApplicationType::PublicApp,
        ApplicationType::TinyApp,
        ApplicationType::ArApp,
        ApplicationType::BaseApp,
    ];

    /// The wire name, e.g. `TINYAPP`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationType::MobileApp => "MOBILEAPP",
            ApplicationType::WebApp => "WEBAPP",
            ApplicationType::PublicApp => "PUBLICAPP",
            ApplicationType::TinyApp => "TINYAPP",
            ApplicationType::ArApp => "ARAPP",
            ApplicationType::BaseApp => "BASEAPP",
        }
    }
}

impl FromStr for ApplicationType {
    type Err = Error;

    /// Parses a wire name, case-insensitively.
    fn from_str(name: &str) -> Result<Self> {
        let upper = name.trim().to_ascii_uppercase();
        ApplicationType::ALL
            .into_iter()
            .find(|kind| kind.as_str() == upper)
            .ok_or_else(|| {
                Error::config(format!(
                    "unknown application type `{}`; expected one of MOBILEAPP, WEBAPP, PUBLICAPP, \
                     TINYAPP, ARAPP, BASEAPP",
                    name.trim()
                ))
            })
    }
}

impl fmt::Display for ApplicationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes a user can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserScope {
    /// `auth_base`: silent, the user id only.
    AuthBase,
    /// `auth_user`: the user's profile (`alipay.user.info.share`).
    AuthUser,
}

impl UserScope {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserScope::AuthBase => "auth_base",
            UserScope::AuthUser => "auth_user",
        }
    }
}

impl FromStr for UserScope {
    type Err = Error;

    /// Parses `auth_base` or `auth_user`, case-insensitively.
    fn from_str(name: &str) -> Result<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "auth_base" => Ok(UserScope::AuthBase),
            "auth_user" => Ok(UserScope::AuthUser),
            other => Err(Error::config(format!(
                "unknown user scope `{other}`; expected auth_base or auth_user"
            ))),
        }
    }
}

/// A link to send a merchant or user to, with the `state` to check on the way back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthLink {
    /// The URL to open.
    pub url: String,
    /// The `state` the callback must carry back: keep it (session, signed cookie) until then.
    pub state: String,
}

fn state_or_fresh(state: Option<&str>) -> Result<String> {
    match state {
        Some(state) => {
            check_state(state)?;
            Ok(state.to_string())
        }
        None => generate_state(),
    }
}

fn check_common(app_id: &str, redirect_uri: &str) -> Result<()> {
    if app_id.trim().is_empty() {
        return Err(Error::config(
            "the app_id of an authorisation link is empty",
        ));
    }
    if !(redirect_uri.starts_with("https://") || redirect_uri.starts_with("http://")) {
        return Err(Error::config(format!(
            "redirect_uri must be the http(s) callback URL configured for the app, not {redirect_uri:?}"
        )));
    }
    Ok(())
}

fn encode(text: &str) -> Result<String> {
    form_component(text, Charset::Utf8)
}

/// The merchant authorisation link: single (`appToAppAuth.htm`) when `application_types` is empty, batch
/// (`appToAppBatchAuth.htm?application_type=…`) otherwise. `host` is `production`, `sandbox` or a URL;
/// `state` is generated when `None`.
///
/// # Errors
/// [`Error::Config`] for an empty `app_id`, a `redirect_uri` that is not http(s), a state that is not
/// Base64, or an unknown host.
pub fn app_auth_link(
    host: &str,
    app_id: &str,
    redirect_uri: &str,
    application_types: &[ApplicationType],
    state: Option<&str>,
) -> Result<AuthLink> {
    check_common(app_id, redirect_uri)?;
    let host = resolve_auth_host(host)?;
    let state = state_or_fresh(state)?;
    let url = if application_types.is_empty() {
        format!(
            "{host}/oauth2/appToAppAuth.htm?app_id={}&redirect_uri={}&state={}",
            encode(app_id)?,
            encode(redirect_uri)?,
            encode(&state)?
        )
    } else {
        format!(
            "{host}/oauth2/appToAppBatchAuth.htm?app_id={}&application_type={}&redirect_uri={}&state={}",
            encode(app_id)?,
            encode(&join_types(application_types))?,
            encode(redirect_uri)?,
            encode(&state)?
        )
    };
    Ok(AuthLink { url, state })
}

fn join_types(application_types: &[ApplicationType]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for kind in application_types {
        if !names.contains(&kind.as_str()) {
            names.push(kind.as_str());
        }
    }
    names.join(",")
}

/// The console-style merchant authorisation link (`b.alipay.com/page/message/tasksDetail?bizData=…`).
/// `host` is `production` or a URL (the emulator).
///
/// # Errors
/// As for [`app_auth_link`]; at least one application type is required.
pub fn console_auth_link(
    host: &str,
    app_id: &str,
    redirect_uri: &str,
    application_types: &[ApplicationType],
    state: Option<&str>,
) -> Result<AuthLink> {
    check_common(app_id, redirect_uri)?;
    if application_types.is_empty() {
        return Err(Error::config(
            "a console authorisation link needs at least one application type (e.g. TINYAPP)",
        ));
    }
    let host = resolve_console_host(host)?;
    let state = state_or_fresh(state)?;
    let type_names: Vec<String> = join_types(application_types)
        .split(',')
        .map(str::to_string)
        .collect();
    let biz_data = json!({
        "platformCode": "O",
        "taskType": "INTERFACE_AUTH",
        "agentOpParam": {
            "redirectUri": redirect_uri,
            "appTypes": type_names,
            "isvAppId": app_id,
            "state": state,
        }
    });
    Ok(AuthLink {
        url: format!(
            "{host}/page/message/tasksDetail?bizData={}",
            encode(&biz_data.to_string())?
        ),
        state,
    })
}

/// The user consent link (`publicAppAuthorize.htm`) for the app `app_id` — for a delegated
/// mini-program, the merchant's `auth_app_id`.
///
/// # Errors
/// As for [`app_auth_link`]; at least one scope is required.
pub fn user_consent_link(
    host: &str,
    app_id: &str,
    scopes: &[UserScope],
    redirect_uri: &str,
    state: Option<&str>,
) -> Result<AuthLink> {
    check_common(app_id, redirect_uri)?;
    if scopes.is_empty() {
        return Err(Error::config(
            "a user consent link needs a scope: auth_base or auth_user",
        ));
    }
    let host = resolve_auth_host(host)?;
    let state = state_or_fresh(state)?;
    let mut names: Vec<&str> = Vec::new();
    for scope in scopes {
        if !names.contains(&scope.as_str()) {
            names.push(scope.as_str());
        }
    }
    Ok(AuthLink {
        url: format!(
            "{host}/oauth2/publicAppAuthorize.htm?app_id={}&scope={}&redirect_uri={}&state={}",
            encode(app_id)?,
            encode(&names.join(","))?,
            encode(redirect_uri)?,
            encode(&state)?
        ),
        state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &str = "https://isv.example.com/alipay/callback?tenant=7";

    #[test]
    fn single_link_encodes_the_redirect_and_keeps_the_state() {
        let link = app_auth_link(
            "production",
            "2021000000000001",
            CALLBACK,
            &[],
            Some("c3RhdGU="),
        )
        .unwrap();
        assert_eq!(
            link.url,
            "https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=2021000000000001\
             &redirect_uri=https%3A%2F%2Fisv.example.com%2Falipay%2Fcallback%3Ftenant%3D7&state=c3RhdGU%3D"
        );
        assert_eq!(link.state, "c3RhdGU=");
    }

    #[test]
    fn batch_link_lists_each_type_once() {
        let types = [
            ApplicationType::TinyApp,
            ApplicationType::WebApp,
            ApplicationType::TinyApp,
        ];
        let link = app_auth_link("sandbox", "2021", CALLBACK, &types, None).unwrap();
        assert!(link.url.starts_with(
            "https://openauth-sandbox.dl.alipaydev.com/oauth2/appToAppBatchAuth.htm?app_id=2021\
             &application_type=TINYAPP%2CWEBAPP&redirect_uri="
        ));
        assert_eq!(link.state.len(), 32);
    }

    #[test]
    fn console_link_carries_the_task_json() {
        let link = console_auth_link(
            "production",
            "2021",
            CALLBACK,
            &[ApplicationType::TinyApp],
            Some("c3RhdGU="),
        )
        .unwrap();
        let encoded = link.url.split("bizData=").nth(1).unwrap();
        let decoded: String = form_urlencoded::parse(format!("x={encoded}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let value: serde_json::Value = serde_json::from_str(&decoded).unwrap();
        assert_eq!(value["agentOpParam"]["isvAppId"], "2021");
        assert_eq!(value["agentOpParam"]["appTypes"][0], "TINYAPP");
        assert_eq!(value["agentOpParam"]["redirectUri"], CALLBACK);
        assert!(
            link.url
                .starts_with("https://b.alipay.com/page/message/tasksDetail?bizData=")
        );
    }

    #[test]
    fn user_link_names_the_scope() {
        let link = user_consent_link(
            "http://127.0.0.1:9/",
            "2021",
            &[UserScope::AuthUser],
            CALLBACK,
            None,
        )
        .unwrap();
        assert!(link.url.starts_with(
            "http://127.0.0.1:9/oauth2/publicAppAuthorize.htm?app_id=2021&scope=auth_user&redirect_uri="
        ));
    }

    #[test]
    fn bad_inputs_are_config_errors() {
        for result in [
            app_auth_link("production", "", CALLBACK, &[], None),
            app_auth_link("production", "2021", "isv.example.com/cb", &[], None),
            app_auth_link("production", "2021", CALLBACK, &[], Some("not base64!")),
            app_auth_link("moon", "2021", CALLBACK, &[], None),
            console_auth_link("production", "2021", CALLBACK, &[], None),
            user_consent_link("production", "2021", &[], CALLBACK, None),
        ] {
            assert!(matches!(result, Err(Error::Config { .. })), "{result:?}");
        }
        assert!("tinyapp".parse::<ApplicationType>().is_ok());
        assert!("miniapp".parse::<ApplicationType>().is_err());
        assert!("auth_user".parse::<UserScope>().is_ok());
    }
}
