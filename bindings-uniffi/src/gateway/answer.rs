//! What the application gateway answers Alipay and what it did with a request, mirroring
//! `alipay_isv::gateway`'s `answer` module: one [`GatewayResult`] record (the exact HTTP answer —
//! status, content type, body — and the outcome's name, its error and what the registry did).

use std::fmt;

use alipay_isv::gateway as core;

use crate::error::AlipayError;
use crate::registry::IngestOutcome;

/// The gateway's answer to one request and what it did (Kotlin: `gateway.handle(contentType, body,
/// handlers)`, `gateway.finish(delivery, failure)`). Write `status`, `contentType` and `body` back
/// as they are: Alipay stops retrying a notification only when the body is `success`. `toString()`
/// shows the status, the outcome, the ingest outcome and the error — never the body.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct GatewayResult {
    /// The HTTP status: 200 for `success` and the gateway check; 400 for a refused notification
    /// (signature, malformed, an order without its required fields), 413 for a body over the limit,
    /// 415 for a body that is not a form, 500 when storing or the handler failed (each with the body
    /// `fail`, so Alipay retries). A Kotlin `Int`, as `HttpExchange.sendResponseHeaders` takes it.
    pub status: i32,
    /// The `Content-Type` header to send.
    pub content_type: String,
    /// The body to send (ASCII text: `success`, `fail`, or the signed XML of the gateway check).
    pub body: String,
    /// What the gateway did: `service_check` (the gateway check answered), `handled` (stored and
    /// handled: `success`), `already_handled` (Alipay retried a notification already handled:
    /// `success`, the handler not called again), `refused` (nothing stored), `failed` (storing failed)
    /// or `handler_failed` (stored, but the handler threw; the retry is not stored again and runs the
    /// handler again).
    pub outcome: String,
    /// Why the request was `refused` or `failed` (the library's error); null otherwise — a handler's
    /// failure is [handlerError]. Never a secret, and never in `body`.
    pub error: Option<AlipayError>,
    /// What the registry did with a `handled` notification (`APPLIED`, `DUPLICATE` when an earlier
    /// delivery stored it but its handler did not finish, `STALE`, `IGNORED`); null otherwise.
    pub ingest: Option<IngestOutcome>,
    /// For a `service_check`: whether the check's own signature verified; null otherwise.
    pub service_check_verified: Option<bool>,
    /// For `handler_failed`: what the handler threw (its class and message, shortened); null
    /// otherwise. Never in `body`.
    pub handler_error: Option<String>,
}

impl From<core::GatewayResult> for GatewayResult {
    fn from(result: core::GatewayResult) -> Self {
        let outcome = result.outcome.as_str().to_string();
        let error = result.outcome.error().cloned().map(AlipayError::from);
        let handler_error = result.outcome.handler_error().map(str::to_string);
        let (ingest, service_check_verified) = match result.outcome {
            core::GatewayOutcome::Handled { ingest } => (Some(ingest.into()), None),
            core::GatewayOutcome::ServiceCheck { verified } => (None, Some(verified)),
            _ => (None, None),
        };
        GatewayResult {
            status: i32::from(result.answer.status),
            content_type: result.answer.content_type,
            body: result.answer.body,
            outcome,
            error,
            ingest,
            service_check_verified,
            handler_error,
        }
    }
}

#[uniffi::export]
impl GatewayResult {
    /// Whether the body is `success` (Alipay stops retrying).
    pub fn is_success(&self) -> bool {
        self.body == alipay_isv::notify::SUCCESS_ACK
    }
}

impl fmt::Debug for GatewayResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for GatewayResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GatewayResult(status={}, outcome={}, ingest={}, serviceCheckVerified={}, error={}, \
             handlerError={})",
            self.status,
            self.outcome,
            self.ingest.map_or_else(
                || "null".to_string(),
                |ingest| alipay_isv::registry::IngestOutcome::from(ingest)
                    .as_str()
                    .to_string()
            ),
            self.service_check_verified
                .map_or_else(|| "null".to_string(), |verified| verified.to_string()),
            self.error
                .as_ref()
                .map_or_else(|| "null".to_string(), ToString::to_string),
            self.handler_error.as_deref().unwrap_or("null"),
        )
    }
}
