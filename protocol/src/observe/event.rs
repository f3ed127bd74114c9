//! [`Event`]: the one structured record of a gateway call, a received notification, a registry
//! refresh or a revocation — what happened, for which app and merchant, how it ended, how long it
//! took — and never a secret.

use std::time::Duration;

use crate::error::Error;

/// What an [`Event`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// One HTTP call to the gateway (each retry attempt is one event).
    Call,
    /// One notification posted to the application gateway, verified or refused.
    Notification,
    /// One refresh of a merchant's `app_auth_token` by the registry.
    Refresh,
    /// A merchant's authorisation revoked in the registry (a cancellation message, or by hand).
    Revocation,
}

impl EventKind {
    /// The stable name: `call`, `notification`, `refresh`, `revocation`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Call => "call",
            EventKind::Notification => "notification",
            EventKind::Refresh => "refresh",
            EventKind::Revocation => "revocation",
        }
    }
}

/// How the recorded operation ended: `success`, or the kind of the error (`config`, `signature`,
/// `api`, `transport`, `protocol`, `store`) — the same names as [`Error::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outcome(&'static str);

impl Outcome {
    /// The operation succeeded.
    pub const SUCCESS: Outcome = Outcome("success");

    /// The outcome of an operation that failed with `error`.
    pub fn of_error(error: &Error) -> Outcome {
        Outcome(error.kind())
    }

    /// The outcome of a result.
    pub fn of<T>(result: &Result<T, Error>) -> Outcome {
        match result {
            Ok(_) => Outcome::SUCCESS,
            Err(error) => Outcome::of_error(error),
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether the operation succeeded.
    pub fn is_success(self) -> bool {
        self.0 == "success"
    }
}

/// One observed operation. Every field is safe to log: tokens and codes never enter an event, and
/// `reason` is an error's reason, which by the error rule carries no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What was observed.
    pub kind: EventKind,
    /// The ISV's app id (for a notification, the `app_id` it names once verified).
    pub app_id: Option<String>,
    /// The merchant's app the operation was for, when known.
    pub auth_app_id: Option<String>,
    /// The API method of a call; the `notify_type` or `msg_method` of a verified notification.
    pub method: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Alipay's `code` (e.g. `10000`, `40004`) when the gateway answered one.
    pub code: Option<String>,
    /// Alipay's `sub_code` (e.g. `isv.invalid-app-auth-token`) when the gateway answered one.
    pub sub_code: Option<String>,
    /// How long the operation took.
    pub latency: Duration,
    /// Alipay's trace id of the answer (the `trace_id` header), when it had one.
    pub trace_id: Option<String>,
    /// For a call: how many attempts came before this one (0 for the first).
    pub retries: u32,
    /// For a notification: its `notify_id`, once verified.
    pub notify_id: Option<String>,
    /// For a notification: the form its signature matched (`v1`, `v2+empty`, …).
    pub signed_form: Option<&'static str>,
    /// The error's reason when the operation failed.
    pub reason: Option<String>,
}

impl Event {
    /// An event of `kind` with `outcome` and nothing else known yet.
    pub fn new(kind: EventKind, outcome: Outcome, latency: Duration) -> Self {
        Event {
            kind,
            app_id: None,
            auth_app_id: None,
            method: None,
            outcome,
            code: None,
            sub_code: None,
            latency,
            trace_id: None,
            retries: 0,
            notify_id: None,
            signed_form: None,
            reason: None,
        }
    }

    /// Fills `outcome`, `code`, `sub_code` and `reason` from a failed operation's error.
    pub fn with_error(mut self, error: &Error) -> Self {
        self.outcome = Outcome::of_error(error);
        if let Error::Api(api) = error {
            self.code = Some(api.code.clone());
            self.sub_code = api.sub_code.clone();
        }
        self.reason = Some(error.reason().to_string());
        self
    }

    /// Whether the operation failed (what a logger shows as a warning).
    pub fn is_failure(&self) -> bool {
        !self.outcome.is_success()
    }

    /// The latency in milliseconds, with microsecond precision.
    pub fn latency_ms(&self) -> f64 {
        self.latency.as_secs_f64() * 1000.0
    }

    /// Every field that is set, by its snake_case name, as text (numbers formatted): what the
    /// bindings turn into a log record's structured fields.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("kind", self.kind.as_str().to_string()),
            ("outcome", self.outcome.as_str().to_string()),
            ("latency_ms", format!("{:.3}", self.latency_ms())),
        ];
        let optional = [
            ("app_id", self.app_id.as_deref()),
            ("auth_app_id", self.auth_app_id.as_deref()),
            ("method", self.method.as_deref()),
            ("code", self.code.as_deref()),
            ("sub_code", self.sub_code.as_deref()),
            ("trace_id", self.trace_id.as_deref()),
            ("notify_id", self.notify_id.as_deref()),
            ("signed_form", self.signed_form),
            ("reason", self.reason.as_deref()),
        ];
        fields.extend(
            optional
                .into_iter()
                .filter_map(|(name, value)| value.map(|value| (name, value.to_string()))),
        );
        if self.kind == EventKind::Call {
            fields.push(("retries", self.retries.to_string()));
        }
        fields
    }

    /// One line for a human: `call alipay.user.info.share success in 12.3 ms (app_id=…, …)`.
    pub fn message(&self) -> String {
        let mut text = format!(
            "{} {} {} in {:.1} ms",
            self.kind.as_str(),
            self.method.as_deref().unwrap_or("-"),
            self.outcome.as_str(),
            self.latency_ms()
        );
        let details: Vec<String> = self
            .fields()
            .into_iter()
            .filter(|(name, _)| !matches!(*name, "kind" | "method" | "outcome" | "latency_ms"))
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if !details.is_empty() {
            text.push_str(&format!(" ({})", details.join(", ")));
        }
        text
    }
}
