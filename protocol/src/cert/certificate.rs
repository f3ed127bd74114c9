//! [`Certificate`]: one parsed X.509 certificate with what certificate mode needs — its SN, issuer and
//! subject in RFC 2253 form, decimal serial, signature algorithm, validity and RSA public key.

use std::fmt;
use std::time::SystemTime;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use x509_cert::der::Decode;

use super::RSA_SIGNATURE_OID_PREFIX;
use super::bundle::{der_blocks, read_outer};
use super::name::rfc2253;
use crate::error::{Error, Result};
use crate::key::PublicKey;

/// One X.509 certificate, parsed once. Cheap to clone.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
    sn: String,
}

impl Certificate {
    /// Parses one DER-encoded certificate.
    ///
    /// # Errors
    /// [`Error::Config`] when the bytes are not an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let inner = x509_cert::Certificate::from_der(der).map_err(|e| {
            Error::config(format!(
                "the certificate ({} bytes) does not parse as X.509: {e}",
                der.len()
            ))
        })?;
        let issuer = rfc2253(&inner.tbs_certificate.issuer);
        let serial = decimal_serial(inner.tbs_certificate.serial_number.as_bytes());
        let hash = Md5::digest(format!("{issuer}{serial}").as_bytes());
        let sn = hash.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Certificate {
            der: der.to_vec(),
            inner,
            sn,
        })
    }

    /// Parses the first certificate of PEM, DER or Base64 input (the leaf of a chain file).
    ///
    /// # Errors
    /// [`Error::Config`] when the input holds no certificate or its first block does not parse.
    pub fn from_bytes(input: &[u8]) -> Result<Self> {
        let blocks = der_blocks(input)?;
        Self::from_der(&blocks[0])
    }

    /// The certificate's SN: lowercase hex MD5 of [`issuer`](Self::issuer) + [`serial_number`](Self::serial_number).
    /// The `app_cert_sn` of an app certificate, the `alipay_cert_sn` of an Alipay certificate.
    pub fn sn(&self) -> &str {
        &self.sn
    }

    /// The issuer DN in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
    pub fn issuer(&self) -> String {
        rfc2253(&self.inner.tbs_certificate.issuer)
    }

    /// The subject DN in RFC 2253 form.
    pub fn subject(&self) -> String {
        rfc2253(&self.inner.tbs_certificate.subject)
    }

    /// The serial number in decimal (negative serials, which RFC 5280 forbids, keep their sign).
    pub fn serial_number(&self) -> String {
        decimal_serial(self.inner.tbs_certificate.serial_number.as_bytes())
    }

    /// The dotted OID of the signature algorithm (e.g. `1.2.840.113549.1.1.11`).
    pub fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm.oid.to_string()
    }

    /// Whether the certificate is RSA-signed (the ones a root SN counts).
    pub fn is_rsa_signed(&self) -> bool {
        self.signature_algorithm()
            .starts_with(RSA_SIGNATURE_OID_PREFIX)
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> SystemTime {
        self.inner
            .tbs_certificate
            .validity
            .not_before
            .to_system_time()
    }

    /// End of the validity period.
    pub fn not_after(&self) -> SystemTime {
        self.inner
            .tbs_certificate
            .validity
            .not_after
            .to_system_time()
    }

    /// The subject's RSA public key.
    ///
    /// # Errors
    /// [`Error::Config`] when the key is not RSA (SM2, EC) or out of the accepted sizes.
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_der(&self.der)
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`, 64-character lines, LF).
    pub fn to_pem(&self) -> String {
        let encoded = STANDARD.encode(&self.der);
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in encoded.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the DER: a short public name.
    pub fn fingerprint(&self) -> String {
        let hash = digest::digest(&digest::SHA256, &self.der);
        let hex: String = hash.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("SHA256:{hex}")
    }

    pub(crate) fn inner(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    /// Whether the certificate is a CA (basic constraints `cA = TRUE`).
    pub(crate) fn is_ca(&self) -> bool {
        use x509_cert::ext::pkix::BasicConstraints;
        const BASIC_CONSTRAINTS: &str = "2.5.29.19";
        self.inner
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .find(|extension| extension.extn_id.to_string() == BASIC_CONSTRAINTS)
            .and_then(|extension| BasicConstraints::from_der(extension.extn_value.as_bytes()).ok())
            .is_some_and(|constraints| constraints.ca)
    }

    /// The signed TBS bytes, the signature algorithm and the signature, as they appear in the DER.
    pub(crate) fn signed_parts(&self) -> Option<(&[u8], String, &[u8])> {
        read_outer(&self.der).map(|outer| (outer.tbs, outer.algorithm, outer.signature))
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("sn", &self.sn)
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial_number", &self.serial_number())
            .finish()
    }
}

/// A DER INTEGER (two's complement, big-endian) in decimal, as Java's `BigInteger.toString()`.
fn decimal_serial(bytes: &[u8]) -> String {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    if !negative {
        return rsa::BigUint::from_bytes_be(bytes).to_str_radix(10);
    }
    let mut magnitude: Vec<u8> = bytes.iter().map(|b| !b).collect();
    for byte in magnitude.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    format!(
        "-{}",
        rsa::BigUint::from_bytes_be(&magnitude).to_str_radix(10)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_print_like_java_big_integer() {
        assert_eq!(decimal_serial(&[0x01, 0x00]), "256");
        assert_eq!(decimal_serial(&[0x00, 0xff]), "255");
        assert_eq!(decimal_serial(&[0xff]), "-1");
        assert_eq!(decimal_serial(&[0x80]), "-128");
        assert_eq!(decimal_serial(&[0x00]), "0");
    }
}
