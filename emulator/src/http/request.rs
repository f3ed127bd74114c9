//! Reading HTTP/1.1 requests from a connection: heads parsed by `httparse` (64 KiB at most), bodies by
//! `Content-Length` or chunked (10 MiB at most), keep-alive and pipelining kept in a per-connection
//! buffer. Malformed input becomes an error answer, never a panic.

use std::io::{Read, Write};

use super::chunked::{Chunked, decode_chunked};
use super::response::Response;
use super::{MAX_BODY_BYTES, MAX_HEAD_BYTES};

/// One parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target as sent: path and optional query.
    pub target: String,
    /// Headers, names lowercased, values decoded leniently.
    pub headers: Vec<(String, String)>,
    /// The body bytes (de-chunked).
    pub body: Vec<u8>,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
}

impl Request {
    /// The target in origin form: an absolute-form target (`http://host:port/path?query`, which HTTP/1.1
    /// servers must accept, RFC 9112 §3.2.2, and the official Python SDK sends) loses its scheme and
    /// authority.
    fn origin_form(&self) -> &str {
        match self.target.split_once("://") {
            Some((scheme, rest)) if !scheme.contains(['/', '?']) => {
                rest.find(['/', '?']).map_or("/", |start| &rest[start..])
            }
            _ => &self.target,
        }
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.origin_form().split('?').next().unwrap_or_default()
    }

    /// The raw query string (empty when none).
    pub fn query(&self) -> &str {
        self.origin_form()
            .split_once('?')
            .map_or("", |(_, query)| query.split('#').next().unwrap_or_default())
    }

    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What the next read of a connection produced.
#[derive(Debug)]
pub enum Incoming {
    /// A complete request.
    Request(Request),
    /// The peer closed, the idle timeout passed, or the socket failed: end the connection quietly.
    Closed,
    /// The input is unacceptable: send this answer and close.
    Reject(Response),
}

/// Reads requests one after another from a connection (a `TcpStream`, or any byte stream in tests and
/// fuzzing).
pub struct RequestReader<S> {
    stream: S,
    buffer: Vec<u8>,
}

/// The head of a request, copied out of the buffer.
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    minor_version: u8,
    length: usize,
}

impl<S: Read + Write> RequestReader<S> {
    /// A reader over `stream` (a socket should have a read timeout set).
    pub fn new(stream: S) -> Self {
        RequestReader {
            stream,
            buffer: Vec::with_capacity(8192),
        }
    }

    /// Reads more bytes into the buffer; `false` at end of stream, timeout or error.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => false,
            Ok(read) => {
                self.buffer.extend_from_slice(&chunk[..read]);
                true
            }
        }
    }

    /// Reads the next request.
    pub fn next_request(&mut self) -> Incoming {
        let head = match self.read_head() {
            Ok(Some(head)) => head,
            Ok(None) => return Incoming::Closed,
            Err(response) => return Incoming::Reject(response),
        };
        let header = |name: &str| {
            head.headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let connection = header("connection")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let keep_alive = if head.minor_version == 0 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };
        let expects_continue =
            header("expect").is_some_and(|value| value.eq_ignore_ascii_case("100-continue"));
        let chunked = header("transfer-encoding")
            .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            self.read_chunked_body(head.length, expects_continue)
        } else {
            match content_length(&head.headers) {
                Ok(length) => self.read_sized_body(head.length, length, expects_continue),
                Err(response) => Err(response),
            }
        };
        match body {
            Ok(Some(body)) => Incoming::Request(Request {
                method: head.method,
                target: head.target,
                headers: head.headers,
                body,
                keep_alive,
            }),
            Ok(None) => Incoming::Closed,
            Err(response) => Incoming::Reject(response),
        }
    }

    /// Reads and parses the head; `Ok(None)` when the connection ended first.
    fn read_head(&mut self) -> Result<Option<Head>, Response> {
        loop {
            if !self.buffer.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; 96];
                let mut request = httparse::Request::new(&mut headers);
                match request.parse(&self.buffer) {
                    Ok(httparse::Status::Complete(length)) => {
                        if length > MAX_HEAD_BYTES {
                            return Err(head_too_large());
                        }
                        return Ok(Some(Head {
                            method: request.method.unwrap_or_default().to_string(),
                            target: request.path.unwrap_or("/").to_string(),
                            headers: request
                                .headers
                                .iter()
                                .map(|h| {
                                    (
                                        h.name.to_ascii_lowercase(),
                                        String::from_utf8_lossy(h.value).into_owned(),
                                    )
                                })
                                .collect(),
                            minor_version: request.version.unwrap_or(1),
                            length,
                        }));
                    }
                    Ok(httparse::Status::Partial) if self.buffer.len() > MAX_HEAD_BYTES => {
                        return Err(head_too_large());
                    }
                    Ok(httparse::Status::Partial) => {}
                    Err(httparse::Error::TooManyHeaders) => return Err(head_too_large()),
                    Err(_) => {
                        return Err(Response::text(400, "malformed HTTP request head\n"));
                    }
                }
            }
            if !self.fill() {
                return Ok(None);
            }
        }
    }

    fn send_continue(&mut self, expects_continue: bool, wanted: usize) {
        if expects_continue && self.buffer.len() < wanted {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
    }

    fn read_sized_body(
        &mut self,
        head: usize,
        length: usize,
        expects_continue: bool,
    ) -> Result<Option<Vec<u8>>, Response> {
        if length > MAX_BODY_BYTES {
            return Err(body_too_large());
        }
        let end = head + length;
        self.send_continue(expects_continue, end);
        while self.buffer.len() < end {
            if !self.fill() {
                return Ok(None);
            }
        }
        let body = self.buffer[head..end].to_vec();
        self.buffer.drain(..end);
        Ok(Some(body))
    }

    fn read_chunked_body(
        &mut self,
        head: usize,
        expects_continue: bool,
    ) -> Result<Option<Vec<u8>>, Response> {
        self.send_continue(expects_continue, head + 1);
        loop {
            match decode_chunked(&self.buffer[head..], MAX_BODY_BYTES) {
                Chunked::Done { body, consumed } => {
                    self.buffer.drain(..head + consumed);
                    return Ok(Some(body));
                }
                Chunked::TooLarge => return Err(body_too_large()),
                Chunked::Invalid => {
                    return Err(Response::text(400, "malformed chunked body\n"));
                }
                Chunked::NeedMore => {
                    if self.buffer.len() - head > MAX_BODY_BYTES + MAX_HEAD_BYTES {
                        return Err(body_too_large());
                    }
                    if !self.fill() {
                        return Ok(None);
                    }
                }
            }
        }
    }
}

/// The `Content-Length` (0 when absent); conflicting or malformed values are refused.
fn content_length(headers: &[(String, String)]) -> Result<usize, Response> {
    let mut found: Option<usize> = None;
    for (_, value) in headers.iter().filter(|(key, _)| key == "content-length") {
        let parsed = value
            .trim()
            .parse::<usize>()
            .map_err(|_| Response::text(400, "malformed Content-Length\n"))?;
        if found.is_some_and(|previous| previous != parsed) {
            return Err(Response::text(400, "conflicting Content-Length headers\n"));
        }
        found = Some(parsed);
    }
    Ok(found.unwrap_or(0))
}

fn head_too_large() -> Response {
    Response::text(431, "request head over 64 KiB\n")
}

fn body_too_large() -> Response {
    Response::text(413, "request body over 10 MiB\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str) -> Request {
        Request {
            method: "POST".into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            keep_alive: true,
        }
    }

    #[test]
    fn absolute_and_origin_form_targets_split_alike() {
        for target in [
            "/gateway.do?charset=utf-8",
            "http://127.0.0.1:8080/gateway.do?charset=utf-8",
        ] {
            assert_eq!(request(target).path(), "/gateway.do", "{target}");
            assert_eq!(request(target).query(), "charset=utf-8", "{target}");
        }
        assert_eq!(request("http://127.0.0.1:8080").path(), "/");
        let redirect = request("/cb?next=http://x/y");
        assert_eq!(redirect.path(), "/cb");
        assert_eq!(redirect.query(), "next=http://x/y");
    }
}
