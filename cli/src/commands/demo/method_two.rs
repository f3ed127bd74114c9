//! The demo's last part: a second merchant obtained the second way (获得 app_auth_token 的方法二). The
//! merchant authorises from a console link but the ISV exchanges no code: it copies the merchant's
//! `app_auth_token` from the open-platform console, imports it into the registry (the gateway vouches for
//! it with `alipay.open.auth.token.app.query`), and makes a delegated call with it through the registry.

use alipay_isv::auth::{ApplicationType, console_auth_link};
use alipay_isv::registry::Registry;
use alipay_isv::request::CallOptions;
use alipay_isv::secret::shown;
use alipay_isv::{Error, Result};
use alipay_isv_emulator::Emulator;

use super::Steps;

/// The second merchant's PID and app (the emulator lets the link choose them).
const MERCHANT_PID: &str = "2088000000000002";
const AUTH_APP_ID: &str = "2021000000000002";

/// Runs the steps of the second merchant.
pub(super) fn run(
    steps: &mut Steps,
    emulator: &Emulator,
    registry: &Registry,
    app_id: &str,
    callback: &str,
    delegated_method: &str,
) -> Result<()> {
    steps.run(
        "a second merchant authorises from a console link; no notification reaches the ISV and it exchanges no code",
        || {
            let link = console_auth_link(
                &emulator.base_url(),
                app_id,
                callback,
                &[ApplicationType::TinyApp],
                None,
            )?;
            let link = format!(
                "{}&merchant_pid={MERCHANT_PID}&auth_app_id={AUTH_APP_ID}",
                link.url
            );
            emulator.merchant_authorizes(&link)?;
            Ok((
                (),
                format!("merchant {MERCHANT_PID} authorised app {AUTH_APP_ID} on the console page"),
            ))
        },
    )?;

    steps.run(
        "copy its app_auth_token from the open-platform console and import it (方法二)",
        || {
            let console = emulator.console_app_auth_token(AUTH_APP_ID)?;
            let imported = registry.import_token(&console.app_auth_token, None)?;
            let record = imported.record;
            if record.auth_app_id != AUTH_APP_ID {
                return Err(Error::protocol(format!(
                    "the import stored {} instead of {AUTH_APP_ID}",
                    record.auth_app_id
                )));
            }
            let detail = format!(
                "the console shows token {} until {} (UTC+8), and no refresh token\n\
                 alipay.open.auth.token.app.query vouched for it: {} – {} – {} stored ({}, origin {})\n\
                 without a refresh token it cannot be refreshed: re-import it before it expires",
                shown("app_auth_token", &console.app_auth_token),
                console.auth_end,
                record.merchant_pid.as_deref().unwrap_or("?"),
                record.auth_app_id,
                shown("app_auth_token", &record.app_auth_token),
                imported.outcome.as_str(),
                record.origin.as_str()
            );
            Ok(((), detail))
        },
    )?;

    steps.run(
        &format!("a delegated call for the second merchant ({delegated_method})"),
        || {
            let options = CallOptions {
                biz_content: Some("{}".into()),
                ..CallOptions::default()
            };
            let response = registry.execute_for(AUTH_APP_ID, delegated_method, &options)?;
            let detail = format!(
                "the imported token looked up in the registry; verified answer: {}",
                serde_json::Value::Object(response.fields)
            );
            Ok(((), detail))
        },
    )?;
    Ok(())
}
