//! Reading a conversation: pages of messages, read receipts.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::ValidationError;
use ward_core::audit::{AuditAction, TargetKind};
use ward_core::conversation::{Committed, Message, Priority, Receipt};
use ward_core::id::{ConversationId, UserId};

use super::Messaging;
use crate::opened::PlainMessage;
use crate::services::Access;
use crate::services::{Caller, ServiceError};
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

impl Messaging {
    /// Messages after `after` that the caller may read (those sent since they joined, see
    /// `Access::history_start`), in seq order, with the acknowledgements of the urgent and
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
            plain.push(self.sealing.open_message(m).await?);
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
            Some(user) => self.store.receipt(conversation, user).await?,
            None => None,
        };
        if let Some(receipt) = receipt {
            self.publisher
                .publish(committed, Payload::Receipt(&receipt));
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
            .access
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
