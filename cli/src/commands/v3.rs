//! `alipay-isv v3-sign` and `v3-verify`: debug "验签失败" on OpenAPI v3 traffic. `v3-sign` prints the auth
//! string, the exact string to sign and the `Authorization` header for a request (reproducible with
//! `--nonce` and `--timestamp-ms`; `--additional-auth-info` appends the auth string's extension, e.g.
//! `expired_seconds=120`); `v3-verify` checks an answer's `alipay-signature` over its headers and raw
//! body and says what matched or why not. The merchant's token is read from an environment variable (never
//! from an argument) and masked in the output unless `--show-secrets` is given.

use std::sync::Arc;

use alipay_isv::cert::{alipay_root_cert_sn, app_cert_sn};
use alipay_isv::secret::{mask_query, shown};
use alipay_isv::v3::{V3Answer, V3Identity, V3Request, V3Verdict, new_nonce, now_ms};
use alipay_isv::{Error, Result};
use serde_json::{Value, json};

use crate::input::{read_body, read_bytes, read_private_key, read_public_key};
use crate::output::print_json;

/// Options of `v3-sign`.
#[derive(clap::Args)]
pub struct SignArgs {
    /// The app id.
    #[arg(long)]
    app_id: String,
    /// The app private key file (PEM or one-line Base64, PKCS#1 or PKCS#8).
    #[arg(long)]
    private_key: String,
    /// The HTTP method (GET, POST, …).
    #[arg(long)]
    method: String,
    /// The path and query exactly as sent, e.g. /v3/alipay/user/info/share?auth_token=….
    #[arg(long)]
    target: String,
    /// The body file exactly as sent, or `-` for standard input (none: an empty body).
    #[arg(long)]
    body: Option<String>,
    /// The environment variable holding the merchant's app_auth_token, for a call on its behalf.
    #[arg(long)]
    app_auth_token_env: Option<String>,
    /// Certificate mode: the app public-key certificate (its SN goes into the auth string).
    #[arg(long)]
    app_cert: Option<String>,
    /// Certificate mode: the Alipay root bundle (its SN goes into the alipay-root-cert-sn header).
    #[arg(long)]
    root_cert: Option<String>,
    /// Extra `key=value` pairs appended to the auth string after `timestamp`, separated by commas
    /// (the official Node SDK's additionalAuthInfo), e.g. `expired_seconds=120`.
    #[arg(long, value_name = "PAIRS")]
    additional_auth_info: Option<String>,
    /// The nonce (with --timestamp-ms; default: a fresh random one).
    #[arg(long)]
    nonce: Option<String>,
    /// The timestamp in epoch milliseconds (with --nonce; default: now).
    #[arg(long)]
    timestamp_ms: Option<u64>,
    /// Print the token in full.
    #[arg(long)]
    show_secrets: bool,
}

/// Options of `v3-verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The Alipay public key file (PEM, one-line Base64, or the Alipay certificate).
    #[arg(long)]
    alipay_public_key: String,
    /// The answer's HTTP status.
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// An answer header as `name: value` (repeat it: alipay-signature, alipay-timestamp, alipay-nonce, …).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// The raw body file, or `-` for standard input.
    #[arg(long)]
    body: String,
}

/// Signs and prints the request's lines and headers.
pub fn sign(args: SignArgs) -> Result<()> {
    let key = Arc::new(read_private_key(&args.private_key)?);
    let body = match &args.body {
        Some(path) => String::from_utf8(read_body(path, "body")?)
            .map_err(|_| Error::config("a v3 body is UTF-8 text (JSON, or Base64 ciphertext)"))?,
        None => String::new(),
    };
    let token = match &args.app_auth_token_env {
        Some(name) => Some(std::env::var(name).map_err(|_| {
            Error::config(format!(
                "the environment variable {name} (the app_auth_token) is not set"
            ))
        })?),
        None => None,
    };
    let cert_sn = args
        .app_cert
        .as_deref()
        .map(|path| read_bytes(path, "app certificate").and_then(|bytes| app_cert_sn(&bytes)))
        .transpose()?;
    let root_sn = args
        .root_cert
        .as_deref()
        .map(|path| read_bytes(path, "root bundle").and_then(|bytes| alipay_root_cert_sn(&bytes)))
        .transpose()?;
    let request = V3Request {
        method: &args.method,
        request_target: &args.target,
        body: &body,
        app_auth_token: token.as_deref(),
    };
    let identity = V3Identity {
        app_id: &args.app_id,
        app_cert_sn: cert_sn.as_deref(),
        alipay_root_cert_sn: root_sn.as_deref(),
        additional_auth_info: args.additional_auth_info.as_deref(),
    };
    let (nonce, timestamp) = match (args.nonce, args.timestamp_ms) {
        (Some(nonce), Some(timestamp)) => (nonce, timestamp),
        (None, None) => (new_nonce(), now_ms()),
        _ => {
            return Err(Error::config(
                "give both --nonce and --timestamp-ms (to reproduce a signature), or neither",
            ));
        }
    };
    let signed = request.sign_as(&key, &identity, &nonce, timestamp)?;
    let hide = |text: &str| match &token {
        Some(token) if !args.show_secrets => {
            text.replace(token.as_str(), &shown("app_auth_token", token))
        }
        _ => text.to_string(),
    };
    let target = |text: &str| {
        if args.show_secrets {
            text.to_string()
        } else {
            mask_query(text)
        }
    };
    let headers: serde_json::Map<String, Value> = signed
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(hide(value))))
        .collect();
    print_json(&json!({
        "auth_string": signed.auth_string,
        // The third line is the request target: its query may hold a user's auth_token.
        "string_to_sign": hide(
            &signed
                .string_to_sign
                .split('\n')
                .enumerate()
                .map(|(index, line)| if index == 2 { target(line) } else { line.to_string() })
                .collect::<Vec<_>>()
                .join("\n")
        ),
        "authorization": signed.authorization,
        "headers": headers,
        "request_target": target(&args.target),
    }))
}

/// Verifies an answer and prints the verdict.
pub fn verify(args: VerifyArgs) -> Result<()> {
    let key = Arc::new(read_public_key(&args.alipay_public_key)?);
    let headers: Vec<(String, String)> = args
        .headers
        .iter()
        .map(|header| {
            header
                .split_once(':')
                .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
                .ok_or_else(|| {
                    Error::config(format!(
                        "--header takes `name: value`, not `{}`",
                        header.chars().take(40).collect::<String>()
                    ))
                })
        })
        .collect::<Result<_>>()?;
    let body = read_body(&args.body, "body")?;
    let answer = V3Answer {
        status: args.status,
        headers: &headers,
        body: &body,
    };
    let verdict = answer.verify_with(|_| Ok(key.clone()))?;
    print_json(&json!({
        "verdict": match verdict {
            V3Verdict::Verified => "verified",
            V3Verdict::Unsigned => "unsigned",
        },
        "status": args.status,
        "trace_id": answer.trace_id(),
    }))
}
