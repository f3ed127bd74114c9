//! HTTP answers: status, content type, extra headers and body, written with a `Content-Length`.

use std::io::Write;
use std::net::TcpStream;

/// An answer to write on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// Extra headers, e.g. `Location`.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A `text/plain; charset=utf-8` answer.
    pub fn text(status: u16, body: &str) -> Self {
        Response::bytes(
            status,
            "text/plain; charset=utf-8",
            body.as_bytes().to_vec(),
        )
    }

    /// A `text/html; charset=utf-8` answer.
    pub fn html(status: u16, body: &str) -> Self {
        Response::bytes(status, "text/html; charset=utf-8", body.as_bytes().to_vec())
    }

    /// An `application/json` answer.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::bytes(
            status,
            "application/json; charset=utf-8",
            value.to_string().into_bytes(),
        )
    }

    /// Any bytes with any content type.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body,
        }
    }

    /// A `302 Found` to `location` (which must not contain CR or LF: callers check).
    pub fn redirect(location: &str) -> Self {
        let mut response = Response::html(
            302,
            "<html><body>Redirecting to the application.</body></html>\n",
        );
        response
            .headers
            .push(("Location".to_string(), location.to_string()));
        response
    }

    /// The status line and headers, for a body of `content_length` bytes.
    pub fn head(&self, keep_alive: bool, content_length: usize) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {content_length}\r\nConnection: {}\r\n",
            self.status,
            reason_phrase(self.status),
            self.content_type,
            if keep_alive { "keep-alive" } else { "close" },
        );
        for (name, value) in &self.headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    /// Writes the whole answer.
    pub fn write_to(&self, stream: &mut TcpStream, keep_alive: bool) -> std::io::Result<()> {
        let mut bytes = self.head(keep_alive, self.body.len());
        bytes.extend_from_slice(&self.body);
        stream.write_all(&bytes)?;
        stream.flush()
    }
}

/// The standard reason phrase of the statuses the emulator uses.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_carries_length_connection_and_extra_headers() {
        let head = String::from_utf8(Response::redirect("http://x/cb?a=1").head(false, 3)).unwrap();
        assert!(head.starts_with("HTTP/1.1 302 Found\r\n"), "{head}");
        assert!(head.contains("Content-Length: 3\r\n"));
        assert!(head.contains("Connection: close\r\n"));
        assert!(head.contains("Location: http://x/cb?a=1\r\n"));
        assert!(head.ends_with("\r\n\r\n"));
    }
}
