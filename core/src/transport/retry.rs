//! Retrying a call after a transport failure, only where it is safe.
//!
//! Alipay calls are not idempotent in general (a payment, a refund, a token refresh that invalidates the
//! previous refresh token), so nothing retries on its own. [`retry`] retries a closure when the failure
//! happened before the request could reach the gateway (`request_sent == false`: DNS, connect, TLS
//! handshake), and — only if the caller says the call is idempotent (a query) — after any transport failure.

use std::time::Duration;

use crate::error::{Error, Result};

/// How [`retry`] retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (at least 1). Default 3.
    pub attempts: u32,
    /// Wait before the second attempt, doubled before each later one. Default 200 ms.
    pub backoff: Duration,
    /// Also retry failures after the request may have been received (timeouts, resets, HTTP 5xx).
    /// Set it only for idempotent calls such as queries. Default `false`.
    pub idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            backoff: Duration::from_millis(200),
            idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Whether `error` may be retried under this policy.
    pub fn allows(&self, error: &Error) -> bool {
        match error {
            Error::Transport { request_sent, .. } => !request_sent || self.idempotent,
            _ => false,
        }
    }
}

/// Runs `call` until it succeeds, fails with an error the policy does not retry, or runs out of attempts;
/// returns the last result.
///
/// ```
/// use alipay_isv::transport::{retry, RetryPolicy};
/// let mut attempts = 0;
/// let result: alipay_isv::Result<u32> = retry(&RetryPolicy::default(), || {
///     attempts += 1;
///     if attempts < 2 {
///         Err(alipay_isv::Error::transport("connection refused", false))
///     } else {
///         Ok(attempts)
///     }
/// });
/// assert_eq!(result.unwrap(), 2);
/// ```
///
/// # Errors
/// The last error of `call`.
pub fn retry<T>(policy: &RetryPolicy, mut call: impl FnMut() -> Result<T>) -> Result<T> {
    let mut wait = policy.backoff;
    let mut attempt = 1;
    loop {
        match call() {
            Err(error) if attempt < policy.attempts.max(1) && policy.allows(&error) => {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
                attempt += 1;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_attempts(policy: &RetryPolicy, error: Error) -> u32 {
        let mut attempts = 0;
        let _ = retry(policy, || -> Result<()> {
            attempts += 1;
            Err(error.clone())
        });
        attempts
    }

    #[test]
    fn only_unsent_failures_are_retried_by_default() {
        let policy = RetryPolicy {
            backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        assert_eq!(
            count_attempts(&policy, Error::transport("refused", false)),
            3
        );
        assert_eq!(
            count_attempts(&policy, Error::transport("timeout", true)),
            1
        );
        assert_eq!(count_attempts(&policy, Error::protocol("bad body")), 1);
        assert_eq!(count_attempts(&policy, Error::signature("tampered")), 1);
    }

    #[test]
    fn idempotent_calls_retry_every_transport_failure() {
        let policy = RetryPolicy {
            attempts: 4,
            backoff: Duration::from_millis(1),
            idempotent: true,
        };
        assert_eq!(
            count_attempts(&policy, Error::transport("timeout", true)),
            4
        );
        assert_eq!(count_attempts(&policy, Error::config("bad key")), 1);
    }
}
