use ward_core::ValidationError;
use ward_core::session::EndReason;
use ward_crypto::CryptoError;
use ward_store::StoreError;

/// Why a service refused or failed. Mapped to HTTP in exactly one place (`api::error`).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationError),
    #[error("no valid session")]
    Unauthenticated,
    #[error("wrong credentials")]
    InvalidCredentials,
    #[error("the session has ended ({})", .0.as_str())]
    SessionEnded(EndReason),
    #[error("this device has been ordered to erase its data")]
    WipeRequired,
    #[error("a second factor must be set up first")]
    MfaEnrollmentRequired,
    #[error("too many failed sign-ins")]
    Throttled { retry_after_secs: u64 },
    /// Too many attempts that could probe for records (registering known MRNs).
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("not allowed")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("disposed of under the retention policy")]
    Disposed,
    #[error("the message has clinical safety findings")]
    Safety(super::SafetyReport),
    #[error("the file was refused: {0}")]
    Media(ward_media::MediaError),
    #[error("{what} may be at most {limit} bytes")]
    TooLarge { limit: u64, what: &'static str },
    #[error("the upload was cut off before it ended")]
    UploadInterrupted,
    #[error("temporarily unavailable")]
    Unavailable,
    /// The database's storage is full: nothing was written.
    #[error("storage is full")]
    StorageFull,
    #[error("storage failed: {0}")]
    Store(StoreError),
    #[error("cryptography failed: {0}")]
    Crypto(#[from] CryptoError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::Invalid(reason) => Self::Invalid(reason),
            full if full.is_storage_full() => Self::StorageFull,
            down if down.is_unreachable() => {
                tracing::warn!(error = %down, "the database does not answer");
                Self::Unavailable
            }
            other => Self::Store(other),
        }
    }
}
