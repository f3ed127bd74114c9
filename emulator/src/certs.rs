//! The emulator's certificate authority for certificate mode: a test RSA root CA (plus an ECDSA root in
//! the bundle, so clients must filter by signature algorithm), the "Alipay" public-key certificates it
//! signs (a new one at each rotation), and the app certificates it issues. Made with `rcgen` at start;
//! nothing is written to disk.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use alipay_isv::cert::{Certificate, RootBundle};
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::{Error, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, PublicKeyData, RsaKeySize,
    SerialNumber, SignatureAlgorithm,
};
use x509_cert::der::Decode;
use x509_cert::spki::SubjectPublicKeyInfoRef;

use crate::shared::lock;

/// How long the emulator's certificates are valid (from a day before start).
const VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// An RSA public key as rcgen wants it (the PKCS#1 bits of the SPKI).
struct RsaPublic(Vec<u8>);

impl PublicKeyData for RsaPublic {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

fn rsa_public(key: &PublicKey) -> Result<RsaPublic> {
    let spki = SubjectPublicKeyInfoRef::from_der(key.to_der())
        .map_err(|_| Error::config("the public key does not encode as SPKI"))?;
    Ok(RsaPublic(spki.subject_public_key.raw_bytes().to_vec()))
}

fn failed(what: &str) -> impl Fn(rcgen::Error) -> Error + '_ {
    move |error| Error::config(format!("the emulator cannot make {what}: {error}"))
}

fn name(organisation: &str, common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "CN");
    name.push(DnType::OrganizationName, organisation);
    name.push(DnType::OrganizationalUnitName, "Certification Authority");
    name.push(DnType::CommonName, common_name);
    name
}

fn params(subject: DistinguishedName, serial: u64, ca: bool) -> CertificateParams {
    let mut params = CertificateParams::default();
    let now = SystemTime::now();
    params.not_before = (now - Duration::from_secs(24 * 3600)).into();
    params.not_after = (now + VALIDITY).into();
    params.distinguished_name = subject;
    params.serial_number = Some(SerialNumber::from_slice(&serial.to_be_bytes()));
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    }
    params
}

/// One "Alipay" public-key certificate and its private key.
pub struct AlipayCert {
    /// Signs answers and pushes while this certificate is current.
    pub key: std::sync::Arc<PrivateKey>,
    /// Its SN (`alipay_cert_sn`).
    pub sn: String,
}

/// The emulator's root CA and everything it signed.
pub struct CertAuthority {
    root_issuer: Issuer<'static, KeyPair>,
    bundle_pem: String,
    root_cert_sn: String,
    next_serial: AtomicU64,
    /// Every Alipay certificate made so far, by SN (the download API serves them).
    alipay_certs: std::sync::Mutex<HashMap<String, String>>,
    /// SNs of the app certificates issued for the configured app key.
    app_cert_sns: std::sync::Mutex<Vec<String>>,
}

impl CertAuthority {
    /// Makes the root CAs.
    pub fn new() -> Result<Self> {
        let root_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)
            .map_err(failed("its root key"))?;
        let root_params = params(name("alipay-isv emulator", "Emulator Root CA R1"), 1, true);
        let root = root_params
            .self_signed(&root_key)
            .map_err(failed("its root certificate"))?;
        let ec_key =
            KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(failed("its ECDSA root key"))?;
        let ec_root = params(name("alipay-isv emulator", "Emulator Root CA E1"), 2, true)
            .self_signed(&ec_key)
            .map_err(failed("its ECDSA root"))?;
        let bundle_pem = format!(
            "{}{}",
            Certificate::from_der(ec_root.der())?.to_pem(),
            Certificate::from_der(root.der())?.to_pem()
        );
        let root_cert_sn = RootBundle::parse(bundle_pem.as_bytes())?.sn().to_string();
        Ok(CertAuthority {
            root_issuer: Issuer::new(root_params, root_key),
            bundle_pem,
            root_cert_sn,
            next_serial: AtomicU64::new(0x1000),
            alipay_certs: std::sync::Mutex::new(HashMap::new()),
            app_cert_sns: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The root bundle (an ECDSA root, then the RSA root), PEM.
    pub fn bundle_pem(&self) -> &str {
        &self.bundle_pem
    }

    /// The `alipay_root_cert_sn` clients must send.
    pub fn root_cert_sn(&self) -> &str {
        &self.root_cert_sn
    }

    fn sign(&self, subject: DistinguishedName, key: &PublicKey) -> Result<Certificate> {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let certificate = params(subject, serial, false)
            .signed_by(&rsa_public(key)?, &self.root_issuer)
            .map_err(failed("a certificate"))?;
        Certificate::from_der(certificate.der())
    }

    /// A new Alipay certificate for `key` (remembered for the download API).
    pub fn alipay_cert(&self, key: std::sync::Arc<PrivateKey>) -> Result<AlipayCert> {
        let certificate = self.sign(
            name("alipay-isv emulator Alipay", "Emulator Alipay Certificate"),
            key.public_key(),
        )?;
        let pem = certificate.to_pem();
        lock(&self.alipay_certs).insert(certificate.sn().to_string(), pem.clone());
        Ok(AlipayCert {
            key,
            sn: certificate.sn().to_string(),
        })
    }

    /// The PEM of an Alipay certificate made by this emulator.
    pub fn alipay_cert_pem(&self, sn: &str) -> Option<String> {
        lock(&self.alipay_certs).get(sn).cloned()
    }

    /// An app public-key certificate for `app_id`'s key; its SN is accepted as `app_cert_sn` when the
    /// key is the configured app key (`accepted`).
    pub fn app_cert(&self, app_id: &str, key: &PublicKey, accepted: bool) -> Result<String> {
        let certificate = self.sign(
            name(
                "alipay-isv emulator App",
                &format!("2088000000000000-{app_id}"),
            ),
            key,
        )?;
        if accepted {
            lock(&self.app_cert_sns).push(certificate.sn().to_string());
        }
        Ok(certificate.to_pem())
    }

    /// Whether `sn` is an app certificate issued for the configured app key.
    pub fn knows_app_cert(&self, sn: &str) -> bool {
        lock(&self.app_cert_sns).iter().any(|known| known == sn)
    }
}
