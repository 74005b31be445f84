//! Urgent and stat messages: acknowledgement by each recipient, and escalation when nobody
//! acknowledges in time; the clinical roles and shifts that escalation reaches.
//!
//! An urgent or stat message gets its escalation row in the transaction that stores it, so a
//! restart loses nothing. [`Clinical::run_due_escalations`] (called every second by the server)
//! takes each due step: a repeat to the recipients, then whoever holds the conversation's
//! on-call role at that moment, then that role's supervisor, one policy delay apart. Each step
//! is an event pushed to the conversation and an audit event. The recipients are fixed when
//! the message is sent; whom a step brings in gets an escalation grant to that one message
//! (see `grants.rs`), never membership. The escalation ends once every recipient has
//! acknowledged, or anyone it brought in has.

use uuid::Uuid;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::clinical::{Escalation, EscalationAdvance, EscalationStep, holder_at};
use ward_core::conversation::{Committed, EventKind, Message, Priority};
use ward_core::id::{ConversationId, UserId};
use ward_core::{Timestamp, ValidationError};

use super::Clinical;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

/// Escalations handled per pass; the rest wait for the next pass.
const ESCALATION_BATCH: u32 = 100;

impl Clinical {
    /// Acknowledges an urgent or stat message; `false` if the caller had already.
    pub async fn acknowledge(
        &self,
        caller: &Caller,
        message_id: Uuid,
    ) -> Result<(Message, Timestamp, bool), ServiceError> {
        let (message, conversation) = self
            .access
            .visible_message(caller, message_id, AuditAction::MessageAcknowledged)
            .await?;
        if message.priority == Priority::Normal {
            return Err(ValidationError::new(
                "message",
                "is not urgent or stat; only those are acknowledged",
            )
            .into());
        }
        if message.sender_id == caller.user.id {
            return Err(ValidationError::new("message", "is your own").into());
        }
        let now = self.now();
        let event = caller
            .event(AuditAction::MessageAcknowledged, Outcome::Success)
            .target(TargetKind::Message, Some(message.id))
            .patient(conversation.patient_id);
        let resolves = self.resolves(&message, caller.user.id).await?;
        let committed = self
            .store
            .acknowledge(
                message.id,
                message.conversation_id,
                (caller.user.id, resolves),
                now,
                event,
            )
            .await?;
        match committed {
            Some(committed) => {
                self.publisher
                    .publish(&committed, Payload::Event(&committed.event));
                Ok((message, now, true))
            }
            None => {
                let at = self
                    .store
                    .acks(message.id)
                    .await?
                    .into_iter()
                    .find(|(user, _)| *user == caller.user.id)
                    .map_or(now, |(_, at)| at);
                Ok((message, at, false))
            }
        }
    }

    /// Takes every escalation step that is due; how many escalations moved.
    pub async fn run_due_escalations(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let due = self.store.due_escalations(now, ESCALATION_BATCH).await?;
        let mut moved = 0;
        for escalation in due {
            if self.escalate(escalation, now).await? {
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// The recipients of a message (its conversation's members when it was sent, but its
    /// sender) and who of anyone has acknowledged it.
    async fn recipients_and_acks(
        &self,
        message: &Message,
    ) -> Result<(Vec<UserId>, Vec<UserId>), ServiceError> {
        let recipients: Vec<UserId> = self
            .store
            .members_at(message.conversation_id, message.event_seq)
            .await?
            .into_iter()
            .filter(|u| *u != message.sender_id)
            .collect();
        let acked: Vec<UserId> = self
            .store
            .acks(message.id)
            .await?
            .into_iter()
            .map(|(user, _)| user)
            .collect();
        Ok((recipients, acked))
    }

    /// Whether `user` acknowledging settles the message: they were brought in by escalation,
    /// or every other recipient has acknowledged already.
    async fn resolves(&self, message: &Message, user: UserId) -> Result<bool, ServiceError> {
        let (recipients, acked) = self.recipients_and_acks(message).await?;
        Ok(!recipients.contains(&user)
            || recipients.iter().all(|r| *r == user || acked.contains(r)))
    }

    async fn escalate(&self, escalation: Escalation, now: Timestamp) -> Result<bool, ServiceError> {
        let Some(message) = self.store.message(escalation.message_id).await? else {
            return Ok(false);
        };
        let conversation = escalation.conversation_id;
        let (recipients, acked) = self.recipients_and_acks(&message).await?;
        let everyone_acked = recipients.iter().all(|r| acked.contains(r));
        let brought_in_acked = acked.iter().any(|a| !recipients.contains(a));
        let pending = recipients.iter().filter(|r| !acked.contains(r)).count();
        let policy = self.policy.get().await?.escalation;

        let step = if everyone_acked || brought_in_acked {
            None
        } else {
            EscalationStep::after(escalation.steps_taken)
        };
        let (step, next_due, detail) = match step {
            None => (None, None, r#"{"ended":"acknowledged"}"#.to_owned()),
            Some(step) => {
                let target = self.escalation_target(step, conversation, now).await?;
                let delay = policy.delay_secs(message.priority);
                let next_due = match step {
                    EscalationStep::Supervisor => None,
                    _ => delay.map(|secs| now.plus_secs(secs)),
                };
                let target_json = target.map_or("null".to_owned(), |t| format!(r#""{t}""#));
                // Whom a step brings in is granted the message until then (no membership).
                let grant = target.map_or(String::new(), |_| {
                    format!(r#","grant_until":"{}""#, now.plus_secs(policy.grant_secs))
                });
                let detail = format!(
                    r#"{{"step":"{}","target":{target_json},"pending":{pending}{grant}}}"#,
                    step.as_str()
                );
                (Some((step, target)), next_due, detail)
            }
        };
        let patient = self
            .store
            .conversation(conversation)
            .await?
            .and_then(|c| c.patient_id);
        let audit = NewAuditEvent::new(AuditAction::MessageEscalated, Outcome::Success)
            .target(TargetKind::Message, Some(message.id))
            .patient(patient)
            .detail(detail);
        let advance = EscalationAdvance {
            escalation,
            step,
            next_due,
            grant_until: now.plus_secs(policy.grant_secs),
            at: now,
        };
        let Some(committed) = self.store.advance_escalation(advance, audit).await? else {
            return Ok(false);
        };
        self.publish_escalation(&committed).await?;
        Ok(true)
    }

    /// Whom a step brings in: nobody for a repeat, the on-call holder, or the supervisor.
    async fn escalation_target(
        &self,
        step: EscalationStep,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<Option<UserId>, ServiceError> {
        if step == EscalationStep::Repeat {
            return Ok(None);
        }
        let Some(role_id) = self.store.escalation_role(conversation).await? else {
            return Ok(None);
        };
        Ok(match step {
            EscalationStep::OnCall => {
                holder_at(&self.store.shifts_covering(role_id, now).await?, now)
            }
            _ => self
                .store
                .clinical_role(role_id)
                .await?
                .and_then(|r| r.supervisor_id),
        })
    }

    async fn publish_escalation(&self, committed: &[Committed]) -> Result<(), ServiceError> {
        for c in committed {
            if c.event.kind == EventKind::ConversationUpdated {
                if let Some(conversation) = self.store.conversation(c.event.conversation_id).await?
                {
                    let plain = self.sealing.plain_conversation(conversation).await?;
                    self.publisher.publish(c, Payload::Conversation(&plain));
                }
            } else {
                self.publisher.publish(c, Payload::Event(&c.event));
            }
        }
        Ok(())
    }
}
