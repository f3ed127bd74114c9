//! The conformance suite of [`Store`]: one body of checks every store must pass — the in-memory and
//! SQLite stores here, and a host's own (or a database store) through [`check_store`]. It checks what
//! the registry's rules rely on: records keyed by (our app, merchant app) and round-tripped exactly, the
//! atomic read-decide-write with its version, notification de-duplication in the same transaction, a
//! decision's error leaving nothing behind, records of the old schema moved under the first app that
//! writes them, orders, the notification journal, and atomicity under concurrent writers.
//!
//! Each check panics with a message naming what the store got wrong, so it runs inside any test harness.

use std::sync::Arc;
use std::thread;

use super::order::{OrderItemState, OrderRecord, OrderStatusChange};
use super::record::{AuthOrigin, AuthStatus, MerchantAuthorisation, RefreshLease};
use super::store::{Decision, NotificationState, Store, UpdateResult};
use crate::error::Error;

/// A full authorisation record (every optional field set) of `auth_app_id` to `app_id`.
fn authorisation(app_id: &str, auth_app_id: &str, token: &str) -> MerchantAuthorisation {
    MerchantAuthorisation {
        app_id: app_id.to_string(),
        auth_app_id: auth_app_id.to_string(),
        merchant_pid: Some("2088000000000077".into()),
        app_auth_token: token.to_string(),
        app_refresh_token: Some(format!("{token}-refresh")),
        expires_at_ms: Some(1_900_000_000_000),
        refresh_expires_at_ms: Some(1_910_000_000_000),
        authorised_at_ms: 1_800_000_000_000,
        token_issued_at_ms: 1_800_000_000_001,
        status: AuthStatus::Active,
        revoked_at_ms: Some(1_800_000_000_002),
        granted_methods: vec![
            "alipay.user.info.share".into(),
            "alipay.open.mini.version.list.query".into(),
        ],
        version: 0,
        refresh_lease: Some(RefreshLease {
            owner: "conformance-1".into(),
            until_ms: 1_800_000_030_000,
        }),
        updated_at_ms: 0,
        origin: AuthOrigin::Imported,
    }
}

/// A full order record (every optional field set, text beyond ASCII, an empty parameter).
fn order(commodity_order_id: &str, order_time: &str) -> OrderRecord {
    OrderRecord {
        commodity_order_id: commodity_order_id.to_string(),
        app_id: "2021000000000001".into(),
        merchant_pid: "2088000000000077".into(),
        consumer_mini_app_id: Some("2021004200000077".into()),
        merchant_name: Some("杭*************司".into()),
        title: Some("社区新零售".into()),
        total_price: Some("0.01".into()),
        order_time: Some(order_time.to_string()),
        contactor: Some("赵华杰".into()),
        phone: Some("13800000000".into()),
        status: "ISV_ACCEPTED".into(),
        items: vec![
            OrderItemState {
                mini_app_id: Some("2021004200000077".into()),
                shop_id: None,
                status: "DOING".into(),
            },
            OrderItemState {
                mini_app_id: None,
                shop_id: Some("2019081500502000000025130577".into()),
                status: "TO_CONFIRM".into(),
            },
        ],
        notify_id: Some("conformance-order-1".into()),
        notified_at_ms: Some(1_800_000_000_000),
        params: vec![
            ("title".into(), "社区新零售".into()),
            ("isv_ticket".into(), String::new()),
            ("commodity_order_id".into(), commodity_order_id.to_string()),
        ],
        history: vec![
            OrderStatusChange {
                status: "MERCHANT_ORDED".into(),
                item: None,
                source: "notification".into(),
                at_ms: 1_800_000_000_000,
            },
            OrderStatusChange {
                status: "DOING".into(),
                item: Some("2021004200000077".into()),
                source: "query".into(),
                at_ms: 1_800_000_000_500,
            },
        ],
        version: 0,
        created_at_ms: 1_800_000_000_000,
        updated_at_ms: 0,
    }
}

/// Writes `record` as the decision of an update of its key; what the store answered.
fn write(
    store: &dyn Store,
    record: &MerchantAuthorisation,
    notify_id: Option<&str>,
) -> UpdateResult {
    store
        .update(&record.app_id, &record.auth_app_id, notify_id, &mut |_| {
            Ok(Decision::Write(Box::new(record.clone())))
        })
        .expect("a plain write succeeds")
}

/// `stored` equals `written` but for what the store sets (version, update time).
fn assert_round_trip(stored: &MerchantAuthorisation, written: &MerchantAuthorisation) {
    let mut expected = written.clone();
    expected.version = stored.version;
    expected.updated_at_ms = stored.updated_at_ms;
    assert_eq!(stored, &expected, "the record did not round-trip exactly");
}

/// Runs every check on fresh stores from `new_store` (each check gets an empty one).
pub fn check_store(new_store: &dyn Fn() -> Arc<dyn Store>) {
    empty_store_is_empty(&*new_store());
    records_round_trip_and_are_versioned(&*new_store());
    records_are_keyed_by_app_and_merchant_app(&*new_store());
    notifications_are_deduplicated_in_the_write(&*new_store());
    a_failed_decision_leaves_nothing(&*new_store());
    old_records_move_under_the_first_app_that_writes_them(&*new_store());
    orders_round_trip_and_are_listed_in_order(&*new_store());
    the_journal_says_received_then_handled(&*new_store());
    concurrent_writers_lose_no_update(new_store());
}

fn empty_store_is_empty(store: &dyn Store) {
    assert!(
        store
            .get("2021000000000001", "2021004200000001")
            .unwrap()
            .is_none()
    );
    assert!(store.find("2021004200000001").unwrap().is_empty());
    assert!(store.list().unwrap().is_empty());
    assert!(store.by_merchant("2088000000000077").unwrap().is_empty());
    assert!(store.get_order("20261207000000000001").unwrap().is_none());
    assert!(store.list_orders().unwrap().is_empty());
    assert_eq!(
        store.notification_state("n-1").unwrap(),
        NotificationState::New
    );
}

fn records_round_trip_and_are_versioned(store: &dyn Store) {
    let record = authorisation(
        "2021000000000001",
        "2021004200000001",
        "202612BBconformance0000000001",
    );
    let UpdateResult::Written(written) = write(store, &record, None) else {
        panic!("a write decision must be written");
    };
    assert_eq!(written.version, 1, "a new record starts at version 1");
    assert!(written.updated_at_ms > 0, "the store sets updated_at_ms");
    let stored = store
        .get("2021000000000001", "2021004200000001")
        .unwrap()
        .unwrap();
    assert_round_trip(&stored, &record);
    assert_eq!(stored.version, 1);
    // Keep: the decision sees the stored record, nothing changes.
    let kept = store
        .update(
            "2021000000000001",
            "2021004200000001",
            None,
            &mut |current| {
                assert_eq!(
                    current,
                    Some(&stored),
                    "the decision sees the stored record"
                );
                Ok(Decision::Keep)
            },
        )
        .unwrap();
    assert_eq!(kept, UpdateResult::Kept(Some(Box::new(stored.clone()))));
    // A second write: version 2; the key fields are the store's, whatever the decision said.
    let mut changed = record.clone();
    changed.app_auth_token = "202612BBconformance0000000002".into();
    changed.refresh_lease = None;
    changed.status = AuthStatus::Revoked;
    let result = store
        .update("2021000000000001", "2021004200000001", None, &mut |_| {
            let mut elsewhere = changed.clone();
            elsewhere.app_id = "wrong".into();
            elsewhere.auth_app_id = "wrong".into();
            Ok(Decision::Write(Box::new(elsewhere)))
        })
        .unwrap();
    let UpdateResult::Written(second) = result else {
        panic!("a write decision must be written");
    };
    assert_eq!(second.version, 2);
    let stored = store
        .get("2021000000000001", "2021004200000001")
        .unwrap()
        .unwrap();
    assert_round_trip(&stored, &changed);
    assert!(store.get("wrong", "wrong").unwrap().is_none());
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(store.by_merchant("2088000000000077").unwrap(), vec![stored]);
}

fn records_are_keyed_by_app_and_merchant_app(store: &dyn Store) {
    let plugin = authorisation(
        "2021000000000077",
        "2021004200000002",
        "202612BBplugin000000000000001",
    );
    let other = authorisation(
        "2021000000000078",
        "2021004200000002",
        "202612BBplugin000000000000002",
    );
    let elsewhere = authorisation(
        "2021000000000077",
        "2021004200000003",
        "202612BBplugin000000000000003",
    );
    for record in [&plugin, &other, &elsewhere] {
        write(store, record, None);
    }
    let found = store.find("2021004200000002").unwrap();
    let apps: Vec<&str> = found.iter().map(|record| record.app_id.as_str()).collect();
    assert_eq!(
        apps,
        ["2021000000000077", "2021000000000078"],
        "find: every app's record, by app_id"
    );
    assert_eq!(
        store
            .get("2021000000000078", "2021004200000002")
            .unwrap()
            .unwrap()
            .app_auth_token,
        other.app_auth_token,
        "one plugin's record never overwrites another's"
    );
    assert_eq!(store.list().unwrap().len(), 3);
    assert_eq!(store.by_merchant("2088000000000077").unwrap().len(), 3);
}

fn notifications_are_deduplicated_in_the_write(store: &dyn Store) {
    let record = authorisation(
        "2021000000000001",
        "2021004200000004",
        "202612BBdedup0000000000000001",
    );
    assert!(matches!(
        write(store, &record, Some("n-dedup")),
        UpdateResult::Written(_)
    ));
    assert_eq!(
        store.notification_state("n-dedup").unwrap(),
        NotificationState::Received
    );
    let again = store
        .update(
            "2021000000000001",
            "2021004200000004",
            Some("n-dedup"),
            &mut |_| panic!("a journaled notification must not reach the decision"),
        )
        .unwrap();
    assert_eq!(again, UpdateResult::Duplicate);
    // The journal is shared by authorisations and orders.
    let again = store
        .update_order("20261207000000000004", Some("n-dedup"), &mut |_| {
            panic!("a journaled notification must not reach the decision")
        })
        .unwrap();
    assert_eq!(again, UpdateResult::Duplicate);
    // A Keep decision journals the notification too.
    store
        .update(
            "2021000000000001",
            "2021004200000005",
            Some("n-kept"),
            &mut |current| {
                assert!(current.is_none());
                Ok(Decision::Keep)
            },
        )
        .unwrap();
    assert_eq!(
        store.notification_state("n-kept").unwrap(),
        NotificationState::Received
    );
}

fn a_failed_decision_leaves_nothing(store: &dyn Store) {
    let failed = store.update(
        "2021000000000001",
        "2021004200000006",
        Some("n-failed"),
        &mut |_| Err(Error::protocol("refused by the decision")),
    );
    assert_eq!(failed.unwrap_err().reason(), "refused by the decision");
    assert!(
        store
            .get("2021000000000001", "2021004200000006")
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store.notification_state("n-failed").unwrap(),
        NotificationState::New,
        "a failed update journals nothing"
    );
    let failed = store.update_order("20261207000000000006", Some("n-failed-order"), &mut |_| {
        Err(Error::protocol("refused by the decision"))
    });
    assert!(failed.is_err());
    assert!(store.get_order("20261207000000000006").unwrap().is_none());
    assert_eq!(
        store.notification_state("n-failed-order").unwrap(),
        NotificationState::New
    );
}

fn old_records_move_under_the_first_app_that_writes_them(store: &dyn Store) {
    let old = authorisation("", "2021004200000007", "202612BBlegacy00000000000000001");
    write(store, &old, None);
    assert!(store.get("", "2021004200000007").unwrap().is_some());
    let result = store
        .update(
            "2021000000000001",
            "2021004200000007",
            None,
            &mut |current| {
                let current = current.expect("the old record is the current one for an app");
                assert_eq!(current.app_id, "");
                Ok(Decision::Write(Box::new(current.clone())))
            },
        )
        .unwrap();
    let UpdateResult::Written(moved) = result else {
        panic!("a write decision must be written");
    };
    assert_eq!(
        (moved.app_id.as_str(), moved.version),
        ("2021000000000001", 2)
    );
    let found = store.find("2021004200000007").unwrap();
    assert_eq!(found.len(), 1, "moved, not copied: {found:?}");
    assert_eq!(found[0].app_auth_token, old.app_auth_token);
    assert!(store.get("", "2021004200000007").unwrap().is_none());
}

fn orders_round_trip_and_are_listed_in_order(store: &dyn Store) {
    let later = order("20261207000000000009", "2026-12-07 10:00:09");
    let earlier = order("20261207000000000008", "2026-12-07 10:00:08");
    for record in [&later, &earlier] {
        let result = store
            .update_order(
                &record.commodity_order_id,
                Some(&format!("n-{}", record.commodity_order_id)),
                &mut |current| {
                    assert!(current.is_none());
                    Ok(Decision::Write(Box::new(record.clone())))
                },
            )
            .unwrap();
        let UpdateResult::Written(written) = result else {
            panic!("a write decision must be written");
        };
        assert_eq!(written.version, 1);
    }
    let stored = store.get_order(&later.commodity_order_id).unwrap().unwrap();
    let mut expected = later.clone();
    expected.version = stored.version;
    expected.updated_at_ms = stored.updated_at_ms;
    assert_eq!(stored, expected, "the order did not round-trip exactly");
    let ids: Vec<String> = store
        .list_orders()
        .unwrap()
        .into_iter()
        .map(|order| order.commodity_order_id)
        .collect();
    assert_eq!(
        ids,
        ["20261207000000000008", "20261207000000000009"],
        "oldest first"
    );
    let result = store
        .update_order(&later.commodity_order_id, None, &mut |current| {
            let mut next = current.unwrap().clone();
            next.status = "ISV_REJECTED".into();
            Ok(Decision::Write(Box::new(next)))
        })
        .unwrap();
    assert!(matches!(result, UpdateResult::Written(order) if order.version == 2));
}

fn the_journal_says_received_then_handled(store: &dyn Store) {
    assert!(
        store.record_notification("n-journal").unwrap(),
        "a new notification is recorded"
    );
    assert!(
        !store.record_notification("n-journal").unwrap(),
        "and recorded once"
    );
    assert_eq!(
        store.notification_state("n-journal").unwrap(),
        NotificationState::Received
    );
    store.mark_handled("n-journal").unwrap();
    assert_eq!(
        store.notification_state("n-journal").unwrap(),
        NotificationState::Handled
    );
    store.mark_handled("n-journal").unwrap();
    assert_eq!(
        store.notification_state("n-journal").unwrap(),
        NotificationState::Handled
    );
    // Marking an unknown notification handled records it.
    store.mark_handled("n-unknown").unwrap();
    assert_eq!(
        store.notification_state("n-unknown").unwrap(),
        NotificationState::Handled
    );
    assert!(!store.record_notification("n-unknown").unwrap());
}

fn concurrent_writers_lose_no_update(store: Arc<dyn Store>) {
    const THREADS: usize = 4;
    const WRITES: usize = 25;
    let record = authorisation(
        "2021000000000001",
        "2021004200000010",
        "202612BBcounter0000000000000001",
    );
    write(&*store, &record, None);
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            thread::spawn(move || {
                for _ in 0..WRITES {
                    store
                        .update(
                            "2021000000000001",
                            "2021004200000010",
                            None,
                            &mut |current| {
                                let mut next = current.expect("the record exists").clone();
                                next.granted_methods.push("m".into());
                                Ok(Decision::Write(Box::new(next)))
                            },
                        )
                        .expect("a concurrent write succeeds");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a writer panicked");
    }
    let stored = store
        .get("2021000000000001", "2021004200000010")
        .unwrap()
        .unwrap();
    let writes = THREADS * WRITES;
    assert_eq!(
        stored.version as usize,
        1 + writes,
        "every read-decide-write is atomic"
    );
    assert_eq!(
        stored.granted_methods.len(),
        record.granted_methods.len() + writes
    );
}
