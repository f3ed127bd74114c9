//! The protocol crate stays sans-IO: its dependency tree carries no HTTP, TLS or SQL crate, and its
//! sources open no socket, file or thread outside their tests.

use std::path::Path;
use std::process::Command;

/// Crates that would mean I/O in the protocol crate.
const FORBIDDEN: &[&str] = &[
    "ureq",
    "rustls",
    "webpki",
    "rusqlite",
    "libsqlite3-sys",
    "hyper",
    "reqwest",
    "http",
    "httparse",
    "socket2",
    "tokio",
    "postgres",
    "tokio-postgres",
    "mysql",
    "sqlx",
    "native-tls",
    "openssl",
];

#[test]
fn the_dependency_tree_has_no_http_tls_or_sql_crate() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--package",
            "alipay-isv-protocol",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--locked",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert!(names.contains(&"aws-lc-rs"), "the tree was read: {names:?}");
    let found: Vec<&&str> = names
        .iter()
        .filter(|name| FORBIDDEN.contains(name))
        .collect();
    assert!(
        found.is_empty(),
        "I/O crates in the protocol crate: {found:?}"
    );
}

#[test]
fn the_sources_open_no_socket_file_or_thread() {
    let mut offenders = Vec::new();
    scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut offenders,
    );
    assert!(
        offenders.is_empty(),
        "I/O in the protocol crate: {offenders:?}"
    );
}

/// Collects the lines of non-test code under `directory` that reach for the file system, the
/// network or threads.
fn scan(directory: &Path, offenders: &mut Vec<String>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scan(&path, offenders);
            continue;
        }
        if path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests sit at the end of a file, after `#[cfg(test)]`; only the code before counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in code.lines().enumerate() {
            let uses_io = [
                "std::fs",
                "std::net",
                "std::thread",
                "TcpStream",
                "File::open",
            ]
            .iter()
            .any(|needle| line.contains(needle));
            if uses_io {
                offenders.push(format!(
                    "{}:{}: {}",
                    path.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
}
