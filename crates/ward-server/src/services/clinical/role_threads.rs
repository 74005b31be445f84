//! Messages addressed to a clinical role. Each sender has one thread with a role (kind `role`,
//! titled with the role's name, escalating to the role), whose staff member is whoever holds
//! the role: at send time the current holder joins and a previous one leaves, and the
//! background loop does the same at every hand-over, so the incoming holder has the thread,
//! with its unacknowledged urgent messages, and the outgoing one no longer gets its events.
//! Each hand-over is audited with how many urgent messages were still unacknowledged.

use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::clinical::{ClinicalRole, holder_at};
use ward_core::conversation::{Conversation, ConversationKind, Priority};
use ward_core::id::{ClinicalRoleId, ConversationId, UserId};
use ward_core::role::Permission;

use super::Clinical;
use crate::opened::PlainMessage;
use crate::services::Access;
use crate::services::messaging::Outgoing;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

impl Clinical {
    /// Sends a message to whoever holds the role now, in the caller's thread with the role.
    ///
    /// Only staff who may start conversations and see the directory (where the roles are
    /// listed) may: a patient reaches staff through their own patient-facing thread, and
    /// whoever may not list the roles is refused before any lookup, so the answer tells them
    /// nothing about which roles exist.
    pub async fn send_to_role(
        &self,
        caller: &Caller,
        role_id: ClinicalRoleId,
        outgoing: Outgoing,
    ) -> Result<(PlainMessage, bool), ServiceError> {
        for permission in [
            Permission::MessagesSend,
            Permission::ConversationsCreate,
            Permission::UsersRead,
        ] {
            self.access
                .require(caller, permission, AuditAction::MessageSent)
                .await?;
        }
        let role = self
            .store
            .clinical_role(role_id)
            .await?
            .ok_or(ServiceError::NotFound("clinical role"))?;
        let now = self.now();
        let holder = self
            .role_holder(role_id, now)
            .await?
            .ok_or(ServiceError::Conflict("no one holds this role now"))?;
        if holder == caller.user.id {
            return Err(ValidationError::new("role", "you hold this role now").into());
        }
        let thread = self.role_thread(caller, &role, holder, now).await?;
        self.follow_holder(&thread, caller.user.id, holder, now)
            .await?;
        self.messaging
            .send_message(caller, thread.id, outgoing)
            .await
    }

    async fn role_holder(
        &self,
        role: ClinicalRoleId,
        now: Timestamp,
    ) -> Result<Option<UserId>, ServiceError> {
        Ok(holder_at(
            &self.store.shifts_covering(role, now).await?,
            now,
        ))
    }

    /// The caller's thread with the role, created (with the holder in it) on first use.
    async fn role_thread(
        &self,
        caller: &Caller,
        role: &ClinicalRole,
        holder: UserId,
        now: Timestamp,
    ) -> Result<Conversation, ServiceError> {
        let key = format!("role:{}:{}", role.id, caller.user.id);
        if let Some(existing) = self.store.conversation_by_direct_key(&key).await? {
            return Ok(existing);
        }
        let id = ConversationId::new();
        let conversation = Conversation {
            id,
            kind: ConversationKind::Role,
            sealed_title: Some(self.sealing.seal_title(id, &role.name, now).await?),
            patient_id: None,
            direct_key: Some(key),
            created_by: caller.user.id,
            created_at: now,
            lifespan_secs: None,
        };
        let event =
            Access::conversation_event(caller, AuditAction::ConversationCreated, &conversation)
                .detail(format!(r#"{{"clinical_role":"{}"}}"#, role.id));
        let committed = self
            .store
            .create_conversation(&conversation, &[caller.user.id, holder], event)
            .await?;
        let escalation =
            Access::conversation_event(caller, AuditAction::EscalationRoleSet, &conversation)
                .detail(format!(r#"{{"role":"{}"}}"#, role.id));
        self.store
            .set_escalation_role(id, Some(role.id), escalation)
            .await?;
        let plain = self
            .sealing
            .plain_conversation(conversation.clone())
            .await?;
        self.publisher
            .publish(&committed, Payload::Conversation(&plain));
        Ok(conversation)
    }

    /// Makes the holder the thread's staff member: they join if they are not in it, and anyone
    /// else but the sender leaves, audited as a hand-over. True if this call changed anything
    /// (another node may have made the same change first; then nothing is audited twice).
    async fn follow_holder(
        &self,
        thread: &Conversation,
        sender: UserId,
        holder: UserId,
        now: Timestamp,
    ) -> Result<bool, ServiceError> {
        let members = self.store.members(thread.id).await?;
        let outgoing: Vec<UserId> = members
            .iter()
            .copied()
            .filter(|m| *m != sender && *m != holder)
            .collect();
        let joining = !members.contains(&holder);
        if !joining && outgoing.is_empty() {
            return Ok(false);
        }
        let unacknowledged = self.unacknowledged_urgent(thread.id, sender).await?;
        let target = (TargetKind::Conversation, Some(*thread.id.as_uuid()));
        let mut changed = false;
        if joining {
            let event = NewAuditEvent::new(AuditAction::MemberAdded, Outcome::Success)
                .target(target.0, target.1)
                .detail(format!(r#"{{"user":"{holder}","role_holder":true}}"#));
            if let Some(committed) = self
                .store
                .add_members(thread.id, &[holder], now, event)
                .await?
            {
                let plain = self.sealing.plain_conversation(thread.clone()).await?;
                self.publisher
                    .publish(&committed, Payload::Conversation(&plain));
                changed = true;
            }
        }
        for user in &outgoing {
            let event = NewAuditEvent::new(AuditAction::MemberRemoved, Outcome::Success)
                .target(target.0, target.1)
                .detail(format!(r#"{{"user":"{user}","role_holder":false}}"#));
            if let Some(committed) = self
                .store
                .remove_member(thread.id, *user, now, event)
                .await?
            {
                self.publisher.publish(
                    &committed,
                    Payload::Removed {
                        conversation: thread.id,
                        user: *user,
                    },
                );
                changed = true;
            }
        }
        if !changed {
            return Ok(false);
        }
        let from = outgoing
            .iter()
            .map(|u| format!(r#""{u}""#))
            .collect::<Vec<_>>()
            .join(",");
        let handover = NewAuditEvent::new(AuditAction::RoleHandover, Outcome::Success)
            .target(target.0, target.1)
            .detail(format!(
                r#"{{"from":[{from}],"to":"{holder}","unacknowledged":{unacknowledged}}}"#
            ));
        self.store.append_audit(handover).await?;
        Ok(true)
    }

    /// Urgent and stat messages from the sender in the thread that no one has acknowledged.
    async fn unacknowledged_urgent(
        &self,
        thread: ConversationId,
        sender: UserId,
    ) -> Result<usize, ServiceError> {
        let mut count = 0;
        for message in self
            .store
            .messages(thread, 0, crate::services::MAX_PAGE)
            .await?
        {
            if message.priority != Priority::Normal
                && message.sender_id == sender
                && self.store.acks(message.id).await?.is_empty()
            {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Moves every role thread to its role's holder now; how many threads were handed over.
    /// A role that no one holds keeps its last holder until someone does.
    pub async fn hand_over_role_threads(&self, now: Timestamp) -> Result<usize, ServiceError> {
        // A hand-over is a join, then leaves, then its audit: a pass never overlaps another here.
        let _pass = self.handover_pass.lock().await;
        let mut moved = 0;
        for (thread, role) in self.store.role_conversations().await? {
            let (Some(holder), Some(conversation)) = (
                self.role_holder(role, now).await?,
                self.store.conversation(thread).await?,
            ) else {
                continue;
            };
            if holder == conversation.created_by {
                continue;
            }
            if self
                .follow_holder(&conversation, conversation.created_by, holder, now)
                .await?
            {
                moved += 1;
            }
        }
        Ok(moved)
    }
}
