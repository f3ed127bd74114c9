//! The canonical content: the exact string Alipay signs for a set of parameters.

/// Builds the canonical content of a parameter set.
///
/// Every parameter except `sign` (`sign_type` stays in), without those whose key or value is blank,
/// sorted by key in byte order, joined as `key=value` with `&`, with no URL-encoding. This is the Java
/// SDK's `getSignContent`, the reference: its `StringUtils.isEmpty` counts a value made only of
/// whitespace (Java's `Character.isWhitespace`) as empty, while `"0"` is kept.
///
/// ```
/// let content = alipay_isv::sign::sign_content([("b", "2"), ("a", "1"), ("sign", "x"), ("c", "")]);
/// assert_eq!(content, "a=1&b=2");
/// ```
pub fn sign_content<I, K, V>(params: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut kept: Vec<(K, V)> = params
        .into_iter()
        .filter(|(key, value)| {
            let (key, value) = (key.as_ref(), value.as_ref());
            !is_blank(key) && !is_blank(value) && key != "sign"
        })
        .collect();
    kept.sort_by(|(a, _), (b, _)| a.as_ref().as_bytes().cmp(b.as_ref().as_bytes()));
    let length: usize = kept
        .iter()
        .map(|(k, v)| k.as_ref().len() + v.as_ref().len() + 2)
        .sum();
    let mut content = String::with_capacity(length);
    for (index, (key, value)) in kept.iter().enumerate() {
        if index > 0 {
            content.push('&');
        }
        content.push_str(key.as_ref());
        content.push('=');
        content.push_str(value.as_ref());
    }
    content
}

/// Whether text is empty or made only of whitespace, as the Java SDK's `StringUtils.isEmpty` decides.
fn is_blank(text: &str) -> bool {
    text.chars().all(is_java_whitespace)
}

/// Java's `Character.isWhitespace`: the Unicode space, line and paragraph separators except the
/// non-breaking ones (U+00A0, U+2007, U+202F), plus the ASCII controls `\t \n \u{B} \u{C} \r` and
/// `\u{1C}`–`\u{1F}`.
fn is_java_whitespace(character: char) -> bool {
    matches!(
        character,
        '\t' | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\r'
            | '\u{1C}'..='\u{1F}'
            | ' '
            | '\u{1680}'
            | '\u{2000}'..='\u{2006}'
            | '\u{2008}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_kept_empty_and_whitespace_only_are_dropped() {
        let content = sign_content([
            ("a", "0"),
            ("b", " \t\u{3000}"),
            ("c", ""),
            ("d", "x"),
            (" ", "y"),
        ]);
        assert_eq!(content, "a=0&d=x");
    }

    #[test]
    fn non_breaking_spaces_are_not_whitespace_for_java() {
        let content = sign_content([("a", "\u{a0}"), ("b", "\u{2007}"), ("c", " x ")]);
        assert_eq!(content, "a=\u{a0}&b=\u{2007}&c= x ");
    }

    #[test]
    fn sorting_is_by_bytes_not_by_locale() {
        let content = sign_content([
            ("a", "1"),
            ("B", "2"),
            ("ab", "3"),
            ("a_b", "4"),
            ("a.b", "5"),
        ]);
        assert_eq!(content, "B=2&a=1&a.b=5&a_b=4&ab=3");
    }

    #[test]
    fn sign_is_excluded_sign_type_is_kept_and_nothing_is_encoded() {
        let content = sign_content([("sign", "abc"), ("sign_type", "RSA2"), ("x", "a&b=c%2B+")]);
        assert_eq!(content, "sign_type=RSA2&x=a&b=c%2B+");
    }

    #[test]
    fn nothing_left_is_the_empty_string() {
        assert_eq!(sign_content([("sign", "abc"), ("a", "")]), "");
    }
}
