//! The request charset: which bytes a canonical content is signed over.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The charset of a request or notification: `UTF-8` (the default) or `GBK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Charset {
    /// UTF-8, what every new integration should use.
    #[default]
    Utf8,
    /// GBK, still used by older merchants and by some gateway error bodies and notifications.
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

    /// Encodes text in this charset.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first character GBK cannot encode (never replaced by `?`).
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>> {
        match self {
            Charset::Utf8 => Ok(Cow::Borrowed(text.as_bytes())),
            Charset::Gbk => {
                if text.is_ascii() {
                    return Ok(Cow::Borrowed(text.as_bytes()));
                }
                let mut encoder = encoding_rs::GBK.new_encoder();
                let capacity = encoder
                    .max_buffer_length_from_utf8_without_replacement(text.len())
                    .unwrap_or(text.len() * 2);
                let mut bytes = Vec::with_capacity(capacity);
                let (result, _) =
                    encoder.encode_from_utf8_to_vec_without_replacement(text, &mut bytes, true);
                match result {
                    encoding_rs::EncoderResult::InputEmpty => Ok(Cow::Owned(bytes)),
                    encoding_rs::EncoderResult::Unmappable(character) => {
                        Err(Error::config(format!(
                            "the character {character:?} (U+{:04X}) cannot be encoded in GBK; \
                             remove it or use charset UTF-8",
                            character as u32
                        )))
                    }
                    encoding_rs::EncoderResult::OutputFull => {
                        Err(Error::config("GBK encoding ran out of buffer space"))
                    }
                }
            }
        }
    }

    /// Decodes bytes in this charset.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the bytes are not valid in this charset.
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>> {
        let encoding = match self {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Gbk => encoding_rs::GBK,
        };
        encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or_else(|| {
                Error::protocol(format!(
                    "the body is not valid {}; check the declared charset",
                    self.as_str()
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
    fn invalid_utf8_is_a_protocol_error() {
        assert_eq!(
            Charset::Utf8.decode(&[0xff, 0xfe]).err().unwrap().kind(),
            "protocol"
        );
    }
}
