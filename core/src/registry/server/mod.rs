//! What the stores on a database server — [`PostgresStore`](super::PostgresStore) and
//! [`MysqlStore`](super::MysqlStore) — share, so both have the same semantics and say the same things:
//!
//! - [`Server`]: the database as messages may name it (never with its password) and the scrubbing of the
//!   password out of any text ([`url`] parses the parts every URL has: credentials, pool parameters);
//! - [`pool`]: the bounded connection pool, and the loop that runs an operation on a pooled connection,
//!   again on a new one after a lost connection, again after a deadlock;
//! - [`errors`]: the wording of connection and statement failures, each saying what to fix;
//! - [`columns`]: the shared rows ([`row_codec`](super::row_codec)) read from and written to a driver's
//!   rows column by column;
//! - [`tls`]: the CA certificates a URL names;
//! - [`store`]: the [`Store`](super::Store) contract written once over a [`Driver`](store::Driver)
//!   that runs one database's SQL;
//! - [`write`]: the atomic read-decide-write inside a transaction;
//! - [`schema`]: the refusals of a foreign database, a newer schema or a key that does not fit, and the
//!   metadata a new registry records.

pub(crate) mod columns;
pub(crate) mod errors;
pub(crate) mod pool;
pub(crate) mod schema;
pub(crate) mod store;
pub(crate) mod tls;
pub(crate) mod url;
pub(crate) mod write;

use std::time::Duration;

use self::url::Secrets;
use crate::error::Error;

/// The database a store connects to, as its messages name it, and the pool settings its URL gave.
pub(crate) struct Server {
    /// `PostgreSQL` or `MySQL`.
    pub(crate) product: &'static str,
    /// `scheme://user@host:port/database`: the database, without the password.
    pub(crate) shown: String,
    /// `host:port` (every host of the URL), for messages about reaching the server.
    pub(crate) address: String,
    /// The user name, for messages about authentication.
    pub(crate) user: String,
    /// The database name.
    pub(crate) dbname: String,
    /// What TLS does, for messages and `Debug`.
    pub(crate) tls_mode: &'static str,
    /// How long connecting may take, for the message of a timeout.
    pub(crate) connect_timeout: Option<Duration>,
    /// The password as written and decoded.
    pub(crate) secrets: Secrets,
    /// `pool_max_size` of the URL, if given.
    pub(crate) pool_max_size: Option<usize>,
    /// `pool_timeout` of the URL, if given.
    pub(crate) pool_timeout: Option<Duration>,
}

impl Server {
    /// `text` with every occurrence of the password replaced by `***`.
    pub(crate) fn scrub(&self, text: String) -> String {
        self.secrets.scrub(text)
    }

    /// An [`Error::Store`] with `reason`, the password scrubbed out.
    pub(crate) fn error(&self, reason: String) -> Error {
        Error::Store {
            reason: self.scrub(reason),
        }
    }
}

/// The SHA-256 digest of `parts`, each followed by a zero byte: the key of a lock on a record, the same on
/// every host.
pub(crate) fn lock_digest(parts: &[&str]) -> [u8; 32] {
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in parts {
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(context.finish().as_ref());
    digest
}
