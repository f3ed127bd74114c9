//! The PostgreSQL URL (`postgres://user:password@host:port/dbname?param=value&…`) as the store reads it:
//! the driver's parameters (those of libpq the driver knows: `connect_timeout`, `options`,
//! `application_name`, `keepalives`, `target_session_attrs`, …), the TLS ones the store handles itself
//! (`sslmode` with libpq's six values, `sslrootcert`, see [`tls`](super::tls)) and the pool's own
//! (`pool_max_size`, `pool_timeout` in seconds). The password never leaves this file except inside the
//! driver's configuration: the store names its database by its [`Server`]'s `shown`, built from the
//! parsed parts without it, and every message passes through [`Server::scrub`].

use std::str::FromStr;

use postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls::{self, Verification};
use crate::error::{Error, Result};
use crate::registry::server::Server;
use crate::registry::server::url::{Parts, decoded};

/// Where and how to connect, parsed from the URL.
pub(crate) struct Target {
    /// The driver's configuration (with the password).
    pub(crate) config: postgres::Config,
    /// The TLS connector, when TLS is asked for.
    pub(crate) tls: Option<MakeRustlsConnect>,
    /// The database as messages name it (`postgres://user@host:port/dbname`, never the password).
    pub(crate) server: Server,
}

fn invalid(reason: impl std::fmt::Display) -> Error {
    Error::config(format!(
        "the PostgreSQL URL is not valid: {reason} (expected \
         postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full; the password is not shown)"
    ))
}

impl Target {
    /// Parses `url` (`postgres://…` or `postgresql://…`).
    ///
    /// # Errors
    /// [`Error::Config`] for a URL the store cannot use: another scheme, an unknown or invalid
    /// parameter, a `sslrootcert` that cannot be read; the message never holds the password.
    pub(crate) fn parse(url: &str) -> Result<Self> {
        // As the driver reads it (libpq's rules): credentials up to the first `@`, then the host and
        // path up to the first `?`, then the parameters.
        let parts = Parts::split(url, &["postgresql://", "postgres://"], &|reason| {
            invalid(reason)
        })?;
        let mut sslmode = None;
        let mut sslrootcert = None;
        let mut kept = Vec::new();
        for (name, pair) in &parts.params {
            let value = pair.split_once('=').map_or("", |(_, value)| value);
            match name.as_str() {
                "sslmode" => sslmode = Some(decoded(value).into_owned()),
                "sslrootcert" => sslrootcert = Some(decoded(value).into_owned()),
                "sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir" | "sslsni" => {
                    return Err(invalid(format!(
                        "`{name}` is not supported: the store authenticates the server (sslmode, \
                         sslrootcert), not itself with a client certificate"
                    )));
                }
                _ => kept.push(*pair),
            }
        }
        let (ssl_mode, verification) = match sslmode.as_deref() {
            None | Some("disable") | Some("allow") => (SslMode::Disable, None),
            Some("prefer") => (SslMode::Prefer, Some(Verification::None)),
            Some("require") if sslrootcert.is_some() => {
                (SslMode::Require, Some(Verification::Chain))
            }
            Some("require") => (SslMode::Require, Some(Verification::None)),
            Some("verify-ca") => (SslMode::Require, Some(Verification::Chain)),
            Some("verify-full") => (SslMode::Require, Some(Verification::Full)),
            Some(other) => {
                return Err(invalid(format!(
                    "sslmode `{other}` is none of disable, allow, prefer, require, verify-ca, verify-full"
                )));
            }
        };
        let tls_mode = match (ssl_mode, verification) {
            (_, None) => "no TLS",
            (SslMode::Prefer, _) => "TLS when offered, certificate not verified (sslmode=prefer)",
            (_, Some(Verification::None)) => "TLS, certificate not verified (sslmode=require)",
            (_, Some(Verification::Chain)) => "TLS, certificate chain verified (sslmode=verify-ca)",
            (_, Some(Verification::Full)) => {
                "TLS, certificate and host name verified (sslmode=verify-full)"
            }
        };
        let mut rebuilt = parts.scheme.to_string();
        if let Some(credentials) = parts.credentials {
            rebuilt.push_str(credentials);
            rebuilt.push('@');
        }
        rebuilt.push_str(parts.location);
        if !kept.is_empty() {
            rebuilt.push('?');
            rebuilt.push_str(&kept.join("&"));
        }
        let mut config = postgres::Config::from_str(&rebuilt).map_err(|error| {
            let cause = std::error::Error::source(&error)
                .map(|cause| format!(": {cause}"))
                .unwrap_or_default();
            invalid(parts.secrets.scrub(format!("{error}{cause}")))
        })?;
        config.ssl_mode(ssl_mode);
        if config.get_application_name().is_none() {
            config.application_name("alipay-isv");
        }
        if config.get_hosts().is_empty() {
            return Err(invalid("it names no host"));
        }
        let tls = verification
            .map(|verification| tls::connector(verification, sslrootcert.as_deref()))
            .transpose()?;
        let ports = config.get_ports();
        let address = config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(index, host)| {
                let port = ports
                    .get(index)
                    .or_else(|| ports.first())
                    .copied()
                    .unwrap_or(5432);
                match host {
                    Host::Tcp(name) if name.contains(':') => format!("[{name}]:{port}"),
                    Host::Tcp(name) => format!("{name}:{port}"),
                    Host::Unix(path) => format!("{} (socket, port {port})", path.display()),
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        let user = config.get_user().unwrap_or("(the OS user)").to_string();
        let dbname = config.get_dbname().unwrap_or(&user).to_string();
        let shown = parts
            .secrets
            .scrub(format!("postgres://{user}@{address}/{dbname}"));
        let connect_timeout = config.get_connect_timeout().copied();
        Ok(Target {
            config,
            tls,
            server: Server {
                product: "PostgreSQL",
                shown,
                address,
                user,
                dbname,
                tls_mode,
                connect_timeout,
                secrets: parts.secrets,
                pool_max_size: parts.pool_max_size,
                pool_timeout: parts.pool_timeout,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let target =
            Target::parse("postgres://isv:s%40cret-pw@db.example:6543/registry?sslmode=disable")
                .unwrap();
        assert_eq!(
            target.server.shown,
            "postgres://isv@db.example:6543/registry"
        );
        assert_eq!(target.config.get_password(), Some(&b"s@cret-pw"[..]));
        assert_eq!(
            target.server.scrub("x s@cret-pw y s%40cret-pw".into()),
            "x *** y ***"
        );
        let error = Target::parse("postgres://isv:s3cret@db/registry?sslmode=bogus")
            .err()
            .unwrap();
        assert!(!error.reason().contains("s3cret"), "{error}");
        let error = Target::parse("postgres://isv:s3cret@db/registry?nonsense=1")
            .err()
            .unwrap();
        assert!(error.reason().contains("nonsense") && !error.reason().contains("s3cret"));
    }

    #[test]
    fn tls_follows_sslmode() {
        let plain = Target::parse("postgresql://u@h/d").unwrap();
        assert!(plain.tls.is_none());
        assert_eq!(plain.config.get_ssl_mode(), SslMode::Disable);
        assert_eq!(plain.config.get_connect_timeout(), None);
        let full =
            Target::parse("postgresql://u@h/d?sslmode=verify-full&connect_timeout=3").unwrap();
        assert!(full.tls.is_some());
        assert_eq!(full.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(
            full.config.get_connect_timeout(),
            Some(&Duration::from_secs(3))
        );
        assert!(
            Target::parse("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=/nonexistent.pem")
                .is_err()
        );
        assert!(Target::parse("postgresql://u@h/d?sslcert=client.pem").is_err());
        let pooled = Target::parse("postgresql://u@h/d?pool_max_size=3&pool_timeout=0.5").unwrap();
        assert_eq!(pooled.server.pool_max_size, Some(3));
        assert_eq!(pooled.server.pool_timeout, Some(Duration::from_millis(500)));
        assert!(Target::parse("postgresql://u@h/d?pool_max_size=0").is_err());
        assert!(Target::parse("mysql://u@h/d").is_err());
    }
}
