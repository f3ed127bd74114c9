//! [`PublicKey`]: an RSA public key (the Alipay public key, or the app's own), parsed once into the
//! aws-lc-rs form used for every verification.

use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::der::asn1::{AnyRef, Null};
use rsa::pkcs8::der::{Decode, Encode};
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;

use super::classify::{DerShape, RSA_ENCRYPTION, classify_der};
use super::text::decode_key_text;
use super::{MAX_KEY_BITS, MIN_KEY_BITS, MIN_RSA2_KEY_BITS};
use crate::error::{Error, Result};

/// An RSA public key, parsed once and reused for every verification.
///
/// Accepts SPKI (`-----BEGIN PUBLIC KEY-----`), PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`), an X.509
/// certificate (`-----BEGIN CERTIFICATE-----`, its subject key is used), or the bare one-line Base64 the
/// Alipay console shows. Two keys are equal when their modulus and exponent are.
#[derive(Clone)]
pub struct PublicKey {
    rsa: rsa::RsaPublicKey,
    spki_der: Vec<u8>,
    /// For RSA2 (SHA256withRSA); present for keys of 2048 bits and more.
    sha256: Option<ParsedPublicKey>,
    /// For legacy RSA (SHA1withRSA).
    sha1: ParsedPublicKey,
}

impl PublicKey {
    /// Parses a public key from PEM or bare Base64 text (SPKI, PKCS#1 or an X.509 certificate).
    ///
    /// # Errors
    /// [`Error::Config`] saying what was found instead: a private key, an EC key, truncated or
    /// non-Base64 text, a key size outside 1024–8192 bits.
    pub fn from_text(text: &str) -> Result<Self> {
        let decoded = decode_key_text(text, "public key")?;
        match decoded.label.as_deref() {
            None | Some("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" | "X509 CERTIFICATE") => {}
            Some(label @ ("PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY")) => {
                return Err(Error::config(format!(
                    "expected a public key but found a private key (PEM label {label}); \
                     never configure or share a private key where a public key belongs"
                )));
            }
            Some("EC PRIVATE KEY") => {
                return Err(Error::config(
                    "expected an RSA public key but found an EC private key (PEM label EC PRIVATE KEY)",
                ));
            }
            Some(other) => {
                return Err(Error::config(format!(
                    "unsupported PEM label `{other}` for a public key; expected PUBLIC KEY, \
                     RSA PUBLIC KEY or CERTIFICATE"
                )));
            }
        }
        Self::from_der(&decoded.der)
    }

    /// Parses a DER-encoded public key: SPKI, PKCS#1 `RSAPublicKey`, or an X.509 certificate.
    ///
    /// # Errors
    /// [`Error::Config`] as for [`PublicKey::from_text`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let rsa = match classify_der(der) {
            DerShape::SpkiRsa => rsa_from_spki_der(der)?,
            DerShape::Pkcs1Public => rsa_from_pkcs1_der(der)?,
            DerShape::Certificate => return Self::from_certificate_der(der),
            DerShape::SpkiOther(name) | DerShape::Pkcs8Other(name) => {
                return Err(Error::config(format!(
                    "expected an RSA public key but found {name}; Alipay keys are RSA"
                )));
            }
            DerShape::Pkcs8Rsa | DerShape::Pkcs1Private => {
                return Err(Error::config(
                    "expected a public key but found a private key; never configure or share a \
                     private key where a public key belongs",
                ));
            }
            DerShape::Unknown => {
                return Err(Error::config(format!(
                    "the public key is neither SPKI, PKCS#1 nor an X.509 certificate ({} DER bytes \
                     that do not parse): the key looks truncated or corrupted",
                    der.len()
                )));
            }
        };
        Self::from_rsa(rsa)
    }

    /// Reads the subject public key of a DER X.509 certificate.
    fn from_certificate_der(der: &[u8]) -> Result<Self> {
        let certificate = x509_cert::Certificate::from_der(der)
            .map_err(|_| Error::config("the certificate does not parse as X.509"))?;
        let spki = certificate
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| Error::config("the certificate's public key does not encode"))?;
        match classify_der(&spki) {
            DerShape::SpkiRsa => Self::from_der(&spki),
            DerShape::SpkiOther(name) => Err(Error::config(format!(
                "the certificate holds {name}, not an RSA key; Alipay RSA2 needs an RSA certificate"
            ))),
            _ => Err(Error::config(
                "the certificate's public key is not a valid RSA key",
            )),
        }
    }

    pub(crate) fn from_rsa(rsa: rsa::RsaPublicKey) -> Result<Self> {
        let bits = rsa.n().bits();
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(size_out_of_range(bits));
        }
        let spki_der = rsa
            .to_public_key_der()
            .map_err(|_| Error::config("the public key does not encode as SPKI"))?
            .into_vec();
        let rejected = |e: aws_lc_rs::error::KeyRejected| {
            Error::config(format!("the public key was rejected: {e}"))
        };
        let sha256 = if bits >= MIN_RSA2_KEY_BITS {
            Some(ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &spki_der).map_err(rejected)?)
        } else {
            None
        };
        let sha1 = ParsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, &spki_der)
            .map_err(rejected)?;
        Ok(PublicKey {
            rsa,
            spki_der,
            sha256,
            sha1,
        })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.rsa.n().bits()
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        self.rsa
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// SPKI DER as one line of Base64: the form the Alipay console asks for when you upload the
    /// app public key.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.spki_der)
    }

    /// SPKI DER bytes.
    pub fn to_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the SPKI DER: a short, public name for
    /// the key, safe to log and to compare with what the console shows.
    pub fn fingerprint(&self) -> String {
        let hash = digest::digest(&digest::SHA256, &self.spki_der);
        let hex: String = hash.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("SHA256:{hex}")
    }

    pub(crate) fn sha256_key(&self) -> Option<&ParsedPublicKey> {
        self.sha256.as_ref()
    }

    pub(crate) fn sha1_key(&self) -> &ParsedPublicKey {
        &self.sha1
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.rsa == other.rsa
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

fn invalid_rsa(_: impl std::fmt::Display) -> Error {
    Error::config("the public key is structurally an RSA key but its numbers are invalid")
}

/// An RSA key from SPKI DER. The `rsa` crate's own SPKI decoding caps the modulus at 4096 bits
/// (`RsaPublicKey::MAX_SIZE`), so the SPKI is unwrapped here and the PKCS#1 key inside is checked against
/// [`MAX_KEY_BITS`] instead: 8192-bit keys sign, so they must verify too.
fn rsa_from_spki_der(der: &[u8]) -> Result<rsa::RsaPublicKey> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(invalid_rsa)?;
    if spki.algorithm.oid != RSA_ENCRYPTION {
        return Err(Error::config("the public key is not an RSA key"));
    }
    // rsaEncryption's parameters must be NULL (RFC 3279), as the `rsa` crate requires.
    if spki.algorithm.parameters != Some(AnyRef::from(Null)) {
        return Err(invalid_rsa("rsaEncryption parameters are not NULL"));
    }
    let pkcs1 = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid_rsa("the key's bit string is not whole bytes"))?;
    rsa_from_pkcs1_der(pkcs1)
}

/// An RSA key from PKCS#1 `RSAPublicKey` DER, of [`MIN_KEY_BITS`] to [`MAX_KEY_BITS`] bits.
fn rsa_from_pkcs1_der(der: &[u8]) -> Result<rsa::RsaPublicKey> {
    let key = rsa::pkcs1::RsaPublicKey::from_der(der).map_err(invalid_rsa)?;
    let n = rsa::BigUint::from_bytes_be(key.modulus.as_bytes());
    let e = rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes());
    let bits = n.bits();
    if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
        return Err(size_out_of_range(bits));
    }
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_KEY_BITS).map_err(invalid_rsa)
}

fn size_out_of_range(bits: usize) -> Error {
    Error::config(format!(
        "the public key has {bits} bits; expected {MIN_KEY_BITS} to {MAX_KEY_BITS} \
         (Alipay RSA2 keys are 2048 bits)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public key of exactly `bits` bits (odd, top bit set; not a product of primes, which parsing
    /// does not need), as SPKI DER.
    fn spki_of_bits(bits: usize) -> Vec<u8> {
        let mut modulus = vec![0x5au8; bits.div_ceil(8)];
        let top = (bits - 1) % 8;
        modulus[0] = (modulus[0] & ((1u16 << top) as u8).wrapping_sub(1)) | (1 << top);
        *modulus.last_mut().unwrap() |= 1;
        let n = rsa::BigUint::from_bytes_be(&modulus);
        assert_eq!(n.bits(), bits);
        rsa::RsaPublicKey::new_unchecked(n, rsa::BigUint::from(65_537u32))
            .to_public_key_der()
            .unwrap()
            .into_vec()
    }

    #[test]
    fn keys_up_to_8192_bits_parse_and_larger_ones_are_refused_by_size() {
        for bits in [2048, 4096, 4097, 6144, 8192] {
            let der = spki_of_bits(bits);
            let key = PublicKey::from_der(&der).unwrap_or_else(|e| panic!("{bits}: {e}"));
            assert_eq!(key.bits(), bits);
            assert!(key.sha256_key().is_some(), "{bits}: RSA2 must be usable");
            let pem = key.to_pem();
            assert_eq!(PublicKey::from_text(&pem).unwrap(), key, "{bits}");
            // The bare PKCS#1 form too.
            let pkcs1 = SubjectPublicKeyInfoRef::from_der(&der)
                .unwrap()
                .subject_public_key
                .raw_bytes()
                .to_vec();
            assert_eq!(PublicKey::from_der(&pkcs1).unwrap(), key, "{bits}");
        }
        for bits in [8193, 16384, 512] {
            let reason = PublicKey::from_der(&spki_of_bits(bits))
                .unwrap_err()
                .reason();
            assert!(
                reason.contains(&format!("has {bits} bits")) && reason.contains("1024 to 8192"),
                "{bits}: {reason}"
            );
        }
    }
}
