//! Reading a `multipart/form-data` body (RFC 7578 over RFC 2046): the boundary from the `Content-Type`
//! (token or quoted, 1 to 70 characters), an optional preamble, `--boundary` lines with transport
//! padding before their CRLF, parts of headers (`Content-Disposition: form-data; name=…; filename=…`,
//! quoted strings with backslash escapes, `filename*=UTF-8''…`, `Content-Type`) then a blank line and
//! their content, up to the CRLF before the next boundary, and the closing `--boundary--`. A body whose
//! closing boundary never comes, or that breaks any of these rules, is refused with a reason.

use std::fmt;

/// The most parts a form may have.
pub const MAX_PARTS: usize = 64;
/// The most header lines a part may have.
const MAX_PART_HEADERS: usize = 16;

/// Why a multipart body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartError(pub &'static str);

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The form field (`name`).
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's own `Content-Type`, when it has one.
    pub content_type: Option<String>,
    /// The content, exactly as sent.
    pub body: &'a [u8],
}

/// Whether a `Content-Type` is `multipart/…` (of any subtype).
pub fn is_multipart(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.len() >= 10 && media[..10].eq_ignore_ascii_case("multipart/")
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let (media, parameters) = split_parameters(content_type)?;
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return Err(MultipartError(
            "only multipart/form-data is accepted for a multipart body",
        ));
    }
    let boundary = parameters
        .into_iter()
        .find(|(name, _)| name == "boundary")
        .map(|(_, value)| value)
        .ok_or(MultipartError(
            "the multipart Content-Type has no boundary parameter",
        ))?;
    if boundary.is_empty() || boundary.len() > 70 || !boundary.is_ascii() {
        return Err(MultipartError(
            "the multipart boundary must be 1 to 70 ASCII characters",
        ));
    }
    Ok(boundary)
}

/// The parts of a form body delimited by `boundary`, in order.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, MultipartError> {
    let dash_boundary = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let mut at = if body.starts_with(dash_boundary.as_bytes()) {
        0
    } else {
        find(body, delimiter.as_bytes())
            .map(|found| found + 2)
            .ok_or(MultipartError(
                "the body never opens with its boundary line",
            ))?
    };
    let mut parts = Vec::new();
    loop {
        let after = at + dash_boundary.len();
        let rest = &body[after..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let padding = rest
            .iter()
            .take_while(|byte| matches!(byte, b' ' | b'\t'))
            .count();
        if !rest[padding..].starts_with(b"\r\n") {
            return Err(MultipartError(
                "a boundary line is not followed by CRLF or by the closing --",
            ));
        }
        let start = after + padding + 2;
        let end = find(&body[start..], delimiter.as_bytes())
            .map(|found| start + found)
            .ok_or(MultipartError(
                "the body ends before its closing boundary (--boundary--)",
            ))?;
        if parts.len() == MAX_PARTS {
            return Err(MultipartError("the form has more than 64 parts"));
        }
        parts.push(part(&body[start..end])?);
        at = end + 2;
    }
}

/// One part: header lines, a blank line, the content.
fn part(bytes: &[u8]) -> Result<Part<'_>, MultipartError> {
    let (head, body) = if let Some(body) = bytes.strip_prefix(b"\r\n") {
        (&b""[..], body)
    } else {
        let split = find(bytes, b"\r\n\r\n").ok_or(MultipartError(
            "a part has no blank line between its headers and its content",
        ))?;
        (&bytes[..split], &bytes[split + 4..])
    };
    let head =
        std::str::from_utf8(head).map_err(|_| MultipartError("a part's headers are not UTF-8"))?;
    let mut disposition = None;
    let mut content_type = None;
    for (index, line) in head
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .enumerate()
    {
        if index == MAX_PART_HEADERS {
            return Err(MultipartError("a part has more than 16 header lines"));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(MultipartError("a part header line has no colon"))?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => disposition = Some(value.trim()),
            "content-type" => content_type = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let disposition =
        disposition.ok_or(MultipartError("a part has no Content-Disposition header"))?;
    let (kind, parameters) = split_parameters(disposition)?;
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(MultipartError(
            "a part's Content-Disposition is not form-data",
        ));
    }
    let parameter = |wanted: &str| {
        parameters
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.clone())
    };
    let name =
        parameter("name").ok_or(MultipartError("a part's Content-Disposition has no name"))?;
    let file_name = match parameter("filename*") {
        Some(extended) => Some(extended_value(&extended)?),
        None => parameter("filename"),
    };
    Ok(Part {
        name,
        file_name,
        content_type,
        body,
    })
}

/// `value; name=token; name="quoted \" string"` → the value before the first `;` and the parameters,
/// names lowercased.
#[allow(clippy::type_complexity)]
fn split_parameters(header: &str) -> Result<(&str, Vec<(String, String)>), MultipartError> {
    let (first, mut rest) = header.split_once(';').unwrap_or((header, ""));
    let mut parameters = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            return Ok((first.trim(), parameters));
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_ascii_lowercase();
        rest = &rest[name_end..];
        let Some(after_equals) = rest.strip_prefix('=') else {
            parameters.push((name, String::new()));
            continue;
        };
        let value_text = after_equals.trim_start_matches([' ', '\t']);
        let (value, remaining) = match value_text.strip_prefix('"') {
            Some(quoted) => quoted_string(quoted)?,
            None => {
                let end = value_text.find(';').unwrap_or(value_text.len());
                (value_text[..end].trim().to_string(), &value_text[end..])
            }
        };
        parameters.push((name, value));
        rest = remaining;
    }
}

/// The text of a quoted string (after its opening quote) and what follows its closing quote.
fn quoted_string(text: &str) -> Result<(String, &str), MultipartError> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &text[index + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(MultipartError("a quoted header parameter is not closed"))
}

/// An RFC 8187 extended value, `UTF-8''percent%20encoded` (the language tag ignored).
fn extended_value(text: &str) -> Result<String, MultipartError> {
    let invalid = MultipartError("filename* is not UTF-8''percent-encoded text");
    let mut pieces = text.splitn(3, '\'');
    let (Some(charset), Some(_language), Some(encoded)) =
        (pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(invalid);
    };
    if !charset.eq_ignore_ascii_case("utf-8") {
        return Err(invalid);
    }
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let high = input.next().and_then(|b| char::from(b).to_digit(16));
            let low = input.next().and_then(|b| char::from(b).to_digit(16));
            match (high, low) {
                (Some(high), Some(low)) => bytes.push((high * 16 + low) as u8),
                _ => return Err(invalid),
            }
        } else {
            bytes.push(byte);
        }
    }
    String::from_utf8(bytes).map_err(|_| invalid)
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while from + needle.len() <= haystack.len() {
        let candidate = from + haystack[from..].iter().position(|&byte| byte == first)?;
        if haystack.get(candidate..candidate + needle.len())? == needle {
            return Some(candidate);
        }
        from = candidate + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &[u8] = b"preamble\r\n--XyZ \r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n{\"biz_code\":\"x\"}\r\n--XyZ\r\ncontent-disposition: form-data; name=file_content; filename=\"a \\\"b\\\".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--XyZ--\r\nepilogue";

    #[test]
    fn parts_headers_and_contents_are_read_exactly() {
        let parts = parse(FORM, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "data");
        assert_eq!(parts[0].body, b"{\"biz_code\":\"x\"}");
        assert_eq!(parts[0].content_type.as_deref(), Some("application/json"));
        assert_eq!(parts[1].name, "file_content");
        assert_eq!(parts[1].file_name.as_deref(), Some("a \"b\".jpg"));
        assert_eq!(parts[1].body, b"\xff\xd8");
        assert_eq!(parts[1].content_type.as_deref(), Some("image/jpeg"));
    }

    #[test]
    fn boundaries_come_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----abc").unwrap(),
            "----abc"
        );
        assert_eq!(
            boundary("Multipart/Form-Data;charset=utf-8; boundary=\"a b;c\"").unwrap(),
            "a b;c"
        );
        assert!(boundary("multipart/mixed; boundary=x").is_err());
        assert!(boundary("multipart/form-data").is_err());
        assert!(boundary(&format!("multipart/form-data; boundary={}", "b".repeat(71))).is_err());
        assert!(boundary("multipart/form-data; boundary=\"open").is_err());
        assert!(is_multipart("MULTIPART/form-data; boundary=x"));
        assert!(!is_multipart("application/json"));
    }

    #[test]
    fn broken_bodies_are_refused_never_panic() {
        let cases: &[&[u8]] = &[
            b"",
            b"--XyZ",
            b"--XyZ\r\n",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed",
            b"--XyZjunk\r\n",
            b"--XyZ\r\nno blank line\r\n--XyZ--",
            b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\n\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data; name=a; filename*=latin1''x\r\n\r\nx\r\n--XyZ--",
        ];
        for case in cases {
            assert!(
                parse(case, "XyZ").is_err(),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
        let many: Vec<u8> = (0..=MAX_PARTS)
            .flat_map(|_| b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n".to_vec())
            .chain(b"--XyZ--".to_vec())
            .collect();
        assert_eq!(
            parse(&many, "XyZ").unwrap_err().0,
            "the form has more than 64 parts"
        );
    }

    #[test]
    fn an_empty_form_and_an_extended_file_name() {
        assert!(parse(b"--XyZ--\r\n", "XyZ").unwrap().is_empty());
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=f; filename=\"x.jpg\"; filename*=UTF-8''%E5%9B%BE%20.png\r\n\r\n\r\n--XyZ--";
        let parts = parse(body, "XyZ").unwrap();
        assert_eq!(parts[0].file_name.as_deref(), Some("图 .png"));
        assert_eq!(parts[0].body, b"");
    }
}
