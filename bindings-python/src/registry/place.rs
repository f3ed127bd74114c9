//! Where a `Registry` lives, as its constructor's first argument names it — a SQLite file path, or a
//! URL (`postgres://…`, `postgresql://…`, `mysql://…`, `mariadb://…`, `sqlite://PATH`, `sqlite:PATH`,
//! `memory:`) — opened by the core's one dispatch, `alipay_isv::registry::open_location`, which also
//! says what `repr()`, `path`, `database`, `store_kind` and `integrity_check()` need: the binding reads
//! nothing of a URL. A server's database is shown as the core names it (never the password), and no
//! message holds the password. An `os.PathLike` (`pathlib.Path`) is always a SQLite file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alipay_isv::registry::{self, SqliteStore, Store, TokenKey};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use zeroize::Zeroizing;

/// Which store a registry keeps its records in (the core's kinds; `name()` is `Registry.store_kind`).
pub(super) use alipay_isv::registry::StoreKind as Kind;

/// The constructor's first argument.
pub(super) enum Place {
    /// An `os.PathLike` other than `str`: a SQLite file.
    File(PathBuf),
    /// A `str`: a file path or a URL (which may hold a password: wiped when dropped).
    Text(Zeroizing<String>),
}

/// A store opened at a [`Place`], and what the registry shows of it.
pub(super) struct Opened {
    /// The store.
    pub(super) store: Arc<dyn Store>,
    /// The same store when it is a SQLite file (for `integrity_check()`).
    pub(super) sqlite: Option<Arc<SqliteStore>>,
    /// Its kind.
    pub(super) kind: Kind,
    /// The SQLite file as given, or the server's database as the core names it
    /// (`scheme://user@host:port/database`, never the password); `None` in memory.
    pub(super) location: Option<String>,
    /// Whether tokens are encrypted at rest.
    pub(super) encrypted: bool,
}

impl Place {
    /// Reads the argument: a `str`, or an `os.PathLike` (a file).
    ///
    /// # Errors
    /// `TypeError` for anything else.
    pub(super) fn extract(argument: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(text) = argument.extract::<String>() {
            return Ok(Place::Text(Zeroizing::new(text)));
        }
        argument.extract::<PathBuf>().map(Place::File).map_err(|_| {
            PyTypeError::new_err(
                "path_or_url must be a str (a file path, sqlite://PATH, postgres://…, mysql://…, \
                 memory:) or an os.PathLike naming a SQLite file",
            )
        })
    }

    /// Opens the store (blocking: run it with the GIL released), tokens encrypted at rest with
    /// `key` (not used in memory).
    ///
    /// # Errors
    /// The core's: `Config` for a URL that is not valid or a scheme this build does not open,
    /// `Store` for a database or file that cannot be opened — never with the password.
    pub(super) fn open(&self, key: Option<TokenKey>) -> alipay_isv::Result<Opened> {
        let text = match self {
            Place::File(path) => return sqlite(path, key),
            Place::Text(text) => text.as_str(),
        };
        let opened = registry::open_location(text, key)?;
        Ok(Opened {
            location: (opened.kind != Kind::Memory).then_some(opened.place),
            store: opened.store,
            sqlite: opened.sqlite,
            kind: opened.kind,
            encrypted: opened.encrypted,
        })
    }
}

/// A SQLite store at `path` (an `os.PathLike`).
fn sqlite(path: &Path, key: Option<TokenKey>) -> alipay_isv::Result<Opened> {
    let store = Arc::new(SqliteStore::open(path, key)?);
    Ok(Opened {
        encrypted: store.is_encrypted(),
        store: Arc::clone(&store) as Arc<dyn Store>,
        sqlite: Some(store),
        kind: Kind::Sqlite,
        location: Some(path.display().to_string()),
    })
}
