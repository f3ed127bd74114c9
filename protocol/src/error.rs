//! The one public error type of the crate, with the same six categories in every language binding.
//!
//! Text fields are named `reason` (a field named `message` breaks the generated Kotlin). No error ever
//! carries a secret: private keys, `app_auth_token`, `access_token` and refresh tokens are never formatted
//! into a reason; at most a masked prefix (see [`mask_secret`]).

use std::fmt;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, by what the caller has to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The configuration is unusable: a malformed or unsupported key, a bad option, a value the chosen
    /// charset cannot encode. Fix the input; retrying will not help.
    #[error("configuration error: {reason}")]
    Config {
        /// What was expected and what was found (never the secret itself).
        reason: String,
    },
    /// A signature did not verify: a tampered or truncated body, or the wrong public key configured
    /// (for instance the app's own public key where the Alipay public key belongs).
    #[error("signature error: {reason}")]
    Signature {
        /// Which signature failed and what to check.
        reason: String,
    },
    /// The gateway answered with an error (`code` other than `10000`).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not complete: DNS, connect, timeout, TLS, or an HTTP status other than 200.
    #[error("transport error: {reason}")]
    Transport {
        /// What failed, where.
        reason: String,
        /// `false` when the failure happened before the request could reach the gateway (DNS, connect,
        /// TLS handshake, proxy): retrying cannot run the call twice. `true` when it may have been
        /// received and executed (timeout waiting for the answer, reset, truncated body, HTTP status).
        request_sent: bool,
    },
    /// A body did not have the expected shape: malformed JSON, a duplicated root node, a missing field.
    #[error("protocol error: {reason}")]
    Protocol {
        /// What was wrong with the body.
        reason: String,
    },
    /// The authorisation registry failed to read or write.
    #[error("store error: {reason}")]
    Store {
        /// What failed in the store.
        reason: String,
    },
}

/// An error answered by the Alipay gateway — a classic `gateway.do` answer (`code`, `msg`, `sub_code`,
/// `sub_msg`) or an OpenAPI v3 one (`code` is then the v3 code such as `invalid-app-auth-token`, `msg` its
/// `message`, and `http_status`, `links` and `trace_id` are set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiError {
    /// The gateway's `code`, e.g. `40004`.
    pub code: String,
    /// The gateway's `msg`, e.g. `Business Failed`.
    pub msg: String,
    /// The gateway's `sub_code`, e.g. `isv.code-invalid`, when present.
    pub sub_code: Option<String>,
    /// The gateway's `sub_msg`, when present.
    pub sub_msg: Option<String>,
    /// Whether the error response carried a signature that verified. Unsigned errors come from the
    /// gateway itself (a bad `app_id`, for instance) and cannot be authenticated.
    pub signed: bool,
    /// A one-line hint on what to do, for the well-known sub-codes.
    pub hint: Option<String>,
    /// The HTTP status of a v3 error answer (`None` for a classic answer, always HTTP 200).
    pub http_status: Option<u16>,
    /// Alipay's trace id of the answer, when it named one: quote it to Alipay's support.
    pub trace_id: Option<String>,
    /// The `links` of a v3 error answer (Alipay's diagnosis pages for this very call).
    pub links: Vec<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.http_status {
            Some(status) => write!(
                f,
                "Alipay API error {} (HTTP {status}: {})",
                self.code, self.msg
            )?,
            None => write!(f, "Alipay API error {} ({})", self.code, self.msg)?,
        }
        if let Some(sub_code) = &self.sub_code {
            write!(f, ", {sub_code}")?;
        }
        if let Some(sub_msg) = &self.sub_msg {
            write!(f, ": {sub_msg}")?;
        }
        if !self.signed {
            f.write_str(" [unsigned]")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " — {hint}")?;
        }
        if let Some(trace_id) = &self.trace_id {
            write!(f, " [trace id {trace_id}]")?;
        }
        Ok(())
    }
}

impl Error {
    /// A [`Error::Config`] with the given reason.
    pub fn config(reason: impl Into<String>) -> Self {
        Error::Config {
            reason: reason.into(),
        }
    }

    /// A [`Error::Signature`] with the given reason.
    pub fn signature(reason: impl Into<String>) -> Self {
        Error::Signature {
            reason: reason.into(),
        }
    }

    /// A [`Error::Transport`] with the given reason; see its `request_sent` field.
    pub fn transport(reason: impl Into<String>, request_sent: bool) -> Self {
        Error::Transport {
            reason: reason.into(),
            request_sent,
        }
    }

    /// A [`Error::Protocol`] with the given reason.
    pub fn protocol(reason: impl Into<String>) -> Self {
        Error::Protocol {
            reason: reason.into(),
        }
    }

    /// The stable, lowercase name of the category: `config`, `signature`, `api`, `transport`,
    /// `protocol` or `store`. Bindings and the CLI report it as `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config { .. } => "config",
            Error::Signature { .. } => "signature",
            Error::Api(_) => "api",
            Error::Transport { .. } => "transport",
            Error::Protocol { .. } => "protocol",
            Error::Store { .. } => "store",
        }
    }

    /// The human-readable reason without the category prefix.
    pub fn reason(&self) -> String {
        match self {
            Error::Config { reason }
            | Error::Signature { reason }
            | Error::Transport { reason, .. }
            | Error::Protocol { reason }
            | Error::Store { reason } => reason.clone(),
            Error::Api(api) => api.to_string(),
        }
    }
}

/// How many characters of outside text (a parameter name, a root key) an error shows.
pub(crate) const SHOWN_CHARS: usize = 64;

/// Outside text shown in an error: at most `shown` characters, then `…` and its length in bytes, so
/// a hostile input never makes an error text unbounded.
pub fn shortened(text: &str, shown: usize) -> String {
    match text.char_indices().nth(shown) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
        None => text.to_string(),
    }
}

pub use crate::secret::mask_secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_stable_names() {
        assert_eq!(Error::config("x").kind(), "config");
        assert_eq!(Error::signature("x").kind(), "signature");
        assert_eq!(Error::protocol("x").kind(), "protocol");
    }

    #[test]
    fn api_error_displays_every_field_and_flags_unsigned() {
        let error = ApiError {
            code: "40002".into(),
            msg: "Invalid Arguments".into(),
            sub_code: Some("isv.code-invalid".into()),
            sub_msg: Some("授权码code无效".into()),
            signed: false,
            hint: Some("the code was already used".into()),
            ..ApiError::default()
        };
        let text = Error::Api(Box::new(error)).to_string();
        assert!(text.contains("40002"), "{text}");
        assert!(text.contains("isv.code-invalid"), "{text}");
        assert!(text.contains("[unsigned]"), "{text}");
        assert!(text.contains("already used"), "{text}");
    }
}
