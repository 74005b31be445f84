//! How well the writer groups writes: the batch transactions it committed and the writes they
//! carried, since the store opened (both backends commit queued writes in batches; their ratio
//! is the average batch).

use std::sync::atomic::{AtomicU64, Ordering};

/// Counts kept by a store's writer, read at each metrics scrape.
#[derive(Debug, Default)]
pub struct WriteStats {
    batches: AtomicU64,
    writes: AtomicU64,
}

impl WriteStats {
    /// Records one batch transaction of `writes` writes.
    pub(crate) fn record(&self, writes: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(writes as u64, Ordering::Relaxed);
    }

    /// Batch transactions run (committed, or rolled back whole).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Writes run in them.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }
}
