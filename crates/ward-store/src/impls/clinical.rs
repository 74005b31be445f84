//! [`ClinicalStore`] for every [`Backend`]: each write takes the ordering lock first, so the
//! events it appends get positions in commit order.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::{ChainHasher, NewAuditEvent};
use ward_core::clinical::{ClinicalRole, Escalation, EscalationAdvance, EscalationGrant, Shift};
use ward_core::conversation::{Committed, EventKind, MessageId};
use ward_core::id::{ClinicalRoleId, ConversationId, PatientId, UserId};

use super::{always, audited};
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::audit::append_audit;
use crate::ops::{clinical, messaging};
use crate::{ClinicalStore, StoreResult};

/// Why a grant ends when its message is acknowledged.
const GRANT_END_REASON_ACKNOWLEDGED: &str = "acknowledged";

/// Ends the open grants of `message` (only `user`'s, if given), auditing each end.
async fn end_grants_audited<E: Exec>(
    c: &mut E,
    hasher: &dyn ChainHasher,
    (message, user): (MessageId, Option<UserId>),
    at: Timestamp,
    patient: Option<PatientId>,
) -> StoreResult<()> {
    let reason = GRANT_END_REASON_ACKNOWLEDGED;
    for grant in clinical::end_grants(c, message, user, at, reason).await? {
        append_audit(c, hasher, &grant.end_event(patient, reason)).await?;
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> ClinicalStore for B {
    async fn acknowledge(
        &self,
        message: MessageId,
        conversation: ConversationId,
        (user, resolves): (UserId, bool),
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        let (hasher, patient) = (self.hasher(), audit.patient);
        let whose = (!resolves).then_some(user);
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move {
                if !clinical::insert_ack(c, message, user, at).await? {
                    return Ok(None);
                }
                end_grants_audited(c, &*hasher, (message, whose), at, patient).await?;
                let kind = EventKind::MessageAcknowledged;
                let committed =
                    messaging::commit_event(c, conversation, kind, Some(message), Some(user), at)
                        .await?;
                Ok(Some(committed))
            })
        })
        .await
    }

    async fn acks(&self, message: MessageId) -> StoreResult<Vec<(UserId, Timestamp)>> {
        self.read(move |c| Box::pin(clinical::acks(c, message)))
            .await
    }

    async fn acks_between(
        &self,
        conversation: ConversationId,
        after: i64,
        through: i64,
    ) -> StoreResult<Vec<(MessageId, UserId, Timestamp)>> {
        self.read(move |c| Box::pin(clinical::acks_between(c, conversation, after, through)))
            .await
    }

    async fn members_at(&self, conversation: ConversationId, seq: i64) -> StoreResult<Vec<UserId>> {
        self.read(move |c| Box::pin(clinical::members_at(c, conversation, seq)))
            .await
    }

    async fn due_escalations(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<Escalation>> {
        self.read(move |c| Box::pin(clinical::due_escalations(c, now, limit)))
            .await
    }

    async fn advance_escalation(
        &self,
        advance: EscalationAdvance,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Vec<Committed>>> {
        let (hasher, patient) = (self.hasher(), audit.patient);
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move {
                let from = advance.escalation;
                let (message, conversation) = (from.message_id, from.conversation_id);
                let (taken, state) = match (advance.step, advance.next_due) {
                    (Some((step, _)), Some(_)) => (step.number(), "pending"),
                    (Some((step, _)), None) => (step.number(), "exhausted"),
                    (None, _) => (from.steps_taken, "acknowledged"),
                };
                let due = advance.next_due;
                if !clinical::claim_escalation(c, message, from.steps_taken, taken, due, state)
                    .await?
                {
                    return Ok(None);
                }
                let mut committed = Vec::new();
                let Some((step, target)) = advance.step else {
                    // Acknowledged: whoever was brought to the message is released.
                    let at = advance.at;
                    end_grants_audited(c, &*hasher, (message, None), at, patient).await?;
                    return Ok(Some(committed));
                };
                if let Some(user) = target {
                    let grant = EscalationGrant {
                        id: uuid::Uuid::now_v7(),
                        message_id: message,
                        conversation_id: conversation,
                        user_id: user,
                        step,
                        granted_at: advance.at,
                        ends_at: advance.grant_until,
                        ended_at: None,
                    };
                    clinical::insert_grant(c, &grant).await?;
                }
                let kind = step.event_kind();
                let mut escalated = messaging::commit_event(
                    c,
                    conversation,
                    kind,
                    Some(message),
                    target,
                    advance.at,
                )
                .await?;
                // The person brought in is no member, but their devices hear of it at once.
                if let Some(user) = target
                    && !escalated.recipients.contains(&user)
                {
                    escalated.recipients.push(user);
                }
                // Each step notifies too: the person brought in, or (a repeat) every member.
                if let Some(m) = crate::ops::messages::message(c, message).await? {
                    let users = target.map_or_else(|| escalated.recipients.clone(), |u| vec![u]);
                    let seq = escalated.event.seq;
                    crate::ops::notify::enqueue_for_escalation(c, &m, seq, &users, advance.at)
                        .await?;
                }
                committed.push(escalated);
                Ok(Some(committed))
            })
        })
        .await
    }

    async fn escalation_grants(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> StoreResult<Vec<EscalationGrant>> {
        self.read(move |c| Box::pin(clinical::grants_of(c, user, now)))
            .await
    }

    async fn lapsed_grants(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<EscalationGrant>> {
        self.read(move |c| Box::pin(clinical::lapsed_grants(c, now, limit)))
            .await
    }

    async fn end_lapsed_grant(
        &self,
        grant: uuid::Uuid,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(
            self,
            audit,
            |ended| *ended,
            move |c| Box::pin(clinical::end_grant(c, grant, at, "expired")),
        )
        .await
    }

    async fn create_clinical_role(
        &self,
        role: &ClinicalRole,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let role = role.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { clinical::insert_clinical_role(c, &role).await })
        })
        .await
    }

    async fn clinical_role(&self, id: ClinicalRoleId) -> StoreResult<Option<ClinicalRole>> {
        self.read(move |c| Box::pin(clinical::clinical_role(c, id)))
            .await
    }

    async fn clinical_roles(&self) -> StoreResult<Vec<ClinicalRole>> {
        self.read(|c| Box::pin(clinical::clinical_roles(c))).await
    }

    async fn add_shift(&self, shift: &Shift, audit: NewAuditEvent) -> StoreResult<()> {
        let shift = *shift;
        audited(self, audit, always, move |c| {
            Box::pin(async move { clinical::insert_shift(c, &shift).await })
        })
        .await
    }

    async fn shifts_covering(
        &self,
        role: ClinicalRoleId,
        at: Timestamp,
    ) -> StoreResult<Vec<Shift>> {
        self.read(move |c| Box::pin(clinical::shifts_covering(c, role, at)))
            .await
    }

    async fn set_escalation_role(
        &self,
        conversation: ConversationId,
        role: Option<ClinicalRoleId>,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        audited(self, audit, always, move |c| {
            Box::pin(clinical::set_escalation_role(c, conversation, role))
        })
        .await
    }

    async fn escalation_role(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Option<ClinicalRoleId>> {
        self.read(move |c| Box::pin(clinical::escalation_role(c, conversation)))
            .await
    }

    async fn role_conversations(&self) -> StoreResult<Vec<(ConversationId, ClinicalRoleId)>> {
        self.read(|c| Box::pin(clinical::role_conversations(c)))
            .await
    }
}
