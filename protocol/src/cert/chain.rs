//! [`RootBundle`]: the Alipay root bundle (`alipayRootCert.crt`) and the chain check of an Alipay
//! certificate against it.
//!
//! Trust anchors are the bundle's RSA-signed certificates — the ones its SN names. An Alipay
//! certificate is trusted when it is within its validity period and its signature verifies with the
//! key of an anchor whose subject is its issuer, or with the key of one CA certificate (basic constraints
//! `cA`) included in the same file, itself valid and signed by an anchor. Signatures are checked over the
//! TBS bytes as they appear in the DER, with aws-lc-rs: RSA PKCS#1 v1.5 with SHA-256/384/512, and SHA-1
//! for old roots.

use std::time::SystemTime;

use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_2048_8192_SHA384, RSA_PKCS1_2048_8192_SHA512, RsaParameters, UnparsedPublicKey,
};

use super::bundle::parse_certificates;
use super::certificate::Certificate;
use crate::error::{Error, Result};

/// `rsaEncryption`: the key algorithm an issuer must have.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// The RSA-signed certificates of a root bundle and its `alipay_root_cert_sn`.
#[derive(Debug, Clone)]
pub struct RootBundle {
    roots: Vec<Certificate>,
    sn: String,
}

impl RootBundle {
    /// Parses a root bundle (PEM with any line endings and text between blocks, DER, or Base64).
    ///
    /// # Errors
    /// [`Error::Config`] when a block cannot be read, or when no certificate is RSA-signed (a bundle of
    /// only SM2 / ECDSA roots).
    pub fn parse(bundle: &[u8]) -> Result<Self> {
        let all = parse_certificates(bundle)
            .map_err(|e| Error::config(format!("the Alipay root bundle: {}", e.reason())))?;
        let total = all.len();
        let roots: Vec<Certificate> = all.into_iter().filter(Certificate::is_rsa_signed).collect();
        if roots.is_empty() {
            return Err(Error::config(format!(
                "the Alipay root bundle holds no RSA-signed certificate ({total} parsed; SM2 and ECDSA \
                 roots do not count): use alipayRootCert.crt as downloaded from the console"
            )));
        }
        let sn = roots
            .iter()
            .map(Certificate::sn)
            .collect::<Vec<_>>()
            .join("_");
        Ok(RootBundle { roots, sn })
    }

    /// The `alipay_root_cert_sn`: the SNs of the RSA-signed roots joined with `_`, in file order.
    pub fn sn(&self) -> &str {
        &self.sn
    }

    /// The RSA-signed roots, in file order.
    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    /// Checks an Alipay certificate file (its first certificate, plus at most one intermediate CA from
    /// the rest of the file) against this bundle at time `at`, and returns the leaf.
    ///
    /// # Errors
    /// [`Error::Config`] when the input does not parse; [`Error::Signature`] when the leaf (or the
    /// intermediate) is outside its validity period, its issuer is neither a root nor an intermediate of
    /// the file, or a signature does not verify (a tampered certificate).
    pub fn verify_chain(&self, alipay_cert: &[u8], at: SystemTime) -> Result<Certificate> {
        let mut chain = parse_certificates(alipay_cert)?;
        if chain.is_empty() {
            return Err(Error::config(
                "the Alipay certificate file holds no certificate",
            ));
        }
        let leaf = chain.remove(0);
        check_validity(&leaf, at, "the Alipay certificate")?;
        let issuer = leaf.inner().tbs_certificate.issuer.clone();
        let mut failures = Vec::new();
        for root in self.roots.iter().filter(|root| subject_is(root, &issuer)) {
            match verify_signature(&leaf, root) {
                Ok(()) => return Ok(leaf),
                Err(reason) => failures.push(reason),
            }
        }
        for intermediate in chain.iter().filter(|c| subject_is(c, &issuer)) {
            if let Err(reason) = verify_signature(&leaf, intermediate) {
                failures.push(reason);
                continue;
            }
            if !intermediate.is_ca() {
                failures.push(format!(
                    "its issuer `{}` in the file is not a CA certificate",
                    intermediate.subject()
                ));
                continue;
            }
            check_validity(intermediate, at, "the intermediate certificate")?;
            let upper = &intermediate.inner().tbs_certificate.issuer;
            for root in self.roots.iter().filter(|root| subject_is(root, upper)) {
                match verify_signature(intermediate, root) {
                    Ok(()) => return Ok(leaf),
                    Err(reason) => failures.push(format!("the intermediate: {reason}")),
                }
            }
            failures.push(format!(
                "the intermediate's issuer `{}` is not a root of the bundle",
                intermediate.issuer()
            ));
        }
        if failures.is_empty() {
            return Err(Error::signature(format!(
                "the Alipay certificate {} is not chained to the root bundle: its issuer `{}` is neither \
                 an RSA root of the bundle nor an intermediate in the same file",
                leaf.sn(),
                leaf.issuer()
            )));
        }
        Err(Error::signature(format!(
            "the Alipay certificate {} does not chain to the root bundle (tampered?): {}",
            leaf.sn(),
            failures.join("; ")
        )))
    }
}

fn subject_is(candidate: &Certificate, name: &x509_cert::name::Name) -> bool {
    candidate.inner().tbs_certificate.subject == *name
}

fn check_validity(certificate: &Certificate, at: SystemTime, what: &str) -> Result<()> {
    let days = |time: SystemTime| {
        time.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400)
    };
    if at < certificate.not_before() {
        return Err(Error::signature(format!(
            "{what} {} is not valid yet (valid from day {} of the Unix epoch)",
            certificate.sn(),
            days(certificate.not_before())
        )));
    }
    if at > certificate.not_after() {
        return Err(Error::signature(format!(
            "{what} {} has expired (valid until day {} of the Unix epoch)",
            certificate.sn(),
            days(certificate.not_after())
        )));
    }
    Ok(())
}

/// Verifies `subject`'s signature with `issuer`'s RSA key; the reason when it does not.
fn verify_signature(
    subject: &Certificate,
    issuer: &Certificate,
) -> std::result::Result<(), String> {
    let (tbs, algorithm, signature) = subject
        .signed_parts()
        .ok_or_else(|| "the certificate's outer structure cannot be read".to_string())?;
    let parameters: &'static RsaParameters = match algorithm.as_str() {
        "1.2.840.113549.1.1.11" => &RSA_PKCS1_2048_8192_SHA256,
        "1.2.840.113549.1.1.12" => &RSA_PKCS1_2048_8192_SHA384,
        "1.2.840.113549.1.1.13" => &RSA_PKCS1_2048_8192_SHA512,
        "1.2.840.113549.1.1.5" => &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        other => return Err(format!("the signature algorithm {other} is not supported")),
    };
    let spki = &issuer.inner().tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        return Err(format!(
            "the issuer `{}` does not have an RSA key",
            issuer.subject()
        ));
    }
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| "the issuer's key bits are malformed".to_string())?;
    UnparsedPublicKey::new(parameters, key)
        .verify(tbs, signature)
        .map_err(|_| {
            format!(
                "the signature of `{}` does not verify with the key of `{}`",
                subject.subject(),
                issuer.subject()
            )
        })
}
