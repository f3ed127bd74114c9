//! The signature algorithm named by the `sign_type` parameter.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// `RSA2` (SHA256withRSA, 2048-bit keys or larger) or legacy `RSA` (SHA1withRSA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// SHA256withRSA, what every app created since 2018 uses.
    #[default]
    Rsa2,
    /// SHA1withRSA, kept for legacy apps; 1024-bit keys are accepted here.
    Rsa,
}

impl SignType {
    /// The protocol name: `RSA2` or `RSA`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Rsa2 => "RSA2",
            SignType::Rsa => "RSA",
        }
    }
}

impl FromStr for SignType {
    type Err = Error;

    /// Parses `RSA2` or `RSA`, case-insensitively.
    fn from_str(name: &str) -> Result<Self> {
        match name.trim().to_ascii_uppercase().as_str() {
            "RSA2" => Ok(SignType::Rsa2),
            "RSA" => Ok(SignType::Rsa),
            other => Err(Error::config(format!(
                "unsupported sign_type `{other}`; expected RSA2 or RSA"
            ))),
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
