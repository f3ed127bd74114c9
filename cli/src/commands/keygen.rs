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
    /// Write the key files into this directory instead of printing them (private files get mode 0600;
    /// each file is written to a temporary file and renamed into place; symbolic links are refused).
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
        Some(directory) => write_files(&pair, directory, args.force),
    }
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
    // Every target is checked before anything is written: a refusal leaves the directory as it was.
    for (name, _, _) in &files {
        check_target(&directory.join(name), force)?;
    }
    let mut written = Vec::new();
    for (name, secret, content) in &files {
        let path = directory.join(name);
        write_file(directory, &path, content, *secret)?;
        written.push(path.display().to_string());
    }
    sync_directory(directory);
    print_json(&json!({
        "bits": pair.private_key.bits(),
        "fingerprint": pair.public_key.fingerprint(),
        "files": written,
        "upload_to_console": directory.join("app_public_key.txt").display().to_string(),
    }))
}

/// Refuses a symbolic link (even a dangling one, even with `--force`: the key would land wherever it
/// points), anything that is not a regular file, and an existing file without `--force`.
fn check_target(path: &Path, force: bool) -> Result<()> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(Error::config(format!(
                "cannot inspect `{}`: {error}",
                path.display()
            )));
        }
    };
    if metadata.file_type().is_symlink() {
        return Err(Error::config(format!(
            "`{}` is a symbolic link; refusing to write a key through it (remove the link, or choose \
             another --out-dir)",
            path.display()
        )));
    }
    if !metadata.is_file() {
        return Err(Error::config(format!(
            "`{}` exists and is not a regular file",
            path.display()
        )));
    }
    if !force {
        return Err(Error::config(format!(
            "`{}` already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    Ok(())
}

/// Writes `content` to a new temporary file in `directory` (created exclusively, so never through a
/// link; mode 0600 for secrets from the start), syncs it, then renames it over `path` in one step: a
/// reader sees the old file or the new one, a replaced file takes the new mode, and a symbolic link put
/// at `path` meanwhile is replaced, never followed.
fn write_file(directory: &Path, path: &Path, content: &str, secret: bool) -> Result<()> {
    use std::io::Write;
    let failed =
        |e: std::io::Error| Error::config(format!("cannot write `{}`: {e}", path.display()));
    let (temporary, mut file) = create_temporary(directory, path, secret).map_err(failed)?;
    let outcome = file
        .write_all(content.as_bytes())
        .and_then(|()| set_mode(&file, secret))
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temporary, path)
        });
    if let Err(error) = outcome {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(error));
    }
    Ok(())
}

/// Creates `.<name>.<pid>-<n>.tmp` beside `path` with `O_CREAT | O_EXCL`.
fn create_temporary(
    directory: &Path,
    path: &Path,
    secret: bool,
) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    let mut attempt = 0;
    loop {
        let serial = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temporary = directory.join(format!(
            ".{name}.{}-{nanos:x}-{serial}.tmp",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(if secret { 0o600 } else { 0o644 });
        }
        #[cfg(not(unix))]
        let _ = secret;
        match options.open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Secrets end exactly 0600 whatever the umask; public files keep what the umask made of 0644.
fn set_mode(file: &std::fs::File, secret: bool) -> std::io::Result<()> {
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        return file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    let _ = (file, secret);
    Ok(())
}

/// Makes the renames durable (best effort: not every platform can open a directory).
fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = std::fs::File::open(directory) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}
