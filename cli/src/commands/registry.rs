//! `alipay-isv registry list|show|revoke|import --db FILE`: look into a merchant authorisation registry
//! (SQLite), revoke an authorisation by hand, and import a token copied from the open-platform console
//! ([`import`]). Tokens are masked unless `--show-secrets` is given (never by `import`); an encrypted
//! registry's key is read from an environment variable, never from the command line.

mod import;

use std::path::Path;

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
    /// The registry: a SQLite file, or a URL — `postgres://user:password@host/db`, `mysql://…`,
    /// `sqlite://PATH`, `memory:`.
    #[arg(long, global = true, value_name = "FILE_OR_URL")]
    db: Option<String>,
    /// The environment variable holding the Base64 AES-256 key of an encrypted registry.
    #[arg(long, global = true)]
    key_env: Option<String>,
}

/// Where a registry is: a SQLite file given by path, or a URL.
pub(crate) enum Place<'a> {
    /// A SQLite file.
    File(&'a Path),
    /// A URL (`postgres://`, `mysql://`, `sqlite://`, `memory:`).
    Url(&'a str),
}

impl Place<'_> {
    /// How the place is shown (a URL without its password).
    pub(crate) fn shown(&self) -> String {
        match self {
            Place::File(path) => path.display().to_string(),
            Place::Url(url) => alipay_isv::registry::redacted_url(url),
        }
    }

    /// The file of a SQLite registry given by path.
    pub(crate) fn file(&self) -> Option<&Path> {
        match self {
            Place::File(path) => Some(path),
            Place::Url(_) => None,
        }
    }
}

/// Whether `text` names a registry by URL rather than by path.
pub(crate) fn is_url(text: &str) -> bool {
    text.contains("://") || text.starts_with("memory:") || text.starts_with("sqlite:")
}

impl RegistryFile {
    /// The `--db` place.
    pub(crate) fn place(&self) -> Result<Place<'_>> {
        let db = self.db.as_deref().ok_or_else(|| {
            Error::config(
                "--db is required: the registry's SQLite file, or its URL (postgres://…, mysql://…)",
            )
        })?;
        Ok(if is_url(db) {
            Place::Url(db)
        } else {
            Place::File(Path::new(db))
        })
    }

    /// Opens the registry (a missing file is an error unless `create`).
    pub(crate) fn open(&self, create: bool) -> Result<Registry> {
        let key = key_from_env(self.key_env.as_deref())?;
        match self.place()? {
            Place::File(path) => {
                if !create && !path.exists() {
                    return Err(Error::config(format!("no registry at {}", path.display())));
                }
                Registry::open(path, key)
            }
            Place::Url(url) => Registry::open_url(url, key),
        }
    }
}

/// The registry key held by the environment variable `key_env`, when one is named.
fn key_from_env(key_env: Option<&str>) -> Result<Option<TokenKey>> {
    match key_env {
        Some(name) => {
            let text = std::env::var(name).map_err(|_| {
                Error::config(format!(
                    "the environment variable {name} (the registry key) is not set"
                ))
            })?;
            Ok(Some(TokenKey::from_base64(&text)?))
        }
        None => Ok(None),
    }
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
    let place = args.file.place()?;
    let shown = place.shown();
    let file = place.file().map(Path::to_path_buf);
    let importing = matches!(args.action, Action::Import(_));
    if importing && args.show_secrets {
        return Err(Error::config(
            "registry import never prints tokens: leave out --show-secrets (use `registry show` after)",
        ));
    }
    let existed = file.as_ref().is_none_or(|path| path.exists());
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
                    "no authorisation for auth_app_id {auth_app_id} in {shown}"
                ))
            })?;
            print_json(&describe(&record, args.show_secrets))?;
        }
        Action::Revoke { auth_app_id } => {
            let record = registry.revoke(&auth_app_id)?;
            print_json(&describe(&record, args.show_secrets))?;
        }
        Action::Import(import) => {
            let outcome = import::run(*import, registry, &shown);
            if let (Err(_), false, Some(path)) = (&outcome, existed, &file) {
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
