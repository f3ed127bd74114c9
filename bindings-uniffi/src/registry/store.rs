//! The store behind a [`Registry`](super::Registry), opened from the path or URL given to
//! `Registry.open`: `postgres://…` (or `postgresql://…`), `mysql://…` (or `mariadb://…`), `sqlite://PATH`
//! (or `sqlite:PATH`) or a plain file path, and `memory:`.
//!
//! The binding reads nothing of the URL: `alipay_isv::registry::open_location` (the core's one dispatch
//! of a registry location, shared with the command line) opens the store and says what it opened — its
//! kind, the SQLite store for `integrityCheck()`, whether tokens are encrypted, and where it is without
//! the password (`location()`, `toString()`); its errors name what is wrong (an unknown scheme, a store
//! whose cargo feature was not compiled in, a URL that is not valid, a refused database).

use std::sync::Arc;

use alipay_isv::registry as core;

use alipay_isv::Result;

/// Which store a registry keeps its records in (Kotlin: `StoreKind.SQLITE`, …; `Registry.storeKind()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum StoreKind {
    /// A SQLite file (a plain path, `sqlite://PATH`): one machine, every process sharing the file.
    Sqlite,
    /// A PostgreSQL database (`postgres://…`): every process and host sharing the database.
    Postgres,
    /// A MySQL or MariaDB database (`mysql://…`, `mariadb://…`): every process and host sharing it.
    Mysql,
    /// Memory (`memory:`, `Registry.inMemory`): gone with the process.
    Memory,
}

impl From<core::StoreKind> for StoreKind {
    fn from(kind: core::StoreKind) -> Self {
        match kind {
            core::StoreKind::Sqlite => StoreKind::Sqlite,
            core::StoreKind::Postgres => StoreKind::Postgres,
            core::StoreKind::Mysql => StoreKind::Mysql,
            core::StoreKind::Memory => StoreKind::Memory,
        }
    }
}

/// A store as the binding keeps it.
pub(crate) struct Opened {
    /// The store the core registry runs on.
    pub(crate) store: Arc<dyn core::Store>,
    /// The same store when it is a SQLite file (for `integrityCheck`).
    pub(crate) sqlite: Option<Arc<core::SqliteStore>>,
    /// Its kind.
    pub(crate) kind: StoreKind,
    /// The SQLite file, the server database as `scheme://user@host:port/database` (never the
    /// password), or `memory`.
    pub(crate) location: String,
    /// Whether tokens are encrypted at rest.
    pub(crate) encrypted: bool,
}

/// Opens the store `path_or_url` names, tokens encrypted at rest with `key` where the store keeps them
/// (`alipay_isv::registry::open_location`, the core's one dispatch of a registry location).
///
/// # Errors
/// The opening store's errors (`Store` for a refused database or file, `Config` for a URL that is not
/// valid), and the core's `Config` error for a scheme this build does not open.
pub(crate) fn open(path_or_url: &str, key: Option<core::TokenKey>) -> Result<Opened> {
    let opened = core::open_location(path_or_url, key)?;
    Ok(Opened {
        store: opened.store,
        sqlite: opened.sqlite,
        kind: opened.kind.into(),
        location: opened.place,
        encrypted: opened.encrypted,
    })
}

/// An in-memory store.
pub(crate) fn memory() -> Opened {
    Opened {
        store: Arc::new(core::MemoryStore::new()),
        sqlite: None,
        kind: StoreKind::Memory,
        location: core::StoreKind::Memory.name().to_string(),
        encrypted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_memory_and_refused_schemes() {
        let opened = open("memory:", None).unwrap();
        assert_eq!(opened.kind, StoreKind::Memory);
        assert_eq!(opened.location, memory().location);
        assert!(opened.sqlite.is_none());
        let dir =
            std::env::temp_dir().join(format!("alipay-isv-uniffi-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("registry.db").display().to_string();
        for path_or_url in [
            file.clone(),
            format!("sqlite://{file}"),
            format!("sqlite:{file}"),
        ] {
            let sqlite = open(&path_or_url, None).unwrap();
            assert_eq!(sqlite.kind, StoreKind::Sqlite);
            assert_eq!(sqlite.location, file);
            assert!(sqlite.sqlite.is_some());
        }
        let _ = std::fs::remove_dir_all(&dir);
        let refused = open("redis://127.0.0.1/0", None).err().unwrap();
        assert_eq!(refused.kind(), "config");
        assert!(
            refused.reason().contains("redis://"),
            "{}",
            refused.reason()
        );
        assert_eq!(open("sqlite://", None).err().unwrap().kind(), "config");
        assert_eq!(open("", None).err().unwrap().kind(), "config");
    }

    #[cfg(not(feature = "sql-stores"))]
    #[test]
    fn without_the_feature_a_server_url_names_it() {
        for url in [
            "postgres://isv:pa55-secret-word@h/d",
            "mariadb://isv:pa55-secret-word@h/d",
        ] {
            let error = open(url, None).err().unwrap();
            assert_eq!(error.kind(), "config");
            assert!(error.reason().contains("cargo feature"), "{error}");
            assert!(!error.to_string().contains("pa55-secret-word"), "{error}");
        }
    }

    #[cfg(feature = "sql-stores")]
    #[test]
    fn a_server_url_that_is_not_valid_never_shows_the_password() {
        for url in [
            "postgres://isv:pa55-secret-word@127.0.0.1:1/db?sslmode=bogus",
            "mysql://isv:pa55-secret-word@127.0.0.1:1/db?pool_max_size=0",
        ] {
            let error = open(url, None).err().unwrap();
            assert_eq!(error.kind(), "config", "{error}");
            assert!(!error.to_string().contains("pa55-secret-word"), "{error}");
        }
    }
}
