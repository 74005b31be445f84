//! Who is using a deployment. Every serving process holds a shared lock for its whole life;
//! root key rotation, which re-wraps every data key and replaces the root key, takes the same
//! lock exclusively, so it never runs under a live server, on any node.
//!
//! Embedded: an advisory file lock (`flock`) on [`LOCK_FILE`] beside the database, released by
//! the kernel when its process ends, however it ends. PostgreSQL: a session-level advisory lock
//! on the main database, which every node shares, held by a connection of its own and released
//! by the database when that connection ends.

use std::fmt;
use std::fs::{DirBuilder, File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use crate::{StoreConfig, StoreError};

/// The lock file's name, in the embedded database's directory.
pub const LOCK_FILE: &str = "ward.lock";

/// The key of the session-level advisory lock on PostgreSQL (the appends' ordering lock,
/// transaction-scoped, is 7418001).
const PG_LOCK_KEY: i64 = 7_418_002;
/// The key of the lock that tells nodes with a cluster bus from a node without one: held
/// shared by every node with a bus, exclusively by a node without, so a second node never
/// joins one whose devices its events could not reach.
const PG_NODES_KEY: i64 = 7_418_003;

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// A server holds the lock, so the deployment cannot be changed under it.
    #[error("a Ward server is running on this data directory/database; stop every node first")]
    ServerRunning,
    /// Another node serves the database, and this one or that one has no cluster bus.
    #[error(
        "another Ward node is serving this PostgreSQL database and not every node has a \
         cluster bus: several nodes need nats_url (WARD_NATS_URL) on each, so that every \
         node's devices hear of every event"
    )]
    NodeWithoutBus,
    /// A root key rotation holds the lock, so no server may start until it has finished.
    #[error(
        "a root key rotation is running on this data directory/database; start the server \
         once it has finished"
    )]
    RotationRunning,
    /// The lock file could not be made or locked.
    #[error("cannot lock {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The database could not be reached or asked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

enum Held {
    File(File),
    Postgres(PgConnection),
    /// No deployment there yet, so nothing to exclude.
    Nothing,
}

/// A lock on a deployment, held until dropped or [`InstanceLock::release`]d.
pub struct InstanceLock {
    held: Held,
}

impl fmt::Debug for InstanceLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = match &self.held {
            Held::File(_) => "file",
            Held::Postgres(_) => "postgres",
            Held::Nothing => "nothing",
        };
        f.debug_struct("InstanceLock").field("held", &held).finish()
    }
}

impl InstanceLock {
    /// The lock a serving process holds (shared: several nodes serve one database). Fails with
    /// [`LockError::RotationRunning`] while a rotation holds it, and on PostgreSQL with
    /// [`LockError::NodeWithoutBus`] when another node serves and either has no cluster bus
    /// (`clustered` says whether this one has). Makes the embedded database's directory
    /// (0700) if it is missing, as starting a server would.
    pub async fn serving(config: &StoreConfig, clustered: bool) -> Result<Self, LockError> {
        match config {
            StoreConfig::Sqlite { path, .. } => {
                let dir = parent(path);
                if !dir.exists() {
                    DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(dir)
                        .map_err(|source| LockError::Io {
                            path: dir.to_owned(),
                            source,
                        })?;
                }
                let file = open_lock_file(dir)?;
                match file.try_lock_shared() {
                    Ok(()) => Ok(Self {
                        held: Held::File(file),
                    }),
                    Err(TryLockError::WouldBlock) => Err(LockError::RotationRunning),
                    Err(TryLockError::Error(source)) => Err(LockError::Io {
                        path: dir.join(LOCK_FILE),
                        source,
                    }),
                }
            }
            StoreConfig::Postgres { url, .. } => {
                let mut conn = pg_lock(url, "SELECT pg_try_advisory_lock_shared($1)")
                    .await?
                    .ok_or(LockError::RotationRunning)?;
                let nodes = if clustered {
                    "SELECT pg_try_advisory_lock_shared($1)"
                } else {
                    "SELECT pg_try_advisory_lock($1)"
                };
                if !try_lock(&mut conn, nodes, PG_NODES_KEY).await? {
                    let _ = conn.close().await;
                    return Err(LockError::NodeWithoutBus);
                }
                Ok(Self {
                    held: Held::Postgres(conn),
                })
            }
        }
    }

    /// The lock that excludes every server (root key rotation). Fails with
    /// [`LockError::ServerRunning`] while any server holds its shared lock. Creates nothing
    /// where there is no embedded database: no server can be using it, and the caller's open
    /// then reports it missing.
    pub async fn exclusive(config: &StoreConfig) -> Result<Self, LockError> {
        match config {
            StoreConfig::Sqlite { path, .. } => {
                if !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                    return Ok(Self {
                        held: Held::Nothing,
                    });
                }
                let dir = parent(path);
                let file = open_lock_file(dir)?;
                match file.try_lock() {
                    Ok(()) => Ok(Self {
                        held: Held::File(file),
                    }),
                    Err(TryLockError::WouldBlock) => Err(LockError::ServerRunning),
                    Err(TryLockError::Error(source)) => Err(LockError::Io {
                        path: dir.join(LOCK_FILE),
                        source,
                    }),
                }
            }
            StoreConfig::Postgres { url, .. } => {
                let conn = pg_lock(url, "SELECT pg_try_advisory_lock($1)").await?;
                conn.map(|conn| Self {
                    held: Held::Postgres(conn),
                })
                .ok_or(LockError::ServerRunning)
            }
        }
    }

    /// Lets the lock go (dropping it does too; this also closes a database connection
    /// cleanly).
    pub async fn release(self) {
        match self.held {
            Held::File(file) => drop(file),
            Held::Postgres(conn) => {
                let _ = conn.close().await;
            }
            Held::Nothing => {}
        }
    }
}

/// The directory of the embedded database file.
fn parent(db: &Path) -> &Path {
    match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Opens (creating, mode 0600 whatever the umask) the lock file in `dir`.
fn open_lock_file(dir: &Path) -> Result<File, LockError> {
    let path = dir.join(LOCK_FILE);
    let io = |source: std::io::Error| LockError::Io {
        path: path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    Ok(file)
}

/// Connects to the main database and tries `query` (one of the `pg_try_advisory_lock`
/// functions) on the lock's key: the connection that holds it, or `None` if another does.
async fn pg_lock(url: &str, query: &'static str) -> Result<Option<PgConnection>, LockError> {
    let options: PgConnectOptions = url
        .parse::<PgConnectOptions>()
        .map_err(StoreError::from)?
        .disable_statement_logging();
    let mut conn = options.connect().await.map_err(StoreError::from)?;
    if try_lock(&mut conn, query, PG_LOCK_KEY).await? {
        Ok(Some(conn))
    } else {
        let _ = conn.close().await;
        Ok(None)
    }
}

/// Runs `query` (a `pg_try_advisory_lock` function) on `key`: whether it was taken.
async fn try_lock(
    conn: &mut PgConnection,
    query: &'static str,
    key: i64,
) -> Result<bool, LockError> {
    let (taken,): (bool,) = sqlx::query_as(query)
        .bind(key)
        .fetch_one(conn)
        .await
        .map_err(StoreError::from)?;
    Ok(taken)
}
