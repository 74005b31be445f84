//! The key vault of the embedded backend: the wrapped data keys, in their own SQLite file in
//! the key directory, apart from the database that backups copy. A backup therefore holds no
//! data key, and restoring one needs the live vault, where retention's deletion of a key is
//! final: what a destroyed key sealed stays unreadable in every backup.
//!
//! The file runs with `secure_delete` (a deleted key's bytes are overwritten in place) and a
//! rollback journal, never a WAL that would keep old pages. Key operations are rare (keys are
//! cached above), so each runs on a blocking thread over one connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};

use crate::rows::DataKeyRow;
use crate::{StoreError, StoreResult, sql};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS data_keys (
    scope_kind  TEXT NOT NULL,
    scope_id    BLOB NOT NULL,
    epoch       INTEGER NOT NULL,
    root_key_id TEXT NOT NULL,
    wrapped     BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, epoch)
) STRICT";

/// The vault file's name inside the key directory.
pub const VAULT_FILE: &str = "data-keys.db";

/// Wrapped data keys in their own file.
#[derive(Debug, Clone)]
pub struct KeyVault {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl KeyVault {
    /// Opens (creating if needed) the vault in `key_dir`.
    pub fn open(key_dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(key_dir).map_err(|_| StoreError::Corrupt("key directory"))?;
        let path = key_dir.join(VAULT_FILE);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Where the vault file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| StoreError::Closed)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }

    pub async fn get(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<Option<DataKeyRecord>> {
        self.run(move |c| get(c, scope, epoch)).await
    }

    /// Keeps a new key unless one exists for its scope and epoch; the one kept.
    pub async fn insert(&self, record: DataKeyRecord) -> StoreResult<DataKeyRecord> {
        self.run(move |c| {
            c.execute(
                sql::INSERT_DATA_KEY,
                params![
                    record.scope.kind(),
                    record.scope.id(),
                    record.epoch.index(),
                    record.wrapped.root_key_id,
                    record.wrapped.ciphertext,
                    record.created_at.as_micros()
                ],
            )?;
            get(c, record.scope, record.epoch)?.ok_or(StoreError::NotFound("data key"))
        })
        .await
    }

    pub async fn all(&self) -> StoreResult<Vec<DataKeyRecord>> {
        self.run(|c| {
            let mut statement = c.prepare(
                "SELECT scope_kind, scope_id, epoch, root_key_id, wrapped, created_at \
                 FROM data_keys ORDER BY scope_kind, scope_id, epoch",
            )?;
            let rows = statement.query_map([], row)?;
            rows.map(|r| r?.try_into()).collect()
        })
        .await
    }

    /// Replaces the wrapping of existing keys, all in one transaction.
    pub async fn replace(&self, records: Vec<DataKeyRecord>) -> StoreResult<()> {
        self.run(move |c| {
            let tx = c.transaction()?;
            for r in &records {
                let changed = tx.execute(
                    sql::UPDATE_WRAPPED_KEY,
                    params![
                        r.wrapped.root_key_id,
                        r.wrapped.ciphertext,
                        r.scope.kind(),
                        r.scope.id(),
                        r.epoch.index()
                    ],
                )?;
                if changed == 0 {
                    return Err(StoreError::NotFound("data key"));
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Destroys a key; true if there was one.
    pub async fn destroy(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<bool> {
        self.run(move |c| {
            let deleted = c.execute(
                "DELETE FROM data_keys WHERE scope_kind = ?1 AND scope_id = ?2 AND epoch = ?3",
                params![scope.kind(), scope.id(), epoch.index()],
            )?;
            Ok(deleted > 0)
        })
        .await
    }
}

fn get(c: &Connection, scope: KeyScope, epoch: Epoch) -> StoreResult<Option<DataKeyRecord>> {
    let found: Option<DataKeyRow> = c
        .query_row(
            sql::DATA_KEY,
            params![scope.kind(), scope.id(), epoch.index()],
            row,
        )
        .optional()?;
    found.map(DataKeyRecord::try_from).transpose()
}

fn row(r: &Row<'_>) -> rusqlite::Result<DataKeyRow> {
    Ok(DataKeyRow {
        scope_kind: r.get(0)?,
        scope_id: r.get::<_, Uuid>(1)?,
        epoch: r.get(2)?,
        root_key_id: r.get(3)?,
        wrapped: r.get(4)?,
        created_at: r.get(5)?,
    })
}
