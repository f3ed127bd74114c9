//! `alipay-isv verify-response`: verifies a gateway response body and prints the verified node.

use std::sync::Arc;

use alipay_isv::Result;
use alipay_isv::aes::AesKey;
use alipay_isv::response::ResponseVerifier;
use alipay_isv::sign::{Charset, SignType};
use serde_json::Value;

use crate::input::{read_body, read_public_key};
use alipay_isv::secret::mask_json;

use crate::output::print_json;

/// Options of `verify-response`.
#[derive(clap::Args)]
pub struct Args {
    /// The Alipay public key file (PEM, one-line Base64, or certificate).
    #[arg(long)]
    alipay_public_key: String,
    /// The API method the body answers, e.g. alipay.open.auth.token.app.
    #[arg(long)]
    method: String,
    /// RSA2 or RSA.
    #[arg(long, default_value = "RSA2")]
    sign_type: String,
    /// The charset of the request (and so of the body): UTF-8 or GBK.
    #[arg(long, default_value = "UTF-8")]
    charset: String,
    /// The AES key (Base64), for encrypted responses.
    #[arg(long)]
    aes_key: Option<String>,
    /// The body file, or `-` for standard input.
    #[arg(long)]
    body: String,
    /// Print tokens in full instead of masked.
    #[arg(long)]
    show_secrets: bool,
}

/// Verifies and prints the node's fields.
pub fn run(args: Args) -> Result<()> {
    let sign_type: SignType = args.sign_type.parse()?;
    let charset: Charset = args.charset.parse()?;
    let key = Arc::new(read_public_key(&args.alipay_public_key)?);
    let mut verifier = ResponseVerifier::new(key, sign_type, charset)?;
    if let Some(aes_key) = &args.aes_key {
        verifier = verifier.with_aes_key(AesKey::from_base64(aes_key)?);
    }
    let body = read_body(&args.body, "body")?;
    let verified = verifier.verify(&args.method, &body)?;
    let mut fields = Value::Object(verified.fields);
    if !args.show_secrets {
        mask_json(&mut fields);
    }
    print_json(&fields)
}
