//! Pushes to the ISV's application gateway: the signed `open_app_auth_notify` when a merchant
//! authorises, and the message-service message `alipay.open.auth.appauth.cancelled` when a merchant
//! revokes. Each push is signed in the [`SignedForm`] the [`PushForms`] policy chooses (by default
//! authorisations V1 — without `sign` and `sign_type` — and cancellations V2 — without `sign` only),
//! its content built by [`SignedForm::content`], and posted from its own thread, retried with
//! doubling backoff until the gateway answers `success`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use alipay_isv::notify::{SERVICEMARKET_ORDER_NOTIFY, SignedForm};
use alipay_isv::request::china_timestamp;
use alipay_isv::sign::Charset;
use serde_json::json;

use crate::http::client::{HttpUrl, send};
use crate::ids;
use crate::options::PushForms;
use crate::shared::{Shared, lock};
use crate::state::Grant;

/// `notify_type` of an authorisation push.
pub const APP_AUTH_NOTIFY: &str = "open_app_auth_notify";
/// `msg_method` of a revocation push.
pub const APP_AUTH_CANCELLED: &str = "alipay.open.auth.appauth.cancelled";
/// The empty parameter a push carries when its form signs empty values (and, in a mix, sometimes
/// unsigned when it does not): the one the real 2020 service-market order notification carried.
pub const EMPTY_PARAM: &str = "isv_ticket";

/// One push the emulator made (or would have made: with no `notify_url` it is recorded, finished,
/// with 0 attempts).
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The push's `notify_id`.
    pub notify_id: String,
    /// `open_app_auth_notify` or `alipay.open.auth.appauth.cancelled`.
    pub kind: String,
    /// The merchant app it concerns.
    pub auth_app_id: String,
    /// Where it was posted (`None`: no notify URL was set).
    pub url: Option<String>,
    /// How many times it was posted so far.
    pub attempts: u32,
    /// Whether the application gateway answered `success`.
    pub acknowledged: bool,
    /// Whether delivery is over (acknowledged, attempts exhausted, or nowhere to post).
    pub finished: bool,
    /// The form the push is signed in: a verifier that accepts it reports this form.
    pub signed_form: SignedForm,
    /// The exact form body posted (`application/x-www-form-urlencoded; charset=utf-8`); it carries
    /// tokens, so `Debug` shows only its length.
    pub body: String,
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("notify_id", &self.notify_id)
            .field("kind", &self.kind)
            .field("auth_app_id", &self.auth_app_id)
            .field("url", &self.url)
            .field("attempts", &self.attempts)
            .field("acknowledged", &self.acknowledged)
            .field("finished", &self.finished)
            .field("signed_form", &format_args!("{}", self.signed_form))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// Deals the forms of [`PushForms::Mixed`]: a seeded SplitMix64 generator and a deck of forms,
/// shuffled again each time it runs out, so every form of the pool turns up once per round.
#[derive(Debug)]
pub struct FormDealer {
    state: u64,
    deck: Vec<SignedForm>,
}

impl FormDealer {
    /// A dealer seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        FormDealer {
            state: seed,
            deck: Vec::new(),
        }
    }

    /// The next number of the generator (SplitMix64).
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (a bound of a handful: the modulo bias is negligible).
    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// The next form from `pool`, reshuffling a fresh deck of it when the deck is empty.
    fn deal(&mut self, pool: &[SignedForm]) -> SignedForm {
        if self.deck.is_empty() {
            self.deck = pool.to_vec();
            for index in (1..self.deck.len()).rev() {
                let other = self.below(index + 1);
                self.deck.swap(index, other);
            }
        }
        self.deck.pop().unwrap_or(SignedForm::V1)
    }

    /// A fair coin.
    fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
}

/// The form of the next push (`classic`: its form under [`PushForms::Classic`]) and whether it
/// carries the empty parameter [`EMPTY_PARAM`].
fn choose_form(shared: &Shared, classic: SignedForm) -> (SignedForm, bool) {
    match shared.push_forms {
        PushForms::Classic => (classic, false),
        PushForms::Fixed(form) => (form, form.empty_values_signed),
        PushForms::Mixed { .. } => {
            let cert_mode = shared.cert.is_some();
            let pool: Vec<SignedForm> = SignedForm::TRY_ORDER
                .into_iter()
                .filter(|form| cert_mode || !form.alipay_cert_sn_signed)
                .collect();
            let mut dealer = lock(&shared.form_dealer);
            let form = dealer.deal(&pool);
            let empty = form.empty_values_signed || dealer.coin();
            (form, empty)
        }
    }
}

/// Signs `params` in `form` and form-encodes them: with the empty parameter [`EMPTY_PARAM`] (signed
/// or not, as `form` says) when `with_empty`, and in certificate mode `alipay_cert_sn` naming the
/// signing certificate (signed or not, as `form` says).
fn signed_body(
    shared: &Shared,
    mut params: Vec<(String, String)>,
    form: SignedForm,
    with_empty: bool,
) -> Option<String> {
    if with_empty {
        let at = params.len().saturating_sub(1);
        params.insert(at, (EMPTY_PARAM.to_string(), String::new()));
    }
    let (signer, cert_sn) = shared.signer(Charset::Utf8).ok()?;
    if let Some(sn) = cert_sn {
        params.push(("alipay_cert_sn".into(), sn));
    }
    let sign = signer.sign(&form.content(&params)).ok()?;
    params.push(("sign".into(), sign));
    Some(
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish(),
    )
}

/// Pushes `open_app_auth_notify` for one merchant app just authorised.
pub fn push_app_auth(shared: &Arc<Shared>, grant: &Grant, app_auth_code: &str) {
    push_authorisation(shared, grant, app_auth_code, None);
}

/// Pushes the plugin authorisation a merchant's service-market order grants: `open_app_auth_notify`
/// with `notify_context.trigger=appstore` and `detail.agent_app_id` (the third-party app owning the
/// plugin, `agent_app_id`).
pub fn push_plugin_auth(shared: &Arc<Shared>, grant: &Grant, agent_app_id: &str) {
    push_authorisation(shared, grant, &ids::code(), Some(agent_app_id));
}

/// Pushes an authorisation; a plugin's when `agent_app_id` is given.
fn push_authorisation(
    shared: &Arc<Shared>,
    grant: &Grant,
    app_auth_code: &str,
    agent_app_id: Option<&str>,
) {
    let now = shared.now_ms();
    let (expires_in, re_expires_in) = {
        let state = lock(&shared.state);
        let left = |until: Option<u64>| until.map_or(0, |u| u.saturating_sub(now) / 1000);
        (
            left(
                state
                    .app_tokens
                    .get(&grant.app_auth_token)
                    .map(|t| t.expires_ms),
            ),
            left(
                state
                    .app_refresh
                    .get(&grant.app_refresh_token)
                    .map(|r| r.expires_ms),
            ),
        )
    };
    let context = match agent_app_id {
        Some(_) => json!({"trigger": "appstore", "trigger_context": {}}),
        None => json!({"trigger_context": {}}),
    };
    let mut biz_content = json!({
        "notify_context": context,
        "detail": {
            "app_auth_token": grant.app_auth_token,
            "app_refresh_token": grant.app_refresh_token,
            "user_id": grant.user_id,
            "auth_app_id": grant.auth_app_id,
            "app_id": shared.app_id,
            "expires_in": expires_in,
            "re_expires_in": re_expires_in,
            "auth_time": grant.auth_time_ms,
            "app_auth_code": app_auth_code,
        },
        "error": {},
    });
    if let Some(agent) = agent_app_id {
        biz_content["detail"]["agent_app_id"] = json!(agent);
    }
    let notify_id = ids::notify_id();
    let params: Vec<(String, String)> = [
        ("notify_id", notify_id.clone()),
        ("notify_time", china_timestamp((now / 1000) as i64)),
        ("notify_type", APP_AUTH_NOTIFY.to_string()),
        ("status", "execute_auth".to_string()),
        ("app_id", shared.app_id.clone()),
        ("auth_app_id", grant.auth_app_id.clone()),
        ("version", "1.0".to_string()),
        ("charset", "utf-8".to_string()),
        ("sign_type", "RSA2".to_string()),
        ("biz_content", biz_content.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (form, with_empty) = choose_form(shared, SignedForm::V1);
    if let Some(body) = signed_body(shared, params, form, with_empty) {
        let pushed = Pushed {
            notify_id,
            kind: APP_AUTH_NOTIFY,
            auth_app_id: &grant.auth_app_id,
            signed_form: form,
        };
        enqueue(shared, pushed, body);
    }
}

/// Pushes `alipay.open.auth.appauth.cancelled` for a merchant app just revoked.
pub fn push_cancelled(shared: &Arc<Shared>, auth_app_id: &str, merchant_pid: &str) {
    let now = shared.now_ms();
    let biz_content = json!({
        "auth_app_id": auth_app_id,
        "user_id": merchant_pid,
        "auth_time": now,
    });
    let notify_id = ids::notify_id();
    let params: Vec<(String, String)> = [
        ("notify_id", notify_id.clone()),
        ("utc_timestamp", now.to_string()),
        ("msg_method", APP_AUTH_CANCELLED.to_string()),
        ("app_id", shared.app_id.clone()),
        ("msg_type", "sys".to_string()),
        ("msg_uid", merchant_pid.to_string()),
        ("msg_app_id", auth_app_id.to_string()),
        ("version", "1.1".to_string()),
        ("charset", "utf-8".to_string()),
        ("sign_type", "RSA2".to_string()),
        ("biz_content", biz_content.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let (form, with_empty) = choose_form(shared, SignedForm::V2);
    if let Some(body) = signed_body(shared, params, form, with_empty) {
        let pushed = Pushed {
            notify_id,
            kind: APP_AUTH_CANCELLED,
            auth_app_id,
            signed_form: form,
        };
        enqueue(shared, pushed, body);
    }
}

/// Pushes `servicemarket_order_notify` for a merchant's new order: a classic form message with no
/// `biz_content`, signed with `sign_type` outside the content (the 2020 form) unless the push forms
/// say otherwise, with the empty `isv_ticket` real orders carry.
pub fn push_order(shared: &Arc<Shared>, order: &crate::state::Order) {
    let now = shared.now_ms();
    let notify_id = ids::notify_id();
    let time = china_timestamp((now / 1000) as i64);
    let mut params: Vec<(String, String)> = vec![
        ("notify_id".into(), notify_id.clone()),
        ("notify_time".into(), time.clone()),
        ("timestamp".into(), time),
        ("notify_type".into(), SERVICEMARKET_ORDER_NOTIFY.into()),
        (
            "method".into(),
            "alipay.open.servicemarket.order.notify".into(),
        ),
        ("app_id".into(), shared.app_id.clone()),
        (
            "commodity_order_id".into(),
            order.commodity_order_id.clone(),
        ),
        ("merchant_pid".into(), order.merchant_pid.clone()),
        ("name".into(), order.merchant_name.clone()),
        ("contactor".into(), order.contactor.clone()),
        ("phone".into(), order.phone.clone()),
        ("title".into(), order.title.clone()),
        ("total_price".into(), order.total_price.clone()),
        ("order_item_num".into(), order.items.len().to_string()),
        (
            "order_time".into(),
            china_timestamp((order.created_ms / 1000) as i64),
        ),
        ("consumer_miniAppId".into(), order.auth_app_id.clone()),
        ("miniapp_release_bundle".into(), "1032".into()),
        ("version".into(), "1.0".into()),
        ("charset".into(), "UTF-8".into()),
        ("sign_type".into(), "RSA2".into()),
    ];
    // Its classic form is the real 2020 message's: V1 with the empty `isv_ticket` kept in the content.
    let classic = SignedForm {
        sign_type_signed: false,
        empty_values_signed: true,
        alipay_cert_sn_signed: false,
    };
    let (form, with_empty) = choose_form(shared, classic);
    if !with_empty {
        params.push((EMPTY_PARAM.to_string(), String::new()));
    }
    if let Some(body) = signed_body(shared, params, form, with_empty) {
        let pushed = Pushed {
            notify_id,
            kind: SERVICEMARKET_ORDER_NOTIFY,
            auth_app_id: &order.auth_app_id,
            signed_form: form,
        };
        enqueue(shared, pushed, body);
    }
}

/// What a new push is, beside its body.
struct Pushed<'a> {
    notify_id: String,
    kind: &'static str,
    auth_app_id: &'a str,
    signed_form: SignedForm,
}

/// Records the push and starts delivering it.
fn enqueue(shared: &Arc<Shared>, pushed: Pushed<'_>, body: String) {
    let url = lock(&shared.notify_url).clone();
    let index = {
        let mut deliveries = lock(&shared.deliveries);
        deliveries.push(Delivery {
            notify_id: pushed.notify_id,
            kind: pushed.kind.to_string(),
            auth_app_id: pushed.auth_app_id.to_string(),
            url: url.clone(),
            attempts: 0,
            acknowledged: false,
            finished: url.is_none(),
            signed_form: pushed.signed_form,
            body: body.clone(),
        });
        deliveries.len() - 1
    };
    shared.deliveries_changed.notify_all();
    let Some(url) = url else {
        return;
    };
    let worker = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("alipay-emulator-push".into())
        .spawn(move || deliver(&worker, index, &url, body.as_bytes()));
    if spawned.is_err() {
        update(shared, index, |delivery| delivery.finished = true);
    }
}

/// Changes one delivery record and wakes the waiters.
fn update(shared: &Shared, index: usize, change: impl FnOnce(&mut Delivery)) {
    if let Some(delivery) = lock(&shared.deliveries).get_mut(index) {
        change(delivery);
    }
    shared.deliveries_changed.notify_all();
}

/// Posts until acknowledged, the attempts run out, or the emulator stops.
fn deliver(shared: &Shared, index: usize, url: &str, body: &[u8]) {
    let parsed = HttpUrl::parse(url);
    let mut backoff = shared.notify_backoff;
    for attempt in 1..=shared.notify_attempts {
        if shared.is_stopping() {
            break;
        }
        let acknowledged = match &parsed {
            Ok(target) => send(
                "POST",
                target,
                Some("application/x-www-form-urlencoded; charset=utf-8"),
                body,
                Duration::from_secs(10),
            )
            .is_ok_and(|answer| {
                answer.status == 200 && String::from_utf8_lossy(&answer.body).trim() == "success"
            }),
            Err(_) => false,
        };
        update(shared, index, |delivery| {
            delivery.attempts = attempt;
            delivery.acknowledged = acknowledged;
        });
        if acknowledged || attempt == shared.notify_attempts {
            break;
        }
        let start = std::time::Instant::now();
        let deadline = start
            .checked_add(backoff)
            .unwrap_or(start + Duration::from_secs(3600));
        while !shared.is_stopping() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
        backoff = backoff.saturating_mul(2);
    }
    update(shared, index, |delivery| delivery.finished = true);
}
