//! What the application gateway answers and what it did, mirroring `alipay_isv::gateway`'s answer:
//! [`GatewayResult`], one plain object holding the exact HTTP answer to write back (`status`,
//! `contentType`, `body`) and the outcome by name, with the error of a refused or failed request (an
//! `AlipayError` value, never thrown), what the registry did with a handled notification, and whether
//! a gateway check's signature verified.

use alipay_isv::gateway as core;
use napi_derive::napi;

use crate::error::ErrorValue;

/// What a gateway did with one request, and the exact answer to write back. A plain object; it holds
/// no secret (the body is `success`, `fail` or the signed XML of a gateway check; an error's text
/// never holds a secret).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct GatewayResult {
    /// The HTTP status: 200 for `success` and the gateway check; 400 for a refused notification
    /// (signature, malformed, missing required order fields), 413 for a body over the limit, 415 for a
    /// body that is not a form, 500 when storing or the handler failed (Alipay retries), each with the
    /// body `fail`.
    pub status: u16,
    /// The `Content-Type` header to send.
    pub content_type: String,
    /// The body to send: `success` (Alipay stops retrying), `fail`, or the signed XML of a gateway
    /// check (`alipay.service.check`).
    pub body: String,
    /// What was done: `service_check` (a gateway check answered), `handled` (a verified notification
    /// stored and handled), `already_handled` (Alipay retried one already handled: nothing done),
    /// `refused` (nothing stored), `failed` (storing failed) or `handler_failed` (stored, but the
    /// handler threw: Alipay retries and the handler runs again).
    #[napi(ts_type = "GatewayOutcomeName")]
    pub outcome: String,
    /// Why a request was `refused` or `failed` (`ALIPAY_PROTOCOL_ERROR`, `ALIPAY_SIGNATURE_ERROR`,
    /// `ALIPAY_STORE_ERROR`, …); `null` otherwise (a handler's failure is `handlerError`). Never in
    /// the body.
    #[napi(ts_type = "AlipayError")]
    pub error: Option<ErrorValue>,
    /// What the registry did with a `handled` notification (`applied`, `duplicate`, `stale`,
    /// `ignored`); `null` otherwise.
    #[napi(ts_type = "IngestOutcome")]
    pub ingest: Option<String>,
    /// For a `service_check`: whether the check's own signature verified; `null` otherwise.
    pub verified: Option<bool>,
    /// For `handler_failed`: what the handler threw (its message, shortened); `null` otherwise.
    /// Never in the body.
    pub handler_error: Option<String>,
}

impl From<core::GatewayResult> for GatewayResult {
    fn from(result: core::GatewayResult) -> Self {
        let core::GatewayResult { answer, outcome } = result;
        let name = outcome.as_str().to_string();
        let handler_error = outcome.handler_error().map(str::to_string);
        let (error, ingest, verified) =
            match outcome {
                core::GatewayOutcome::ServiceCheck { verified } => (None, None, Some(verified)),
                core::GatewayOutcome::Handled { ingest } => {
                    (None, Some(ingest.as_str().to_string()), None)
                }
                core::GatewayOutcome::AlreadyHandled
                | core::GatewayOutcome::HandlerFailed { .. } => (None, None, None),
                core::GatewayOutcome::Refused { error }
                | core::GatewayOutcome::Failed { error } => (Some(ErrorValue(error)), None, None),
            };
        GatewayResult {
            status: answer.status,
            content_type: answer.content_type,
            body: answer.body,
            outcome: name,
            error,
            ingest,
            verified,
            handler_error,
        }
    }
}
