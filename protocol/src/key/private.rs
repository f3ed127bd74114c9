//! [`PrivateKey`]: the app's RSA private key, parsed once, usable for RSA2 (aws-lc-rs) and legacy RSA
//! (RustCrypto `rsa`) signing, exportable to every format the Alipay tools use.

use std::fmt;

use aws_lc_rs::signature::RsaKeyPair;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use super::classify::{DerShape, classify_der};
use super::text::decode_key_text;
use super::{MAX_KEY_BITS, MIN_KEY_BITS, MIN_RSA2_KEY_BITS, PublicKey};
use crate::error::{Error, Result};

/// An RSA private key, parsed once and reused for every signature.
///
/// Accepts PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) and PKCS#8 (`-----BEGIN PRIVATE KEY-----`), as PEM
/// or as the bare one-line Base64 the Alipay key tool produces. `Debug` shows only the size and the
/// fingerprint of the public half; the key material is zeroed when the value is dropped.
pub struct PrivateKey {
    /// Parsed for legacy `RSA` signing and for format conversion; zeroizes itself on drop.
    rsa: rsa::RsaPrivateKey,
    /// Parsed for `RSA2` signing; present for keys of 2048 bits and more. AWS-LC cleanses freed memory.
    rsa2: Option<RsaKeyPair>,
    public: PublicKey,
}

impl PrivateKey {
    /// Parses a private key from PEM or bare Base64 text (PKCS#1 or PKCS#8).
    ///
    /// # Errors
    /// [`Error::Config`] saying what was found instead: a public key, a certificate, an EC key,
    /// an encrypted key, truncated or non-Base64 text, a key size outside 1024–8192 bits.
    pub fn from_text(text: &str) -> Result<Self> {
        let decoded = decode_key_text(text, "private key")?;
        match decoded.label.as_deref() {
            None | Some("PRIVATE KEY") | Some("RSA PRIVATE KEY") => {}
            Some("ENCRYPTED PRIVATE KEY") => {
                return Err(Error::config(
                    "the private key is encrypted (ENCRYPTED PRIVATE KEY); decrypt it first, \
                     e.g. `openssl pkcs8 -in key.pem -out plain.pem`",
                ));
            }
            Some(label @ ("PUBLIC KEY" | "RSA PUBLIC KEY")) => {
                return Err(Error::config(format!(
                    "expected a private key but found a public key (PEM label {label}); \
                     give the app's private key here"
                )));
            }
            Some(label @ ("CERTIFICATE" | "X509 CERTIFICATE")) => {
                return Err(Error::config(format!(
                    "expected a private key but found a certificate (PEM label {label}); \
                     certificates hold only public keys"
                )));
            }
            Some("EC PRIVATE KEY") => {
                return Err(Error::config(
                    "expected an RSA private key but found an EC private key (PEM label EC PRIVATE KEY); \
                     Alipay app keys are RSA",
                ));
            }
            Some(other) => {
                return Err(Error::config(format!(
                    "unsupported PEM label `{other}` for a private key; expected PRIVATE KEY (PKCS#8) \
                     or RSA PRIVATE KEY (PKCS#1)"
                )));
            }
        }
        Self::from_der(&decoded.der)
    }

    /// Parses a DER-encoded private key, PKCS#8 or PKCS#1.
    ///
    /// # Errors
    /// [`Error::Config`] as for [`PrivateKey::from_text`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let shape = classify_der(der);
        let rsa = match shape {
            DerShape::Pkcs8Rsa => rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(invalid_rsa)?,
            DerShape::Pkcs1Private => {
                rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(invalid_rsa)?
            }
            DerShape::Pkcs8Other(name) => {
                return Err(Error::config(format!(
                    "expected an RSA private key but found {name}; Alipay app keys are RSA"
                )));
            }
            DerShape::SpkiRsa | DerShape::Pkcs1Public => {
                return Err(Error::config(
                    "expected a private key but found a public key; give the app's private key here",
                ));
            }
            DerShape::SpkiOther(name) => {
                return Err(Error::config(format!(
                    "expected an RSA private key but found the public key of {name}"
                )));
            }
            DerShape::Certificate => {
                return Err(Error::config(
                    "expected a private key but found a certificate; certificates hold only public keys",
                ));
            }
            DerShape::Unknown => {
                return Err(Error::config(format!(
                    "the private key is neither PKCS#8 nor PKCS#1 ({} DER bytes that do not parse): \
                     the key looks truncated or corrupted",
                    der.len()
                )));
            }
        };
        let bits = rsa.n().bits();
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(Error::config(format!(
                "the private key has {bits} bits; expected {MIN_KEY_BITS} to {MAX_KEY_BITS} \
                 (Alipay RSA2 keys are 2048 bits)"
            )));
        }
        let rsa2 = if bits >= MIN_RSA2_KEY_BITS {
            let parsed = match shape {
                DerShape::Pkcs8Rsa => RsaKeyPair::from_pkcs8(der),
                _ => RsaKeyPair::from_der(der),
            };
            Some(parsed.map_err(|rejected| {
                Error::config(format!("the private key was rejected: {rejected}"))
            })?)
        } else {
            None
        };
        let public = PublicKey::from_rsa(rsa.to_public_key())?;
        Ok(PrivateKey { rsa, rsa2, public })
    }

    /// The modulus size in bits (2048 for every current Alipay app key).
    pub fn bits(&self) -> usize {
        self.public.bits()
    }

    /// The public half of this key, e.g. to upload to the Alipay console.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form Java tools expect.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.rsa
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| Error::config("could not encode the private key as PKCS#8"))
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form most non-Java tools expect.
    pub fn to_pkcs1_pem(&self) -> Result<Zeroizing<String>> {
        self.rsa
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|_| Error::config("could not encode the private key as PKCS#1"))
    }

    /// PKCS#8 DER as one line of Base64, the form the Alipay key tool writes for Java.
    pub fn to_pkcs8_base64(&self) -> Result<Zeroizing<String>> {
        let der = self
            .rsa
            .to_pkcs8_der()
            .map_err(|_| Error::config("could not encode the private key as PKCS#8"))?;
        Ok(Zeroizing::new(STANDARD.encode(der.as_bytes())))
    }

    /// PKCS#1 DER as one line of Base64, the form the Alipay key tool writes for non-Java languages.
    pub fn to_pkcs1_base64(&self) -> Result<Zeroizing<String>> {
        let der = self
            .rsa
            .to_pkcs1_der()
            .map_err(|_| Error::config("could not encode the private key as PKCS#1"))?;
        Ok(Zeroizing::new(STANDARD.encode(der.as_bytes())))
    }

    /// The aws-lc-rs key pair used for RSA2, when the key is large enough.
    pub(crate) fn rsa2_key_pair(&self) -> Option<&RsaKeyPair> {
        self.rsa2.as_ref()
    }

    /// The RustCrypto key used for legacy RSA (SHA1withRSA) signing.
    pub(crate) fn legacy_key(&self) -> &rsa::RsaPrivateKey {
        &self.rsa
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .field("public_fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

fn invalid_rsa(_: impl std::fmt::Display) -> Error {
    Error::config(
        "the private key is structurally an RSA key but its numbers are invalid (corrupted key)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../tests/vectors/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn debug_shows_no_key_material() {
        let text = fixture("app_2048_pkcs8.pem");
        let key = PrivateKey::from_text(&text).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("2048"), "{debug}");
        let body: String = text.lines().nth(1).unwrap().chars().take(20).collect();
        assert!(!debug.contains(&body), "{debug}");
        assert!(!debug.contains("MII"), "{debug}");
    }

    #[test]
    fn every_format_round_trips_to_the_same_key() {
        let key = PrivateKey::from_text(&fixture("app_2048_pkcs1.pem")).unwrap();
        for text in [
            key.to_pkcs8_pem().unwrap(),
            key.to_pkcs1_pem().unwrap(),
            key.to_pkcs8_base64().unwrap(),
            key.to_pkcs1_base64().unwrap(),
        ] {
            let again = PrivateKey::from_text(&text).unwrap();
            assert_eq!(again.public_key(), key.public_key());
        }
    }

    #[test]
    fn legacy_1024_bit_key_has_no_rsa2_half() {
        let key = PrivateKey::from_text(&fixture("app_1024_pkcs1.pem")).unwrap();
        assert_eq!(key.bits(), 1024);
        assert!(key.rsa2_key_pair().is_none());
    }
}
