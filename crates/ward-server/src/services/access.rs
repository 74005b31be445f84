//! What every service checks before it acts: the caller's permission, and membership of the
//! conversation it acts on (or, for one escalated message, an escalation grant). A refusal is
//! audited; a conversation the caller is not a member of does not exist for them (404).

use std::sync::Arc;

use uuid::Uuid;

use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::clinical::EscalationGrant;
use ward_core::clock::Clock;
use ward_core::conversation::{Conversation, Message};
use ward_core::id::ConversationId;
use ward_core::role::Permission;
use ward_store::Store;

use super::{Caller, ServiceError};

/// Permission and membership checks, with the audit of refusals.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    store: Arc<dyn Store>,
    /// Grants are open until a time.
    clock: Arc<dyn Clock>,
}

impl Access {
    pub(crate) fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The escalation grants the caller holds now.
    pub(crate) async fn grants(
        &self,
        caller: &Caller,
    ) -> Result<Vec<EscalationGrant>, ServiceError> {
        let now = self.clock.now();
        Ok(self.store.escalation_grants(caller.user.id, now).await?)
    }

    /// The conversation, if the caller is a member or holds an escalation grant in it (to
    /// answer the message they were brought to); otherwise audited, and not found.
    pub(crate) async fn member_or_granted_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
        action: AuditAction,
    ) -> Result<Conversation, ServiceError> {
        self.reachable_conversation(caller, id, action, true).await
    }

    /// Refuses, and records the refusal, unless the caller's role has `permission`.
    pub(crate) async fn require(
        &self,
        caller: &Caller,
        permission: Permission,
        action: AuditAction,
    ) -> Result<(), ServiceError> {
        if caller.allows(permission) {
            return Ok(());
        }
        self.deny(caller, action).await
    }

    /// Records a refused attempt and returns [`ServiceError::Forbidden`].
    pub(crate) async fn deny(
        &self,
        caller: &Caller,
        action: AuditAction,
    ) -> Result<(), ServiceError> {
        self.record_denial(caller, action).await?;
        Err(ServiceError::Forbidden)
    }

    /// Records a refused attempt.
    pub(crate) async fn record_denial(
        &self,
        caller: &Caller,
        action: AuditAction,
    ) -> Result<(), ServiceError> {
        let detail = format!(r#"{{"attempted":"{}"}}"#, action.as_str());
        let event = caller
            .event(AuditAction::AccessDenied, Outcome::Denied)
            .detail(detail);
        self.store.append_audit(event).await?;
        Ok(())
    }

    /// The conversation, if the caller is a member; otherwise the attempt is audited and the
    /// conversation reported as not found.
    pub(crate) async fn member_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
        action: AuditAction,
    ) -> Result<Conversation, ServiceError> {
        self.reachable_conversation(caller, id, action, false).await
    }

    /// The conversation if the caller is a member (or, with `or_granted`, holds an escalation
    /// grant in it); otherwise the attempt is audited and answered as not found.
    async fn reachable_conversation(
        &self,
        caller: &Caller,
        id: ConversationId,
        action: AuditAction,
        or_granted: bool,
    ) -> Result<Conversation, ServiceError> {
        if let Some(conversation) = self
            .store
            .conversation_for_member(id, caller.user.id)
            .await?
        {
            return Ok(conversation);
        }
        if or_granted
            && self
                .grants(caller)
                .await?
                .iter()
                .any(|g| g.conversation_id == id)
            && let Some(conversation) = self.store.conversation(id).await?
        {
            return Ok(conversation);
        }
        self.deny_conversation(caller, id, action).await
    }

    /// The seq after which the caller reads `conversation`: a member reads from the moment
    /// they joined, except where new members read the history (see
    /// [`ward_core::conversation::ConversationKind::new_members_read_history`]). Compliance
    /// reads do not ask.
    pub(crate) async fn history_start(
        &self,
        caller: &Caller,
        conversation: &Conversation,
    ) -> Result<i64, ServiceError> {
        if conversation.kind.new_members_read_history() {
            return Ok(0);
        }
        let start = self
            .store
            .history_start(conversation.id, caller.user.id)
            .await?;
        // Removed since the membership check: nothing is theirs to read.
        Ok(start.unwrap_or(i64::MAX))
    }

    /// Audits a refused attempt on a conversation the caller is not in, and answers "not found"
    /// (so non-members learn nothing about it).
    pub(crate) async fn deny_conversation<T>(
        &self,
        caller: &Caller,
        id: ConversationId,
        action: AuditAction,
    ) -> Result<T, ServiceError> {
        let event = caller
            .event(AuditAction::AccessDenied, Outcome::Denied)
            .target(TargetKind::Conversation, Some(*id.as_uuid()))
            .detail(format!(r#"{{"attempted":"{}"}}"#, action.as_str()))
            .patient(
                self.store
                    .conversation(id)
                    .await?
                    .and_then(|c| c.patient_id),
            );
        self.store.append_audit(event).await?;
        Err(ServiceError::NotFound("conversation"))
    }

    pub(crate) fn conversation_event(
        caller: &Caller,
        action: AuditAction,
        c: &Conversation,
    ) -> NewAuditEvent {
        caller
            .event(action, Outcome::Success)
            .target(TargetKind::Conversation, Some(*c.id.as_uuid()))
            .patient(c.patient_id)
    }

    /// The message and its conversation, if the caller holds an escalation grant on it, or is
    /// a member and it was sent since they may read it ([`Self::history_start`]); otherwise
    /// the attempt is audited and the message reported as not found.
    pub(crate) async fn visible_message(
        &self,
        caller: &Caller,
        message_id: Uuid,
        action: AuditAction,
    ) -> Result<(Message, Conversation), ServiceError> {
        let message = self
            .store
            .message(message_id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        // Brought to this message by an escalation: theirs to read, acknowledge and answer.
        if self
            .grants(caller)
            .await?
            .iter()
            .any(|g| g.message_id == message.id)
            && let Some(conversation) = self.store.conversation(message.conversation_id).await?
        {
            return Ok((message, conversation));
        }
        let conversation = self
            .member_conversation(caller, message.conversation_id, action)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("message"),
                other => other,
            })?;
        if message.seq <= self.history_start(caller, &conversation).await? {
            // Sent before the caller joined: not theirs, and answered as if not there.
            let event = caller
                .event(AuditAction::AccessDenied, Outcome::Denied)
                .target(TargetKind::Message, Some(message.id))
                .patient(conversation.patient_id)
                .detail(format!(r#"{{"attempted":"{}"}}"#, action.as_str()));
            self.store.append_audit(event).await?;
            return Err(ServiceError::NotFound("message"));
        }
        Ok((message, conversation))
    }
}
