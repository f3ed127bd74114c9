//! The injected faults of both gateway fronts (`/gateway.do` and `/v3/…`): one fault taken per request,
//! in the order [`crate::Emulator::set_fault`] counts them; the ones that answer before the request is
//! processed (reset, 502 page, hang, oversized body, after a delay), and the ones that change how the
//! processed answer is delivered (truncated, trickled). Each front says what its oversized body looks
//! like and what "unsigned" means for its answers.

use std::time::Duration;

use crate::http::response::Response;
use crate::options::{Fault, MAX_OVERSIZED_BYTES};
use crate::shared::Shared;

use super::Outcome;

/// The 502 page a proxy in front of the gateway answers with.
const BAD_GATEWAY_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n";

/// The fault taken for one gateway request (none when no fault is set or its count ran out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected(Option<Fault>);

/// What a front's oversized answer starts with: a valid-looking JSON prefix, padded with spaces to the
/// fault's size, sent unsigned.
#[derive(Debug, Clone, Copy)]
pub struct OversizedShape {
    /// The first bytes of the body.
    pub prefix: &'static [u8],
    /// Its `Content-Type`.
    pub content_type: &'static str,
}

impl Injected {
    /// Takes the fault for this request, consuming one use of it.
    pub fn take(shared: &Shared) -> Self {
        Injected(shared.take_fault())
    }

    /// The outcome of a fault that answers without processing the request (reset, 502, hang,
    /// oversized); a delay is waited out here and the request then goes on. `None`: process it.
    pub fn before_processing(&self, shared: &Shared, oversized: OversizedShape) -> Option<Outcome> {
        match &self.0 {
            Some(Fault::Reset) => Some(Outcome::Reset),
            Some(Fault::BadGateway) => {
                Some(Outcome::Respond(Response::html(502, BAD_GATEWAY_PAGE)))
            }
            Some(Fault::Hang) => Some(Outcome::Hang),
            Some(Fault::Oversized(size)) => {
                let mut body = oversized.prefix.to_vec();
                body.resize((*size).clamp(body.len(), MAX_OVERSIZED_BYTES), b' ');
                Some(Outcome::Respond(Response::bytes(
                    200,
                    oversized.content_type,
                    body,
                )))
            }
            Some(Fault::Delay(delay)) => {
                sleep_unless_stopping(shared, *delay);
                None
            }
            _ => None,
        }
    }

    /// Whether the answer must go out without its signature.
    pub fn unsigned(&self) -> bool {
        self.0 == Some(Fault::Unsigned)
    }

    /// How the processed answer is delivered: cut in half, trickled, or written whole.
    pub fn deliver(&self, response: Response) -> Outcome {
        match &self.0 {
            Some(Fault::TruncatedBody) => Outcome::Truncate(response),
            Some(Fault::Trickle(pause)) => Outcome::Trickle(response, *pause),
            _ => Outcome::Respond(response),
        }
    }
}

/// Sleeps in short slices so a stopping emulator is not held up.
pub(crate) fn sleep_unless_stopping(shared: &Shared, total: Duration) {
    let start = std::time::Instant::now();
    let deadline = start
        .checked_add(total)
        .unwrap_or(start + Duration::from_secs(3600));
    while !shared.is_stopping() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}
