//! `alipay-isv sign`: the canonical content and signature of a parameter set.

use std::sync::Arc;

use alipay_isv::Result;
use alipay_isv::sign::{Charset, SignType, Signer};
use serde_json::json;

use crate::input::{parse_params, read_private_key, read_text};
use crate::output::print_json;

/// Options of `sign`.
#[derive(clap::Args)]
pub struct Args {
    /// The app private key file (PEM or one-line Base64, PKCS#1 or PKCS#8).
    #[arg(long)]
    private_key: String,
    /// RSA2 (SHA256withRSA) or RSA (legacy SHA1withRSA).
    #[arg(long, default_value = "RSA2")]
    sign_type: String,
    /// The request charset: UTF-8 or GBK.
    #[arg(long, default_value = "UTF-8")]
    charset: String,
    /// A file holding a JSON object of string parameters, or `-` for standard input.
    #[arg(long)]
    params: String,
}

/// Signs and prints `{"content": ..., "sign": ...}`.
pub fn run(args: Args) -> Result<()> {
    let sign_type: SignType = args.sign_type.parse()?;
    let charset: Charset = args.charset.parse()?;
    let params = parse_params(&read_text(&args.params, "params")?)?;
    let key = read_private_key(&args.private_key)?;
    let signer = Signer::new(Arc::new(key), sign_type, charset)?;
    let (content, sign) = signer.sign_params(params)?;
    print_json(&json!({ "content": content, "sign": sign }))
}
