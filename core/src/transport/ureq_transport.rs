//! The default transport: blocking HTTP on `ureq`, TLS by rustls on the aws-lc-rs provider (the same
//! crypto library as the signatures), Mozilla's root certificates, connect/read timeouts, a response size
//! limit, the proxy from `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (honouring `NO_PROXY`), and pooled
//! keep-alive connections.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{TlsConfig, TlsProvider};
use ureq::{Agent, Proxy};

use super::{HttpResponse, Transport, V3HttpResponse};
use crate::error::{Error, Result};
use crate::request::HttpRequest;
use crate::response::DEFAULT_MAX_BODY_BYTES;
use crate::upload::MultipartFiles;
use crate::v3::{V3Body, V3HttpRequest};

/// Settings of the default transport.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Time allowed to resolve, connect and finish the TLS handshake. Default 5 s.
    pub connect_timeout: Duration,
    /// Time allowed to send the request and receive the whole answer once connected. Default 15 s. The
    /// whole exchange never takes longer than `connect_timeout + read_timeout`.
    pub read_timeout: Duration,
    /// Answers larger than this are refused. Default 10 MiB.
    pub max_response_bytes: usize,
    /// A proxy URL (`http://host:port`, `socks5://…` is not supported); `None` reads the usual
    /// environment variables. Default `None`.
    pub proxy: Option<String>,
    /// Idle keep-alive connections kept per host. Default 16.
    pub max_idle_connections_per_host: usize,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(15),
            max_response_bytes: DEFAULT_MAX_BODY_BYTES,
            proxy: None,
            max_idle_connections_per_host: 16,
        }
    }
}

/// The default [`Transport`]: a pooled, blocking `ureq` agent. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
    options: TransportOptions,
}

impl UreqTransport {
    /// A transport with these options.
    ///
    /// # Errors
    /// [`Error::Config`] for a malformed proxy URL or a zero timeout.
    pub fn new(options: TransportOptions) -> Result<Self> {
        if options.connect_timeout.is_zero() || options.read_timeout.is_zero() {
            return Err(Error::config("transport timeouts must be longer than zero"));
        }
        let proxy = match &options.proxy {
            Some(url) => Some(Proxy::new(url).map_err(|_| {
                Error::config(format!(
                    "the proxy URL {url:?} is not valid; expected http://host:port"
                ))
            })?),
            None => Proxy::try_from_env(),
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_resolve(Some(options.connect_timeout))
            .timeout_send_request(Some(options.read_timeout))
            .timeout_send_body(Some(options.read_timeout))
            .timeout_recv_response(Some(options.read_timeout))
            .timeout_recv_body(Some(options.read_timeout))
            // A peer trickling bytes never trips a per-stage timeout for long: bound the whole exchange.
            .timeout_global(Some(options.connect_timeout + options.read_timeout))
            .max_idle_connections_per_host(options.max_idle_connections_per_host)
            .max_idle_connections(options.max_idle_connections_per_host * 4)
            .proxy(proxy)
            .tls_config(tls)
            .user_agent(concat!("alipay-isv/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(UreqTransport {
            agent: config.new_agent(),
            options,
        })
    }

    /// The options this transport was built with.
    pub fn options(&self) -> &TransportOptions {
        &self.options
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse> {
        let host = host_of(&request.url);
        let mut response = self
            .agent
            .post(&request.url)
            .header("content-type", &request.content_type)
            .send(request.body.as_bytes())
            .map_err(|error| describe(error, host))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let trace_id = response
            .headers()
            .get("trace_id")
            .or_else(|| response.headers().get("alipay-trace-id"))
            .and_then(|value| value.to_str().ok())
            .filter(|value| !value.is_empty() && value.len() <= 128)
            .map(str::to_string);
        let body = self.read_body(response.body_mut(), host)?;
        Ok(HttpResponse {
            status,
            content_type,
            body,
            trace_id,
        })
    }

    fn send_v3(&self, request: &V3HttpRequest) -> Result<V3HttpResponse> {
        let host = host_of(&request.url);
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let sent = match &request.body {
            V3Body::Empty if matches!(request.method.as_str(), "GET" | "HEAD" | "DELETE") => {
                self.agent.run(v3_request(builder, ureq::SendBody::none())?)
            }
            V3Body::Empty => self.agent.run(v3_request(builder, &b""[..])?),
            V3Body::Text(text) => self.agent.run(v3_request(builder, text.as_bytes())?),
            V3Body::Multipart(multipart) => {
                // Streamed from the files, with the exact length announced up front.
                let length = multipart.content_length()?;
                let mut reader = multipart.reader()?;
                let builder = builder.header("content-length", length.to_string());
                self.agent.run(v3_request(
                    builder,
                    ureq::SendBody::from_reader(&mut reader),
                )?)
            }
        };
        let mut response = sent.map_err(|error| describe(error, host))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    name.as_str().to_ascii_lowercase(),
                    value.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let body = self.read_body(response.body_mut(), host)?;
        Ok(V3HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl UreqTransport {
    /// Reads an answer's body up to the configured limit.
    fn read_body(&self, body: &mut ureq::Body, host: &str) -> Result<Vec<u8>> {
        let limit = self.options.max_response_bytes as u64;
        body.with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|error| match error {
                ureq::Error::BodyExceedsLimit(_) => Error::transport(
                    format!("the answer from {host} is over the {limit}-byte limit"),
                    true,
                ),
                other => describe(other, host),
            })
    }
}

/// The v3 request of `builder` with `body`.
fn v3_request<B>(builder: ureq::http::request::Builder, body: B) -> Result<ureq::http::Request<B>> {
    builder
        .body(body)
        .map_err(|error| Error::config(format!("the v3 request is not valid HTTP: {error}")))
}

/// `scheme://host[:port]` of a URL, for messages (never the query: it may hold tokens).
fn host_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |index| index + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |index| after_scheme + index);
    &url[..end]
}

/// Turns a ureq failure into a [`Error::Transport`] that says what failed and whether the request may
/// have been received.
fn describe(error: ureq::Error, host: &str) -> Error {
    use ureq::Timeout;
    match error {
        ureq::Error::HostNotFound => Error::transport(format!("DNS: cannot resolve {host}"), false),
        ureq::Error::Timeout(stage) => {
            let sent = !matches!(stage, Timeout::Resolve | Timeout::Connect);
            let what = match stage {
                Timeout::Resolve => "resolving the host",
                Timeout::Connect => "connecting (TCP and TLS)",
                Timeout::SendRequest | Timeout::SendBody => "sending the request",
                Timeout::RecvResponse => "waiting for the answer",
                Timeout::RecvBody => "reading the answer body",
                Timeout::Global => "the exchange (the peer answered too slowly)",
                _ => "the exchange",
            };
            Error::transport(format!("timeout while {what} with {host}"), sent)
        }
        ureq::Error::Rustls(tls) => {
            Error::transport(format!("TLS handshake with {host} failed: {tls}"), false)
        }
        ureq::Error::Tls(tls) => Error::transport(format!("TLS with {host} failed: {tls}"), false),
        ureq::Error::ConnectProxyFailed(reason) => Error::transport(
            format!("the proxy refused the tunnel to {host}: {reason}"),
            false,
        ),
        ureq::Error::InvalidProxyUrl => Error::config("the proxy URL is not valid"),
        ureq::Error::BadUri(reason) => {
            Error::config(format!("the gateway URL is not valid: {reason}"))
        }
        ureq::Error::ConnectionFailed => {
            Error::transport(format!("cannot connect to {host}"), false)
        }
        ureq::Error::Io(io_error) => describe_io(&io_error, host),
        ureq::Error::Protocol(protocol) => Error::transport(
            format!("malformed HTTP answer from {host}: {protocol}"),
            true,
        ),
        other => Error::transport(format!("HTTP exchange with {host} failed: {other}"), true),
    }
}

fn describe_io(error: &io::Error, host: &str) -> Error {
    use io::ErrorKind;
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        // Record encryption failures happen once the session carries data; everything else rustls
        // reports (certificates, alerts, unexpected messages) fails the handshake, before any request.
        let sent = matches!(
            tls,
            rustls::Error::DecryptError | rustls::Error::EncryptError
        );
        return Error::transport(format!("TLS with {host} failed: {tls}"), sent);
    }
    match error.kind() {
        ErrorKind::ConnectionRefused => {
            Error::transport(format!("connection to {host} refused"), false)
        }
        ErrorKind::NotFound
        | ErrorKind::AddrNotAvailable
        | ErrorKind::HostUnreachable
        | ErrorKind::NetworkUnreachable => {
            Error::transport(format!("cannot reach {host}: {error}"), false)
        }
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            Error::transport(format!("timeout waiting for {host}"), true)
        }
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            Error::transport(format!("connection reset by {host}"), true)
        }
        ErrorKind::UnexpectedEof => Error::transport(
            format!("the answer from {host} was cut off before its end"),
            true,
        ),
        _ => Error::transport(format!("I/O error with {host}: {error}"), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_never_includes_the_query() {
        assert_eq!(
            host_of("https://openapi.alipay.com/gateway.do?app_auth_token=secret"),
            "https://openapi.alipay.com"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn refused_connections_are_not_sent() {
        let transport = UreqTransport::new(TransportOptions::default()).unwrap();
        // Bind then drop a listener: the port is free and refuses connections.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = HttpRequest {
            url: format!("http://127.0.0.1:{port}/gateway.do"),
            body: "a=b".into(),
            content_type: "application/x-www-form-urlencoded;charset=utf-8".into(),
        };
        match transport.send(&request) {
            Err(Error::Transport {
                request_sent: false,
                reason,
            }) => assert!(reason.contains("127.0.0.1"), "{reason}"),
            other => panic!("expected an unsent transport error, got {other:?}"),
        }
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let options = TransportOptions {
            read_timeout: Duration::ZERO,
            ..TransportOptions::default()
        };
        assert!(matches!(
            UreqTransport::new(options),
            Err(Error::Config { .. })
        ));
    }
}
