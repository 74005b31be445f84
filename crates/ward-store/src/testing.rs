//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database (and a
//! second one for its data keys) created on the server named by `WARD_TEST_PG_URL` and dropped
//! by [`TestDatabase::drop_database`].
//!
//! When PostgreSQL cannot be reached, [`TestDatabase::postgres`] returns `None` (the test is
//! skipped with a note) unless `WARD_REQUIRE_PG` is set, as it is in CI, where it panics.

use sqlx::{Connection, PgConnection};

use crate::StoreConfig;

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists only for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub config: StoreConfig,
    /// Keeps the SQLite directory alive.
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDatabase {
    /// A new SQLite database in a temporary directory.
    pub fn sqlite() -> std::io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("ward.db");
        Ok(Self {
            config: StoreConfig::Sqlite {
                path,
                key_dir: dir.path().join("keys"),
            },
            dir,
            pg: None,
        })
    }

    /// A new, empty PostgreSQL database; `None` if PostgreSQL is not reachable and not required.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("WARD_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.into());
        let required = std::env::var_os("WARD_REQUIRE_PG").is_some_and(|v| !v.is_empty());
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(e) if required => panic!("PostgreSQL is required but unreachable: {e}"),
            Err(e) => {
                eprintln!("skipping the PostgreSQL half of this test: {e}");
                return None;
            }
        };
        let name = format!("ward_test_{}", uuid::Uuid::new_v4().simple());
        let key_name = format!("{name}_keys");
        for database in [&name, &key_name] {
            let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
                .execute(&mut admin)
                .await;
            if let Err(e) = created {
                assert!(!required, "cannot create a test database: {e}");
                eprintln!("skipping the PostgreSQL half of this test: {e}");
                return None;
            }
        }
        let _ = admin.close().await;
        let url_of = |database: &str| match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{database}"),
            None => format!("{admin_url}/{database}"),
        };
        let dir = tempfile::tempdir().ok()?;
        let key_dir = dir.path().join("keys");
        Some(Self {
            config: StoreConfig::Postgres {
                url: url_of(&name),
                max_connections: 8,
                key_store_url: Some(url_of(&key_name)),
                key_dir,
            },
            dir,
            pg: Some((admin_url, name)),
        })
    }

    /// Drops the PostgreSQL database (SQLite's goes with the directory).
    pub async fn drop_database(self) {
        if let Some((admin_url, name)) = &self.pg
            && let Ok(mut admin) = PgConnection::connect(admin_url).await
        {
            for database in [name.clone(), format!("{name}_keys")] {
                let sql = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await;
            }
            let _ = admin.close().await;
        }
    }
}
