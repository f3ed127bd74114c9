//! The one place where core errors map to the foreign error type, and where panics are caught.
//!
//! uniffi turns [`AlipayError`] into a sealed Kotlin class `AlipayException` with one subclass per
//! variant (`AlipayException.Config`, `.Signature`, `.Api`, `.Transport`, `.Protocol`, `.Store`,
//! `.Internal`). Text fields are named `reason`: a field named `message` would clash with
//! `Throwable.message` in the generated Kotlin. No variant ever carries key material.

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Everything that can go wrong, by what the caller has to fix (Kotlin: `AlipayException`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
pub enum AlipayError {
    /// The configuration is unusable: a malformed or unsupported key, a bad option, a value the chosen
    /// charset cannot encode. Fix the input; retrying will not help.
    Config {
        /// What was expected and what was found (never the secret itself).
        reason: String,
    },
    /// A signature did not verify: tampered content, or the wrong public key configured.
    Signature {
        /// Which signature failed and what to check.
        reason: String,
    },
    /// The gateway answered with an error: a classic answer whose `code` is not `10000`, or an
    /// OpenAPI v3 error answer (then `code` is the v3 code such as `invalid-app-auth-token`, `msg` its
    /// `message`, and `httpStatus`, `traceId` and `links` are set).
    Api {
        /// The gateway's `code`, e.g. `40004`.
        code: String,
        /// The gateway's `msg`, e.g. `Business Failed`.
        msg: String,
        /// The gateway's `sub_code`, e.g. `isv.code-invalid`, when present.
        sub_code: Option<String>,
        /// The gateway's `sub_msg`, when present.
        sub_msg: Option<String>,
        /// Whether the error response carried a signature that verified.
        signed: bool,
        /// A one-line hint on what to do, for the well-known sub-codes (and v3 codes).
        hint: Option<String>,
        /// The HTTP status of a v3 error answer (400, 401, 403, …); null for a classic answer
        /// (always HTTP 200).
        http_status: Option<u16>,
        /// Alipay's trace id of the answer, when it named one: quote it to Alipay's support.
        trace_id: Option<String>,
        /// The `links` of a v3 error answer: Alipay's diagnosis pages for this very call (empty for
        /// a classic answer).
        links: Vec<String>,
    },
    /// The request did not complete: DNS, connect, timeout, TLS, or an HTTP status other than 200.
    Transport {
        /// What failed, where.
        reason: String,
        /// Whether the request may have reached the gateway (Kotlin: `requestSent`). `false` means
        /// it failed before that (DNS, connect, TLS handshake): retrying is safe. `true` means the
        /// call may have run (a timeout, a reset, an HTTP 5xx): retry only idempotent calls.
        request_sent: bool,
    },
    /// A body did not have the expected shape: malformed JSON, a duplicated root node, a missing field.
    Protocol {
        /// What was wrong with the body.
        reason: String,
    },
    /// The authorisation registry failed to read or write.
    Store {
        /// What failed in the store.
        reason: String,
    },
    /// A bug in the library (a Rust panic caught at the boundary). Please report it.
    Internal {
        /// Where the panic happened and its message.
        reason: String,
    },
}

/// Methods shared by every variant (Kotlin: `e.kind()`, `e.reason()` on any `AlipayException`).
#[uniffi::export]
impl AlipayError {
    /// The stable, lowercase name of the category: `config`, `signature`, `api`, `transport`,
    /// `protocol`, `store` or `internal`.
    pub fn kind(&self) -> String {
        match self {
            AlipayError::Config { .. } => "config",
            AlipayError::Signature { .. } => "signature",
            AlipayError::Api { .. } => "api",
            AlipayError::Transport { .. } => "transport",
            AlipayError::Protocol { .. } => "protocol",
            AlipayError::Store { .. } => "store",
            AlipayError::Internal { .. } => "internal",
        }
        .to_string()
    }

    /// The human-readable reason without the category prefix (for `Api`, the whole gateway answer).
    pub fn reason(&self) -> String {
        match self {
            AlipayError::Config { reason }
            | AlipayError::Signature { reason }
            | AlipayError::Transport { reason, .. }
            | AlipayError::Protocol { reason }
            | AlipayError::Store { reason }
            | AlipayError::Internal { reason } => reason.clone(),
            AlipayError::Api {
                code,
                msg,
                sub_code,
                sub_msg,
                signed,
                hint,
                http_status,
                trace_id,
                links,
            } => alipay_isv::ApiError {
                code: code.clone(),
                msg: msg.clone(),
                sub_code: sub_code.clone(),
                sub_msg: sub_msg.clone(),
                signed: *signed,
                hint: hint.clone(),
                http_status: *http_status,
                trace_id: trace_id.clone(),
                links: links.clone(),
            }
            .to_string(),
        }
    }
}

impl fmt::Display for AlipayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlipayError::Api { .. } => f.write_str(&self.reason()),
            _ => write!(f, "{} error: {}", self.kind(), self.reason()),
        }
    }
}

impl std::error::Error for AlipayError {}

impl From<alipay_isv::Error> for AlipayError {
    fn from(error: alipay_isv::Error) -> Self {
        match error {
            alipay_isv::Error::Config { reason } => AlipayError::Config { reason },
            alipay_isv::Error::Signature { reason } => AlipayError::Signature { reason },
            alipay_isv::Error::Api(api) => {
                let alipay_isv::ApiError {
                    code,
                    msg,
                    sub_code,
                    sub_msg,
                    signed,
                    hint,
                    http_status,
                    trace_id,
                    links,
                } = *api;
                AlipayError::Api {
                    code,
                    msg,
                    sub_code,
                    sub_msg,
                    signed,
                    hint,
                    http_status,
                    trace_id,
                    links,
                }
            }
            alipay_isv::Error::Transport {
                reason,
                request_sent,
            } => AlipayError::Transport {
                reason,
                request_sent,
            },
            alipay_isv::Error::Protocol { reason } => AlipayError::Protocol { reason },
            alipay_isv::Error::Store { reason } => AlipayError::Store { reason },
        }
    }
}

/// A `Result` whose error is [`AlipayError`].
pub type Result<T, E = AlipayError> = std::result::Result<T, E>;

/// Runs `body`, turning a core error into an [`AlipayError`] and a panic into
/// [`AlipayError::Internal`], so that no panic ever unwinds into the foreign language.
///
/// `operation` names the exported call in the reason of an internal error.
pub(crate) fn guard<T>(
    operation: &str,
    body: impl FnOnce() -> Result<T, alipay_isv::Error>,
) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result.map_err(AlipayError::from),
        Err(payload) => Err(internal(operation, payload.as_ref())),
    }
}

/// Builds the [`AlipayError::Internal`] reported for a panic caught in `operation`.
fn internal(operation: &str, payload: &(dyn Any + Send)) -> AlipayError {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    AlipayError::Internal {
        reason: format!(
            "unexpected panic in {operation}: {detail}; this is a bug, please report it"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_maps_to_the_same_kind() {
        let cases = [
            alipay_isv::Error::config("c"),
            alipay_isv::Error::signature("s"),
            alipay_isv::Error::protocol("p"),
            alipay_isv::Error::transport("t", true),
            alipay_isv::Error::Store {
                reason: "st".into(),
            },
        ];
        for core in cases {
            let kind = core.kind();
            let reason = core.reason();
            let mapped = AlipayError::from(core);
            assert_eq!(mapped.kind(), kind);
            assert_eq!(mapped.reason(), reason);
        }
    }

    #[test]
    fn transport_errors_keep_request_sent() {
        for sent in [false, true] {
            match AlipayError::from(alipay_isv::Error::transport("refused", sent)) {
                AlipayError::Transport {
                    reason,
                    request_sent,
                } => {
                    assert_eq!(reason, "refused");
                    assert_eq!(request_sent, sent);
                }
                other => panic!("mapped to {other:?}"),
            }
        }
    }

    #[test]
    fn api_errors_keep_every_field() {
        let core = alipay_isv::Error::Api(Box::new(alipay_isv::ApiError {
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: Some("isv.code-invalid".into()),
            sub_msg: None,
            signed: true,
            hint: Some("ask again".into()),
            ..alipay_isv::ApiError::default()
        }));
        let mapped = AlipayError::from(core);
        assert_eq!(mapped.kind(), "api");
        assert!(mapped.reason().contains("40004"));
        match mapped {
            AlipayError::Api {
                code,
                sub_code,
                signed,
                hint,
                ..
            } => {
                assert_eq!(code, "40004");
                assert_eq!(sub_code.as_deref(), Some("isv.code-invalid"));
                assert!(signed);
                assert_eq!(hint.as_deref(), Some("ask again"));
            }
            other => panic!("mapped to {other:?}"),
        }
    }

    #[test]
    fn v3_api_errors_keep_status_trace_id_and_links() {
        let core = alipay_isv::Error::Api(Box::new(alipay_isv::ApiError {
            code: "invalid-app-auth-token".into(),
            msg: "无效的应用授权令牌".into(),
            hint: Some("authorise again".into()),
            http_status: Some(401),
            trace_id: Some("0b2f1a3c17966001".into()),
            links: vec!["https://open.alipay.com/api/errCheck?traceId=0b2f1a3c17966001".into()],
            ..alipay_isv::ApiError::default()
        }));
        let mapped = AlipayError::from(core);
        assert!(mapped.reason().contains("HTTP 401"), "{mapped}");
        assert!(mapped.reason().contains("0b2f1a3c17966001"), "{mapped}");
        match mapped {
            AlipayError::Api {
                http_status,
                trace_id,
                links,
                sub_code,
                ..
            } => {
                assert_eq!(http_status, Some(401));
                assert_eq!(trace_id.as_deref(), Some("0b2f1a3c17966001"));
                assert_eq!(links.len(), 1);
                assert_eq!(sub_code, None);
            }
            other => panic!("mapped to {other:?}"),
        }
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<()> = guard("test_operation", || panic!("boom"));
        let error = result.unwrap_err();
        assert_eq!(error.kind(), "internal");
        assert!(error.reason().contains("test_operation"), "{error}");
        assert!(error.reason().contains("boom"), "{error}");
        let formatted: Result<()> = guard("formatted", || panic!("code {}", 7));
        assert!(formatted.unwrap_err().reason().contains("code 7"));
    }
}
