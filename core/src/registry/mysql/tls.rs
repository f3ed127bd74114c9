//! TLS to MySQL: rustls on the aws-lc-rs provider (the one crypto stack of the workspace; the driver is
//! built with its `rustls-tls` and `aws-lc-rs` features and nothing pulls `ring`), negotiated inside the
//! MySQL handshake by the driver. What the URL's `ssl-mode` asks for, as the `mysql` client names it:
//!
//! | `ssl-mode` | TLS | certificate checked |
//! | --- | --- | --- |
//! | absent, `DISABLED` | no | — |
//! | `PREFERRED` | when the server offers it | no (encryption against passive listeners only) |
//! | `REQUIRED` | yes | no, unless `ssl-ca` is given: then as `VERIFY_CA` (as PostgreSQL's `require`) |
//! | `VERIFY_CA` | yes | chain up to the roots; any host name |
//! | `VERIFY_IDENTITY` | yes | chain up to the roots and the host name |
//!
//! The roots are the PEM file `ssl-ca` names, or the Mozilla roots (`webpki-roots`, built into the
//! driver) when it is absent. Without `ssl-mode`, no TLS is tried (the `mysql` client would try
//! `PREFERRED`): state `ssl-mode=VERIFY_IDENTITY` for a server reached over a network you do not control.
//! A certificate not verified still has its handshake signatures checked, so the session is encrypted
//! with the holder of the presented key.

use mysql_async::SslOpts;

use crate::error::Result;
use crate::registry::server::tls::ca_certificates;

/// What the URL's `ssl-mode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// No TLS.
    Disabled,
    /// TLS when the server offers it, the certificate not verified.
    Preferred,
    /// TLS, the certificate not verified (unless `ssl-ca` is given).
    Required,
    /// TLS, the chain verified.
    VerifyCa,
    /// TLS, the chain and the host name verified.
    VerifyIdentity,
}

impl SslMode {
    /// The mode named `text` (any case).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_uppercase().as_str() {
            "DISABLED" => SslMode::Disabled,
            "PREFERRED" => SslMode::Preferred,
            "REQUIRED" => SslMode::Required,
            "VERIFY_CA" => SslMode::VerifyCa,
            "VERIFY_IDENTITY" => SslMode::VerifyIdentity,
            _ => return None,
        })
    }

    /// What TLS does in this mode (with a CA file given or not), for messages and `Debug`.
    pub(crate) fn described(self, with_ca: bool) -> &'static str {
        match (self, with_ca) {
            (SslMode::Disabled, _) => "no TLS",
            (SslMode::Preferred, _) => {
                "TLS when offered, certificate not verified (ssl-mode=PREFERRED)"
            }
            (SslMode::Required, false) => "TLS, certificate not verified (ssl-mode=REQUIRED)",
            (SslMode::Required | SslMode::VerifyCa, _) => {
                "TLS, certificate chain verified (ssl-mode=VERIFY_CA)"
            }
            (SslMode::VerifyIdentity, _) => {
                "TLS, certificate and host name verified (ssl-mode=VERIFY_IDENTITY)"
            }
        }
    }
}

/// The driver's TLS options for `mode`, with the roots of `ssl_ca`; `None` without TLS.
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) when `ssl_ca` cannot be read or holds no certificate.
pub(crate) fn options(mode: SslMode, ssl_ca: Option<&str>) -> Result<Option<SslOpts>> {
    if mode == SslMode::Disabled {
        return Ok(None);
    }
    let mut options = SslOpts::default();
    if let Some(path) = ssl_ca {
        // Read now, so a path that cannot be read is a configuration error before any connection; handed
        // to the driver as DER.
        let roots = ca_certificates(path, "ssl-ca", "MySQL")?
            .into_iter()
            .map(|certificate| certificate.as_ref().to_vec().into())
            .collect();
        options = options
            .with_root_certs(roots)
            .with_disable_built_in_roots(true);
    }
    let verify_chain = match mode {
        SslMode::Required => ssl_ca.is_some(),
        SslMode::VerifyCa | SslMode::VerifyIdentity => true,
        SslMode::Disabled | SslMode::Preferred => false,
    };
    Ok(Some(
        options
            .with_danger_accept_invalid_certs(!verify_chain)
            .with_danger_skip_domain_validation(mode != SslMode::VerifyIdentity),
    ))
}
