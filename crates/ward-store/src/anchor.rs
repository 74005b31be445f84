//! Where the audit anchor ([`AuditAnchor`]) is kept: apart from the main database, where
//! someone who can write only that database cannot reach it. On SQLite, a table of the key
//! vault (`data-keys.db` in the key directory); on PostgreSQL, a table of the key database
//! (`key_store_url`) or, without one, the file [`ANCHOR_FILE`] in the key directory.
//!
//! Every place keeps it the same way: the first anchor kept stays (its `keyed_from` never
//! changes), and its checkpoint only moves forward, to a later seq. Only an operator's restore
//! of an older backup drops the checkpoint (`forget_audit_checkpoint`), keeping `keyed_from`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ward_core::Timestamp;
use ward_core::audit::{AuditAnchor, AuditCheckpoint};

use crate::{StoreError, StoreResult};

/// The anchor file's name in the key directory (PostgreSQL without a key database).
pub const ANCHOR_FILE: &str = "audit-anchor.json";

/// The anchor's table in the SQLite key vault: one row at most.
pub(crate) const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit_anchor (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    keyed_from           INTEGER NOT NULL,
    keyed_from_signature BLOB NOT NULL,
    seq                  INTEGER,
    head_hash            BLOB,
    signed_at            INTEGER,
    public_key           BLOB,
    signature            BLOB
) STRICT";

/// The anchor's table in PostgreSQL's key database: one row at most.
pub(crate) const PG_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit_anchor (
    id                   SMALLINT PRIMARY KEY CHECK (id = 1),
    keyed_from           BIGINT NOT NULL,
    keyed_from_signature BYTEA NOT NULL,
    seq                  BIGINT,
    head_hash            BYTEA,
    signed_at            BIGINT,
    public_key           BYTEA,
    signature            BYTEA
)";

/// The kept anchor, as a [`Row`].
pub(crate) const SELECT: &str = "SELECT keyed_from, keyed_from_signature, seq, head_hash, \
     signed_at, public_key, signature FROM audit_anchor WHERE id = 1";

/// Keeps the anchor bound as a [`Row`] if none is kept; otherwise moves the kept checkpoint
/// forward to its checkpoint if that is later. `keyed_from` is never changed.
pub(crate) const KEEP: &str = "INSERT INTO audit_anchor (id, keyed_from, keyed_from_signature, \
     seq, head_hash, signed_at, public_key, signature) VALUES (1, $1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash, \
     signed_at = excluded.signed_at, public_key = excluded.public_key, \
     signature = excluded.signature \
     WHERE excluded.seq IS NOT NULL \
     AND (audit_anchor.seq IS NULL OR excluded.seq > audit_anchor.seq)";

/// Drops the kept checkpoint (an operator's restore of an older backup); `keyed_from` stays.
pub(crate) const FORGET_CHECKPOINT: &str = "UPDATE audit_anchor SET seq = NULL, \
     head_hash = NULL, signed_at = NULL, public_key = NULL, signature = NULL \
     WHERE id = 1 AND seq IS NOT NULL";

/// An anchor as stored: `keyed_from`, its signature, then the checkpoint's seq, head hash,
/// signing time, public key and signature (all `NULL` before the first checkpoint).
pub(crate) type Row = (
    i64,
    Vec<u8>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// The row that stores `anchor`.
pub(crate) fn to_row(anchor: &AuditAnchor) -> Row {
    let checkpoint = anchor.checkpoint.as_ref();
    (
        anchor.keyed_from,
        anchor.keyed_from_signature.to_vec(),
        checkpoint.map(|c| c.seq),
        checkpoint.map(|c| c.head.to_vec()),
        checkpoint.map(|c| c.signed_at.as_micros()),
        checkpoint.map(|c| c.public_key.to_vec()),
        checkpoint.map(|c| c.signature.to_vec()),
    )
}

/// The anchor a row stores. A field of the wrong length (or missing) cannot verify: it is kept
/// as zeros, which the verifier reports as a forgery.
pub(crate) fn from_row(row: Row) -> AuditAnchor {
    let (keyed_from, keyed_from_signature, seq, head, signed_at, public_key, signature) = row;
    AuditAnchor {
        keyed_from,
        keyed_from_signature: keyed_from_signature.try_into().unwrap_or([0; 64]),
        checkpoint: seq.map(|seq| AuditCheckpoint {
            seq,
            head: head.and_then(|h| h.try_into().ok()).unwrap_or([0; 32]),
            signed_at: Timestamp::from_micros(signed_at.unwrap_or(0)),
            public_key: public_key
                .and_then(|k| k.try_into().ok())
                .unwrap_or([0; 32]),
            signature: signature.and_then(|s| s.try_into().ok()).unwrap_or([0; 64]),
        }),
    }
}

/// What keeping `new` leaves when `kept` is kept: the first anchor stays, with its checkpoint
/// moved forward to `new`'s if that is later.
pub(crate) fn merge(kept: Option<AuditAnchor>, new: &AuditAnchor) -> AuditAnchor {
    let Some(mut kept) = kept else {
        return new.clone();
    };
    let kept_seq = kept.checkpoint.as_ref().map(|c| c.seq);
    if let Some(checkpoint) = &new.checkpoint
        && kept_seq.is_none_or(|seq| checkpoint.seq > seq)
    {
        kept.checkpoint = Some(checkpoint.clone());
    }
    kept
}

/// The anchor in a file of the key directory (mode 0600 in a folder of mode 0700), replaced
/// whole: written beside, synced, renamed into place, the folder synced. Writers in one process
/// take turns on a mutex, and processes on an advisory lock of [`ANCHOR_FILE`]`.lock`.
#[derive(Debug, Clone)]
pub(crate) struct AnchorFile {
    dir: PathBuf,
    turn: Arc<Mutex<()>>,
}

impl AnchorFile {
    /// The anchor file of `key_dir` (made when first kept).
    pub(crate) fn new(key_dir: &Path) -> Self {
        Self {
            dir: key_dir.to_owned(),
            turn: Arc::default(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(ANCHOR_FILE)
    }

    /// The kept anchor; `None` if there is no file.
    pub(crate) async fn get(&self) -> StoreResult<Option<AuditAnchor>> {
        let path = self.path();
        blocking(move || read(&path)).await
    }

    /// Keeps `anchor` as [`merge`] says; the anchor kept.
    pub(crate) async fn keep(&self, anchor: &AuditAnchor) -> StoreResult<AuditAnchor> {
        let (this, anchor) = (self.clone(), anchor.clone());
        blocking(move || {
            this.update(|kept| Some(merge(kept, &anchor)))
                .and_then(|kept| kept.ok_or(StoreError::NotFound("audit anchor")))
        })
        .await
    }

    /// Drops the kept checkpoint, keeping `keyed_from`; true if there was one.
    pub(crate) async fn forget_checkpoint(&self) -> StoreResult<bool> {
        let this = self.clone();
        blocking(move || {
            let mut had = false;
            this.update(|kept| {
                kept.map(|mut anchor| {
                    had = anchor.checkpoint.take().is_some();
                    anchor
                })
            })?;
            Ok(had)
        })
        .await
    }

    /// Reads the kept anchor, changes it with `change` and writes the result (if it changed),
    /// under both locks; returns it.
    fn update(
        &self,
        change: impl FnOnce(Option<AuditAnchor>) -> Option<AuditAnchor>,
    ) -> StoreResult<Option<AuditAnchor>> {
        let _turn = self.turn.lock().map_err(|_| StoreError::Closed)?;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| io_error(&self.dir, e))?;
        let lock_path = self.dir.join(format!("{ANCHOR_FILE}.lock"));
        let lock = private_file(&lock_path, false)?;
        lock.lock().map_err(|e| io_error(&lock_path, e))?;
        let path = self.path();
        let kept = read(&path)?;
        let changed = change(kept.clone());
        if changed != kept
            && let Some(anchor) = &changed
        {
            write_replacing(&path, encode(anchor).as_bytes())?;
        }
        Ok(changed)
    }
}

/// Runs file work on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| StoreError::Closed)?
}

fn read(path: &Path) -> StoreResult<Option<AuditAnchor>> {
    match fs::read_to_string(path) {
        Ok(text) => decode(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Opens (creating, mode 0600 whatever the umask) a file for writing; truncated if `truncate`.
fn private_file(path: &Path, truncate: bool) -> StoreResult<fs::File> {
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_error(path, e))?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| io_error(path, e))?;
    Ok(file)
}

/// Writes a file whole beside `path`, syncs it, renames it into place and syncs the folder.
fn write_replacing(path: &Path, bytes: &[u8]) -> StoreResult<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = private_file(&tmp, true)?;
    file.write_all(bytes).map_err(|e| io_error(&tmp, e))?;
    file.sync_all().map_err(|e| io_error(&tmp, e))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| io_error(path, e))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, e))
}

fn encode(anchor: &AuditAnchor) -> String {
    let checkpoint = anchor.checkpoint.as_ref().map(|c| {
        serde_json::json!({
            "seq": c.seq,
            "head": hex(&c.head),
            "signed_at": c.signed_at.as_micros(),
            "public_key": hex(&c.public_key),
            "signature": hex(&c.signature),
        })
    });
    let json = serde_json::json!({
        "keyed_from": anchor.keyed_from,
        "keyed_from_signature": hex(&anchor.keyed_from_signature),
        "checkpoint": checkpoint,
    });
    format!("{json:#}\n")
}

fn decode(text: &str) -> StoreResult<AuditAnchor> {
    const CORRUPT: StoreError = StoreError::Corrupt("audit anchor");
    let json: serde_json::Value = serde_json::from_str(text).map_err(|_| CORRUPT)?;
    let int = |value: &serde_json::Value| value.as_i64().ok_or(CORRUPT);
    let bytes = |value: &serde_json::Value| value.as_str().and_then(unhex).ok_or(CORRUPT);
    let checkpoint = match &json["checkpoint"] {
        serde_json::Value::Null => None,
        c => Some((
            int(&c["seq"])?,
            bytes(&c["head"])?,
            int(&c["signed_at"])?,
            bytes(&c["public_key"])?,
            bytes(&c["signature"])?,
        )),
    };
    Ok(from_row((
        int(&json["keyed_from"])?,
        bytes(&json["keyed_from_signature"])?,
        checkpoint.as_ref().map(|c| c.0),
        checkpoint.as_ref().map(|c| c.1.clone()),
        checkpoint.as_ref().map(|c| c.2),
        checkpoint.as_ref().map(|c| c.3.clone()),
        checkpoint.as_ref().map(|c| c.4.clone()),
    )))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A file system failure, naming the path.
fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    let e = std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    StoreError::from(sqlx::Error::Io(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(seq: i64) -> AuditCheckpoint {
        AuditCheckpoint {
            seq,
            head: [seq as u8; 32],
            signed_at: Timestamp::from_micros(seq * 1000),
            public_key: [9; 32],
            signature: [seq as u8; 64],
        }
    }

    fn anchor(keyed_from: i64, seq: Option<i64>) -> AuditAnchor {
        AuditAnchor {
            keyed_from,
            keyed_from_signature: [keyed_from as u8; 64],
            checkpoint: seq.map(checkpoint),
        }
    }

    #[tokio::test]
    async fn the_anchor_file_only_moves_forward_and_is_private() -> StoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let keys = dir.path().join("keys");
        let file = AnchorFile::new(&keys);
        assert_eq!(file.get().await?, None);
        assert!(!file.forget_checkpoint().await?);

        // The first anchor stays: a later one with another switch point keeps the first's.
        assert_eq!(file.keep(&anchor(5, None)).await?, anchor(5, None));
        assert_eq!(file.keep(&anchor(9, Some(7))).await?, anchor(5, Some(7)));
        // Never back, nor sideways.
        assert_eq!(file.keep(&anchor(5, Some(6))).await?, anchor(5, Some(7)));
        let mut sideways = anchor(5, Some(7));
        if let Some(c) = &mut sideways.checkpoint {
            c.head = [0xee; 32];
        }
        assert_eq!(file.keep(&sideways).await?, anchor(5, Some(7)));
        assert_eq!(file.keep(&anchor(5, Some(12))).await?, anchor(5, Some(12)));
        assert_eq!(
            AnchorFile::new(&keys).get().await?,
            Some(anchor(5, Some(12)))
        );

        let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
        let path = keys.join(ANCHOR_FILE);
        assert_eq!(mode(&path).ok(), Some(0o600));
        assert_eq!(mode(&keys).ok(), Some(0o700));
        assert!(!keys.join(format!("{ANCHOR_FILE}.tmp")).exists());

        // A restore drops the checkpoint, never the switch point.
        assert!(file.forget_checkpoint().await?);
        assert_eq!(file.get().await?, Some(anchor(5, None)));
        assert_eq!(file.keep(&anchor(5, Some(3))).await?, anchor(5, Some(3)));

        // A damaged file is named, not taken for a missing one.
        fs::write(&path, "{\"keyed_from\": 1}").map_err(|e| io_error(&path, e))?;
        assert!(matches!(file.get().await, Err(StoreError::Corrupt(_))));
        Ok(())
    }

    #[test]
    fn rows_round_trip_and_bad_lengths_read_as_zeros() {
        for a in [anchor(1, None), anchor(4, Some(40))] {
            assert_eq!(from_row(to_row(&a)), a);
            assert_eq!(decode(&encode(&a)).ok(), Some(a));
        }
        let mut row = to_row(&anchor(4, Some(40)));
        row.3 = Some(vec![1, 2, 3]);
        let read = from_row(row);
        assert_eq!(read.checkpoint.map(|c| c.head), Some([0; 32]));
    }
}
