//! Break-glass access to a patient's care-team thread, the alerts it raises to compliance
//! officers, and the patient's accounting of disclosures (45 CFR 164.528), which lists it.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditFilter, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::{PatientId, UserId};
use ward_core::keys::KeyScope;
use ward_core::oversight::{
    Alert, AlertId, AlertKind, BreakGlassGrant, check_minutes, check_reason,
};
use ward_core::role::Permission;
use ward_core::user::UserStatus;
use ward_crypto::seal::Binding;
use ward_proto::realtime::ServerFrame;

use super::Compliance;
use crate::opened::Disclosure;
use crate::services::{Caller, ServiceError};
use crate::wire::frames::{self, Payload};

/// Most grants one expiry pass ends.
const GRANT_BATCH: u32 = 100;
/// Most audit events an accounting of disclosures reads.
const DISCLOSURE_LIMIT: usize = 10_000;
/// The audit actions that are accesses to or disclosures of a patient's messages and files.
const DISCLOSURE_ACTIONS: [AuditAction; 11] = [
    AuditAction::MessagesRead,
    AuditAction::MessagesDelivered,
    AuditAction::ConversationExported,
    AuditAction::MessageSent,
    AuditAction::AttachmentDownloaded,
    AuditAction::MessageVersionsRead,
    AuditAction::ConversationRead,
    AuditAction::PatientRead,
    AuditAction::BreakGlassOpened,
    AuditAction::BreakGlassEnded,
    AuditAction::AccessDenied,
];

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

    /// Pushes an alert to the connected devices of everyone who may read the audit log.
    pub(super) async fn notify_compliance(&self, alert: &Alert) -> Result<(), ServiceError> {
        let officers: Vec<UserId> = {
            let roles = self.store.list_roles().await?;
            self.store
                .list_users()
                .await?
                .into_iter()
                .filter(|u| u.status == UserStatus::Active)
                .filter(|u| {
                    roles
                        .iter()
                        .any(|r| r.name == u.role && r.allows(Permission::AuditRead))
                })
                .map(|u| u.id)
                .collect()
        };
        let frame = frames::encode(&ServerFrame::AlertRaised {
            alert: frames::alert_view(alert),
        });
        if let Some(webhook) = &self.webhook {
            webhook.send(std::sync::Arc::clone(&frame));
        }
        self.publisher.hub().notify(&officers, frame);
        Ok(())
    }

    /// The newest alerts (for compliance officers), optionally only unacknowledged ones.
    pub async fn alerts(
        &self,
        caller: &Caller,
        open_only: bool,
    ) -> Result<Vec<Alert>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::AlertsListed)
            .await?;
        let alerts = self.store.alerts(open_only, 500).await?;
        let audit = caller
            .event(AuditAction::AlertsListed, Outcome::Success)
            .detail(format!(r#"{{"count":{}}}"#, alerts.len()));
        self.store.append_audit(audit).await?;
        Ok(alerts)
    }

    pub async fn acknowledge_alert(
        &self,
        caller: &Caller,
        id: AlertId,
    ) -> Result<Alert, ServiceError> {
        self.access
            .require(
                caller,
                Permission::AuditRead,
                AuditAction::AlertAcknowledged,
            )
            .await?;
        let now = self.now();
        let audit = caller
            .event(AuditAction::AlertAcknowledged, Outcome::Success)
            .target(TargetKind::Alert, Some(id));
        if !self
            .store
            .acknowledge_alert(id, caller.user.id, now, audit)
            .await?
        {
            return Err(match self.store.alert(id).await? {
                Some(_) => ServiceError::Conflict("the alert was acknowledged already"),
                None => ServiceError::NotFound("alert"),
            });
        }
        self.store
            .alert(id)
            .await?
            .ok_or(ServiceError::NotFound("alert"))
    }

    /// A patient's accounting of disclosures: every audited access to the patient's record,
    /// messages and files, newest first, with the purpose where known (break-glass reasons).
    pub async fn disclosures(
        &self,
        caller: &Caller,
        patient: PatientId,
        period: super::Period,
    ) -> Result<Vec<Disclosure>, ServiceError> {
        self.access
            .require(caller, Permission::AuditRead, AuditAction::DisclosuresRead)
            .await?;
        let out = self.disclosure_rows(patient, period).await?;
        let audit = caller
            .event(AuditAction::DisclosuresRead, Outcome::Success)
            .target(TargetKind::Patient, Some(*patient.as_uuid()))
            .patient(Some(patient))
            .detail(format!(r#"{{"entries":{}}}"#, out.len()));
        self.store.append_audit(audit).await?;
        Ok(out)
    }

    /// The accounting of disclosures without a caller (the command line audits its own run).
    pub async fn disclosure_rows(
        &self,
        patient: PatientId,
        period: super::Period,
    ) -> Result<Vec<Disclosure>, ServiceError> {
        if self.store.patient(patient).await?.is_none() {
            return Err(ServiceError::NotFound("patient"));
        }
        let mut reasons = std::collections::HashMap::new();
        for grant in self.store.break_glass_for_patient(patient).await? {
            let reason = self.open_reason(&grant).await?;
            reasons.insert(grant.id, reason);
        }
        let mut out = Vec::new();
        let mut before_seq = None;
        while out.len() < DISCLOSURE_LIMIT {
            let filter = AuditFilter {
                patient: Some(patient),
                from: Some(period.from),
                to: Some(period.to),
                before_seq,
                limit: super::MAX_AUDIT_PAGE,
                ..AuditFilter::default()
            };
            let page = self.store.search_audit(&filter).await?;
            let Some(last) = page.last() else { break };
            before_seq = Some(last.seq);
            for event in page {
                if !DISCLOSURE_ACTIONS.contains(&event.event.action) {
                    continue;
                }
                let purpose = match (event.event.action, event.event.target) {
                    (AuditAction::BreakGlassOpened, Some(target)) => {
                        target.id.and_then(|id| reasons.get(&id).cloned())
                    }
                    _ => None,
                };
                out.push(Disclosure { event, purpose });
            }
        }
        Ok(out)
    }

    async fn open_reason(&self, grant: &BreakGlassGrant) -> Result<String, ServiceError> {
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
