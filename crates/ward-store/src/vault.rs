//! The key vault of the embedded backend: the wrapped data keys, in their own SQLite file in
//! the key directory, apart from the database that backups copy. A backup therefore holds no
//! data key, and restoring one needs the live vault, where retention's deletion of a key is
//! final: what a destroyed key sealed stays unreadable in every backup.
//!
//! The file runs with `secure_delete` (a deleted key's bytes are overwritten in place) and a
//! rollback journal, never a WAL that would keep old pages. Key operations are rare (keys are
//! cached above), so each runs on a blocking thread over one connection.
//!
//! The key directory is kept at mode 0700 and the vault file (and its journal) at 0600, whatever
//! the umask; the embedded database's files are kept so too.
//!
//! The vault also keeps the audit anchor (see `crate::anchor`), out of reach of whoever can
//! write only the database.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use ward_core::audit::AuditAnchor;
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};

use crate::ops::keys;
use crate::{StoreError, StoreResult, anchor};

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
    /// Opens (creating if needed) the vault in `key_dir`, made private (0700, 0600).
    pub fn open(key_dir: &Path) -> StoreResult<Self> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(key_dir)
            .map_err(|e| io_error(key_dir, e))?;
        set_mode(key_dir, 0o700)?;
        let path = key_dir.join(VAULT_FILE);
        make_private(&path)?;
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(anchor::SQLITE_SCHEMA)?;
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
        self.run(move |c| at_once(keys::data_key(c, scope, epoch)))
            .await
    }

    /// Keeps a new key unless one exists for its scope and epoch; the one kept.
    pub async fn insert(&self, record: DataKeyRecord) -> StoreResult<DataKeyRecord> {
        self.run(move |c| at_once(keys::insert_data_key(c, &record)))
            .await
    }

    pub async fn all(&self) -> StoreResult<Vec<DataKeyRecord>> {
        self.run(|c| at_once(keys::all_data_keys(c))).await
    }

    /// Replaces the wrapping of existing keys, all in one transaction.
    pub async fn replace(&self, records: Vec<DataKeyRecord>) -> StoreResult<()> {
        self.run(move |c| {
            c.execute_batch("BEGIN IMMEDIATE")?;
            let replaced = records
                .iter()
                .try_for_each(|r| at_once(keys::update_wrapped_key(c, r)));
            match replaced {
                Ok(()) => c.execute_batch("COMMIT")?,
                Err(_) => c.execute_batch("ROLLBACK")?,
            }
            replaced
        })
        .await
    }

    /// Destroys a key; true if there was one.
    pub async fn destroy(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<bool> {
        self.run(move |c| at_once(keys::delete_data_key(c, scope, epoch)))
            .await
    }

    /// The audit anchor kept in the vault; `None` before the first.
    pub async fn audit_anchor(&self) -> StoreResult<Option<AuditAnchor>> {
        self.run(|c| get_anchor(c)).await
    }

    /// Keeps `new` if no anchor is kept, else moves the kept checkpoint forward to `new`'s if
    /// that is later (`keyed_from` never changes); the anchor kept.
    pub async fn keep_audit_anchor(&self, new: &AuditAnchor) -> StoreResult<AuditAnchor> {
        let row = anchor::to_row(new);
        self.run(move |c| {
            c.execute(
                anchor::KEEP,
                params![row.0, row.1, row.2, row.3, row.4, row.5, row.6],
            )?;
            get_anchor(c)?.ok_or(StoreError::NotFound("audit anchor"))
        })
        .await
    }

    /// Drops the anchor's checkpoint, keeping where the chain became keyed; true if there was
    /// one.
    pub async fn forget_audit_checkpoint(&self) -> StoreResult<bool> {
        self.run(|c| Ok(c.execute(anchor::FORGET_CHECKPOINT, [])? > 0))
            .await
    }
}

/// Drops the audit anchor's checkpoint from the vault in `key_dir` (keeping where the chain
/// became keyed), for `ward restore`: the restored log ends where the backup was taken, before
/// the checkpoint of the log it replaces, and the next start anchors it anew. True if there
/// was one; nothing is made where there is no vault.
pub fn forget_audit_checkpoint(key_dir: &Path) -> StoreResult<bool> {
    let path = key_dir.join(VAULT_FILE);
    if !path.exists() {
        return Ok(false);
    }
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(anchor::SQLITE_SCHEMA)?;
    Ok(conn.execute(anchor::FORGET_CHECKPOINT, [])? > 0)
}

fn get_anchor(c: &Connection) -> StoreResult<Option<AuditAnchor>> {
    let row: Option<anchor::Row> = c
        .query_row(anchor::SELECT, [], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    Ok(row.map(anchor::from_row))
}

/// Whether the vault of the existing embedded database at `db` is missing from `key_dir`: no
/// vault file there, and no data keys in the database itself (where an earlier version kept
/// them; opening moves those into a new vault). Opening would then start an empty vault and
/// everything sealed would read as disposed. Reads the database without changing it.
pub fn is_missing(db: &Path, key_dir: &Path) -> StoreResult<bool> {
    if key_dir.join(VAULT_FILE).exists() {
        return Ok(false);
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_keys')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(true);
    }
    let legacy_keys: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM data_keys)", [], |r| r.get(0))?;
    Ok(!legacy_keys)
}

/// Makes an SQLite file and the files SQLite keeps beside it (`-wal`, `-shm`, `-journal`)
/// private: mode 0600 whatever the umask. The database file is created empty (which SQLite
/// reads as a new database) if missing, so that it is never readable by others, not even for
/// a moment; SQLite gives the files it makes beside it the database file's mode.
pub(crate) fn make_private(db: &Path) -> StoreResult<()> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(db)
        .map_err(|e| io_error(db, e))?;
    set_mode(db, 0o600)?;
    tighten_companions(db)
}

/// Sets the files SQLite keeps beside `db` that exist to mode 0600.
pub(crate) fn tighten_companions(db: &Path) -> StoreResult<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        match fs::set_permissions(&path, fs::Permissions::from_mode(0o600)) {
            Ok(()) => {}
            // Not made yet, or just removed by a closing connection.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&path, e)),
        }
    }
    Ok(())
}

/// Sets the mode of a file or folder exactly, whatever the umask made of it.
fn set_mode(path: &Path, mode: u32) -> StoreResult<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| io_error(path, e))
}

/// A file system failure, naming the path.
fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    let e = std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    StoreError::from(sqlx::Error::Io(e))
}

/// The result of a key statement on the vault's connection, whose statements never wait
/// (see `crate::exec::sqlite`).
fn at_once<T>(statement: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    statement.now_or_never().unwrap_or(Err(StoreError::Closed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::Timestamp;
    use ward_core::audit::AuditCheckpoint;

    fn anchor(keyed_from: i64, seq: Option<i64>) -> AuditAnchor {
        AuditAnchor {
            keyed_from,
            keyed_from_signature: [1; 64],
            checkpoint: seq.map(|seq| AuditCheckpoint {
                seq,
                head: [seq as u8; 32],
                signed_at: Timestamp::from_micros(seq),
                public_key: [2; 32],
                signature: [3; 64],
            }),
        }
    }

    #[tokio::test]
    async fn the_vault_keeps_the_audit_anchor_moving_forward_only() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let vault = KeyVault::open(dir.path())?;
        assert_eq!(vault.audit_anchor().await?, None);
        assert_eq!(
            vault.keep_audit_anchor(&anchor(3, None)).await?,
            anchor(3, None)
        );
        assert_eq!(
            vault.keep_audit_anchor(&anchor(8, Some(4))).await?,
            anchor(3, Some(4))
        );
        assert_eq!(
            vault.keep_audit_anchor(&anchor(3, Some(2))).await?,
            anchor(3, Some(4))
        );
        assert_eq!(
            vault.keep_audit_anchor(&anchor(3, Some(9))).await?,
            anchor(3, Some(9))
        );
        drop(vault);
        assert!(forget_audit_checkpoint(dir.path())?);
        assert!(!forget_audit_checkpoint(dir.path())?);
        let vault = KeyVault::open(dir.path())?;
        assert_eq!(vault.audit_anchor().await?, Some(anchor(3, None)));
        assert!(!forget_audit_checkpoint(&dir.path().join("elsewhere"))?);
        assert!(!dir.path().join("elsewhere").exists());
        Ok(())
    }
}
