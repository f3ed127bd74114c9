//! `alipay-isv keygen`: a new app key pair, printed as JSON or written to a directory.

use std::path::{Path, PathBuf};

use alipay_isv::key::{KeyPair, generate_key_pair};
use alipay_isv::{Error, Result};
use serde_json::json;

use crate::output::print_json;

/// Options of `keygen`.
#[derive(clap::Args)]
pub struct Args {
    /// Key size in bits: 2048 (what Alipay asks for), 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    bits: u32,
    /// Write the key files into this directory instead of printing them (private files get mode 0600).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Overwrite existing key files in --out-dir.
    #[arg(long)]
    force: bool,
}

/// Generates the pair and prints or writes it.
pub fn run(args: Args) -> Result<()> {
    let pair = generate_key_pair(args.bits)?;
    match &args.out_dir {
        None => print_json(&json!({
            "bits": pair.private_key.bits(),
            "fingerprint": pair.public_key.fingerprint(),
            "private_key_pkcs8_pem": pair.private_key.to_pkcs8_pem()?.as_str(),
            "private_key_pkcs1_pem": pair.private_key.to_pkcs1_pem()?.as_str(),
            "private_key_pkcs8_base64": pair.private_key.to_pkcs8_base64()?.as_str(),
            "public_key_pem": pair.public_key.to_pem(),
            "public_key_base64": pair.public_key.to_base64(),
        })),
        Some(directory) => write_files(&pair, directory, args.force)?,
    }
    Ok(())
}

/// The files written by `--out-dir`: (name, secret?, content).
fn files_of(pair: &KeyPair) -> Result<Vec<(&'static str, bool, String)>> {
    Ok(vec![
        (
            "app_private_key_pkcs8.pem",
            true,
            pair.private_key.to_pkcs8_pem()?.to_string(),
        ),
        (
            "app_private_key_pkcs1.pem",
            true,
            pair.private_key.to_pkcs1_pem()?.to_string(),
        ),
        (
            "app_private_key.txt",
            true,
            format!("{}\n", pair.private_key.to_pkcs8_base64()?.as_str()),
        ),
        ("app_public_key.pem", false, pair.public_key.to_pem()),
        (
            "app_public_key.txt",
            false,
            format!("{}\n", pair.public_key.to_base64()),
        ),
    ])
}

fn write_files(pair: &KeyPair, directory: &Path, force: bool) -> Result<()> {
    std::fs::create_dir_all(directory)
        .map_err(|e| Error::config(format!("cannot create `{}`: {e}", directory.display())))?;
    let files = files_of(pair)?;
    if !force
        && let Some((name, _, _)) = files
            .iter()
            .find(|(name, _, _)| directory.join(name).exists())
    {
        return Err(Error::config(format!(
            "`{}` already exists; pass --force to overwrite it",
            directory.join(name).display()
        )));
    }
    let mut written = Vec::new();
    for (name, secret, content) in &files {
        let path = directory.join(name);
        write_file(&path, content, *secret)?;
        written.push(path.display().to_string());
    }
    print_json(&json!({
        "bits": pair.private_key.bits(),
        "fingerprint": pair.public_key.fingerprint(),
        "files": written,
        "upload_to_console": directory.join("app_public_key.txt").display().to_string(),
    }));
    Ok(())
}

fn write_file(path: &Path, content: &str, secret: bool) -> Result<()> {
    let failed =
        |e: std::io::Error| Error::config(format!("cannot write `{}`: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    use std::io::Write;
    options
        .open(path)
        .and_then(|mut file| file.write_all(content.as_bytes()))
        .map_err(failed)
}
