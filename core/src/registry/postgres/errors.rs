//! PostgreSQL's errors sorted into the shared [problems](crate::registry::server::errors), whose wording
//! says what to fix: the host and port that do not answer, the user whose authentication failed, the
//! database that does not exist, a connection lost (retry). Only the server's primary message is quoted,
//! never its `DETAIL` (which can quote a row's values), and every text is scrubbed of the password.

use std::error::Error as _;
use std::io;

use postgres::error::{DbError, SqlState};

use super::url::Target;
use crate::error::Error;
use crate::registry::server::errors::{
    ConnectProblem, StatementProblem, connect_error as worded_connect_error, statement_error,
};
use crate::registry::server::pool::DEADLOCK_RETRIES;

/// The I/O error under `error`, if any.
fn io_source(error: &postgres::Error) -> Option<&io::Error> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<io::Error>() {
            return Some(io);
        }
        source = current.source();
    }
    None
}

/// Whether `error` means the connection is gone: closed, reset, or ended by the server (terminated,
/// shutting down). The pool drops such a connection, and the idle ones with it (they likely went the
/// same way).
pub(crate) fn is_connection_lost(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        return code.starts_with("08") || code.starts_with("57P");
    }
    io_source(error).is_some() || error.to_string().starts_with("error communicating")
}

/// How often an operation that failed with `error` runs again: [`DEADLOCK_RETRIES`] times after a
/// deadlock or a serialization failure (the transaction rolled back), never after a lock timeout (the
/// record stayed locked for 30 s already).
pub(crate) fn conflict_retries(error: &postgres::Error) -> usize {
    match error.code() {
        Some(code)
            if *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::T_R_SERIALIZATION_FAILURE =>
        {
            DEADLOCK_RETRIES
        }
        _ => 0,
    }
}

/// The driver's message with its cause (the driver's `Display` leaves the cause out).
fn described(error: &postgres::Error) -> String {
    let text = error.to_string();
    match error.source() {
        Some(cause) if !text.contains(&cause.to_string()) => format!("{text}: {cause}"),
        _ => text,
    }
}

/// The server's own words: its primary message and SQLSTATE (never the `DETAIL`).
fn said(db: &DbError) -> String {
    format!("{} (SQLSTATE {})", db.message(), db.code().code())
}

/// The error of a failed connection attempt to `target`.
pub(crate) fn connect_error(target: &Target, error: &postgres::Error) -> Error {
    let problem = if let Some(db) = error.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            ConnectProblem::LoginRefused(said(db))
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            ConnectProblem::NoDatabase(format!(
                "CREATE DATABASE \"{}\" ENCODING 'UTF8'",
                target.server.dbname
            ))
        } else if *code == SqlState::TOO_MANY_CONNECTIONS {
            ConnectProblem::TooManyConnections(said(db))
        } else if *code == SqlState::CANNOT_CONNECT_NOW {
            ConnectProblem::Starting(said(db))
        } else {
            ConnectProblem::Refused(said(db))
        }
    } else {
        let text = error.to_string();
        if text.starts_with("error performing TLS handshake") {
            let cause = error
                .source()
                .map_or_else(|| text.clone(), |cause| cause.to_string());
            ConnectProblem::Tls(cause, "sslmode and sslrootcert")
        } else {
            match io_source(error) {
                Some(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                    ConnectProblem::ConnectionRefused
                }
                Some(io) if io.kind() == io::ErrorKind::TimedOut => ConnectProblem::TimedOut,
                Some(io) => ConnectProblem::Unreachable(io.to_string()),
                None if text.starts_with("authentication error") => {
                    ConnectProblem::LoginFailed(described(error))
                }
                None => ConnectProblem::Other(described(error)),
            }
        }
    };
    worded_connect_error(&target.server, problem)
}

/// The error of a failed statement while `context` (what the store was doing) on `target`.
pub(crate) fn store_error(target: &Target, context: &str, error: &postgres::Error) -> Error {
    let problem = if is_connection_lost(error) {
        StatementProblem::Lost(match error.as_db_error() {
            Some(db) => said(db),
            None => described(error),
        })
    } else if let Some(db) = error.as_db_error() {
        let code = db.code();
        if *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
        {
            StatementProblem::Conflict(said(db))
        } else if *code == SqlState::LOCK_NOT_AVAILABLE {
            StatementProblem::LockTimeout(said(db))
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            StatementProblem::Privilege(said(db))
        } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
            StatementProblem::ReadOnly(said(db))
        } else {
            StatementProblem::Other(said(db))
        }
    } else {
        StatementProblem::Other(described(error))
    };
    statement_error(&target.server, context, problem)
}
