//! What the application gateway answers Alipay ([`GatewayAnswer`]: status, content type, body) and what
//! it did with a request ([`GatewayOutcome`], for the host's logs and tests).

use super::DeliveryKind;
use crate::error::Error;
use crate::registry::IngestOutcome;

/// The exact HTTP answer to write back to Alipay. Alipay stops retrying a notification only when the
/// body is `success`; anything else makes it retry later (about eight times over 25 hours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAnswer {
    /// The HTTP status: 200 for `success` and the gateway check; 400 for a refused notification, 413 for
    /// a body over the limit, 415 for a body that is not a form, 500 when storing or handling failed
    /// (each with the body `fail`).
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body (ASCII text).
    pub body: String,
}

impl GatewayAnswer {
    /// `success`: Alipay stops retrying.
    pub(crate) fn success() -> Self {
        GatewayAnswer {
            status: 200,
            content_type: "text/plain; charset=utf-8".into(),
            body: crate::notify::SUCCESS_ACK.into(),
        }
    }

    /// `fail` with `status`: Alipay retries later.
    pub(crate) fn fail(status: u16) -> Self {
        GatewayAnswer {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: "fail".into(),
        }
    }

    /// Whether the body is `success`.
    pub fn is_success(&self) -> bool {
        self.body == crate::notify::SUCCESS_ACK
    }
}

/// What the gateway did with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum GatewayOutcome {
    /// A gateway check (`service=alipay.service.check`) was answered with the signed XML; `verified`
    /// says whether the check's own signature verified.
    ServiceCheck {
        /// Whether the check request's signature verified.
        verified: bool,
    },
    /// A verified notification was stored (as `ingest` says) and handled: answered `success`.
    Handled {
        /// What the registry did with it.
        ingest: IngestOutcome,
    },
    /// A notification already stored and handled (Alipay retried): answered `success`, nothing done.
    AlreadyHandled,
    /// The request was refused before anything was stored — not a form, over the size limit, a
    /// signature that does not verify, a malformed notification: answered `fail`.
    Refused {
        /// Why (never a secret).
        error: Error,
    },
    /// The notification verified but storing it (or marking it handled) failed: answered `fail`, so
    /// Alipay retries; what was committed stays, and the retry is stored once.
    Failed {
        /// Why (never a secret).
        error: Error,
    },
    /// The notification was stored but the host's handler failed: answered `fail`, so Alipay retries;
    /// the retry is not stored again and runs the handler again.
    HandlerFailed {
        /// Which handler.
        kind: DeliveryKind,
        /// What the handler said (shortened; it is the host's own text).
        reason: String,
    },
}

impl GatewayOutcome {
    /// The stable name: `service_check`, `handled`, `already_handled`, `refused`, `failed` or
    /// `handler_failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            GatewayOutcome::ServiceCheck { .. } => "service_check",
            GatewayOutcome::Handled { .. } => "handled",
            GatewayOutcome::AlreadyHandled => "already_handled",
            GatewayOutcome::Refused { .. } => "refused",
            GatewayOutcome::Failed { .. } => "failed",
            GatewayOutcome::HandlerFailed { .. } => "handler_failed",
        }
    }

    /// The library's error of a refused or failed request (a handler's failure is the host's own: see
    /// [`GatewayOutcome::handler_error`]).
    pub fn error(&self) -> Option<&Error> {
        match self {
            GatewayOutcome::Refused { error } | GatewayOutcome::Failed { error } => Some(error),
            _ => None,
        }
    }

    /// What a failed handler said.
    pub fn handler_error(&self) -> Option<&str> {
        match self {
            GatewayOutcome::HandlerFailed { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// A gateway's answer and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayResult {
    /// The HTTP answer to write back.
    pub answer: GatewayAnswer,
    /// What was done.
    pub outcome: GatewayOutcome,
}
