//! Whether the database can take writes: a write that fails because storage is full marks it,
//! the next write that commits clears it, and readiness asks it (probing with a write that
//! changes nothing while it is marked, so a node recovers without a restart once space is
//! freed).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::exec::Exec;
use crate::{StoreError, StoreResult};

/// Half of a write that changes nothing but must reach the disk: run twice in one transaction,
/// it flips a flag and flips it back, so the row ends as it was while its page is written
/// (SQLite skips writing a page whose bytes an update leaves unchanged).
const PROBE_FLIP: &str = "UPDATE roles SET builtin = NOT builtin WHERE name = 'admin'";

/// A write that changes nothing, to learn whether the database can commit again.
pub(crate) async fn probe_write<E: Exec>(c: &mut E) -> StoreResult<()> {
    for _ in 0..2 {
        c.execute(PROBE_FLIP, &[]).await?;
    }
    Ok(())
}

/// The outcome of the latest write.
#[derive(Debug, Default)]
pub(crate) struct WriteHealth {
    full: AtomicBool,
}

impl WriteHealth {
    /// Records what a write's result says about the storage.
    pub(crate) fn observe<T>(&self, result: &StoreResult<T>) {
        match result {
            Ok(_) => self.full.store(false, Ordering::Relaxed),
            Err(e) if e.is_storage_full() => self.full.store(true, Ordering::Relaxed),
            Err(_) => {}
        }
    }

    /// Whether the latest write failed because storage is full.
    pub(crate) fn full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }
}

impl StoreError {
    /// Whether the database could not be reached (connection refused or lost, the pool out of
    /// connections, the server shutting down): the request may succeed if tried again.
    pub fn is_unreachable(&self) -> bool {
        let Self::Database(e) = self else {
            return false;
        };
        match e.as_ref() {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => !self.is_storage_full(),
            // PostgreSQL's connection exceptions (class 08) and shutdowns (57P01 to 57P03).
            sqlx::Error::Database(db) => db
                .code()
                .is_some_and(|code| code.starts_with("08") || code.starts_with("57P0")),
            _ => false,
        }
    }

    /// Whether the database refused a write because its storage is full (SQLite's
    /// `SQLITE_FULL`, PostgreSQL's `disk_full`, or `ENOSPC` from the file system).
    pub fn is_storage_full(&self) -> bool {
        const ENOSPC: i32 = 28;
        match self {
            Self::StorageFull => true,
            Self::Embedded(e) => {
                matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
            }
            Self::Database(e) => match e.as_ref() {
                sqlx::Error::Database(db) => matches!(
                    db.code().as_deref(),
                    // PostgreSQL disk_full, and SQLite's SQLITE_FULL through sqlx.
                    Some("53100" | "13")
                ),
                sqlx::Error::Io(io) => io.raw_os_error() == Some(ENOSPC),
                _ => false,
            },
            _ => false,
        }
    }
}
