//! `alipay-isv demo --db FILE` keeps the registry in that file (the first merchant authorised and revoked,
//! the second imported from the console, the third authorised by its plugin subscription, and that
//! subscription's order), and `alipay-isv registry` reads it back with tokens masked, shows one record, and
//! revokes by hand; `alipay-isv orders` lists and shows the order with contact data masked.

mod common;

use common::run;
use serde_json::Value;

#[test]
fn the_demo_registry_is_listed_shown_and_revoked_from_the_cli() {
    let path =
        std::env::temp_dir().join(format!("alipay-isv-cli-registry-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let db = path.to_str().unwrap();
    let demo = run(&["demo", "--db", db], "");
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stdout)
    );

    let listed = run(&["registry", "list", "--db", db], "");
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let records: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 3, "{records:?}");
    // The second merchant was imported from the console token (方法二) and is still active.
    let imported = records
        .iter()
        .find(|record| record["origin"] == "imported")
        .unwrap();
    assert_eq!(imported["auth_app_id"], "2021000000000002");
    assert_eq!(imported["status"], "active");
    assert!(imported["app_refresh_token"].is_null());
    let authorised: Vec<&Value> = records
        .iter()
        .filter(|record| record["origin"] == "authorised")
        .collect();
    assert_eq!(authorised.len(), 2, "the first merchant and the subscriber");
    let record = authorised
        .iter()
        .find(|record| record["status"] == "revoked")
        .expect("the demo revokes the first merchant");
    assert!(
        authorised.iter().any(|record| record["status"] == "active"),
        "the subscribing merchant stays active"
    );
    let masked = record["app_auth_token"].as_str().unwrap();
    assert!(masked.contains('…'), "{masked}");
    let auth_app_id = record["auth_app_id"].as_str().unwrap();

    let shown = run(
        &[
            "registry",
            "show",
            auth_app_id,
            "--db",
            db,
            "--show-secrets",
        ],
        "",
    );
    let full: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(full["app_auth_token"].as_str().unwrap().chars().count(), 40);

    // The subscription's order, stored by the demo's gateway and moved by its calls.
    let orders = run(&["orders", "list", "--db", db], "");
    assert!(
        orders.status.success(),
        "{}",
        String::from_utf8_lossy(&orders.stderr)
    );
    let orders: Value = serde_json::from_slice(&orders.stdout).unwrap();
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    let order = &orders[0];
    assert_eq!(order["status"], "ISV_ACCEPTED");
    assert_eq!(order["items"][0]["status"], "DONE");
    assert_eq!(order["app_id"], "2021000000000001");
    for personal in ["contactor", "phone"] {
        let shown = order[personal].as_str().unwrap();
        assert!(shown.starts_with('…'), "{personal} is not masked: {shown}");
    }
    let id = order["commodity_order_id"].as_str().unwrap();
    let shown = run(&["orders", "show", id, "--db", db], "");
    let full: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let sources: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.first(), Some(&"notification"));
    assert!(
        sources.contains(&"accept") && sources.contains(&"item.confirm"),
        "{sources:?}"
    );
    assert!(full["params"]["phone"].as_str().unwrap().starts_with('…'));
    assert_eq!(full["params"]["commodity_order_id"], id);
    let secrets = run(&["orders", "show", id, "--db", db, "--show-secrets"], "");
    let full: Value = serde_json::from_slice(&secrets.stdout).unwrap();
    assert!(
        full["phone"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit())
    );
    let unknown = run(&["orders", "show", "20261207000000000000", "--db", db], "");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no order"));

    let revoked = run(&["registry", "revoke", auth_app_id, "--db", db], "");
    assert!(revoked.status.success());
    let unknown = run(&["registry", "revoke", "2021000000009999", "--db", db], "");
    assert_eq!(unknown.status.code(), Some(2));
    let missing = run(
        &["registry", "list", "--db", "/nonexistent/registry.db"],
        "",
    );
    assert_eq!(missing.status.code(), Some(2));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
}
