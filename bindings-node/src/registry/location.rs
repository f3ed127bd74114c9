//! Where `Registry.open` keeps the records: the location it is given — a SQLite file path, or a URL
//! (`postgres://…`, `postgresql://…`, `mysql://…`, `mariadb://…`, `sqlite://PATH`, `sqlite:PATH`,
//! `memory:`) — opened by the core's one dispatch, `alipay_isv::registry::open_location`: the binding
//! reads nothing of the URL. Credentials, hosts, parameters (TLS, pool, timeouts) are the core's alone, and
//! no message holds the password.

use std::sync::Arc;

use alipay_isv::registry::{self as core, SqliteStore, Store, TokenKey};

/// A store opened at a location.
pub(crate) struct Opened {
    /// The store.
    pub(crate) store: Arc<dyn Store>,
    /// The same store, when it is a SQLite file (for `integrityCheck`).
    pub(crate) sqlite: Option<Arc<SqliteStore>>,
    /// Where it is and how tokens are kept, for the description: never a password or a key.
    pub(crate) place: String,
}

/// Opens the store at `location`, tokens encrypted at rest with `key` (not used by `memory:`).
///
/// # Errors
/// The core's: `Config` for a URL that is not valid or a scheme this build does not open, `Store` for a
/// database or file that cannot be opened — never with the password.
pub(crate) fn open(location: &str, key: Option<TokenKey>) -> alipay_isv::Result<Opened> {
    let tokens = if key.is_some() {
        "tokens encrypted"
    } else {
        "tokens in clear"
    };
    let opened = core::open_location(location, key)?;
    let place = match (&opened.sqlite, opened.place.as_str()) {
        (Some(_), path) => format!("sqlite {path}, {tokens}"),
        (None, "memory") => "in memory".to_string(),
        (None, database) => format!("{database}, {tokens}"),
    };
    Ok(Opened {
        store: opened.store,
        sqlite: opened.sqlite,
        place,
    })
}
