//! `alipay-isv registry import --db FILE`: imports a merchant's `app_auth_token` copied from the
//! open-platform console (获得 app_auth_token 的方法二) into the registry. The gateway is asked what the
//! token is (`alipay.open.auth.token.app.query`, signed with the ISV app's key) and the relation it
//! answers is stored; the stored record is printed with its tokens masked.
//!
//! Tokens are secrets, so they are never command-line arguments (the process list and the shell history
//! would show them): the token is read from standard input (its first line) or from the environment
//! variable named by `--token-env`; the optional refresh token from `--refresh-token-env`, or from the
//! next line of standard input with `--refresh-token-stdin`.

use std::io::{BufRead, IsTerminal, Read};
use std::sync::Arc;

use alipay_isv::client::Client;
use alipay_isv::config::IsvConfig;
use alipay_isv::registry::Registry;
use alipay_isv::{Error, Result};
use serde_json::json;
use zeroize::Zeroizing;

use crate::input::{read_bytes, read_private_key, read_public_key};
use crate::output::{err, print_json};

/// The longest line read from standard input.
const MAX_LINE_BYTES: u64 = 4096;

/// Options of `registry import`.
#[derive(clap::Args)]
pub struct Args {
    /// The third-party app's app_id (the ISV app the merchant authorised).
    #[arg(long)]
    app_id: String,
    /// The app private key file (PEM or one-line Base64, PKCS#1 or PKCS#8).
    #[arg(long)]
    private_key: String,
    /// The Alipay public key file (public-key mode).
    #[arg(
        long,
        required_unless_present = "alipay_cert",
        conflicts_with = "alipay_cert"
    )]
    alipay_public_key: Option<String>,
    /// Certificate mode: the app public-key certificate file (appCertPublicKey_<app_id>.crt).
    #[arg(long, requires_all = ["alipay_cert", "root_cert"])]
    app_cert: Option<String>,
    /// Certificate mode: the Alipay public-key certificate file (alipayCertPublicKey_RSA2.crt).
    #[arg(long, requires_all = ["app_cert", "root_cert"])]
    alipay_cert: Option<String>,
    /// Certificate mode: the Alipay root certificate bundle file (alipayRootCert.crt).
    #[arg(long, requires_all = ["app_cert", "alipay_cert"])]
    root_cert: Option<String>,
    /// The gateway: `production`, `sandbox`, or a URL (e.g. the emulator's).
    #[arg(long, default_value = "production")]
    gateway: String,
    /// RSA2 or RSA.
    #[arg(long, default_value = "RSA2")]
    sign_type: String,
    /// Read the app_auth_token from this environment variable (default: the first line of standard
    /// input).
    #[arg(long, value_name = "NAME")]
    token_env: Option<String>,
    /// Read the app_refresh_token from this environment variable.
    #[arg(long, value_name = "NAME", conflicts_with = "refresh_token_stdin")]
    refresh_token_env: Option<String>,
    /// Read the app_refresh_token from standard input (the line after the app_auth_token when that is
    /// read from standard input too).
    #[arg(long)]
    refresh_token_stdin: bool,
}

/// A secret from the environment variable `name` (given with `flag`).
fn from_env(name: &str, flag: &str, what: &str) -> Result<Zeroizing<String>> {
    // The name is echoed only when it looks like one: a token pasted in its place stays unprinted.
    let conventional = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let shown = if conventional {
        format!("the environment variable {name}")
    } else {
        format!("the environment variable named by {flag}")
    };
    match std::env::var(name) {
        Ok(value) => Ok(Zeroizing::new(value)),
        Err(std::env::VarError::NotPresent) => {
            Err(Error::config(format!("{shown} (the {what}) is not set")))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::config(format!(
            "{shown} (the {what}) is not UTF-8 text"
        ))),
    }
}

/// The next line of standard input, without its line break (bounded).
fn from_stdin(stdin: &mut impl BufRead, what: &str) -> Result<Zeroizing<String>> {
    if std::io::stdin().is_terminal() {
        err(&format!("paste the {what}, then press Enter:"));
    }
    let mut bytes = Zeroizing::new(Vec::new());
    stdin
        .take(MAX_LINE_BYTES)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| Error::config(format!("cannot read the {what} from standard input: {e}")))?;
    if bytes.is_empty() {
        return Err(Error::config(format!(
            "standard input is empty: pipe the {what} in, or name an environment variable holding it"
        )));
    }
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::config(format!("the {what} on standard input is not UTF-8 text")))?;
    Ok(Zeroizing::new(text))
}

/// The ISV configuration the query is signed with.
fn config(args: &Args) -> Result<IsvConfig> {
    let files = [
        Some(&args.private_key),
        args.alipay_public_key.as_ref(),
        args.app_cert.as_ref(),
        args.alipay_cert.as_ref(),
        args.root_cert.as_ref(),
    ];
    if files.into_iter().flatten().any(|path| path == "-") {
        return Err(Error::config(
            "keys and certificates must be files here: standard input carries the token",
        ));
    }
    let private_key = Arc::new(read_private_key(&args.private_key)?);
    let builder = match (&args.alipay_public_key, &args.app_cert) {
        (Some(path), _) => {
            IsvConfig::builder(&args.app_id, private_key, Arc::new(read_public_key(path)?))
        }
        (None, Some(app_cert)) => IsvConfig::cert_builder(
            &args.app_id,
            private_key,
            read_bytes(app_cert, "app certificate")?,
            read_bytes(
                args.alipay_cert.as_deref().unwrap_or_default(),
                "Alipay certificate",
            )?,
            read_bytes(
                args.root_cert.as_deref().unwrap_or_default(),
                "root certificate bundle",
            )?,
        ),
        (None, None) => {
            return Err(Error::config(
                "give --alipay-public-key, or --app-cert, --alipay-cert and --root-cert",
            ));
        }
    };
    builder
        .gateway(&args.gateway)
        .sign_type(args.sign_type.parse()?)
        .build()
}

/// Imports the token and prints the outcome and the stored record (tokens masked).
pub fn run(args: Args, registry: Registry, place: &str) -> Result<()> {
    let client = Client::new(config(&args)?)?;
    let registry = registry.with_client(client);
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let token = match &args.token_env {
        Some(name) => from_env(name, "--token-env", "app_auth_token")?,
        None => from_stdin(&mut stdin, "app_auth_token")?,
    };
    let refresh = match (&args.refresh_token_env, args.refresh_token_stdin) {
        (Some(name), _) => Some(from_env(name, "--refresh-token-env", "app_refresh_token")?),
        (None, true) => Some(from_stdin(&mut stdin, "app_refresh_token")?),
        (None, false) => None,
    };
    let imported = registry.import_token(&token, refresh.as_deref().map(String::as_str))?;
    print_json(&json!({
        "outcome": imported.outcome.as_str(),
        "db": place,
        "record": super::describe(&imported.record, false),
    }))
}
