//! The application gateway (应用网关) as one component: [`Gateway`] takes a request's content type and raw
//! body and gives the exact HTTP answer. It refuses what is not a form or is over the size limit, answers
//! the gateway check (`service=alipay.service.check`) with the signed XML, verifies every other body
//! (every form the gateway signs), stores what the registry keeps — authorisations, cancellations,
//! service-market orders — and hands each verified notification to the host's handler, answering
//! `success` only after the registry write committed and the handler finished; `fail` otherwise (never a
//! stack trace), so Alipay retries.
//!
//! Retries are idempotent through the registry's notification journal: a notification already stored and
//! handled is acknowledged without calling the handler again; one stored whose handler failed (or whose
//! process stopped) is not stored twice, and its handler runs again.
//!
//! In certificate mode, a notification signed by an Alipay certificate the store does not know yet (after a
//! rotation) is verified after downloading that certificate through the registry's client of this app.
//!
//! Two ways to use it: [`Gateway::handle`] with a Rust closure, or — for hosts whose handlers run
//! elsewhere (an async runtime, another language) — [`Gateway::receive`], then the handler, then
//! [`Gateway::finish`].

mod answer;
#[cfg(all(test, feature = "sqlite"))]
mod tests;

pub use answer::{GatewayAnswer, GatewayOutcome, GatewayResult};

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::IsvConfig;
use crate::error::{Error, Result};
use crate::notify::{
    Notification, NotificationVerifier, SERVICE_CHECK, SignedForm, VerifiedNotification,
    parse_form_limited, service_check_answer,
};
use crate::registry::{IngestOutcome, NotificationState, Registry};
use crate::sign::Signer;

/// Which of the host's handlers a verified notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryKind {
    /// A merchant authorised one of our apps (`open_app_auth_notify`), already stored.
    Authorisation,
    /// A merchant revoked an authorisation (`alipay.open.auth.appauth.cancelled`), already stored.
    Cancellation,
    /// A service-market order (`servicemarket_order_notify`), already stored: accept or reject it.
    Order,
    /// Anything else (payment notifications, other messages): only the host knows what to do.
    Other,
}

impl DeliveryKind {
    /// The stable name: `authorisation`, `cancellation`, `order` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Authorisation => "authorisation",
            DeliveryKind::Cancellation => "cancellation",
            DeliveryKind::Order => "order",
            DeliveryKind::Other => "other",
        }
    }

    /// The kind of a verified notification.
    pub fn of(notification: &Notification) -> Self {
        match notification {
            Notification::AppAuth(_) => DeliveryKind::Authorisation,
            Notification::Message(message) if message.is_app_auth_cancelled() => {
                DeliveryKind::Cancellation
            }
            Notification::ServiceMarketOrder(_) => DeliveryKind::Order,
            _ => DeliveryKind::Other,
        }
    }
}

/// A verified, stored notification waiting for the host's handler (see [`Gateway::receive`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The verified notification.
    pub notification: Notification,
    /// Which handler it goes to.
    pub kind: DeliveryKind,
    /// What the registry did with it ([`IngestOutcome::Duplicate`] when an earlier delivery stored it
    /// but its handler did not finish).
    pub ingest: IngestOutcome,
    /// Alipay's id of the notification, when it has one.
    pub notify_id: Option<String>,
    /// Which content the gateway had signed.
    pub signed_form: SignedForm,
}

/// What [`Gateway::receive`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    /// Nothing for the handler: write this answer back.
    Answer(GatewayResult),
    /// A verified, stored notification: run the handler, then [`Gateway::finish`].
    Deliver(Box<Delivery>),
}

/// The application gateway of one app (see the module docs). Cheap to share (`Send + Sync`).
pub struct Gateway {
    app_id: String,
    verifier: NotificationVerifier,
    signer: Signer,
    registry: Arc<Registry>,
    /// Certificate SNs whose download failed, and when: not asked again for [`REFETCH_AFTER`], so a
    /// flood of bodies naming made-up SNs costs Alipay nothing.
    failed_downloads: Mutex<HashMap<String, Instant>>,
}

/// How long a certificate SN whose download failed is not asked for again.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// The most failed SNs remembered (the memory a flood of made-up SNs can take).
const MAX_FAILED_DOWNLOADS: usize = 1024;

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("max_body_bytes", &self.verifier.max_body_bytes())
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

/// Whether a `Content-Type` is a form (any charset parameter), or absent.
fn is_form(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(value) => {
            let media_type = value.split(';').next().unwrap_or("").trim();
            media_type.is_empty()
                || media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded")
        }
    }
}

/// Alipay's id of a notification.
fn notify_id_of(notification: &Notification) -> Option<String> {
    match notification {
        Notification::AppAuth(auth) => Some(auth.notify_id.clone()),
        Notification::Message(message) => message.notify_id.clone(),
        Notification::ServiceMarketOrder(order) => Some(order.notify_id.clone()),
        Notification::Other { .. } => notification.param("notify_id").map(str::to_string),
    }
    .filter(|id| !id.trim().is_empty())
}

impl Gateway {
    /// The gateway of the app `config` describes (its key answers the gateway check, its Alipay key or
    /// certificates verify), storing into `registry`.
    pub fn new(config: &IsvConfig, registry: Arc<Registry>) -> Self {
        Gateway {
            app_id: config.app_id().to_string(),
            verifier: config.notification_verifier(),
            signer: config.signer().clone(),
            registry,
            failed_downloads: Mutex::new(HashMap::new()),
        }
    }

    /// The registry it stores into.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The largest body it accepts, in bytes (read no more than this from the request).
    pub fn max_body_bytes(&self) -> usize {
        self.verifier.max_body_bytes()
    }

    /// Receives one request: either the answer to write back ([`Received::Answer`]) or a verified,
    /// stored notification for the handler ([`Received::Deliver`]). Never fails: every problem is an
    /// answer (`fail`, with the error in its outcome).
    pub fn receive(&self, content_type: Option<&str>, body: &[u8]) -> Received {
        let refused = |status: u16, error: Error| {
            Received::Answer(GatewayResult {
                answer: GatewayAnswer::fail(status),
                outcome: GatewayOutcome::Refused { error },
            })
        };
        if !is_form(content_type) {
            return refused(
                415,
                Error::protocol(format!(
                    "the gateway takes application/x-www-form-urlencoded bodies, not {}",
                    crate::error::shortened(content_type.unwrap_or_default(), 64)
                )),
            );
        }
        let limit = self.max_body_bytes();
        if body.len() > limit {
            return refused(
                413,
                Error::protocol(format!(
                    "the notification is {} bytes, over the {limit}-byte limit",
                    body.len()
                )),
            );
        }
        let params = match parse_form_limited(body, self.verifier.max_params()) {
            Ok(params) => params,
            Err(error) => return refused(400, error),
        };
        self.fetch_unknown_certificate(&params);
        let is_check = params
            .iter()
            .any(|(key, value)| key == "service" && value == SERVICE_CHECK);
        let verified = self.verifier.verify_params_with_form(params);
        if is_check {
            return Received::Answer(self.service_check(verified.is_ok()));
        }
        let verified = match verified {
            Ok(verified) => verified,
            Err(error) => return refused(400, error),
        };
        match self.store(verified) {
            Ok(received) => received,
            Err(error) => Received::Answer(GatewayResult {
                answer: GatewayAnswer::fail(500),
                outcome: GatewayOutcome::Failed { error },
            }),
        }
    }

    /// Finishes a delivery after its handler ran: `handled` is `Ok` when the handler finished (the
    /// notification is marked handled and `success` answered), or the handler's failure (answered
    /// `fail`: Alipay retries and the handler runs again).
    pub fn finish(
        &self,
        delivery: &Delivery,
        handled: std::result::Result<(), String>,
    ) -> GatewayResult {
        if let Err(reason) = handled {
            return GatewayResult {
                answer: GatewayAnswer::fail(500),
                outcome: GatewayOutcome::HandlerFailed {
                    kind: delivery.kind,
                    reason: crate::error::shortened(&reason, 200),
                },
            };
        }
        if let Some(notify_id) = &delivery.notify_id
            && let Err(error) = self.registry.store().mark_handled(notify_id)
        {
            return GatewayResult {
                answer: GatewayAnswer::fail(500),
                outcome: GatewayOutcome::Failed { error },
            };
        }
        GatewayResult {
            answer: GatewayAnswer::success(),
            outcome: GatewayOutcome::Handled {
                ingest: delivery.ingest,
            },
        }
    }

    /// [`Gateway::receive`], the handler, [`Gateway::finish`] in one call. The handler returns `Err`
    /// with a reason when it could not do its work (Alipay then retries).
    pub fn handle<E: fmt::Display>(
        &self,
        content_type: Option<&str>,
        body: &[u8],
        handler: impl FnOnce(&Delivery) -> std::result::Result<(), E>,
    ) -> GatewayResult {
        match self.receive(content_type, body) {
            Received::Answer(result) => result,
            Received::Deliver(delivery) => {
                let handled = handler(&delivery).map_err(|error| error.to_string());
                self.finish(&delivery, handled)
            }
        }
    }

    /// In certificate mode, downloads the Alipay certificate a notification names when the store does not
    /// know it yet (Alipay rotated its certificate), through the registry's client of this app — which
    /// shares the certificate store when both were built from the same configuration. A failed download
    /// leaves the verification to refuse the notification, and that SN is not asked for again for a while.
    fn fetch_unknown_certificate(&self, params: &[(String, String)]) {
        let Some(store) = self.verifier.cert_store() else {
            return;
        };
        let Some(sn) = params
            .iter()
            .find(|(key, value)| key == "alipay_cert_sn" && !value.trim().is_empty())
            .map(|(_, value)| value.trim())
        else {
            return;
        };
        if store.key(sn).is_some() {
            return;
        }
        let Ok(client) = self.registry.client_for(&self.app_id) else {
            return;
        };
        {
            let failed = self
                .failed_downloads
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if failed
                .get(sn)
                .is_some_and(|at| at.elapsed() < REFETCH_AFTER)
            {
                return;
            }
        }
        if client.fetch_alipay_cert(sn).is_err() {
            let mut failed = self
                .failed_downloads
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if failed.len() >= MAX_FAILED_DOWNLOADS {
                failed.retain(|_, at| at.elapsed() < REFETCH_AFTER);
                if failed.len() >= MAX_FAILED_DOWNLOADS {
                    failed.clear();
                }
            }
            failed.insert(sn.to_string(), Instant::now());
        }
    }

    /// The signed answer to a gateway check.
    fn service_check(&self, verified: bool) -> GatewayResult {
        match service_check_answer(&self.signer, verified) {
            Ok(xml) => GatewayResult {
                answer: GatewayAnswer {
                    status: 200,
                    content_type: format!(
                        "text/xml; charset={}",
                        self.signer.charset().as_str().to_ascii_lowercase()
                    ),
                    body: xml,
                },
                outcome: GatewayOutcome::ServiceCheck { verified },
            },
            Err(error) => GatewayResult {
                answer: GatewayAnswer::fail(500),
                outcome: GatewayOutcome::Failed { error },
            },
        }
    }

    /// Stores a verified notification once, unless the journal says it was handled.
    fn store(&self, verified: VerifiedNotification) -> Result<Received> {
        let VerifiedNotification {
            notification,
            signed_form,
        } = verified;
        let notify_id = notify_id_of(&notification);
        let store = self.registry.store();
        let state = match &notify_id {
            Some(notify_id) => store.notification_state(notify_id)?,
            None => NotificationState::New,
        };
        let ingest = match state {
            NotificationState::Handled => {
                return Ok(Received::Answer(GatewayResult {
                    answer: GatewayAnswer::success(),
                    outcome: GatewayOutcome::AlreadyHandled,
                }));
            }
            NotificationState::Received => IngestOutcome::Duplicate,
            NotificationState::New => {
                let ingest = self.registry.ingest_notification(&notification)?;
                if let Some(notify_id) = &notify_id
                    && ingest == IngestOutcome::Ignored
                {
                    store.record_notification(notify_id)?;
                }
                ingest
            }
        };
        Ok(Received::Deliver(Box::new(Delivery {
            kind: DeliveryKind::of(&notification),
            notification,
            ingest,
            notify_id,
            signed_form,
        })))
    }
}
