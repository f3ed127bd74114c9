//! How the PostgreSQL store connects: the [`Connector`] of the shared [pool](crate::registry::server::pool)
//! (bounded, a checkout timeout, a lost connection dropped with every idle one).
//!
//! Each new connection sets, for its session, `lock_timeout` (a record locked by a stuck session fails
//! the write after 30 s instead of hanging it) and `idle_in_transaction_session_timeout` (a host that
//! stops in the middle of a transaction — frozen, cut off — releases its locks after 60 s).

use postgres::{Client, NoTls};

use super::errors::{conflict_retries, connect_error, is_connection_lost, store_error};
use super::url::Target;
use crate::error::{Error, Result};
use crate::registry::server::Server;
use crate::registry::server::pool::Connector;

/// The settings of each session the pool opens.
const SESSION_SETTINGS: &str =
    "SET lock_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s'";

impl Connector for Target {
    type Connection = Client;
    type Error = postgres::Error;

    fn server(&self) -> &Server {
        &self.server
    }

    fn connect(&self) -> Result<Client> {
        let connected = match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        };
        let mut client = connected.map_err(|error| connect_error(self, &error))?;
        client
            .batch_execute(SESSION_SETTINGS)
            .map_err(|error| connect_error(self, &error))?;
        Ok(client)
    }

    fn is_closed(client: &Client) -> bool {
        client.is_closed()
    }

    fn is_lost(error: &postgres::Error) -> bool {
        is_connection_lost(error)
    }

    fn conflict_retries(error: &postgres::Error) -> usize {
        conflict_retries(error)
    }

    fn statement_error(&self, context: &str, error: &postgres::Error) -> Error {
        store_error(self, context, error)
    }
}
