//! [`Client`]: the ISV configuration plus a [`Transport`] — signs a request, sends it, verifies the
//! answer. `execute` reaches any Alipay API; the typed helpers in [`auth_calls`](self) cover the
//! authorisation flow. Immutable, `Send + Sync`, cheap to clone: one client serves every merchant, with
//! tokens passed per call.

mod auth_calls;
mod cert_calls;

use std::fmt;
use std::sync::Arc;

use crate::config::IsvConfig;
use crate::error::{Error, Result};
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
        let request = self.config.sign_request(method, options)?;
        let http = request.to_http_request()?;
        let response = self.transport.send(&http)?;
        self.verify_fetching(method, &response)
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
        retry(policy, || self.execute(method, options))
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
