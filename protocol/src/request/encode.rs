//! Encodings for emitting requests: form/query encoding in the request charset (Java `URLEncoder`
//! rules: `A-Za-z0-9*-._` kept, space as `+`, every other byte `%XX`) and HTML attribute escaping.

use crate::error::Result;
use crate::sign::Charset;

/// Encodes one component (key or value) in `charset`, form-style.
pub fn form_component(text: &str, charset: Charset) -> Result<String> {
    let bytes = charset.encode(text)?;
    Ok(form_urlencoded::byte_serialize(&bytes).collect())
}

/// Encodes parameters as `k=v&k=v` in the order given.
pub fn form_encode<'a, I>(params: I, charset: Charset) -> Result<String>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut encoded = String::new();
    for (key, value) in params {
        if value.is_empty() {
            continue;
        }
        if !encoded.is_empty() {
            encoded.push('&');
        }
        encoded.push_str(&form_component(key, charset)?);
        encoded.push('=');
        encoded.push_str(&form_component(value, charset)?);
    }
    Ok(encoded)
}

/// Escapes text for an HTML attribute value in double quotes.
pub fn html_attribute(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_java_url_encoder() {
        assert_eq!(
            form_component("a b+c&d=e/中*-._~", Charset::Utf8).unwrap(),
            "a+b%2Bc%26d%3De%2F%E4%B8%AD*-._%7E"
        );
        assert_eq!(form_component("中", Charset::Gbk).unwrap(), "%D6%D0");
    }

    #[test]
    fn html_escapes_quotes_and_tags() {
        assert_eq!(
            html_attribute(r#"{"a":"<b>&'"}"#),
            "{&quot;a&quot;:&quot;&lt;b&gt;&amp;&#39;&quot;}"
        );
    }
}
