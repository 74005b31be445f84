//! The store trait of the clinical workflow: acknowledgement and escalation of urgent
//! messages, clinical roles and shifts. Implemented once for every backend in
//! `impls/clinical.rs`.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::clinical::{ClinicalRole, Escalation, EscalationAdvance, EscalationGrant, Shift};
use ward_core::conversation::{Committed, MessageId};
use ward_core::id::{ClinicalRoleId, ConversationId, UserId};

use crate::StoreResult;

/// Acknowledgement and escalation of urgent messages; clinical roles and their shifts.
#[async_trait]
pub trait ClinicalStore: Send + Sync {
    /// Records `user`'s acknowledgement with a `message.acknowledged` event and its audit
    /// event. It ends `user`'s escalation grant on the message if they hold one, or, when the
    /// acknowledgement `resolves` the message (every recipient has now acknowledged, or one
    /// brought in by escalation did), every open grant on it; each end audited too. `None` if
    /// they had acknowledged it already (nothing is written).
    async fn acknowledge(
        &self,
        message: MessageId,
        conversation: ConversationId,
        (user, resolves): (UserId, bool),
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
    /// Takes an escalation step (granting whom it brings in the message until
    /// `advance.grant_until`, never membership, and its event, which their devices get too),
    /// or ends the escalation and every open grant on the message (each end audited); `None`
    /// if another writer moved it on first (nothing is written).
    async fn advance_escalation(
        &self,
        advance: EscalationAdvance,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Vec<Committed>>>;
    /// The escalation grants `user` holds at `now`, newest first.
    async fn escalation_grants(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> StoreResult<Vec<EscalationGrant>>;
    /// Open grants whose time ran out by `now`, oldest first.
    async fn lapsed_grants(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<EscalationGrant>>;
    /// Ends a grant whose time ran out, with its audit event; false if it had ended already.
    async fn end_lapsed_grant(
        &self,
        grant: uuid::Uuid,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
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
