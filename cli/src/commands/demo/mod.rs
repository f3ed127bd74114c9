//! `alipay-isv demo`: the project's main job, walked through in plain words against the built-in emulator.
//!
//! It starts the emulator in-process and an application gateway on loopback, then: builds the merchant
//! authorisation link → the merchant authorises → the callback is checked → the code is exchanged → the
//! authorisation is stored → queried → the app-auth notification arrives and verifies → a user consents →
//! the user code is exchanged on the merchant's behalf → `alipay.user.info.share` → a delegated call →
//! the merchant token is refreshed → the merchant revokes → the cancellation arrives → a call with the
//! revoked token fails with its real error → a second merchant is imported from the token the console
//! shows (方法二) and called for → a third merchant subscribes to the plugin in the service market: the
//! order message and the plugin authorisation arrive, the ISV accepts the order, calls for the merchant,
//! completes and confirms the item. It stops at the first failed step and exits non-zero.
//!
//! With `--cert-mode` the same flow runs in public-key certificate mode (app certificate, Alipay
//! certificate and root bundle from the emulator's CA), plus a step where Alipay rotates its certificate
//! and the next call downloads the new one (`alipay.open.app.alipaycert.download`), checks it against the
//! root bundle, and verifies.

mod app_gateway;
mod flow;
mod method_two;
mod subscription;

use alipay_isv::Result;

use crate::output::out;

/// Options of `demo`.
#[derive(clap::Args)]
pub struct Args {
    /// The ISV app_id to run the flow as.
    #[arg(long, default_value = "2021000000000001")]
    app_id: String,
    /// Run in public-key certificate mode (公钥证书模式), with an Alipay certificate rotation.
    #[arg(long)]
    cert_mode: bool,
    /// Keep the merchant authorisation registry in this SQLite file, or at this URL (`postgres://…`,
    /// `mysql://…`, `sqlite://…`, `memory:`); default: a temporary SQLite file.
    #[arg(long, value_name = "FILE_OR_URL")]
    db: Option<String>,
}

/// Numbers the steps and prints each outcome as it happens.
pub(crate) struct Steps {
    number: usize,
}

impl Steps {
    /// Runs one step, prints it, and passes its value on; a failure ends the demo.
    pub(crate) fn run<T>(
        &mut self,
        description: &str,
        step: impl FnOnce() -> Result<(T, String)>,
    ) -> Result<T> {
        self.number += 1;
        match step() {
            Ok((value, detail)) => {
                out(&format!("{:>2}. ok      {description}", self.number))?;
                for line in detail.lines() {
                    out(&format!("            {line}"))?;
                }
                Ok(value)
            }
            Err(error) => {
                // The step's error is what the demo reports, even if stdout failed too.
                let _ = out(&format!(
                    "{:>2}. FAILED  {description}\n            {error}",
                    self.number
                ));
                Err(error)
            }
        }
    }
}

/// Runs every step; fails at the first step that fails.
pub fn run(args: Args) -> Result<()> {
    let mode = if args.cert_mode {
        " in certificate mode"
    } else {
        ""
    };
    out(&format!(
        "alipay-isv demo: the delegated-call flow against the built-in Alipay emulator{mode}\n"
    ))?;
    let mut steps = Steps { number: 0 };
    match flow::run(&mut steps, &args) {
        Ok(()) => out(&format!("\nall {} steps passed", steps.number)),
        Err(error) => {
            let _ = out(&format!("\nthe demo stopped at step {}", steps.number));
            Err(error)
        }
    }
}
