//! Where PostgreSQL keeps the wrapped data keys: a database of their own (`key_store_url`) that
//! every node shares, apart from the database that `pg_dump` and PITR archive. A backup of the
//! main database then holds no data key, and retention's deletion of a key is final: what a
//! destroyed key sealed stays unreadable in every backup.
//!
//! The key database must live in its own PostgreSQL cluster without WAL archiving (a cluster's
//! WAL is shared by all its databases), made durable by streaming replication instead. After a
//! key is destroyed its table is rewritten (`VACUUM FULL`), so the key's bytes leave the table's
//! files rather than lingering in a dead tuple.
//!
//! Without `key_store_url` the keys stay in the main database's `data_keys` table, as before,
//! and the server warns at start that backups of that database hold them.
//!
//! The audit anchor (see `crate::anchor`) is kept in the key database's `audit_anchor` table,
//! or, without a key database, in a file of the key directory: never in the main database.

use std::path::Path;

use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection};
use ward_core::audit::AuditAnchor;
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};

use super::ACQUIRE_TIMEOUT;
use crate::anchor::{self, AnchorFile};
use crate::ops::keys;
use crate::{StoreError, StoreResult};

/// The key database's one table (the main database's migration creates the same).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS data_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    UUID NOT NULL,
    epoch       BIGINT NOT NULL,
    root_key_id TEXT NOT NULL,
    wrapped     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
)";

/// The wrapped data keys of a PostgreSQL deployment, and its audit anchor.
#[derive(Debug, Clone)]
pub(crate) struct PgKeyVault {
    pool: PgPool,
    /// The anchor file, without a key database; `None` keeps it in the key database's table.
    anchor_file: Option<AnchorFile>,
}

impl PgKeyVault {
    /// The vault in the key database at `url`, or in the main database's table (`main`) when
    /// there is none (the audit anchor then in a file of `key_dir`). Keys an earlier version
    /// kept in the main database move to the key database (copied first, then deleted).
    pub(crate) async fn open(
        main: &PgPool,
        url: Option<&str>,
        key_dir: &Path,
    ) -> StoreResult<Self> {
        let Some(url) = url else {
            tracing::warn!(
                "data keys are kept in the main PostgreSQL database: its backups can bring back \
                 keys that retention destroyed; set key_store_url to a separate key database"
            );
            return Ok(Self {
                pool: main.clone(),
                anchor_file: Some(AnchorFile::new(key_dir)),
            });
        };
        let options: PgConnectOptions =
            url.parse::<PgConnectOptions>()?.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        sqlx::query(SCHEMA).execute(&pool).await?;
        sqlx::query(anchor::PG_SCHEMA).execute(&pool).await?;
        let vault = Self {
            pool,
            anchor_file: None,
        };
        vault.move_keys_from(main).await?;
        Ok(vault)
    }

    async fn move_keys_from(&self, main: &PgPool) -> StoreResult<()> {
        let mut conn = main.acquire().await?;
        let legacy = keys::all_data_keys(&mut *conn).await?;
        if legacy.is_empty() {
            return Ok(());
        }
        for record in &legacy {
            self.insert(record).await?;
        }
        sqlx::query("DELETE FROM data_keys")
            .execute(&mut *conn)
            .await?;
        drop(conn);
        tracing::info!(
            keys = legacy.len(),
            "moved data keys from the main database to the key database"
        );
        rewrite_table(main).await
    }

    pub(crate) async fn get(
        &self,
        scope: KeyScope,
        epoch: Epoch,
    ) -> StoreResult<Option<DataKeyRecord>> {
        let mut conn = self.pool.acquire().await?;
        keys::data_key(&mut *conn, scope, epoch).await
    }

    /// Keeps a new key unless one exists for its scope and epoch; the one kept.
    pub(crate) async fn insert(&self, record: &DataKeyRecord) -> StoreResult<DataKeyRecord> {
        let record = record.clone();
        self.in_transaction(move |c| {
            Box::pin(async move { keys::insert_data_key(c, &record).await })
        })
        .await
    }

    pub(crate) async fn all(&self) -> StoreResult<Vec<DataKeyRecord>> {
        let mut conn = self.pool.acquire().await?;
        keys::all_data_keys(&mut *conn).await
    }

    /// Replaces the wrapping of existing keys, all or none.
    pub(crate) async fn replace(&self, records: Vec<DataKeyRecord>) -> StoreResult<()> {
        self.in_transaction(move |c| {
            Box::pin(async move {
                for record in &records {
                    keys::update_wrapped_key(c, record).await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// Destroys a key for good; nothing if there is none.
    pub(crate) async fn destroy(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        keys::delete_data_key(&mut *conn, scope, epoch).await?;
        drop(conn);
        rewrite_table(&self.pool).await
    }

    /// The audit anchor; `None` before the first.
    pub(crate) async fn audit_anchor(&self) -> StoreResult<Option<AuditAnchor>> {
        if let Some(file) = &self.anchor_file {
            return file.get().await;
        }
        let row: Option<anchor::Row> = sqlx::query_as(anchor::SELECT)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(anchor::from_row))
    }

    /// Keeps `new` if no anchor is kept, else moves the kept checkpoint forward to `new`'s if
    /// that is later (`keyed_from` never changes); the anchor kept.
    pub(crate) async fn keep_audit_anchor(&self, new: &AuditAnchor) -> StoreResult<AuditAnchor> {
        if let Some(file) = &self.anchor_file {
            return file.keep(new).await;
        }
        let row = anchor::to_row(new);
        sqlx::query(anchor::KEEP)
            .bind(row.0)
            .bind(row.1)
            .bind(row.2)
            .bind(row.3)
            .bind(row.4)
            .bind(row.5)
            .bind(row.6)
            .execute(&self.pool)
            .await?;
        self.audit_anchor()
            .await?
            .ok_or(StoreError::NotFound("audit anchor"))
    }

    /// Drops the anchor's checkpoint, keeping where the chain became keyed; true if there was
    /// one.
    pub(crate) async fn forget_audit_checkpoint(&self) -> StoreResult<bool> {
        if let Some(file) = &self.anchor_file {
            return file.forget_checkpoint().await;
        }
        let done = sqlx::query(anchor::FORGET_CHECKPOINT)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether the key database answers (readiness: nothing new can be sealed without it).
    pub(crate) async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    async fn in_transaction<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, StoreResult<T>> + Send,
    {
        let mut tx = self.pool.begin().await?;
        let out = f(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Rewrites `data_keys` into new files, so deleted keys' bytes do not stay behind in dead
/// tuples. The table is small and keys are cached above it, so the short exclusive lock is
/// harmless.
async fn rewrite_table(pool: &PgPool) -> StoreResult<()> {
    sqlx::query("VACUUM FULL data_keys").execute(pool).await?;
    Ok(())
}
