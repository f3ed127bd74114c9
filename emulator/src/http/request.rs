//! Reading HTTP/1.1 requests from a connection: heads parsed by `httparse` (64 KiB at most), bodies by
//! `Content-Length` or chunked (10 MiB at most; 24 MiB for a `multipart/form-data` POST to `/v3/…`, a
//! file upload, whose 10 MiB file limit the gateway checks itself), keep-alive and pipelining kept in a
//! per-connection buffer. Malformed input becomes an error answer, never a panic.
//!
//! Bodies are bounded while they are read, never after: a `Content-Length` over the limit is refused
//! before a byte of the body is read, a sized body is read up to its length only, and a chunked body
//! is decoded as it arrives, its size counted chunk by chunk (see [`RequestReader::next_request`]).

use std::io::{Read, Write};

use super::chunked::{ChunkedDecoder, Step};
use super::response::Response;
use super::{MAX_BODY_BYTES, MAX_HEAD_BYTES, MAX_UPLOAD_BODY_BYTES};

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
        origin_form(&self.target)
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

/// A request target in origin form (see [`Request::path`]).
fn origin_form(target: &str) -> &str {
    match target.split_once("://") {
        Some((scheme, rest)) if !scheme.contains(['/', '?']) => {
            rest.find(['/', '?']).map_or("/", |start| &rest[start..])
        }
        _ => target,
    }
}

/// The body limit of a request: [`MAX_UPLOAD_BODY_BYTES`] for a `multipart/form-data` POST to `/v3/…`,
/// [`MAX_BODY_BYTES`] otherwise.
fn body_limit(method: &str, target: &str, content_type: Option<&str>) -> usize {
    let upload = method == "POST"
        && origin_form(target).starts_with("/v3/")
        && content_type.is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if upload {
        MAX_UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
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
        let limit = body_limit(&head.method, &head.target, header("content-type"));
        let body = if chunked {
            self.read_chunked_body(head.length, expects_continue, limit)
        } else {
            match content_length(&head.headers) {
                Ok(length) => self.read_sized_body(head.length, length, expects_continue, limit),
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
        limit: usize,
    ) -> Result<Option<Vec<u8>>, Response> {
        if length > limit {
            return Err(body_too_large(limit));
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

    /// Reads a chunked body through a [`ChunkedDecoder`]: input is decoded as it arrives and dropped
    /// from the buffer once decoded, the decoded size is counted while reading (a chunk that would
    /// take it over `limit` is refused from its size line, before its data is read), and the framing
    /// read with it is capped at [`max_chunked_input`].
    fn read_chunked_body(
        &mut self,
        head: usize,
        expects_continue: bool,
        limit: usize,
    ) -> Result<Option<Vec<u8>>, Response> {
        self.send_continue(expects_continue, head + 1);
        self.buffer.drain(..head);
        let mut decoder = ChunkedDecoder::new(limit);
        loop {
            let (consumed, step) = decoder.decode(&self.buffer);
            self.buffer.drain(..consumed);
            match step {
                Step::Done => return Ok(Some(decoder.into_body())),
                Step::TooLarge => return Err(body_too_large(limit)),
                Step::Invalid => {
                    return Err(Response::text(400, "malformed chunked body\n"));
                }
                Step::NeedMore => {
                    if decoder.consumed() > max_chunked_input(limit) {
                        return Err(body_too_large(limit));
                    }
                    if !self.fill() {
                        return Ok(None);
                    }
                }
            }
        }
    }
}

/// The most input a chunked body may take, framing included (chunk-size lines, extensions,
/// trailers): twice the body limit (and a head), so that a body in chunks of a few dozen bytes still
/// fits, while a peer sending endless framing around little data is cut off.
const fn max_chunked_input(limit: usize) -> usize {
    2 * limit + MAX_HEAD_BYTES
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

fn body_too_large(limit: usize) -> Response {
    Response::text(
        413,
        &format!("request body over {} MiB\n", limit / (1024 * 1024)),
    )
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

    /// A peer that sends `head`, then `body` repeated without end, and counts what was read.
    struct Endless {
        head: Vec<u8>,
        body: Vec<u8>,
        read: usize,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
            let mut written = 0;
            while written < buffer.len() {
                let source = if self.read < self.head.len() {
                    &self.head[self.read..]
                } else {
                    let cycle = (self.read - self.head.len()) % self.body.len();
                    &self.body[cycle..]
                };
                let take = source.len().min(buffer.len() - written);
                buffer[written..written + take].copy_from_slice(&source[..take]);
                written += take;
                self.read += take;
            }
            Ok(written)
        }
    }

    impl std::io::Write for Endless {
        fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
            Ok(buffer.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn status_of(incoming: Incoming) -> u16 {
        match incoming {
            Incoming::Reject(response) => response.status,
            Incoming::Request(_) => 200,
            Incoming::Closed => 0,
        }
    }

    /// `head` followed by an endless body is refused with 413 after reading at most one buffer past it.
    fn assert_refused_from_the_head(head: String) {
        let mut reader = RequestReader::new(Endless {
            head: head.clone().into_bytes(),
            body: b"a".to_vec(),
            read: 0,
        });
        assert_eq!(status_of(reader.next_request()), 413);
        assert!(
            reader.stream.read <= head.len() + 16 * 1024,
            "{}",
            reader.stream.read
        );
    }

    #[test]
    fn a_content_length_over_the_limit_is_refused_before_the_body_is_read() {
        assert_refused_from_the_head(format!(
            "POST /gateway.do HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        ));
    }

    #[test]
    fn a_chunk_over_the_limit_is_refused_from_its_size_line() {
        assert_refused_from_the_head(format!(
            "POST /gateway.do HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_BODY_BYTES + 1
        ));
    }

    #[test]
    fn an_endless_chunked_body_is_cut_off_at_the_limit() {
        let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
        chunk.extend(std::iter::repeat_n(b'a', 64 * 1024));
        chunk.extend_from_slice(b"\r\n");
        let mut reader = RequestReader::new(Endless {
            head: b"POST /gateway.do HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            body: chunk,
            read: 0,
        });
        assert_eq!(status_of(reader.next_request()), 413);
        let read = reader.stream.read;
        assert!(
            read <= MAX_BODY_BYTES + 128 * 1024,
            "{read} bytes read for a 10 MiB limit"
        );
        assert!(read >= MAX_BODY_BYTES - 64 * 1024);
    }

    #[test]
    fn endless_framing_around_little_data_is_cut_off() {
        let extension = format!("1;{}\r\na\r\n", "x".repeat(4000));
        let mut reader = RequestReader::new(Endless {
            head: b"POST /gateway.do HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            body: extension.into_bytes(),
            read: 0,
        });
        assert_eq!(status_of(reader.next_request()), 413);
        assert!(reader.stream.read <= max_chunked_input(MAX_BODY_BYTES) + 32 * 1024);
    }

    #[test]
    fn a_body_in_small_chunks_is_read_whole() {
        let mut request =
            b"POST /gateway.do HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..50_000 {
            request.extend_from_slice(b"8\r\nabcdefgh\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        let mut reader = RequestReader::new(Endless {
            head: request,
            body: b"\r\n".to_vec(),
            read: 0,
        });
        let Incoming::Request(first) = reader.next_request() else {
            panic!("a request");
        };
        assert_eq!(first.body.len(), 400_000);
        let Incoming::Request(second) = reader.next_request() else {
            panic!("the pipelined request");
        };
        assert_eq!(second.method, "GET");
    }

    #[test]
    fn only_a_multipart_post_to_v3_gets_the_upload_limit() {
        let multipart = Some("multipart/form-data; boundary=x");
        assert_eq!(
            body_limit("POST", "/v3/alipay/open/file/upload", multipart),
            MAX_UPLOAD_BODY_BYTES
        );
        assert_eq!(
            body_limit("POST", "http://127.0.0.1:1/v3/a/b", multipart),
            MAX_UPLOAD_BODY_BYTES
        );
        for (method, target, content_type) in [
            ("POST", "/gateway.do", multipart),
            ("GET", "/v3/a/b", multipart),
            ("POST", "/v3/a/b", Some("application/json")),
            ("POST", "/v3/a/b", None),
            ("POST", "/x/v3/a", multipart),
        ] {
            assert_eq!(
                body_limit(method, target, content_type),
                MAX_BODY_BYTES,
                "{method} {target}"
            );
        }
        let mut reader = RequestReader::new(Endless {
            head: format!(
                "POST /v3/alipay/open/file/upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
                MAX_UPLOAD_BODY_BYTES + 1
            )
            .into_bytes(),
            body: b"a".to_vec(),
            read: 0,
        });
        assert_eq!(status_of(reader.next_request()), 413);
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
