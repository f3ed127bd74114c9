//! The steps of the demo, in order. Each step does one real thing — over HTTP, with real signatures —
//! and says in one or two lines what happened; tokens are shown masked.

use std::sync::Arc;
use std::time::Duration;

use alipay_isv::auth::{
    StateCheck, UserScope, app_auth_link, parse_app_auth_callback, parse_user_auth_callback,
    user_consent_link,
};
use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::gateway::{Delivery, Gateway, GatewayOutcome};
use alipay_isv::key::generate_key_pair;
use alipay_isv::notify::Notification;
use alipay_isv::registry::{ORDER_PLACED, Registry};
use alipay_isv::request::CallOptions;
use alipay_isv::secret::shown;
use alipay_isv::{Error, Result};
use alipay_isv_emulator::{Emulator, EmulatorOptions};

use super::app_gateway::AppGateway;
use super::{Args, Steps};

/// The ISV's callback URL (the emulator redirects there; the demo reads the redirect).
const CALLBACK: &str = "http://127.0.0.1/alipay/callback";
/// How long to wait for a pushed notification.
pub(super) const NOTIFICATION_WAIT: Duration = Duration::from_secs(15);
/// A merchant method the emulator answers with success when called with a valid token.
const DELEGATED_METHOD: &str = "alipay.open.mini.version.list.query";

/// Options of the delegated call when the registry supplies the token.
fn delegated_options() -> CallOptions {
    CallOptions {
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    }
}

/// The registry: `--db FILE_OR_URL`, or a fresh file in the temporary directory.
fn open_registry(args: &Args) -> Result<Registry> {
    match &args.db {
        Some(url) if crate::commands::registry::is_url(url) => Registry::open_url(url, None),
        Some(path) => Registry::open(path, None),
        None => {
            let path = temporary_registry_path();
            let _ = std::fs::remove_file(&path);
            Registry::open(path, None)
        }
    }
}

fn temporary_registry_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("alipay-isv-demo-{}.db", std::process::id()))
}

fn registry_place(args: &Args) -> String {
    match &args.db {
        Some(place) => alipay_isv::registry::redacted_url(place),
        None => format!("{} (temporary)", temporary_registry_path().display()),
    }
}

fn delegated(token: &str) -> CallOptions {
    CallOptions {
        app_auth_token: Some(token.to_string()),
        biz_content: Some("{}".into()),
        ..CallOptions::default()
    }
}

/// Walks the whole flow.
pub fn run(steps: &mut Steps, args: &Args) -> Result<()> {
    let app_id = args.app_id.as_str();
    let app = steps.run("generate the ISV app key pair", || {
        let pair = generate_key_pair(2048)?;
        let detail = format!("RSA 2048, public key {}", pair.public_key.fingerprint());
        Ok((pair, detail))
    })?;

    let emulator = steps.run("start the Alipay emulator on loopback", || {
        let mut options = EmulatorOptions::new(app_id, app.public_key.clone());
        options.cert_mode = args.cert_mode;
        let emulator = Emulator::start(options)?;
        let detail = format!(
            "gateway {}\nits Alipay public key {}",
            emulator.gateway_url(),
            emulator.alipay_public_key().fingerprint()
        );
        Ok((emulator, detail))
    })?;

    let private_key = Arc::new(app.private_key);
    let config = if args.cert_mode {
        steps.run(
            "certificate mode: the app certificate is issued, the Alipay certificate checked against the root bundle",
            || {
                let app_cert = emulator.issue_app_cert(&app.public_key)?;
                let config = IsvConfig::cert_builder(
                    app_id,
                    private_key.clone(),
                    app_cert,
                    emulator.alipay_cert_pem()?,
                    emulator.root_cert_bundle_pem()?,
                )
                .gateway(emulator.gateway_url())
                .build()?;
                let cert = config
                    .cert_mode()
                    .ok_or_else(|| Error::config("certificate mode is off"))?;
                let detail = format!(
                    "app_cert_sn {}\nalipay_root_cert_sn {} (the bundle's ECDSA root left out)\nalipay_cert_sn {}",
                    cert.app_cert_sn(),
                    cert.alipay_root_cert_sn(),
                    cert.alipay_cert_sn()
                );
                Ok((config, detail))
            },
        )?
    } else {
        IsvConfig::builder(
            app_id,
            private_key,
            Arc::new(emulator.alipay_public_key().clone()),
        )
        .gateway(emulator.gateway_url())
        .build()?
    };
    let client = Client::new(config.clone())?;
    let registry = Arc::new(open_registry(args)?.with_client(client.clone()));
    let gateway = steps.run(
        "start the application gateway that receives notifications",
        || {
            let orders = registry.clone();
            let gateway = AppGateway::start(
                Gateway::new(&config, registry.clone()),
                move |delivery| accept_new_order(&orders, delivery),
            )?;
            emulator.set_notify_url(Some(gateway.url.clone()));
            let detail = format!(
                "{} — the library's Gateway: verifies, stores into the registry in {}, accepts new                  orders, and only then answers `success`",
                gateway.url,
                registry_place(args)
            );
            Ok((gateway, detail))
        },
    )?;

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
            shown("app_auth_code", &callback.app_auth_code),
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
                shown("app_auth_token", &token.app_auth_token),
                token.expires_in.unwrap_or_default()
            );
            Ok((token, detail))
        },
    )?;

    steps.run(
        "store the relation merchant PID – auth_app_id – app_auth_token in the registry",
        || {
            let outcomes = registry.ingest_tokens(std::slice::from_ref(&token))?;
            let stored = registry
                .get(&token.auth_app_id)?
                .ok_or_else(|| Error::protocol("the registry lost the authorisation"))?;
            let detail = format!(
                "{} – {} – {} ({}) in {}",
                stored.merchant_pid.as_deref().unwrap_or("?"),
                stored.auth_app_id,
                shown("app_auth_token", &stored.app_auth_token),
                outcomes[0].as_str(),
                registry_place(args)
            );
            Ok(((), detail))
        },
    )?;
    let auth_app_id = token.auth_app_id.clone();

    steps.run(
        "query the token: valid, and which APIs were granted",
        || {
            let token = registry.token_for(&auth_app_id)?;
            let info = client.query_app_auth_token(&token)?;
            if !info.is_valid() {
                return Err(Error::protocol("the fresh token is reported invalid"));
            }
            let outcome = registry.ingest_query(&token, &info)?;
            let detail = format!(
                "status valid, granted {} (registry: {})",
                info.auth_methods.join(", "),
                outcome.as_str()
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "the app-auth notification arrives at the gateway, verifies, and is stored once",
        || {
            let (delivery, result, body) =
                gateway.next_delivery(NOTIFICATION_WAIT, |notification| {
                    matches!(notification, Notification::AppAuth(auth) if auth.detail.auth_app_id == auth_app_id)
                })?;
            let Notification::AppAuth(auth) = &delivery.notification else {
                unreachable!("picked above")
            };
            // Alipay's retry of the same message: acknowledged, nothing stored or handled again.
            let retry = gateway.gateway.handle(FORM, &body, |_| {
                Err("a retry of a handled notification must not reach the handler")
            });
            if retry.outcome != GatewayOutcome::AlreadyHandled || !retry.answer.is_success() {
                return Err(Error::protocol(format!(
                    "the retry was {}, not acknowledged",
                    retry.outcome.as_str()
                )));
            }
            let detail = format!(
                "notify_id {}: merchant {} authorised {}\nregistry: {} when it arrived, answered {}; Alipay's retry: {}, answered {}",
                auth.notify_id,
                auth.detail.user_id.as_deref().unwrap_or("?"),
                auth.detail.auth_app_id,
                delivery.ingest.as_str(),
                result.answer.body,
                retry.outcome.as_str(),
                retry.answer.body
            );
            Ok(((), detail))
        },
    )?;

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
            shown("auth_code", &callback.auth_code),
            callback.scope.as_deref().unwrap_or("?")
        );
        Ok((callback, detail))
    })?;

    let merchant_token = registry.token_for(&auth_app_id)?;
    let user_token = steps.run(
        "exchange the user's code on the merchant's behalf (alipay.system.oauth.token)",
        || {
            let token =
                client.exchange_user_auth_code(&user_callback.auth_code, Some(&merchant_token))?;
            let detail = format!(
                "user {} / open_id {}: access token {}",
                token.user_id.as_deref().unwrap_or("-"),
                token.open_id.as_deref().unwrap_or("-"),
                shown("access_token", &token.access_token)
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
            let response =
                registry.execute_for(&auth_app_id, DELEGATED_METHOD, &delegated_options())?;
            let detail = format!(
                "token looked up in the registry; verified answer: {}",
                serde_json::Value::Object(response.fields)
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "the same delegated call over OpenAPI v3 (token in the signed alipay-app-auth-token header)",
        || {
            let path = format!("/v3/{}", DELEGATED_METHOD.replace('.', "/"));
            let call = alipay_isv::v3::V3Call::new("POST", &path).json(&serde_json::json!({}));
            let response = registry.execute_v3_for(&auth_app_id, &call)?;
            let detail = format!(
                "POST {path}: HTTP {}, answer verified over its exact bytes (alipay-signature), trace {}: {}",
                response.status,
                response.trace_id.as_deref().unwrap_or("-"),
                serde_json::Value::Object(response.fields)
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "refresh the merchant token; the old one keeps working for now",
        || {
            let refresh = registry
                .get(&auth_app_id)?
                .and_then(|stored| stored.app_refresh_token)
                .ok_or_else(|| Error::protocol("no app_refresh_token was issued"))?;
            let tokens = client.refresh_app_auth_token(&refresh)?;
            registry.ingest_refreshed_tokens(&tokens)?;
            let fresh = tokens
                .into_iter()
                .next()
                .expect("a refresh answers a token");
            if fresh.app_auth_token == merchant_token {
                return Err(Error::protocol("the refresh returned the same token"));
            }
            client.execute(DELEGATED_METHOD, &delegated(&merchant_token))?;
            let detail = format!(
                "new token {}; the previous one still answers",
                shown("app_auth_token", &fresh.app_auth_token)
            );
            if registry.token_for(&auth_app_id)? != fresh.app_auth_token {
                return Err(Error::protocol("the registry did not keep the new token"));
            }
            Ok(((), detail))
        },
    )?;

    if args.cert_mode {
        steps.run(
            "Alipay rotates its certificate; the next call downloads, checks and trusts the new one",
            || {
                let rotated = emulator.rotate_alipay_cert()?;
                let response =
                    registry.execute_for(&auth_app_id, DELEGATED_METHOD, &delegated_options())?;
                if response.alipay_cert_sn.as_deref() != Some(rotated.as_str()) {
                    return Err(Error::protocol("the answer is not signed by the new certificate"));
                }
                let downloads = emulator.call_count(alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD);
                let detail = format!(
                    "new alipay_cert_sn {rotated}: fetched with {} ({downloads} download), chained to the root, cached",
                    alipay_isv::cert::ALIPAY_CERT_DOWNLOAD_METHOD
                );
                Ok(((), detail))
            },
        )?;
    }

    steps.run("the merchant revokes the authorisation", || {
        emulator.revoke(&auth_app_id)?;
        Ok(((), format!("{auth_app_id} revoked in the merchant console")))
    })?;

    steps.run(
        "the cancellation message arrives at the gateway, verifies, and revokes the merchant in the registry",
        || {
            let (delivery, _, _) = gateway.next_delivery(NOTIFICATION_WAIT, |notification| {
                matches!(notification, Notification::Message(message) if message.is_app_auth_cancelled())
            })?;
            let outcome = delivery.ingest;
            let stored = registry
                .get(&auth_app_id)?
                .ok_or_else(|| Error::protocol("the registry lost the authorisation"))?;
            if stored.is_active() {
                return Err(Error::protocol(
                    "the merchant is still active after the cancellation",
                ));
            }
            let detail = format!(
                "alipay.open.auth.appauth.cancelled for {auth_app_id}: {} — kept as {}",
                outcome.as_str(),
                stored.status.as_str()
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        "the registry refuses the revoked merchant without calling Alipay",
        || {
            let calls = emulator.total_calls();
            match registry.execute_for(&auth_app_id, DELEGATED_METHOD, &delegated_options()) {
                Err(Error::Store { reason }) if emulator.total_calls() == calls => {
                    Ok(((), format!("refused: {reason}")))
                }
                Err(other) => Err(other),
                Ok(_) => Err(Error::protocol("the registry served a revoked merchant")),
            }
        },
    )?;

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

    // The second way to a token assumes no notification reached the ISV: the gateway is off meanwhile.
    emulator.set_notify_url(None);
    super::method_two::run(
        steps,
        &emulator,
        &registry,
        app_id,
        CALLBACK,
        DELEGATED_METHOD,
    )?;
    emulator.set_notify_url(Some(gateway.url.clone()));

    super::subscription::run(steps, &emulator, &registry, &gateway, DELEGATED_METHOD)
}

/// The content type of Alipay's pushes.
pub(super) const FORM: Option<&str> = Some("application/x-www-form-urlencoded; charset=utf-8");

/// The gateway's order handler: accepts (接单) an order still awaiting the ISV, through the registry
/// (which records it); an order already accepted is left alone, so a retry does nothing twice.
fn accept_new_order(registry: &Registry, delivery: &Delivery) -> Result<()> {
    let Notification::ServiceMarketOrder(order) = &delivery.notification else {
        return Ok(());
    };
    match registry.order(&order.commodity_order_id)? {
        Some(stored) if stored.status == ORDER_PLACED => {
            registry.accept_order(&order.commodity_order_id).map(drop)
        }
        _ => Ok(()),
    }
}
