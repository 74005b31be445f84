//! The PostgreSQL writer: one task per node owns the write connection and commits queued
//! writes in batches (group commit), as the SQLite writer does.
//!
//! Every write that appends to the audit chain or the event log takes the ordering lock and
//! holds it until its commit, so writes on one database are serial whoever sends them. Run
//! one transaction each, they pay for the lock, a commit and its flush every time; run in
//! batches, one transaction waits for the lock once and flushes once for all the writes queued
//! while the previous batch committed. Each write inside a batch runs under its own savepoint,
//! so a failing write is rolled back alone; callers get their result only after the batch's
//! commit returned.

use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot};

use crate::group_commit::{Command, Queue, Reply, take_batch};
use crate::{StoreError, StoreResult, WriteStats};

/// Most writes one transaction takes.
const MAX_BATCH: usize = 256;
const QUEUE_DEPTH: usize = 8192;

/// The handle to the writer task.
#[derive(Debug)]
pub(crate) struct Writer {
    queue: Queue<Box<dyn Job>>,
}

impl Writer {
    /// Starts the task, which takes its connection from `pool` (one connection is enough).
    pub(crate) fn start(pool: PgPool) -> Self {
        let (queue, commands) = Queue::new(QUEUE_DEPTH);
        tokio::spawn(run(pool, commands, queue.stats()));
        Self { queue }
    }

    /// Batches and writes committed so far.
    pub(crate) fn stats(&self) -> Arc<WriteStats> {
        self.queue.stats()
    }

    /// Runs `f` in the next batch transaction and returns its result after the commit.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let (reply, result) = Reply::new();
        let job = TypedJob { f: Some(f), reply };
        self.queue.submit(Box::new(job), result).await
    }

    /// Lets queued writes finish and stops the task.
    pub(crate) async fn stop(&self) {
        self.queue.stop().await;
    }
}

/// One queued write: run inside the batch, then told whether the batch committed.
trait Job: Send {
    /// Runs the write; true if it succeeded (and its savepoint should be kept).
    fn run<'c>(&'c mut self, conn: &'c mut PgConnection) -> BoxFuture<'c, bool>;
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
    F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut PgConnection) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(f) = self.f.take() else { return false };
            let out = f(conn).await;
            self.reply.keep(out)
        })
    }

    fn finish(mut self: Box<Self>, commit: Result<(), StoreError>) {
        self.reply.send(commit);
    }
}

async fn run(
    pool: PgPool,
    mut commands: mpsc::Receiver<Command<Box<dyn Job>>>,
    stats: Arc<WriteStats>,
) {
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let Some(first) = commands.recv().await else {
            break;
        };
        let (mut batch, stopping) = take_batch(first, &mut commands, MAX_BATCH);
        stop = stopping;
        if batch.is_empty() {
            continue;
        }
        stats.record(batch.len());
        let commit = run_batch(&pool, &mut batch).await;
        let unreachable = commit.as_ref().is_err_and(StoreError::is_unreachable);
        for job in batch {
            job.finish(commit.clone());
        }
        // The database is out of reach: everything queued meanwhile is answered at once with
        // the same error rather than each batch waiting out the connection timeout in turn.
        if let (true, Err(e)) = (unreachable, &commit) {
            while let Ok(command) = commands.try_recv() {
                match command {
                    Command::Job(job) => job.finish(Err(e.clone())),
                    Command::Stop(done) => stop = Some(done),
                }
            }
        }
    }
    pool.close().await;
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// One transaction for the whole batch; a savepoint per write when there are several. A
/// transaction in which no write succeeded is rolled back.
async fn run_batch(pool: &PgPool, batch: &mut [Box<dyn Job>]) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    let mut kept = 0;
    if let [job] = batch {
        kept += usize::from(job.run(&mut tx).await);
    } else {
        for job in batch.iter_mut() {
            let mut savepoint = tx.begin().await?;
            if job.run(&mut savepoint).await {
                savepoint.commit().await?;
                kept += 1;
            } else {
                savepoint.rollback().await?;
            }
        }
    }
    if kept == 0 {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}
