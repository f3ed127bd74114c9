//! Certificate mode (公钥证书模式), mirroring `alipay_isv::cert`: the SN functions [`app_cert_sn`] and
//! [`alipay_root_cert_sn`], [`Certificate`] (one parsed X.509 certificate), [`RootBundle`] (the root
//! bundle and the chain check of an Alipay certificate) and [`parse_certificates`].
//!
//! Inputs are file contents, never paths: a `Buffer` / `Uint8Array` (PEM, DER or the Base64 of either)
//! or a string (PEM or Base64 text). Read the file yourself (`fs.readFileSync(path)`). Certificates are
//! public, so their representations show their SN, names and fingerprint.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_isv::cert as core;
use napi::bindgen_prelude::{Buffer, ClassInstance, Either, Either3, Uint8Array};
use napi::{Env, JsDate};
use napi_derive::napi;

use crate::convert;
use crate::error::{OrThrow, to_js_error};
use crate::key::PublicKey;

/// The API that downloads an Alipay certificate by its SN (`alipay.open.app.alipaycert.download`).
#[napi]
pub const ALIPAY_CERT_DOWNLOAD_METHOD: &str = core::ALIPAY_CERT_DOWNLOAD_METHOD;

/// Certificate file contents: a `Buffer` / `Uint8Array` (PEM, DER, or the Base64 of either) or text
/// (PEM or Base64). Never a path.
pub type CertificateInput = Either<Uint8Array, String>;

/// An Alipay certificate file to check: a `Certificate`, or file contents (`Buffer` or text) that
/// may carry one intermediate CA after the leaf.
pub type CertificateArg<'env> = Either3<ClassInstance<'env, Certificate>, Uint8Array, String>;

/// The `app_cert_sn` of an app public-key certificate (`appCertPublicKey_<app_id>.crt`): lowercase hex
/// MD5 of its issuer DN (RFC 2253, as Java prints it) followed by its decimal serial number. Also the
/// `alipay_cert_sn` of an Alipay certificate.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the input holds no certificate that parses.
#[napi(catch_unwind)]
pub fn app_cert_sn(env: Env, cert: CertificateInput) -> napi::Result<String> {
    convert::with_body(&cert, core::app_cert_sn).or_throw(&env)
}

/// The `alipay_root_cert_sn` of the root bundle (`alipayRootCert.crt`): the SNs of its RSA-signed
/// certificates joined with `_`, in file order (SM2 and ECDSA roots are left out).
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the bundle holds no RSA-signed certificate (only
/// SM2 / ECDSA roots) or a block that cannot be read.
#[napi(catch_unwind)]
pub fn alipay_root_cert_sn(env: Env, bundle: CertificateInput) -> napi::Result<String> {
    convert::with_body(&bundle, core::alipay_root_cert_sn).or_throw(&env)
}

/// Every certificate of PEM (a bundle, any line endings, text between blocks), DER or Base64 input,
/// in file order, non-RSA ones included (check `isRsaSigned`). A block that does not parse as X.509
/// but whose outer signature algorithm is readable and not RSA (an SM2 root, in some encodings) is
/// left out.
///
/// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the input holds no certificate or a block that
/// cannot be read.
#[napi(catch_unwind)]
pub fn parse_certificates(env: Env, input: CertificateInput) -> napi::Result<Vec<Certificate>> {
    let all = convert::with_body(&input, core::parse_certificates).or_throw(&env)?;
    Ok(all.into_iter().map(|inner| Certificate { inner }).collect())
}

/// One X.509 certificate, parsed once: its SN, names, serial, signature algorithm, validity period
/// and RSA public key. Immutable.
///
/// `toString()` and `util.inspect` show the SN, subject, issuer and serial number (all public).
#[napi]
pub struct Certificate {
    pub(crate) inner: core::Certificate,
}

#[napi]
impl Certificate {
    /// Parses the first certificate of PEM, DER or Base64 input (the leaf of a chain file).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the input holds no certificate or its first
    /// block does not parse.
    #[napi(factory, catch_unwind)]
    pub fn parse(env: Env, input: CertificateInput) -> napi::Result<Self> {
        let inner = convert::with_body(&input, core::Certificate::from_bytes).or_throw(&env)?;
        Ok(Certificate { inner })
    }

    /// Parses one DER-encoded certificate.
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the bytes are not an X.509 certificate.
    #[napi(factory, catch_unwind)]
    pub fn from_der(env: Env, der: Uint8Array) -> napi::Result<Self> {
        let inner = core::Certificate::from_der(&der).or_throw(&env)?;
        Ok(Certificate { inner })
    }

    /// The SN: lowercase hex MD5 of `issuer` + `serialNumber` (the `app_cert_sn` of an app
    /// certificate, the `alipay_cert_sn` of an Alipay certificate).
    #[napi(getter, catch_unwind)]
    pub fn sn(&self) -> String {
        self.inner.sn().to_string()
    }

    /// The issuer DN in RFC 2253 form, as Java's `X500Principal.getName()` prints it.
    #[napi(getter, catch_unwind)]
    pub fn issuer(&self) -> String {
        self.inner.issuer()
    }

    /// The subject DN in RFC 2253 form.
    #[napi(getter, catch_unwind)]
    pub fn subject(&self) -> String {
        self.inner.subject()
    }

    /// The serial number in decimal (a string: serials exceed JavaScript's safe integers).
    #[napi(getter, catch_unwind)]
    pub fn serial_number(&self) -> String {
        self.inner.serial_number()
    }

    /// The dotted OID of the signature algorithm, e.g. `1.2.840.113549.1.1.11` (sha256WithRSA).
    #[napi(getter, catch_unwind)]
    pub fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm()
    }

    /// Whether the certificate is RSA-signed (the ones a root SN counts).
    #[napi(getter, catch_unwind)]
    pub fn is_rsa_signed(&self) -> bool {
        self.inner.is_rsa_signed()
    }

    /// Start of the validity period.
    #[napi(getter, catch_unwind)]
    pub fn not_before<'env>(&self, env: &'env Env) -> napi::Result<JsDate<'env>> {
        env.create_date(epoch_millis(self.inner.not_before()))
    }

    /// End of the validity period.
    #[napi(getter, catch_unwind)]
    pub fn not_after<'env>(&self, env: &'env Env) -> napi::Result<JsDate<'env>> {
        env.create_date(epoch_millis(self.inner.not_after()))
    }

    /// The subject's RSA public key (for an Alipay certificate: the Alipay public key).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when the key is not RSA (SM2, EC) or of an
    /// unsupported size.
    #[napi(catch_unwind)]
    pub fn public_key(&self, env: Env) -> napi::Result<PublicKey> {
        Ok(PublicKey {
            inner: std::sync::Arc::new(self.inner.public_key().or_throw(&env)?),
        })
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`, 64-character lines, LF).
    #[napi(getter, catch_unwind)]
    pub fn pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The DER bytes.
    #[napi(getter, catch_unwind)]
    pub fn der(&self) -> Buffer {
        Buffer::from(self.inner.der().to_vec())
    }

    /// `SHA256:` and the first 8 bytes (hex) of the SHA-256 of the DER: a short public name.
    #[napi(getter, catch_unwind)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Whether `other` is the same certificate (same DER bytes).
    #[napi(catch_unwind)]
    pub fn equals(&self, other: &Certificate) -> bool {
        self.inner == other.inner
    }

    /// `Certificate(sn …, subject CN=…, issuer CN=…, serial …, SHA256:…)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "Certificate(sn {}, subject {}, issuer {}, serial {}, {})",
            self.inner.sn(),
            self.inner.subject(),
            self.inner.issuer(),
            self.inner.serial_number(),
            self.inner.fingerprint()
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// The Alipay root bundle (`alipayRootCert.crt`): its RSA-signed roots, its `alipay_root_cert_sn`, and
/// the chain check of Alipay certificates. Immutable.
#[napi]
pub struct RootBundle {
    inner: core::RootBundle,
}

#[napi]
impl RootBundle {
    /// Parses a root bundle (PEM with any line endings and text between blocks, DER, or Base64).
    ///
    /// @throws {AlipayError} `ALIPAY_CONFIG_ERROR` when a block cannot be read, or when no certificate
    /// is RSA-signed (a bundle of only SM2 / ECDSA roots).
    #[napi(factory, catch_unwind)]
    pub fn parse(env: Env, bundle: CertificateInput) -> napi::Result<Self> {
        let inner = convert::with_body(&bundle, core::RootBundle::parse).or_throw(&env)?;
        Ok(RootBundle { inner })
    }

    /// The `alipay_root_cert_sn`: the SNs of the RSA-signed roots joined with `_`, in file order.
    #[napi(getter, catch_unwind)]
    pub fn sn(&self) -> String {
        self.inner.sn().to_string()
    }

    /// The RSA-signed roots, in file order.
    #[napi(getter, catch_unwind)]
    pub fn roots(&self) -> Vec<Certificate> {
        self.inner
            .roots()
            .iter()
            .map(|root| Certificate {
                inner: root.clone(),
            })
            .collect()
    }

    /// Checks an Alipay certificate (a `Certificate`, or a file whose first certificate is the leaf
    /// and which may hold one intermediate CA) against this bundle at `at` (a `Date` or epoch
    /// milliseconds; now by default), and returns the leaf.
    ///
    /// @throws {AlipayError} `ALIPAY_SIGNATURE_ERROR` when the leaf (or the intermediate) is outside
    /// its validity period, is not chained to a root of the bundle, or a signature does not verify (a
    /// tampered certificate); `ALIPAY_CONFIG_ERROR` when the input does not parse or `at` is not a
    /// valid time.
    #[napi(catch_unwind)]
    pub fn verify_chain(
        &self,
        env: Env,
        alipay_cert: CertificateArg<'_>,
        #[napi(ts_arg_type = "Date | number")] at: Option<Either<JsDate<'_>, f64>>,
    ) -> napi::Result<Certificate> {
        let at = match at {
            None => SystemTime::now(),
            Some(Either::A(date)) => system_time(&env, date.value_of()?)?,
            Some(Either::B(millis)) => system_time(&env, millis)?,
        };
        let leaf = match &alipay_cert {
            Either3::A(certificate) => self.inner.verify_chain(certificate.inner.der(), at),
            Either3::B(bytes) => self.inner.verify_chain(bytes, at),
            Either3::C(text) => self.inner.verify_chain(text.as_bytes(), at),
        }
        .or_throw(&env)?;
        Ok(Certificate { inner: leaf })
    }

    /// `RootBundle(<alipay_root_cert_sn>, N RSA roots)`.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self) -> String {
        format!(
            "RootBundle({}, {} RSA roots)",
            self.inner.sn(),
            self.inner.roots().len()
        )
    }

    /// What `util.inspect` and `console.log` show: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom", catch_unwind)]
    pub fn inspect(&self) -> String {
        self.describe()
    }
}

/// A time as JavaScript epoch milliseconds (negative before 1970).
fn epoch_millis(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_millis() as f64,
        Err(before) => -(before.duration().as_millis() as f64),
    }
}

/// Epoch milliseconds as a time.
///
/// @throws `ALIPAY_CONFIG_ERROR` for a non-finite value (an invalid `Date`).
fn system_time(env: &Env, millis: f64) -> napi::Result<SystemTime> {
    if !millis.is_finite() || millis.abs() > 8.64e15 {
        return Err(to_js_error(
            env,
            &alipay_isv::Error::config(format!(
                "`at` must be a valid Date or epoch milliseconds; got {millis}"
            )),
        ));
    }
    let offset = Duration::from_secs_f64(millis.abs() / 1000.0);
    Ok(if millis >= 0.0 {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH - offset
    })
}
