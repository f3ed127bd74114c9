//! GBK exactly as Java's `GBK` charset (`sun.nio.cs.GBK`, what the Java SDK and the Alipay gateway use)
//! encodes and decodes it, which is not the WHATWG/CP936 GBK of browsers and `encoding_rs`.
//!
//! The mapping is the JDK's own, dumped by `scripts/gen-java-gbk/GbkTable.java` into `java_gbk.bin`:
//! 126 × 191 little-endian `u16`, entry `(lead - 0x81) * 191 + (trail - 0x40)` for lead `0x81..=0xFE`
//! and trail `0x40..=0xFE` being the character Java decodes the pair to, `0` where Java refuses it.
//! The generator checks, and refuses to write the table otherwise, what this module relies on:
//!
//! * single bytes `0x00..=0x7F` are ASCII, and `0x80..=0xFF` never decode alone (WHATWG reads `0x80`
//!   as `€`; Java refuses it);
//! * each mapped pair decodes to one BMP character, no two pairs to the same one (checked again here at
//!   compile time);
//! * Java encodes exactly the inverse: ASCII as itself, a character some pair decodes to as that pair,
//!   anything else (every supplementary character included) not at all.
//!
//! Against WHATWG GBK (JDK 17 and encoding_rs 0.8.35): 101 pairs decode to other characters (`A892` is
//! `♁` U+2641 in Java, `⊕` U+2295 in WHATWG; `A3A0` is U+E5E5, not U+3000; `A6D9..` `A8BC` `A8BF`
//! `A989..A995` `FE50..FEA0` are private-use code points in Java); 184 code points encode differently:
//! `€` is `A2E3` (WHATWG `80`), 83 are encodable only in Java (U+2641, U+E5E5 and 81 private-use code
//! points) and 100 only in WHATWG (U+01F9, U+1E3F, U+2295, CJK radicals, ideographic description
//! characters, U+FE10..U+FE19, some extension A ideographs, U+9FB4..U+9FBB).
//!
//! Encoding goes through a two-level lookup (a page index by the high byte of the code point, then
//! 256-entry pages) built from the table at compile time; decoding reads the table directly.

use std::borrow::Cow;

const LEAD_MIN: u8 = 0x81;
const LEAD_MAX: u8 = 0xFE;
const TRAIL_MIN: u8 = 0x40;
const TRAIL_MAX: u8 = 0xFE;
const LEADS: usize = (LEAD_MAX - LEAD_MIN) as usize + 1;
const TRAILS: usize = (TRAIL_MAX - TRAIL_MIN) as usize + 1;
const ENTRIES: usize = LEADS * TRAILS;

/// Java's decode table (see the module documentation); a file of another size does not compile.
static TABLE: &[u8; ENTRIES * 2] = include_bytes!("java_gbk.bin");

/// The character (as UTF-16) at a table index, `0` when unmapped.
const fn entry(index: usize) -> u16 {
    u16::from_le_bytes([TABLE[2 * index], TABLE[2 * index + 1]])
}

/// Which 256-code-point pages of the BMP hold an encodable non-ASCII character, and checks the table:
/// no ASCII, no surrogate, no character twice.
const fn used_pages() -> [bool; 256] {
    let mut seen = [0u32; 0x10000 / 32];
    let mut used = [false; 256];
    let mut index = 0;
    while index < ENTRIES {
        let unit = entry(index) as usize;
        if unit != 0 {
            assert!(unit >= 0x80, "java_gbk.bin maps a pair to ASCII");
            assert!(
                !(unit >= 0xD800 && unit <= 0xDFFF),
                "java_gbk.bin maps a pair to a surrogate"
            );
            assert!(
                seen[unit / 32] & (1 << (unit % 32)) == 0,
                "java_gbk.bin maps two pairs to one character"
            );
            seen[unit / 32] |= 1 << (unit % 32);
            used[unit >> 8] = true;
        }
        index += 1;
    }
    used
}

const USED_PAGES: [bool; 256] = used_pages();

const PAGE_COUNT: usize = {
    let mut count = 0;
    let mut page = 0;
    while page < 256 {
        if USED_PAGES[page] {
            count += 1;
        }
        page += 1;
    }
    count
};

/// For each high byte of a BMP code point, `1 +` the index of its page in [`PAGES`], or `0` when no
/// non-ASCII character of that page is encodable.
static PAGE_OF: [u8; 256] = {
    assert!(PAGE_COUNT < 256);
    let mut page_of = [0u8; 256];
    let mut next = 0;
    let mut page = 0;
    while page < 256 {
        if USED_PAGES[page] {
            next += 1;
            page_of[page] = next as u8;
        }
        page += 1;
    }
    page_of
};

/// The encode pages: the two GBK bytes (`lead << 8 | trail`) of each code point, `0` when Java cannot
/// encode it.
static PAGES: [[u16; 256]; PAGE_COUNT] = {
    let mut pages = [[0u16; 256]; PAGE_COUNT];
    let mut index = 0;
    while index < ENTRIES {
        let unit = entry(index) as usize;
        if unit != 0 {
            let lead = LEAD_MIN as usize + index / TRAILS;
            let trail = TRAIL_MIN as usize + index % TRAILS;
            pages[PAGE_OF[unit >> 8] as usize - 1][unit & 0xFF] = (lead << 8 | trail) as u16;
        }
        index += 1;
    }
    pages
};

/// The two bytes Java's GBK encodes a non-ASCII character to, or `None` when it cannot.
#[inline]
fn encode_char(character: char) -> Option<[u8; 2]> {
    let code = character as u32;
    if code > 0xFFFF {
        return None;
    }
    let page = PAGE_OF[(code >> 8) as usize];
    if page == 0 {
        return None;
    }
    let bytes = PAGES[page as usize - 1][(code & 0xFF) as usize];
    (bytes != 0).then(|| bytes.to_be_bytes())
}

/// The character Java's GBK decodes a two-byte sequence to, or `None` when it refuses it.
#[inline]
fn decode_pair(lead: u8, trail: u8) -> Option<char> {
    if !(LEAD_MIN..=LEAD_MAX).contains(&lead) || !(TRAIL_MIN..=TRAIL_MAX).contains(&trail) {
        return None;
    }
    let unit = entry((lead - LEAD_MIN) as usize * TRAILS + (trail - TRAIL_MIN) as usize);
    if unit == 0 {
        None
    } else {
        char::from_u32(u32::from(unit))
    }
}

/// Encodes text as Java's GBK does; borrows ASCII text.
///
/// # Errors
/// The first character Java's GBK cannot encode.
pub(super) fn encode(text: &str) -> Result<Cow<'_, [u8]>, char> {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&byte| byte >= 0x80) else {
        return Ok(Cow::Borrowed(bytes));
    };
    // A non-ASCII character takes at least two bytes in UTF-8 and exactly two in GBK.
    let mut encoded = Vec::with_capacity(bytes.len());
    encoded.extend_from_slice(&bytes[..first]);
    let mut rest = &text[first..];
    while let Some(character) = rest.chars().next() {
        if character.is_ascii() {
            let run = rest
                .bytes()
                .position(|byte| byte >= 0x80)
                .unwrap_or(rest.len());
            encoded.extend_from_slice(&rest.as_bytes()[..run]);
            rest = &rest[run..];
        } else {
            encoded.extend_from_slice(&encode_char(character).ok_or(character)?);
            rest = &rest[character.len_utf8()..];
        }
    }
    Ok(Cow::Owned(encoded))
}

/// Decodes bytes as Java's GBK does with malformed and unmappable input reported; borrows ASCII.
///
/// # Errors
/// The offset of the first byte that does not start a sequence Java decodes.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, usize> {
    let Some(first) = bytes.iter().position(|&byte| byte >= 0x80) else {
        return std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| e.valid_up_to());
    };
    // Two GBK bytes are one BMP character: at most three bytes in UTF-8.
    let mut decoded = String::with_capacity(first + (bytes.len() - first) * 3 / 2 + 1);
    decoded.push_str(std::str::from_utf8(&bytes[..first]).map_err(|e| e.valid_up_to())?);
    let mut position = first;
    while let Some(&lead) = bytes.get(position) {
        if lead < 0x80 {
            let run = bytes[position..]
                .iter()
                .position(|&byte| byte >= 0x80)
                .unwrap_or(bytes.len() - position);
            let ascii = &bytes[position..position + run];
            decoded.push_str(std::str::from_utf8(ascii).map_err(|e| position + e.valid_up_to())?);
            position += run;
        } else {
            let trail = *bytes.get(position + 1).ok_or(position)?;
            decoded.push(decode_pair(lead, trail).ok_or(position)?);
            position += 2;
        }
    }
    Ok(Cow::Owned(decoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_are_few() {
        const { assert!(PAGE_COUNT < 128) };
        assert_eq!(PAGE_OF[0], 1, "page 0 holds ¤ § and the like");
    }

    #[test]
    fn java_specific_mappings() {
        assert_eq!(encode("€").unwrap().as_ref(), &[0xA2, 0xE3]);
        assert_eq!(encode("\u{2641}").unwrap().as_ref(), &[0xA8, 0x92]);
        assert_eq!(encode("\u{E5E5}").unwrap().as_ref(), &[0xA3, 0xA0]);
        assert_eq!(encode("\u{2295}").err(), Some('\u{2295}'));
        assert_eq!(decode(&[0xA8, 0x92]).unwrap(), "\u{2641}");
        assert_eq!(decode(&[0xA3, 0xA0]).unwrap(), "\u{E5E5}");
        assert_eq!(decode(&[0x80]), Err(0));
        assert_eq!(decode(&[0xFF]), Err(0));
    }

    #[test]
    fn every_mapped_pair_round_trips() {
        let mut mapped = 0;
        for lead in LEAD_MIN..=LEAD_MAX {
            for trail in TRAIL_MIN..=TRAIL_MAX {
                if let Some(character) = decode_pair(lead, trail) {
                    mapped += 1;
                    assert_eq!(encode_char(character), Some([lead, trail]));
                }
            }
        }
        assert_eq!(mapped, 23_940);
    }

    #[test]
    fn mixed_text_and_errors_report_where() {
        let text = "a中b€c";
        let bytes = encode(text).unwrap();
        assert_eq!(bytes.as_ref(), b"a\xD6\xD0b\xA2\xE3c");
        assert_eq!(decode(&bytes).unwrap(), text);
        assert!(matches!(encode("abc").unwrap(), Cow::Borrowed(_)));
        assert!(matches!(decode(b"abc").unwrap(), Cow::Borrowed(_)));
        assert_eq!(encode("ab😀").err(), Some('😀'));
        assert_eq!(decode(b"ab\xD6"), Err(2), "a lead byte at the end");
        assert_eq!(decode(b"ab\xD6\x7F"), Err(2), "trail 0x7F");
        assert_eq!(decode(b"\xD6\xD0\x81\x30"), Err(2), "trail below 0x40");
    }
}
