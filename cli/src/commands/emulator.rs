//! `alipay-isv emulator`: runs the offline Alipay gateway on loopback, prints what to configure in an
//! SDK (gateway URL, Alipay public key, page URLs; in certificate mode the root bundle, the Alipay
//! certificate and their SNs, and optionally an app certificate written to a file), then serves until the
//! process is killed.

use alipay_isv::Result;
use alipay_isv_emulator::{Emulator, EmulatorOptions};
use serde_json::json;

use crate::input::{read_private_key, read_public_key};
use crate::output::print_json;

/// Options of `emulator`.
#[derive(clap::Args)]
pub struct Args {
    /// The port to listen on (0 takes any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The third-party app's app_id the gateway accepts.
    #[arg(long)]
    app_id: String,
    /// The app's public key file (PEM, one-line Base64, or an X.509 certificate): request signatures
    /// are verified with it.
    #[arg(long)]
    app_public_key: String,
    /// The application gateway (应用网关) URL, http:// only: authorisation and cancellation pushes go
    /// there.
    #[arg(long)]
    notify_url: Option<String>,
    /// The "Alipay" private key file to sign with (default: a fresh 2048-bit key each start).
    #[arg(long)]
    alipay_private_key: Option<String>,
    /// Certificate mode: the emulator makes its own root CA and Alipay certificate, prints the root bundle
    /// and the Alipay certificate, and requires app_cert_sn and alipay_root_cert_sn on every request.
    #[arg(long)]
    cert_mode: bool,
    /// With --cert-mode: write an app certificate for --app-public-key to this file (its SN is accepted).
    #[arg(long, requires = "cert_mode")]
    app_cert_out: Option<String>,
}

/// Starts the emulator, prints its settings as JSON, and blocks until the process is killed.
pub fn run(args: Args) -> Result<()> {
    let mut options = EmulatorOptions::new(args.app_id, read_public_key(&args.app_public_key)?);
    options.host = args.host;
    options.port = args.port;
    options.notify_url = args.notify_url;
    options.alipay_private_key = match &args.alipay_private_key {
        Some(path) => Some(read_private_key(path)?),
        None => None,
    };
    options.cert_mode = args.cert_mode;
    let app_public_key = options.app_public_key.clone();
    let emulator = Emulator::start(options)?;
    let base = emulator.base_url();
    let mut settings = json!({
        "gateway_url": emulator.gateway_url(),
        "base_url": base,
        "app_id": emulator.app_id(),
        "alipay_public_key_pem": emulator.alipay_public_key_pem(),
        "alipay_public_key_base64": emulator.alipay_public_key().to_base64(),
        "alipay_public_key_fingerprint": emulator.alipay_public_key().fingerprint(),
        "merchant_auth_page": format!("{base}/oauth2/appToAppAuth.htm"),
        "batch_auth_page": format!("{base}/oauth2/appToAppBatchAuth.htm"),
        "user_consent_page": format!("{base}/oauth2/publicAppAuthorize.htm"),
        "admin": {
            "revoke": format!("POST {base}/emulator/revoke?auth_app_id="),
            "stats": format!("GET {base}/emulator/stats"),
            "alipay_public_key": format!("GET {base}/emulator/alipay-public-key"),
            "console_app_auth_token": format!("GET {base}/emulator/console/app-auth-token?auth_app_id="),
        },
    });
    if emulator.is_cert_mode() {
        let mut cert = json!({
            "alipay_root_cert_sn": emulator.alipay_root_cert_sn()?,
            "alipay_cert_sn": emulator.alipay_cert_sn()?,
            "root_cert_bundle_pem": emulator.root_cert_bundle_pem()?,
            "alipay_cert_pem": emulator.alipay_cert_pem()?,
        });
        if let Some(path) = &args.app_cert_out {
            let pem = emulator.issue_app_cert(&app_public_key)?;
            std::fs::write(path, &pem).map_err(|e| {
                alipay_isv::Error::config(format!(
                    "cannot write the app certificate to `{path}`: {e}"
                ))
            })?;
            cert["app_cert_file"] = json!(path);
            cert["app_cert_sn"] = json!(alipay_isv::cert::app_cert_sn(pem.as_bytes())?);
        }
        settings["cert_mode"] = cert;
    }
    // Printed and flushed; a closed stdout does not stop the emulator.
    print_json(&settings)?;
    loop {
        std::thread::park();
    }
}
