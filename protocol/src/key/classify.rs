//! Recognising what a DER blob is when it is not what was asked for, so the error can say
//! "this is a public key" or "this is an EC key" instead of "parse failed".

use rsa::pkcs8::der::Decode;
use rsa::pkcs8::{ObjectIdentifier, PrivateKeyInfo, spki::SubjectPublicKeyInfoRef};

/// `rsaEncryption`, the algorithm of every RSA key.
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");

/// What a DER blob turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerShape {
    /// PKCS#8 `PrivateKeyInfo` of an RSA key.
    Pkcs8Rsa,
    /// PKCS#8 of another algorithm (named).
    Pkcs8Other(&'static str),
    /// PKCS#1 `RSAPrivateKey`.
    Pkcs1Private,
    /// SPKI of an RSA key.
    SpkiRsa,
    /// SPKI of another algorithm (named).
    SpkiOther(&'static str),
    /// PKCS#1 `RSAPublicKey`.
    Pkcs1Public,
    /// An X.509 certificate.
    Certificate,
    /// Nothing recognisable.
    Unknown,
}

/// Names a non-RSA key algorithm for a reason.
fn algorithm_name(oid: ObjectIdentifier) -> &'static str {
    if oid == EC_PUBLIC_KEY {
        "an EC (elliptic-curve) key"
    } else if oid == SM2_CURVE {
        "an SM2 key"
    } else {
        "a non-RSA key"
    }
}

/// Classifies DER bytes by trying each structure in turn.
pub(crate) fn classify_der(der: &[u8]) -> DerShape {
    if let Ok(info) = PrivateKeyInfo::from_der(der) {
        return if info.algorithm.oid == RSA_ENCRYPTION {
            DerShape::Pkcs8Rsa
        } else {
            DerShape::Pkcs8Other(algorithm_name(info.algorithm.oid))
        };
    }
    if rsa::pkcs1::RsaPrivateKey::from_der(der).is_ok() {
        return DerShape::Pkcs1Private;
    }
    if let Ok(info) = SubjectPublicKeyInfoRef::from_der(der) {
        return if info.algorithm.oid == RSA_ENCRYPTION {
            DerShape::SpkiRsa
        } else {
            DerShape::SpkiOther(algorithm_name(info.algorithm.oid))
        };
    }
    if rsa::pkcs1::RsaPublicKey::from_der(der).is_ok() {
        return DerShape::Pkcs1Public;
    }
    if x509_cert::Certificate::from_der(der).is_ok() {
        return DerShape::Certificate;
    }
    DerShape::Unknown
}
