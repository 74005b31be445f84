//! The store traits of the clinical workflow beyond sending: edits, recalls and lifespans of
//! messages, scheduled sends, break-glass grants and alerts. Implemented once for every
//! backend in `impls/workflow.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, Message, MessageId, MessageVersion};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::keys::Epoch;
use ward_core::oversight::{Alert, AlertId, BreakGlassGrant, GrantId};
use ward_core::scheduled::{ScheduledId, ScheduledMessage, ScheduledState};

use crate::StoreResult;

/// Edits, recalls and lifespans of messages. Each change commits with its event (which tells
/// devices to replace or delete the message) and its audit event.
#[async_trait]
pub trait MessageLifecycleStore: Send + Sync {
    /// Replaces a message's body, keeping the old one as a version, with a `message.edited`
    /// event; `None` (nothing written) unless `sender` sent it and it is still readable.
    async fn edit_message(
        &self,
        message: &Message,
        sender: UserId,
        epoch: Epoch,
        sealed_body: Vec<u8>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
    /// Recalls a message (its escalation stops) with a `message.recalled` event; `None`
    /// (nothing written) unless `sender` sent it and it is still readable.
    async fn recall_message(
        &self,
        message: &Message,
        sender: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>>;
    /// The earlier bodies of an edited message, oldest first.
    async fn message_versions(&self, message: MessageId) -> StoreResult<Vec<MessageVersion>>;
    /// Messages whose lifespan ended by `now` that devices were not told about yet.
    async fn expiring_messages(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(MessageId, ConversationId)>>;
    /// Marks messages expired, each with a `message.expired` event, under one audit event;
    /// the events committed (none for a message another writer expired first).
    async fn expire_messages(
        &self,
        messages: &[(MessageId, ConversationId)],
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Vec<Committed>>;
    /// Sets (or clears) how long a conversation's new messages live, with a
    /// `conversation.updated` event. NotFound if there is no such conversation.
    async fn set_lifespan(
        &self,
        conversation: ConversationId,
        secs: Option<i64>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Committed>;
}

/// Messages scheduled for later.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Conflict if its client id was used for another scheduled message.
    async fn schedule_message(
        &self,
        scheduled: &ScheduledMessage,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    async fn scheduled_message(&self, id: ScheduledId) -> StoreResult<Option<ScheduledMessage>>;
    async fn scheduled_by_client_id(
        &self,
        client_id: uuid::Uuid,
    ) -> StoreResult<Option<ScheduledMessage>>;
    /// A sender's pending scheduled messages, soonest first.
    async fn pending_scheduled(&self, sender: UserId) -> StoreResult<Vec<ScheduledMessage>>;
    /// Pending scheduled messages whose time came by `now`, soonest first.
    async fn due_scheduled(&self, now: Timestamp, limit: u32)
    -> StoreResult<Vec<ScheduledMessage>>;
    /// Cancels a pending scheduled message of `sender`'s; false (nothing written) if there is
    /// none.
    async fn cancel_scheduled(
        &self,
        id: ScheduledId,
        sender: UserId,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Claims a due scheduled message for sending (state `sending`, so it can no longer be
    /// cancelled); false if it was cancelled or finished meanwhile.
    async fn claim_scheduled(&self, id: ScheduledId) -> StoreResult<bool>;
    /// Records that a claimed scheduled message was sent or failed; false if it was not being
    /// sent.
    async fn finish_scheduled(
        &self,
        id: ScheduledId,
        state: ScheduledState,
        message: Option<MessageId>,
        failure: Option<String>,
        audit: Option<NewAuditEvent>,
    ) -> StoreResult<bool>;
}

/// Break-glass grants and the alerts compliance officers receive.
#[async_trait]
pub trait OversightStore: Send + Sync {
    /// Opens a grant: makes its user a member of the care-team thread (the event, if they
    /// were not one), appends the audit event and raises `alert` linked to it (its
    /// `audit_seq` is filled in). Returns the membership event and the alert as stored.
    async fn open_break_glass(
        &self,
        grant: &BreakGlassGrant,
        alert: Alert,
        audit: NewAuditEvent,
    ) -> StoreResult<(Option<Committed>, Alert)>;
    /// Ends a grant and, unless the user belongs in the thread otherwise, their membership.
    /// `None` (nothing written) if it had ended already; else the removal event, if any.
    async fn end_break_glass(
        &self,
        grant: &BreakGlassGrant,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Option<Committed>>>;
    async fn break_glass_grant(&self, id: GrantId) -> StoreResult<Option<BreakGlassGrant>>;
    /// Open grants whose time is up by `now`.
    async fn due_break_glass(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<BreakGlassGrant>>;
    /// Every grant for a patient, newest first.
    async fn break_glass_for_patient(
        &self,
        patient: PatientId,
    ) -> StoreResult<Vec<BreakGlassGrant>>;
    async fn alert(&self, id: AlertId) -> StoreResult<Option<Alert>>;
    /// The newest alerts, optionally only those not acknowledged.
    async fn alerts(&self, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>>;
    /// Signs an alert off, with the sealed note if any; false (nothing written) if there is
    /// no such alert or it was signed off already.
    async fn acknowledge_alert(
        &self,
        id: AlertId,
        by: UserId,
        at: Timestamp,
        sealed_note: Option<Vec<u8>>,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
}
