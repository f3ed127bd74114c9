//! How the CLI reports results and errors: JSON on stdout, one JSON error line on stderr, and the exit
//! code that goes with each error kind.

use std::process::ExitCode;

use alipay_isv::Error;
use serde_json::json;

/// Exit code when a signature did not verify, or the gateway answered an error.
const EXIT_VERIFICATION_FAILED: u8 = 1;
/// Exit code for bad input: keys, files, options, malformed bodies.
const EXIT_BAD_INPUT: u8 = 2;

/// Prints a JSON value on stdout, pretty-printed.
pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values always serialise")
    );
}

/// Prints the error as one JSON line on stderr and returns the matching exit code.
pub fn report_error(error: &Error) -> ExitCode {
    let mut line = json!({ "kind": error.kind(), "reason": error.reason() });
    if let Error::Api(api) = error {
        line["code"] = json!(api.code);
        line["sub_code"] = json!(api.sub_code);
        line["signed"] = json!(api.signed);
    }
    eprintln!("{line}");
    match error {
        Error::Signature { .. } | Error::Api(_) => ExitCode::from(EXIT_VERIFICATION_FAILED),
        _ => ExitCode::from(EXIT_BAD_INPUT),
    }
}

/// Field names whose values are secrets: masked in printed output unless asked otherwise.
const TOKEN_FIELDS: &[&str] = &[
    "app_auth_token",
    "app_refresh_token",
    "access_token",
    "refresh_token",
    "auth_token",
    "biz_content",
];

/// Masks token values anywhere in a JSON value (and the raw `biz_content` text, which embeds them).
pub fn mask_token_fields(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                match field {
                    serde_json::Value::String(text) if TOKEN_FIELDS.contains(&key.as_str()) => {
                        *text = alipay_isv::error::mask_secret(text);
                    }
                    other => mask_token_fields(other),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_token_fields),
        _ => {}
    }
}
