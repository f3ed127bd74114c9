//! Parsing the callbacks Alipay redirects to after an authorisation: the merchant's
//! (`?app_id=&source=alipay_app_auth&app_auth_code=&state=`) and the user's
//! (`?app_id=&source=alipay_wallet&scope=&auth_code=&state=`), checking the `app_id` and the `state`.

use std::fmt;

use super::state::states_match;
use crate::error::{Error, Result};
use crate::secret::shown;

/// How to check the callback's `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateCheck<'a> {
    /// The callback must carry exactly this `state` (the one of the link you issued).
    Expect(&'a str),
    /// Links issued from the Alipay console come back without `state`: accept its absence. A callback
    /// that does carry one is still compared with `issued` when given.
    AllowMissing {
        /// The state you issued, if any link of yours is in use too.
        issued: Option<&'a str>,
    },
}

/// A verified merchant authorisation callback.
#[derive(Clone, PartialEq, Eq)]
pub struct AppAuthCallback {
    /// The single-use code to exchange with `exchange_app_auth_code` (valid 24 h; batch 10 min).
    pub app_auth_code: String,
    /// The ISV app_id (checked to be ours).
    pub app_id: String,
    /// `alipay_app_auth` for Alipay's redirect.
    pub source: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for AppAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuthCallback")
            .field(
                "app_auth_code",
                &shown("app_auth_code", &self.app_auth_code),
            )
            .field("app_id", &self.app_id)
            .field("source", &self.source)
            .field("state", &self.state)
            .finish()
    }
}

/// A verified user consent callback.
#[derive(Clone, PartialEq, Eq)]
pub struct UserAuthCallback {
    /// The single-use code to exchange with `exchange_user_auth_code`.
    pub auth_code: String,
    /// The app the user consented to (for a delegated mini-program, the merchant's auth_app_id).
    pub app_id: String,
    /// The scopes granted, e.g. `auth_user`.
    pub scope: Option<String>,
    /// The `state` carried back, when there was one.
    pub state: Option<String>,
}

impl fmt::Debug for UserAuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAuthCallback")
            .field("auth_code", &shown("auth_code", &self.auth_code))
            .field("app_id", &self.app_id)
            .field("scope", &self.scope)
            .field("state", &self.state)
            .finish()
    }
}

/// The query parameters of a callback URL (`https://…/cb?a=b`), a bare query (`a=b&c=d`, with or without
/// the leading `?`), decoded once.
pub fn callback_params(url_or_query: &str) -> Vec<(String, String)> {
    let query = match url_or_query.split_once('?') {
        Some((_, query)) => query,
        None if url_or_query.contains("://") => "",
        None => url_or_query,
    };
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn single<'a>(params: &'a [(String, String)], name: &str) -> Result<Option<&'a str>> {
    let mut values = params.iter().filter(|(key, _)| key == name);
    let first = values.next().map(|(_, value)| value.as_str());
    if values.next().is_some() {
        return Err(Error::protocol(format!(
            "the callback carries `{name}` twice; refusing an ambiguous callback"
        )));
    }
    Ok(first.filter(|value| !value.is_empty()))
}

fn check_state(received: Option<&str>, check: StateCheck<'_>) -> Result<()> {
    match (check, received) {
        (StateCheck::Expect(issued), Some(received))
        | (
            StateCheck::AllowMissing {
                issued: Some(issued),
            },
            Some(received),
        ) => {
            if states_match(issued, received) {
                Ok(())
            } else {
                Err(Error::signature(
                    "the callback's `state` does not match the one issued with the link: \
                     a forged or replayed callback, or another user's session",
                ))
            }
        }
        (StateCheck::Expect(_), None) => Err(Error::signature(
            "the callback carries no `state` although the link had one; if you hand out \
             console-issued links (they come back without state), allow a missing state",
        )),
        (StateCheck::AllowMissing { .. }, _) => Ok(()),
    }
}

/// Parses and checks a merchant authorisation callback.
///
/// # Errors
/// [`Error::Protocol`] when `app_auth_code` or `app_id` is missing or a parameter is repeated;
/// [`Error::Signature`] when the `app_id` is not `expected_app_id` or the `state` check fails.
pub fn parse_app_auth_callback(
    url_or_query: &str,
    expected_app_id: &str,
    state: StateCheck<'_>,
) -> Result<AppAuthCallback> {
    let params = callback_params(url_or_query);
    let app_id = single(&params, "app_id")?
        .ok_or_else(|| Error::protocol("the authorisation callback has no `app_id`"))?;
    if app_id != expected_app_id {
        return Err(Error::signature(format!(
            "the authorisation callback is for app {app_id}, not this app ({expected_app_id})"
        )));
    }
    let code = single(&params, "app_auth_code")?.ok_or_else(|| {
        Error::protocol(
            "the authorisation callback has no `app_auth_code` (did the merchant decline?)",
        )
    })?;
    let received_state = single(&params, "state")?;
    check_state(received_state, state)?;
    Ok(AppAuthCallback {
        app_auth_code: code.to_string(),
        app_id: app_id.to_string(),
        source: single(&params, "source")?.map(str::to_string),
        state: received_state.map(str::to_string),
    })
}

/// Parses and checks a user consent callback. `expected_app_id` is the app the link named (for a
/// delegated mini-program, the merchant's auth_app_id).
///
/// # Errors
/// As for [`parse_app_auth_callback`], with `auth_code` in place of `app_auth_code`.
pub fn parse_user_auth_callback(
    url_or_query: &str,
    expected_app_id: &str,
    state: StateCheck<'_>,
) -> Result<UserAuthCallback> {
    let params = callback_params(url_or_query);
    let app_id = single(&params, "app_id")?
        .ok_or_else(|| Error::protocol("the consent callback has no `app_id`"))?;
    if app_id != expected_app_id {
        return Err(Error::signature(format!(
            "the consent callback is for app {app_id}, not {expected_app_id}"
        )));
    }
    let code = single(&params, "auth_code")?.ok_or_else(|| {
        Error::protocol("the consent callback has no `auth_code` (did the user decline?)")
    })?;
    let received_state = single(&params, "state")?;
    check_state(received_state, state)?;
    Ok(UserAuthCallback {
        auth_code: code.to_string(),
        app_id: app_id.to_string(),
        scope: single(&params, "scope")?.map(str::to_string),
        state: received_state.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://isv.example.com/cb?app_id=2021&source=alipay_app_auth\
                       &app_auth_code=P2fcode123456&state=c3RhdGU%3D";

    #[test]
    fn a_good_callback_parses() {
        let callback =
            parse_app_auth_callback(URL, "2021", StateCheck::Expect("c3RhdGU=")).unwrap();
        assert_eq!(callback.app_auth_code, "P2fcode123456");
        assert_eq!(callback.source.as_deref(), Some("alipay_app_auth"));
        assert!(!format!("{callback:?}").contains("P2fcode123456"));
    }

    #[test]
    fn state_and_app_id_are_checked() {
        let wrong_state = parse_app_auth_callback(URL, "2021", StateCheck::Expect("b3RoZXI="));
        assert!(matches!(wrong_state, Err(Error::Signature { .. })));
        let wrong_app = parse_app_auth_callback(URL, "2022", StateCheck::Expect("c3RhdGU="));
        assert!(matches!(wrong_app, Err(Error::Signature { .. })));
        let console = "app_id=2021&source=alipay_app_auth&app_auth_code=P2f";
        assert!(matches!(
            parse_app_auth_callback(console, "2021", StateCheck::Expect("c3RhdGU=")),
            Err(Error::Signature { .. })
        ));
        let allowed =
            parse_app_auth_callback(console, "2021", StateCheck::AllowMissing { issued: None })
                .unwrap();
        assert_eq!(allowed.state, None);
        assert!(matches!(
            parse_app_auth_callback(
                URL,
                "2021",
                StateCheck::AllowMissing {
                    issued: Some("b3RoZXI=")
                }
            ),
            Err(Error::Signature { .. })
        ));
    }

    #[test]
    fn missing_or_repeated_fields_are_protocol_errors() {
        for query in [
            "app_id=2021&state=c3RhdGU%3D",
            "state=c3RhdGU%3D&app_auth_code=x",
            "app_id=2021&app_auth_code=x&app_auth_code=y&state=c3RhdGU%3D",
        ] {
            let result = parse_app_auth_callback(query, "2021", StateCheck::Expect("c3RhdGU="));
            assert!(
                matches!(result, Err(Error::Protocol { .. })),
                "{query}: {result:?}"
            );
        }
    }

    #[test]
    fn user_callbacks_parse() {
        let url = "?app_id=2021&source=alipay_wallet&scope=auth_user&auth_code=abc&state=eHk%3D";
        let callback = parse_user_auth_callback(url, "2021", StateCheck::Expect("eHk=")).unwrap();
        assert_eq!(callback.auth_code, "abc");
        assert_eq!(callback.scope.as_deref(), Some("auth_user"));
    }
}
