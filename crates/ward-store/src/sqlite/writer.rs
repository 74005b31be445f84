//! The SQLite writer: one thread owns the only write connection and commits queued writes in
//! batches (group commit).
//!
//! A batch is one `BEGIN IMMEDIATE ... COMMIT`; each write inside it runs under its own
//! savepoint, so a failing write is rolled back alone. Callers get their result only after the
//! batch's commit returned, so an acknowledged write is on disk (`synchronous=FULL`).
//!
//! The statements run on this thread by direct calls into SQLite (rusqlite): a message's
//! transaction costs microseconds of CPU rather than a thread hop per statement.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};

use crate::group_commit::{Command, Queue, Reply, take_batch};
use crate::{StoreError, StoreResult, WriteStats};

/// Most writes one transaction takes.
const MAX_BATCH: usize = 512;
const QUEUE_DEPTH: usize = 8192;
/// Distinct statements the connection keeps prepared.
const STATEMENT_CACHE: usize = 128;

/// The handle to the writer thread.
#[derive(Debug)]
pub(crate) struct Writer {
    queue: Queue<Box<dyn Job>>,
}

type Commands = Command<Box<dyn Job>>;

impl Writer {
    /// Opens the write connection to an existing, migrated database and starts the thread.
    pub(crate) fn start(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // The writer never checkpoints (that would stall the commits queued behind it); a
        // separate connection copies the WAL into the database in the background.
        // Savepoint journals stay in memory (`temp_store`), and the hot pages of the tables'
        // tails and indexes stay cached (`cache_size`, in KiB when negative). Content a
        // write frees inside a page is zeroed (`secure_delete = FAST`: no extra I/O), so a
        // value rewritten in place (a patient account's name sealed at start) leaves no copy
        // of the old bytes in the page.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY; \
             PRAGMA cache_size = -65536; PRAGMA secure_delete = FAST;",
        )?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let (queue, commands) = Queue::new(QUEUE_DEPTH);
        let stats = queue.stats();
        std::thread::Builder::new()
            .name("ward-sqlite-writer".to_owned())
            .spawn(move || run(conn, commands, &stats))
            .map_err(|_| StoreError::Closed)?;
        Ok(Self { queue })
    }

    /// Batches and writes committed so far.
    pub(crate) fn stats(&self) -> Arc<WriteStats> {
        self.queue.stats()
    }

    /// Runs `f` in the next batch transaction and returns its result after the commit.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (reply, result) = Reply::new();
        let job = TypedJob { f: Some(f), reply };
        self.queue.submit(Box::new(job), result).await
    }

    /// A handle that does not keep the writer running.
    pub(crate) fn watch(&self) -> WriterWatch {
        WriterWatch(self.queue.downgrade())
    }

    /// Lets queued writes finish, checkpoints the WAL into the database and stops the thread.
    pub(crate) async fn stop(&self) {
        self.queue.stop().await;
    }
}

/// Tells whether the writer has stopped, without keeping it alive: the thread ends when the
/// store stops it or when the last [`Writer`] is dropped.
pub(crate) struct WriterWatch(mpsc::WeakSender<Commands>);

impl WriterWatch {
    /// True once the thread has stopped or is about to.
    pub(crate) fn is_closed(&self) -> bool {
        self.0.upgrade().is_none_or(|commands| commands.is_closed())
    }
}

/// One queued write: run inside the batch, then told whether the batch committed.
trait Job: Send {
    /// Runs the write; true if it succeeded (and its savepoint should be kept).
    fn run(&mut self, conn: &mut Connection) -> bool;
    /// Delivers the result: the write's own, or the commit's failure.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

struct TypedJob<F, T> {
    f: Option<F>,
    reply: Reply<T>,
}

impl<F, T> Job for TypedJob<F, T>
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
{
    fn run(&mut self, conn: &mut Connection) -> bool {
        let Some(f) = self.f.take() else { return false };
        // Statements on this connection never wait (see `crate::exec::sqlite`), so the future
        // is ready at once.
        let out = f(conn).now_or_never().unwrap_or_else(|| {
            tracing::error!("a SQLite write waited on something; it was abandoned");
            Err(StoreError::Closed)
        });
        self.reply.keep(out)
    }

    fn finish(mut self: Box<Self>, commit: Result<(), StoreError>) {
        self.reply.send(commit);
    }
}

fn run(mut conn: Connection, mut commands: mpsc::Receiver<Commands>, stats: &WriteStats) {
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let Some(first) = commands.blocking_recv() else {
            break;
        };
        let (batch, stopping) = take_batch(first, &mut commands, MAX_BATCH);
        stop = stopping;
        if !batch.is_empty() {
            stats.record(batch.len());
            commit_batch(&mut conn, batch);
        }
    }
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "checkpointing the SQLite WAL failed");
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(error = %e, "closing the SQLite writer failed");
    }
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

fn commit_batch(conn: &mut Connection, mut batch: Vec<Box<dyn Job>>) {
    let commit = run_batch(conn, &mut batch);
    if commit.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for job in batch {
        job.finish(commit.clone());
    }
}

fn run_batch(conn: &mut Connection, batch: &mut [Box<dyn Job>]) -> StoreResult<()> {
    statement(conn, "BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        statement(conn, "SAVEPOINT job")?;
        if !job.run(conn) {
            statement(conn, "ROLLBACK TO job")?;
        }
        statement(conn, "RELEASE job")?;
    }
    statement(conn, "COMMIT")
}

fn statement(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}
