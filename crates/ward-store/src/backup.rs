//! Consistent copies of the embedded database, for `ward backup` and `ward restore`.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{StoreError, StoreResult};

/// Copies the live database at `db` into a new file `out` as one consistent snapshot (`VACUUM
/// INTO` reads in one transaction, so the server may go on writing). The data keys are not in
/// it: they live in the key vault.
pub fn snapshot_sqlite(db: &Path, out: &Path) -> StoreResult<()> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = out.to_str().ok_or(StoreError::Corrupt("backup path"))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// Checks that `path` is a whole SQLite database (`PRAGMA integrity_check`).
pub fn check_sqlite(path: &Path) -> StoreResult<()> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt("database"))
    }
}
