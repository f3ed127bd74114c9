//! How the MySQL store connects: the [`Connector`] of the shared [pool](crate::registry::server::pool)
//! (bounded, a checkout timeout, a lost connection dropped with every idle one), and [`Session`], one
//! connection behind a synchronous API — a `mysql_async` connection driven by a current-thread Tokio
//! runtime of its own, on the calling thread, as the `postgres` crate drives `tokio-postgres`. No task
//! runs in the background: the runtime only turns while a statement runs.
//!
//! Why not the driver's pool: it needs a runtime turning in the background for its recycler, it cannot
//! drop its idle connections on demand, and the shared pool gives PostgreSQL and MySQL one behaviour.
//!
//! Each new connection sets, for its session: `READ COMMITTED` (see the store's documentation), strict
//! SQL mode (a value too long for its column is an error, never cut), `innodb_lock_wait_timeout = 30` (a
//! record locked by a stuck session fails the write after 30 s instead of hanging it), and on MariaDB
//! `idle_transaction_timeout = 60` (a host that stops in the middle of a transaction releases its locks
//! after 60 s; MySQL has no such setting: its `wait_timeout` ends the session later).

use std::future::Future;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, DriverError, IoError, Opts, Row, ServerError, Value};
use tokio::runtime::{Builder, Runtime};

use super::errors::{code, conflict_retries, connect_error, is_connection_lost, store_error};
use super::url::Target;
use crate::error::{Error, Result};
use crate::registry::server::Server;
use crate::registry::server::pool::Connector;

/// The settings of each session the pool opens.
const SESSION_SETTINGS: [&str; 3] = [
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'",
    "SET SESSION innodb_lock_wait_timeout = 30",
];
/// MariaDB's release of the locks of a session idle inside a transaction.
const MARIADB_IDLE_TRANSACTION: &str = "SET SESSION idle_transaction_timeout = 60";
/// `ER_UNKNOWN_SYSTEM_VARIABLE`: the setting does not exist on this server (MySQL).
const UNKNOWN_SYSTEM_VARIABLE: u16 = 1193;
/// How long closing a connection politely may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// One connection to MySQL with a synchronous API.
pub(crate) struct Session {
    runtime: Runtime,
    conn: Option<Conn>,
    broken: bool,
}

/// The error of a call from inside a Tokio runtime, where this synchronous store cannot block.
fn inside_runtime() -> mysql_async::Error {
    mysql_async::Error::Other(
        "the MySQL store is synchronous and was called from inside a Tokio runtime: call it from a \
         blocking thread (tokio::task::spawn_blocking)"
            .into(),
    )
}

impl Session {
    /// Runs `work` on the connection to its end.
    fn block<'s, T, F>(
        &'s mut self,
        work: impl FnOnce(&'s mut Conn) -> F,
    ) -> std::result::Result<T, mysql_async::Error>
    where
        F: Future<Output = std::result::Result<T, mysql_async::Error>> + 's,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(inside_runtime());
        }
        let Session { runtime, conn, .. } = self;
        let conn = conn
            .as_mut()
            .ok_or(mysql_async::Error::Driver(DriverError::ConnectionClosed))?;
        runtime.block_on(work(conn))
    }

    /// The rows of the prepared statement `sql` with `params`, each as its values.
    pub(crate) fn rows(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> std::result::Result<Vec<Vec<Value>>, mysql_async::Error> {
        let rows: Vec<Row> = self.block(|conn| conn.exec(sql, params))?;
        Ok(rows.into_iter().map(Row::unwrap).collect())
    }

    /// Runs the prepared statement `sql` with `params`; the number of rows it changed.
    pub(crate) fn execute(
        &mut self,
        sql: &str,
        params: Vec<Value>,
    ) -> std::result::Result<u64, mysql_async::Error> {
        self.block(|conn| async move {
            conn.exec_drop(sql, params).await?;
            Ok(conn.affected_rows())
        })
    }

    /// Runs `sql` (no parameters, text protocol).
    pub(crate) fn run(&mut self, sql: &str) -> std::result::Result<(), mysql_async::Error> {
        self.block(|conn| conn.query_drop(sql))
    }

    /// Marks the session unusable: it is closed instead of going back to the pool.
    pub(crate) fn poison(&mut self) {
        self.broken = true;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // A polite goodbye from a healthy session (the server logs no aborted connection); a broken
            // one, or one dropped inside another runtime, just closes its socket.
            if !self.broken && tokio::runtime::Handle::try_current().is_err() {
                // The timer is made inside the runtime.
                let _ = self.runtime.block_on(async {
                    tokio::time::timeout(CLOSE_TIMEOUT, conn.disconnect()).await
                });
            }
        }
    }
}

/// A connection with `opts` within `timeout`.
async fn connect(opts: Opts, timeout: Duration) -> std::result::Result<Conn, mysql_async::Error> {
    match tokio::time::timeout(timeout, Conn::new(opts)).await {
        Ok(connected) => connected,
        Err(_) => Err(mysql_async::Error::Io(IoError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "connect timeout",
        )))),
    }
}

impl Target {
    /// The server's error for the user lock `name` not granted within `seconds` (`GET_LOCK` answered 0),
    /// sorted as a lock wait timeout.
    pub(crate) fn lock_not_granted(name: &str, seconds: u64) -> mysql_async::Error {
        mysql_async::Error::Server(ServerError {
            code: code::LOCK_WAIT_TIMEOUT,
            message: format!("the lock {name} was not granted within {seconds} s (GET_LOCK)"),
            state: "HY000".to_string(),
        })
    }

    fn open(&self, runtime: &Runtime) -> std::result::Result<Conn, mysql_async::Error> {
        let timeout = self
            .server
            .connect_timeout
            .unwrap_or(Duration::from_secs(10));
        match runtime.block_on(connect(self.opts.clone(), timeout)) {
            Err(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer)) => {
                match &self.plain {
                    // ssl-mode=PREFERRED and a server without TLS: in the clear.
                    Some(plain) => runtime.block_on(connect(plain.clone(), timeout)),
                    None => Err(mysql_async::Error::Driver(
                        DriverError::NoClientSslFlagFromServer,
                    )),
                }
            }
            other => other,
        }
    }
}

impl Connector for Target {
    type Connection = Session;
    type Error = mysql_async::Error;

    fn server(&self) -> &Server {
        &self.server
    }

    fn connect(&self) -> Result<Session> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(connect_error(self, &inside_runtime()));
        }
        let runtime = Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|error| {
                self.server
                    .error(format!("cannot start the MySQL driver's runtime: {error}"))
            })?;
        let conn = self
            .open(&runtime)
            .map_err(|error| connect_error(self, &error))?;
        let mut session = Session {
            runtime,
            conn: Some(conn),
            broken: false,
        };
        for setting in SESSION_SETTINGS {
            session
                .run(setting)
                .map_err(|error| connect_error(self, &error))?;
        }
        match session.run(MARIADB_IDLE_TRANSACTION) {
            Err(mysql_async::Error::Server(error)) if error.code == UNKNOWN_SYSTEM_VARIABLE => {}
            other => other.map_err(|error| connect_error(self, &error))?,
        }
        Ok(session)
    }

    fn abandon(session: &mut Session) {
        session.poison();
    }

    fn is_closed(session: &Session) -> bool {
        session.broken
            || session
                .conn
                .as_ref()
                .is_none_or(|conn| conn.is_disconnected())
    }

    fn is_lost(error: &mysql_async::Error) -> bool {
        is_connection_lost(error)
    }

    fn conflict_retries(error: &mysql_async::Error) -> usize {
        conflict_retries(error)
    }

    fn statement_error(&self, context: &str, error: &mysql_async::Error) -> Error {
        store_error(self, context, error)
    }
}
