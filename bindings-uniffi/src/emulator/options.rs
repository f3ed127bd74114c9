//! The emulator's start options, mirroring `alipay_isv_emulator`'s options: the [`Fault`]s it injects
//! into the next gateway answers, and the options both constructors of
//! [`Emulator`](super::Emulator) take besides the app key.

use std::sync::Arc;
use std::time::Duration;

use alipay_isv_emulator as core;

use crate::aes::AesKey;
use crate::key::PrivateKey;

/// A failure injected into the next gateway answers (Kotlin: `Fault.Delay(Duration.ofSeconds(2))`,
/// `Fault.Reset`, …). Faults apply to `/gateway.do` and the OpenAPI v3 front (`/v3/…`) alike, one
/// per request, never to the authorisation pages.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Fault {
    /// Wait this long, then answer normally.
    Delay {
        /// How long to wait before answering.
        duration: Duration,
    },
    /// Read the request, then reset the connection without answering (the request is not run).
    Reset,
    /// Run the request, send the headers with the full `Content-Length` and half the body, close.
    TruncatedBody,
    /// Answer HTTP 502 with a small HTML page (the request is not run).
    BadGateway,
    /// Run the request and answer without the `sign` field (v3: without the `alipay-signature`,
    /// `alipay-timestamp` and `alipay-nonce` headers).
    Unsigned,
    /// Read the request and never answer (until the emulator stops): a peer that accepts and hangs.
    Hang,
    /// Run the request and send the answer one byte at a time, waiting `pause` between bytes
    /// (Kotlin: `Fault.Trickle(Duration.ofMillis(50))`).
    Trickle {
        /// The wait between two bytes of the answer.
        pause: Duration,
    },
    /// Answer HTTP 200 with a body of `bytes` bytes (a JSON-looking prefix padded with spaces): a
    /// peer that sends far more than any answer should be (Kotlin:
    /// `Fault.Oversized(10uL * 1024u * 1024u)`).
    Oversized {
        /// The size of the body sent.
        bytes: u64,
    },
}

impl From<Fault> for core::Fault {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Delay { duration } => core::Fault::Delay(duration),
            Fault::Reset => core::Fault::Reset,
            Fault::TruncatedBody => core::Fault::TruncatedBody,
            Fault::BadGateway => core::Fault::BadGateway,
            Fault::Unsigned => core::Fault::Unsigned,
            Fault::Hang => core::Fault::Hang,
            Fault::Trickle { pause } => core::Fault::Trickle(pause),
            Fault::Oversized { bytes } => {
                core::Fault::Oversized(usize::try_from(bytes).unwrap_or(usize::MAX))
            }
        }
    }
}

/// The start options of both constructors, the app key aside.
pub(super) struct StartOptions {
    pub(super) port: Option<u16>,
    pub(super) notify_url: Option<String>,
    pub(super) alipay_private_key: Option<Arc<PrivateKey>>,
    pub(super) host: Option<String>,
    pub(super) app_auth_token_ttl: Option<Duration>,
    pub(super) cert_mode: bool,
    pub(super) push_form: Option<String>,
    pub(super) push_form_seed: Option<u64>,
    pub(super) aes_key: Option<Arc<AesKey>>,
}
