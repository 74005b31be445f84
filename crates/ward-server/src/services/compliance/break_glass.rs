//! Break-glass access to a patient's care-team thread, the alerts it raises to compliance
//! officers, and the patient's accounting of disclosures (45 CFR 164.528), which lists it.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::PatientId;
use ward_core::keys::KeyScope;
use ward_core::oversight::{Alert, AlertKind, BreakGlassGrant, check_minutes, check_reason};
use ward_core::role::Permission;
use ward_crypto::seal::Binding;

use super::Compliance;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::Payload;

/// Most grants one expiry pass ends.
const GRANT_BATCH: u32 = 100;
/// A grant with its reason opened.
#[derive(Debug, Clone)]
pub struct PlainGrant {
    pub grant: BreakGlassGrant,
    pub reason: String,
}

impl Compliance {
    /// Opens a patient's care-team thread to a clinician who is not on the care team, for a
    /// stated reason and a limited time. Always audited, always alerts compliance officers;
    /// the access ends by itself.
    pub async fn open_break_glass(
        &self,
        caller: &Caller,
        patient_id: PatientId,
        reason: &str,
        minutes: Option<i64>,
    ) -> Result<PlainGrant, ServiceError> {
        self.access
            .require(
                caller,
                Permission::BreakGlass,
                AuditAction::BreakGlassOpened,
            )
            .await?;
        let reason = check_reason(reason)?;
        let minutes = check_minutes(minutes)?;
        let patient = self
            .store
            .patient(patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        if self
            .store
            .care_team(patient.id)
            .await?
            .contains(&caller.user.id)
        {
            return Err(ServiceError::Conflict(
                "you are on the patient's care team: open the care-team thread",
            ));
        }
        let thread = self
            .store
            .care_team_conversation(patient.id)
            .await?
            .ok_or(ServiceError::NotFound("care-team conversation"))?;
        if self.store.is_member(thread.id, caller.user.id).await? {
            return Err(ServiceError::Conflict(
                "you have access to this patient's thread already",
            ));
        }
        let now = self.now();
        let (id, epoch) = (Uuid::now_v7(), self.keys.epoch_of(now));
        let binding = Binding::BreakGlassReason {
            conversation: thread.id,
            grant: id,
            epoch,
        };
        let sealed_reason = self
            .keys
            .seal(
                KeyScope::Conversation(thread.id),
                epoch,
                binding,
                reason.as_bytes(),
            )
            .await?;
        let grant = BreakGlassGrant {
            id,
            patient_id: patient.id,
            user_id: caller.user.id,
            conversation_id: thread.id,
            epoch,
            sealed_reason,
            opened_at: now,
            ends_at: now.plus_secs(minutes * 60),
            ended_at: None,
        };
        let audit = caller
            .event(AuditAction::BreakGlassOpened, Outcome::Success)
            .target(TargetKind::BreakGlass, Some(id))
            .patient(Some(patient.id))
            .detail(format!(
                r#"{{"conversation":"{}","minutes":{minutes}}}"#,
                thread.id
            ));
        let alert = Alert {
            id: Uuid::now_v7(),
            kind: AlertKind::BreakGlass,
            subject_id: Some(caller.user.id),
            patient_id: Some(patient.id),
            audit_seq: 0,
            evidence: Vec::new(),
            raised_at: now,
            acknowledged_by: None,
            acknowledged_at: None,
            sealed_note: None,
        };
        let (committed, alert) = self.store.open_break_glass(&grant, alert, audit).await?;
        if let Some(committed) = committed {
            let plain = self.sealing.plain_conversation(thread).await?;
            self.publisher
                .publish(&committed, Payload::Conversation(&plain));
        }
        self.notify_compliance(&alert).await?;
        Ok(PlainGrant { grant, reason })
    }

    /// Ends every break-glass access whose time is up (the user leaves the thread unless
    /// they belong in it otherwise); how many ended.
    pub async fn end_due_break_glass(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let mut ended = 0;
        for grant in self.store.due_break_glass(now, GRANT_BATCH).await? {
            let audit = NewAuditEvent::new(AuditAction::BreakGlassEnded, Outcome::Success)
                .target(TargetKind::BreakGlass, Some(grant.id))
                .patient(Some(grant.patient_id))
                .detail(format!(
                    r#"{{"user":"{}","ended":"expired"}}"#,
                    grant.user_id
                ));
            let Some(removed) = self.store.end_break_glass(&grant, now, audit).await? else {
                continue;
            };
            if let Some(committed) = removed {
                let payload = Payload::Removed {
                    conversation: grant.conversation_id,
                    user: grant.user_id,
                };
                self.publisher.publish(&committed, payload);
            }
            ended += 1;
        }
        Ok(ended)
    }

    pub(super) async fn open_reason(
        &self,
        grant: &BreakGlassGrant,
    ) -> Result<String, ServiceError> {
        let binding = Binding::BreakGlassReason {
            conversation: grant.conversation_id,
            grant: grant.id,
            epoch: grant.epoch,
        };
        let scope = KeyScope::Conversation(grant.conversation_id);
        self.keys
            .open_text(scope, grant.epoch, binding, &grant.sealed_reason)
            .await
    }
}
