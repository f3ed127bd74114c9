//! The canonical content: the exact string Alipay signs for a set of parameters, built as the Java SDK
//! builds it (a `TreeMap<String, String>`, so keys in Java `String.compareTo` order).

use std::cmp::Ordering;

/// Builds the canonical content of a parameter set.
///
/// Every parameter except `sign` (`sign_type` stays in), without those whose key or value is blank,
/// sorted by key as Java's `String.compareTo` sorts (UTF-16 code units, see `java_key_order`: byte
/// order except that a supplementary character such as an emoji sorts before U+E000..U+FFFF), joined as
/// `key=value` with `&`, with no URL-encoding. This is the Java SDK's `getSignContent`, the reference:
/// its `StringUtils.isEmpty` counts a value made only of whitespace (Java's `Character.isWhitespace`)
/// as empty, while `"0"` is kept.
///
/// When nothing is left (no parameter, or every one empty) the content is `""`, which
/// [`Signer`](super::Signer) refuses to sign, as Java does.
///
/// ```
/// let content = alipay_isv_protocol::sign::sign_content([("b", "2"), ("a", "1"), ("sign", "x"), ("c", "")]);
/// assert_eq!(content, "a=1&b=2");
/// // Java order: the emoji (UTF-16 D83D DE00) sorts before ￥ (FFE5), unlike their UTF-8 bytes.
/// let content = alipay_isv_protocol::sign::sign_content([("x￥", "b"), ("x😀", "s")]);
/// assert_eq!(content, "x😀=s&x￥=b");
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
    kept.sort_by(|(a, _), (b, _)| java_key_order(a.as_ref(), b.as_ref()));
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

/// Orders two strings as Java's `String.compareTo` does: by UTF-16 code units, then by length. This is
/// the order of the Java SDK's `TreeMap` of parameters, hence of the canonical content.
///
/// Compares the UTF-8 bytes, without allocating or transcoding. UTF-8 byte order is code point order,
/// which is UTF-16 order except between a supplementary character (U+10000 and up, surrogates
/// D800..DFFF in UTF-16) and a character in U+E000..U+FFFF, where it is reversed. At the first
/// differing byte both strings are at the same character boundary or inside characters with the same
/// lead byte (UTF-8 is self-synchronising), so the two differ in that way exactly when the bytes are a
/// lead `0xEE`/`0xEF` (U+E000..U+FFFF) against a lead `0xF0..=0xF4` (supplementary): then the order of
/// those two bytes is reversed. A string that is a prefix of the other sorts first in both orders.
///
/// For instance Java sorts `x😀` (`x` D83D DE00) before `x￥` (`x` FFE5) though its UTF-8 bytes
/// (`F0 9F 98 80`) sort after those of `￥` (`EF BF A5`).
pub fn java_key_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.iter().zip(b).position(|(x, y)| x != y) {
        None => a.len().cmp(&b.len()),
        Some(index) => {
            let (x, y) = (a[index], b[index]);
            if x >= 0xEE && y >= 0xEE && (x >= 0xF0) != (y >= 0xF0) {
                y.cmp(&x)
            } else {
                x.cmp(&y)
            }
        }
    }
}

/// Whether text is empty or made only of whitespace, as the Java SDK's `StringUtils.isEmpty` decides.
pub(crate) fn is_blank(text: &str) -> bool {
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
    fn ascii_sorts_by_bytes_not_by_locale() {
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
    fn keys_sort_by_utf16_code_units_as_java_does() {
        // 😀 is D83D DE00 in UTF-16, ￥ is FFE5: Java puts the emoji first, UTF-8 bytes (F0 > EF) last.
        let content = sign_content([("x\u{FFE5}", "b"), ("x😀", "s")]);
        assert_eq!(content, "x😀=s&x\u{FFE5}=b");
        assert_eq!(java_key_order("x😀", "x\u{FFE5}"), Ordering::Less);
        assert_eq!(java_key_order("x\u{FFE5}", "x😀"), Ordering::Greater);
        assert_eq!(java_key_order("\u{E000}", "\u{10000}"), Ordering::Greater);
        assert_eq!(java_key_order("\u{D7FF}", "\u{10000}"), Ordering::Less);
        assert_eq!(java_key_order("x😀", "x😀"), Ordering::Equal);
        assert_eq!(java_key_order("x", "x😀"), Ordering::Less);
    }

    /// The reference: Java's `String.compareTo`, literally.
    fn utf16_order(a: &str, b: &str) -> Ordering {
        a.encode_utf16().cmp(b.encode_utf16())
    }

    /// Characters at every boundary that matters: UTF-8 lengths, the surrogate gap, U+E000..U+FFFF
    /// against supplementary characters, and the extremes.
    const EDGES: [char; 17] = [
        '\0',
        'A',
        'a',
        '\u{7F}',
        '\u{80}',
        '\u{7FF}',
        '\u{800}',
        '\u{D7FF}',
        '\u{E000}',
        '\u{E5E5}',
        '\u{FFE5}',
        '\u{FFFF}',
        '\u{10000}',
        '\u{1F600}',
        '\u{1F601}',
        '\u{10FFFF}',
        '中',
    ];

    #[test]
    fn java_key_order_matches_utf16_for_every_string_of_up_to_two_edge_characters() {
        let mut strings = vec![String::new()];
        for &first in &EDGES {
            strings.push(first.to_string());
            for &second in &EDGES {
                strings.push([first, second].iter().collect());
            }
        }
        for a in &strings {
            for b in &strings {
                assert_eq!(java_key_order(a, b), utf16_order(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn java_key_order_matches_utf16_for_three_characters_around_the_flip() {
        let alphabet = ['a', '\u{E000}', '\u{FFFF}', '\u{10000}', '\u{10FFFF}'];
        let mut strings = vec![String::new()];
        for &x in &alphabet {
            for &y in &alphabet {
                for &z in &alphabet {
                    strings.push([x, y, z].iter().collect());
                    strings.push([x, y].iter().collect());
                }
            }
        }
        for a in &strings {
            for b in &strings {
                assert_eq!(java_key_order(a, b), utf16_order(a, b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn every_lead_byte_pair_agrees_with_utf16() {
        // Characters at both ends of every 256-code-point block (every UTF-8 lead byte, every second
        // byte of the 4-byte ones) against one of every 4096 and the edges: all the ways two
        // characters can first differ.
        let block_ends: Vec<String> = (0u32..0x1100)
            .flat_map(|block| [block << 8, block << 8 | 0xFF])
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        let others: Vec<String> = (0u32..0x110)
            .map(|block| block << 12 | 0x123)
            .filter_map(char::from_u32)
            .chain(EDGES)
            .map(String::from)
            .collect();
        for a in &block_ends {
            for b in &others {
                assert_eq!(java_key_order(a, b), utf16_order(a, b), "{a:?} vs {b:?}");
                assert_eq!(java_key_order(b, a), utf16_order(b, a), "{b:?} vs {a:?}");
            }
        }
    }

    #[test]
    fn nothing_left_is_the_empty_string() {
        assert_eq!(sign_content([("sign", "abc"), ("a", "")]), "");
    }
}
