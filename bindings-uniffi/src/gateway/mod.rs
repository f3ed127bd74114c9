//! [`Gateway`], mirroring `alipay_isv::gateway`: the application gateway (应用网关) as one component.
//! `receive(contentType, body)` refuses what is not a form or is over the size limit, answers the
//! gateway check, verifies every other body, stores what the registry keeps (authorisations,
//! cancellations, service-market orders) and either gives the answer to write back
//! ([`GatewayReceived::Answer`]) or a verified, stored notification for the host's handler
//! ([`GatewayReceived::Deliver`], a [`GatewayDelivery`]); `finish(delivery, failure)` then gives the
//! answer — `success` only after the handler finished, `fail` (500) when it failed, so Alipay retries
//! (the retry stores nothing twice and runs the handler again; a notification already handled is
//! acknowledged without calling the handler). The answer and outcome are in [`answer`].
//!
//! The handlers are Kotlin: the hand-written `Gateway.handle(contentType, body, handlers)`
//! (`GatewayHandlers`: `onOrder`, `onAuthorisation`, `onCancellation`, `onOther`) and the JDK
//! `GatewayHttpHandler` dispatch by kind between `receive` and `finish`.
//!
//! Every call is blocking (signature verification, disk): call it from `Dispatchers.IO` or the HTTP
//! server's worker pool.

mod answer;

pub use answer::GatewayResult;

use std::fmt;
use std::sync::Arc;

use alipay_isv::gateway as core;
use alipay_isv::notify::SignedForm;

use crate::config::IsvConfig;
use crate::error::{Result, guard};
use crate::notify::Notification;
use crate::registry::{IngestOutcome, Registry, notification_to_core};

/// Which handler a verified notification goes to (Kotlin `DeliveryKind.AUTHORISATION`,
/// `.CANCELLATION`, `.ORDER`, `.OTHER`; see `wireName()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<core::DeliveryKind> for DeliveryKind {
    fn from(kind: core::DeliveryKind) -> Self {
        match kind {
            core::DeliveryKind::Authorisation => DeliveryKind::Authorisation,
            core::DeliveryKind::Cancellation => DeliveryKind::Cancellation,
            core::DeliveryKind::Order => DeliveryKind::Order,
            core::DeliveryKind::Other => DeliveryKind::Other,
        }
    }
}

impl From<DeliveryKind> for core::DeliveryKind {
    fn from(kind: DeliveryKind) -> Self {
        match kind {
            DeliveryKind::Authorisation => core::DeliveryKind::Authorisation,
            DeliveryKind::Cancellation => core::DeliveryKind::Cancellation,
            DeliveryKind::Order => core::DeliveryKind::Order,
            DeliveryKind::Other => core::DeliveryKind::Other,
        }
    }
}

#[uniffi::export]
impl DeliveryKind {
    /// The stable name: `authorisation`, `cancellation`, `order` or `other`.
    pub fn wire_name(&self) -> String {
        core::DeliveryKind::from(*self).as_str().to_string()
    }
}

/// A verified, stored notification waiting for the host's handler (`receive` gave it; hand it back
/// to `finish` once the handler ran). Named `GatewayDelivery` because `Delivery` is the emulator's
/// record of a push. `toString()` masks tokens and personal data as `Notification` does.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct GatewayDelivery {
    /// The verified notification (`Notification.ServiceMarketOrder` for an order, `.AppAuth` for an
    /// authorisation, …).
    pub notification: Notification,
    /// Which handler it goes to.
    pub kind: DeliveryKind,
    /// What the registry did with it (`DUPLICATE` when an earlier delivery stored it but its handler
    /// did not finish: the handler runs again).
    pub ingest: IngestOutcome,
    /// Alipay's id of the notification, when it has one.
    pub notify_id: Option<String>,
    /// Which content the gateway had signed (`v1`, `v2`, … as `Notification`'s verification names it).
    pub signed_form: String,
}

impl From<core::Delivery> for GatewayDelivery {
    fn from(delivery: core::Delivery) -> Self {
        GatewayDelivery {
            notification: delivery.notification.into(),
            kind: delivery.kind.into(),
            ingest: delivery.ingest.into(),
            notify_id: delivery.notify_id,
            signed_form: delivery.signed_form.name().to_string(),
        }
    }
}

impl GatewayDelivery {
    /// The core delivery `finish` takes.
    fn to_core(&self) -> core::Delivery {
        core::Delivery {
            notification: notification_to_core(self.notification.clone()),
            kind: self.kind.into(),
            ingest: self.ingest.into(),
            notify_id: self.notify_id.clone(),
            // `finish` does not read it; a name Kotlin changed falls back to the common form.
            signed_form: SignedForm::from_name(&self.signed_form).unwrap_or(SignedForm::V1),
        }
    }
}

impl fmt::Debug for GatewayDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for GatewayDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GatewayDelivery(kind={}, ingest={}, notifyId={}, notification={})",
            self.kind.wire_name(),
            self.ingest.wire_name(),
            self.notify_id.as_deref().unwrap_or("null"),
            self.notification
        )
    }
}

/// What `Gateway.receive` found (Kotlin: a sealed class; `when (received) { is
/// GatewayReceived.Answer -> write(received.result); is GatewayReceived.Deliver -> … }`).
// The delivery is larger than the answer, but a value of this enum only lives until uniffi serialises
// it for Kotlin (uniffi cannot lower a `Box` field).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum GatewayReceived {
    /// Nothing for the handler: write this answer back.
    Answer {
        /// The answer and what was done.
        result: GatewayResult,
    },
    /// A verified, stored notification: run the handler, then `Gateway.finish(delivery, failure)`.
    Deliver {
        /// The notification for the handler.
        delivery: GatewayDelivery,
    },
}

/// The application gateway of one app (Kotlin: `Gateway(config, registry)`), storing into
/// `registry`. Thread-safe: build one and share it. `toString()` shows the body limit and the
/// registry.
///
/// Every call is blocking (signature verification, disk): call it from `Dispatchers.IO` or the HTTP
/// server's worker pool.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Gateway {
    inner: core::Gateway,
    registry: Arc<Registry>,
}

#[uniffi::export]
impl Gateway {
    /// The gateway of the app `config` describes (its key signs the answer to the gateway check, its
    /// Alipay key or certificates verify), storing into `registry`.
    #[uniffi::constructor]
    pub fn new(config: Arc<IsvConfig>, registry: Arc<Registry>) -> Arc<Self> {
        Arc::new(Gateway {
            inner: core::Gateway::new(config.core(), Arc::clone(registry.core())),
            registry,
        })
    }

    /// The registry it stores into (the handlers call it, e.g. `registry.acceptOrder(id)`).
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.registry)
    }

    /// The largest body it accepts, in bytes: read at most one byte more from the request (a body
    /// over the limit is answered 413).
    pub fn max_body_bytes(&self) -> u64 {
        self.inner.max_body_bytes() as u64
    }

    /// Receives one request: its `Content-Type` header (null when absent) and its raw body, never
    /// decoded by a framework. Either the answer to write back (`Answer`: a gateway check, a refusal,
    /// a store failure, a notification already handled) or a verified, stored notification for the
    /// handler (`Deliver`). Never throws for what the request holds: every problem is an answer.
    ///
    /// Throws only `AlipayException.Internal` (a bug).
    pub fn receive(&self, content_type: Option<String>, body: Vec<u8>) -> Result<GatewayReceived> {
        guard("Gateway.receive", || {
            Ok(match self.inner.receive(content_type.as_deref(), &body) {
                core::Received::Answer(result) => GatewayReceived::Answer {
                    result: result.into(),
                },
                core::Received::Deliver(delivery) => GatewayReceived::Deliver {
                    delivery: (*delivery).into(),
                },
            })
        })
    }

    /// Finishes a delivery after its handler ran: `failure` null when the handler finished (the
    /// notification is marked handled and `success` answered), or the handler's failure in a line
    /// (answered `fail` with status 500: Alipay retries and the handler runs again; the text goes
    /// into the result's `error`, never into the body).
    ///
    /// Throws only `AlipayException.Internal` (a bug).
    #[uniffi::method(default(failure = None))]
    pub fn finish(
        &self,
        delivery: GatewayDelivery,
        failure: Option<String>,
    ) -> Result<GatewayResult> {
        guard("Gateway.finish", || {
            let handled = match failure {
                None => Ok(()),
                Some(reason) => Err(reason),
            };
            Ok(self.inner.finish(&delivery.to_core(), handled).into())
        })
    }
}

impl fmt::Debug for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Gateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Gateway(maxBodyBytes={}, registry={})",
            self.inner.max_body_bytes(),
            self.registry
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AlipayError;

    #[test]
    fn kinds_round_trip_and_refusals_are_answers() {
        for kind in [
            DeliveryKind::Authorisation,
            DeliveryKind::Cancellation,
            DeliveryKind::Order,
            DeliveryKind::Other,
        ] {
            assert_eq!(DeliveryKind::from(core::DeliveryKind::from(kind)), kind);
        }
        assert_eq!(DeliveryKind::Order.wire_name(), "order");
        let key = crate::key::generate_key_pair(2048).unwrap();
        let alipay = crate::key::generate_key_pair(2048).unwrap();
        let config = IsvConfig::new(
            "2021000000000001".into(),
            key.private_key,
            alipay.public_key,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .unwrap();
        let gateway = Gateway::new(
            config,
            Registry::in_memory(None, None, Vec::new(), None).unwrap(),
        );
        let answer = |content_type: Option<&str>, body: &[u8]| match gateway
            .receive(content_type.map(str::to_string), body.to_vec())
            .unwrap()
        {
            GatewayReceived::Answer { result } => result,
            GatewayReceived::Deliver { delivery } => panic!("delivered {delivery}"),
        };
        let json = answer(Some("application/json"), b"{}");
        assert_eq!((json.status, json.outcome.as_str()), (415, "refused"));
        assert_eq!(json.body, "fail");
        assert_eq!(
            json.error.as_ref().map(AlipayError::kind).as_deref(),
            Some("protocol")
        );
        let forged = answer(None, b"notify_id=1&sign=AAAA&sign_type=RSA2");
        assert_eq!((forged.status, forged.outcome.as_str()), (400, "refused"));
        assert!(!forged.is_success());
        assert!(forged.to_string().contains("status=400"), "{forged}");
    }
}
