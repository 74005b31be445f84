//! The embedded SQLite store: WAL, `synchronous=FULL`, one writer thread that commits queued
//! writes in batches (group commit, see [`writer`]), and a pool of read-only readers.
//!
//! Reads go through sqlx; writes through rusqlite on the writer's own thread: the same
//! [`ops`](crate::ops) functions on either connection.
//!
//! The database file and the WAL and shared-memory files beside it are kept at mode 0600,
//! whatever the umask.

mod writer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use ward_core::audit::ChainHasher;

use crate::StoreResult;
use crate::backend::Backend;
use crate::ops;
use crate::vault::KeyVault;
use crate::write_health::WriteHealth;
use writer::{Writer, WriterWatch};

const READERS: u32 = 4;

/// SQLite behind the [`Store`](crate::Store) traits.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    writer: Writer,
    readers: SqlitePool,
    hasher: Arc<dyn ChainHasher>,
    /// The wrapped data keys, in their own file.
    vault: KeyVault,
    /// Stops the background checkpointer, which must be gone before the writer's final
    /// checkpoint (two checkpoints at once make the second fail).
    checkpointer: std::sync::Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
    /// Whether the latest write failed for lack of space.
    health: WriteHealth,
}

impl SqliteStore {
    pub(crate) async fn open(
        path: &Path,
        key_dir: &Path,
        hasher: Arc<dyn ChainHasher>,
    ) -> StoreResult<Self> {
        let vault = KeyVault::open(key_dir)?;
        // Mode 0600 before SQLite opens it: the WAL and shared-memory files it makes beside
        // the database take the database file's mode.
        crate::vault::make_private(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .disable_statement_logging();
        let mut conn = options.connect().await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
        for role in ward_core::role::builtin_roles() {
            ops::identity::seed_role(&mut conn, &role).await?;
        }
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.clone().read_only(true))
            .await?;
        let writer = Writer::start(path)?;
        crate::vault::tighten_companions(path)?;
        let (stop, stopped) = oneshot::channel();
        let checkpointer = tokio::spawn(run_checkpointer(conn, writer.watch(), stopped));
        let store = Self {
            writer,
            readers,
            hasher,
            vault,
            checkpointer: std::sync::Mutex::new(Some((stop, checkpointer))),
            health: WriteHealth::default(),
        };
        store.move_keys_to_vault().await?;
        Ok(store)
    }

    /// Moves data keys that an earlier version kept in the database into the vault (copied
    /// first, then deleted), so a backup of the database carries none.
    async fn move_keys_to_vault(&self) -> StoreResult<()> {
        let legacy = self.read(|c| Box::pin(ops::keys::all_data_keys(c))).await?;
        if legacy.is_empty() {
            return Ok(());
        }
        for record in legacy {
            self.vault.insert(record).await?;
        }
        self.write(|c| Box::pin(ops::keys::delete_all_data_keys(c)))
            .await
    }
}

impl Backend for SqliteStore {
    type Writer = rusqlite::Connection;
    type Reader = SqliteConnection;

    fn hasher(&self) -> Arc<dyn ChainHasher> {
        Arc::clone(&self.hasher)
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Writer) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let result = self.writer.write(f).await;
        self.health.observe(&result);
        result
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut Self::Reader) -> BoxFuture<'c, StoreResult<T>> + Send,
    {
        let mut conn = self.readers.acquire().await?;
        f(&mut conn).await
    }
}

#[async_trait::async_trait]
impl crate::Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        if self.health.full() {
            self.write(|c| Box::pin(crate::write_health::probe_write(c)))
                .await?;
        }
        self.read(|c| Box::pin(ops::identity::ping(c))).await
    }

    fn write_stats(&self) -> Arc<crate::WriteStats> {
        self.writer.stats()
    }

    async fn close(&self) {
        // The checkpointer and readers first, so that the writer is the last connection: it
        // checkpoints the WAL into the database file as it closes.
        let checkpointer = self.checkpointer.lock().ok().and_then(|mut c| c.take());
        if let Some((stop, task)) = checkpointer {
            let _ = stop.send(());
            let _ = task.await;
        }
        self.readers.close().await;
        self.writer.stop().await;
    }
}

/// How often the WAL is copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the WAL without blocking the writer or the readers, until the writer stops.
async fn run_checkpointer(
    mut conn: SqliteConnection,
    writer: WriterWatch,
    mut stop: oneshot::Receiver<()>,
) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    while !writer.is_closed() {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {}
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "checkpointing the SQLite WAL failed");
        }
    }
    let _ = conn.close().await;
}

mod key_traits {
    use async_trait::async_trait;
    use ward_core::audit::{AuditAnchor, NewAuditEvent};
    use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};

    use crate::{AuditStore, KeyStore, StoreResult};

    /// The keys live in the vault, not in the database.
    #[async_trait]
    impl KeyStore for super::SqliteStore {
        async fn data_key(
            &self,
            scope: KeyScope,
            epoch: Epoch,
        ) -> StoreResult<Option<DataKeyRecord>> {
            self.vault.get(scope, epoch).await
        }

        async fn insert_data_key(&self, record: &DataKeyRecord) -> StoreResult<DataKeyRecord> {
            self.vault.insert(record.clone()).await
        }

        async fn data_keys(&self) -> StoreResult<Vec<DataKeyRecord>> {
            self.vault.all().await
        }

        async fn replace_wrapped_keys(
            &self,
            records: &[DataKeyRecord],
            audit: NewAuditEvent,
        ) -> StoreResult<()> {
            self.vault.replace(records.to_vec()).await?;
            self.append_audit(audit).await.map(drop)
        }

        async fn destroy_data_key(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<()> {
            self.vault.destroy(scope, epoch).await.map(drop)
        }

        async fn audit_anchor(&self) -> StoreResult<Option<AuditAnchor>> {
            self.vault.audit_anchor().await
        }

        async fn keep_audit_anchor(&self, anchor: &AuditAnchor) -> StoreResult<AuditAnchor> {
            self.vault.keep_audit_anchor(anchor).await
        }

        async fn forget_audit_checkpoint(&self) -> StoreResult<bool> {
            self.vault.forget_audit_checkpoint().await
        }
    }
}
