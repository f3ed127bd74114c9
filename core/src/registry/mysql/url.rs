//! The MySQL URL (`mysql://user:password@host:port/database?param=value&…`, or `mariadb://…`) as the
//! store reads it. Its parameters:
//!
//! - `ssl-mode` — `DISABLED` (the default), `PREFERRED`, `REQUIRED`, `VERIFY_CA`, `VERIFY_IDENTITY`, as
//!   the `mysql` client names them (case does not matter; `ssl_mode` is read too), and `ssl-ca`, the PEM
//!   file of the certificate authority (see [`tls`](super::tls));
//! - `connect_timeout` — seconds;
//! - `pool_max_size`, `pool_timeout` (seconds) — the pool's own.
//!
//! Any other parameter is refused by name (the driver's own URL options are not passed through, so one
//! URL means the same to every version). The password never leaves this file except inside the
//! driver's options: the store names its database by its [`Server`]'s `shown`, built from the parsed
//! parts without it, and every message passes through [`Server::scrub`].

use std::time::Duration;

use mysql_async::{Opts, OptsBuilder};

use super::tls::{self, SslMode};
use crate::error::{Error, Result};
use crate::registry::server::Server;
use crate::registry::server::url::{Parts, decoded};

/// The port of a URL that names none.
const DEFAULT_PORT: u16 = 3306;

/// Where and how to connect, parsed from the URL.
pub(crate) struct Target {
    /// The driver's options (with the password), TLS included.
    pub(crate) opts: Opts,
    /// The driver's options without TLS, for `ssl-mode=PREFERRED` and a server that offers none.
    pub(crate) plain: Option<Opts>,
    /// The database as messages name it (`mysql://user@host:port/database`, never the password).
    pub(crate) server: Server,
}

fn invalid(reason: impl std::fmt::Display) -> Error {
    Error::config(format!(
        "the MySQL URL is not valid: {reason} (expected \
         mysql://USER:PASSWORD@HOST:PORT/DATABASE?ssl-mode=VERIFY_IDENTITY; the password is not shown)"
    ))
}

/// `host` and `port` of `host[:port]` or `[v6]:port`.
fn host_and_port(authority: &str) -> Result<(String, u16)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| invalid("an IPv6 host without its closing `]`"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(invalid("it names no host"));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|port| *port != 0)
            .ok_or_else(|| invalid(format!("the port `{port}` is not a port number")))?,
    };
    Ok((decoded(host).into_owned(), port))
}

impl Target {
    /// Parses `url` (`mysql://…` or `mariadb://…`); `connect_timeout` applies when the URL sets none.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL the store cannot use: another scheme, no user, host or database, an
    /// unknown or invalid parameter, an `ssl-ca` that cannot be read; the message never holds the
    /// password.
    pub(crate) fn parse(url: &str, connect_timeout: Duration) -> Result<Self> {
        let parts = Parts::split(url, &["mysql://", "mariadb://"], &|reason| invalid(reason))?;
        let user = parts
            .credentials
            .map(|credentials| {
                let user = credentials
                    .split_once(':')
                    .map_or(credentials, |(user, _)| user);
                decoded(user).into_owned()
            })
            .filter(|user| !user.is_empty())
            .ok_or_else(|| invalid("it names no user"))?;
        let mut password = parts
            .credentials
            .and_then(|credentials| credentials.split_once(':'))
            .map(|(_, password)| decoded(password).into_owned());
        let (authority, path) = parts
            .location
            .split_once('/')
            .unwrap_or((parts.location, ""));
        if authority.contains(',') {
            return Err(invalid(
                "it names several hosts: the MySQL store connects to one",
            ));
        }
        let (host, port) = host_and_port(authority)?;
        let dbname = decoded(path).into_owned();
        if dbname.is_empty() || dbname.contains('/') {
            return Err(invalid("it names no database (…/DATABASE after the host)"));
        }
        let mut ssl_mode = None;
        let mut ssl_ca = None;
        let mut timeout = connect_timeout;
        for (name, pair) in &parts.params {
            let value = decoded(pair.split_once('=').map_or("", |(_, value)| value)).into_owned();
            match name.as_str() {
                "ssl-mode" | "ssl_mode" => ssl_mode = Some(value),
                "ssl-ca" | "ssl_ca" => ssl_ca = Some(value),
                "password" => password = Some(value),
                "connect_timeout" => {
                    timeout = value
                        .parse::<f64>()
                        .ok()
                        .filter(|seconds| {
                            seconds.is_finite() && *seconds > 0.0 && *seconds <= 3600.0
                        })
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            invalid("connect_timeout must be seconds, more than 0, at most 3600")
                        })?;
                }
                other => {
                    return Err(invalid(format!(
                        "the parameter `{other}` is not one the store reads (ssl-mode, ssl-ca, \
                         connect_timeout, pool_max_size, pool_timeout)"
                    )));
                }
            }
        }
        let mode = match ssl_mode.as_deref() {
            None => SslMode::Disabled,
            Some(mode) => SslMode::parse(mode).ok_or_else(|| {
                invalid(format!(
                    "ssl-mode `{mode}` is none of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, \
                     VERIFY_IDENTITY"
                ))
            })?,
        };
        let ssl = tls::options(mode, ssl_ca.as_deref())?;
        let builder = OptsBuilder::default()
            .ip_or_hostname(host.clone())
            .tcp_port(port)
            .user(Some(user.clone()))
            .pass(password)
            .db_name(Some(dbname.clone()))
            // Not the server's socket in place of 127.0.0.1: the URL's address, with its TLS.
            .prefer_socket(false)
            .tcp_nodelay(true)
            .stmt_cache_size(64)
            .connect_attribute("program_name", "alipay-isv");
        let plain = (mode == SslMode::Preferred).then(|| Opts::from(builder.clone()));
        let opts = Opts::from(builder.ssl_opts(ssl));
        let address = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let scheme = parts.scheme.trim_end_matches("://");
        let shown = parts
            .secrets
            .scrub(format!("{scheme}://{user}@{address}/{dbname}"));
        Ok(Target {
            opts,
            plain,
            server: Server {
                product: "MySQL",
                shown,
                address,
                user,
                dbname,
                tls_mode: mode.described(ssl_ca.is_some()),
                connect_timeout: Some(timeout),
                secrets: parts.secrets,
                pool_max_size: parts.pool_max_size,
                pool_timeout: parts.pool_timeout,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn the_password_is_never_shown() {
        let target =
            Target::parse("mysql://isv:s%40cret-pw@db.example:3307/registry", TIMEOUT).unwrap();
        assert_eq!(target.server.shown, "mysql://isv@db.example:3307/registry");
        assert_eq!(target.opts.pass(), Some("s@cret-pw"));
        assert_eq!(target.opts.db_name(), Some("registry"));
        assert_eq!(
            target.server.scrub("x s@cret-pw y s%40cret-pw".into()),
            "x *** y ***"
        );
        for bad in [
            "mysql://isv:s3cret@db/registry?ssl-mode=bogus",
            "mysql://isv:s3cret@db/registry?nonsense=1",
            "mysql://isv:s3cret@db:port/registry",
            "mysql://isv:s3cret@db/",
        ] {
            let error = Target::parse(bad, TIMEOUT).err().unwrap();
            assert_eq!(error.kind(), "config");
            assert!(!error.reason().contains("s3cret"), "{error}");
        }
        assert!(Target::parse("postgres://u:p@h/d", TIMEOUT).is_err());
        assert!(Target::parse("mysql://h/d", TIMEOUT).is_err());
    }

    #[test]
    fn tls_follows_ssl_mode_and_the_pool_its_parameters() {
        let plain = Target::parse("mariadb://u@[::1]/d", TIMEOUT).unwrap();
        assert!(plain.opts.ssl_opts().is_none());
        assert_eq!(plain.server.address, "[::1]:3306");
        assert_eq!(plain.server.tls_mode, "no TLS");
        let required = Target::parse("mysql://u@h/d?ssl-mode=required", TIMEOUT).unwrap();
        let ssl = required.opts.ssl_opts().unwrap();
        assert!(ssl.accept_invalid_certs());
        let full = Target::parse(
            "mysql://u@h/d?ssl-mode=VERIFY_IDENTITY&connect_timeout=3&pool_max_size=3&pool_timeout=0.5",
            TIMEOUT,
        )
        .unwrap();
        let ssl = full.opts.ssl_opts().unwrap();
        assert!(!ssl.accept_invalid_certs() && !ssl.skip_domain_validation());
        assert_eq!(full.server.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(full.server.pool_max_size, Some(3));
        assert_eq!(full.server.pool_timeout, Some(Duration::from_millis(500)));
        let preferred = Target::parse("mysql://u@h/d?ssl-mode=PREFERRED", TIMEOUT).unwrap();
        assert!(preferred.plain.is_some());
        assert!(
            Target::parse(
                "mysql://u@h/d?ssl-mode=VERIFY_CA&ssl-ca=/nonexistent.pem",
                TIMEOUT
            )
            .is_err()
        );
        assert!(Target::parse("mysql://u@h/d?pool_max_size=0", TIMEOUT).is_err());
    }
}
