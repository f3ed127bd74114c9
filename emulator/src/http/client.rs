//! A tiny blocking `http://` client (one request per connection, `Connection: close`) for pushes to
//! the application gateway and for visiting authorisation links without following redirects.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::MAX_BODY_BYTES;
use super::chunked::{Chunked, decode_chunked};

/// An answer received by the client.
#[derive(Debug, Clone)]
pub struct ClientResponse {
    /// The status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl ClientResponse {
    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The parts of an `http://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// Host name or address (IPv6 without brackets).
    pub host: String,
    /// Port (80 when absent).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
}

impl HttpUrl {
    /// Parses `http://host[:port][/path][?query]`; `https` and anything else is refused.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| "only http:// URLs are supported by the emulator".to_string())?;
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(split);
        let target = target.split('#').next().unwrap_or_default();
        let target = match target.strip_prefix('?') {
            Some(_) => format!("/{target}"),
            None if target.is_empty() => "/".to_string(),
            None => target.to_string(),
        };
        if authority.contains('@') || authority.is_empty() {
            return Err("the URL has no usable host".to_string());
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| "malformed IPv6 host".to_string())?;
            (host.to_string(), after.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host.to_string(), Some(port)),
                None => (authority.to_string(), None),
            }
        };
        let port = match port {
            Some(port) => port
                .parse::<u16>()
                .map_err(|_| "malformed port".to_string())?,
            None => 80,
        };
        if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err("the URL contains spaces or control characters".to_string());
        }
        Ok(HttpUrl { host, port, target })
    }

    /// `host:port` as a `Host` header value.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Sends one request and reads the whole answer. `content_type` and `body` are sent for `POST`.
pub fn send(
    method: &str,
    url: &HttpUrl,
    content_type: Option<&str>,
    body: &[u8],
    timeout: Duration,
) -> Result<ClientResponse, String> {
    let address = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
        .next()
        .ok_or_else(|| format!("{} resolves to no address", url.host))?;
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("cannot connect to {}: {e}", url.authority()))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("cannot set socket timeouts: {e}"))?;
    let mut request = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: alipay-isv-emulator\r\n",
        url.target,
        url.authority()
    );
    if let Some(content_type) = content_type {
        request.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    stream
        .write_all(&bytes)
        .map_err(|e| format!("cannot send the request to {}: {e}", url.authority()))?;
    let mut received = Vec::new();
    stream
        .take((MAX_BODY_BYTES + 64 * 1024) as u64)
        .read_to_end(&mut received)
        .map_err(|e| format!("cannot read the answer of {}: {e}", url.authority()))?;
    parse_response(&received)
}

/// Parses a complete answer read until the peer closed.
fn parse_response(received: &[u8]) -> Result<ClientResponse, String> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut response = httparse::Response::new(&mut headers);
    let head = match response.parse(received) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Err("the answer ended inside its head".into()),
        Err(e) => return Err(format!("the answer is not HTTP: {e}")),
    };
    let status = response.code.unwrap_or(0);
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let rest = &received[head..];
    let header = |name: &str| {
        headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        match decode_chunked(rest, MAX_BODY_BYTES) {
            Chunked::Done { body, .. } => body,
            _ => return Err("the chunked answer is truncated or malformed".into()),
        }
    } else if let Some(length) = header("content-length") {
        let length: usize = length
            .trim()
            .parse()
            .map_err(|_| "malformed Content-Length in the answer".to_string())?;
        rest.get(..length)
            .ok_or_else(|| format!("the answer is truncated ({} of {length} bytes)", rest.len()))?
            .to_vec()
    } else {
        rest.to_vec()
    };
    Ok(ClientResponse {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_urls() {
        let url = HttpUrl::parse("http://127.0.0.1:8080/notify?x=1#frag").unwrap();
        assert_eq!(url.host, "127.0.0.1");
        assert_eq!(url.port, 8080);
        assert_eq!(url.target, "/notify?x=1");
        assert_eq!(HttpUrl::parse("http://example.com").unwrap().target, "/");
        assert_eq!(HttpUrl::parse("http://h?a=b").unwrap().target, "/?a=b");
        let v6 = HttpUrl::parse("http://[::1]:9/").unwrap();
        assert_eq!(
            (v6.host.as_str(), v6.authority()),
            ("::1", "[::1]:9".into())
        );
        assert!(HttpUrl::parse("https://example.com/").is_err());
        assert!(HttpUrl::parse("http://h:99999/").is_err());
        assert!(HttpUrl::parse("http://h/a b").is_err());
    }

    #[test]
    fn parses_answers_and_detects_truncation() {
        let ok = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccess").unwrap();
        assert_eq!(
            (ok.status, ok.body.as_slice()),
            (200, b"success".as_slice())
        );
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsucc").is_err());
        let chunked = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.body, b"ok");
    }
}
