//! `alipay-isv cert-sn`: the SNs of certificate mode — `app_cert_sn` of an app certificate,
//! `alipay_root_cert_sn` of a root bundle, the SN of an Alipay certificate — printed as JSON.

use alipay_isv::cert::{Certificate, RootBundle};
use alipay_isv::{Error, Result};
use serde_json::{Map, Value, json};

use crate::input::read_bytes;
use crate::output::print_json;

/// Options of `cert-sn`.
#[derive(clap::Args)]
pub struct Args {
    /// The app public-key certificate (appCertPublicKey_<app_id>.crt): prints `app_cert_sn`.
    #[arg(long)]
    app_cert: Option<String>,
    /// The Alipay root bundle (alipayRootCert.crt): prints `alipay_root_cert_sn`.
    #[arg(long)]
    root_cert: Option<String>,
    /// The Alipay public-key certificate (alipayCertPublicKey_RSA2.crt): prints `alipay_cert_sn`.
    #[arg(long)]
    alipay_cert: Option<String>,
}

/// Prints the SNs of the files given.
pub fn run(args: Args) -> Result<()> {
    let mut output = Map::new();
    if let Some(path) = &args.app_cert {
        let certificate = Certificate::from_bytes(&read_bytes(path, "app certificate")?)?;
        output.insert("app_cert_sn".into(), json!(certificate.sn()));
        output.insert("app_cert_issuer".into(), json!(certificate.issuer()));
        output.insert(
            "app_cert_serial_number".into(),
            json!(certificate.serial_number()),
        );
    }
    if let Some(path) = &args.root_cert {
        let bundle = RootBundle::parse(&read_bytes(path, "root bundle")?)?;
        output.insert("alipay_root_cert_sn".into(), json!(bundle.sn()));
        let roots: Vec<Value> = bundle
            .roots()
            .iter()
            .map(|root| json!({"sn": root.sn(), "subject": root.subject(), "signature_algorithm": root.signature_algorithm()}))
            .collect();
        output.insert("rsa_roots".into(), Value::Array(roots));
    }
    if let Some(path) = &args.alipay_cert {
        let certificate = Certificate::from_bytes(&read_bytes(path, "Alipay certificate")?)?;
        output.insert("alipay_cert_sn".into(), json!(certificate.sn()));
    }
    if output.is_empty() {
        return Err(Error::config(
            "give --app-cert FILE, --root-cert FILE and/or --alipay-cert FILE",
        ));
    }
    print_json(&Value::Object(output))
}
