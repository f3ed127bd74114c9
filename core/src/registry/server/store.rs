//! [`ServerStore`]: the [`Store`] contract on a database server, written once for PostgreSQL and MySQL.
//! A [`Driver`] runs the statements of its SQL dialect on one connection; everything else — the pool and
//! its retries, which operations may run again after a lost connection, decoding the rows, the
//! read-decide-write ([`write`](super::write)) — is here, so both stores behave alike. The public store
//! types wrap a `ServerStore`; [`server_store!`] gives them their `Debug`, their accessors and
//! [`Store`].

use std::time::Duration;

use super::pool::{Attempt, Connector, Failure, Pool};
use super::write::{self, Writer, Written};
use crate::error::Result;
use crate::registry::order::OrderRecord;
use crate::registry::record::MerchantAuthorisation;
use crate::registry::row_codec::{AuthorisationRow, OrderRow};
use crate::registry::store::{Decide, DecideOrder, NotificationState, Store, UpdateResult};
use crate::registry::token_key::TokenKey;

/// Which authorisations a read selects, and in which order.
#[derive(Clone, Copy)]
pub(crate) enum Select<'a> {
    /// The one of `(app_id, auth_app_id)`.
    One(&'a str, &'a str),
    /// Those of a merchant app, by `app_id`.
    OfAuthApp(&'a str),
    /// Those of a merchant PID, by `auth_app_id` then `app_id`.
    OfMerchant(&'a str),
    /// All, by `auth_app_id` then `app_id`.
    All,
}

/// Which orders a read selects: one by id, or all by order time (none first) then id.
#[derive(Clone, Copy)]
pub(crate) enum SelectOrders<'a> {
    /// The order of this id.
    One(&'a str),
    /// All.
    All,
}

/// The result of a driver's statement: its value, or a failure the pool sorts.
pub(crate) type Step<T, D> = std::result::Result<T, Failure<<D as Connector>::Error>>;

/// The work of a write inside a driver's transaction.
pub(crate) type Work<'w, T, D> = dyn FnMut(&mut dyn Writer<Error = <D as Connector>::Error>, &mut Attempt) -> Step<Written<T>, D>
    + 'w;

/// A database's SQL on one connection.
pub(crate) trait Driver: Connector + Sized {
    /// The authorisation rows `select` selects.
    fn authorisations(
        &self,
        connection: &mut Self::Connection,
        select: Select<'_>,
    ) -> Step<Vec<AuthorisationRow>, Self>;
    /// The order rows `select` selects.
    fn orders(
        &self,
        connection: &mut Self::Connection,
        select: SelectOrders<'_>,
    ) -> Step<Vec<OrderRow>, Self>;
    /// The journal's entry of `notify_id`: absent, or its `handled_at_ms`.
    fn notification(
        &self,
        connection: &mut Self::Connection,
        notify_id: &str,
    ) -> Step<Option<Option<i64>>, Self>;
    /// Inserts `notify_id` into the journal unless it is there; whether it was inserted.
    fn record_notification(
        &self,
        connection: &mut Self::Connection,
        notify_id: &str,
    ) -> Step<bool, Self>;
    /// Marks `notify_id` handled, inserting it when it is not in the journal.
    fn mark_handled(&self, connection: &mut Self::Connection, notify_id: &str) -> Step<(), Self>;
    /// Runs `work` inside one transaction: committed when it says so, rolled back otherwise (and on
    /// any failure).
    fn transaction<T>(
        &self,
        connection: &mut Self::Connection,
        attempt: &mut Attempt,
        work: &mut Work<'_, T, Self>,
    ) -> Step<UpdateResult<T>, Self>;
}

/// The pool's defaults, which the URL's parameters override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// The most connections the store opens (`pool_max_size` in the URL). Default 8.
    pub pool_max_size: usize,
    /// How long an operation waits for a free connection when all are busy before it fails
    /// (`pool_timeout`, in seconds, in the URL). Default 10 s.
    pub pool_timeout: Duration,
    /// How long connecting to a host may take (`connect_timeout`, in seconds, in the URL). Default 10 s.
    pub connect_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            pool_max_size: 8,
            pool_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A [`Store`] on a database server through the driver `D`.
pub(crate) struct ServerStore<D: Driver> {
    /// The connections.
    pub(crate) pool: Pool<D>,
    /// The key of the tokens at rest, if any.
    pub(crate) key: Option<TokenKey>,
}

impl<D: Driver> ServerStore<D> {
    /// A store of `driver` with a pool of the URL's settings, else `options`'; `prepare` checks and
    /// migrates the schema on the first connection.
    ///
    /// # Errors
    /// Connecting's and `prepare`'s.
    pub(crate) fn open(
        driver: D,
        options: PoolOptions,
        key: Option<TokenKey>,
        prepare: impl FnOnce(&mut D::Connection, &D, Option<&TokenKey>) -> Result<()>,
    ) -> Result<Self> {
        let server = driver.server();
        let max_size = server.pool_max_size.unwrap_or(options.pool_max_size);
        let checkout_timeout = server.pool_timeout.unwrap_or(options.pool_timeout);
        let pool = Pool::new(driver, max_size, checkout_timeout);
        {
            // A connection lost on the way is closed rather than pooled (see `pool::Connection`).
            let mut connection = pool.get()?;
            prepare(&mut connection, pool.connector(), key.as_ref())?;
        }
        Ok(ServerStore { pool, key })
    }

    fn authorisations(&self, select: Select<'_>) -> Result<Vec<MerchantAuthorisation>> {
        let driver = self.pool.connector();
        let rows = self.pool.run(true, |connection, _| {
            driver.authorisations(connection, select)
        })?;
        rows.into_iter()
            .map(|row| row.decode(self.key.as_ref()))
            .collect()
    }

    fn orders(&self, select: SelectOrders<'_>) -> Result<Vec<OrderRecord>> {
        let driver = self.pool.connector();
        let rows = self
            .pool
            .run(true, |connection, _| driver.orders(connection, select))?;
        rows.into_iter().map(OrderRow::decode).collect()
    }
}

impl<D: Driver> Store for ServerStore<D> {
    fn get(&self, app_id: &str, auth_app_id: &str) -> Result<Option<MerchantAuthorisation>> {
        Ok(self
            .authorisations(Select::One(app_id, auth_app_id))?
            .into_iter()
            .next())
    }

    fn find(&self, auth_app_id: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.authorisations(Select::OfAuthApp(auth_app_id))
    }

    fn list(&self) -> Result<Vec<MerchantAuthorisation>> {
        self.authorisations(Select::All)
    }

    fn by_merchant(&self, merchant_pid: &str) -> Result<Vec<MerchantAuthorisation>> {
        self.authorisations(Select::OfMerchant(merchant_pid))
    }

    fn update(
        &self,
        app_id: &str,
        auth_app_id: &str,
        notify_id: Option<&str>,
        decide: &mut Decide<'_>,
    ) -> Result<UpdateResult> {
        let (driver, key) = (self.pool.connector(), self.key.as_ref());
        self.pool.run(true, |connection, attempt| {
            driver.transaction(connection, attempt, &mut |writer, attempt| {
                write::update_authorisation(
                    writer,
                    attempt,
                    key,
                    (app_id, auth_app_id),
                    notify_id,
                    decide,
                )
            })
        })
    }

    fn get_order(&self, commodity_order_id: &str) -> Result<Option<OrderRecord>> {
        Ok(self
            .orders(SelectOrders::One(commodity_order_id))?
            .into_iter()
            .next())
    }

    fn list_orders(&self) -> Result<Vec<OrderRecord>> {
        self.orders(SelectOrders::All)
    }

    fn update_order(
        &self,
        commodity_order_id: &str,
        notify_id: Option<&str>,
        decide: &mut DecideOrder<'_>,
    ) -> Result<UpdateResult<OrderRecord>> {
        let driver = self.pool.connector();
        self.pool.run(true, |connection, attempt| {
            driver.transaction(connection, attempt, &mut |writer, attempt| {
                write::update_order(writer, attempt, commodity_order_id, notify_id, decide)
            })
        })
    }

    fn notification_state(&self, notify_id: &str) -> Result<NotificationState> {
        let driver = self.pool.connector();
        let entry = self.pool.run(true, |connection, _| {
            driver.notification(connection, notify_id)
        })?;
        Ok(match entry {
            None => NotificationState::New,
            Some(None) => NotificationState::Received,
            Some(Some(_)) => NotificationState::Handled,
        })
    }

    /// Not tried again after a lost connection: whether the first try inserted the row is unknown, so
    /// the answer could be wrong; the error says to retry.
    fn record_notification(&self, notify_id: &str) -> Result<bool> {
        let driver = self.pool.connector();
        self.pool.run(false, |connection, _| {
            driver.record_notification(connection, notify_id)
        })
    }

    fn mark_handled(&self, notify_id: &str) -> Result<()> {
        let driver = self.pool.connector();
        // Idempotent: safe to run again on a new connection.
        self.pool.run(true, |connection, _| {
            driver.mark_handled(connection, notify_id)
        })
    }
}

/// A public store type on the driver `Target` of the calling module: the type (a [`ServerStore`] in its
/// field `inner`), its options type (an alias of [`PoolOptions`]), `open` (with the options' defaults;
/// the module writes `open_with`), its `Debug` (the database without the password, TLS, pool size,
/// encryption), `is_encrypted`, `database`, `open_connections`, and [`Store`] by delegation. The
/// documentation of the type, the options and `open` is the caller's.
macro_rules! server_store {
    (
        $(#[$store_doc:meta])* store $store:ident;
        $(#[$options_doc:meta])* options $options:ident;
        $(#[$open_doc:meta])* open;
    ) => {
        $(#[$options_doc])*
        pub type $options = $crate::registry::PoolOptions;

        $(#[$store_doc])*
        pub struct $store {
            inner: ServerStore<Target>,
        }

        impl std::fmt::Debug for $store {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let server = &self.inner.pool.connector().server;
                f.debug_struct(stringify!($store))
                    .field("database", &server.shown)
                    .field("tls", &server.tls_mode)
                    .field("pool_max_size", &self.inner.pool.max_size())
                    .field("encrypted", &self.inner.key.is_some())
                    .finish()
            }
        }

        impl $store {
            $(#[$open_doc])*
            pub fn open(url: &str, key: Option<TokenKey>) -> Result<Self> {
                $store::open_with(url, key, $options::default())
            }

            /// Whether tokens are encrypted at rest in this database.
            pub fn is_encrypted(&self) -> bool {
                self.inner.key.is_some()
            }

            /// The database, as `scheme://user@host:port/database` (never the password).
            pub fn database(&self) -> &str {
                &self.inner.pool.connector().server.shown
            }

            /// How many connections the pool holds open now (idle or in use).
            pub fn open_connections(&self) -> usize {
                self.inner.pool.open_connections()
            }
        }

        impl $crate::registry::Store for $store {
            fn get(
                &self,
                app_id: &str,
                auth_app_id: &str,
            ) -> $crate::Result<Option<$crate::registry::MerchantAuthorisation>> {
                self.inner.get(app_id, auth_app_id)
            }
            fn find(
                &self,
                auth_app_id: &str,
            ) -> $crate::Result<Vec<$crate::registry::MerchantAuthorisation>> {
                self.inner.find(auth_app_id)
            }
            fn list(&self) -> $crate::Result<Vec<$crate::registry::MerchantAuthorisation>> {
                self.inner.list()
            }
            fn by_merchant(
                &self,
                merchant_pid: &str,
            ) -> $crate::Result<Vec<$crate::registry::MerchantAuthorisation>> {
                self.inner.by_merchant(merchant_pid)
            }
            fn update(
                &self,
                app_id: &str,
                auth_app_id: &str,
                notify_id: Option<&str>,
                decide: &mut $crate::registry::Decide<'_>,
            ) -> $crate::Result<$crate::registry::UpdateResult> {
                self.inner.update(app_id, auth_app_id, notify_id, decide)
            }
            fn get_order(
                &self,
                commodity_order_id: &str,
            ) -> $crate::Result<Option<$crate::registry::OrderRecord>> {
                self.inner.get_order(commodity_order_id)
            }
            fn list_orders(&self) -> $crate::Result<Vec<$crate::registry::OrderRecord>> {
                self.inner.list_orders()
            }
            fn update_order(
                &self,
                commodity_order_id: &str,
                notify_id: Option<&str>,
                decide: &mut $crate::registry::DecideOrder<'_>,
            ) -> $crate::Result<$crate::registry::UpdateResult<$crate::registry::OrderRecord>> {
                self.inner
                    .update_order(commodity_order_id, notify_id, decide)
            }
            fn notification_state(
                &self,
                notify_id: &str,
            ) -> $crate::Result<$crate::registry::NotificationState> {
                self.inner.notification_state(notify_id)
            }
            fn record_notification(&self, notify_id: &str) -> $crate::Result<bool> {
                self.inner.record_notification(notify_id)
            }
            fn mark_handled(&self, notify_id: &str) -> $crate::Result<()> {
                self.inner.mark_handled(notify_id)
            }
        }
    };
}
pub(crate) use server_store;
