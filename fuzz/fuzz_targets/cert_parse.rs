//! Certificates and root bundles (PEM, DER, Base64, mixed blocks): parsing, SNs, chain checks.
#![no_main]

use std::time::SystemTime;

use alipay_isv::cert::{Certificate, RootBundle, alipay_root_cert_sn, app_cert_sn, parse_certificates};
use libfuzzer_sys::fuzz_target;

const PRODUCTION_ROOT: &[u8] = include_bytes!("../../tests/vectors/certs/production/alipayRootCert.crt");

fuzz_target!(|data: &[u8]| {
    let _ = parse_certificates(data);
    let _ = app_cert_sn(data);
    let _ = alipay_root_cert_sn(data);
    if let Ok(certificate) = Certificate::from_bytes(data) {
        let _ = certificate.public_key();
        let _ = certificate.issuer();
        let _ = certificate.to_pem();
    }
    if let Ok(bundle) = RootBundle::parse(PRODUCTION_ROOT) {
        let _ = bundle.verify_chain(data, SystemTime::now());
    }
});
