//! Moving a signed request to the gateway and its answer back: the small [`Transport`] trait a host can
//! implement with its own HTTP stack (a classic form POST, and an OpenAPI v3 request with any method,
//! headers and a streamed body), the default blocking [`UreqTransport`], and [`retry`], a helper that
//! retries only the failures where retrying cannot run a call twice.

mod retry;
mod ureq_transport;

pub use retry::{RetryPolicy, retry};
pub use ureq_transport::{TransportOptions, UreqTransport};

use crate::error::{Error, Result};
use crate::request::HttpRequest;
use crate::v3::V3HttpRequest;

/// The gateway's HTTP answer, status 200 or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, when present (it may name the body's charset).
    pub content_type: Option<String>,
    /// The body, as received.
    pub body: Vec<u8>,
    /// Alipay's trace id of the answer (the `trace_id` header), when it has one: quote it to Alipay's
    /// support; it is in every call's observability event.
    pub trace_id: Option<String>,
}

impl HttpResponse {
    /// The `charset=` parameter of the `Content-Type`, lowercased, when present.
    pub fn charset(&self) -> Option<String> {
        let content_type = self.content_type.as_deref()?;
        content_type.split(';').find_map(|part| {
            let (name, value) = part.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        })
    }
}

/// Sends one `execute` request (HTTP POST of a form) and returns the answer.
///
/// Implement it to plug in another HTTP stack (a mocked one in tests, a host's instrumented client).
/// Return [`Error::Transport`](crate::Error::Transport) for failures to connect or to read the answer,
/// with `request_sent` telling whether the request may have reached the gateway; return any HTTP status
/// as an [`HttpResponse`] (the client turns non-200 statuses into errors).
pub trait Transport: Send + Sync {
    /// POSTs `request.body` to `request.url` with `Content-Type: request.content_type`.
    ///
    /// # Errors
    /// [`Error::Transport`](crate::Error::Transport) when no complete answer was received.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse>;

    /// Sends an OpenAPI v3 request — `request.method` to `request.url` with every header of
    /// `request.headers` and its body (a multipart body streamed from its files) — and returns the
    /// answer with all its headers, whatever its status. The default refuses: a transport of your own
    /// speaks v3 once it implements this.
    ///
    /// # Errors
    /// [`Error::Transport`] when no complete answer was received.
    fn send_v3(&self, request: &V3HttpRequest) -> Result<V3HttpResponse> {
        let _ = request;
        Err(Error::config(
            "this transport does not send OpenAPI v3 requests: implement Transport::send_v3",
        ))
    }
}

/// An OpenAPI v3 answer as received: status, every header, the raw body.
#[derive(Clone, PartialEq, Eq)]
pub struct V3HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Every header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, as received.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for V3HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V3HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_is_read_from_the_content_type() {
        let response = |content_type: Option<&str>| HttpResponse {
            status: 200,
            content_type: content_type.map(str::to_string),
            body: Vec::new(),
            trace_id: None,
        };
        assert_eq!(
            response(Some("text/html;charset=GBK")).charset().as_deref(),
            Some("gbk")
        );
        assert_eq!(
            response(Some("application/json; charset=\"utf-8\""))
                .charset()
                .as_deref(),
            Some("utf-8")
        );
        assert_eq!(response(Some("text/html")).charset(), None);
        assert_eq!(response(None).charset(), None);
    }
}
