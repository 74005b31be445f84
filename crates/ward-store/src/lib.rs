//! Ward's storage: a domain-level [`Store`] trait, one sub-trait per aggregate, with two
//! implementations: SQLite (the embedded default) and PostgreSQL (for several nodes).
//!
//! Architecture invariants:
//! - Nothing above this crate knows which backend is in use; both pass one conformance suite.
//! - The store never sees plaintext of anything sealed, nor an unwrapped key: it keeps sealed
//!   blobs and wrapped keys.
//! - Every change and the audit event that records it commit in one transaction. A method
//!   returns only after that commit is durable.
//! - The audit chain is extended inside that transaction, under a lock that orders appends.
//!
//! Code map: the traits are declared here and in one file per domain (`messaging.rs`,
//! `clinical.rs`, ...); [`impls`] implements them once for every [`backend::Backend`]
//! (`SqliteStore`, `PgStore`) over the SQL in [`ops`], which runs on any connection through
//! [`exec::Exec`], the only place that knows the databases' drivers.

pub mod anchor;
mod approvals;
mod attachments;
mod backend;
pub mod backup;
mod clinical;
mod compliance;
mod error;
mod exec;
mod group_commit;
mod impls;
pub mod instance_lock;
mod messaging;
mod notify;
mod ops;
mod postgres;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
mod workflow;
mod write_health;
mod write_stats;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::{AuditAnchor, AuditEvent, AuditFilter, ChainHasher, NewAuditEvent};
use ward_core::id::{SessionId, UserId};
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};
use ward_core::policy::Policy;
use ward_core::role::{Role, RoleName};
use ward_core::session::{EndReason, Session};
use ward_core::user::{User, UserStatus, Username};

pub use approvals::ApprovalStore;
pub use attachments::AttachmentStore;
pub use clinical::ClinicalStore;
pub use compliance::ComplianceStore;
pub use error::{StoreError, StoreResult};
pub use messaging::{
    ConversationStore, ConversationSummary, LogItem, MessageStore, PatientStore, SendOutcome,
    SyncItem, SyncStore,
};
pub use notify::NotifyStore;
pub use workflow::{MessageLifecycleStore, OversightStore, ScheduleStore};
pub use write_stats::WriteStats;

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// An SQLite database file (created if missing), and the directory of its key vault (kept
    /// apart from the database, see [`vault`]).
    Sqlite { path: PathBuf, key_dir: PathBuf },
    /// A PostgreSQL connection URL, and that of the database holding the data keys (see
    /// `postgres::key_vault`; without it they stay in the main database, which its backups
    /// then carry, and the audit anchor is kept in a file of `key_dir`, see [`anchor`]).
    Postgres {
        url: String,
        max_connections: u32,
        key_store_url: Option<String>,
        key_dir: PathBuf,
    },
}

/// Opens the store, runs pending migrations and seeds the built-in roles.
pub async fn open(
    config: &StoreConfig,
    hasher: Arc<dyn ChainHasher>,
) -> StoreResult<Arc<dyn Store>> {
    Ok(match config {
        StoreConfig::Sqlite { path, key_dir } => {
            Arc::new(sqlite::SqliteStore::open(path, key_dir, hasher).await?)
        }
        StoreConfig::Postgres {
            url,
            max_connections,
            key_store_url,
            key_dir,
        } => Arc::new(
            postgres::PgStore::open(
                url,
                *max_connections,
                key_store_url.as_deref(),
                key_dir,
                hasher,
            )
            .await?,
        ),
    })
}

/// A user's second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpFactor {
    pub user_id: UserId,
    /// The TOTP secret, sealed by ward-crypto.
    pub sealed_secret: Vec<u8>,
    /// False until the user has proved the authenticator works with one code.
    pub confirmed: bool,
    /// The last time step a code was accepted for; codes for it or earlier are replays.
    pub last_used_step: Option<i64>,
    pub created_at: Timestamp,
}

/// Recent failed sign-ins, for throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureCounts {
    pub account: u32,
    pub address: u32,
}

/// Users, roles and second factors.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with [`StoreError::Conflict`] if the username is taken.
    async fn create_user(&self, user: &User, audit: NewAuditEvent) -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, username: &Username) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Seals a display name stored plain (by an earlier version) with its audit event: the
    /// plain column keeps only [`ward_core::user::SEALED_DISPLAY_NAME`]. False, with nothing
    /// written or audited, if the account's name is sealed already (another node did it) or
    /// there is no such account.
    async fn seal_display_name(
        &self,
        id: UserId,
        sealed: &[u8],
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Changes a user's status; disabling also ends every session of the user.
    async fn set_user_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn role(&self, name: &RoleName) -> StoreResult<Option<Role>>;
    async fn list_roles(&self) -> StoreResult<Vec<Role>>;
    /// Creates or changes a custom role with its audit event; false (nothing written) if the
    /// name is a built-in role's.
    async fn put_role(&self, role: &Role, audit: NewAuditEvent) -> StoreResult<bool>;
    async fn totp_factor(&self, user: UserId) -> StoreResult<Option<TotpFactor>>;
    /// Stores a new, unconfirmed secret (replacing an unconfirmed one). Conflict if the user
    /// already has a confirmed factor.
    async fn begin_totp_enrollment(
        &self,
        factor: &TotpFactor,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Confirms the pending factor with the step of a valid code, and lifts the session that
    /// did it to full scope. Conflict if there is no pending factor.
    async fn complete_totp_enrollment(
        &self,
        user: UserId,
        step: i64,
        session: SessionId,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Removes a user's factor (an admin reset) and ends every session of theirs, signed in
    /// with it. NotFound if there is none.
    async fn reset_totp(
        &self,
        user: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
}

/// Device sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Creates a session. With `totp_step`, also records that step as used, failing with
    /// Conflict (and creating nothing) if it is not later than the last one used.
    async fn create_session(
        &self,
        session: &Session,
        totp_step: Option<i64>,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn session_by_token(&self, token_hash: &[u8; 32]) -> StoreResult<Option<Session>>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>>;
    /// The user's sessions that have not ended, newest first.
    async fn list_sessions(&self, user: UserId) -> StoreResult<Vec<Session>>;
    /// Records activity (for the idle timeout). Not audited: the request itself is.
    async fn touch_session(&self, id: SessionId, at: Timestamp) -> StoreResult<()>;
    /// Ends a session; false if it had ended already.
    async fn end_session(
        &self,
        id: SessionId,
        at: Timestamp,
        reason: EndReason,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Orders a remote wipe; false if the session had ended already.
    async fn request_wipe(
        &self,
        id: SessionId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Records the device's confirmation that it erased its data, and ends the session.
    async fn confirm_wipe(
        &self,
        id: SessionId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
}

/// Durable counters of failed sign-ins.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Records a failed sign-in for an account name (known or not) and address, with its audit
    /// event.
    async fn record_login_failure(
        &self,
        username: &str,
        address: Option<&str>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn login_failures(
        &self,
        username: &str,
        address: Option<&str>,
        since: Timestamp,
    ) -> StoreResult<FailureCounts>;
    /// Whether `user` started a session from `address` since `since`.
    async fn signed_in_from(
        &self,
        user: UserId,
        address: &str,
        since: Timestamp,
    ) -> StoreResult<bool>;
}

/// The organisation policy.
#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// The stored policy, or the default if none was ever set.
    async fn policy(&self) -> StoreResult<Policy>;
    async fn set_policy(
        &self,
        policy: &Policy,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
}

/// Wrapped data keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn data_key(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<Option<DataKeyRecord>>;
    /// Stores a new data key unless one exists for its scope and epoch; returns the one kept.
    async fn insert_data_key(&self, record: &DataKeyRecord) -> StoreResult<DataKeyRecord>;
    async fn data_keys(&self) -> StoreResult<Vec<DataKeyRecord>>;
    /// Replaces the wrapping of existing keys (root key rotation), all in one transaction.
    async fn replace_wrapped_keys(
        &self,
        records: &[DataKeyRecord],
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Destroys a key for good (retention); nothing if there is none.
    async fn destroy_data_key(&self, scope: KeyScope, epoch: Epoch) -> StoreResult<()>;
    /// The audit anchor, kept with the keys, apart from the main database (see [`anchor`]);
    /// `None` before the first.
    async fn audit_anchor(&self) -> StoreResult<Option<AuditAnchor>>;
    /// Keeps `anchor` if none is kept; otherwise moves the kept checkpoint forward to
    /// `anchor`'s if that is later (never back; `keyed_from` never changes). The anchor kept.
    async fn keep_audit_anchor(&self, anchor: &AuditAnchor) -> StoreResult<AuditAnchor>;
    /// Drops the anchor's checkpoint, keeping `keyed_from`, after an operator restored an
    /// older backup; true if there was one.
    async fn forget_audit_checkpoint(&self) -> StoreResult<bool>;
}

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an event that records no other change (a read, a refusal). Returns its seq.
    async fn append_audit(&self, event: NewAuditEvent) -> StoreResult<i64>;
    /// Events matching the filter, newest first.
    async fn search_audit(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEvent>>;
    /// Events in chain order after `after_seq`, for verification. A row that cannot be decoded
    /// is reported as [`StoreError::CorruptAudit`].
    async fn audit_chain_page(&self, after_seq: i64, limit: u32) -> StoreResult<Vec<AuditEvent>>;
}

/// Everything Ward stores.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + ThrottleStore
    + PolicyStore
    + KeyStore
    + AuditStore
    + PatientStore
    + ConversationStore
    + MessageStore
    + SyncStore
    + ClinicalStore
    + AttachmentStore
    + MessageLifecycleStore
    + ScheduleStore
    + OversightStore
    + ComplianceStore
    + ApprovalStore
    + NotifyStore
    + std::fmt::Debug
{
    /// "sqlite" or "postgres", for logs and metrics only.
    fn backend(&self) -> &'static str;
    /// Whether the databases answer (the main one and, on PostgreSQL, the key database).
    async fn ping(&self) -> StoreResult<()>;
    /// Finishes pending writes and closes connections.
    async fn close(&self);
    /// How the writer has grouped writes into transactions so far.
    fn write_stats(&self) -> Arc<WriteStats>;
}
