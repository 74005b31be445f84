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

mod attachments;
pub mod backup;
mod compliance;
mod error;
mod postgres;
mod queries;
mod queries_attachments;
mod queries_clinical;
mod queries_compliance;
mod queries_messaging;
mod queries_sessions;
mod queries_sync;
mod queries_workflow;
mod rows;
mod rows_workflow;
mod sql;
mod sqlite;
mod store_impl;
mod store_impl_attachments;
mod store_impl_clinical;
mod store_impl_compliance;
mod store_impl_messaging;
mod store_impl_workflow;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
mod workflow;
mod writes_compliance;
mod writes_shared;
mod writes_workflow;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::attachment::AttachmentId;
use ward_core::audit::{AuditEvent, AuditFilter, ChainHasher, NewAuditEvent};
use ward_core::clinical::{ClinicalRole, Escalation, EscalationAdvance, Shift};
use ward_core::conversation::{Committed, Conversation, Event, Message, MessageId, Receipt};
use ward_core::id::{ClinicalRoleId, ConversationId, PatientId};
use ward_core::id::{SessionId, UserId};
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope};
use ward_core::patient::PatientRecord;
use ward_core::policy::Policy;
use ward_core::role::{Role, RoleName};
use ward_core::session::{EndReason, Session};
use ward_core::user::{User, UserStatus, Username};

pub use attachments::AttachmentStore;
pub use compliance::ComplianceStore;
pub use error::{StoreError, StoreResult};
pub use workflow::{MessageLifecycleStore, OversightStore, ScheduleStore};

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// An SQLite database file (created if missing), and the directory of its key vault (kept
    /// apart from the database, see [`vault`]).
    Sqlite { path: PathBuf, key_dir: PathBuf },
    /// A PostgreSQL connection URL, and that of the database holding the data keys (see
    /// `postgres::key_vault`; without it they stay in the main database, which its backups
    /// then carry).
    Postgres {
        url: String,
        max_connections: u32,
        key_store_url: Option<String>,
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
        } => Arc::new(
            postgres::PgStore::open(url, *max_connections, key_store_url.as_deref(), hasher)
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
    /// Removes a user's factor (an admin reset). NotFound if there is none.
    async fn reset_totp(&self, user: UserId, audit: NewAuditEvent) -> StoreResult<()>;
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

/// A conversation with the caller's position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    pub conversation: Conversation,
    /// The seq of its latest message.
    pub last_seq: i64,
    /// The caller's read position.
    pub read_seq: i64,
}

/// One event of the log, with what a device needs to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncItem {
    pub event: Event,
    /// For `message.created`.
    pub message: Option<Message>,
    /// For `receipt.updated`: the member's position now.
    pub receipt: Option<Receipt>,
}

/// What a send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// A new message, committed with its event.
    Created {
        message: Message,
        committed: Committed,
    },
    /// The sender used this client id before: the message stored then, nothing new.
    Existing(Message),
}

/// The patient registry and care teams.
#[async_trait]
pub trait PatientStore: Send + Sync {
    /// Registers a patient with a care team and the care-team conversation (whose members are
    /// the care team). Conflict if the MRN index or the account is taken.
    async fn create_patient(
        &self,
        patient: &PatientRecord,
        care_team: &[UserId],
        conversation: &Conversation,
        audit: NewAuditEvent,
    ) -> StoreResult<Committed>;
    async fn patient(&self, id: PatientId) -> StoreResult<Option<PatientRecord>>;
    async fn patient_by_mrn_index(&self, index: &[u8; 32]) -> StoreResult<Option<PatientRecord>>;
    /// Patients on whose care team `user` is.
    async fn patients_of(&self, user: UserId) -> StoreResult<Vec<PatientRecord>>;
    /// Every patient in id order, a page at a time: those after `after`, at most `limit`.
    async fn patients_page(
        &self,
        after: Option<PatientId>,
        limit: u32,
    ) -> StoreResult<Vec<PatientRecord>>;
    async fn care_team(&self, patient: PatientId) -> StoreResult<Vec<UserId>>;
    /// Adds or removes a care-team member and, with it, their membership of the care-team
    /// conversation. `None` if nothing changed.
    async fn set_care_team_member(
        &self,
        patient: PatientId,
        user: UserId,
        on_team: bool,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
}

/// Conversations and their members.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Creates a conversation with its first members. Conflict if a direct conversation of the
    /// pair, or a patient's care-team conversation, exists.
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[UserId],
        audit: NewAuditEvent,
    ) -> StoreResult<Committed>;
    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>>;
    async fn conversation_by_direct_key(&self, key: &str) -> StoreResult<Option<Conversation>>;
    /// Every conversation about a patient (care-team and patient threads), oldest first.
    /// Every channel (the directory staff join from).
    async fn channels(&self) -> StoreResult<Vec<Conversation>>;
    async fn patient_conversations(&self, patient: PatientId) -> StoreResult<Vec<Conversation>>;
    async fn care_team_conversation(&self, patient: PatientId)
    -> StoreResult<Option<Conversation>>;
    /// The conversations `user` is a member of now.
    async fn conversations_of(&self, user: UserId) -> StoreResult<Vec<ConversationSummary>>;
    async fn members(&self, id: ConversationId) -> StoreResult<Vec<UserId>>;
    async fn is_member(&self, id: ConversationId, user: UserId) -> StoreResult<bool>;
    /// The conversation, if `user` is a member of it now (one query).
    async fn conversation_for_member(
        &self,
        id: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Conversation>>;
    /// Adds members; `None` if all were members already.
    async fn add_members(
        &self,
        id: ConversationId,
        users: &[UserId],
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
    /// Removes a member; `None` if they were not one.
    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
}

/// Messages and receipts.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message at the conversation's next seq, with its event and audit event, unless
    /// the sender used its client id before. NotFound if the sender is not a member. The
    /// `attachments` are given to the message, each of which must be a finished, unattached
    /// upload of the sender's to the conversation (else Invalid, and nothing is stored). With
    /// `escalate_at`, the message's escalation is scheduled in the same transaction.
    async fn send_message(
        &self,
        message: &Message,
        attachments: &[AttachmentId],
        escalate_at: Option<Timestamp>,
        audit: NewAuditEvent,
    ) -> StoreResult<SendOutcome>;
    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>>;
    async fn messages(
        &self,
        conversation: ConversationId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Moves the member's read position to `up_to`; `None` if it would not move.
    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        up_to: i64,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
    /// Every member's position.
    async fn receipts(&self, conversation: ConversationId) -> StoreResult<Vec<Receipt>>;
}

/// The event log devices catch up from.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Up to `limit` events after `after` that `user` may see, in order.
    async fn events_for(&self, user: UserId, after: i64, limit: u32) -> StoreResult<Vec<SyncItem>>;
    /// The position of the latest event.
    async fn max_event_seq(&self) -> StoreResult<i64>;
    /// Records that a device has the log up to `cursor`, and moves its user's delivery
    /// receipts; the receipt events this committed.
    async fn record_delivery(
        &self,
        session: SessionId,
        user: UserId,
        cursor: i64,
        at: Timestamp,
    ) -> StoreResult<Vec<Committed>>;
}

/// Acknowledgement and escalation of urgent messages; clinical roles and their shifts.
#[async_trait]
pub trait ClinicalStore: Send + Sync {
    /// Records `user`'s acknowledgement with a `message.acknowledged` event and its audit
    /// event; `None` if they had acknowledged it already (nothing is written).
    async fn acknowledge(
        &self,
        message: MessageId,
        conversation: ConversationId,
        user: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
    /// Who acknowledged a message, and when, in order.
    async fn acks(&self, message: MessageId) -> StoreResult<Vec<(UserId, Timestamp)>>;
    /// The acknowledgements of a conversation's messages with seq in `(after, through]`, in
    /// seq order (a page of messages' worth).
    async fn acks_between(
        &self,
        conversation: ConversationId,
        after: i64,
        through: i64,
    ) -> StoreResult<Vec<(MessageId, UserId, Timestamp)>>;
    /// The members of a conversation at event `seq` (a message's recipients, with its sender).
    async fn members_at(&self, conversation: ConversationId, seq: i64) -> StoreResult<Vec<UserId>>;
    /// Pending escalations due by `now`, oldest first.
    async fn due_escalations(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Escalation>>;
    /// Takes an escalation step (adding whom it brings in as a member, and its event), or ends
    /// the escalation; `None` if another writer moved it on first (nothing is written).
    async fn advance_escalation(
        &self,
        advance: EscalationAdvance,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Vec<Committed>>>;
    /// Fails with [`StoreError::Conflict`] if the name is taken.
    async fn create_clinical_role(
        &self,
        role: &ClinicalRole,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn clinical_role(&self, id: ClinicalRoleId) -> StoreResult<Option<ClinicalRole>>;
    async fn clinical_roles(&self) -> StoreResult<Vec<ClinicalRole>>;
    async fn add_shift(&self, shift: &Shift, audit: NewAuditEvent) -> StoreResult<()>;
    /// The shifts of a role that cover `at`.
    async fn shifts_covering(&self, role: ClinicalRoleId, at: Timestamp)
    -> StoreResult<Vec<Shift>>;
    /// Sets (or, with `None`, clears) the on-call role a conversation's urgent messages
    /// escalate to.
    async fn set_escalation_role(
        &self,
        conversation: ConversationId,
        role: Option<ClinicalRoleId>,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn escalation_role(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Option<ClinicalRoleId>>;
    /// Every conversation addressed to a clinical role (kind `role`), with its role.
    async fn role_conversations(&self) -> StoreResult<Vec<(ConversationId, ClinicalRoleId)>>;
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
    + std::fmt::Debug
{
    /// "sqlite" or "postgres", for logs and metrics only.
    fn backend(&self) -> &'static str;
    /// Checks the database answers (for readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// Finishes pending writes and closes connections.
    async fn close(&self);
}
