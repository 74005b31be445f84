//! The messaging traits, for every [`Backend`]. Each write takes the ordering lock first, so
//! its events get positions in commit order.

use async_trait::async_trait;
use ward_core::Timestamp;
use ward_core::attachment::AttachmentId;
use ward_core::audit::NewAuditEvent;
use ward_core::conversation::{Committed, Conversation, EventKind, Message, MessageId, Receipt};
use ward_core::id::{ConversationId, PatientId, SessionId, UserId};
use ward_core::patient::PatientRecord;

use super::{always, audited};
use crate::backend::Backend;
use crate::exec::Exec;
use crate::ops::{audit, conversations, messages, messaging, sync};
use crate::{
    ConversationStore, ConversationSummary, LogItem, MessageStore, PatientStore, SendOutcome,
    StoreError, StoreResult, SyncItem, SyncStore,
};

#[async_trait]
impl<B: Backend> PatientStore for B {
    async fn create_patient(
        &self,
        patient: &PatientRecord,
        care_team: &[UserId],
        conversation: &Conversation,
        audit: NewAuditEvent,
    ) -> StoreResult<Committed> {
        let (patient, team, conv) = (patient.clone(), care_team.to_vec(), conversation.clone());
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                conversations::insert_patient(c, &patient).await?;
                for user in &team {
                    conversations::set_care_team_member(c, patient.id, *user, true).await?;
                }
                conversations::insert_conversation(c, &conv).await?;
                messaging::add_members(c, conv.id, &team, conv.created_at)
                    .await?
                    .ok_or(StoreError::Conflict("a care team needs members"))
            })
        })
        .await
    }

    async fn patient(&self, id: PatientId) -> StoreResult<Option<PatientRecord>> {
        self.read(move |c| Box::pin(conversations::patient(c, id)))
            .await
    }

    async fn patient_by_mrn_index(&self, index: &[u8; 32]) -> StoreResult<Option<PatientRecord>> {
        let index = *index;
        self.read(move |c| {
            Box::pin(async move { conversations::patient_by_index(c, &index).await })
        })
        .await
    }

    async fn patients_of(&self, user: UserId) -> StoreResult<Vec<PatientRecord>> {
        self.read(move |c| Box::pin(conversations::patients_of(c, user)))
            .await
    }

    async fn patients_page(
        &self,
        after: Option<PatientId>,
        limit: u32,
    ) -> StoreResult<Vec<PatientRecord>> {
        self.read(move |c| Box::pin(conversations::patients_page(c, after, limit)))
            .await
    }

    async fn care_team(&self, patient: PatientId) -> StoreResult<Vec<UserId>> {
        self.read(move |c| Box::pin(conversations::care_team(c, patient)))
            .await
    }

    async fn set_care_team_member(
        &self,
        patient: PatientId,
        user: UserId,
        on_team: bool,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        let h = self.hasher();
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                if !conversations::set_care_team_member(c, patient, user, on_team).await? {
                    return Ok(None);
                }
                let conv = messaging::care_team_conversation(c, patient)
                    .await?
                    .ok_or(StoreError::NotFound("care-team conversation"))?;
                let committed = if on_team {
                    messaging::add_members(c, conv.id, &[user], at).await?
                } else {
                    messaging::remove_member(c, conv.id, user, at).await?
                };
                audit::append_audit(c, &*h, &audit).await?;
                Ok(committed)
            })
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> ConversationStore for B {
    async fn create_conversation(
        &self,
        conversation: &Conversation,
        members: &[UserId],
        audit: NewAuditEvent,
    ) -> StoreResult<Committed> {
        let (conv, members) = (conversation.clone(), members.to_vec());
        audited(self, audit, always, move |c| {
            Box::pin(async move {
                conversations::insert_conversation(c, &conv).await?;
                messaging::add_members(c, conv.id, &members, conv.created_at)
                    .await?
                    .ok_or(StoreError::Conflict("a conversation needs members"))
            })
        })
        .await
    }

    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>> {
        self.read(move |c| Box::pin(conversations::conversation(c, id)))
            .await
    }

    async fn conversation_by_direct_key(&self, key: &str) -> StoreResult<Option<Conversation>> {
        let key = key.to_owned();
        self.read(move |c| {
            Box::pin(async move { conversations::conversation_by_direct_key(c, &key).await })
        })
        .await
    }

    async fn channels(&self) -> StoreResult<Vec<Conversation>> {
        self.read(|c| Box::pin(conversations::channels(c))).await
    }

    async fn patient_conversations(&self, patient: PatientId) -> StoreResult<Vec<Conversation>> {
        self.read(move |c| Box::pin(conversations::patient_conversations(c, patient)))
            .await
    }

    async fn care_team_conversation(
        &self,
        patient: PatientId,
    ) -> StoreResult<Option<Conversation>> {
        self.read(move |c| Box::pin(conversations::care_team_conversation(c, patient)))
            .await
    }

    async fn conversations_of(&self, user: UserId) -> StoreResult<Vec<ConversationSummary>> {
        self.read(move |c| Box::pin(conversations::conversations_of(c, user)))
            .await
    }

    async fn members(&self, id: ConversationId) -> StoreResult<Vec<UserId>> {
        self.read(move |c| Box::pin(messaging::active_members(c, id)))
            .await
    }

    async fn is_member(&self, id: ConversationId, user: UserId) -> StoreResult<bool> {
        self.read(move |c| Box::pin(messaging::is_member(c, id, user)))
            .await
    }

    async fn history_start(&self, id: ConversationId, user: UserId) -> StoreResult<Option<i64>> {
        self.read(move |c| Box::pin(messaging::history_start(c, id, user)))
            .await
    }

    async fn conversation_for_member(
        &self,
        id: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Conversation>> {
        self.read(move |c| Box::pin(conversations::conversation_for_member(c, id, user)))
            .await
    }

    async fn add_members(
        &self,
        id: ConversationId,
        users: &[UserId],
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        let users = users.to_vec();
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move { messaging::add_members(c, id, &users, at).await })
        })
        .await
    }

    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(messaging::remove_member(c, id, user, at))
        })
        .await
    }
}

#[async_trait]
impl<B: Backend> MessageStore for B {
    async fn send_message(
        &self,
        message: &Message,
        attachments: &[AttachmentId],
        escalate_at: Option<Timestamp>,
        audit: NewAuditEvent,
    ) -> StoreResult<SendOutcome> {
        let mut message = message.clone();
        let attachments = attachments.to_vec();
        let (sender, client_id) = (message.sender_id, message.client_id);
        let sent = audited(self, audit, always, move |c| {
            Box::pin(async move {
                let conv = message.conversation_id;
                let (sender, at) = (message.sender_id, message.created_at);
                let Some(seq) = messages::next_message_seq(c, conv, sender, at).await? else {
                    return Err(StoreError::NotFound("conversation"));
                };
                message.seq = seq;
                let kind = EventKind::MessageCreated;
                let at = message.created_at;
                let event =
                    messaging::append_event(c, conv, kind, Some(message.id), None, at).await?;
                message.event_seq = event.seq;
                // A used client id fails here, and the job's savepoint (or the
                // transaction) undoes the seq and the event.
                messages::insert_message(c, &message).await?;
                crate::ops::attachments::attach_to_message(c, &message, &attachments).await?;
                if let Some(due) = escalate_at {
                    crate::ops::clinical::insert_escalation(c, message.id, conv, due).await?;
                }
                messages::advance_receipt(c, conv, message.sender_id, seq, seq, at).await?;
                crate::ops::notify::enqueue_for_message(c, &message).await?;
                let recipients = messaging::active_members(c, conv).await?;
                Ok(SendOutcome::Created {
                    message,
                    committed: Committed { event, recipients },
                })
            })
        })
        .await;
        match sent {
            Err(StoreError::Conflict(_)) => {
                let existing = self
                    .read(move |c| Box::pin(messages::message_by_client_id(c, sender, client_id)))
                    .await?;
                existing
                    .map(SendOutcome::Existing)
                    .ok_or(StoreError::Conflict("client_id"))
            }
            other => other,
        }
    }

    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
        self.read(move |c| Box::pin(messages::message(c, id))).await
    }

    async fn messages(
        &self,
        conversation: ConversationId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.read(move |c| Box::pin(messages::messages(c, conversation, after, limit)))
            .await
    }

    async fn mark_read(
        &self,
        conversation: ConversationId,
        user: UserId,
        up_to: i64,
        at: Timestamp,
        audit: NewAuditEvent,
    ) -> StoreResult<Option<Committed>> {
        audited(self, audit, Option::is_some, move |c| {
            Box::pin(async move {
                if !messages::advance_receipt(c, conversation, user, up_to, up_to, at).await? {
                    return Ok(None);
                }
                let committed = messages::receipt_event(c, conversation, user, at).await?;
                Ok(Some(committed))
            })
        })
        .await
    }

    async fn receipts(&self, conversation: ConversationId) -> StoreResult<Vec<Receipt>> {
        self.read(move |c| Box::pin(messages::receipts(c, conversation)))
            .await
    }

    async fn receipt(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> StoreResult<Option<Receipt>> {
        self.read(move |c| Box::pin(messages::receipt(c, conversation, user)))
            .await
    }
}

#[async_trait]
impl<B: Backend> SyncStore for B {
    async fn events_for(&self, user: UserId, after: i64, limit: u32) -> StoreResult<Vec<SyncItem>> {
        self.read(move |c| Box::pin(sync::events_for(c, user, after, limit)))
            .await
    }

    async fn events_between(
        &self,
        after: i64,
        up_to: i64,
        limit: u32,
    ) -> StoreResult<Vec<LogItem>> {
        self.read(move |c| Box::pin(sync::events_between(c, after, up_to, limit)))
            .await
    }

    async fn max_event_seq(&self) -> StoreResult<i64> {
        self.read(|c| Box::pin(messaging::max_event_seq(c))).await
    }

    async fn record_delivery(
        &self,
        session: SessionId,
        user: UserId,
        cursor: i64,
        at: Timestamp,
    ) -> StoreResult<Vec<Committed>> {
        self.write(move |c| {
            Box::pin(async move {
                c.order().await?;
                let from = sync::device_cursor(c, session).await?;
                if cursor <= from {
                    return Ok(Vec::new());
                }
                sync::set_device_cursor(c, session, cursor, at).await?;
                let mut committed = Vec::new();
                for (conversation, seq) in sync::delivered_in_range(c, user, from, cursor).await? {
                    if messages::advance_receipt(c, conversation, user, seq, 0, at).await? {
                        committed.push(messages::receipt_event(c, conversation, user, at).await?);
                    }
                }
                Ok(committed)
            })
        })
        .await
    }
}
