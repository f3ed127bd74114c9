//! [`Client`]: the ISV configuration plus a [`Transport`] — signs a request, sends it, verifies the
//! answer. `execute` reaches any Alipay API; the typed helpers in [`auth_calls`](self) cover the
//! authorisation flow. Immutable, `Send + Sync`, cheap to clone: one client serves every merchant, with
//! tokens passed per call.

pub(crate) mod auth_calls;
mod cert_calls;
mod servicemarket_calls;
pub(crate) mod v3_calls;

pub use servicemarket_calls::OrderPages;
pub use v3_calls::{
    APP_AUTH_TOKEN_PATH, APP_AUTH_TOKEN_QUERY_PATH, USER_INFO_SHARE_PATH, USER_TOKEN_PATH,
};

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use crate::config::IsvConfig;
use crate::error::{Error, Result};
use crate::observe::{self, Event, EventKind, Outcome};
use crate::request::CallOptions;
use crate::response::VerifiedResponse;
use crate::transport::{
    HttpResponse, RetryPolicy, Transport, TransportOptions, UreqTransport, retry,
};

/// Calls the Alipay gateway on behalf of merchants.
#[derive(Clone)]
pub struct Client {
    config: Arc<IsvConfig>,
    transport: Arc<dyn Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("app_id", &self.config.app_id())
            .field("gateway", &self.config.gateway())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client on the default transport (ureq, default timeouts).
    ///
    /// # Errors
    /// [`Error::Config`] when the proxy named in the environment is malformed.
    pub fn new(config: IsvConfig) -> Result<Self> {
        Client::with_transport_options(config, TransportOptions::default())
    }

    /// A client on the default transport with these options.
    ///
    /// # Errors
    /// [`Error::Config`] for bad transport options.
    pub fn with_transport_options(config: IsvConfig, options: TransportOptions) -> Result<Self> {
        Ok(Client::with_transport(
            config,
            Arc::new(UreqTransport::new(options)?),
        ))
    }

    /// A client on a transport of your own.
    pub fn with_transport(config: IsvConfig, transport: Arc<dyn Transport>) -> Self {
        Client {
            config: Arc::new(config),
            transport,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IsvConfig {
        &self.config
    }

    /// Calls any Alipay API: signs `method` with `options` (tokens, `biz_content`, extra parameters),
    /// POSTs it, verifies the answer and returns its fields.
    ///
    /// Nothing is retried: wrap the call in [`retry`](crate::transport::retry) where that is safe.
    ///
    /// # Errors
    /// [`Error::Api`] when the gateway answers an error, [`Error::Signature`] when the answer does not
    /// verify, [`Error::Transport`] when it did not arrive (or arrived with an HTTP status other than 200),
    /// [`Error::Protocol`] for a malformed answer, [`Error::Config`] for bad options.
    pub fn execute(&self, method: &str, options: &CallOptions) -> Result<VerifiedResponse> {
        self.execute_attempt(method, options, 0)
    }

    /// One attempt of a call (`retries` attempts came before it), with its observability event.
    fn execute_attempt(
        &self,
        method: &str,
        options: &CallOptions,
        retries: u32,
    ) -> Result<VerifiedResponse> {
        let started = Instant::now();
        let mut trace_id = None;
        let result = (|| {
            let request = self.config.sign_request(method, options)?;
            let http = request.to_http_request()?;
            let response = self.transport.send(&http)?;
            trace_id.clone_from(&response.trace_id);
            self.verify_fetching(method, &response)
        })();
        let mut event = self.call_event(method, options.auth_app_id.as_deref(), started);
        event.trace_id = trace_id;
        event.retries = retries;
        match &result {
            Ok(answer) => event.code = answer.code().map(str::to_string),
            Err(error) => event = event.with_error(error),
        }
        observe::emit(&event);
        result
    }

    /// The event of a call to `method` for the merchant app `auth_app_id`, started at `started`.
    pub(crate) fn call_event(
        &self,
        method: &str,
        auth_app_id: Option<&str>,
        started: Instant,
    ) -> Event {
        let mut event = Event::new(EventKind::Call, Outcome::SUCCESS, started.elapsed());
        event.app_id = Some(self.config.app_id().to_string());
        event.auth_app_id = auth_app_id.map(str::to_string);
        event.method = Some(method.to_string());
        event
    }

    /// [`Client::execute`] retried under `policy`: by default only after failures that happened before the
    /// request could reach the gateway (see [`RetryPolicy`]). Each attempt is signed afresh.
    ///
    /// # Errors
    /// The last error, as for [`Client::execute`].
    pub fn execute_with_retry(
        &self,
        method: &str,
        options: &CallOptions,
        policy: &RetryPolicy,
    ) -> Result<VerifiedResponse> {
        let attempts = AtomicU32::new(0);
        retry(policy, || {
            let retries = attempts.fetch_add(1, Ordering::Relaxed);
            self.execute_attempt(method, options, retries)
        })
    }
}

/// An HTTP status other than 200 is a transport error (the request was sent).
fn check_status(method: &str, response: &HttpResponse) -> Result<()> {
    if response.status != 200 {
        return Err(Error::transport(
            format!(
                "the gateway answered HTTP {} to {method}{}",
                response.status,
                if response.status >= 500 {
                    " (a gateway or proxy failure; the call may or may not have run)"
                } else {
                    ""
                }
            ),
            true,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
