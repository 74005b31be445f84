//! What a sender may do to a message after sending it (edit, recall), the versions compliance
//! sees, and lifespans: a conversation's, and the expiry that tells devices to delete a
//! message whose time is up. The server keeps every sealed body until retention disposes of it.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::conversation::{Message, check_body, check_lifespan};
use ward_core::id::ConversationId;
use ward_core::role::Permission;

use super::Messaging;
use crate::services::Access;
use crate::services::{Caller, PlainConversation, PlainMessage, ServiceError};
use crate::wire::frames::Payload;

/// Most messages one expiry pass handles.
const EXPIRY_BATCH: u32 = 500;

/// A message's bodies, for compliance: the current one and every earlier one.
#[derive(Debug)]
pub struct MessageHistory {
    pub message: Message,
    pub body: String,
    /// Version number, body, and when the next version replaced it; oldest first.
    pub versions: Vec<(i64, String, Timestamp)>,
}

impl Messaging {
    /// The sender replaces a message's body; members see it marked edited, the earlier body
    /// is kept for compliance. The new body passes the same safety checks as a send.
    pub async fn edit_message(
        &self,
        caller: &Caller,
        message_id: Uuid,
        body: &str,
        confirm_findings: bool,
    ) -> Result<PlainMessage, ServiceError> {
        let (message, conversation) = self
            .own_message(caller, message_id, AuditAction::MessageEdited)
            .await?;
        check_body(body)?;
        let policy = self.policy.get().await?;
        let safety = self
            .safety_gate(
                caller,
                &conversation,
                (body, confirm_findings),
                AuditAction::MessageEdited,
                &policy.safety,
            )
            .await?;
        let now = self.now();
        // The new body is sealed in the message's own epoch, like its attachment list.
        let epoch = message.epoch;
        let sealed = self
            .sealing
            .seal_body(conversation.id, message.id, epoch, body)
            .await?;
        let detail = if safety.is_empty() {
            "{}".to_owned()
        } else {
            format!(r#"{{"safety_confirmed":{}}}"#, safety.codes_json())
        };
        let audit = caller
            .event(AuditAction::MessageEdited, Outcome::Success)
            .target(TargetKind::Message, Some(message.id))
            .patient(conversation.patient_id)
            .detail(detail);
        let mut committed = self
            .store
            .edit_message(&message, caller.user.id, epoch, sealed.clone(), now, audit)
            .await?
            .ok_or(ServiceError::Conflict(
                "the message was recalled or has expired",
            ))?;
        let attachments = self.attachments.open_attachment_list(&message).await?;
        let plain = PlainMessage {
            message: Message {
                epoch,
                sealed_body: sealed,
                edited_at: Some(now),
                ..message
            },
            body: body.to_owned(),
            disposed: false,
            attachments,
        };
        if !conversation.kind.new_members_read_history() {
            // The new body goes only to members who could read the message: not to anyone
            // who joined after it was sent.
            let readers = self
                .store
                .members_at(conversation.id, message.event_seq)
                .await?;
            committed.recipients.retain(|r| readers.contains(r));
        }
        self.publisher.publish(&committed, Payload::Edited(&plain));
        Ok(plain)
    }

    /// The sender recalls a message: members no longer see its body or attachments, devices
    /// delete them, and an escalation stops. The sealed original stays for compliance.
    pub async fn recall_message(
        &self,
        caller: &Caller,
        message_id: Uuid,
    ) -> Result<PlainMessage, ServiceError> {
        let (message, conversation) = self
            .own_message(caller, message_id, AuditAction::MessageRecalled)
            .await?;
        let now = self.now();
        let audit = caller
            .event(AuditAction::MessageRecalled, Outcome::Success)
            .target(TargetKind::Message, Some(message.id))
            .patient(conversation.patient_id);
        let committed = self
            .store
            .recall_message(&message, caller.user.id, now, audit)
            .await?
            .ok_or(ServiceError::Conflict(
                "the message was recalled or has expired",
            ))?;
        self.publisher
            .publish(&committed, Payload::Event(&committed.event));
        self.sealing
            .open_message(Message {
                recalled_at: Some(now),
                ..message
            })
            .await
    }

    /// A message the caller may see and sent, still readable. Anyone else's is refused (and
    /// the attempt audited); one recalled or expired is a conflict.
    async fn own_message(
        &self,
        caller: &Caller,
        message_id: Uuid,
        action: AuditAction,
    ) -> Result<(Message, ward_core::conversation::Conversation), ServiceError> {
        let (message, conversation) = self
            .access
            .visible_message(caller, message_id, action)
            .await?;
        if message.sender_id != caller.user.id {
            let event = caller
                .event(action, Outcome::Denied)
                .target(TargetKind::Message, Some(message.id))
                .patient(conversation.patient_id)
                .detail(r#"{"reason":"not the sender"}"#.to_owned());
            self.store.append_audit(event).await?;
            return Err(ServiceError::Forbidden);
        }
        if message.withdrawn() {
            return Err(ServiceError::Conflict(
                "the message was recalled or has expired",
            ));
        }
        Ok((message, conversation))
    }

    /// Every body a message has had, recalled and expired ones included: for compliance
    /// officers (`audit.read`), audited with the patient the conversation is about.
    pub async fn message_history(
        &self,
        caller: &Caller,
        message_id: Uuid,
    ) -> Result<MessageHistory, ServiceError> {
        self.access
            .require(
                caller,
                Permission::AuditRead,
                AuditAction::MessageVersionsRead,
            )
            .await?;
        let message = self
            .store
            .message(message_id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        let patient = self
            .store
            .conversation(message.conversation_id)
            .await?
            .and_then(|c| c.patient_id);
        let mut versions = Vec::new();
        for v in self.store.message_versions(message.id).await? {
            let body = self
                .sealing
                .open_text(message.conversation_id, v.epoch, message.id, &v.sealed_body)
                .await?;
            versions.push((v.version, body, v.replaced_at));
        }
        let body = self.sealing.open_body(&message).await?;
        let audit = caller
            .event(AuditAction::MessageVersionsRead, Outcome::Success)
            .target(TargetKind::Message, Some(message.id))
            .patient(patient)
            .detail(format!(r#"{{"versions":{}}}"#, versions.len()));
        self.store.append_audit(audit).await?;
        Ok(MessageHistory {
            message,
            body,
            versions,
        })
    }

    /// Sets (or clears) how long a conversation's new messages live on devices. Any member
    /// who may start conversations may set it.
    pub async fn set_lifespan(
        &self,
        caller: &Caller,
        id: ConversationId,
        secs: Option<i64>,
    ) -> Result<PlainConversation, ServiceError> {
        self.access
            .require(
                caller,
                Permission::ConversationsCreate,
                AuditAction::LifespanSet,
            )
            .await?;
        if let Some(secs) = secs {
            check_lifespan(secs)?;
        }
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::LifespanSet)
            .await?;
        let audit = Access::conversation_event(caller, AuditAction::LifespanSet, &conversation)
            .detail(match secs {
                Some(secs) => format!(r#"{{"lifespan_secs":{secs}}}"#),
                None => r#"{"lifespan_secs":null}"#.to_owned(),
            });
        let committed = self.store.set_lifespan(id, secs, self.now(), audit).await?;
        let plain = self
            .sealing
            .plain_conversation(ward_core::conversation::Conversation {
                lifespan_secs: secs,
                ..conversation
            })
            .await?;
        self.publisher
            .publish(&committed, Payload::Conversation(&plain));
        Ok(plain)
    }

    /// Tells devices to delete the messages whose lifespan has ended; how many.
    pub async fn expire_due_messages(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let due = self.store.expiring_messages(now, EXPIRY_BATCH).await?;
        if due.is_empty() {
            return Ok(0);
        }
        let audit = NewAuditEvent::new(AuditAction::MessagesExpired, Outcome::Success)
            .detail(format!(r#"{{"messages":{}}}"#, due.len()));
        let committed = self.store.expire_messages(&due, now, audit).await?;
        for c in &committed {
            self.publisher.publish(c, Payload::Event(&c.event));
        }
        Ok(committed.len())
    }
}
