//! The PostgreSQL store against a real server: the cases every server store passes
//! ([`sql_store_cases`], the same test code as MySQL's), with PostgreSQL's setup — each test in schemas
//! of its own (`options=-csearch_path=…`, connections named after the schema so a test can terminate
//! them), so the tests run in parallel in one database.
//!
//! The server: `scripts/services/postgres.sh start` prints its URL; export it as
//! `ALIPAY_ISV_TEST_POSTGRES_URL` (and `ALIPAY_ISV_TEST_POSTGRES_CA`, the CA of its TLS certificate, from
//! `target/services/postgres/env`). `scripts/test-rust.sh` does both.

mod sql_store_cases;

use alipay_isv::Result;
use alipay_isv::registry::{PostgresOptions, PostgresStore, TokenKey};
use sql_store_cases::{Backend, random_suffix, service_env, store_tests, with_param};

struct Postgres;

/// A direct connection to the test database, for setting up and inspecting.
fn admin() -> postgres::Client {
    postgres::Client::connect(&Postgres.base_url(), postgres::NoTls)
        .expect("the test server answers")
}

impl Backend for Postgres {
    type Store = PostgresStore;

    fn base_url(&self) -> String {
        service_env("ALIPAY_ISV_TEST_POSTGRES_URL", "postgres", "PostgreSQL")
    }

    fn ca_file(&self) -> String {
        service_env("ALIPAY_ISV_TEST_POSTGRES_CA", "postgres", "PostgreSQL")
    }

    fn open(&self, url: &str, key: Option<TokenKey>) -> Result<PostgresStore> {
        PostgresStore::open(url, key)
    }

    fn open_pooled(&self, url: &str, max_size: usize) -> Result<PostgresStore> {
        PostgresStore::open_with(
            url,
            None,
            PostgresOptions {
                pool_max_size: max_size,
                ..PostgresOptions::default()
            },
        )
    }

    fn is_encrypted(&self, store: &PostgresStore) -> bool {
        store.is_encrypted()
    }

    fn open_connections(&self, store: &PostgresStore) -> usize {
        store.open_connections()
    }

    fn fresh(&self, name: &str) -> (String, String) {
        let schema = format!("t_{name}_{}", random_suffix());
        admin()
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let url = with_param(
            &self.base_url(),
            &format!("options=-csearch_path%3D{schema}&application_name={schema}"),
        );
        (schema, url)
    }

    fn drop_namespace(&self, schema: &str) {
        let _ = admin().batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }

    fn tables(&self, schema: &str) -> Vec<String> {
        admin()
            .query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 \
                 ORDER BY table_name",
                &[&schema],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    }

    fn execute(&self, schema: &str, statements: &[&str]) {
        admin()
            .batch_execute(&format!(
                "SET search_path = {schema}; {}",
                statements.join("; ")
            ))
            .unwrap();
    }

    fn meta(&self, schema: &str, key: &str) -> Option<String> {
        admin()
            .query_opt(
                &format!("SELECT value FROM {schema}.alipay_isv_meta WHERE key = $1"),
                &[&key],
            )
            .unwrap()
            .map(|row| row.get(0))
    }

    fn set_meta(&self, schema: &str, key: &str, value: &str) {
        admin()
            .execute(
                &format!("UPDATE {schema}.alipay_isv_meta SET value = $2 WHERE key = $1"),
                &[&key, &value],
            )
            .unwrap();
    }

    fn stored_token(&self, schema: &str) -> Vec<u8> {
        admin()
            .query_one(
                &format!("SELECT app_auth_token FROM {schema}.alipay_isv_authorisations LIMIT 1"),
                &[],
            )
            .unwrap()
            .get(0)
    }

    fn kill_connections(&self, schema: &str) -> usize {
        let killed: i64 = admin()
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE application_name = $1",
                &[&schema],
            )
            .unwrap()
            .get(0);
        usize::try_from(killed).unwrap()
    }

    fn foreign_setups(&self) -> Vec<(Vec<&'static str>, &'static str)> {
        vec![
            (
                vec!["CREATE TABLE alipay_isv_orders (id INTEGER PRIMARY KEY)"],
                "no alipay_isv_meta marking them",
            ),
            (
                vec![
                    "CREATE TABLE alipay_isv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
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
                    "CREATE TABLE alipay_isv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                    "INSERT INTO alipay_isv_meta VALUES ('schema_version', '1')",
                ],
                "without the alipay-isv registry's marker",
            ),
        ]
    }

    fn tls_params(&self, ca: &str) -> [String; 4] {
        [
            format!("sslmode=verify-full&sslrootcert={ca}"),
            "sslmode=verify-full".to_string(),
            "sslmode=require".to_string(),
            "sslmode=sometimes".to_string(),
        ]
    }

    fn missing_database(&self) -> (String, String) {
        let url = self.base_url();
        let database = url.rsplit('/').next().unwrap().split('?').next().unwrap();
        (
            url.replacen(&format!("/{database}"), "/no_such_registry", 1),
            "no_such_registry".to_string(),
        )
    }

    fn uncompiled_url(&self) -> Option<&'static str> {
        (!cfg!(feature = "mysql")).then_some("mysql://isv:secret@127.0.0.1/registry")
    }
}

store_tests!(Postgres);
