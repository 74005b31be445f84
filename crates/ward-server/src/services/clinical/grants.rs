//! Escalation grants: what an escalation step gives the on-call holder or the supervisor it
//! brings in. One message, with a policy number of messages before it for context, to read,
//! acknowledge and answer; never membership, so they get no later message of the conversation,
//! count as no recipient of later urgent messages, and the hand-over sweep never touches them.
//! A grant ends when the message is settled (acknowledged by them, or by every recipient) or
//! when its time runs out; each end is audited.

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::clinical::EscalationGrant;

use super::Clinical;
use crate::opened::{PlainConversation, PlainMessage};
use crate::services::{Caller, ServiceError};

/// Lapsed grants ended per pass; the rest wait for the next.
const LAPSE_BATCH: u32 = 100;

/// A message someone was brought to, as they see it.
#[derive(Debug, Clone)]
pub struct GrantedMessage {
    pub grant: EscalationGrant,
    pub conversation: PlainConversation,
    pub message: PlainMessage,
    /// The messages just before it, oldest first.
    pub context: Vec<PlainMessage>,
}

impl Clinical {
    /// The messages escalations brought the caller to, newest first, each with its context.
    /// Each read is audited, about the conversation's patient.
    pub async fn escalation_grants(
        &self,
        caller: &Caller,
    ) -> Result<Vec<GrantedMessage>, ServiceError> {
        let context_len = self.policy.get().await?.escalation.context_messages;
        let mut out = Vec::new();
        for grant in self.access.grants(caller).await? {
            let Some(message) = self.store.message(grant.message_id).await? else {
                continue;
            };
            let Some(conversation) = self.store.conversation(grant.conversation_id).await? else {
                continue;
            };
            let first = (message.seq - 1 - context_len).max(0);
            let limit = u32::try_from(context_len).unwrap_or(0);
            let mut context = Vec::new();
            if limit > 0 {
                let before = self.store.messages(conversation.id, first, limit).await?;
                for m in before.into_iter().filter(|m| m.seq < message.seq) {
                    context.push(self.sealing.open_message(m).await?);
                }
            }
            let event = caller
                .event(AuditAction::EscalationGrantsRead, Outcome::Success)
                .target(TargetKind::Message, Some(message.id))
                .patient(conversation.patient_id)
                .detail(format!(
                    r#"{{"grant":"{}","context":{}}}"#,
                    grant.id,
                    context.len()
                ));
            self.store.append_audit(event).await?;
            out.push(GrantedMessage {
                grant,
                conversation: self.sealing.plain_conversation(conversation).await?,
                message: self.sealing.open_message(message).await?,
                context,
            });
        }
        Ok(out)
    }

    /// Ends every grant whose time ran out by `now`, each audited; how many ended.
    pub async fn end_lapsed_grants(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let mut ended = 0;
        for grant in self.store.lapsed_grants(now, LAPSE_BATCH).await? {
            let patient = self
                .store
                .conversation(grant.conversation_id)
                .await?
                .and_then(|c| c.patient_id);
            let audit = grant.end_event(patient, "expired");
            if self.store.end_lapsed_grant(grant.id, now, audit).await? {
                ended += 1;
            }
        }
        Ok(ended)
    }
}
