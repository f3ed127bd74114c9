//! The `state` of an authorisation link: random, Base64 (Alipay requires it), and compared in constant
//! time when the callback comes back, so a forged callback cannot be matched byte by byte.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::error::{Error, Result};

/// A fresh `state`: 24 random bytes, Base64 (URL-safe alphabet, 32 characters, no padding).
///
/// # Errors
/// [`Error::Config`] if the system random source fails.
pub fn generate_state() -> Result<String> {
    let mut bytes = [0u8; 24];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::config("the system random source failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Checks a caller-chosen `state`: Alipay accepts only Base64 text.
///
/// # Errors
/// [`Error::Config`] when it is empty, longer than 256 characters, or not Base64.
pub fn check_state(state: &str) -> Result<()> {
    let is_base64 = [&STANDARD, &URL_SAFE]
        .iter()
        .any(|engine| engine.decode(state).is_ok())
        || URL_SAFE_NO_PAD.decode(state).is_ok();
    if state.is_empty() || state.len() > 256 || !is_base64 {
        return Err(Error::config(
            "the authorisation `state` must be 1-256 characters of Base64 (Alipay refuses anything else); \
             omit it to have one generated",
        ));
    }
    Ok(())
}

/// Compares the `state` a callback carried with the one issued, in constant time.
pub fn states_match(issued: &str, received: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(issued.as_bytes(), received.as_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_states_are_base64_and_distinct() {
        let first = generate_state().unwrap();
        let second = generate_state().unwrap();
        assert_eq!(first.len(), 32);
        assert_ne!(first, second);
        check_state(&first).unwrap();
    }

    #[test]
    fn caller_states_must_be_base64() {
        check_state("aGVsbG8=").unwrap();
        check_state("a-_b").unwrap();
        assert!(check_state("not base64!").is_err());
        assert!(check_state("").is_err());
    }

    #[test]
    fn states_match_only_when_equal() {
        assert!(states_match("abc", "abc"));
        assert!(!states_match("abc", "abd"));
        assert!(!states_match("abc", "abcd"));
    }
}
