//! `alipay-isv registry import`: a merchant's `app_auth_token` copied from the emulator's console is
//! imported from standard input and from an environment variable, against the emulator's gateway. The
//! token never appears in the process's arguments (read from `/proc/<pid>/cmdline` while it waits for
//! its input), in its output or its errors; the printed record is masked; importing twice is one record;
//! refused tokens store nothing and leave no registry file behind.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv_emulator::{Emulator, EmulatorOptions};
use serde_json::Value;

const APP_ID: &str = "2021000000000001";

struct Setup {
    emulator: Emulator,
    directory: PathBuf,
}

impl Setup {
    fn start(name: &str) -> Setup {
        let keys = common::vectors().join("keys");
        let app_public = PublicKey::from_text(
            &std::fs::read_to_string(keys.join("app_2048_public.pem")).unwrap(),
        )
        .unwrap();
        let mut options = EmulatorOptions::new(APP_ID, app_public);
        options.alipay_private_key = Some(
            PrivateKey::from_text(
                &std::fs::read_to_string(keys.join("alipay_2048_pkcs8.pem")).unwrap(),
            )
            .unwrap(),
        );
        let emulator = Emulator::start(options).unwrap();
        let directory = std::env::temp_dir().join(format!(
            "alipay-isv-cli-import-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(
            directory.join("alipay_public.pem"),
            emulator.alipay_public_key_pem(),
        )
        .unwrap();
        Setup {
            emulator,
            directory,
        }
    }

    /// The merchant authorises `auth_app_id` on the emulator; returns the token its console shows.
    fn console_token(&self, auth_app_id: &str) -> String {
        let link = format!(
            "{}&auth_app_id={auth_app_id}",
            self.emulator.app_auth_url("https://isv.example/cb", None)
        );
        self.emulator.merchant_authorizes(&link).unwrap();
        self.emulator
            .console_app_auth_token(auth_app_id)
            .unwrap()
            .app_auth_token
    }

    fn db(&self) -> PathBuf {
        self.directory.join("registry.db")
    }

    /// The arguments of `registry import` (no token among them).
    fn import_args(&self, extra: &[&str]) -> Vec<String> {
        let key = common::vectors().join("keys/app_2048_pkcs8.pem");
        let mut args: Vec<String> = [
            "registry",
            "import",
            "--db",
            self.db().to_str().unwrap(),
            "--app-id",
            APP_ID,
            "--private-key",
            key.to_str().unwrap(),
            "--alipay-public-key",
            self.directory.join("alipay_public.pem").to_str().unwrap(),
            "--gateway",
            &self.emulator.gateway_url(),
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
        args.extend(extra.iter().map(|arg| arg.to_string()));
        args
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

/// Runs the CLI with `args` and `env`; once it runs (waiting for standard input), its command line as
/// the kernel shows it to every process is read; then `stdin` is written.
fn run_import(args: &[String], env: &[(&str, &str)], stdin: &str) -> (Output, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alipay-isv"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read until the kernel shows the new program's command line (it may briefly show none).
    let mut cmdline = String::new();
    for _ in 0..200 {
        cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id()))
            .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
            .unwrap_or_default();
        if cmdline.contains("registry import") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    (child.wait_with_output().unwrap(), cmdline)
}

/// Asserts that nothing the process showed holds the token (its distinctive part after the date prefix).
fn assert_hidden(token: &str, output: &Output, cmdline: &str, args: &[String]) {
    let secret = &token[8..];
    for (what, text) in [
        (
            "stdout",
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr",
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
        ("/proc cmdline", cmdline.to_string()),
        ("arguments", args.join(" ")),
    ] {
        assert!(
            !text.contains(secret),
            "the token appears in {what}: {text}"
        );
    }
}

fn records(db: &Path) -> Vec<Value> {
    let listed = common::run(&["registry", "list", "--db", db.to_str().unwrap()], "");
    assert!(listed.status.success(), "{listed:?}");
    serde_json::from_slice::<Value>(&listed.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_console_token_is_imported_from_stdin_and_from_the_environment_and_never_shown() {
    let setup = Setup::start("ok");
    let token = setup.console_token("2021007700000001");

    // From standard input, as pasted (with its line break).
    let args = setup.import_args(&[]);
    let (output, cmdline) = run_import(&args, &[], &format!("{token}\n"));
    assert!(output.status.success(), "{output:?}");
    assert!(cmdline.contains("registry import"), "{cmdline}");
    assert_hidden(&token, &output, &cmdline, &args);
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["outcome"], "applied");
    let record = &printed["record"];
    assert_eq!(record["auth_app_id"], "2021007700000001");
    assert_eq!(record["origin"], "imported");
    assert_eq!(record["status"], "active");
    assert!(record["app_refresh_token"].is_null());
    assert!(record["merchant_pid"].as_str().unwrap().starts_with("2088"));
    let masked = record["app_auth_token"].as_str().unwrap();
    assert!(masked.contains('…'), "{masked}");

    // From an environment variable, named on the command line (the value is not): one record.
    let args = setup.import_args(&["--token-env", "ALIPAY_MERCHANT_TOKEN"]);
    let (output, cmdline) = run_import(&args, &[("ALIPAY_MERCHANT_TOKEN", &token)], "");
    assert!(output.status.success(), "{output:?}");
    assert_hidden(&token, &output, &cmdline, &args);
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["outcome"], "duplicate");
    let stored = records(&setup.db());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["origin"], "imported");

    // With a refresh token read from the next line of standard input.
    let refresh = "202509BBrefreshtokenfromtheconsole000001";
    let args = setup.import_args(&["--refresh-token-stdin"]);
    let (output, cmdline) = run_import(&args, &[], &format!("{token}\n{refresh}\n"));
    assert!(output.status.success(), "{output:?}");
    assert_hidden(&token, &output, &cmdline, &args);
    assert_hidden(refresh, &output, &cmdline, &args);
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["outcome"], "applied");
    assert!(
        printed["record"]["app_refresh_token"]
            .as_str()
            .unwrap()
            .contains('…')
    );

    // The stored token is the console's.
    let shown = common::run(
        &[
            "registry",
            "show",
            "2021007700000001",
            "--db",
            setup.db().to_str().unwrap(),
            "--show-secrets",
        ],
        "",
    );
    let full: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(full["app_auth_token"], token.as_str());
}

#[test]
fn refused_tokens_store_nothing_and_are_never_shown() {
    let setup = Setup::start("refused");
    let revoked = setup.console_token("2021007700000002");
    setup.emulator.revoke("2021007700000002").unwrap();
    let db = setup.db();

    // Revoked (the gateway says invalid): a store error, exit 2, no file left.
    let args = setup.import_args(&[]);
    let (output, cmdline) = run_import(&args, &[], &revoked);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_hidden(&revoked, &output, &cmdline, &args);
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["kind"], "store");
    assert!(
        error["reason"].as_str().unwrap().contains("invalid"),
        "{error}"
    );
    assert!(output.stdout.is_empty());
    assert!(!db.exists(), "a refused import left a registry file");

    // Never issued: the gateway's error, exit 1.
    let unknown = "202509BB0000000000000000000000000000dead";
    let (output, cmdline) = run_import(&args, &[], unknown);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_hidden(unknown, &output, &cmdline, &args);
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["kind"], "api");
    assert_eq!(error["sub_code"], "aop.invalid-app-auth-token");

    // Garbage, nothing, or a variable that is not set: bad input, exit 2.
    for (stdin, env_args) in [
        ("this is not a token\n", vec![]),
        ("", vec![]),
        ("", vec!["--token-env", "ALIPAY_TOKEN_NOT_SET_ANYWHERE"]),
    ] {
        let args = setup.import_args(&env_args);
        let (output, _) = run_import(&args, &[], stdin);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let error: Value = serde_json::from_slice(&output.stderr).unwrap();
        assert_eq!(error["kind"], "config", "{error}");
    }
    assert!(!db.exists());

    // Into an existing registry: refused, and the registry keeps what it had.
    let kept = setup.console_token("2021007700000003");
    let (output, _) = run_import(&setup.import_args(&[]), &[], &kept);
    assert!(output.status.success(), "{output:?}");
    let (output, _) = run_import(&setup.import_args(&[]), &[], &revoked);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(records(&db).len(), 1);
}

#[test]
fn a_token_given_as_an_argument_is_refused_and_shown_masked() {
    let setup = Setup::start("argument");
    let token = setup.console_token("2021007700000004");
    let mut args = setup.import_args(&[]);
    args.push(token.clone());
    let (output, _) = run_import(&args, &[], "");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(&token[8..]), "{stderr}");
    assert!(stderr.contains("unexpected argument"), "{stderr}");
    // A token given where a variable name belongs is not echoed either.
    let args = setup.import_args(&["--token-env", &token]);
    let (output, _) = run_import(&args, &[], "");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(&token[8..]), "{stderr}");
    assert!(!setup.db().exists());
    // `--show-secrets` does not apply to an import.
    let args = setup.import_args(&["--show-secrets"]);
    let (output, _) = run_import(&args, &[], &token);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}
