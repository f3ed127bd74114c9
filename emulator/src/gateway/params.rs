//! Gateway parameters: the URL query and the form body merged (official SDKs differ in what goes
//! where), form-decoded from bytes exactly once, then decoded as text in the request `charset`.

use alipay_isv::sign::Charset;

/// Parameters as raw bytes, before the charset is known.
#[derive(Debug, Default)]
pub struct RawParams {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Why the parameters could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum ParamError {
    /// Bytes that are not valid in the declared charset.
    BadBytes,
    /// The same parameter twice with different values (query and body disagree).
    Conflict(String),
}

impl RawParams {
    /// Collects the pairs of the query, then of the body.
    pub fn collect(query: &[u8], body: &[u8]) -> Self {
        let mut pairs = Vec::new();
        for source in [query, body] {
            for segment in source.split(|&b| b == b'&') {
                let segment = trim_line_end(segment);
                if segment.is_empty() {
                    continue;
                }
                let (key, value) = match segment.iter().position(|&b| b == b'=') {
                    Some(split) => (&segment[..split], &segment[split + 1..]),
                    None => (segment, &b""[..]),
                };
                pairs.push((form_decode(key), form_decode(value)));
            }
        }
        RawParams { pairs }
    }

    /// The first value of `key` read as ASCII-compatible text (for `app_id`, `charset`, `method`,
    /// which are ASCII whatever the charset).
    pub fn ascii(&self, key: &str) -> Option<String> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Every parameter decoded in `charset`, duplicates with equal values merged.
    pub fn decode(&self, charset: Charset) -> Result<Vec<(String, String)>, ParamError> {
        let mut params: Vec<(String, String)> = Vec::with_capacity(self.pairs.len());
        for (key, value) in &self.pairs {
            let key = charset
                .decode(key)
                .map_err(|_| ParamError::BadBytes)?
                .into_owned();
            let value = charset
                .decode(value)
                .map_err(|_| ParamError::BadBytes)?
                .into_owned();
            match params.iter().find(|(seen, _)| *seen == key) {
                Some((_, seen)) if *seen == value => {}
                Some(_) => return Err(ParamError::Conflict(key)),
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }
}

fn trim_line_end(segment: &[u8]) -> &[u8] {
    let mut end = segment.len();
    while end > 0 && matches!(segment[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &segment[..end]
}

/// Form-decodes one component to bytes: `+` is a space, `%XX` a byte; a stray `%` stays as it is.
fn form_decode(component: &[u8]) -> Vec<u8> {
    let hex = |byte: u8| char::from(byte).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::with_capacity(component.len());
    let mut index = 0;
    while index < component.len() {
        match component[index] {
            b'%' => match (
                component.get(index + 1).copied().and_then(hex),
                component.get(index + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    decoded.push((high << 4) | low);
                    index += 3;
                }
                _ => {
                    decoded.push(b'%');
                    index += 1;
                }
            },
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            other => {
                decoded.push(other);
                index += 1;
            }
        }
    }
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_merge_and_decode_once() {
        let raw = RawParams::collect(
            b"app_id=1&sign=a%2Bb",
            b"biz_content=%7B%22a%22%3A1%7D&x=a+b%25",
        );
        let params = raw.decode(Charset::Utf8).unwrap();
        assert_eq!(params[1], ("sign".into(), "a+b".into()));
        assert_eq!(params[2], ("biz_content".into(), "{\"a\":1}".into()));
        assert_eq!(params[3], ("x".into(), "a b%".into()));
        assert_eq!(raw.ascii("app_id").as_deref(), Some("1"));
    }

    #[test]
    fn gbk_bytes_decode_in_gbk_only() {
        let raw = RawParams::collect(b"", b"subject=%D6%D0%CE%C4");
        assert_eq!(raw.decode(Charset::Gbk).unwrap()[0].1, "中文");
        assert_eq!(raw.decode(Charset::Utf8), Err(ParamError::BadBytes));
    }

    #[test]
    fn conflicting_duplicates_are_refused_equal_ones_merged() {
        let same = RawParams::collect(b"a=1", b"a=1");
        assert_eq!(same.decode(Charset::Utf8).unwrap().len(), 1);
        let different = RawParams::collect(b"a=1", b"a=2");
        assert_eq!(
            different.decode(Charset::Utf8),
            Err(ParamError::Conflict("a".into()))
        );
    }
}
