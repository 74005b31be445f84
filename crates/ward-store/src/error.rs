use std::sync::Arc;

/// A storage failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The record the operation needs does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change conflicts with what is stored (a taken name, a used code).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The write names something it may not use; nothing was written.
    #[error("invalid: {0}")]
    Invalid(ward_core::ValidationError),
    /// An audit row cannot be decoded; it was altered.
    #[error("audit event {seq} cannot be decoded")]
    CorruptAudit { seq: i64 },
    /// A stored value does not decode into its domain type.
    #[error("stored {0} is corrupt")]
    Corrupt(&'static str),
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
    /// A failure of the embedded SQLite writer.
    #[error("database error: {0}")]
    Embedded(Arc<rusqlite::Error>),
    #[error("migration failed: {0}")]
    Migrate(Arc<sqlx::migrate::MigrateError>),
    /// The writer has shut down.
    #[error("the store is closed")]
    Closed,
    /// The database cannot write: its storage is full. Nothing was written.
    #[error("the database's storage is full")]
    StorageFull,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(Arc::new(e))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Embedded(Arc::new(e))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(Arc::new(e))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether a statement failed on a unique or primary-key constraint.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            Self::Database(e) => {
                matches!(&**e, sqlx::Error::Database(db) if db.is_unique_violation())
            }
            Self::Embedded(e) => matches!(
                e.sqlite_error().map(|f| f.extended_code),
                Some(
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                )
            ),
            _ => false,
        }
    }

    /// A unique violation as [`StoreError::Conflict`], anything else as it was.
    pub(crate) fn unique_as(self, what: &'static str) -> Self {
        if self.is_unique_violation() {
            Self::Conflict(what)
        } else {
            self
        }
    }
}
