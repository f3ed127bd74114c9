//! Fidelity and hostile input: closed pipes, command-line mistakes as JSON errors, key files written
//! safely (0600, temporary file + rename, no symbolic links), repeated JSON keys, bounded bodies, and
//! 8192-bit public keys.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::{run, vectors};
use serde_json::Value;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alipay-isv"))
}

/// The write end of a pipe whose read end is already closed: any write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

/// Waits for `child`, failing the test (and killing it) after `limit`.
fn wait_within(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn error_line(output: &Output) -> Value {
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    serde_json::from_str(stderr.trim()).unwrap()
}

fn reason(output: &Output) -> String {
    error_line(output)["reason"].as_str().unwrap().to_string()
}

fn temp_dir(name: &str) -> PathBuf {
    let directory = std::env::temp_dir().join(format!(
        "alipay-isv-cli-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn key(name: &str) -> String {
    vectors()
        .join("keys")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

// 1. Closed pipes.

/// Runs `args` with stdout and/or stderr closed (read end gone before the process starts) and returns
/// its exit status and whatever reached the streams left open.
fn run_with_closed(args: &[&str], close_stdout: bool, close_stderr: bool) -> (ExitStatus, String) {
    let mut command = binary();
    command.args(args).stdin(Stdio::null());
    command.stdout(if close_stdout {
        closed_pipe()
    } else {
        Stdio::piped()
    });
    command.stderr(if close_stderr {
        closed_pipe()
    } else {
        Stdio::piped()
    });
    let output = wait_within(command.spawn().unwrap(), Duration::from_secs(60));
    let mut seen = String::from_utf8_lossy(&output.stdout).into_owned();
    seen.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status, seen)
}

#[test]
fn a_closed_stdout_or_stderr_ends_quietly_with_the_normal_exit_code() {
    let app_key = key("app_2048_pkcs8.pem");
    let auth_url = [
        "auth-url",
        "--app-id",
        "2021000000000001",
        "--redirect-uri",
        "https://isv.example/callback",
    ];
    let keygen = ["keygen"];
    let failing_sign = [
        "sign",
        "--private-key",
        "/nonexistent/key.pem",
        "--params",
        "/nonexistent/params.json",
    ];
    let unknown_flag = ["sign", "--bogus"];
    let cert_sn = ["cert-sn"];
    let help = ["--help"];
    let version = ["--version"];
    let sign_help = ["sign", "--help"];
    let no_params = [
        "sign",
        "--private-key",
        app_key.as_str(),
        "--params",
        "/dev/null",
    ];
    let cases: [(&[&str], i32); 9] = [
        (&auth_url, 0),
        (&keygen, 0),
        (&failing_sign, 2),
        (&unknown_flag, 2),
        (&cert_sn, 2),
        (&help, 0),
        (&version, 0),
        (&sign_help, 0),
        (&no_params, 2),
    ];
    for (args, code) in cases {
        for (close_stdout, close_stderr) in [(true, false), (false, true), (true, true)] {
            let (status, seen) = run_with_closed(args, close_stdout, close_stderr);
            let what =
                format!("{args:?} (stdout closed: {close_stdout}, stderr closed: {close_stderr})");
            assert_eq!(status.code(), Some(code), "{what}: {seen}");
            assert!(!seen.contains("panicked"), "{what}: {seen}");
            assert!(!seen.contains("Broken pipe"), "{what}: {seen}");
            if close_stdout && !close_stderr && code == 0 {
                assert!(
                    seen.is_empty(),
                    "{what}: nothing else goes to stderr: {seen}"
                );
            }
        }
    }
}

#[test]
fn the_demo_survives_a_closed_stdout() {
    let (status, seen) = run_with_closed(&["demo"], true, false);
    assert_eq!(status.code(), Some(0), "{seen}");
    assert!(seen.is_empty(), "{seen}");
}

#[test]
fn a_full_disk_behind_stdout_is_an_error_not_a_silent_success() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let child = binary()
        .args(["keygen"])
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = wait_within(child, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let reason = reason(&output);
    assert!(reason.contains("standard output"), "{reason}");
    assert!(!reason.contains("PRIVATE"), "{reason}");
}

// 2. Command-line mistakes.

#[test]
fn command_line_mistakes_are_one_json_error_line_with_exit_2() {
    let app_key = key("app_2048_pkcs8.pem");
    let cases: [(&[&str], &str); 5] = [
        (&["sign", "--bogus"], "--bogus"),
        (&["sign", "--params", "-"], "--private-key"),
        (&["keygen", "--bits", "many"], "many"),
        (&["no-such-command"], "no-such-command"),
        (
            &["sign", "--private-key", app_key.as_str(), "--params"],
            "--params",
        ),
    ];
    for (args, named) in cases {
        let output = run(args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
        let error = error_line(&output);
        assert_eq!(error["kind"], "config", "{args:?}: {error}");
        let reason = error["reason"].as_str().unwrap();
        assert!(reason.contains(named), "{args:?}: {reason}");
        assert!(!reason.starts_with("error:"), "{args:?}: {reason}");
    }
}

#[test]
fn help_and_version_keep_their_plain_text() {
    let help = run(&["--help"], "");
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(text.contains("Usage: alipay-isv"), "{text}");
    assert!(help.stderr.is_empty());
    let sign_help = run(&["sign", "--help"], "");
    assert_eq!(sign_help.status.code(), Some(0));
    assert!(
        String::from_utf8(sign_help.stdout)
            .unwrap()
            .contains("--params")
    );
    let version = run(&["--version"], "");
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(version.stdout).unwrap().trim(),
        format!("alipay-isv {}", env!("CARGO_PKG_VERSION"))
    );
}

// 3. keygen writes key files safely.

const KEY_FILES: [&str; 5] = [
    "app_private_key_pkcs8.pem",
    "app_private_key_pkcs1.pem",
    "app_private_key.txt",
    "app_public_key.pem",
    "app_public_key.txt",
];
const PRIVATE_FILES: [&str; 3] = [
    "app_private_key_pkcs8.pem",
    "app_private_key_pkcs1.pem",
    "app_private_key.txt",
];

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn names_in(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn keygen(directory: &Path, force: bool) -> Output {
    let mut args = vec!["keygen", "--out-dir", directory.to_str().unwrap()];
    if force {
        args.push("--force");
    }
    run(&args, "")
}

#[test]
fn keygen_writes_private_keys_0600_and_force_replaces_a_0644_file_with_a_0600_one() {
    use std::os::unix::fs::PermissionsExt;
    let directory = temp_dir("keygen-modes");
    let first = keygen(&directory, false);
    assert!(first.status.success(), "{first:?}");
    for name in PRIVATE_FILES {
        assert_eq!(mode(&directory.join(name)), 0o600, "{name}");
    }
    let mut expected: Vec<String> = KEY_FILES.iter().map(|name| name.to_string()).collect();
    expected.sort();
    assert_eq!(names_in(&directory), expected, "no temporary file is left");

    // A private key file someone made world-readable, replaced with --force: it ends 0600.
    let loose = directory.join("app_private_key_pkcs8.pem");
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&loose, "old content").unwrap();
    assert_eq!(mode(&loose), 0o644);
    let old_public = std::fs::read_to_string(directory.join("app_public_key.txt")).unwrap();
    let second = keygen(&directory, true);
    assert!(second.status.success(), "{second:?}");
    for name in PRIVATE_FILES {
        assert_eq!(mode(&directory.join(name)), 0o600, "{name} after --force");
    }
    let replaced = std::fs::read_to_string(&loose).unwrap();
    assert!(
        replaced.starts_with("-----BEGIN PRIVATE KEY-----"),
        "{replaced}"
    );
    assert_ne!(
        std::fs::read_to_string(directory.join("app_public_key.txt")).unwrap(),
        old_public
    );
    assert_eq!(names_in(&directory), expected, "no temporary file is left");
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn keygen_refuses_to_write_through_a_symbolic_link() {
    let directory = temp_dir("keygen-symlink");
    let out_dir = directory.join("keys");
    std::fs::create_dir_all(&out_dir).unwrap();
    let target = directory.join("elsewhere.txt");
    std::fs::write(&target, "not yours to overwrite\n").unwrap();
    let link = out_dir.join("app_private_key.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = directory.join("does-not-exist.pem");

    for force in [false, true] {
        let refused = keygen(&out_dir, force);
        assert_eq!(refused.status.code(), Some(2), "force {force}: {refused:?}");
        let reason = reason(&refused);
        assert!(reason.contains("symbolic link"), "{reason}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "not yours to overwrite\n"
        );
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            names_in(&out_dir),
            vec!["app_private_key.txt".to_string()],
            "nothing else was written (force {force})"
        );
    }

    // A dangling link is refused too, and its target is not created.
    std::fs::remove_file(&link).unwrap();
    let pkcs1 = out_dir.join("app_private_key_pkcs1.pem");
    std::os::unix::fs::symlink(&dangling, &pkcs1).unwrap();
    let refused = keygen(&out_dir, true);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(reason(&refused).contains("symbolic link"));
    assert!(!dangling.exists(), "the dangling link's target was created");
    std::fs::remove_dir_all(&directory).unwrap();
}

// 4. Repeated keys in sign --params.

#[test]
fn a_repeated_key_in_the_params_is_bad_input_naming_the_key() {
    let app_key = key("app_2048_pkcs8.pem");
    let args = ["sign", "--private-key", app_key.as_str(), "--params", "-"];
    let repeated = run(&args, r#"{"app_id":"1","method":"m","app_id":"2"}"#);
    assert_eq!(repeated.status.code(), Some(2), "{repeated:?}");
    assert!(repeated.stdout.is_empty());
    let error = error_line(&repeated);
    assert_eq!(error["kind"], "config");
    let reason = error["reason"].as_str().unwrap();
    assert!(reason.contains("`app_id`"), "{reason}");
    assert!(reason.contains("more than once"), "{reason}");

    // The same keys once each still sign, in canonical order.
    let once = run(&args, r#"{"method":"m","app_id":"2"}"#);
    assert!(once.status.success(), "{once:?}");
    let printed: Value = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(printed["content"], "app_id=2&method=m");
}

// 5. Bounded reading.

fn refused_at_the_limit(args: &[&str], stdin: Stdio, kind: &str) {
    let started = Instant::now();
    let child = binary()
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = wait_within(child, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    let error = error_line(&output);
    assert_eq!(error["kind"], kind, "{args:?}: {error}");
    let reason = error["reason"].as_str().unwrap();
    assert!(reason.contains("10485760-byte limit"), "{args:?}: {reason}");
    assert!(output.stdout.is_empty());
    eprintln!("{args:?}: refused in {:?}", started.elapsed());
}

#[test]
fn endless_inputs_are_refused_at_the_body_limit() {
    let alipay_key = key("alipay_2048_public.pem");
    let app_key = key("app_2048_pkcs8.pem");
    let notification = [
        "verify-notification",
        "--alipay-public-key",
        alipay_key.as_str(),
        "--body",
        "/dev/zero",
    ];
    refused_at_the_limit(&notification, Stdio::null(), "protocol");
    let response = [
        "verify-response",
        "--alipay-public-key",
        alipay_key.as_str(),
        "--method",
        "alipay.open.auth.token.app",
        "--body",
        "/dev/zero",
    ];
    refused_at_the_limit(&response, Stdio::null(), "protocol");
    let from_stdin = [
        "verify-notification",
        "--alipay-public-key",
        alipay_key.as_str(),
        "--body",
        "-",
    ];
    let zero = std::fs::File::open("/dev/zero").unwrap();
    refused_at_the_limit(&from_stdin, zero.into(), "protocol");
    // Keys and parameters are bounded too (a bad-input error of their own kind).
    let params = [
        "sign",
        "--private-key",
        app_key.as_str(),
        "--params",
        "/dev/zero",
    ];
    refused_at_the_limit(&params, Stdio::null(), "config");
    let key_file = [
        "verify",
        "--public-key",
        "/dev/zero",
        "--content",
        "/dev/null",
        "--sign",
        "AAAA",
    ];
    refused_at_the_limit(&key_file, Stdio::null(), "config");
}

// 6. 8192-bit public keys.

#[test]
fn an_8192_bit_signature_verifies_with_the_public_key() {
    let private = fixture("app_8192_pkcs8.pem");
    let signed = run(
        &["sign", "--private-key", private.as_str(), "--params", "-"],
        r#"{"b":"2","a":"1"}"#,
    );
    assert!(signed.status.success(), "{signed:?}");
    let printed: Value = serde_json::from_slice(&signed.stdout).unwrap();
    let sign = printed["sign"].as_str().unwrap();
    assert_eq!(sign.len(), 1368, "an 8192-bit signature is 1024 bytes");
    for public in ["app_8192_public.pem", "app_8192_public_pkcs1.pem"] {
        let public = fixture(public);
        let args = [
            "verify",
            "--public-key",
            public.as_str(),
            "--content",
            "-",
            "--sign",
            sign,
        ];
        let verified = run(&args, "a=1&b=2");
        assert_eq!(verified.status.code(), Some(0), "{public}: {verified:?}");
        let printed: Value = serde_json::from_slice(&verified.stdout).unwrap();
        assert_eq!(printed["valid"], true);
        let tampered = run(&args, "a=1&b=3");
        assert_eq!(tampered.status.code(), Some(1), "{public}: {tampered:?}");
        assert_eq!(error_line(&tampered)["kind"], "signature");
    }
}
