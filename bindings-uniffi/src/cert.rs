//! Public-key certificate mode (公钥证书模式), mirroring `alipay_isv::cert`: [`app_cert_sn`],
//! [`alipay_root_cert_sn`], [`parse_certificates`], the [`Certificate`] and [`RootBundle`] types.
//!
//! Every input is the file's bytes (Kotlin `ByteArray`): PEM (one block or a bundle, any line
//! endings, text between blocks), DER, or the Base64 of either. The hand-written Kotlin companion
//! (`Certificates.kt`) adds `String` and `java.nio.file.Path` overloads.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::SystemTime;

use alipay_isv::cert as core;

use crate::error::{Result, guard};
use crate::key::PublicKey;

/// The `app_cert_sn` of an app public-key certificate (`appCertPublicKey_<app_id>.crt`; its first
/// certificate): lowercase hex MD5 of the issuer DN (RFC 2253) followed by the decimal serial. The
/// same function gives the `alipay_cert_sn` of an Alipay certificate.
///
/// Throws `AlipayException.Config` when the input holds no certificate that parses.
#[uniffi::export]
pub fn app_cert_sn(cert: Vec<u8>) -> Result<String> {
    guard("appCertSn", || core::app_cert_sn(&cert))
}

/// The `alipay_root_cert_sn` of a root bundle (`alipayRootCert.crt`): the SNs of its RSA-signed
/// certificates joined with `_`, in file order (SM2 and ECDSA roots are left out).
///
/// Throws `AlipayException.Config` when the bundle holds no RSA-signed certificate or a block that
/// cannot be read.
#[uniffi::export]
pub fn alipay_root_cert_sn(bundle: Vec<u8>) -> Result<String> {
    guard("alipayRootCertSn", || core::alipay_root_cert_sn(&bundle))
}

/// Every certificate of a PEM bundle, DER or Base64 input, in order; blocks that are not RSA-signed
/// and do not parse (an SM2 root, with some libraries) are skipped.
///
/// Throws `AlipayException.Config` for empty input, a PEM text without a certificate block, a block
/// that is not Base64, or an RSA-signed block that does not parse.
#[uniffi::export]
pub fn parse_certificates(input: Vec<u8>) -> Result<Vec<Arc<Certificate>>> {
    guard("parseCertificates", || {
        Ok(core::parse_certificates(&input)?
            .into_iter()
            .map(Certificate::wrap)
            .collect())
    })
}

/// `alipay.open.app.alipaycert.download`: the API that downloads an Alipay certificate by its SN
/// (`Client.fetchAlipayCert` calls it).
#[uniffi::export]
pub fn alipay_cert_download_method() -> String {
    core::ALIPAY_CERT_DOWNLOAD_METHOD.to_string()
}

/// One X.509 certificate, parsed once (Kotlin: `Certificate(bytes)`, or `Certificate.fromDer(der)`).
/// Immutable and thread-safe; `==` and `hashCode()` compare the DER bytes; `toString()` shows the SN, subject,
/// issuer and serial.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Eq, Hash)]
pub struct Certificate {
    inner: core::Certificate,
}

impl Certificate {
    /// Wraps a core certificate.
    pub(crate) fn wrap(inner: core::Certificate) -> Arc<Self> {
        Arc::new(Certificate { inner })
    }
}

#[uniffi::export]
impl Certificate {
    /// Parses the first certificate of PEM, DER or Base64 input (the leaf of a chain file).
    ///
    /// Throws `AlipayException.Config` when the input holds no certificate or its first block does
    /// not parse.
    #[uniffi::constructor]
    pub fn new(input: Vec<u8>) -> Result<Arc<Self>> {
        guard("Certificate", || {
            core::Certificate::from_bytes(&input).map(Self::wrap)
        })
    }

    /// Parses one DER-encoded certificate.
    ///
    /// Throws `AlipayException.Config` when the bytes are not an X.509 certificate.
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>) -> Result<Arc<Self>> {
        guard("Certificate.fromDer", || {
            core::Certificate::from_der(&der).map(Self::wrap)
        })
    }

    /// The SN: lowercase hex MD5 of `issuer()` + `serialNumber()` (the `app_cert_sn` of an app
    /// certificate, the `alipay_cert_sn` of an Alipay certificate).
    pub fn sn(&self) -> String {
        self.inner.sn().to_string()
    }

    /// The issuer DN in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
    pub fn issuer(&self) -> String {
        self.inner.issuer()
    }

    /// The subject DN in RFC 2253 form.
    pub fn subject(&self) -> String {
        self.inner.subject()
    }

    /// The serial number in decimal, as Java's `BigInteger.toString()` prints it.
    pub fn serial_number(&self) -> String {
        self.inner.serial_number()
    }

    /// The dotted OID of the signature algorithm (e.g. `1.2.840.113549.1.1.11` for SHA256withRSA).
    pub fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm()
    }

    /// Whether the certificate is RSA-signed (the ones a root SN counts).
    pub fn is_rsa_signed(&self) -> bool {
        self.inner.is_rsa_signed()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> SystemTime {
        self.inner.not_before()
    }

    /// End of the validity period.
    pub fn not_after(&self) -> SystemTime {
        self.inner.not_after()
    }

    /// The subject's RSA public key.
    ///
    /// Throws `AlipayException.Config` when the key is not RSA (SM2, EC) or of an unsupported size.
    pub fn public_key(&self) -> Result<Arc<PublicKey>> {
        guard("Certificate.publicKey", || {
            self.inner.public_key().map(PublicKey::wrap)
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> Vec<u8> {
        self.inner.der().to_vec()
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`, 64-character lines, LF).
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the DER: a short public name.
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

impl Eq for Certificate {}

impl Hash for Certificate {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.der().hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Certificate(sn={}, subject={}, issuer={}, serialNumber={})",
            self.inner.sn(),
            self.inner.subject(),
            self.inner.issuer(),
            self.inner.serial_number()
        )
    }
}

/// The Alipay root bundle (`alipayRootCert.crt`; Kotlin: `RootBundle(bytes)`): its RSA-signed roots,
/// its `alipay_root_cert_sn`, and the chain check of Alipay certificates. Immutable and thread-safe.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct RootBundle {
    inner: core::RootBundle,
}

#[uniffi::export]
impl RootBundle {
    /// Parses a root bundle (PEM with any line endings and text between blocks, DER, or Base64).
    ///
    /// Throws `AlipayException.Config` when a block cannot be read, or when no certificate is
    /// RSA-signed (a bundle of only SM2 / ECDSA roots).
    #[uniffi::constructor]
    pub fn new(bundle: Vec<u8>) -> Result<Arc<Self>> {
        guard("RootBundle", || {
            let inner = core::RootBundle::parse(&bundle)?;
            Ok(Arc::new(RootBundle { inner }))
        })
    }

    /// The `alipay_root_cert_sn`: the SNs of the RSA-signed roots joined with `_`, in file order.
    pub fn sn(&self) -> String {
        self.inner.sn().to_string()
    }

    /// The RSA-signed roots, in file order.
    pub fn roots(&self) -> Vec<Arc<Certificate>> {
        self.inner
            .roots()
            .iter()
            .cloned()
            .map(Certificate::wrap)
            .collect()
    }

    /// Checks an Alipay certificate file (its first certificate, plus at most one intermediate CA
    /// from the rest of the file) against this bundle at `at` (null: now), and returns the leaf.
    ///
    /// Throws `AlipayException.Config` when the input does not parse, `.Signature` when the leaf (or
    /// the intermediate) is outside its validity period, is not chained to a root of the bundle, or
    /// a signature does not verify (a tampered certificate).
    #[uniffi::method(default(at = None))]
    pub fn verify_chain(
        &self,
        alipay_cert: Vec<u8>,
        at: Option<SystemTime>,
    ) -> Result<Arc<Certificate>> {
        guard("RootBundle.verifyChain", || {
            let at = at.unwrap_or_else(SystemTime::now);
            self.inner
                .verify_chain(&alipay_cert, at)
                .map(Certificate::wrap)
        })
    }
}

impl fmt::Debug for RootBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for RootBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RootBundle(sn={}, roots={})",
            self.inner.sn(),
            self.inner.roots().len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(relative: &str) -> Vec<u8> {
        let path = format!("{}/../tests/vectors/{relative}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn certificates_and_bundles_show_public_names_only() {
        let certificate = Certificate::new(vector("certs/alipay_cert.crt")).unwrap();
        assert_eq!(certificate.sn(), "30e132f3a48c03a7b46807eecb7b3b80");
        assert!(certificate.to_string().contains("serialNumber=8193"));
        assert_eq!(
            *Certificate::from_der(certificate.der()).unwrap(),
            *certificate
        );
        let bundle = RootBundle::new(vector("certs/production/alipayRootCert.crt")).unwrap();
        assert_eq!(bundle.roots().len(), 2);
        assert!(bundle.to_string().contains(&bundle.sn()));
        let expired = bundle.verify_chain(vector("certs/alipay_cert.crt"), None);
        assert_eq!(expired.err().unwrap().kind(), "signature");
        assert_eq!(app_cert_sn(Vec::new()).err().unwrap().kind(), "config");
    }
}
