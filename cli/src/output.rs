//! How the CLI reports results and errors: JSON on stdout, one JSON error line on stderr, and the exit
//! code that goes with each error kind.
//!
//! Every write goes through [`out`] / [`err`], never `println!` / `eprintln!`: those panic when the
//! stream is closed (`alipay-isv auth-url … | true`), whereas a closed pipe here only means nobody is
//! reading any more, so the command carries on and ends with its normal exit code.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use alipay_isv::Error;
use clap::error::{ContextKind, ContextValue};
use serde_json::json;

/// Exit code when a signature did not verify, or the gateway answered an error.
const EXIT_VERIFICATION_FAILED: u8 = 1;
/// Exit code for bad input: keys, files, options, malformed bodies.
const EXIT_BAD_INPUT: u8 = 2;

/// Writes `text` and a newline on stdout and flushes. A closed pipe is not an error (the reader went
/// away); any other failure (a full disk behind a redirection) is, so a lost output is not reported as
/// success.
pub fn out(text: &str) -> alipay_isv::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match write_line(&mut stdout, text) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Error::config(format!(
            "cannot write to standard output: {error}"
        ))),
    }
}

/// Writes `text` and a newline on stderr; failures are ignored (there is nowhere left to report them).
pub fn err(text: &str) {
    let _ = write_line(&mut std::io::stderr().lock(), text);
}

fn write_line(stream: &mut impl Write, text: &str) -> std::io::Result<()> {
    stream.write_all(text.as_bytes())?;
    stream.write_all(b"\n")?;
    stream.flush()
}

/// Prints a JSON value on stdout, pretty-printed.
pub fn print_json(value: &serde_json::Value) -> alipay_isv::Result<()> {
    out(&serde_json::to_string_pretty(value).expect("JSON values always serialise"))
}

/// Prints the error as one JSON line on stderr and returns the matching exit code.
pub fn report_error(error: &Error) -> ExitCode {
    let mut line = json!({ "kind": error.kind(), "reason": error.reason() });
    if let Error::Api(api) = error {
        line["code"] = json!(api.code);
        line["sub_code"] = json!(api.sub_code);
        line["signed"] = json!(api.signed);
    }
    err(&line.to_string());
    match error {
        Error::Signature { .. } | Error::Api(_) => ExitCode::from(EXIT_VERIFICATION_FAILED),
        _ => ExitCode::from(EXIT_BAD_INPUT),
    }
}

/// Reports a command-line parsing error (unknown option, missing argument, bad value) like every other
/// bad input: one JSON line on stderr, kind `config`, exit code 2. `--help` and `--version` are not
/// errors and keep clap's own output.
pub fn report_usage_error(error: &clap::Error) -> ExitCode {
    // clap renders "error: <what>\n\n<tip>\n\nUsage: …\n\nFor more information, try '--help'.";
    // the JSON line keeps the sentences, one after the other.
    let rendered = error.render().to_string();
    let mut reason = String::new();
    for line in rendered
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        if !reason.is_empty() {
            // "…were not provided:" is followed by its list; other lines are sentences of their own.
            reason.push_str(if reason.ends_with(':') { " " } else { "; " });
        }
        reason.push_str(line.strip_prefix("error: ").unwrap_or(line));
    }
    // An unexpected positional argument may be a secret typed where it does not belong (a token given
    // to `registry import`, which reads tokens from standard input or the environment only): shown
    // masked.
    if error.kind() == clap::error::ErrorKind::UnknownArgument
        && let Some(ContextValue::String(argument)) = error.get(ContextKind::InvalidArg)
        && !argument.starts_with('-')
        && argument.chars().count() > 8
    {
        reason = reason.replace(
            argument.as_str(),
            &alipay_isv::secret::mask_secret(argument),
        );
    }
    report_error(&Error::config(reason))
}
