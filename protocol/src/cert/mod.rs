//! Public-key certificate mode (公钥证书模式): certificate serial names (SNs), the root bundle, the chain
//! check of Alipay certificates, and the SN → key cache a client shares across threads.
//!
//! - [`app_cert_sn`]: lowercase hex MD5 of the issuer DN (RFC 2253, as Java's
//!   `X500Principal.getName()` prints it) followed by the decimal serial number.
//! - [`alipay_root_cert_sn`]: the SNs of the RSA-signed certificates of the root bundle (signature
//!   algorithm OID under `1.2.840.113549.1.1`), joined with `_` in file order.
//! - [`RootBundle::verify_chain`]: an Alipay certificate must be within its validity period and be signed
//!   by an RSA-signed root of the bundle, directly or through one CA certificate included in the same file.
//! - [`AlipayCertStore`]: SN → Alipay public key, pre-seeded with the configured Alipay certificate;
//!   certificates downloaded with [`ALIPAY_CERT_DOWNLOAD_METHOD`] are checked, then added.
//!
//! Inputs are bytes: PEM (one block or a bundle; CRLF, text between blocks), DER, or the Base64 of
//! either. A block that is not valid X.509 (the SM2 root of the production bundle, in some libraries) is
//! skipped when its outer signature algorithm can be read and is not RSA; an RSA-signed block that does
//! not parse, or a block whose algorithm cannot be read, is a [`Error::Config`](crate::Error::Config)
//! naming the block, since skipping it would silently change the root SN.

mod bundle;
mod certificate;
mod chain;
mod name;
mod store;

pub use bundle::parse_certificates;
pub use certificate::Certificate;
pub use chain::RootBundle;
pub use store::AlipayCertStore;

use crate::error::Result;

/// The API that downloads an Alipay certificate by its SN: biz `{"alipay_cert_sn": …}` → Base64
/// `alipay_cert_content`.
pub const ALIPAY_CERT_DOWNLOAD_METHOD: &str = "alipay.open.app.alipaycert.download";

/// The OID prefix of RSA signature algorithms (PKCS#1).
pub const RSA_SIGNATURE_OID_PREFIX: &str = "1.2.840.113549.1.1.";

/// The `app_cert_sn` of an app public-key certificate (the first certificate of the input).
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) when the input holds no certificate that parses.
pub fn app_cert_sn(app_cert: &[u8]) -> Result<String> {
    Ok(Certificate::from_bytes(app_cert)?.sn().to_string())
}

/// The `alipay_root_cert_sn` of a root bundle: the SNs of its RSA-signed certificates joined with `_`.
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) when the bundle holds no RSA-signed certificate (for instance
/// only SM2 or ECDSA roots) or a block that cannot be read.
pub fn alipay_root_cert_sn(root_bundle: &[u8]) -> Result<String> {
    Ok(RootBundle::parse(root_bundle)?.sn().to_string())
}
