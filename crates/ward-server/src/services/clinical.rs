//! Urgent and stat messages: acknowledgement by each recipient, and escalation when nobody
//! acknowledges in time; the clinical roles and shifts that escalation reaches.
//!
//! An urgent or stat message gets its escalation row in the transaction that stores it, so a
//! restart loses nothing. [`Services::run_due_escalations`] (called every second by the server)
//! takes each due step: a repeat to the recipients, then whoever holds the conversation's
//! on-call role at that moment, then that role's supervisor, one policy delay apart. Each step
//! is an event pushed to the conversation and an audit event. The escalation ends once every
//! recipient has acknowledged, or anyone it brought in has.

use uuid::Uuid;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::clinical::{
    ClinicalRole, Escalation, EscalationAdvance, EscalationStep, Shift, check_role_name, holder_at,
};
use ward_core::conversation::{Committed, Conversation, EventKind, Message, Priority};
use ward_core::id::{ClinicalRoleId, ConversationId, ShiftId, UserId};
use ward_core::role::{Permission, RoleName};
use ward_core::user::UserStatus;
use ward_core::{Timestamp, ValidationError};

use super::Access;
use super::{Caller, ServiceError, Services};
use crate::wire::frames::Payload;

/// Escalations handled per pass; the rest wait for the next pass.
const ESCALATION_BATCH: u32 = 100;

/// A clinical role with whoever holds it now.
#[derive(Debug, Clone)]
pub struct RoleWithHolder {
    pub role: ClinicalRole,
    pub holder: Option<UserId>,
}

impl Services {
    /// Acknowledges an urgent or stat message; `false` if the caller had already.
    pub async fn acknowledge(
        &self,
        caller: &Caller,
        message_id: Uuid,
    ) -> Result<(Message, Timestamp, bool), ServiceError> {
        let (message, conversation) = self
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
        let committed = self
            .store
            .acknowledge(
                message.id,
                message.conversation_id,
                caller.user.id,
                now,
                event,
            )
            .await?;
        match committed {
            Some(committed) => {
                self.publish(&committed, Payload::Event(&committed.event));
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

    /// The message and its conversation, if the caller is a member of it and it was sent
    /// since they may read it ([`Self::history_start`]); otherwise the attempt is audited and
    /// the message reported as not found.
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
        let conversation = self
            .access
            .member_conversation(caller, message.conversation_id, action)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("message"),
                other => other,
            })?;
        if message.seq <= self.access.history_start(caller, &conversation).await? {
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

    async fn escalate(&self, escalation: Escalation, now: Timestamp) -> Result<bool, ServiceError> {
        let Some(message) = self.store.message(escalation.message_id).await? else {
            return Ok(false);
        };
        let conversation = escalation.conversation_id;
        let recipients: Vec<UserId> = self
            .store
            .members_at(conversation, message.event_seq)
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
        let everyone_acked = recipients.iter().all(|r| acked.contains(r));
        let brought_in_acked = acked.iter().any(|a| !recipients.contains(a));
        let pending = recipients.iter().filter(|r| !acked.contains(r)).count();

        let step = if everyone_acked || brought_in_acked {
            None
        } else {
            EscalationStep::after(escalation.steps_taken)
        };
        let (step, next_due, detail) = match step {
            None => (None, None, r#"{"ended":"acknowledged"}"#.to_owned()),
            Some(step) => {
                let target = self.escalation_target(step, conversation, now).await?;
                let delay = self
                    .policy
                    .get()
                    .await?
                    .escalation
                    .delay_secs(message.priority);
                let next_due = match step {
                    EscalationStep::Supervisor => None,
                    _ => delay.map(|secs| now.plus_secs(secs)),
                };
                let target_json = target.map_or("null".to_owned(), |t| format!(r#""{t}""#));
                let detail = format!(
                    r#"{{"step":"{}","target":{target_json},"pending":{pending}}}"#,
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
                    let plain = self.plain_conversation(conversation).await?;
                    self.publish(c, Payload::Conversation(&plain));
                }
            } else {
                self.publish(c, Payload::Event(&c.event));
            }
        }
        Ok(())
    }

    /// Creates a clinical role, optionally with the supervisor its escalations end with.
    pub async fn create_clinical_role(
        &self,
        caller: &Caller,
        name: &str,
        supervisor: Option<UserId>,
    ) -> Result<ClinicalRole, ServiceError> {
        self.access
            .require(
                caller,
                Permission::UsersManage,
                AuditAction::ClinicalRoleCreated,
            )
            .await?;
        let name = check_role_name(name)?;
        if let Some(supervisor) = supervisor {
            self.active_staff(supervisor, "supervisor_id").await?;
        }
        let role = ClinicalRole {
            id: ClinicalRoleId::new(),
            name,
            supervisor_id: supervisor,
            created_at: self.now(),
        };
        let event = caller
            .event(AuditAction::ClinicalRoleCreated, Outcome::Success)
            .target(TargetKind::ClinicalRole, Some(*role.id.as_uuid()));
        self.store.create_clinical_role(&role, event).await?;
        Ok(role)
    }

    /// Every clinical role with its holder now.
    pub async fn clinical_roles(
        &self,
        caller: &Caller,
    ) -> Result<Vec<RoleWithHolder>, ServiceError> {
        self.access
            .require(
                caller,
                Permission::UsersRead,
                AuditAction::ClinicalRolesListed,
            )
            .await?;
        let now = self.now();
        let mut out = Vec::new();
        for role in self.store.clinical_roles().await? {
            let holder = holder_at(&self.store.shifts_covering(role.id, now).await?, now);
            out.push(RoleWithHolder { role, holder });
        }
        Ok(out)
    }

    /// Schedules `user` to hold a role from `starts_at` to `ends_at`.
    pub async fn add_shift(
        &self,
        caller: &Caller,
        role: ClinicalRoleId,
        user: UserId,
        starts_at: Timestamp,
        ends_at: Timestamp,
    ) -> Result<Shift, ServiceError> {
        self.access
            .require(caller, Permission::UsersManage, AuditAction::ShiftScheduled)
            .await?;
        self.store
            .clinical_role(role)
            .await?
            .ok_or(ServiceError::NotFound("clinical role"))?;
        self.active_staff(user, "user_id").await?;
        let shift = Shift {
            id: ShiftId::new(),
            role_id: role,
            user_id: user,
            starts_at,
            ends_at,
        };
        shift.validate()?;
        let event = caller
            .event(AuditAction::ShiftScheduled, Outcome::Success)
            .target(TargetKind::ClinicalRole, Some(*role.as_uuid()))
            .detail(format!(
                r#"{{"user":"{user}","starts_at":"{starts_at}","ends_at":"{ends_at}"}}"#
            ));
        self.store.add_shift(&shift, event).await?;
        Ok(shift)
    }

    /// Sets the on-call role the conversation's unacknowledged urgent messages escalate to.
    pub async fn set_escalation_role(
        &self,
        caller: &Caller,
        id: ConversationId,
        role: Option<ClinicalRoleId>,
    ) -> Result<(), ServiceError> {
        self.access
            .require(
                caller,
                Permission::ConversationsCreate,
                AuditAction::EscalationRoleSet,
            )
            .await?;
        let conversation = self
            .access
            .member_conversation(caller, id, AuditAction::EscalationRoleSet)
            .await?;
        if let Some(role) = role {
            self.store
                .clinical_role(role)
                .await?
                .ok_or(ServiceError::NotFound("clinical role"))?;
        }
        let detail = role.map_or(r#"{"role":null}"#.to_owned(), |r| {
            format!(r#"{{"role":"{r}"}}"#)
        });
        let event =
            Access::conversation_event(caller, AuditAction::EscalationRoleSet, &conversation)
                .detail(detail);
        self.store.set_escalation_role(id, role, event).await?;
        Ok(())
    }

    /// Fails unless `user` is an active staff account (not a patient).
    async fn active_staff(&self, user: UserId, field: &'static str) -> Result<(), ServiceError> {
        let account = self
            .store
            .user(user)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        if account.role.as_str() == RoleName::PATIENT || account.status != UserStatus::Active {
            return Err(ValidationError::new(field, "must be an active staff account").into());
        }
        Ok(())
    }
}
