//! Scheduled sends: a message (an appointment reminder, say) stored sealed until its time,
//! then sent through the same path as any other message, safety checks and permission checks
//! included. A restart loses nothing: the schedule is in the database, and the send reuses
//! the scheduled client id, so a send interrupted before it was marked done is not doubled.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::ConversationId;
use ward_core::keys::KeyScope;
use ward_core::role::Permission;
use ward_core::scheduled::{ScheduledId, ScheduledMessage, ScheduledState, check_send_at};
use ward_core::user::UserStatus;
use ward_crypto::seal::Binding;

use super::Messaging;
use crate::services::{Caller, ClientAddress, Outgoing, ServiceError};

/// Most scheduled messages one pass sends.
const SCHEDULE_BATCH: u32 = 100;

/// A scheduled message with its body opened.
#[derive(Debug, Clone)]
pub struct PlainScheduled {
    pub scheduled: ScheduledMessage,
    pub body: String,
}

impl Messaging {
    /// Schedules a message for `send_at`. The body passes the safety checks now (findings
    /// must be confirmed now); at send time they run again, and a finding that policy blocks
    /// then stops the send. A retried client id returns the first schedule (`false`).
    pub async fn schedule_message(
        &self,
        caller: &Caller,
        id: ConversationId,
        outgoing: Outgoing,
        send_at: Timestamp,
    ) -> Result<(PlainScheduled, bool), ServiceError> {
        self.access
            .require(
                caller,
                Permission::MessagesSend,
                AuditAction::MessageScheduled,
            )
            .await?;
        if let Some(existing) = self
            .store
            .scheduled_by_client_id(outgoing.client_id)
            .await?
        {
            if existing.sender_id != caller.user.id || existing.conversation_id != id {
                return Err(ServiceError::Conflict(
                    "this client_id was used for a different message",
                ));
            }
            return Ok((self.open_scheduled(existing).await?, false));
        }
        let now = self.now();
        check_send_at(send_at, now)?;
        outgoing.check()?;
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::MessageScheduled)
            .await?;
        let policy = self.policy.get().await?;
        self.safety_gate(
            caller,
            &conversation,
            (&outgoing.body, outgoing.confirm_findings),
            AuditAction::MessageScheduled,
            &policy.safety,
        )
        .await?;
        self.attachments
            .usable_attachments(caller, id, &outgoing.attachments)
            .await?;
        let scheduled_id = Uuid::now_v7();
        let epoch = self.keys.epoch_of(now);
        let binding = Binding::ScheduledBody {
            conversation: id,
            scheduled: scheduled_id,
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
        let scheduled = ScheduledMessage {
            id: scheduled_id,
            conversation_id: id,
            sender_id: caller.user.id,
            session_id: caller.session.id,
            client_id: outgoing.client_id,
            priority: outgoing.priority,
            epoch,
            sealed_body,
            attachments: outgoing.attachments,
            lifespan_secs: outgoing.lifespan_secs,
            send_at,
            state: ScheduledState::Pending,
            message_id: None,
            failure: None,
            created_at: now,
        };
        let audit = caller
            .event(AuditAction::MessageScheduled, Outcome::Success)
            .target(TargetKind::ScheduledMessage, Some(scheduled_id))
            .patient(conversation.patient_id)
            .detail(format!(
                r#"{{"conversation":"{id}","send_at":{}}}"#,
                send_at.as_micros()
            ));
        self.store.schedule_message(&scheduled, audit).await?;
        Ok((
            PlainScheduled {
                scheduled,
                body: outgoing.body,
            },
            true,
        ))
    }

    /// The caller's scheduled messages still pending, soonest first.
    pub async fn pending_scheduled(
        &self,
        caller: &Caller,
    ) -> Result<Vec<PlainScheduled>, ServiceError> {
        let mut out = Vec::new();
        for s in self.store.pending_scheduled(caller.user.id).await? {
            out.push(self.open_scheduled(s).await?);
        }
        let audit = caller
            .event(AuditAction::ScheduledListed, Outcome::Success)
            .detail(format!(r#"{{"count":{}}}"#, out.len()));
        self.store.append_audit(audit).await?;
        Ok(out)
    }

    /// Cancels one of the caller's scheduled messages before its time. Someone else's does
    /// not exist for the caller; one already sent or cancelled is a conflict.
    pub async fn cancel_scheduled(
        &self,
        caller: &Caller,
        id: ScheduledId,
    ) -> Result<PlainScheduled, ServiceError> {
        let scheduled = self
            .store
            .scheduled_message(id)
            .await?
            .filter(|s| s.sender_id == caller.user.id)
            .ok_or(ServiceError::NotFound("scheduled message"))?;
        let audit = caller
            .event(AuditAction::ScheduledCancelled, Outcome::Success)
            .target(TargetKind::ScheduledMessage, Some(id));
        if !self
            .store
            .cancel_scheduled(id, caller.user.id, audit)
            .await?
        {
            return Err(ServiceError::Conflict(
                "the scheduled message was sent or cancelled already",
            ));
        }
        self.open_scheduled(ScheduledMessage {
            state: ScheduledState::Cancelled,
            ..scheduled
        })
        .await
    }

    async fn open_scheduled(&self, s: ScheduledMessage) -> Result<PlainScheduled, ServiceError> {
        let binding = Binding::ScheduledBody {
            conversation: s.conversation_id,
            scheduled: s.id,
            epoch: s.epoch,
        };
        let scope = KeyScope::Conversation(s.conversation_id);
        let body = self
            .keys
            .open_text(scope, s.epoch, binding, &s.sealed_body)
            .await?;
        Ok(PlainScheduled { scheduled: s, body })
    }

    /// Sends every scheduled message whose time has come; how many were sent.
    pub async fn run_due_scheduled(&self, now: Timestamp) -> Result<usize, ServiceError> {
        // A send is claimed, then sent, then finished: a pass never overlaps another here.
        let _pass = self.scheduled_pass.lock().await;
        let mut sent = 0;
        for scheduled in self.store.due_scheduled(now, SCHEDULE_BATCH).await? {
            if self.send_scheduled(scheduled).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Sends one due scheduled message as its sender; a refusal marks it failed (with a
    /// reason free of PHI), a passing fault leaves it claimed, to be taken over when the claim
    /// times out.
    async fn send_scheduled(&self, scheduled: ScheduledMessage) -> Result<bool, ServiceError> {
        let (id, sender) = (scheduled.id, scheduled.sender_id);
        if !self.store.claim_scheduled(id).await? {
            return Ok(false); // cancelled just now
        }
        let outcome = match self.scheduled_sender(&scheduled).await? {
            Some(caller) => {
                let conversation = scheduled.conversation_id;
                let PlainScheduled { scheduled, body } = self.open_scheduled(scheduled).await?;
                let outgoing = Outgoing {
                    client_id: scheduled.client_id,
                    body,
                    priority: scheduled.priority,
                    confirm_findings: true,
                    attachments: scheduled.attachments,
                    lifespan_secs: scheduled.lifespan_secs,
                };
                match self.send_message(&caller, conversation, outgoing).await {
                    Ok((message, _)) => Ok(message.message.id),
                    Err(e) => Err(refusal_reason(e)?),
                }
            }
            None => Err("the sender's account is no longer active"),
        };
        let (state, message, failure, audit) = match outcome {
            Ok(message) => (ScheduledState::Sent, Some(message), None, None),
            Err(reason) => {
                let mut audit = NewAuditEvent::new(AuditAction::MessageSent, Outcome::Failure)
                    .target(TargetKind::ScheduledMessage, Some(id))
                    .detail(format!(r#"{{"scheduled_failure":"{reason}"}}"#));
                audit.actor = Some(sender);
                (
                    ScheduledState::Failed,
                    None,
                    Some(reason.to_owned()),
                    Some(audit),
                )
            }
        };
        let done = self
            .store
            .finish_scheduled(id, state, message, failure, audit)
            .await?;
        Ok(done && state == ScheduledState::Sent)
    }

    /// The sender as a caller (with the session that scheduled the message), if their
    /// account is still active.
    async fn scheduled_sender(
        &self,
        scheduled: &ScheduledMessage,
    ) -> Result<Option<Caller>, ServiceError> {
        let Some(user) = self
            .store
            .user(scheduled.sender_id)
            .await?
            .filter(|u| u.status == UserStatus::Active)
        else {
            return Ok(None);
        };
        let Some(role) = self.roles.get(&user.role).await? else {
            return Ok(None);
        };
        let Some(session) = self.store.session(scheduled.session_id).await? else {
            return Ok(None);
        };
        Ok(Some(Caller {
            user,
            role,
            session,
            address: ClientAddress(None),
        }))
    }
}

/// Why a scheduled send was refused, for its record; a passing fault is returned as the error
/// so the send is tried again.
fn refusal_reason(e: ServiceError) -> Result<&'static str, ServiceError> {
    Ok(match e {
        ServiceError::Forbidden => "the sender may no longer send messages",
        ServiceError::NotFound(_) => "the sender is no longer a member of the conversation",
        ServiceError::Safety(_) => "a clinical safety check now blocks the message",
        ServiceError::Invalid(_) | ServiceError::Conflict(_) => {
            "the message can no longer be sent as scheduled"
        }
        other => return Err(other),
    })
}
