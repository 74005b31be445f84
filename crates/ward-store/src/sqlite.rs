//! The embedded SQLite store: WAL, `synchronous=FULL`, one writer connection owned by a task
//! that commits queued writes in batches (group commit), and a pool of read-only readers.
//!
//! A batch is one `BEGIN IMMEDIATE ... COMMIT`; each write inside it runs under its own
//! savepoint, so a failing write is rolled back alone. Callers get their result only after the
//! batch's commit returned, so an acknowledged write is on disk.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{mpsc, oneshot};
use ward_core::audit::ChainHasher;

use crate::{StoreError, StoreResult};

mod queries {
    crate::queries::define_queries!(sqlx::SqliteConnection, None);
}

/// Most writes one transaction takes.
const MAX_BATCH: usize = 512;
const QUEUE_DEPTH: usize = 8192;
const READERS: u32 = 4;

/// SQLite behind the [`Store`](crate::Store) traits.
#[derive(Debug)]
pub(crate) struct SqliteStore {
    writer: mpsc::Sender<Command>,
    readers: SqlitePool,
    hasher: Arc<dyn ChainHasher>,
}

impl SqliteStore {
    pub(crate) async fn open(path: &Path, hasher: Arc<dyn ChainHasher>) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .disable_statement_logging();
        // The writer never checkpoints (that would stall the commits queued behind it); a
        // separate connection copies the WAL into the database in the background.
        let mut conn = options
            .clone()
            .pragma("wal_autocheckpoint", "0")
            .connect()
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
        for role in ward_core::role::builtin_roles() {
            queries::seed_role(&mut conn, &role).await?;
        }
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options.clone().read_only(true))
            .await?;
        let (writer, jobs) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run_writer(conn, jobs));
        tokio::spawn(run_checkpointer(options.connect().await?, writer.clone()));
        Ok(Self {
            writer,
            readers,
            hasher,
        })
    }

    /// Runs `f` in the next batch transaction and returns its result after the commit.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let (reply, result) = oneshot::channel();
        let job = TypedJob {
            f: Some(f),
            out: None,
            reply: Some(reply),
        };
        self.writer
            .send(Command::Job(Box::new(job)))
            .await
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on a reader connection.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>> + Send,
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
        self.read(|c| Box::pin(queries::ping(c))).await
    }

    async fn close(&self) {
        // Readers first, so that the writer is the last connection: it checkpoints the WAL
        // into the database file as it closes.
        self.readers.close().await;
        let (done, stopped) = oneshot::channel();
        if self.writer.send(Command::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

mod messaging_queries {
    crate::queries_messaging::define_messaging_queries!(sqlx::SqliteConnection, None);
}

mod messaging_traits {
    crate::store_impl_messaging::impl_messaging_store!(
        super::SqliteStore,
        super::messaging_queries,
        super::queries
    );
}

mod store_traits {
    crate::store_impl::impl_store!(super::SqliteStore, super::queries);
}

enum Command {
    Job(Box<dyn Job>),
    Stop(oneshot::Sender<()>),
}

/// One queued write: run inside the batch, then told whether the batch committed.
trait Job: Send {
    /// Runs the write; true if it succeeded (and its savepoint should be kept).
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool>;
    /// Delivers the result: the write's own, or the commit's failure.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

struct TypedJob<F, T> {
    f: Option<F>,
    out: Option<StoreResult<T>>,
    reply: Option<oneshot::Sender<StoreResult<T>>>,
}

impl<F, T> Job for TypedJob<F, T>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(f) = self.f.take() else { return false };
            let out = f(conn).await;
            let ok = out.is_ok();
            self.out = Some(out);
            ok
        })
    }

    fn finish(mut self: Box<Self>, commit: Result<(), StoreError>) {
        let result = match (commit, self.out.take()) {
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(ok)) => ok,
            (Err(e), _) => Err(e),
            (Ok(()), None) => Err(StoreError::Closed),
        };
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(result);
        }
    }
}

async fn run_writer(mut conn: SqliteConnection, mut commands: mpsc::Receiver<Command>) {
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let Some(first) = commands.recv().await else {
            break;
        };
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                Command::Job(job) => batch.push(job),
                Command::Stop(done) => {
                    stop = Some(done);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = commands.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, batch).await;
        }
    }
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
    {
        tracing::warn!(error = %e, "checkpointing the SQLite WAL failed");
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the SQLite writer failed");
    }
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// How often the WAL is copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the WAL without blocking the writer or the readers, until the writer stops.
async fn run_checkpointer(mut conn: SqliteConnection, writer: mpsc::Sender<Command>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    while !writer.is_closed() {
        tick.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "checkpointing the SQLite WAL failed");
        }
    }
    let _ = conn.close().await;
}

async fn commit_batch(conn: &mut SqliteConnection, mut batch: Vec<Box<dyn Job>>) {
    let commit = run_batch(conn, &mut batch).await;
    if commit.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    for job in batch {
        job.finish(commit.clone());
    }
}

async fn run_batch(conn: &mut SqliteConnection, batch: &mut [Box<dyn Job>]) -> StoreResult<()> {
    // Savepoint statements are sent together with their neighbours, one round trip to the
    // SQLite thread between jobs instead of three.
    sqlx::raw_sql("BEGIN IMMEDIATE; SAVEPOINT job")
        .execute(&mut *conn)
        .await?;
    for job in batch.iter_mut() {
        let next = if job.run(conn).await {
            "RELEASE job; SAVEPOINT job"
        } else {
            "ROLLBACK TO job; RELEASE job; SAVEPOINT job"
        };
        sqlx::raw_sql(next).execute(&mut *conn).await?;
    }
    sqlx::raw_sql("RELEASE job; COMMIT")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
