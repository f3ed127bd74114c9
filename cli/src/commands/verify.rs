//! `alipay-isv verify`: checks a signature over a canonical content (exit 1 when it does not verify).

use std::sync::Arc;

use alipay_isv::Result;
use alipay_isv::sign::{Charset, SignType, Verifier};
use serde_json::json;

use crate::input::{read_public_key, read_text};
use crate::output::print_json;

/// Options of `verify`.
#[derive(clap::Args)]
pub struct Args {
    /// The public key file (PEM, one-line Base64, or an X.509 certificate).
    #[arg(long)]
    public_key: String,
    /// RSA2 (SHA256withRSA) or RSA (legacy SHA1withRSA).
    #[arg(long, default_value = "RSA2")]
    sign_type: String,
    /// The charset the content was signed in: UTF-8 or GBK.
    #[arg(long, default_value = "UTF-8")]
    charset: String,
    /// A file holding the exact canonical content (no trailing newline), or `-` for standard input.
    #[arg(long)]
    content: String,
    /// The Base64 signature.
    #[arg(long)]
    sign: String,
}

/// Verifies and prints `{"valid": true, ...}`; a failed verification is an error (exit 1).
pub fn run(args: Args) -> Result<()> {
    let sign_type: SignType = args.sign_type.parse()?;
    let charset: Charset = args.charset.parse()?;
    let content = read_text(&args.content, "content")?;
    let key = read_public_key(&args.public_key)?;
    let fingerprint = key.fingerprint();
    let verifier = Verifier::new(Arc::new(key), sign_type, charset)?;
    verifier.verify(&content, &args.sign)?;
    print_json(
        &json!({ "valid": true, "sign_type": sign_type.as_str(), "public_key": fingerprint }),
    )
}
