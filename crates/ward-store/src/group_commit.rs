//! What both writers share (SQLite's thread, PostgreSQL's task): the queue callers put their
//! writes on, how a batch is taken from it, and how each write's result reaches its caller
//! once the batch it ran in has committed.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, StoreResult, WriteStats};

/// What a writer's queue carries: a write (`J`, the writer's own job type), or a request to
/// stop after the writes queued before it.
pub(crate) enum Command<J> {
    Job(J),
    Stop(oneshot::Sender<()>),
}

/// The callers' end of a writer's queue.
pub(crate) struct Queue<J> {
    commands: mpsc::Sender<Command<J>>,
    stats: Arc<WriteStats>,
}

impl<J> std::fmt::Debug for Queue<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").finish_non_exhaustive()
    }
}

impl<J> Queue<J> {
    /// A queue of `depth` commands; the writer reads the receiver and counts into the stats.
    pub(crate) fn new(depth: usize) -> (Self, mpsc::Receiver<Command<J>>) {
        let (commands, queue) = mpsc::channel(depth);
        let stats = Arc::new(WriteStats::default());
        (Self { commands, stats }, queue)
    }

    /// Queues `job` and waits for its result (`result`, from the job's [`Reply::new`]).
    pub(crate) async fn submit<T>(
        &self,
        job: J,
        result: oneshot::Receiver<StoreResult<T>>,
    ) -> StoreResult<T> {
        self.commands
            .send(Command::Job(job))
            .await
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }

    /// Lets the queued writes finish and stops the writer.
    pub(crate) async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.commands.send(Command::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }

    /// Batches and writes the writer has run so far.
    pub(crate) fn stats(&self) -> Arc<WriteStats> {
        Arc::clone(&self.stats)
    }

    /// A handle that does not keep the writer running.
    pub(crate) fn downgrade(&self) -> mpsc::WeakSender<Command<J>> {
        self.commands.downgrade()
    }
}

/// Takes `first` and whatever else is queued already, at most `max` writes: the batch, and the
/// stop request if one came (the writer ends after this batch).
pub(crate) fn take_batch<J>(
    first: Command<J>,
    queue: &mut mpsc::Receiver<Command<J>>,
    max: usize,
) -> (Vec<J>, Option<oneshot::Sender<()>>) {
    let mut batch = Vec::new();
    let mut next = Some(first);
    while let Some(command) = next.take() {
        match command {
            Command::Job(job) => batch.push(job),
            Command::Stop(done) => return (batch, Some(done)),
        }
        if batch.len() < max {
            next = queue.try_recv().ok();
        }
    }
    (batch, None)
}

/// Where one write's result goes: kept while its batch runs, sent to the caller once the
/// batch's commit has returned.
pub(crate) struct Reply<T> {
    out: Option<StoreResult<T>>,
    caller: Option<oneshot::Sender<StoreResult<T>>>,
}

impl<T> Reply<T> {
    /// A reply, and the receiver its caller waits on.
    pub(crate) fn new() -> (Self, oneshot::Receiver<StoreResult<T>>) {
        let (caller, result) = oneshot::channel();
        let reply = Self {
            out: None,
            caller: Some(caller),
        };
        (reply, result)
    }

    /// Keeps what the write returned; whether it succeeded (and its savepoint stays).
    pub(crate) fn keep(&mut self, out: StoreResult<T>) -> bool {
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    /// Answers the caller: the write's own error if it failed, else the commit's error if that
    /// failed, else the write's value.
    pub(crate) fn send(&mut self, commit: Result<(), StoreError>) {
        let result = match (commit, self.out.take()) {
            (_, Some(Err(e))) | (Err(e), _) => Err(e),
            (Ok(()), Some(ok)) => ok,
            (Ok(()), None) => Err(StoreError::Closed),
        };
        if let Some(caller) = self.caller.take() {
            let _ = caller.send(result);
        }
    }
}
