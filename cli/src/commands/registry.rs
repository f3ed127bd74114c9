//! `alipay-isv registry list|show|revoke|import --db FILE`: look into a merchant authorisation registry
//! (SQLite), revoke an authorisation by hand, and import a token copied from the open-platform console
//! ([`import`]). Tokens are masked unless `--show-secrets` is given (never by `import`); an encrypted
//! registry's key is read from an environment variable, never from the command line.

mod import;

use std::path::{Path, PathBuf};

use alipay_isv::registry::{MerchantAuthorisation, Registry, TokenKey};
use alipay_isv::secret::mask_json;
use alipay_isv::{Error, Result};
use serde_json::{Value, json};

use crate::output::print_json;

/// Options of `registry`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    file: RegistryFile,
    /// Print tokens in full.
    #[arg(long, global = true)]
    show_secrets: bool,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Every merchant authorisation.
    List,
    /// One merchant authorisation, by auth_app_id.
    Show {
        /// The merchant's authorised app.
        auth_app_id: String,
        /// Our app it authorised, when it authorised several of our apps or plugins.
        #[arg(long)]
        app_id: Option<String>,
    },
    /// Mark a merchant authorisation revoked (the record is kept).
    Revoke {
        /// The merchant's authorised app.
        auth_app_id: String,
    },
    /// Import a merchant's app_auth_token copied from the open-platform console (方法二): read from
    /// standard input or an environment variable, never from an argument; checked with
    /// alipay.open.auth.token.app.query, stored, and printed masked. Creates the registry if missing.
    Import(Box<import::Args>),
}

/// Where a registry is (`registry` and `orders` share these options).
#[derive(clap::Args)]
pub(crate) struct RegistryFile {
    /// The registry's SQLite file.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// The environment variable holding the Base64 AES-256 key of an encrypted registry.
    #[arg(long, global = true)]
    key_env: Option<String>,
}

impl RegistryFile {
    /// The `--db` path.
    pub(crate) fn path(&self) -> Result<&Path> {
        self.db
            .as_deref()
            .ok_or_else(|| Error::config("--db FILE is required: the registry's SQLite file"))
    }

    /// Opens the registry (a missing file is an error unless `create`).
    pub(crate) fn open(&self, create: bool) -> Result<Registry> {
        open(self.path()?, self.key_env.as_deref(), create)
    }
}

/// Opens the registry at `path` (with the key in the environment variable `key_env`); a missing file is
/// an error unless `create`.
fn open(path: &Path, key_env: Option<&str>, create: bool) -> Result<Registry> {
    if !create && !path.exists() {
        return Err(Error::config(format!("no registry at {}", path.display())));
    }
    let key = match key_env {
        Some(name) => {
            let text = std::env::var(name).map_err(|_| {
                Error::config(format!(
                    "the environment variable {name} (the registry key) is not set"
                ))
            })?;
            Some(TokenKey::from_base64(&text)?)
        }
        None => None,
    };
    Registry::open(path, key)
}

/// A record as printed: tokens masked unless `show_secrets`.
fn describe(record: &MerchantAuthorisation, show_secrets: bool) -> Value {
    let mut described = json!({
        "app_id": record.app_id,
        "auth_app_id": record.auth_app_id,
        "merchant_pid": record.merchant_pid,
        "status": record.status.as_str(),
        "app_auth_token": record.app_auth_token,
        "app_refresh_token": record.app_refresh_token,
        "expires_at_ms": record.expires_at_ms,
        "refresh_expires_at_ms": record.refresh_expires_at_ms,
        "authorised_at_ms": record.authorised_at_ms,
        "token_issued_at_ms": record.token_issued_at_ms,
        "revoked_at_ms": record.revoked_at_ms,
        "granted_methods": record.granted_methods,
        "version": record.version,
        "origin": record.origin.as_str(),
    });
    if !show_secrets {
        mask_json(&mut described);
    }
    described
}

/// Runs the action.
pub fn run(args: Args) -> Result<()> {
    let path = args.file.path()?.to_path_buf();
    let importing = matches!(args.action, Action::Import(_));
    if importing && args.show_secrets {
        return Err(Error::config(
            "registry import never prints tokens: leave out --show-secrets (use `registry show` after)",
        ));
    }
    let existed = path.exists();
    let registry = args.file.open(importing)?;
    match args.action {
        Action::List => {
            let records: Vec<Value> = registry
                .list()?
                .iter()
                .map(|record| describe(record, args.show_secrets))
                .collect();
            print_json(&Value::Array(records))?;
        }
        Action::Show {
            auth_app_id,
            app_id,
        } => {
            let record = match &app_id {
                Some(app_id) => registry.get_for_app(app_id, &auth_app_id)?,
                None => registry.get(&auth_app_id)?,
            };
            let record = record.ok_or_else(|| {
                Error::config(format!(
                    "no authorisation for auth_app_id {auth_app_id} in {}",
                    path.display()
                ))
            })?;
            print_json(&describe(&record, args.show_secrets))?;
        }
        Action::Revoke { auth_app_id } => {
            let record = registry.revoke(&auth_app_id)?;
            print_json(&describe(&record, args.show_secrets))?;
        }
        Action::Import(import) => {
            let outcome = import::run(*import, registry, &path);
            if outcome.is_err() && !existed {
                // A refused import leaves no registry file behind that was not there before.
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            outcome?;
        }
    }
    Ok(())
}
