//! How the CLI reports results and errors: JSON on stdout, one JSON error line on stderr, and the exit
//! code that goes with each error kind.

use std::process::ExitCode;

use alipay_isv::Error;
use serde_json::json;

/// Exit code when a signature did not verify.
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
        Error::Signature { .. } => ExitCode::from(EXIT_VERIFICATION_FAILED),
        _ => ExitCode::from(EXIT_BAD_INPUT),
    }
}
