//! [`EmulatorOptions`] (who the emulator serves, its keys, lifetimes and retry policy), [`PushForms`]
//! (which forms its pushes are signed in) and [`Fault`] (the network failures it can inject into
//! gateway answers).

use std::time::Duration;

use alipay_isv::aes::AesKey;
use alipay_isv::key::{PrivateKey, PublicKey};
use alipay_isv::notify::SignedForm;
use alipay_isv::{Error, Result};

/// How an emulator is set up. Build one with [`EmulatorOptions::new`] and change the public fields.
#[derive(Debug)]
pub struct EmulatorOptions {
    /// The ISV `app_id` the gateway accepts; any other `app_id` gets an unsigned `isv.invalid-app-id`.
    pub app_id: String,
    /// The ISV's public key: request signatures are verified with it (RSA2, or RSA when the request
    /// says `sign_type=RSA`).
    pub app_public_key: PublicKey,
    /// The interface to listen on (default `127.0.0.1`).
    pub host: String,
    /// The port to listen on; `0` (the default) takes any free port.
    pub port: u16,
    /// The "Alipay" private key answers are signed with; `None` (the default) generates a 2048-bit
    /// pair at start.
    pub alipay_private_key: Option<PrivateKey>,
    /// The ISV's application gateway (应用网关): authorisation and cancellation pushes are posted there.
    pub notify_url: Option<String>,
    /// How long an `app_auth_token` lives (`expires_in`, default 365 days); its refresh token lives
    /// 30 days longer.
    pub app_auth_token_ttl: Duration,
    /// How long a user `access_token` lives (default 2 hours); its refresh token lives 30 days.
    pub access_token_ttl: Duration,
    /// How far a request `timestamp` may be from the emulator's clock (default 15 minutes).
    pub timestamp_window: Duration,
    /// How many times a push is attempted before giving up (default 8).
    pub notify_attempts: u32,
    /// The wait before the first retry of a push; doubled after each failure (default 100 ms).
    pub notify_backoff: Duration,
    /// How long the old `app_auth_token` keeps working after a refresh (default 10 minutes, as Alipay).
    pub refresh_grace: Duration,
    /// The AES content-encryption key of the ISV app, to accept `encrypt_type=AES` requests and
    /// encrypt their answers; `None` (the default) answers such requests with an error.
    pub aes_key: Option<AesKey>,
    /// Certificate mode (公钥证书模式): the emulator makes a test root CA and an Alipay certificate
    /// signed by it, requires `app_cert_sn` (of an app certificate it issued, see
    /// [`crate::Emulator::issue_app_cert`]) and `alipay_root_cert_sn` on every request, names the signing
    /// certificate (`alipay_cert_sn`) in every signed answer and push, and serves
    /// `alipay.open.app.alipaycert.download`. Default `false`.
    pub cert_mode: bool,
    /// The forms pushes are signed in (default [`PushForms::Classic`]: authorisations V1,
    /// cancellations V2).
    pub push_forms: PushForms,
}

impl EmulatorOptions {
    /// Options for the ISV `app_id` whose requests are signed with the private half of
    /// `app_public_key`, with every other setting at its default.
    pub fn new(app_id: impl Into<String>, app_public_key: PublicKey) -> Self {
        EmulatorOptions {
            app_id: app_id.into(),
            app_public_key,
            host: "127.0.0.1".to_string(),
            port: 0,
            alipay_private_key: None,
            notify_url: None,
            app_auth_token_ttl: Duration::from_secs(365 * 24 * 3600),
            access_token_ttl: Duration::from_secs(2 * 3600),
            timestamp_window: Duration::from_secs(15 * 60),
            notify_attempts: 8,
            notify_backoff: Duration::from_millis(100),
            refresh_grace: Duration::from_secs(10 * 60),
            aes_key: None,
            cert_mode: false,
            push_forms: PushForms::Classic,
        }
    }
}

/// Which [`SignedForm`] each push to the application gateway is signed in: the real gateway has
/// signed notifications in several forms (see [`SignedForm`]), and an application gateway must accept
/// them all. The form of each push is recorded in [`crate::Delivery::signed_form`].
///
/// A push signed in a form that signs empty values (`+empty`) carries an empty parameter,
/// `isv_ticket=`, as the real service-market order notification of 2020 does, and it is part of the
/// signed content. In certificate mode a form with `+alipay_cert_sn` signs the `alipay_cert_sn` the
/// push carries; the other forms send it unsigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PushForms {
    /// As the emulator always did: authorisations ([`crate::APP_AUTH_NOTIFY`]) in V1, cancellations
    /// ([`crate::APP_AUTH_CANCELLED`]) in V2, empty values dropped (none sent), `alipay_cert_sn`
    /// (certificate mode) unsigned.
    #[default]
    Classic,
    /// Every push in this form. A form with `+alipay_cert_sn` needs certificate mode
    /// ([`EmulatorOptions::cert_mode`]): [`crate::Emulator::start`] refuses it otherwise.
    Fixed(SignedForm),
    /// Each push in a form drawn from a generator seeded with `seed` (the same seed and the same
    /// pushes give the same forms): every form of [`SignedForm::TRY_ORDER`] in certificate mode, the
    /// four without `+alipay_cert_sn` otherwise (and then no `alipay_cert_sn` is sent). The forms are
    /// dealt like a shuffled deck, so any run of 4 (8 in certificate mode) consecutive pushes uses
    /// each form once. About half the pushes whose form drops empty values still carry an unsigned
    /// `isv_ticket=`, which a verifier must leave out of what it returns.
    Mixed {
        /// The generator's seed.
        seed: u64,
    },
}

impl PushForms {
    /// The policy named `name`: `classic`, `mixed` (with `seed`, default 0) or a form name
    /// ([`SignedForm::name`]: `v1`, `v1+empty`, `v2`, `v2+empty`, `v1+alipay_cert_sn`, …).
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown name, or a `seed` with anything but `mixed`.
    pub fn from_name(name: &str, seed: Option<u64>) -> Result<PushForms> {
        let policy = match name.trim() {
            "classic" => PushForms::Classic,
            "mixed" => PushForms::Mixed {
                seed: seed.unwrap_or(0),
            },
            other => match SignedForm::from_name(other) {
                Some(form) => PushForms::Fixed(form),
                None => {
                    return Err(Error::config(format!(
                        "unknown push form `{}`; expected classic, mixed or one of {}",
                        other.chars().take(40).collect::<String>(),
                        SignedForm::TRY_ORDER
                            .iter()
                            .map(|form| form.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            },
        };
        if seed.is_some() && !matches!(policy, PushForms::Mixed { .. }) {
            return Err(Error::config(
                "a push form seed applies to the `mixed` policy only",
            ));
        }
        Ok(policy)
    }

    /// `classic`, `mixed` or the fixed form's name.
    pub fn name(&self) -> &'static str {
        match self {
            PushForms::Classic => "classic",
            PushForms::Fixed(form) => form.name(),
            PushForms::Mixed { .. } => "mixed",
        }
    }
}

/// A failure injected into the next gateway answers (see [`crate::Emulator::set_fault`]).
///
/// Faults apply to `/gateway.do` and the v3 front (`/v3/…`), one per request in arrival order, never to
/// the authorisation pages or the admin endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Read the request, then close the connection with a TCP reset (`SO_LINGER` 0) without answering;
    /// the request is not processed.
    Reset,
    /// Process the request, send the headers with the full `Content-Length` and half the body, close.
    TruncatedBody,
    /// Answer HTTP 502 with a small HTML page; the request is not processed.
    BadGateway,
    /// Process the request and answer without the `sign` field (v3: a success without the
    /// `alipay-signature`, `alipay-timestamp`, `alipay-nonce` and `alipay-sn` headers).
    Unsigned,
    /// Read the request and never answer (until the emulator stops): a peer that accepts and hangs.
    Hang,
    /// Process the request and send the answer one byte at a time, pausing this long between bytes.
    Trickle(Duration),
    /// Answer HTTP 200 with a body of this many bytes (a valid-looking JSON prefix padded with spaces,
    /// unsigned): a peer that returns far more than any answer should be. At most
    /// [`MAX_OVERSIZED_BYTES`].
    Oversized(usize),
}

/// The largest body [`Fault::Oversized`] may send: the answer is built in memory, and a failed
/// allocation would abort the host process (a Python, Node or JVM test run with it).
pub const MAX_OVERSIZED_BYTES: usize = 256 * 1024 * 1024;

/// What a named fault may carry beside its name ([`Fault::from_name`]); each detail belongs to one
/// kind only. Bindings convert their callers' units (seconds, milliseconds, `Duration`) into these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultDetail {
    /// How long `delay` waits before answering.
    pub delay: Option<Duration>,
    /// How long `trickle` pauses between bytes.
    pub pause: Option<Duration>,
    /// How many bytes of body `oversized` sends.
    pub size: Option<usize>,
}

impl Fault {
    /// Every fault name, as [`Fault::name`] gives it and [`Fault::from_name`] reads it.
    pub const NAMES: &'static [&'static str] = &[
        "delay",
        "reset",
        "truncated_body",
        "bad_gateway",
        "unsigned",
        "hang",
        "trickle",
        "oversized",
    ];

    /// The fault's stable name (`delay`, `reset`, `truncated_body`, `bad_gateway`, `unsigned`,
    /// `hang`, `trickle`, `oversized`).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::Reset => "reset",
            Fault::TruncatedBody => "truncated_body",
            Fault::BadGateway => "bad_gateway",
            Fault::Unsigned => "unsigned",
            Fault::Hang => "hang",
            Fault::Trickle(_) => "trickle",
            Fault::Oversized(_) => "oversized",
        }
    }

    /// The fault named `name` with its `detail`, checked: `delay` needs a delay, `trickle` a pause,
    /// `oversized` a size of 1 to [`MAX_OVERSIZED_BYTES`] bytes; no kind takes another's detail.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown name, a missing or foreign detail, or a size out of range.
    pub fn from_name(name: &str, detail: FaultDetail) -> Result<Fault> {
        let needs = |value: Option<Duration>, what: &str| {
            value.ok_or_else(|| Error::config(format!("the `{name}` fault needs {what}")))
        };
        let fault = match name {
            "delay" => Fault::Delay(needs(detail.delay, "a delay before answering")?),
            "trickle" => Fault::Trickle(needs(detail.pause, "a pause between bytes")?),
            "oversized" => Fault::Oversized(
                detail
                    .size
                    .ok_or_else(|| Error::config("the `oversized` fault needs a body size"))?,
            ),
            "reset" => Fault::Reset,
            "truncated_body" => Fault::TruncatedBody,
            "bad_gateway" => Fault::BadGateway,
            "unsigned" => Fault::Unsigned,
            "hang" => Fault::Hang,
            other => {
                return Err(Error::config(format!(
                    "unknown fault `{}`; expected one of {}",
                    other.chars().take(40).collect::<String>(),
                    Fault::NAMES.join(", ")
                )));
            }
        };
        let foreign = [
            ("delay", detail.delay.is_some(), "delay"),
            ("pause", detail.pause.is_some(), "trickle"),
            ("size", detail.size.is_some(), "oversized"),
        ]
        .into_iter()
        .find(|(_, given, owner)| *given && *owner != name);
        if let Some((what, _, _)) = foreign {
            return Err(Error::config(format!("the `{name}` fault takes no {what}")));
        }
        fault.check()?;
        Ok(fault)
    }

    /// Checks the fault's detail: an `oversized` body of 1 to [`MAX_OVERSIZED_BYTES`] bytes.
    ///
    /// # Errors
    /// [`Error::Config`] for a size out of range.
    pub fn check(&self) -> Result<()> {
        match self {
            Fault::Oversized(size) if *size == 0 || *size > MAX_OVERSIZED_BYTES => {
                Err(Error::config(format!(
                    "the `oversized` fault sends 1 to {MAX_OVERSIZED_BYTES} bytes (256 MiB), not {size}"
                )))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_name_reads_back_with_its_detail() {
        let detail = |name: &str| match name {
            "delay" => FaultDetail {
                delay: Some(Duration::from_millis(5)),
                ..FaultDetail::default()
            },
            "trickle" => FaultDetail {
                pause: Some(Duration::from_millis(5)),
                ..FaultDetail::default()
            },
            "oversized" => FaultDetail {
                size: Some(1024),
                ..FaultDetail::default()
            },
            _ => FaultDetail::default(),
        };
        for name in Fault::NAMES {
            let fault = Fault::from_name(name, detail(name)).unwrap();
            assert_eq!(fault.name(), *name);
        }
    }

    #[test]
    fn missing_foreign_and_out_of_range_details_are_config_errors() {
        let refused = |name: &str, detail: FaultDetail| {
            let error = Fault::from_name(name, detail).unwrap_err();
            assert_eq!(error.kind(), "config", "{name}: {error}");
            error.reason().to_string()
        };
        assert!(refused("delay", FaultDetail::default()).contains("needs a delay"));
        assert!(refused("oversized", FaultDetail::default()).contains("needs a body size"));
        let foreign = FaultDetail {
            size: Some(10),
            ..FaultDetail::default()
        };
        assert!(refused("reset", foreign).contains("takes no size"));
        let huge = FaultDetail {
            size: Some(MAX_OVERSIZED_BYTES + 1),
            ..FaultDetail::default()
        };
        assert!(refused("oversized", huge).contains("256 MiB"));
        let unknown = refused(&"meteor".repeat(100), FaultDetail::default());
        assert!(
            unknown.contains("unknown fault") && unknown.len() < 200,
            "{unknown}"
        );
    }
}
