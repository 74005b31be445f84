//! The PostgreSQL store, for deployments with several nodes. Each node's writes go through one
//! [`writer::Writer`], which commits them in batches (group commit); audit and event appends
//! are ordered by a transaction-scoped advisory lock ([`Dialect`](crate::exec::Dialect)), so
//! the chain and the event log stay linear across nodes.

mod key_vault;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use ward_core::audit::ChainHasher;

use crate::StoreResult;
use crate::backend::Backend;
use crate::ops;
use crate::write_health::WriteHealth;

/// How long a request waits for a database connection before it is told to try again (503):
/// the pool is exhausted, or the database does not answer.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// PostgreSQL behind the [`Store`](crate::Store) traits. Writes go to the node's writer, which
/// has a connection of its own, so reads (sign-ins, sync, pages) never wait behind them.
#[derive(Debug)]
pub(crate) struct PgStore {
    pool: PgPool,
    writer: writer::Writer,
    hasher: Arc<dyn ChainHasher>,
    keys: key_vault::PgKeyVault,
    /// Whether the latest write failed for lack of space.
    health: WriteHealth,
}

impl PgStore {
    pub(crate) async fn open(
        url: &str,
        max_connections: u32,
        key_store_url: Option<&str>,
        key_dir: &std::path::Path,
        hasher: Arc<dyn ChainHasher>,
    ) -> StoreResult<Self> {
        let options: PgConnectOptions =
            url.parse::<PgConnectOptions>()?.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        let writer_connection = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let mut conn = pool.acquire().await?;
        for role in ward_core::role::builtin_roles() {
            ops::identity::seed_role(&mut *conn, &role).await?;
        }
        drop(conn);
        let keys = key_vault::PgKeyVault::open(&pool, key_store_url, key_dir).await?;
        Ok(Self {
            pool,
            writer: writer::Writer::start(writer_connection),
            hasher,
            keys,
            health: WriteHealth::default(),
        })
    }
}

impl Backend for PgStore {
    type Writer = PgConnection;
    type Reader = PgConnection;

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
        let mut conn = self.pool.acquire().await?;
        f(&mut conn).await
    }
}

#[async_trait::async_trait]
impl crate::Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        if self.health.full() {
            self.write(|c| Box::pin(crate::write_health::probe_write(c)))
                .await?;
        }
        self.read(|c| Box::pin(ops::identity::ping(c))).await?;
        self.keys.ping().await
    }

    fn write_stats(&self) -> Arc<crate::WriteStats> {
        self.writer.stats()
    }

    async fn close(&self) {
        self.keys.close().await;
        self.writer.stop().await;
        self.pool.close().await;
    }
}

mod key_traits {
    use async_trait::async_trait;
    use ward_core::audit::{AuditAnchor, NewAuditEvent};
    use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};

    use crate::{AuditStore, KeyStore, StoreResult};

    /// The keys live in the key vault: a database of their own when configured.
    #[async_trait]
    impl KeyStore for super::PgStore {
        async fn data_key(
            &self,
            scope: KeyScope,
            epoch: Epoch,
        ) -> StoreResult<Option<DataKeyRecord>> {
            self.keys.get(scope, epoch).await
        }

        async fn insert_data_key(&self, record: &DataKeyRecord) -> StoreResult<DataKeyRecord> {
            self.keys.insert(record).await
        }

        async fn data_keys(&self) -> StoreResult<Vec<DataKeyRecord>> {
            self.keys.all().await
        }

        async fn replace_wrapped_keys(
            &self,
            records: &[DataKeyRecord],
            audit: NewAuditEvent,
        ) -> StoreResult<()> {
            self.keys.replace(records.to_vec()).await?;
            self.append_audit(audit).await.map(drop)
        }

        async fn destroy_data_key(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<()> {
            self.keys.destroy(scope, epoch).await
        }

        async fn audit_anchor(&self) -> StoreResult<Option<AuditAnchor>> {
            self.keys.audit_anchor().await
        }

        async fn keep_audit_anchor(&self, anchor: &AuditAnchor) -> StoreResult<AuditAnchor> {
            self.keys.keep_audit_anchor(anchor).await
        }

        async fn forget_audit_checkpoint(&self) -> StoreResult<bool> {
            self.keys.forget_audit_checkpoint().await
        }
    }
}
