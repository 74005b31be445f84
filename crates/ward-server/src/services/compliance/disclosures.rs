//! A patient's accounting of disclosures (45 CFR 164.528): every access to their record from
//! outside their care, break-glass included.

use ward_core::audit::{AuditAction, AuditFilter, Outcome, TargetKind};
use ward_core::id::PatientId;
use ward_core::role::Permission;

use super::Compliance;
use crate::opened::Disclosure;
use crate::services::{Caller, ServiceError};

/// Most audit events an accounting of disclosures reads.
const DISCLOSURE_LIMIT: usize = 10_000;
/// The audit actions that are accesses to or disclosures of a patient's messages and files.
const DISCLOSURE_ACTIONS: [AuditAction; 14] = [
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
    AuditAction::MessageEscalated,
    AuditAction::EscalationGrantsRead,
    AuditAction::EscalationGrantEnded,
    AuditAction::AccessDenied,
];

impl Compliance {
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
        let filter = AuditFilter {
            patient: Some(patient),
            from: Some(period.from),
            to: Some(period.to),
            ..AuditFilter::default()
        };
        let mut out = Vec::new();
        self.collect_audit(filter, &mut out, DISCLOSURE_LIMIT, |event| {
            if !DISCLOSURE_ACTIONS.contains(&event.event.action) {
                return None;
            }
            let purpose = match (event.event.action, event.event.target) {
                (AuditAction::BreakGlassOpened, Some(target)) => {
                    target.id.and_then(|id| reasons.get(&id).cloned())
                }
                _ => None,
            };
            Some(Disclosure { event, purpose })
        })
        .await?;
        Ok(out)
    }
}
