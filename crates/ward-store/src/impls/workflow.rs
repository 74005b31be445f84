//! The message lifecycle, scheduling and oversight traits, for every [`Backend`]: each audited
//! write takes the ordering lock first (its event appends and audit event stay in order
//! across nodes), then commits its change, events and audit event in one transaction.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, EventKind, Message, MessageId, MessageVersion};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::keys::Epoch;
use ward_core::oversight::{Alert, AlertId, BreakGlassGrant, GrantId};
use ward_core::scheduled::{ScheduledId, ScheduledMessage, ScheduledState};

use super::{always, any, audited, changed};
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::{audit, lifecycle, messaging, oversight, schedule};
use crate::{MessageLifecycleStore, OversightStore, ScheduleStore, StoreError, StoreResult};

#[async_trait]
impl<B: Backend> MessageLifecycleStore for B {
    async fn edit_message(
        &self,
        message: &Message,
        sender: UserId,
        epoch: Epoch,
        sealed_body: Vec<u8>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        let (id, conversation) = (message.id, message.conversation_id);
        let h = self.hasher();
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                if !lifecycle::edit_message(c, id, sender, epoch, &sealed_body, at).await? {
                    return Ok(None);
                }
                let kind = EventKind::MessageEdited;
                let change = (conversation, id, sender, at);
                let committed = lifecycle::message_changed(c, &*h, kind, change, &audit).await?;
                Ok(Some(committed))
            })
        })
        .await
    }

    async fn recall_message(
        &self,
        message: &Message,
        sender: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        let (id, conversation) = (message.id, message.conversation_id);
        let h = self.hasher();
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                if !lifecycle::recall_message(c, id, sender, at).await? {
                    return Ok(None);
                }
                let kind = EventKind::MessageRecalled;
                let change = (conversation, id, sender, at);
                let committed = lifecycle::message_changed(c, &*h, kind, change, &audit).await?;
                Ok(Some(committed))
            })
        })
        .await
    }

    async fn message_versions(&self, message: MessageId) -> StoreResult<Vec<MessageVersion>> {
        self.read(move |c| Box::pin(lifecycle::message_versions(c, message)))
            .await
    }

    async fn expiring_messages(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(MessageId, ConversationId)>> {
        self.read(move |c| Box::pin(lifecycle::expiring_messages(c, now, limit)))
            .await
    }

    async fn expire_messages(
        &self,
        messages: &[(MessageId, ConversationId)],
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Vec<Committed>> {
        let messages = messages.to_vec();
        audited(self, audit, any, move |c| {
            Box::pin(async move {
                let mut committed = Vec::new();
                for (id, conversation) in messages {
                    if !lifecycle::expire_message(c, id, at).await? {
                        continue;
                    }
                    let kind = EventKind::MessageExpired;
                    let expired =
                        messaging::commit_event(c, conversation, kind, Some(id), None, at).await?;
                    committed.push(expired);
                }
                Ok(committed)
            })
        })
        .await
    }

    async fn set_lifespan(
        &self,
        conversation: ConversationId,
        secs: Option<i64>,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Committed> {
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                if !lifecycle::set_lifespan(c, conversation, secs).await? {
                    return Err(StoreError::NotFound("conversation"));
                }
                let kind = EventKind::ConversationUpdated;
                messaging::commit_event(c, conversation, kind, None, None, at).await
            })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> ScheduleStore for B {
    async fn schedule_message(
        &self,
        scheduled: &ScheduledMessage,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let scheduled = scheduled.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { schedule::insert_scheduled(c, &scheduled).await })
        })
        .await
    }

    async fn scheduled_message(&self, id: ScheduledId) -> StoreResult<Option<ScheduledMessage>> {
        self.read(move |c| Box::pin(schedule::scheduled(c, id)))
            .await
    }

    async fn scheduled_by_client_id(
        &self,
        client_id: uuid::Uuid,
    ) -> StoreResult<Option<ScheduledMessage>> {
        self.read(move |c| Box::pin(schedule::scheduled_by_client_id(c, client_id)))
            .await
    }

    async fn pending_scheduled(&self, sender: UserId) -> StoreResult<Vec<ScheduledMessage>> {
        self.read(move |c| Box::pin(schedule::pending_scheduled_of(c, sender)))
            .await
    }

    async fn due_scheduled(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<ScheduledMessage>> {
        self.read(move |c| Box::pin(schedule::due_scheduled(c, now, limit)))
            .await
    }

    async fn cancel_scheduled(
        &self,
        id: ScheduledId,
        sender: UserId,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(schedule::cancel_scheduled(c, id, sender))
        })
        .await
    }

    async fn claim_scheduled(&self, id: ScheduledId) -> StoreResult<bool> {
        self.write(move |c| Box::pin(schedule::claim_scheduled(c, id)))
            .await
    }

    async fn finish_scheduled(
        &self,
        id: ScheduledId,
        state: ScheduledState,
        message: Option<MessageId>,
        failure: Option<String>,
        audit: Option<NewAuditEvent>,
    ) -> StoreResult<bool> {
        let h = self.hasher();
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                let failure = failure.as_deref();
                if !schedule::finish_scheduled(c, id, state, message, failure).await? {
                    return Ok(false);
                }
                if let Some(event) = &audit {
                    audit::append_audit(c, &*h, event).await?;
                }
                Ok(true)
            })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> OversightStore for B {
    async fn open_break_glass(
        &self,
        grant: &BreakGlassGrant,
        alert: Alert,
        audit: NewAuditEvent,
    ) -> StoreResult<(Option<Committed>, Alert)> {
        let (grant, h) = (grant.clone(), self.hasher());
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                oversight::insert_grant(c, &grant).await?;
                let (conversation, user) = (grant.conversation_id, grant.user_id);
                let committed =
                    messaging::add_members(c, conversation, &[user], grant.opened_at).await?;
                let audit_seq = audit::append_audit(c, &*h, &audit).await?;
                let evidence = vec![audit_seq];
                let alert = Alert {
                    audit_seq,
                    evidence,
                    ..alert
                };
                oversight::insert_alert(c, &alert).await?;
                Ok((committed, alert))
            })
        })
        .await
    }

    async fn end_break_glass(
        &self,
        grant: &BreakGlassGrant,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Option<Committed>>> {
        let grant = grant.clone();
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move {
                if !oversight::end_grant(c, grant.id, at).await? {
                    return Ok(None);
                }
                let removed = if oversight::still_entitled(c, grant.patient_id, grant.user_id)
                    .await?
                {
                    None
                } else {
                    messaging::remove_member(c, grant.conversation_id, grant.user_id, at).await?
                };
                Ok(Some(removed))
            })
        })
        .await
    }

    async fn break_glass_grant(&self, id: GrantId) -> StoreResult<Option<BreakGlassGrant>> {
        self.read(move |c| Box::pin(oversight::grant(c, id))).await
    }

    async fn due_break_glass(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<BreakGlassGrant>> {
        self.read(move |c| Box::pin(oversight::due_grants(c, now, limit)))
            .await
    }

    async fn break_glass_for_patient(
        &self,
        patient: PatientId,
    ) -> StoreResult<Vec<BreakGlassGrant>> {
        self.read(move |c| Box::pin(oversight::grants_for_patient(c, patient)))
            .await
    }

    async fn alert(&self, id: AlertId) -> StoreResult<Option<Alert>> {
        self.read(move |c| Box::pin(oversight::alert(c, id))).await
    }

    async fn alerts(&self, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>> {
        self.read(move |c| Box::pin(oversight::alerts(c, open_only, limit)))
            .await
    }

    async fn acknowledge_alert(
        &self,
        id: AlertId,
        by: UserId,
        at: Timestamp,
        sealed_note: Option<Vec<u8>>,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(async move {
                oversight::acknowledge_alert(c, id, by, at, sealed_note.as_deref()).await
            })
        })
        .await
    }
}
