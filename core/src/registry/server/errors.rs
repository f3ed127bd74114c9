//! The wording of the server stores' errors, shared so PostgreSQL and MySQL say the same thing about the
//! same trouble: each driver's `errors` module only sorts its errors into a [`ConnectProblem`] or a
//! [`StatementProblem`] (quoting the server's primary message and code, never a detail that can quote a
//! row's values), and these functions say what to fix. Every text passes through [`Server::error`],
//! which scrubs the password.

use super::Server;
use crate::error::Error;

/// Why connecting failed.
pub(crate) enum ConnectProblem {
    /// The server refused the user or the password (its words).
    LoginRefused(String),
    /// The database does not exist; the statement that would create it.
    NoDatabase(String),
    /// The server has no connection left (its words).
    TooManyConnections(String),
    /// The server is starting up or shutting down (its words).
    Starting(String),
    /// The server refused the connection for another reason (its words).
    Refused(String),
    /// The TLS handshake failed (the cause); the URL's TLS parameters to check.
    Tls(String, &'static str),
    /// Nothing listens at the address.
    ConnectionRefused,
    /// Connecting took longer than the connect timeout.
    TimedOut,
    /// The address cannot be reached (the I/O error).
    Unreachable(String),
    /// The login failed without a server answer saying why (the driver's words).
    LoginFailed(String),
    /// Anything else (the driver's words).
    Other(String),
}

/// The error of a failed connection attempt to `server`.
pub(crate) fn connect_error(server: &Server, problem: ConnectProblem) -> Error {
    let (product, address, user) = (server.product, &server.address, &server.user);
    let reason = match problem {
        ConnectProblem::LoginRefused(said) => format!(
            "{product} at {address} refused the login of user `{user}`: {said} — check the user and the \
             password of the URL (the password is not shown)"
        ),
        ConnectProblem::NoDatabase(create) => format!(
            "the database `{}` does not exist on {product} at {address}: create it ({create}) or fix the \
             database name in the URL",
            server.dbname
        ),
        ConnectProblem::TooManyConnections(said) => format!(
            "{product} at {address} has no connection left: {said} — lower pool_max_size of the \
             registries sharing it, or raise the server's max_connections"
        ),
        ConnectProblem::Starting(said) => {
            format!("{product} at {address} is starting up or shutting down: {said} — retry")
        }
        ConnectProblem::Refused(said) => {
            format!("{product} at {address} refused the connection of user `{user}`: {said}")
        }
        ConnectProblem::Tls(cause, parameters) => format!(
            "the TLS handshake with {product} at {address} failed ({}): {cause} — check {parameters} in \
             the URL",
            server.tls_mode
        ),
        ConnectProblem::ConnectionRefused => format!(
            "nothing answers at {address} (connection refused): is {product} running there, and are the \
             host and port of the URL right?"
        ),
        ConnectProblem::TimedOut => format!(
            "connecting to {address} timed out after {} s: check the host and port of the URL and any \
             firewall in between (connect_timeout sets the wait)",
            server
                .connect_timeout
                .map_or(0, |timeout| timeout.as_secs())
        ),
        ConnectProblem::Unreachable(io) => format!("cannot reach {product} at {address}: {io}"),
        ConnectProblem::LoginFailed(said) => format!(
            "the login of user `{user}` at {address} failed: {said} — check the user and the password of \
             the URL (the password is not shown)"
        ),
        ConnectProblem::Other(said) => format!("cannot connect to {product} at {address}: {said}"),
    };
    server.error(reason)
}

/// Why a statement failed.
pub(crate) enum StatementProblem {
    /// The connection is gone (why).
    Lost(String),
    /// A deadlock or serialization failure (the server's words): rolled back.
    Conflict(String),
    /// A lock was not granted within the lock timeout (the server's words).
    LockTimeout(String),
    /// The user lacks a privilege (the server's words).
    Privilege(String),
    /// The server is read-only (the server's words).
    ReadOnly(String),
    /// Anything else (the server's or driver's words).
    Other(String),
}

/// The error of a failed statement while `context` (what the store was doing) on `server`.
pub(crate) fn statement_error(server: &Server, context: &str, problem: StatementProblem) -> Error {
    let (product, address) = (server.product, &server.address);
    let reason = match problem {
        StatementProblem::Lost(why) => format!(
            "{context}: the connection to {product} at {address} was lost ({why}) — retry (the pool \
             connects again)"
        ),
        StatementProblem::Conflict(said) => {
            format!("{context}: {said} — nothing was written; retry")
        }
        StatementProblem::LockTimeout(said) => format!(
            "{context}: a record stayed locked by another session past the lock timeout: {said} — \
             nothing was written; retry"
        ),
        StatementProblem::Privilege(said) => format!(
            "{context}: user `{}` lacks a privilege on {}: {said}",
            server.user, server.shown
        ),
        StatementProblem::ReadOnly(said) => format!(
            "{context}: {} is read-only (a standby?): {said} — point the URL at the primary",
            server.shown
        ),
        StatementProblem::Other(said) => format!("{context}: {said}"),
    };
    server.error(reason)
}
