//! The steps of the demo, in order. Each step does one real thing — over HTTP, with real signatures —
//! and says in one or two lines what happened; tokens are shown masked.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use alipay_isv::auth::{
    StateCheck, UserScope, app_auth_link, parse_app_auth_callback, parse_user_auth_callback,
    user_consent_link,
};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::error::mask_secret;
use alipay_isv::key::generate_key_pair;
use alipay_isv::notify::Notification;
use alipay_isv::request::CallOptions;
use alipay_isv::{Error, Result};
use alipay_isv_emulator::{Emulator, EmulatorOptions};

use super::Steps;
use super::app_gateway::AppGateway;

/// The ISV's callback URL (the emulator redirects there; the demo reads the redirect).
const CALLBACK: &str = "http://127.0.0.1/alipay/callback";
/// How long to wait for a pushed notification.
const NOTIFICATION_WAIT: Duration = Duration::from_secs(15);
/// A merchant method the emulator answers with success when called with a valid token.
const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";

/// One stored authorisation: the relation the ISV must keep.
struct StoredAuthorisation {
    merchant_pid: String,
    app_auth_token: String,
    app_refresh_token: Option<String>,
}

fn expect_notification<T>(
    gateway: &AppGateway,
    pick: impl Fn(&Notification) -> Option<T>,
) -> Result<T> {
    let notification = gateway.next(NOTIFICATION_WAIT)?;
    pick(&notification).ok_or_else(|| {
        Error::protocol(format!(
            "an unexpected notification arrived: {notification:?}"
        ))
    })
}

fn delegated(token: &str) -> CallOptions {
    CallOptions {
        app_auth_token: Some(token.to_string()),
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    }
}

/// Walks the whole flow.
pub fn run(steps: &mut Steps, app_id: &str) -> Result<()> {
    let app = steps.run("generate the ISV app key pair", || {
        let pair = generate_key_pair(2048)?;
        let detail = format!("RSA 2048, public key {}", pair.public_key.fingerprint());
        Ok((pair, detail))
    })?;

    let emulator = steps.run("start the Alipay emulator on loopback", || {
        let emulator = Emulator::start(EmulatorOptions::new(app_id, app.public_key.clone()))?;
        let detail = format!(
            "gateway {}\nits Alipay public key {}",
            emulator.gateway_url(),
            emulator.alipay_public_key().fingerprint()
        );
        Ok((emulator, detail))
    })?;

    let config = IsvConfig::builder(
        app_id,
        Arc::new(app.private_key),
        Arc::new(emulator.alipay_public_key().clone()),
    )
    .gateway(emulator.gateway_url())
    .build()?;
    let gateway = steps.run(
        "start the application gateway that receives notifications",
        || {
            let gateway = AppGateway::start(config.notification_verifier())?;
            emulator.set_notify_url(Some(gateway.url.clone()));
            let detail = format!("{} (answers `success` once verified)", gateway.url);
            Ok((gateway, detail))
        },
    )?;
    let client = Client::new(config)?;

    let link = steps.run("build the merchant authorisation link", || {
        let link = app_auth_link(&emulator.base_url(), app_id, CALLBACK, &[], None)?;
        let detail = format!(
            "{}\nstate {} (kept until the callback)",
            link.url, link.state
        );
        Ok((link, detail))
    })?;

    let callback_url = steps.run("the merchant opens the link and authorises", || {
        let location = emulator.merchant_authorizes(&link.url)?;
        let shown = location.split("app_auth_code=").next().unwrap_or_default();
        Ok((
            location.clone(),
            format!("redirected to {shown}app_auth_code=…"),
        ))
    })?;

    let callback = steps.run("the callback arrives: app_id and state checked", || {
        let callback =
            parse_app_auth_callback(&callback_url, app_id, StateCheck::Expect(&link.state))?;
        let detail = format!(
            "app_auth_code {} from {}",
            mask_secret(&callback.app_auth_code),
            callback.source.as_deref().unwrap_or("?")
        );
        Ok((callback, detail))
    })?;

    let token = steps.run(
        "exchange the code for the merchant's app_auth_token",
        || {
            let mut tokens = client.exchange_app_auth_code(&callback.app_auth_code)?;
            let token = tokens.remove(0);
            let detail = format!(
                "merchant {} authorised app {}: token {} for {} s",
                token.user_id.as_deref().unwrap_or("?"),
                token.auth_app_id,
                mask_secret(&token.app_auth_token),
                token.expires_in.unwrap_or_default()
            );
            Ok((token, detail))
        },
    )?;

    let mut store: BTreeMap<String, StoredAuthorisation> = BTreeMap::new();
    steps.run(
        "store the relation merchant PID – auth_app_id – app_auth_token",
        || {
            store.insert(
                token.auth_app_id.clone(),
                StoredAuthorisation {
                    merchant_pid: token.user_id.clone().unwrap_or_default(),
                    app_auth_token: token.app_auth_token.clone(),
                    app_refresh_token: token.app_refresh_token.clone(),
                },
            );
            let stored = &store[&token.auth_app_id];
            let detail = format!(
                "{} – {} – {}",
                stored.merchant_pid,
                token.auth_app_id,
                mask_secret(&stored.app_auth_token)
            );
            Ok(((), detail))
        },
    )?;
    let auth_app_id = token.auth_app_id.clone();

    steps.run(
        "query the token: valid, and which APIs were granted",
        || {
            let info = client.query_app_auth_token(&store[&auth_app_id].app_auth_token)?;
            if !info.is_valid() {
                return Err(Error::protocol("the fresh token is reported invalid"));
            }
            let detail = format!("status valid, granted {}", info.auth_methods.join(", "));
            Ok(((), detail))
        },
    )?;

    steps.run("the app-auth notification arrives and verifies", || {
        let detail = expect_notification(&gateway, |notification| match notification {
            Notification::AppAuth(auth) if auth.detail.auth_app_id == auth_app_id => Some(format!(
                "notify_id {}: merchant {} authorised {}",
                auth.notify_id,
                auth.detail.user_id.as_deref().unwrap_or("?"),
                auth.detail.auth_app_id
            )),
            _ => None,
        })?;
        Ok(((), detail))
    })?;

    let user_callback = steps.run("a user consents in the merchant's mini-program", || {
        let link = user_consent_link(
            &emulator.base_url(),
            &auth_app_id,
            &[UserScope::AuthUser],
            CALLBACK,
            None,
        )?;
        let location = emulator.user_consents(&link.url)?;
        let callback =
            parse_user_auth_callback(&location, &auth_app_id, StateCheck::Expect(&link.state))?;
        let detail = format!(
            "auth_code {} with scope {}",
            mask_secret(&callback.auth_code),
            callback.scope.as_deref().unwrap_or("?")
        );
        Ok((callback, detail))
    })?;

    let merchant_token = store[&auth_app_id].app_auth_token.clone();
    let user_token = steps.run(
        "exchange the user's code on the merchant's behalf (alipay.system.oauth.token)",
        || {
            let token =
                client.exchange_user_auth_code(&user_callback.auth_code, Some(&merchant_token))?;
            let detail = format!(
                "user {} / open_id {}: access token {}",
                token.user_id.as_deref().unwrap_or("-"),
                token.open_id.as_deref().unwrap_or("-"),
                mask_secret(&token.access_token)
            );
            Ok((token, detail))
        },
    )?;

    steps.run("read the user's profile (alipay.user.info.share)", || {
        let info = client.user_info_share(&user_token.access_token, Some(&merchant_token))?;
        let detail = format!(
            "{} from {} {}",
            info.nick_name.as_deref().unwrap_or("?"),
            info.province.as_deref().unwrap_or("?"),
            info.city.as_deref().unwrap_or("?")
        );
        Ok(((), detail))
    })?;

    steps.run(
        &format!("a delegated call for the merchant ({DELEGATED_METHOD})"),
        || {
            let response = client.execute(DELEGATED_METHOD, &delegated(&merchant_token))?;
            let detail = format!(
                "verified answer: {}",
                serde_json::Value::Object(response.fields)
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "refresh the merchant token; the old one keeps working for now",
        || {
            let refresh = store[&auth_app_id]
                .app_refresh_token
                .clone()
                .ok_or_else(|| Error::protocol("no app_refresh_token was issued"))?;
            let fresh = client.refresh_app_auth_token(&refresh)?.remove(0);
            if fresh.app_auth_token == merchant_token {
                return Err(Error::protocol("the refresh returned the same token"));
            }
            client.execute(DELEGATED_METHOD, &delegated(&merchant_token))?;
            let detail = format!(
                "new token {}; the previous one still answers",
                mask_secret(&fresh.app_auth_token)
            );
            let stored = store.get_mut(&auth_app_id).expect("stored above");
            stored.app_auth_token = fresh.app_auth_token;
            stored.app_refresh_token = fresh.app_refresh_token;
            Ok(((), detail))
        },
    )?;

    steps.run("the merchant revokes the authorisation", || {
        emulator.revoke(&auth_app_id)?;
        Ok(((), format!("{auth_app_id} revoked in the merchant console")))
    })?;

    steps.run("the cancellation message arrives and verifies", || {
        let detail = expect_notification(&gateway, |notification| match notification {
            Notification::Message(message) if message.is_app_auth_cancelled() => Some(format!(
                "{} for {}",
                message.msg_method,
                message.msg_app_id.as_deref().unwrap_or("?")
            )),
            _ => None,
        })?;
        store.remove(&auth_app_id);
        Ok(((), detail))
    })?;

    steps.run(
        "a call with the revoked token fails with Alipay's real error",
        || match client.execute(DELEGATED_METHOD, &delegated(&merchant_token)) {
            Err(Error::Api(api)) if api.code == "20001" => {
                let detail = format!("refused as expected: {api}");
                Ok(((), detail))
            }
            Err(other) => Err(other),
            Ok(_) => Err(Error::protocol("the revoked token was accepted")),
        },
    )?;
    Ok(())
}
