//! Messages: send (idempotent, sealed, acknowledged after the commit, past the safety gate),
//! opening bodies for members, list, read receipts.

use uuid::Uuid;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::Message;
use ward_core::id::ConversationId;
use ward_core::role::Permission;
use ward_store::SendOutcome;

use super::Messaging;
use crate::opened::PlainMessage;
use crate::services::messaging::Outgoing;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

impl Messaging {
    /// Sends a message; answered after it and its audit event are durably committed. A retry
    /// with the same client id returns the first message (`false`) and stores nothing.
    pub async fn send_message(
        &self,
        caller: &Caller,
        id: ConversationId,
        outgoing: Outgoing,
    ) -> Result<(PlainMessage, bool), ServiceError> {
        self.access
            .require(caller, Permission::MessagesSend, AuditAction::MessageSent)
            .await?;
        outgoing.check()?;
        let conversation = self.sender_conversation(caller, id).await?;
        let policy = self.policy.get().await?;
        let safety = self
            .safety_gate(
                caller,
                &conversation,
                (&outgoing.body, outgoing.confirm_findings),
                AuditAction::MessageSent,
                &policy.safety,
            )
            .await?;
        let now = self.now();
        let epoch = self.keys.epoch_of(now);
        let message_id = Uuid::now_v7();
        let sealed_body = self
            .sealing
            .seal_body(id, message_id, epoch, &outgoing.body)
            .await?;
        let (attachments, sealed_attachments) = self
            .attachments
            .seal_attachment_list(caller, id, message_id, epoch, &outgoing.attachments)
            .await?;
        let message = Message {
            id: message_id,
            conversation_id: id,
            seq: 0,
            sender_id: caller.user.id,
            client_id: outgoing.client_id,
            priority: outgoing.priority,
            epoch,
            sealed_body,
            sealed_attachments,
            created_at: now,
            event_seq: 0,
            edited_at: None,
            recalled_at: None,
            expires_at: outgoing
                .lifespan_secs
                .or(conversation.lifespan_secs)
                .map(|secs| now.plus_secs(secs)),
            expired_at: None,
        };
        let event = caller
            .event(AuditAction::MessageSent, Outcome::Success)
            .target(TargetKind::Message, Some(message_id))
            .detail(if safety.is_empty() {
                format!(
                    r#"{{"conversation":"{id}","priority":"{}"}}"#,
                    outgoing.priority.as_str()
                )
            } else {
                format!(
                    r#"{{"conversation":"{id}","priority":"{}","safety_confirmed":{}}}"#,
                    outgoing.priority.as_str(),
                    safety.codes_json()
                )
            })
            .patient(conversation.patient_id);
        let escalate_at = policy
            .escalation
            .delay_secs(outgoing.priority)
            .map(|secs| now.plus_secs(secs));
        let sent = self
            .store
            .send_message(&message, &outgoing.attachments, escalate_at, event)
            .await;
        match sent {
            Ok(SendOutcome::Created { message, committed }) => {
                let plain = PlainMessage {
                    message,
                    body: outgoing.body,
                    attachments,
                    disposed: false,
                };
                self.publisher.publish(&committed, Payload::Message(&plain));
                Ok((plain, true))
            }
            Ok(SendOutcome::Existing(existing)) => {
                let plain = self.sealing.open_message(existing).await?;
                if plain.message.conversation_id == id
                    && plain.body == outgoing.body
                    && plain.message.priority == outgoing.priority
                    && plain
                        .attachments
                        .iter()
                        .map(|a| a.id)
                        .eq(outgoing.attachments.iter().copied())
                {
                    Ok((plain, false))
                } else {
                    Err(ServiceError::Conflict(
                        "this client_id was used for a different message",
                    ))
                }
            }
            // Removed since the sender's conversation was cached (the write checks membership).
            Err(ward_store::StoreError::NotFound(_)) => {
                self.publisher.senders().invalidate();
                self.access
                    .deny_conversation(caller, id, AuditAction::MessageSent)
                    .await
            }
            Err(e) => Err(e.into()),
        }
    }
}
