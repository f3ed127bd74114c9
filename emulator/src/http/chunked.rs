//! Decoding `Transfer-Encoding: chunked` bodies, with a size limit counted while decoding: at once
//! from a buffer that may still be incomplete ([`decode_chunked`]), or incrementally as input
//! arrives ([`ChunkedDecoder`]), in time linear in the input.

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

/// Where a [`ChunkedDecoder`] is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk's data, with this many bytes still to come.
    Data(usize),
    /// After a chunk's data: its CRLF.
    DataEnd,
    /// After the last (zero) chunk: trailer lines until an empty one.
    Trailers,
    /// The body is complete.
    Done,
}

/// What [`ChunkedDecoder::decode`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The body is complete.
    Done,
    /// More input is needed.
    NeedMore,
    /// The decoded body would exceed the limit.
    TooLarge,
    /// The framing is broken.
    Invalid,
}

/// Decodes a chunked body incrementally: input is fed as it arrives and every byte is looked at once
/// (a partial line is looked at again, at most [`MAX_LINE`] bytes, when more arrives), so decoding
/// is linear in the input. The decoded size is counted while reading: a chunk that would take the
/// body over the limit is refused as soon as its size line is read, before its data arrives.
#[derive(Debug)]
pub struct ChunkedDecoder {
    stage: Stage,
    body: Vec<u8>,
    limit: usize,
    consumed: usize,
}

impl ChunkedDecoder {
    /// A decoder refusing bodies over `limit` bytes.
    pub fn new(limit: usize) -> Self {
        ChunkedDecoder {
            stage: Stage::Size,
            body: Vec::new(),
            limit,
            consumed: 0,
        }
    }

    /// Input bytes consumed so far (framing included).
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// The decoded body so far (all of it once [`Step::Done`]).
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// Decodes what it can of `input` (the bytes after those already consumed): returns how many
    /// bytes of `input` it consumed, and where that left it. Unconsumed bytes (a partial line, or
    /// whatever follows the body) must be given again, followed by more input.
    pub fn decode(&mut self, input: &[u8]) -> (usize, Step) {
        let mut position = 0;
        let step = loop {
            match self.stage {
                Stage::Done => break Step::Done,
                Stage::Size => {
                    let (line, next) = match line_at(input, position) {
                        Ok(Some(found)) => found,
                        Ok(None) => break Step::NeedMore,
                        Err(()) => break Step::Invalid,
                    };
                    let Some(size) = chunk_size(line) else {
                        break Step::Invalid;
                    };
                    if self.body.len().saturating_add(size) > self.limit {
                        break Step::TooLarge;
                    }
                    position = next;
                    self.stage = if size == 0 {
                        Stage::Trailers
                    } else {
                        Stage::Data(size)
                    };
                }
                Stage::Data(left) => {
                    let available = input.len() - position;
                    if available == 0 {
                        break Step::NeedMore;
                    }
                    let take = left.min(available);
                    self.body
                        .extend_from_slice(&input[position..position + take]);
                    position += take;
                    self.stage = if take == left {
                        Stage::DataEnd
                    } else {
                        Stage::Data(left - take)
                    };
                }
                Stage::DataEnd => match input.get(position..position + 2) {
                    Some(b"\r\n") => {
                        position += 2;
                        self.stage = Stage::Size;
                    }
                    Some(_) => break Step::Invalid,
                    None if input.get(position).is_some_and(|&b| b != b'\r') => {
                        break Step::Invalid;
                    }
                    None => break Step::NeedMore,
                },
                Stage::Trailers => match line_at(input, position) {
                    Ok(Some((trailer, next))) => {
                        position = next;
                        if trailer.is_empty() {
                            self.stage = Stage::Done;
                        }
                    }
                    Ok(None) => break Step::NeedMore,
                    Err(()) => break Step::Invalid,
                },
            }
        };
        self.consumed = self.consumed.saturating_add(position);
        (position, step)
    }
}

/// Decodes a chunked body from the start of `data` (complete or not), refusing bodies over `limit`
/// bytes.
pub fn decode_chunked(data: &[u8], limit: usize) -> Chunked {
    let mut decoder = ChunkedDecoder::new(limit);
    match decoder.decode(data) {
        (consumed, Step::Done) => Chunked::Done {
            body: decoder.into_body(),
            consumed,
        },
        (_, Step::NeedMore) => Chunked::NeedMore,
        (_, Step::TooLarge) => Chunked::TooLarge,
        (_, Step::Invalid) => Chunked::Invalid,
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
    fn fed_byte_by_byte_it_decodes_the_same_body() {
        let data = b"4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
        let mut decoder = ChunkedDecoder::new(100);
        let mut pending: Vec<u8> = Vec::new();
        let mut outcome = Step::NeedMore;
        for &byte in data.iter() {
            pending.push(byte);
            let (consumed, step) = decoder.decode(&pending);
            pending.drain(..consumed);
            outcome = step;
            if step != Step::NeedMore {
                break;
            }
        }
        assert_eq!(outcome, Step::Done);
        assert_eq!(decoder.consumed(), data.len() - 4);
        assert_eq!(decoder.into_body(), b"Wikipedia");
    }

    #[test]
    fn the_limit_is_checked_at_each_size_line_before_its_data() {
        let mut decoder = ChunkedDecoder::new(10);
        assert_eq!(decoder.decode(b"6\r\nabcdef\r\n"), (11, Step::NeedMore));
        assert_eq!(decoder.decode(b"5\r\n").1, Step::TooLarge);
        let mut decoder = ChunkedDecoder::new(10);
        assert_eq!(decoder.decode(b"4\r\nab").1, Step::NeedMore);
        assert_eq!(decoder.decode(b"cdX").1, Step::Invalid);
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
