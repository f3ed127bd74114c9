//! Fresh identifiers in the shapes Alipay uses: merchant PIDs (`2088…`), app ids (`2021…`), tokens,
//! codes and notification ids, drawn from the system random generator; and the stable `open_id` of a
//! user in an app.

use aws_lc_rs::digest;

/// `len` random bytes (zeros if the system generator fails, which aws-lc-rs treats as fatal anyway).
fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        bytes.iter_mut().for_each(|b| *b = 0);
    }
    bytes
}

/// `count` random decimal digits.
pub fn digits(count: usize) -> String {
    random_bytes(count)
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// `count` random lowercase hex digits.
pub fn hex(count: usize) -> String {
    let mut text: String = random_bytes(count.div_ceil(2))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    text.truncate(count);
    text
}

/// A trace id for the `trace_id` header of a gateway answer, in the shape of Alipay's: the host's
/// address in hex (127.0.0.1), a millisecond timestamp, a four-digit sequence and the process id.
pub fn trace_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQUENCE: AtomicU32 = AtomicU32::new(1000);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    let sequence = 1000 + SEQUENCE.fetch_add(1, Ordering::Relaxed) % 9000;
    format!("7f000001{millis:013}{sequence:04}{:x}", std::process::id())
}

/// A merchant PID: `2088` and 12 digits.
pub fn merchant_pid() -> String {
    format!("2088{}", digits(12))
}

/// A merchant app id: `2021` and 12 digits.
pub fn app_id() -> String {
    format!("2021{}", digits(12))
}

/// An `app_auth_token` or `app_refresh_token`: the `yyyyMMBB` prefix Alipay uses, then 32 hex digits.
pub fn app_token(now_ms: u64) -> String {
    let month: String = alipay_isv::request::china_timestamp((now_ms / 1000) as i64)
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    format!("{month}BB{}", hex(32))
}

/// A user `access_token` or refresh token: `authusrB` and 32 hex digits.
pub fn user_token() -> String {
    format!("authusrB{}", hex(32))
}

/// A single-use code (`app_auth_code`, user `auth_code`): 32 hex digits.
pub fn code() -> String {
    hex(32)
}

/// A notification id: 32 hex digits.
pub fn notify_id() -> String {
    hex(32)
}

/// The `open_id` of a user in an app: `0` and 39 characters derived from both, so it is the same
/// every time the same user authorises the same app and differs between apps.
pub fn open_id(user_id: &str, app_id: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let seed = format!("open_id|{user_id}|{app_id}");
    let first = digest::digest(&digest::SHA256, seed.as_bytes());
    let second = digest::digest(&digest::SHA256, first.as_ref());
    let mut text = String::from("07");
    for byte in first.as_ref().iter().chain(second.as_ref()).take(38) {
        text.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_alipay() {
        let pid = merchant_pid();
        assert_eq!(pid.len(), 16);
        assert!(pid.starts_with("2088") && pid.bytes().all(|b| b.is_ascii_digit()));
        let app = app_id();
        assert_eq!(app.len(), 16);
        assert!(app.starts_with("2021"));
        let token = app_token(1_700_000_000_000);
        assert!(token.starts_with("202311BB"), "{token}");
        assert_eq!(token.len(), 40);
        assert_eq!(hex(7).len(), 7);
        assert_ne!(code(), code());
    }

    #[test]
    fn open_id_is_stable_per_user_and_app() {
        let a = open_id("2088000000000001", "2021000000000001");
        assert_eq!(a.len(), 40);
        assert!(a.starts_with('0'));
        assert_eq!(a, open_id("2088000000000001", "2021000000000001"));
        assert_ne!(a, open_id("2088000000000001", "2021000000000002"));
    }
}
