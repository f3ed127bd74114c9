//! The parts every database URL of a server store has — `scheme://user:password@location?name=value&…`
//! — split the way both drivers read them (credentials up to the first `@`, parameters after the first
//! `?`), the password kept aside to be scrubbed from every message ([`Secrets`]), and the pool's own
//! parameters (`pool_max_size`, `pool_timeout` in seconds) taken out.

use std::borrow::Cow;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// `text` percent-decoded (invalid UTF-8 replaced).
pub(crate) fn decoded(text: &str) -> Cow<'_, str> {
    percent_decode_str(text).decode_utf8_lossy()
}

/// The password, as written and as decoded: scrubbed from every message.
#[derive(Default)]
pub(crate) struct Secrets(Vec<Zeroizing<String>>);

impl Secrets {
    /// Adds `raw` and its decoded form.
    pub(crate) fn add(&mut self, raw: &str) {
        self.0.push(Zeroizing::new(raw.to_string()));
        self.0.push(Zeroizing::new(decoded(raw).into_owned()));
    }

    /// `text` with every occurrence of a secret replaced by `***`.
    pub(crate) fn scrub(&self, mut text: String) -> String {
        for secret in self.0.iter().filter(|secret| !secret.is_empty()) {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }
}

/// A URL split into its parts.
pub(crate) struct Parts<'u> {
    /// The scheme with its `://`, as written.
    pub(crate) scheme: &'static str,
    /// `user:password` or `user` as written (before the first `@`), if any.
    pub(crate) credentials: Option<&'u str>,
    /// Hosts, ports and the path (between the `@` and the `?`), as written.
    pub(crate) location: &'u str,
    /// The parameters (`name`, decoded; the `name=value` pair as written) other than the pool's.
    pub(crate) params: Vec<(String, &'u str)>,
    /// `pool_max_size`, if given.
    pub(crate) pool_max_size: Option<usize>,
    /// `pool_timeout`, if given.
    pub(crate) pool_timeout: Option<Duration>,
    /// The password (of the credentials and of a `password` parameter).
    pub(crate) secrets: Secrets,
}

impl<'u> Parts<'u> {
    /// Splits `url`, which must start with one of `schemes`; `invalid` makes the error of a URL that
    /// cannot be used (its text never holds the password).
    ///
    /// # Errors
    /// `invalid(…)` for another scheme, a parameter without `=`, a pool parameter out of range.
    pub(crate) fn split(
        url: &'u str,
        schemes: &[&'static str],
        invalid: &dyn Fn(String) -> Error,
    ) -> Result<Self> {
        let (scheme, rest) = schemes
            .iter()
            .find_map(|scheme| url.strip_prefix(scheme).map(|rest| (*scheme, rest)))
            .ok_or_else(|| invalid(format!("it does not start with {}", schemes.join(" or "))))?;
        let mut secrets = Secrets::default();
        let (credentials, location) = match rest.split_once('@') {
            Some((credentials, location)) => (Some(credentials), location),
            None => (None, rest),
        };
        if let Some((_, password)) = credentials.and_then(|text| text.split_once(':')) {
            secrets.add(password);
        }
        let (location, query) = match location.split_once('?') {
            Some((location, query)) => (location, Some(query)),
            None => (location, None),
        };
        let mut parts = Parts {
            scheme,
            credentials,
            location,
            params: Vec::new(),
            pool_max_size: None,
            pool_timeout: None,
            secrets,
        };
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| invalid("a parameter without `=`".to_string()))?;
            let name = decoded(name).into_owned();
            match name.as_str() {
                "pool_max_size" => {
                    let size = decoded(value)
                        .parse::<usize>()
                        .ok()
                        .filter(|size| (1..=1000).contains(size))
                        .ok_or_else(|| {
                            invalid("pool_max_size must be a number from 1 to 1000".to_string())
                        })?;
                    parts.pool_max_size = Some(size);
                }
                "pool_timeout" => {
                    let seconds = decoded(value)
                        .parse::<f64>()
                        .ok()
                        .filter(|seconds| {
                            seconds.is_finite() && *seconds > 0.0 && *seconds <= 3600.0
                        })
                        .ok_or_else(|| {
                            invalid(
                                "pool_timeout must be seconds, more than 0, at most 3600"
                                    .to_string(),
                            )
                        })?;
                    parts.pool_timeout = Some(Duration::from_secs_f64(seconds));
                }
                "password" => {
                    parts.secrets.add(value);
                    parts.params.push((name, pair));
                }
                _ => parts.params.push((name, pair)),
            }
        }
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_keep_the_password_aside() {
        let invalid = |reason: String| Error::config(reason);
        let parts = Parts::split(
            "x://isv:s%40cret@db:1/reg?pool_max_size=3&password=other&a=1",
            &["x://"],
            &invalid,
        )
        .unwrap();
        assert_eq!(parts.credentials, Some("isv:s%40cret"));
        assert_eq!(parts.location, "db:1/reg");
        assert_eq!(parts.pool_max_size, Some(3));
        assert_eq!(parts.params.len(), 2);
        assert_eq!(
            parts.secrets.scrub("s@cret s%40cret other".into()),
            "*** *** ***"
        );
        assert!(Parts::split("x://h/d?pool_timeout=0", &["x://"], &invalid).is_err());
        assert!(Parts::split("y://h/d", &["x://"], &invalid).is_err());
    }
}
