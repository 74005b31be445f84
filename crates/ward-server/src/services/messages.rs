//! Messages: send (idempotent, sealed, acknowledged after the commit, past the safety gate),
//! opening bodies for members, list, read receipts.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::conversation::{Committed, Conversation, Message, Priority, Receipt};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::{Epoch, KeyScope};
use ward_core::policy::SafetyPolicy;
use ward_core::role::Permission;
use ward_crypto::seal::Binding;
use ward_store::SendOutcome;

use super::Access;
use super::messaging::Outgoing;
use super::{Caller, SafetyReport, ServiceError, Services};
use crate::opened::PlainMessage;
use crate::wire::frames::Payload;

/// Most messages one page returns.
pub const MAX_PAGE: u32 = 1000;

/// A page of a conversation's messages.
#[derive(Debug)]
pub struct MessagePage {
    pub messages: Vec<PlainMessage>,
    /// (message, who, when) for the urgent and stat messages of the page.
    pub acks: Vec<(Uuid, UserId, Timestamp)>,
}

impl Services {
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
        let binding = Binding::MessageBody {
            conversation: id,
            message: message_id,
            epoch,
        };
        let sealed_body = self
            .keys
            .seal(
                KeyScope::Conversation(id),
                epoch,
                binding,
                outgoing.body.as_bytes(),
            )
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
                self.publish(&committed, Payload::Message(&plain));
                Ok((plain, true))
            }
            Ok(SendOutcome::Existing(existing)) => {
                let plain = self.open_message(existing).await?;
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
                self.senders.invalidate();
                self.access
                    .deny_conversation(caller, id, AuditAction::MessageSent)
                    .await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Runs the clinical safety checks on a body about to go out (sent or edited): a finding
    /// that policy blocks is refused (and the refusal audited), other findings go out only
    /// once the sender has confirmed them (`draft` is the body and whether its findings are
    /// confirmed).
    pub(crate) async fn safety_gate(
        &self,
        caller: &Caller,
        conversation: &Conversation,
        (body, confirmed): (&str, bool),
        action: AuditAction,
        policy: &SafetyPolicy,
    ) -> Result<SafetyReport, ServiceError> {
        let safety = self.safety_report(conversation, body, policy).await?;
        if safety.blocked() {
            let event = caller
                .event(action, Outcome::Denied)
                .target(TargetKind::Conversation, Some(*conversation.id.as_uuid()))
                .patient(conversation.patient_id)
                .detail(format!(r#"{{"safety_blocked":{}}}"#, safety.codes_json()));
            self.store.append_audit(event).await?;
            return Err(ServiceError::Safety(safety));
        }
        if !safety.is_empty() && !confirmed {
            return Err(ServiceError::Safety(safety));
        }
        Ok(safety)
    }

    /// Opens a message for its members: a recalled or expired one shows no body and no
    /// attachments (use [`Self::open_body`] for compliance), nor does one whose epoch
    /// retention disposed of (for anyone).
    pub(crate) async fn open_message(
        &self,
        message: Message,
    ) -> Result<PlainMessage, ServiceError> {
        let tombstone = |message, disposed| PlainMessage {
            message,
            body: String::new(),
            attachments: Vec::new(),
            disposed,
        };
        if message.withdrawn() {
            return Ok(tombstone(message, false));
        }
        let body = match self.open_body(&message).await {
            Ok(body) => body,
            Err(ServiceError::Disposed) => return Ok(tombstone(message, true)),
            Err(e) => return Err(e),
        };
        let attachments = self.attachments.open_attachment_list(&message).await?;
        Ok(PlainMessage {
            message,
            body,
            attachments,
            disposed: false,
        })
    }

    /// A message's current body, whatever its state.
    pub(crate) async fn open_body(&self, message: &Message) -> Result<String, ServiceError> {
        self.open_text(
            message.conversation_id,
            message.epoch,
            message.id,
            &message.sealed_body,
        )
        .await
    }

    /// A message body sealed in `epoch` (the current one, or an earlier version).
    pub(crate) async fn open_text(
        &self,
        conversation: ConversationId,
        epoch: Epoch,
        message: Uuid,
        sealed: &[u8],
    ) -> Result<String, ServiceError> {
        let binding = Binding::MessageBody {
            conversation,
            message,
            epoch,
        };
        self.keys
            .open_text(KeyScope::Conversation(conversation), epoch, binding, sealed)
            .await
    }

    /// Messages after `after` that the caller may read (those sent since they joined, see
    /// [`Self::history_start`]), in seq order, with the acknowledgements of the urgent and
    /// stat ones among them.
    pub async fn list_messages(
        &self,
        caller: &Caller,
        id: ConversationId,
        after: i64,
        limit: u32,
    ) -> Result<MessagePage, ServiceError> {
        if after < 0 {
            return Err(ValidationError::new("after", "must not be negative").into());
        }
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MessagesRead)
            .await?;
        let after = after.max(self.access.history_start(caller, &conversation).await?);
        let messages = self
            .store
            .messages(id, after, limit.clamp(1, MAX_PAGE))
            .await?;
        let mut plain = Vec::with_capacity(messages.len());
        for m in messages {
            plain.push(self.open_message(m).await?);
        }
        let acks = match plain.last() {
            Some(last) if plain.iter().any(|m| m.message.priority != Priority::Normal) => {
                self.store.acks_between(id, after, last.message.seq).await?
            }
            _ => Vec::new(),
        };
        let event = Access::conversation_event(caller, AuditAction::MessagesRead, &conversation)
            .detail(format!(r#"{{"after":{after},"count":{}}}"#, plain.len()));
        self.store.append_audit(event).await?;
        Ok(MessagePage {
            messages: plain,
            acks,
        })
    }

    /// Moves the caller's read position; everyone in the conversation sees the receipt.
    pub async fn mark_read(
        &self,
        caller: &Caller,
        id: ConversationId,
        up_to: i64,
    ) -> Result<(), ServiceError> {
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::ReadReceipt)
            .await?;
        if up_to <= self.access.history_start(caller, &conversation).await?
            || self
                .store
                .messages(id, up_to - 1, 1)
                .await?
                .first()
                .is_none_or(|m| m.seq != up_to)
        {
            return Err(ValidationError::new(
                "up_to_seq",
                "must be the seq of a message in the conversation",
            )
            .into());
        }
        let event = Access::conversation_event(caller, AuditAction::ReadReceipt, &conversation)
            .detail(format!(r#"{{"up_to_seq":{up_to}}}"#));
        let now = self.now();
        if let Some(committed) = self
            .store
            .mark_read(id, caller.user.id, up_to, now, event)
            .await?
        {
            self.publish_receipt(&committed).await?;
        }
        Ok(())
    }

    pub(crate) async fn publish_receipt(&self, committed: &Committed) -> Result<(), ServiceError> {
        let (conversation, user) = (committed.event.conversation_id, committed.event.user_id);
        let receipt = match user {
            Some(user) => self
                .store
                .receipts(conversation)
                .await?
                .into_iter()
                .find(|r| r.user_id == user),
            None => None,
        };
        if let Some(receipt) = receipt {
            self.publish(committed, Payload::Receipt(&receipt));
        }
        Ok(())
    }

    /// Who has received and read a message, per recipient.
    pub async fn message_receipts(
        &self,
        caller: &Caller,
        message_id: Uuid,
    ) -> Result<(Message, Vec<Receipt>, Vec<(UserId, Timestamp)>), ServiceError> {
        let (message, conversation) = self
            .visible_message(caller, message_id, AuditAction::ReceiptsRead)
            .await?;
        let receipts = self
            .store
            .receipts(message.conversation_id)
            .await?
            .into_iter()
            .filter(|r| r.user_id != message.sender_id)
            .collect();
        let event = Access::conversation_event(caller, AuditAction::ReceiptsRead, &conversation)
            .target(TargetKind::Message, Some(message_id));
        self.store.append_audit(event).await?;
        let acks = self.store.acks(message_id).await?;
        Ok((message, receipts, acks))
    }
}
