//! Clinical roles ("Cardiology on-call", "Charge nurse 4 West"), the shifts that say who holds
//! them when, and the escalation of urgent messages that nobody acknowledged.

use crate::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use crate::conversation::{EventKind, MessageId};
use crate::id::{ClinicalRoleId, ConversationId, PatientId, ShiftId, UserId};
use crate::{Timestamp, ValidationError};

/// The longest shift that can be scheduled in one piece.
pub const MAX_SHIFT_SECS: i64 = 7 * 24 * 3600;

/// A named clinical role that people hold in turns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalRole {
    pub id: ClinicalRoleId,
    pub name: String,
    /// Who is told last when an escalation through this role is not acknowledged.
    pub supervisor_id: Option<UserId>,
    pub created_at: Timestamp,
}

/// A role's name: 2 to 80 characters, no control characters, trimmed.
pub fn check_role_name(text: &str) -> Result<String, ValidationError> {
    let name = text.trim();
    let length = name.chars().count();
    if !(2..=80).contains(&length) || name.chars().any(char::is_control) {
        return Err(ValidationError::new("name", "must be 2 to 80 characters"));
    }
    Ok(name.to_owned())
}

/// One person holding a role from `starts_at` until `ends_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub id: ShiftId,
    pub role_id: ClinicalRoleId,
    pub user_id: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

impl Shift {
    /// Checks that the shift ends after it starts, within [`MAX_SHIFT_SECS`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.ends_at <= self.starts_at {
            return Err(ValidationError::new("ends_at", "must be after starts_at"));
        }
        if self.ends_at > self.starts_at.plus_secs(MAX_SHIFT_SECS) {
            return Err(ValidationError::new(
                "ends_at",
                "must be within 7 days of starts_at",
            ));
        }
        Ok(())
    }

    pub fn covers(&self, at: Timestamp) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

/// Who holds the role at `at`: of the shifts covering it, the one that started last, so that
/// during a hand-over overlap the incoming holder already has it.
pub fn holder_at(shifts: &[Shift], at: Timestamp) -> Option<UserId> {
    shifts
        .iter()
        .filter(|s| s.covers(at))
        .max_by_key(|s| (s.starts_at, s.id))
        .map(|s| s.user_id)
}

/// The steps of an escalation, in order. Each comes one delay after the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationStep {
    /// Notify the recipients who have not acknowledged again.
    Repeat,
    /// Bring in whoever holds the conversation's on-call role now.
    OnCall,
    /// Bring in the on-call role's named supervisor.
    Supervisor,
}

impl EscalationStep {
    /// The step after `taken` steps (0 before the first), if the chain goes on.
    pub fn after(taken: i32) -> Option<Self> {
        match taken {
            0 => Some(Self::Repeat),
            1 => Some(Self::OnCall),
            2 => Some(Self::Supervisor),
            _ => None,
        }
    }

    /// How many steps have been taken once this one is.
    pub fn number(self) -> i32 {
        match self {
            Self::Repeat => 1,
            Self::OnCall => 2,
            Self::Supervisor => 3,
        }
    }

    /// The event every member's devices get for this step.
    pub fn event_kind(self) -> EventKind {
        match self {
            Self::Repeat => EventKind::EscalationRepeat,
            Self::OnCall => EventKind::EscalationOnCall,
            Self::Supervisor => EventKind::EscalationSupervisor,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Repeat => "repeat",
            Self::OnCall => "on_call",
            Self::Supervisor => "supervisor",
        }
    }

    /// The step named by [`Self::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "repeat" => Some(Self::Repeat),
            "on_call" => Some(Self::OnCall),
            "supervisor" => Some(Self::Supervisor),
            _ => None,
        }
    }
}

/// Where an urgent message's escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    /// Steps taken so far (0 to 3).
    pub steps_taken: i32,
    pub due_at: Timestamp,
}

/// How an escalation moves on: claimed only if it is still at `steps_taken` (so one node, once,
/// takes each step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationAdvance {
    pub escalation: Escalation,
    /// The step taken now, with the person it brings to the message, if any. `None` ends the
    /// escalation without a step (everyone acknowledged), and with it every open grant.
    pub step: Option<(EscalationStep, Option<UserId>)>,
    /// When the next step is due; `None` ends the escalation.
    pub next_due: Option<Timestamp>,
    /// Until when a grant made by this step lasts (unless the message is acknowledged first).
    pub grant_until: Timestamp,
    pub at: Timestamp,
}

/// What an escalation brings someone to: one message (and the few before it), to read,
/// acknowledge and answer, without making them a member of the conversation. It ends when
/// they or the recipients acknowledge the message, or at `ends_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationGrant {
    pub id: uuid::Uuid,
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub step: EscalationStep,
    pub granted_at: Timestamp,
    pub ends_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

impl EscalationGrant {
    /// Whether the grant still lets its holder reach the message at `at`.
    pub fn active(&self, at: Timestamp) -> bool {
        self.ended_at.is_none() && at < self.ends_at
    }

    /// The audit event of the grant's end (`acknowledged` or `expired`), about the patient
    /// the conversation is about: it belongs in their accounting of disclosures.
    pub fn end_event(&self, patient: Option<PatientId>, reason: &str) -> NewAuditEvent {
        NewAuditEvent::new(AuditAction::EscalationGrantEnded, Outcome::Success)
            .target(TargetKind::Message, Some(self.message_id))
            .patient(patient)
            .detail(format!(
                r#"{{"grant":"{}","user":"{}","step":"{}","reason":"{reason}"}}"#,
                self.id,
                self.user_id,
                self.step.as_str()
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(user: UserId, from: i64, to: i64) -> Shift {
        Shift {
            id: ShiftId::new(),
            role_id: ClinicalRoleId::new(),
            user_id: user,
            starts_at: Timestamp::from_micros(from),
            ends_at: Timestamp::from_micros(to),
        }
    }

    #[test]
    fn the_incoming_holder_has_the_role_during_a_hand_over() {
        let (night, day) = (UserId::new(), UserId::new());
        let shifts = [shift(night, 0, 100), shift(day, 90, 200)];
        let at = |t| holder_at(&shifts, Timestamp::from_micros(t));
        assert_eq!(at(50), Some(night));
        assert_eq!(at(95), Some(day));
        assert_eq!(at(100), Some(day));
        assert_eq!(at(200), None, "a shift ends at its end");
    }

    #[test]
    fn shifts_and_names_are_checked() {
        let user = UserId::new();
        assert!(shift(user, 10, 10).validate().is_err());
        assert!(
            shift(user, 0, (MAX_SHIFT_SECS + 1) * 1_000_000)
                .validate()
                .is_err()
        );
        assert!(shift(user, 0, 3_600_000_000).validate().is_ok());
        assert!(check_role_name(" x ").is_err());
        assert_eq!(
            check_role_name(" Cardiology on-call ").ok().as_deref(),
            Some("Cardiology on-call")
        );
    }

    #[test]
    fn the_chain_has_three_steps() {
        let steps: Vec<_> = (0..4).map(EscalationStep::after).collect();
        assert_eq!(
            steps,
            [
                Some(EscalationStep::Repeat),
                Some(EscalationStep::OnCall),
                Some(EscalationStep::Supervisor),
                None
            ]
        );
        for step in steps.into_iter().flatten() {
            assert_eq!(EscalationStep::after(step.number() - 1), Some(step));
        }
    }
}
