//! The request charset: which bytes a canonical content is signed over.
//!
//! `GBK` is Java's `GBK` charset, byte for byte (the gateway and the Java SDK are Java): encoded and
//! decoded through the JDK's own table (see `gbk_java.rs`), not the WHATWG/CP936 GBK of browsers and
//! `encoding_rs`, which differs on `€`, U+2641, U+E5E5 and some two hundred other code points.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

#[path = "gbk_java.rs"]
mod gbk_java;

/// The charset of a request or notification: `UTF-8` (the default) or `GBK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// UTF-8, what every new integration should use.
    #[default]
    Utf8,
    /// GBK as Java's `GBK` charset maps it, still used by older merchants and by some gateway error
    /// bodies and notifications.
    Gbk,
}

impl Charset {
    /// The protocol name: `UTF-8` or `GBK`.
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Gbk => "GBK",
        }
    }

    /// Encodes text in this charset; UTF-8, and ASCII-only text in GBK, are borrowed.
    ///
    /// GBK is encoded exactly as Java's `GBK` encoder does (`€` is `A2 E3`, U+2641 is `A8 92`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the first character Java's GBK cannot encode (never replaced by `?`):
    /// every supplementary character (emoji), and the BMP characters outside Java's table.
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk => gbk_java::encode(text).map_err(|character| {
                Error::config(format!(
                    "the character {character:?} (U+{:04X}) cannot be encoded in GBK; \
                     remove it or use charset UTF-8",
                    character as u32
                ))
            }),
        }
    }

    /// Decodes bytes in this charset; valid UTF-8, and ASCII-only bytes in GBK, are borrowed. A UTF-8
    /// byte order mark is kept as U+FEFF.
    ///
    /// GBK is decoded exactly as Java's `GBK` decoder does, with malformed and unmappable input
    /// reported instead of replaced: `0x80`, `0xFF`, a lead byte without its trail byte, and the pairs
    /// outside Java's table are refused.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the bytes are not valid in this charset (never decoded as U+FFFD).
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>> {
        let decoded = match self {
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|error| error.valid_up_to()),
            Charset::Gbk => gbk_java::decode(bytes),
        };
        decoded.map_err(|offset| {
            Error::protocol(format!(
                "the body is not valid {} (at byte {offset} of {}); check the declared charset",
                self.as_str(),
                bytes.len()
            ))
        })
    }
}

impl FromStr for Charset {
    type Err = Error;

    /// Parses `UTF-8`/`utf8`/`GBK`, case-insensitively.
    fn from_str(name: &str) -> Result<Self> {
        match name.trim().to_ascii_uppercase().as_str() {
            "UTF-8" | "UTF8" => Ok(Charset::Utf8),
            "GBK" => Ok(Charset::Gbk),
            other => Err(Error::config(format!(
                "unsupported charset `{other}`; expected UTF-8 or GBK"
            ))),
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_encodes_chinese_to_two_bytes_each() {
        let bytes = Charset::Gbk.encode("中文").unwrap();
        assert_eq!(bytes.as_ref(), &[0xD6, 0xD0, 0xCE, 0xC4]);
        assert_eq!(Charset::Gbk.decode(&bytes).unwrap(), "中文");
    }

    #[test]
    fn gbk_refuses_emoji_instead_of_writing_a_question_mark() {
        let error = Charset::Gbk.encode("pay 😀").err().unwrap();
        assert_eq!(error.kind(), "config");
        assert!(error.reason().contains("U+1F600"), "{error}");
    }

    #[test]
    fn names_parse_case_insensitively() {
        assert_eq!("utf-8".parse::<Charset>().unwrap(), Charset::Utf8);
        assert_eq!("gbk".parse::<Charset>().unwrap(), Charset::Gbk);
        assert!("latin1".parse::<Charset>().is_err());
    }

    #[test]
    fn gbk_is_java_s_table_not_whatwg_s() {
        assert_eq!(Charset::Gbk.encode("€").unwrap().as_ref(), &[0xA2, 0xE3]);
        assert_eq!(
            Charset::Gbk.encode("\u{2641}").unwrap().as_ref(),
            &[0xA8, 0x92]
        );
        assert_eq!(Charset::Gbk.decode(&[0xA2, 0xE3]).unwrap(), "€");
        assert_eq!(Charset::Gbk.decode(&[0xA8, 0x92]).unwrap(), "\u{2641}");
        let error = Charset::Gbk.encode("a\u{2295}").err().unwrap();
        assert_eq!(error.kind(), "config");
        assert!(error.reason().contains("U+2295"), "{error}");
    }

    #[test]
    fn invalid_gbk_is_a_protocol_error_not_a_replacement() {
        for bytes in [
            &[0x80][..],
            &[0xFF],
            &[0x61, 0xD6],
            &[0xD6, 0x7F],
            &[0xD6, 0x30],
        ] {
            let error = Charset::Gbk.decode(bytes).err().unwrap();
            assert_eq!(error.kind(), "protocol", "{bytes:02X?}");
            assert!(error.reason().contains("not valid GBK"), "{error}");
        }
    }

    #[test]
    fn ascii_is_borrowed_both_ways() {
        for charset in [Charset::Utf8, Charset::Gbk] {
            assert!(matches!(
                charset.encode("a=1&b=2").unwrap(),
                Cow::Borrowed(_)
            ));
            assert!(matches!(
                charset.decode(b"a=1&b=2").unwrap(),
                Cow::Borrowed(_)
            ));
        }
    }

    #[test]
    fn invalid_utf8_is_a_protocol_error() {
        assert_eq!(
            Charset::Utf8.decode(&[0xff, 0xfe]).err().unwrap().kind(),
            "protocol"
        );
    }
}
