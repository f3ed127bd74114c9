//! The MySQL store against a real server (MariaDB in the tests): the cases every server store passes
//! ([`sql_store_cases`], the same test code as PostgreSQL's), with MySQL's setup — each test in databases
//! of its own (`<test database>_<case>_<random>`, which the test user may create), so the tests run in
//! parallel on one server — and MySQL's own: keys longer than their columns refused before anything is
//! written, and concurrent creators of neighbouring records (InnoDB's gap locks) all succeeding.
//!
//! The server: `scripts/services/mysql.sh start` prints its URL; export it as
//! `ALIPAY_ISV_TEST_MYSQL_URL` (and `ALIPAY_ISV_TEST_MYSQL_CA`, the CA of its TLS certificate, from
//! `target/services/mysql/env`). `scripts/test-rust.sh` does both.

mod sql_store_cases;

use std::sync::Arc;
use std::thread;

use alipay_isv::Result;
use alipay_isv::registry::{
    Decision, MysqlOptions, MysqlStore, NotificationState, Store, TokenKey, UpdateResult,
};
use mysql_async::prelude::Queryable;
use mysql_async::{Opts, Row, Value};
use sql_store_cases::{Backend, random_suffix, sample, service_env, store_tests};

struct Mysql;

/// The database of `url` (its path).
fn database_of(url: &str) -> String {
    let path = url.rsplit('/').next().unwrap();
    path.split('?').next().unwrap().to_string()
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    url.replacen(
        &format!("/{}", database_of(url)),
        &format!("/{database}"),
        1,
    )
}

/// The work of [`admin`] on a connection.
type Work<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = mysql_async::Result<T>> + 'c>>;

/// Runs `work` on a direct connection to `database` (for setting up and inspecting).
fn admin<T>(
    database: &str,
    work: impl for<'c> FnOnce(&'c mut mysql_async::Conn) -> Work<'c, T>,
) -> T {
    let url = with_database(&Mysql.base_url(), database);
    let opts = Opts::from_url(&format!("{url}?prefer_socket=false")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = mysql_async::Conn::new(opts)
            .await
            .expect("the test server answers");
        let result = work(&mut conn).await.unwrap();
        conn.disconnect().await.unwrap();
        result
    })
}

/// The rows of `sql` with `params` in `database`.
fn rows(database: &str, sql: &str, params: Vec<Value>) -> Vec<Row> {
    let sql = sql.to_string();
    admin(database, move |conn| {
        Box::pin(async move { conn.exec::<Row, _, _>(sql, params).await })
    })
}

/// The first column of each row, as text.
fn texts(rows: Vec<Row>) -> Vec<String> {
    rows.into_iter()
        .map(|row| mysql_async::from_value::<String>(row.unwrap().remove(0)))
        .collect()
}

impl Backend for Mysql {
    type Store = MysqlStore;

    fn base_url(&self) -> String {
        service_env("ALIPAY_ISV_TEST_MYSQL_URL", "mysql", "MySQL or MariaDB")
    }

    fn ca_file(&self) -> String {
        service_env("ALIPAY_ISV_TEST_MYSQL_CA", "mysql", "MySQL or MariaDB")
    }

    fn open(&self, url: &str, key: Option<TokenKey>) -> Result<MysqlStore> {
        MysqlStore::open(url, key)
    }

    fn open_pooled(&self, url: &str, max_size: usize) -> Result<MysqlStore> {
        MysqlStore::open_with(
            url,
            None,
            MysqlOptions {
                pool_max_size: max_size,
                ..MysqlOptions::default()
            },
        )
    }

    fn is_encrypted(&self, store: &MysqlStore) -> bool {
        store.is_encrypted()
    }

    fn open_connections(&self, store: &MysqlStore) -> usize {
        store.open_connections()
    }

    fn fresh(&self, name: &str) -> (String, String) {
        let base = self.base_url();
        let database = format!("{}_{name}_{}", database_of(&base), random_suffix());
        self.execute(
            &database_of(&base),
            &[&format!(
                "CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )],
        );
        let url = with_database(&base, &database);
        (database, url)
    }

    fn drop_namespace(&self, database: &str) {
        self.execute(
            &database_of(&self.base_url()),
            &[&format!("DROP DATABASE IF EXISTS `{database}`")],
        );
    }

    fn tables(&self, database: &str) -> Vec<String> {
        texts(rows(
            database,
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() ORDER BY 1",
            Vec::new(),
        ))
    }

    fn execute(&self, database: &str, statements: &[&str]) {
        let statements: Vec<String> = statements.iter().map(ToString::to_string).collect();
        admin(database, move |conn| {
            Box::pin(async move {
                for statement in statements {
                    conn.query_drop(statement).await?;
                }
                Ok(())
            })
        });
    }

    fn meta(&self, database: &str, key: &str) -> Option<String> {
        texts(rows(
            database,
            "SELECT CAST(value AS CHAR) FROM alipay_isv_meta WHERE `key` = ?",
            vec![key.into()],
        ))
        .into_iter()
        .next()
    }

    fn set_meta(&self, database: &str, key: &str, value: &str) {
        rows(
            database,
            "UPDATE alipay_isv_meta SET value = ? WHERE `key` = ?",
            vec![value.into(), key.into()],
        );
    }

    fn stored_token(&self, database: &str) -> Vec<u8> {
        let mut found = rows(
            database,
            "SELECT app_auth_token FROM alipay_isv_authorisations LIMIT 1",
            Vec::new(),
        );
        mysql_async::from_value(found.remove(0).unwrap().remove(0))
    }

    fn kill_connections(&self, database: &str) -> usize {
        let ids: Vec<u64> = rows(
            database,
            "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
            vec![database.into()],
        )
        .into_iter()
        .map(|row| mysql_async::from_value(row.unwrap().remove(0)))
        .collect();
        let count = ids.len();
        admin(database, move |conn| {
            Box::pin(async move {
                for id in ids {
                    // A connection that ended meanwhile is no error here.
                    let _ = conn.query_drop(format!("KILL CONNECTION {id}")).await;
                }
                Ok(())
            })
        });
        count
    }

    fn foreign_setups(&self) -> Vec<(Vec<&'static str>, &'static str)> {
        vec![
            (
                vec!["CREATE TABLE alipay_isv_orders (id INTEGER PRIMARY KEY)"],
                "no alipay_isv_meta marking them",
            ),
            (
                vec![
                    "CREATE TABLE alipay_isv_meta (`key` VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
                    "INSERT INTO alipay_isv_meta VALUES ('application', 'someone-else')",
                ],
                "marked as the database of `someone-else`",
            ),
            (
                vec!["CREATE TABLE alipay_isv_meta (name TEXT)"],
                "that is not an alipay-isv registry's",
            ),
            (
                vec![
                    "CREATE TABLE alipay_isv_meta (`key` VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
                    "INSERT INTO alipay_isv_meta VALUES ('schema_version', '1')",
                ],
                "without the alipay-isv registry's marker",
            ),
        ]
    }

    fn tls_params(&self, ca: &str) -> [String; 4] {
        [
            format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
            "ssl-mode=VERIFY_IDENTITY".to_string(),
            "ssl-mode=REQUIRED".to_string(),
            "ssl-mode=sometimes".to_string(),
        ]
    }

    fn missing_database(&self) -> (String, String) {
        // A name the test user may use (so the server says it does not exist, not that it is denied).
        let url = self.base_url();
        let name = format!("{}_nosuch", database_of(&url));
        (with_database(&url, &name), name)
    }

    fn uncompiled_url(&self) -> Option<&'static str> {
        (!cfg!(feature = "postgres")).then_some("postgres://isv:secret@127.0.0.1/registry")
    }
}

store_tests!(Mysql);

#[test]
fn keys_longer_than_their_columns_are_refused_before_anything_is_written() {
    let (database, url) = Mysql.fresh("long");
    let store = MysqlStore::open(&url, None).unwrap();
    let long = "n".repeat(256);
    let error = store.record_notification(&long).unwrap_err();
    assert!(
        error.reason().contains("256 bytes long") && error.reason().contains("nothing was written"),
        "{error}"
    );
    let error = store
        .update(
            "2021000000000001",
            "2021004200000001",
            Some(&long),
            &mut |_| panic!("no decision for a notification that cannot be journaled"),
        )
        .unwrap_err();
    assert_eq!(error.kind(), "store");
    assert_eq!(
        store.notification_state(&long).unwrap(),
        NotificationState::New
    );
    // At the limit, it fits.
    assert!(store.record_notification(&"n".repeat(255)).unwrap());
    let error = store
        .update("2021000000000001", &"7".repeat(300), None, &mut |_| {
            Ok(Decision::Keep)
        })
        .unwrap_err();
    assert!(error.reason().contains("auth_app_id"), "{error}");
    assert!(store.list().unwrap().is_empty());
    drop(store);
    Mysql.drop_namespace(&database);
}

#[test]
fn concurrent_creators_of_neighbouring_records_all_succeed() {
    // Under REPEATABLE READ, writers creating records in the same gap of the index would deadlock on
    // their inserts; at READ COMMITTED with a named lock per new record, every one succeeds (a deadlock
    // victim, if any, runs again).
    let (database, url) = Mysql.fresh("gaps");
    let store = Arc::new(
        MysqlStore::open_with(
            &url,
            None,
            MysqlOptions {
                pool_max_size: 8,
                ..MysqlOptions::default()
            },
        )
        .unwrap(),
    );
    const THREADS: usize = 8;
    const RECORDS: usize = 40;
    thread::scope(|scope| {
        for thread in 0..THREADS {
            let store = &store;
            scope.spawn(move || {
                for index in 0..RECORDS {
                    // Interleaved keys: neighbours in the index belong to different threads.
                    let auth_app_id = format!("20210042{:08}", index * THREADS + thread);
                    let written = store
                        .update(
                            "2021000000000001",
                            &auth_app_id,
                            Some(&format!("gap-{auth_app_id}")),
                            &mut |current| {
                                assert!(current.is_none());
                                let mut record = sample(&auth_app_id);
                                record.app_auth_token = format!("token-{auth_app_id}");
                                Ok(Decision::Write(Box::new(record)))
                            },
                        )
                        .unwrap();
                    assert!(matches!(written, UpdateResult::Written(_)));
                }
            });
        }
    });
    assert_eq!(store.list().unwrap().len(), THREADS * RECORDS);
    drop(store);
    Mysql.drop_namespace(&database);
}
