//! Entry points for the fuzz targets in `fuzz/` (not a stable API): the emulator's request parsing —
//! HTTP heads, sized and chunked bodies, and the gateway's form parameters in each charset — over bytes
//! instead of a socket.

use std::io::{Cursor, Read, Write};

use alipay_isv::sign::Charset;

use crate::gateway::params::RawParams;
use crate::http::request::{Incoming, RequestReader};

/// A connection whose peer sent `input` and then closed; what the server writes back is dropped.
struct ScriptedPeer {
    input: Cursor<Vec<u8>>,
}

impl Read for ScriptedPeer {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buffer)
    }
}

impl Write for ScriptedPeer {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses every request in `bytes` as the server would, and the gateway parameters of each in UTF-8 and
/// GBK. Returns how many complete requests were read. Never panics on any input.
pub fn parse_requests(bytes: &[u8]) -> usize {
    let mut reader = RequestReader::new(ScriptedPeer {
        input: Cursor::new(bytes.to_vec()),
    });
    let mut complete = 0;
    while let Incoming::Request(request) = reader.next_request() {
        complete += 1;
        let params = RawParams::collect(request.query().as_bytes(), &request.body);
        let _ = params.decode(Charset::Utf8);
        let _ = params.decode(Charset::Gbk);
        let _ = params.ascii("charset");
        let _ = request.path();
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelined_requests_are_all_read() {
        let input = b"POST /gateway.do?charset=utf-8 HTTP/1.1\r\nContent-Length: 7\r\n\r\na=b&c=d\
GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        assert_eq!(parse_requests(input), 2);
        assert_eq!(parse_requests(b"garbage\r\n\r\n"), 0);
        assert_eq!(parse_requests(b""), 0);
    }
}
