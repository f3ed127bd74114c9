//! Distinguished names printed as Java's `X500Principal.getName()` (RFC 2253) prints them — the text the
//! Java SDK hashes into a certificate SN: RDNs in reverse order joined with `,`, the RFC 2253 keywords
//! (`CN, C, L, ST, O, OU, STREET, DC, UID`) and dotted OIDs otherwise, `,=+<>#;"\` escaped with a
//! backslash, leading and trailing spaces escaped, and `#` + hex DER for values that are not strings or
//! whose type has no keyword.

use x509_cert::der::{Encode, Tag, Tagged};
use x509_cert::name::Name;

/// RFC 2253 keywords, as Java knows them.
const KEYWORDS: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.9", "STREET"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.1", "UID"),
];

/// Characters Java escapes with a backslash.
const ESCAPED: &str = ",=+<>#;\"\\";

/// The name in RFC 2253 form, exactly as Java's `X500Principal.getName()` returns it.
pub(crate) fn rfc2253(name: &Name) -> String {
    let mut rdns: Vec<String> = Vec::with_capacity(name.0.len());
    for rdn in name.0.iter().rev() {
        let parts: Vec<String> = rdn.0.iter().map(attribute).collect();
        rdns.push(parts.join("+"));
    }
    rdns.join(",")
}

fn attribute(atv: &x509_cert::attr::AttributeTypeAndValue) -> String {
    let oid = atv.oid.to_string();
    let keyword = KEYWORDS
        .iter()
        .find(|(known, _)| *known == oid)
        .map(|(_, keyword)| *keyword);
    let text = keyword.and_then(|_| string_value(atv.value.tag(), atv.value.value()));
    match (keyword, text) {
        (Some(keyword), Some(text)) => format!("{keyword}={}", escape(&text)),
        (keyword, _) => {
            let der = atv.value.to_der().unwrap_or_default();
            let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
            format!("{}=#{hex}", keyword.map_or(oid, str::to_string))
        }
    }
}

/// The text of a string value for the tags Java prints as text.
fn string_value(tag: Tag, bytes: &[u8]) -> Option<String> {
    let ascii = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|&b| if b.is_ascii() { b as char } else { '\u{fffd}' })
            .collect::<String>()
    };
    match tag {
        Tag::Utf8String => Some(String::from_utf8_lossy(bytes).into_owned()),
        Tag::PrintableString | Tag::Ia5String => Some(ascii(bytes)),
        Tag::TeletexString => Some(bytes.iter().map(|&b| b as char).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        _ => None,
    }
}

/// Java's escaping of a string value.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for character in text.chars() {
        if ESCAPED.contains(character) {
            escaped.push('\\');
            escaped.push(character);
        } else if character == '\0' {
            escaped.push_str("\\00");
        } else {
            escaped.push(character);
        }
    }
    let chars: Vec<char> = escaped.chars().collect();
    let is_space = |c: &char| *c == ' ' || *c == '\r';
    let lead = chars.iter().take_while(|c| is_space(c)).count();
    let trail = chars.iter().rev().take_while(|c| is_space(c)).count();
    let mut result = String::with_capacity(escaped.len() + lead + trail);
    for (index, character) in chars.iter().enumerate() {
        if index < lead || index >= chars.len() - trail {
            result.push('\\');
        }
        result.push(*character);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_java() {
        assert_eq!(
            escape("a,b=c+d<e>f#g;h\"i\\j"),
            "a\\,b\\=c\\+d\\<e\\>f\\#g\\;h\\\"i\\\\j"
        );
        assert_eq!(escape("  x "), "\\ \\ x\\ ");
        assert_eq!(escape("中文"), "中文");
    }
}
