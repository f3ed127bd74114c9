//! The canonical content: the exact string Alipay signs for a set of parameters.

/// Builds the canonical content of a parameter set.
///
/// Every parameter except `sign` (`sign_type` stays in), without those whose key or value is empty
/// (`"0"` and whitespace are not empty), sorted by key in byte order, joined as `key=value` with `&`,
/// with no URL-encoding. This is the Java SDK's `getSignContent`.
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
            !key.is_empty() && !value.is_empty() && key != "sign"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_whitespace_are_kept_empty_is_dropped() {
        let content = sign_content([("a", "0"), ("b", " "), ("c", ""), ("d", "x")]);
        assert_eq!(content, "a=0&b= &d=x");
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
