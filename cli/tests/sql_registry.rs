//! `--db URL`: the demo keeps its registry in PostgreSQL and in MySQL/MariaDB, and `registry list|show` and
//! `orders list` read it back from there — with the database password in no output. Needs the servers of
//! `scripts/services/` (scripts/test-rust.sh starts them; feature `sql-store-tests`); each test takes a
//! fresh database from the service's `newdb`.

mod common;

use std::process::Command;

use common::run;
use serde_json::Value;

/// A fresh database of the running service `name` (`postgres`, `mysql`).
fn fresh_database(name: &str, variable: &str) -> String {
    assert!(
        std::env::var(variable).is_ok(),
        "{variable} is not set: run `scripts/services/{name}.sh start` and source its env file \
         (scripts/test-rust.sh does)"
    );
    let script = format!(
        "{}/../scripts/services/{name}.sh",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = Command::new("bash")
        .args([&script, "newdb"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn password_of(url: &str) -> String {
    let credentials = url.split("://").nth(1).unwrap().split('@').next().unwrap();
    credentials.split_once(':').unwrap().1.to_string()
}

fn the_demo_keeps_its_registry_at(url: &str) {
    let password = password_of(url);
    assert!(password.len() >= 8);
    let demo = run(&["demo", "--db", url], "");
    let stdout = String::from_utf8_lossy(&demo.stdout);
    assert!(
        demo.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(stdout.contains("all 30 steps passed"), "{stdout}");
    assert!(
        stdout.contains(":***@"),
        "the registry's place is shown without its password"
    );
    assert!(!stdout.contains(&password));

    let list = run(&["registry", "list", "--db", url], "");
    assert!(list.status.success(), "{list:?}");
    let records: Value = serde_json::from_slice(&list.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert!(records.len() >= 3, "{records:?}");
    let auth_app_id = records[0]["auth_app_id"].as_str().unwrap();
    let show = run(&["registry", "show", auth_app_id, "--db", url], "");
    assert!(show.status.success(), "{show:?}");

    let orders = run(&["orders", "list", "--db", url], "");
    assert!(orders.status.success(), "{orders:?}");
    let orders: Value = serde_json::from_slice(&orders.stdout).unwrap();
    assert_eq!(orders.as_array().unwrap().len(), 1);

    // An unknown merchant: the error names the place without the password.
    let missing = run(&["registry", "show", "2021000000009999", "--db", url], "");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("2021000000009999") && !stderr.contains(&password),
        "{stderr}"
    );
    for output in [&list, &show] {
        assert!(!String::from_utf8_lossy(&output.stdout).contains(&password));
    }
}

#[test]
fn the_demo_keeps_its_registry_in_postgresql() {
    the_demo_keeps_its_registry_at(&fresh_database("postgres", "ALIPAY_ISV_TEST_POSTGRES_URL"));
}

#[test]
fn the_demo_keeps_its_registry_in_mysql() {
    the_demo_keeps_its_registry_at(&fresh_database("mysql", "ALIPAY_ISV_TEST_MYSQL_URL"));
}

#[test]
fn a_wrong_password_is_a_clear_error_without_the_password() {
    let url = fresh_database("postgres", "ALIPAY_ISV_TEST_POSTGRES_URL");
    let password = password_of(&url);
    let wrong = url.replacen(&password, "not-the-password-1234", 1);
    let output = run(&["registry", "list", "--db", &wrong], "");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("not-the-password-1234") && !stderr.contains(&password),
        "{stderr}"
    );
    assert!(stderr.contains("store"), "{stderr}");
}
