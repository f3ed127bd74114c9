//! The gateway's answers and its exactly-once handling, over both stores, without a network: bodies are
//! signed here with a generated "Alipay" key as the gateway signs them (V1, empty values kept). The
//! framework adapters and the emulator's pushes are tested in each language's suite.

use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use super::*;
use crate::config::IsvConfig;
use crate::key::{PrivateKey, PublicKey};
use crate::notify::SignedForm;
use crate::registry::{
    DecideOrder, MemoryStore, NotificationState, OrderRecord, Store, UpdateResult,
};
use crate::sign::{Charset, SignType, Signer};

const APP: &str = "2021000000000001";
const PLUGIN: &str = "2021000000000077";
const OTHER_PLUGIN: &str = "2021000000000078";
const MERCHANT_APP: &str = "2021004200000001";
const PID: &str = "2088000000000042";

struct Keys {
    app: Arc<PrivateKey>,
    app_public: String,
    alipay: Arc<PrivateKey>,
    alipay_public: Arc<PublicKey>,
}

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/vectors/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test keys are in tests/vectors/keys")
}

/// The fixed test keys (a crashing child process must sign and verify as its parent does).
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let app = PrivateKey::from_text(&key_file("app_2048_pkcs8.pem")).unwrap();
        Keys {
            app_public: app.public_key().to_base64(),
            app: Arc::new(app),
            alipay: Arc::new(PrivateKey::from_text(&key_file("alipay_2048_pkcs8.pem")).unwrap()),
            alipay_public: Arc::new(
                PublicKey::from_text(&key_file("alipay_2048_public.pem")).unwrap(),
            ),
        }
    })
}

fn config() -> IsvConfig {
    IsvConfig::builder(APP, keys().app.clone(), keys().alipay_public.clone())
        .build()
        .unwrap()
}

/// A form body signed as the gateway signs (V1: without `sign` and `sign_type`, empty values kept).
fn signed_body(params: &[(&str, &str)]) -> Vec<u8> {
    let mut params: Vec<(String, String)> = params
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    params.push(("sign_type".into(), "RSA2".into()));
    let form = SignedForm {
        sign_type_signed: false,
        empty_values_signed: true,
        alipay_cert_sn_signed: true,
    };
    let signer = Signer::new(keys().alipay.clone(), SignType::Rsa2, Charset::Utf8).unwrap();
    let sign = signer.sign(&form.content(&params)).unwrap();
    params.push(("sign".into(), sign));
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
        .into_bytes()
}

fn order_body(notify_id: &str, order_id: &str, notify_time: &str) -> Vec<u8> {
    signed_body(&[
        ("notify_id", notify_id),
        ("notify_type", "servicemarket_order_notify"),
        ("notify_time", notify_time),
        ("app_id", PLUGIN),
        ("charset", "UTF-8"),
        ("version", "1.0"),
        ("commodity_order_id", order_id),
        ("merchant_pid", PID),
        ("consumer_miniAppId", MERCHANT_APP),
        ("title", "插件"),
        ("contactor", "张三"),
        ("phone", "13800000000"),
        ("order_time", "2026-12-07 10:00:00"),
        ("total_price", "0.00"),
        ("order_item_num", "1"),
        ("isv_ticket", ""),
    ])
}

fn plugin_authorisation(notify_id: &str, plugin: &str, token: &str, auth_time: i64) -> Vec<u8> {
    let biz = serde_json::json!({
        "notify_context": {"trigger": "appstore"},
        "detail": {
            "app_auth_token": token,
            "app_refresh_token": format!("{token}-refresh"),
            "user_id": PID,
            "auth_app_id": MERCHANT_APP,
            "app_id": plugin,
            "agent_app_id": APP,
            "expires_in": 31536000,
            "re_expires_in": 32140800,
            "auth_time": auth_time,
        }
    })
    .to_string();
    signed_body(&[
        ("notify_id", notify_id),
        ("notify_type", "open_app_auth_notify"),
        ("notify_time", "2026-12-07 10:00:05"),
        ("app_id", plugin),
        ("status", "execute_auth"),
        ("charset", "UTF-8"),
        ("version", "1.0"),
        ("biz_content", &biz),
    ])
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded; charset=utf-8");

fn gateways() -> Vec<(Gateway, Option<std::path::PathBuf>)> {
    let path = std::env::temp_dir().join(format!(
        "alipay-isv-gateway-{}-{:?}.db",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&path);
    vec![
        (
            Gateway::new(&config(), Arc::new(Registry::in_memory())),
            None,
        ),
        (
            Gateway::new(&config(), Arc::new(Registry::open(&path, None).unwrap())),
            Some(path),
        ),
    ]
}

fn cleanup(path: Option<std::path::PathBuf>) {
    if let Some(path) = path {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

#[test]
fn an_order_is_stored_handled_once_and_retries_are_acknowledged() {
    for (gateway, path) in gateways() {
        let body = order_body("n-1", "20261207000000000001", "2026-12-07 10:00:01");
        let calls = Cell::new(0);
        let result = gateway.handle(FORM, &body, |delivery| {
            calls.set(calls.get() + 1);
            assert_eq!(delivery.kind, DeliveryKind::Order);
            assert_eq!(delivery.ingest, IngestOutcome::Applied);
            // Stored before the handler runs.
            let order = gateway
                .registry()
                .order("20261207000000000001")
                .unwrap()
                .unwrap();
            assert_eq!(order.status, crate::registry::ORDER_PLACED);
            assert_eq!(order.app_id, PLUGIN);
            assert_eq!(order.consumer_mini_app_id.as_deref(), Some(MERCHANT_APP));
            Ok::<(), String>(())
        });
        assert_eq!(result.answer, GatewayAnswer::success());
        assert_eq!(
            result.outcome,
            GatewayOutcome::Handled {
                ingest: IngestOutcome::Applied
            }
        );
        // Alipay retries the same message: acknowledged, the handler is not called again.
        let again = gateway.handle(FORM, &body, |_| {
            calls.set(calls.get() + 1);
            Ok::<(), String>(())
        });
        assert_eq!(again.outcome, GatewayOutcome::AlreadyHandled);
        assert!(again.answer.is_success());
        assert_eq!(calls.get(), 1);
        cleanup(path);
    }
}

#[test]
fn a_failed_handler_answers_fail_and_the_retry_runs_it_again_without_storing_twice() {
    for (gateway, path) in gateways() {
        let body = order_body("n-2", "20261207000000000002", "2026-12-07 10:00:01");
        let failed = gateway.handle(FORM, &body, |_| Err("the order service is down"));
        assert_eq!(failed.answer.status, 500);
        assert_eq!(failed.answer.body, "fail");
        assert_eq!(failed.outcome.as_str(), "handler_failed");
        assert_eq!(
            failed.outcome,
            GatewayOutcome::HandlerFailed {
                kind: DeliveryKind::Order,
                reason: "the order service is down".into()
            }
        );
        assert!(failed.outcome.error().is_none());
        let order = gateway
            .registry()
            .order("20261207000000000002")
            .unwrap()
            .unwrap();
        assert_eq!(order.version, 1);
        assert_eq!(
            gateway
                .registry()
                .store()
                .notification_state("n-2")
                .unwrap(),
            NotificationState::Received
        );
        let retried = gateway.handle(FORM, &body, |delivery| {
            assert_eq!(delivery.ingest, IngestOutcome::Duplicate);
            Ok::<(), String>(())
        });
        assert!(retried.answer.is_success());
        let order = gateway
            .registry()
            .order("20261207000000000002")
            .unwrap()
            .unwrap();
        assert_eq!(order.version, 1, "stored once");
        assert_eq!(order.history.len(), 1);
        cleanup(path);
    }
}

/// What goes wrong with the order writes of a [`FaultyStore`].
enum OrderWriteFault {
    /// The next writes fail (this many), then they work.
    Fail(std::sync::Mutex<u32>),
    /// The process dies inside the write transaction (after the decision, before the commit).
    Abort,
}

/// A store whose order writes go wrong — a failure or a crash between verification and the registry
/// write — over a real store.
struct FaultyStore {
    inner: Box<dyn Store>,
    fault: OrderWriteFault,
}

impl Store for FaultyStore {
    fn get(
        &self,
        app_id: &str,
        auth_app_id: &str,
    ) -> crate::Result<Option<crate::registry::MerchantAuthorisation>> {
        self.inner.get(app_id, auth_app_id)
    }
    fn find(
        &self,
        auth_app_id: &str,
    ) -> crate::Result<Vec<crate::registry::MerchantAuthorisation>> {
        self.inner.find(auth_app_id)
    }
    fn list(&self) -> crate::Result<Vec<crate::registry::MerchantAuthorisation>> {
        self.inner.list()
    }
    fn by_merchant(
        &self,
        merchant_pid: &str,
    ) -> crate::Result<Vec<crate::registry::MerchantAuthorisation>> {
        self.inner.by_merchant(merchant_pid)
    }
    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut crate::registry::Decide<'_>,
    ) -> crate::Result<UpdateResult> {
        self.inner.update(app_id, auth_app_id, notify_id, decide)
    }
    fn get_order(&self, id: &str) -> crate::Result<Option<OrderRecord>> {
        self.inner.get_order(id)
    }
    fn list_orders(&self) -> crate::Result<Vec<OrderRecord>> {
        self.inner.list_orders()
    }
    fn update_order(
        &self,
        id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> crate::Result<UpdateResult<OrderRecord>> {
        match &self.fault {
            OrderWriteFault::Fail(failures) => {
                let mut failures = failures.lock().unwrap();
                if *failures > 0 {
                    *failures -= 1;
                    return Err(Error::Store {
                        reason: "disk I/O error (simulated)".into(),
                    });
                }
                self.inner.update_order(id, notify_id, decide)
            }
            OrderWriteFault::Abort => {
                self.inner
                    .update_order(id, notify_id, &mut |current| -> crate::Result<
                        crate::registry::Decision<OrderRecord>,
                    > {
                        decide(current)?;
                        std::process::abort()
                    })
            }
        }
    }
    fn notification_state(&self, notify_id: &str) -> crate::Result<NotificationState> {
        self.inner.notification_state(notify_id)
    }
    fn record_notification(&self, notify_id: &str) -> crate::Result<bool> {
        self.inner.record_notification(notify_id)
    }
    fn mark_handled(&self, notify_id: &str) -> crate::Result<()> {
        self.inner.mark_handled(notify_id)
    }
}

#[test]
fn a_store_failure_answers_fail_and_the_retry_stores_once() {
    let store = Arc::new(FaultyStore {
        inner: Box::new(MemoryStore::new()),
        fault: OrderWriteFault::Fail(std::sync::Mutex::new(1)),
    });
    let gateway = Gateway::new(&config(), Arc::new(Registry::new(store)));
    let body = order_body("n-3", "20261207000000000003", "2026-12-07 10:00:01");
    let calls = Cell::new(0);
    let failed = gateway.handle(FORM, &body, |_| {
        calls.set(calls.get() + 1);
        Ok::<(), String>(())
    });
    assert_eq!(failed.answer.status, 500);
    assert_eq!(failed.outcome.error().unwrap().kind(), "store");
    assert_eq!(calls.get(), 0, "the handler never sees what was not stored");
    assert!(
        gateway
            .registry()
            .order("20261207000000000003")
            .unwrap()
            .is_none()
    );
    let retried = gateway.handle(FORM, &body, |_| {
        calls.set(calls.get() + 1);
        Ok::<(), String>(())
    });
    assert!(retried.answer.is_success());
    assert_eq!(calls.get(), 1);
    assert_eq!(
        gateway
            .registry()
            .order("20261207000000000003")
            .unwrap()
            .unwrap()
            .version,
        1
    );
}

#[test]
fn bad_requests_are_refused_with_their_status_and_nothing_is_stored() {
    for (gateway, path) in gateways() {
        let body = order_body("n-4", "20261207000000000004", "2026-12-07 10:00:01");
        let never =
            |_: &Delivery| -> std::result::Result<(), String> { panic!("not for the handler") };
        // Not a form.
        let result = gateway.handle(Some("application/json"), &body, never);
        assert_eq!(
            (result.answer.status, result.answer.body.as_str()),
            (415, "fail")
        );
        // Over the limit.
        let huge = vec![b'a'; gateway.max_body_bytes() + 1];
        let result = gateway.handle(FORM, &huge, never);
        assert_eq!(result.answer.status, 413);
        // Tampered: the signature no longer verifies.
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace("20261207000000000004", "20261207000000000005");
        let result = gateway.handle(FORM, tampered.as_bytes(), never);
        assert_eq!(result.answer.status, 400);
        assert_eq!(result.outcome.error().unwrap().kind(), "signature");
        // Signed, but without its order number: typed as a protocol error, not stored.
        let missing = signed_body(&[
            ("notify_id", "n-6"),
            ("notify_type", "servicemarket_order_notify"),
            ("merchant_pid", PID),
        ]);
        let result = gateway.handle(FORM, &missing, never);
        assert_eq!(result.answer.status, 400);
        let error = result.outcome.error().unwrap();
        assert_eq!(error.kind(), "protocol");
        assert!(error.reason().contains("commodity_order_id"), "{error}");
        assert!(gateway.registry().orders().unwrap().is_empty());
        assert_eq!(
            gateway
                .registry()
                .store()
                .notification_state("n-6")
                .unwrap(),
            NotificationState::New
        );
        cleanup(path);
    }
}

#[test]
fn the_gateway_check_is_answered_signed() {
    let (gateway, _) = gateways().into_iter().next().unwrap();
    let body = signed_body(&[("service", "alipay.service.check"), ("charset", "UTF-8")]);
    let result = gateway.handle(FORM, &body, |_| -> std::result::Result<(), String> {
        panic!("not for the handler")
    });
    assert_eq!(
        result.outcome,
        GatewayOutcome::ServiceCheck { verified: true }
    );
    assert_eq!(result.answer.status, 200);
    assert!(result.answer.content_type.starts_with("text/xml"));
    assert!(result.answer.body.contains("<success>true</success>"));
    assert!(result.answer.body.contains(&keys().app_public));
    let unsigned = b"service=alipay.service.check&charset=UTF-8&sign=AAAA&sign_type=RSA2";
    let result = gateway.handle(FORM, unsigned, |_| Ok::<(), String>(()));
    assert_eq!(
        result.outcome,
        GatewayOutcome::ServiceCheck { verified: false }
    );
    assert!(result.answer.body.contains("VERIFY_FAILED"));
}

#[test]
fn orders_and_plugin_authorisations_join_in_either_order_and_plugins_do_not_overwrite_each_other() {
    for (gateway, path) in gateways() {
        let registry = gateway.registry().clone();
        let ok = |_: &Delivery| Ok::<(), String>(());
        // The order first: stored for a merchant the registry does not know yet.
        let result = gateway.handle(
            FORM,
            &order_body("n-10", "20261207000000000010", "2026-12-07 10:00:01"),
            ok,
        );
        assert!(result.answer.is_success());
        assert!(
            registry
                .order_authorisation("20261207000000000010")
                .unwrap()
                .is_none()
        );
        // Then the plugin authorisation: the order finds it.
        let result = gateway.handle(
            FORM,
            &plugin_authorisation(
                "n-11",
                PLUGIN,
                "plugin-token-one-000000",
                crate::registry::now_ms() - 1_000,
            ),
            ok,
        );
        assert_eq!(
            result.outcome,
            GatewayOutcome::Handled {
                ingest: IngestOutcome::Applied
            }
        );
        let linked = registry
            .order_authorisation("20261207000000000010")
            .unwrap()
            .unwrap();
        assert_eq!(
            (linked.app_id.as_str(), linked.auth_app_id.as_str()),
            (PLUGIN, MERCHANT_APP)
        );
        // A second plugin's authorisation for the same merchant app is a record of its own.
        let result = gateway.handle(
            FORM,
            &plugin_authorisation(
                "n-12",
                OTHER_PLUGIN,
                "plugin-token-two-000000",
                crate::registry::now_ms(),
            ),
            ok,
        );
        assert_eq!(
            result.outcome,
            GatewayOutcome::Handled {
                ingest: IngestOutcome::Applied
            }
        );
        let records = registry.store().find(MERCHANT_APP).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            registry
                .get_for_app(PLUGIN, MERCHANT_APP)
                .unwrap()
                .unwrap()
                .app_auth_token,
            "plugin-token-one-000000"
        );
        assert_eq!(
            registry
                .get_for_app(OTHER_PLUGIN, MERCHANT_APP)
                .unwrap()
                .unwrap()
                .app_auth_token,
            "plugin-token-two-000000"
        );
        // Asked by merchant app alone, neither plugin is the default app: a clear error.
        let error = registry.get(MERCHANT_APP).unwrap_err();
        assert!(
            error.reason().contains(PLUGIN) && error.reason().contains(OTHER_PLUGIN),
            "{error}"
        );
        assert_eq!(
            registry.token_for_app(OTHER_PLUGIN, MERCHANT_APP).unwrap(),
            "plugin-token-two-000000"
        );
        cleanup(path);
    }
}

#[test]
fn a_late_order_message_never_moves_the_order_back() {
    for (gateway, path) in gateways() {
        let ok = |_: &Delivery| Ok::<(), String>(());
        let newer = order_body("n-20", "20261207000000000020", "2026-12-07 10:05:00");
        assert!(gateway.handle(FORM, &newer, ok).answer.is_success());
        let registry = gateway.registry();
        registry
            .store()
            .update_order("20261207000000000020", None, &mut |current| {
                crate::registry::order_status_for_tests(current, "ISV_ACCEPTED")
            })
            .unwrap();
        // An older copy under another notify_id arrives late: acknowledged, changes nothing.
        let older = order_body("n-19", "20261207000000000020", "2026-12-07 10:00:00");
        let result = gateway.handle(FORM, &older, ok);
        assert_eq!(
            result.outcome,
            GatewayOutcome::Handled {
                ingest: IngestOutcome::Stale
            }
        );
        let order = registry.order("20261207000000000020").unwrap().unwrap();
        assert_eq!(order.status, "ISV_ACCEPTED");
        assert_eq!(order.notify_id.as_deref(), Some("n-20"));
        let statuses: Vec<&str> = order
            .history
            .iter()
            .map(|change| change.status.as_str())
            .collect();
        assert_eq!(statuses, ["MERCHANT_ORDED", "ISV_ACCEPTED"]);
        // Contact data is personal: Debug masks it.
        let shown = format!("{order:?}");
        assert!(
            !shown.contains("13800000000") && !shown.contains("张三"),
            "{shown}"
        );
        cleanup(path);
    }
}

#[test]
fn other_notifications_reach_the_handler_once() {
    for (gateway, path) in gateways() {
        let body = signed_body(&[
            ("notify_id", "n-30"),
            ("notify_type", "trade_status_sync"),
            ("trade_status", "TRADE_SUCCESS"),
            ("out_trade_no", "T-1"),
        ]);
        let calls = Cell::new(0);
        let handler = |delivery: &Delivery| {
            calls.set(calls.get() + 1);
            assert_eq!(delivery.kind, DeliveryKind::Other);
            assert_eq!(delivery.notification.param("out_trade_no"), Some("T-1"));
            Ok::<(), String>(())
        };
        assert_eq!(
            gateway.handle(FORM, &body, handler).outcome,
            GatewayOutcome::Handled {
                ingest: IngestOutcome::Ignored
            }
        );
        assert_eq!(
            gateway.handle(FORM, &body, handler).outcome,
            GatewayOutcome::AlreadyHandled
        );
        assert_eq!(calls.get(), 1);
        cleanup(path);
    }
}

/// The environment variable that makes a re-run of the crash test the crashing child: `write` (die
/// inside the order's write transaction) or `handler` (die in the handler, after the commit), and
/// the registry file after a colon.
const CRASH_CHILD: &str = "ALIPAY_ISV_GATEWAY_CRASH_CHILD";

const CRASH_ORDER: &str = "20261207000000000099";

fn crash_body() -> Vec<u8> {
    order_body("n-99", CRASH_ORDER, "2026-12-07 10:00:01")
}

/// Runs this test again in a child process that receives the order message and dies as `mode` says.
fn crash_child(mode: &str, path: &std::path::Path) -> std::process::ExitStatus {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "gateway::tests::a_process_killed_before_the_commit_or_in_the_handler_loses_nothing",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CRASH_CHILD, format!("{mode}:{}", path.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
}

/// The crashing child: receives the order message and dies where `mode` says.
fn crash_in_child(mode: &str, path: &str) {
    let store = crate::registry::SqliteStore::open(path, None).unwrap();
    let store: Arc<dyn Store> = match mode {
        "write" => Arc::new(FaultyStore {
            inner: Box::new(store),
            fault: OrderWriteFault::Abort,
        }),
        _ => Arc::new(store),
    };
    let gateway = Gateway::new(&config(), Arc::new(Registry::new(store)));
    let _ = gateway.handle(
        FORM,
        &crash_body(),
        |_| -> std::result::Result<(), String> { std::process::abort() },
    );
    unreachable!("the child dies before it answers");
}

#[test]
fn a_process_killed_before_the_commit_or_in_the_handler_loses_nothing() {
    if let Ok(child) = std::env::var(CRASH_CHILD) {
        let (mode, path) = child.split_once(':').unwrap();
        crash_in_child(mode, path);
    }
    let path = std::env::temp_dir().join(format!(
        "alipay-isv-gateway-crash-{}.db",
        std::process::id()
    ));
    cleanup(Some(path.clone()));
    // Created and migrated before the children open it.
    drop(Registry::open(&path, None).unwrap());

    // Killed inside the write transaction: nothing of the order or its notify_id was committed.
    let status = crash_child("write", &path);
    assert!(
        !status.success() && status.code().is_none(),
        "killed by a signal: {status:?}"
    );
    let registry = Arc::new(Registry::open(&path, None).unwrap());
    assert!(registry.order(CRASH_ORDER).unwrap().is_none());
    assert_eq!(
        registry.store().notification_state("n-99").unwrap(),
        NotificationState::New
    );
    drop(registry);

    // Killed in the handler, after the commit: the order is stored, the notification not handled.
    let status = crash_child("handler", &path);
    assert!(
        !status.success() && status.code().is_none(),
        "killed by a signal: {status:?}"
    );
    let registry = Arc::new(Registry::open(&path, None).unwrap());
    assert_eq!(registry.order(CRASH_ORDER).unwrap().unwrap().version, 1);
    assert_eq!(
        registry.store().notification_state("n-99").unwrap(),
        NotificationState::Received
    );

    // Alipay's retry reaches a new process: nothing stored twice, the handler runs, success.
    let gateway = Gateway::new(&config(), registry.clone());
    let calls = Cell::new(0);
    let result = gateway.handle(FORM, &crash_body(), |delivery| {
        calls.set(calls.get() + 1);
        assert_eq!(delivery.ingest, IngestOutcome::Duplicate);
        Ok::<(), String>(())
    });
    assert!(result.answer.is_success(), "{result:?}");
    assert_eq!(calls.get(), 1);
    let order = registry.order(CRASH_ORDER).unwrap().unwrap();
    assert_eq!((order.version, order.history.len()), (1, 1));
    assert_eq!(
        gateway
            .handle(FORM, &crash_body(), |_| Err("handled already"))
            .outcome,
        GatewayOutcome::AlreadyHandled
    );
    drop((gateway, registry));
    cleanup(Some(path));
}
