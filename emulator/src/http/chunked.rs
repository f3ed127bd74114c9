//! Decoding `Transfer-Encoding: chunked` bodies, with a size limit, from a buffer that may still be
//! incomplete.

/// The outcome of decoding what has arrived so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunked {
    /// The whole body, and how many input bytes it took (trailers included).
    Done {
        /// The decoded body.
        body: Vec<u8>,
        /// Bytes of input consumed.
        consumed: usize,
    },
    /// More input is needed.
    NeedMore,
    /// The body exceeds the limit.
    TooLarge,
    /// The framing is broken.
    Invalid,
}

/// The longest chunk-size or trailer line accepted.
const MAX_LINE: usize = 4096;

/// Finds the next CRLF-terminated line at `from`: `Ok(Some((line, next)))`, `Ok(None)` when
/// incomplete, `Err(())` when the line is too long.
fn line_at(data: &[u8], from: usize) -> Result<Option<(&[u8], usize)>, ()> {
    let rest = data.get(from..).unwrap_or_default();
    match rest.windows(2).position(|pair| pair == b"\r\n") {
        Some(end) if end <= MAX_LINE => Ok(Some((&rest[..end], from + end + 2))),
        Some(_) => Err(()),
        None if rest.len() > MAX_LINE => Err(()),
        None => Ok(None),
    }
}

/// Parses a chunk-size line (hex digits, optionally followed by `;extensions`).
fn chunk_size(line: &[u8]) -> Option<usize> {
    let digits = line.split(|&b| b == b';').next()?;
    let digits = std::str::from_utf8(digits).ok()?.trim();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    usize::from_str_radix(digits, 16).ok()
}

/// Decodes a chunked body from the start of `data`, refusing bodies over `limit` bytes.
pub fn decode_chunked(data: &[u8], limit: usize) -> Chunked {
    let mut body = Vec::new();
    let mut position = 0;
    loop {
        let (line, next) = match line_at(data, position) {
            Ok(Some(found)) => found,
            Ok(None) => return Chunked::NeedMore,
            Err(()) => return Chunked::Invalid,
        };
        let Some(size) = chunk_size(line) else {
            return Chunked::Invalid;
        };
        if size == 0 {
            let mut position = next;
            loop {
                match line_at(data, position) {
                    Ok(Some((trailer, after))) => {
                        if trailer.is_empty() {
                            return Chunked::Done {
                                body,
                                consumed: after,
                            };
                        }
                        position = after;
                    }
                    Ok(None) => return Chunked::NeedMore,
                    Err(()) => return Chunked::Invalid,
                }
            }
        }
        if body.len().saturating_add(size) > limit {
            return Chunked::TooLarge;
        }
        let end = next.saturating_add(size);
        let Some(chunk) = data.get(next..end) else {
            return Chunked::NeedMore;
        };
        match data.get(end..end + 2) {
            Some(b"\r\n") => {}
            Some(_) => return Chunked::Invalid,
            None => return Chunked::NeedMore,
        }
        body.extend_from_slice(chunk);
        position = end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_chunks_extensions_and_trailers() {
        let data = b"4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
        assert_eq!(
            decode_chunked(data, 100),
            Chunked::Done {
                body: b"Wikipedia".to_vec(),
                consumed: data.len() - 4
            }
        );
    }

    #[test]
    fn incomplete_oversized_and_broken_bodies() {
        assert_eq!(decode_chunked(b"4\r\nWi", 100), Chunked::NeedMore);
        assert_eq!(decode_chunked(b"0\r\n", 100), Chunked::NeedMore);
        assert_eq!(decode_chunked(b"ff\r\n", 10), Chunked::TooLarge);
        assert_eq!(decode_chunked(b"zz\r\n", 10), Chunked::Invalid);
        assert_eq!(decode_chunked(b"2\r\nabXX", 10), Chunked::Invalid);
        assert_eq!(
            decode_chunked(b"fffffffffffffffffffff\r\n", 10),
            Chunked::Invalid
        );
    }
}
