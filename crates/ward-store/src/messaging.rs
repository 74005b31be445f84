//! The store traits of messaging: patients and care teams, conversations and members,
//! messages and receipts, and the event log devices sync from. Implemented once for every
//! backend in `impls/messaging.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::attachment::AttachmentId;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, Conversation, Event, Message, MessageId, Receipt};
use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
use ward_core::patient::PatientRecord;

use crate::StoreResult;

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

/// An event of the log with the users live delivery sends it to.
#[derive(Debug, Clone)]
pub struct LogItem {
    pub item: SyncItem,
    pub recipients: Vec<UserId>,
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
    /// Every channel (the directory staff join from).
    async fn channels(&self) -> StoreResult<Vec<Conversation>>;
    /// Every conversation about a patient (care-team and patient threads), oldest first.
    async fn patient_conversations(&self, patient: PatientId) -> StoreResult<Vec<Conversation>>;
    async fn care_team_conversation(&self, patient: PatientId)
    -> StoreResult<Option<Conversation>>;
    /// The conversations `user` is a member of now.
    async fn conversations_of(&self, user: UserId) -> StoreResult<Vec<ConversationSummary>>;
    async fn members(&self, id: ConversationId) -> StoreResult<Vec<UserId>>;
    async fn is_member(&self, id: ConversationId, user: UserId) -> StoreResult<bool>;
    /// The seq after which `user`'s current membership reads the conversation: that of the
    /// last message sent before they joined (0 if none), or, when an escalation brought them
    /// in, just before the escalated message; `None` if not a member.
    async fn history_start(&self, id: ConversationId, user: UserId) -> StoreResult<Option<i64>>;
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
    /// One user's position in a conversation, if they have one.
    async fn receipt(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Receipt>>;
}

/// The event log devices catch up from.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Up to `limit` events after `after` that `user` may see, in order.
    async fn events_for(&self, user: UserId, after: i64, limit: u32) -> StoreResult<Vec<SyncItem>>;
    /// Up to `limit` events in (`after`, `up_to`], in order, each with its recipients as
    /// live delivery names them (for a node that missed their notices).
    async fn events_between(&self, after: i64, up_to: i64, limit: u32)
    -> StoreResult<Vec<LogItem>>;
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
