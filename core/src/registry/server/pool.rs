//! The connection pool of the server stores, a small one of their own: at most `max_size` connections,
//! opened on demand (each within the connect timeout), a checkout that waits at most the checkout
//! timeout for a free one, and a connection found lost (closed, reset, ended by the server) dropped **with
//! every idle one** — after a server restart or a killed session, all of them are dead, and the next
//! checkout connects afresh instead of finding the next corpse.
//!
//! Why not the drivers' pools (`r2d2_postgres`, the pool of `mysql_async`): they cannot drop their idle
//! connections on demand (so after a restart each of up to `max_size` calls would meet a dead one), they
//! validate a connection by a round trip on every checkout unless told not to, and they run helper
//! threads or tasks of their own. This pool is a mutex, a condition variable and a counter, with no
//! thread and no dependency; a [`Connector`] says how to connect and how to read the driver's errors.
//!
//! [`Pool::run`] runs an operation on a pooled connection: once more on a new connection after a lost
//! one (while the operation has not passed its point of no return, see [`Attempt`]), and up to
//! [`DEADLOCK_RETRIES`] more times when the server chose it as a deadlock victim (the transaction rolled
//! back: nothing was written), as many times as the store allows after a lock wait timed out.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::Server;
use crate::error::{Error, Result};

/// How a store connects, and how it reads its driver's errors.
pub(crate) trait Connector: Send + Sync {
    /// A connection.
    type Connection: Send;
    /// The driver's error.
    type Error;

    /// The database, for messages.
    fn server(&self) -> &Server;
    /// A new connection, its session set up.
    ///
    /// # Errors
    /// [`Error::Store`] saying what to fix.
    fn connect(&self) -> Result<Self::Connection>;
    /// Whether the connection is known to be closed.
    fn is_closed(connection: &Self::Connection) -> bool;
    /// Marks a connection about to be closed as likely dead (lost, or idle beside a lost one), so closing
    /// it does not wait on the server.
    fn abandon(_connection: &mut Self::Connection) {}
    /// Whether `error` means the connection is gone.
    fn is_lost(error: &Self::Error) -> bool;
    /// How many times an operation that failed with `error` may run again: a few times after a
    /// deadlock (the transaction rolled back; [`DEADLOCK_RETRIES`]), maybe once after a lock wait
    /// timeout, none after anything else.
    fn conflict_retries(error: &Self::Error) -> usize;
    /// The [`Error::Store`] of a failed statement while `context` (what the store was doing).
    fn statement_error(&self, context: &str, error: &Self::Error) -> Error;
}

/// How many times an operation chosen as a deadlock victim runs again.
pub(crate) const DEADLOCK_RETRIES: usize = 3;

struct State<C> {
    idle: Vec<C>,
    open: usize,
}

/// A bounded pool of connections to one database.
pub(crate) struct Pool<K: Connector> {
    connector: K,
    max_size: usize,
    checkout_timeout: Duration,
    state: Mutex<State<K::Connection>>,
    available: Condvar,
}

/// A driver error with what the store was doing.
pub(crate) struct Failed<E> {
    context: &'static str,
    error: E,
}

/// How an operation failed: in the driver (maybe retried), or otherwise (returned as is).
pub(crate) enum Failure<E> {
    /// A driver error.
    Driver(Failed<E>),
    /// Any other error (a decision's, a row that cannot be decoded).
    Other(Error),
}

impl<E> From<Error> for Failure<E> {
    fn from(error: Error) -> Self {
        Failure::Other(error)
    }
}

/// Attaches what the store was doing to a driver error.
pub(crate) trait Doing<T, E> {
    /// The error as a [`Failure::Driver`] with `context`.
    fn doing(self, context: &'static str) -> std::result::Result<T, Failure<E>>;
}

impl<T, E> Doing<T, E> for std::result::Result<T, E> {
    fn doing(self, context: &'static str) -> std::result::Result<T, Failure<E>> {
        self.map_err(|error| Failure::Driver(Failed { context, error }))
    }
}

/// Whether an operation may run again on a new connection after losing its connection.
pub(crate) struct Attempt {
    retryable: bool,
}

impl Attempt {
    /// From here on, running again could repeat an effect (a decision was made, a commit was sent).
    pub(crate) fn no_retry(&mut self) {
        self.retryable = false;
    }
}

/// What the store was doing, in its messages.
pub(crate) mod doing {
    /// A read.
    pub(crate) const READING: &str = "cannot read the registry";
    /// A write.
    pub(crate) const WRITING: &str = "cannot write the registry";
    /// The start of a write's transaction.
    pub(crate) const STARTING: &str = "cannot start a registry write";
    /// The commit of a write.
    pub(crate) const COMMITTING: &str = "the commit of a registry write failed, so it may or may not \
                                         have been committed";
    /// The notification journal.
    pub(crate) const JOURNAL: &str = "cannot write the notification journal";
}

impl<K: Connector> Pool<K> {
    /// A pool of at most `max_size` connections of `connector`, waiting at most `checkout_timeout` for
    /// one.
    pub(crate) fn new(connector: K, max_size: usize, checkout_timeout: Duration) -> Self {
        Pool {
            connector,
            max_size: max_size.max(1),
            checkout_timeout,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            available: Condvar::new(),
        }
    }

    /// How the pool connects.
    pub(crate) fn connector(&self) -> &K {
        &self.connector
    }

    /// The most connections it opens.
    pub(crate) fn max_size(&self) -> usize {
        self.max_size
    }

    /// How many connections are open now (idle or in use).
    pub(crate) fn open_connections(&self) -> usize {
        self.lock().open
    }

    fn lock(&self) -> MutexGuard<'_, State<K::Connection>> {
        // The state is two plain values updated in one step each: still consistent after a panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection: an idle one, else a new one while fewer than `max_size` are open, else the first
    /// one returned within the checkout timeout.
    ///
    /// # Errors
    /// [`Error::Store`] when connecting fails or every connection stayed busy.
    pub(crate) fn get(&self) -> Result<Connection<'_, K>> {
        let deadline = Instant::now() + self.checkout_timeout;
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                return Ok(Connection {
                    pool: self,
                    client: Some(client),
                    lost: false,
                });
            }
            if state.open < self.max_size {
                state.open += 1;
                drop(state);
                return match self.connector.connect() {
                    Ok(client) => Ok(Connection {
                        pool: self,
                        client: Some(client),
                        lost: false,
                    }),
                    Err(error) => {
                        self.lock().open -= 1;
                        self.available.notify_one();
                        Err(error)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Store {
                    reason: format!(
                        "all {} connections to {} stayed busy for {:.1} s: raise pool_max_size or \
                         pool_timeout in the URL, or look for long transactions on the server",
                        self.max_size,
                        self.connector.server().shown,
                        self.checkout_timeout.as_secs_f64()
                    ),
                });
            }
            state = self
                .available
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Runs `body` on a pooled connection. When the connection turns out lost, it is dropped (with the
    /// idle ones) and — if `retryable` and `body` has not marked its attempt past the point of no
    /// return — `body` runs once more on a new connection. A deadlock (the transaction rolled back)
    /// runs `body` again, as often as [`Connector::conflict_retries`] allows.
    ///
    /// # Errors
    /// `body`'s own errors as they are; driver errors as [`Connector::statement_error`] words them.
    pub(crate) fn run<T>(
        &self,
        retryable: bool,
        mut body: impl FnMut(
            &mut K::Connection,
            &mut Attempt,
        ) -> std::result::Result<T, Failure<K::Error>>,
    ) -> Result<T> {
        let mut retried = false;
        let mut conflicts = 0;
        loop {
            let mut connection = self.get()?;
            let mut attempt = Attempt { retryable };
            match body(&mut connection, &mut attempt) {
                Ok(value) => return Ok(value),
                Err(Failure::Other(error)) => return Err(error),
                Err(Failure::Driver(Failed { context, error })) => {
                    let lost = K::is_lost(&error) || K::is_closed(&connection);
                    if lost {
                        connection.lost();
                        if attempt.retryable && !retried {
                            retried = true;
                            continue;
                        }
                    } else if conflicts < K::conflict_retries(&error) {
                        conflicts += 1;
                        drop(connection);
                        // A short pause that grows, so the winner finishes before the next try.
                        std::thread::sleep(Duration::from_millis(5 << conflicts));
                        continue;
                    }
                    return Err(self.connector.statement_error(context, &error));
                }
            }
        }
    }

    /// Closes every idle connection (they are reopened on demand).
    fn discard_idle(&self) {
        let mut idle = {
            let mut state = self.lock();
            let idle = std::mem::take(&mut state.idle);
            state.open -= idle.len();
            idle
        };
        self.available.notify_all();
        idle.iter_mut().for_each(K::abandon);
        drop(idle);
    }

    fn give_back(&self, mut client: K::Connection, keep: bool, lost: bool) {
        if keep {
            self.lock().idle.push(client);
        } else {
            self.lock().open -= 1;
            if lost {
                K::abandon(&mut client);
            }
            drop(client);
        }
        self.available.notify_one();
    }
}

/// A connection checked out of the [`Pool`]; back to it when dropped (or closed, when lost).
pub(crate) struct Connection<'p, K: Connector> {
    pool: &'p Pool<K>,
    client: Option<K::Connection>,
    lost: bool,
}

impl<K: Connector> Connection<'_, K> {
    /// Marks the connection lost: it is closed instead of going back, and the idle ones are closed too.
    pub(crate) fn lost(&mut self) {
        self.lost = true;
        self.pool.discard_idle();
    }
}

impl<K: Connector> Deref for Connection<'_, K> {
    type Target = K::Connection;

    fn deref(&self) -> &K::Connection {
        // Only `drop` takes the client out.
        self.client
            .as_ref()
            .expect("a checked-out connection has its client")
    }
}

impl<K: Connector> DerefMut for Connection<'_, K> {
    fn deref_mut(&mut self) -> &mut K::Connection {
        self.client
            .as_mut()
            .expect("a checked-out connection has its client")
    }
}

impl<K: Connector> Drop for Connection<'_, K> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let keep = !self.lost && !K::is_closed(&client);
            self.pool.give_back(client, keep, self.lost);
        }
    }
}
