//! MySQL's errors sorted into the shared [problems](crate::registry::server::errors), whose wording says
//! what to fix: the host and port that do not answer, the user whose login was refused, the database
//! that does not exist, a connection lost (retry). The server's message is quoted with its error number,
//! except for the errors whose message quotes a value (a duplicate key, an invalid string), and every
//! text is scrubbed of the password.

use std::error::Error as _;
use std::io;

use mysql_async::{DriverError, IoError, ServerError};

use super::url::Target;
use crate::error::Error;
use crate::registry::server::errors::{
    ConnectProblem, StatementProblem, connect_error as worded_connect_error, statement_error,
};
use crate::registry::server::pool::DEADLOCK_RETRIES;

/// The server's error numbers the store sorts.
pub(crate) mod code {
    /// `ER_ACCESS_DENIED_ERROR`: wrong user or password.
    pub(crate) const ACCESS_DENIED: u16 = 1045;
    /// `ER_DBACCESS_DENIED_ERROR`: the user may not use the database.
    pub(crate) const DB_ACCESS_DENIED: u16 = 1044;
    /// `ER_BAD_DB_ERROR`: no such database.
    pub(crate) const BAD_DB: u16 = 1049;
    /// `ER_CON_COUNT_ERROR`: too many connections.
    pub(crate) const TOO_MANY_CONNECTIONS: u16 = 1040;
    /// `ER_TOO_MANY_USER_CONNECTIONS`.
    pub(crate) const TOO_MANY_USER_CONNECTIONS: u16 = 1203;
    /// `ER_SERVER_SHUTDOWN`.
    pub(crate) const SHUTDOWN: u16 = 1053;
    /// `ER_CONNECTION_KILLED` (MariaDB) / `ER_QUERY_INTERRUPTED` of a killed connection.
    pub(crate) const CONNECTION_KILLED: u16 = 1927;
    /// `ER_CLIENT_INTERACTION_TIMEOUT` (MySQL 8): disconnected for inactivity.
    pub(crate) const INACTIVITY: u16 = 4031;
    /// `ER_LOCK_WAIT_TIMEOUT`.
    pub(crate) const LOCK_WAIT_TIMEOUT: u16 = 1205;
    /// `ER_LOCK_DEADLOCK`.
    pub(crate) const DEADLOCK: u16 = 1213;
    /// `ER_USER_LOCK_DEADLOCK` (MySQL 8: a deadlock among named locks).
    pub(crate) const USER_LOCK_DEADLOCK: u16 = 3058;
    /// `ER_TABLEACCESS_DENIED_ERROR`.
    pub(crate) const TABLE_ACCESS_DENIED: u16 = 1142;
    /// `ER_COLUMNACCESS_DENIED_ERROR`.
    pub(crate) const COLUMN_ACCESS_DENIED: u16 = 1143;
    /// `ER_SPECIFIC_ACCESS_DENIED_ERROR`.
    pub(crate) const SPECIFIC_ACCESS_DENIED: u16 = 1227;
    /// `ER_OPTION_PREVENTS_STATEMENT` (`--read-only`).
    pub(crate) const READ_ONLY: u16 = 1290;
    /// `ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION`.
    pub(crate) const READ_ONLY_TRANSACTION: u16 = 1792;
    /// `ER_BINLOG_STMT_MODE_AND_ROW_ENGINE`: READ COMMITTED with statement-based binary logging.
    pub(crate) const BINLOG_STATEMENT: u16 = 1665;
    /// `ER_DATA_TOO_LONG`.
    pub(crate) const DATA_TOO_LONG: u16 = 1406;
    /// `ER_DUP_ENTRY`: quotes the key.
    pub(crate) const DUPLICATE_ENTRY: u16 = 1062;
    /// `ER_TRUNCATED_WRONG_VALUE_FOR_FIELD`: quotes the value.
    pub(crate) const WRONG_VALUE: u16 = 1366;
    /// `ER_BAD_FIELD_ERROR`: unknown column.
    pub(crate) const BAD_FIELD: u16 = 1054;
}

/// The server's own words: its message and error number (a generic text for the errors whose message
/// quotes a value).
fn said(error: &ServerError) -> String {
    let message = match error.code {
        code::DUPLICATE_ENTRY => "a duplicate key",
        code::WRONG_VALUE => "a value the column cannot hold",
        _ => error.message.as_str(),
    };
    format!("{message} (error {}, SQLSTATE {})", error.code, error.state)
}

/// The I/O error under `error`, if any.
fn io_error(error: &mysql_async::Error) -> Option<&io::Error> {
    match error {
        mysql_async::Error::Io(IoError::Io(io)) => Some(io),
        _ => None,
    }
}

/// The TLS failure in `error`, if it is one: the handshake's error, or a server that offers no TLS.
fn tls_failure(error: &mysql_async::Error) -> Option<String> {
    match error {
        mysql_async::Error::Io(IoError::Tls(tls)) => Some(tls.to_string()),
        mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer) => {
            Some("the server does not offer TLS".to_string())
        }
        mysql_async::Error::Io(IoError::Io(io)) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(ToString::to_string),
        _ => None,
    }
}

/// Whether `error` means the connection is gone: closed, reset, ended by the server (killed, shutting
/// down). The pool drops such a connection, and the idle ones with it (they likely went the same way).
pub(crate) fn is_connection_lost(error: &mysql_async::Error) -> bool {
    match error {
        mysql_async::Error::Io(_) => true,
        mysql_async::Error::Server(server) => matches!(
            server.code,
            code::SHUTDOWN | code::CONNECTION_KILLED | code::INACTIVITY
        ),
        mysql_async::Error::Driver(driver) => matches!(
            driver,
            DriverError::ConnectionClosed
                | DriverError::PacketOutOfOrder
                | DriverError::UnexpectedPacket { .. }
                | DriverError::PacketTooLarge
                | DriverError::BadCompressedPacketHeader
        ),
        mysql_async::Error::Other(_) | mysql_async::Error::Url(_) => false,
    }
}

/// How often an operation that failed with `error` runs again: [`DEADLOCK_RETRIES`] times after a
/// deadlock (InnoDB rolled the transaction back), once after a lock wait timeout (the store rolls the
/// transaction back; a record locked for 30 s twice is reported).
pub(crate) fn conflict_retries(error: &mysql_async::Error) -> usize {
    match error {
        mysql_async::Error::Server(server) => match server.code {
            code::DEADLOCK | code::USER_LOCK_DEADLOCK => DEADLOCK_RETRIES,
            code::LOCK_WAIT_TIMEOUT => 1,
            _ => 0,
        },
        _ => 0,
    }
}

/// The driver's message with its causes (an I/O error by its own words: the driver's repeat the kind).
fn described(error: &mysql_async::Error) -> String {
    if let mysql_async::Error::Io(IoError::Io(io)) = error {
        return format!("I/O error: {io}");
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// The error of a failed connection attempt to `target`.
pub(crate) fn connect_error(target: &Target, error: &mysql_async::Error) -> Error {
    let problem = if let mysql_async::Error::Server(server) = error {
        match server.code {
            code::ACCESS_DENIED => ConnectProblem::LoginRefused(said(server)),
            code::BAD_DB => ConnectProblem::NoDatabase(format!(
                "CREATE DATABASE `{}` CHARACTER SET utf8mb4",
                target.server.dbname
            )),
            code::TOO_MANY_CONNECTIONS | code::TOO_MANY_USER_CONNECTIONS => {
                ConnectProblem::TooManyConnections(said(server))
            }
            code::SHUTDOWN => ConnectProblem::Starting(said(server)),
            _ => ConnectProblem::Refused(said(server)),
        }
    } else if let Some(cause) = tls_failure(error) {
        ConnectProblem::Tls(cause, "ssl-mode and ssl-ca")
    } else {
        match io_error(error) {
            Some(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                ConnectProblem::ConnectionRefused
            }
            Some(io) if io.kind() == io::ErrorKind::TimedOut => ConnectProblem::TimedOut,
            Some(io) => ConnectProblem::Unreachable(io.to_string()),
            None => match error {
                mysql_async::Error::Driver(
                    DriverError::UnknownAuthPlugin { .. }
                    | DriverError::MysqlOldPasswordDisabled
                    | DriverError::CleartextPluginDisabled,
                ) => ConnectProblem::LoginFailed(described(error)),
                _ => ConnectProblem::Other(described(error)),
            },
        }
    };
    worded_connect_error(&target.server, problem)
}

/// The error of a failed statement while `context` (what the store was doing) on `target`.
pub(crate) fn store_error(target: &Target, context: &str, error: &mysql_async::Error) -> Error {
    let problem = if is_connection_lost(error) {
        StatementProblem::Lost(match error {
            mysql_async::Error::Server(server) => said(server),
            _ => described(error),
        })
    } else if let mysql_async::Error::Server(server) = error {
        match server.code {
            code::DEADLOCK | code::USER_LOCK_DEADLOCK => StatementProblem::Conflict(said(server)),
            code::LOCK_WAIT_TIMEOUT => StatementProblem::LockTimeout(said(server)),
            code::TABLE_ACCESS_DENIED
            | code::COLUMN_ACCESS_DENIED
            | code::SPECIFIC_ACCESS_DENIED
            | code::DB_ACCESS_DENIED => StatementProblem::Privilege(said(server)),
            code::READ_ONLY | code::READ_ONLY_TRANSACTION => {
                StatementProblem::ReadOnly(said(server))
            }
            code::BINLOG_STATEMENT => StatementProblem::Other(format!(
                "{} — the store writes at READ COMMITTED, which InnoDB logs only by row: set the \
                 server's binlog_format to ROW or MIXED",
                said(server)
            )),
            code::DATA_TOO_LONG => StatementProblem::Other(format!(
                "{} — a key (app id, merchant app id, merchant PID, notification id, order id) or an \
                 order time longer than the 255 bytes the MySQL registry keeps",
                said(server)
            )),
            _ => StatementProblem::Other(said(server)),
        }
    } else {
        StatementProblem::Other(described(error))
    };
    statement_error(&target.server, context, problem)
}
