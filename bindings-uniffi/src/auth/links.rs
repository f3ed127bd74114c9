//! Authorisation links, mirroring `alipay_isv::auth::links`: the [`ApplicationType`]s and
//! [`UserScope`]s they name, the merchant's link (single, batch, console-style) and the user's consent
//! link, each an [`AuthLink`] with the `state` its callback must carry back.

use alipay_isv::auth as core;

use crate::error::{Result, guard};

/// The kinds of merchant applications a batch authorisation covers (wire names `MOBILEAPP`,
/// `WEBAPP`, `PUBLICAPP`, `TINYAPP`, `ARAPP`, `BASEAPP`; see `wireName()` and
/// `parseApplicationType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<ApplicationType> for core::ApplicationType {
    fn from(kind: ApplicationType) -> Self {
        match kind {
            ApplicationType::MobileApp => core::ApplicationType::MobileApp,
            ApplicationType::WebApp => core::ApplicationType::WebApp,
            ApplicationType::PublicApp => core::ApplicationType::PublicApp,
            ApplicationType::TinyApp => core::ApplicationType::TinyApp,
            ApplicationType::ArApp => core::ApplicationType::ArApp,
            ApplicationType::BaseApp => core::ApplicationType::BaseApp,
        }
    }
}

impl From<core::ApplicationType> for ApplicationType {
    fn from(kind: core::ApplicationType) -> Self {
        match kind {
            core::ApplicationType::MobileApp => ApplicationType::MobileApp,
            core::ApplicationType::WebApp => ApplicationType::WebApp,
            core::ApplicationType::PublicApp => ApplicationType::PublicApp,
            core::ApplicationType::TinyApp => ApplicationType::TinyApp,
            core::ApplicationType::ArApp => ApplicationType::ArApp,
            core::ApplicationType::BaseApp => ApplicationType::BaseApp,
        }
    }
}

#[uniffi::export]
impl ApplicationType {
    /// The wire name, e.g. `TINYAPP`.
    pub fn wire_name(&self) -> String {
        core::ApplicationType::from(*self).as_str().to_string()
    }
}

/// Parses an application type's wire name (`TINYAPP`, case-insensitive).
///
/// Throws `AlipayException.Config` for an unknown name.
#[uniffi::export]
pub fn parse_application_type(name: String) -> Result<ApplicationType> {
    guard("parseApplicationType", || {
        name.parse::<core::ApplicationType>()
            .map(ApplicationType::from)
    })
}

/// The scopes a user can grant (wire names `auth_base`, `auth_user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum UserScope {
    /// `auth_base`: silent, the user id only.
    AuthBase,
    /// `auth_user`: the user's profile (`alipay.user.info.share`).
    AuthUser,
}

impl From<UserScope> for core::UserScope {
    fn from(scope: UserScope) -> Self {
        match scope {
            UserScope::AuthBase => core::UserScope::AuthBase,
            UserScope::AuthUser => core::UserScope::AuthUser,
        }
    }
}

#[uniffi::export]
impl UserScope {
    /// The wire name, e.g. `auth_user`.
    pub fn wire_name(&self) -> String {
        core::UserScope::from(*self).as_str().to_string()
    }
}

/// Parses a user scope's wire name (`auth_user` or `auth_base`, case-insensitive).
///
/// Throws `AlipayException.Config` for an unknown name.
#[uniffi::export]
pub fn parse_user_scope(name: String) -> Result<UserScope> {
    guard("parseUserScope", || {
        Ok(match name.parse::<core::UserScope>()? {
            core::UserScope::AuthBase => UserScope::AuthBase,
            core::UserScope::AuthUser => UserScope::AuthUser,
        })
    })
}

/// A link to send a merchant or user to, and the `state` its callback must carry back: keep the
/// state (session, signed cookie) until then.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthLink {
    /// The URL to open.
    pub url: String,
    /// The `state` to check the callback against.
    pub state: String,
}

impl From<core::AuthLink> for AuthLink {
    fn from(link: core::AuthLink) -> Self {
        AuthLink {
            url: link.url,
            state: link.state,
        }
    }
}

/// The merchant authorisation link: single (`appToAppAuth.htm`) when `application_types` is
/// empty, batch (`appToAppBatchAuth.htm`) otherwise. `host` is `production`, `sandbox` or a URL
/// (the emulator's `baseUrl()`); `state` is generated when null.
///
/// Throws `AlipayException.Config` for an empty app id, a redirect URI that is not http(s), a
/// state that is not Base64, or an unknown host.
#[uniffi::export(default(application_types = [], state = None))]
pub fn app_auth_link(
    host: String,
    app_id: String,
    redirect_uri: String,
    application_types: Vec<ApplicationType>,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("appAuthLink", || {
        let types: Vec<core::ApplicationType> =
            application_types.into_iter().map(Into::into).collect();
        core::app_auth_link(&host, &app_id, &redirect_uri, &types, state.as_deref())
            .map(AuthLink::from)
    })
}

/// The console-style merchant authorisation link (`b.alipay.com/page/message/tasksDetail`);
/// `host` is `production` or a URL. Its callback comes back without `state`: parse it with
/// `StateCheck.AllowMissing`.
///
/// Throws as `appAuthLink` does; at least one application type is required.
#[uniffi::export(default(state = None))]
pub fn console_auth_link(
    host: String,
    app_id: String,
    redirect_uri: String,
    application_types: Vec<ApplicationType>,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("consoleAuthLink", || {
        let types: Vec<core::ApplicationType> =
            application_types.into_iter().map(Into::into).collect();
        core::console_auth_link(&host, &app_id, &redirect_uri, &types, state.as_deref())
            .map(AuthLink::from)
    })
}

/// The user consent link (`publicAppAuthorize.htm`) for the app `app_id` — for a delegated
/// mini-program, the merchant's `authAppId`.
///
/// Throws as `appAuthLink` does; at least one scope is required.
#[uniffi::export(default(state = None))]
pub fn user_consent_link(
    host: String,
    app_id: String,
    scopes: Vec<UserScope>,
    redirect_uri: String,
    state: Option<String>,
) -> Result<AuthLink> {
    guard("userConsentLink", || {
        let scopes: Vec<core::UserScope> = scopes.into_iter().map(Into::into).collect();
        core::user_consent_link(&host, &app_id, &scopes, &redirect_uri, state.as_deref())
            .map(AuthLink::from)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_their_wire_names() {
        for kind in core::ApplicationType::ALL {
            let ours = ApplicationType::from(kind);
            assert_eq!(parse_application_type(ours.wire_name()).unwrap(), ours);
        }
        assert_eq!(
            parse_user_scope("AUTH_USER".into()).unwrap(),
            UserScope::AuthUser
        );
        assert!(parse_user_scope("auth_everything".into()).is_err());
    }
}
