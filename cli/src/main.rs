//! The `alipay-isv` command: key generation, request signing and signature verification from the shell,
//! certificate SNs, authorisation links, the offline Alipay emulator, and `demo`, the guided run of the project's main job
//! (the whole delegated flow against the emulator).
//!
//! Exit codes: 0 success, 1 a signature did not verify or the gateway answered an error, 2 bad input
//! (keys, files, options, malformed bodies). Errors — command-line mistakes included — are
//! printed as one JSON line on stderr: `{"kind": "...", "reason": "..."}`. A closed stdout or stderr
//! (`alipay-isv … | true`) is not an error: the command ends quietly with its normal exit code.

mod commands;
mod input;
mod output;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

/// Alipay third-party app (ISV) toolkit: keys, signatures, and the delegated-call flow.
#[derive(Parser)]
#[command(name = "alipay-isv", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an app RSA key pair in every format the Alipay console and SDKs use.
    Keygen(commands::keygen::Args),
    /// Sign a parameter set (a JSON object of strings) and print its canonical content and signature.
    Sign(commands::sign::Args),
    /// Verify a signature over a canonical content.
    Verify(commands::verify::Args),
    /// Verify a gateway response body and print the verified node (tokens masked).
    VerifyResponse(commands::verify_response::Args),
    /// Verify a notification posted to the application gateway and print it (tokens masked).
    VerifyNotification(commands::verify_notification::Args),
    /// OpenAPI v3: print a request's auth string, string to sign and Authorization header (token masked).
    V3Sign(commands::v3::SignArgs),
    /// OpenAPI v3: verify an answer's alipay-signature over its headers and raw body.
    V3Verify(commands::v3::VerifyArgs),
    /// Print a merchant authorisation link (single, batch, console) or a user consent link, with its state.
    AuthUrl(commands::auth_url::Args),
    /// Print the certificate-mode SNs: app_cert_sn of an app certificate, alipay_root_cert_sn of a root bundle.
    CertSn(commands::cert_sn::Args),
    /// Run the offline Alipay emulator on loopback and print its gateway URL and Alipay public key.
    Emulator(commands::emulator::Args),
    /// Look into a merchant authorisation registry (list, show), revoke by hand, import a console token; tokens masked.
    Registry(commands::registry::Args),
    /// The service-market orders a registry holds (list, show with history); contact data masked.
    Orders(commands::orders::Args),
    /// Walk through the main job step by step, printing each step in plain words.
    Demo(commands::demo::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match error.kind() {
            // Not errors: clap prints them (ignoring a closed pipe) with its own exit code.
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => error.exit(),
            _ => return output::report_usage_error(&error),
        },
    };
    let outcome = match cli.command {
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::VerifyResponse(args) => commands::verify_response::run(args),
        Command::VerifyNotification(args) => commands::verify_notification::run(args),
        Command::AuthUrl(args) => commands::auth_url::run(args),
        Command::CertSn(args) => commands::cert_sn::run(args),
        Command::Emulator(args) => commands::emulator::run(args),
        Command::Registry(args) => commands::registry::run(args),
        Command::V3Sign(args) => commands::v3::sign(args),
        Command::V3Verify(args) => commands::v3::verify(args),
        Command::Orders(args) => commands::orders::run(args),
        Command::Demo(args) => commands::demo::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => output::report_error(&error),
    }
}
