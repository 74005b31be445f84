//! Monitoring: the background loop feeds every new audit event, on whichever node wrote it, to
//! the rules of [`ward_core::monitoring`]; what crosses a threshold becomes an alert (audited,
//! linked to the events behind it, pushed to compliance officers). Each node starts at the
//! head it finds; an alert is raised once per rule and event however many nodes see it.

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditEvent, AuditFilter, NewAuditEvent, Outcome, TargetKind};
use ward_core::monitoring::{Finding, Monitor, MonitoringPolicy, unusual_hour};
use ward_core::oversight::{Alert, AlertKind};

use super::Compliance;
use crate::services::ServiceError;

const PAGE: u32 = 1000;
/// Most audit events an alert links to (the newest of its window).
const MAX_EVIDENCE: usize = 500;
/// How many of a user's earlier sign-ins the new-address rule looks at.
const SIGN_IN_HISTORY: u32 = 200;

/// Where this node's monitor stands in the audit stream, and the rules' state.
#[derive(Debug, Default)]
pub struct MonitorState {
    after: Option<i64>,
    monitor: Monitor,
}

impl Compliance {
    /// Feeds the audit events appended since the last call to the monitoring rules and
    /// raises what they find; how many alerts were raised. The first call only finds its
    /// place at the head.
    pub async fn run_monitoring(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let policy = self.policy.get().await?.monitoring;
        let mut state = self.monitoring.lock().await;
        let Some(mut after) = state.after else {
            let head = self.store.audit_head().await?.map_or(0, |(seq, _)| seq);
            state.after = Some(head);
            return Ok(0);
        };
        let mut raised = 0;
        loop {
            let page = self.store.audit_chain_page(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for event in &page {
                let mut findings = state.monitor.observe(event, &policy);
                findings.extend(self.sign_in_findings(event, &policy).await?);
                for finding in findings {
                    raised += usize::from(self.raise(finding, now).await?);
                }
            }
            state.after = Some(after);
            if page.len() < PAGE as usize {
                break;
            }
        }
        state.monitor.prune(now, &policy);
        Ok(raised)
    }

    /// What a sign-in says against the user's last sign-ins: an address never used before
    /// (once there is a first sign-in), an hour outside their pattern (once there are enough).
    async fn sign_in_findings(
        &self,
        event: &AuditEvent,
        policy: &MonitoringPolicy,
    ) -> Result<Vec<Finding>, ServiceError> {
        if !(policy.new_address || policy.unusual_hours) || !Monitor::is_sign_in(event) {
            return Ok(Vec::new());
        }
        let earlier = self
            .store
            .search_audit(&AuditFilter {
                actor: event.event.actor,
                action: Some(AuditAction::LoginSucceeded),
                before_seq: Some(event.seq),
                limit: SIGN_IN_HISTORY,
                ..AuditFilter::default()
            })
            .await?;
        let finding = |kind| Finding {
            kind,
            subject: event.event.actor,
            evidence: vec![event.seq],
        };
        let mut findings = Vec::new();
        let known = earlier.is_empty()
            || earlier
                .iter()
                .any(|e| e.event.address == event.event.address);
        if policy.new_address && !known {
            findings.push(finding(AlertKind::NewAddress));
        }
        let hours: Vec<u8> = earlier
            .iter()
            .map(|e| e.event.at.to_datetime().hour())
            .collect();
        if policy.unusual_hours && unusual_hour(event.event.at.to_datetime().hour(), &hours) {
            findings.push(finding(AlertKind::UnusualHours));
        }
        Ok(findings)
    }

    /// Stores, audits and pushes one finding; false if another node raised it first.
    async fn raise(&self, finding: Finding, now: Timestamp) -> Result<bool, ServiceError> {
        let Some(&audit_seq) = finding.evidence.last() else {
            return Ok(false);
        };
        let skip = finding.evidence.len().saturating_sub(MAX_EVIDENCE);
        let alert = Alert {
            id: Uuid::now_v7(),
            kind: finding.kind,
            subject_id: finding.subject,
            patient_id: None,
            audit_seq,
            evidence: finding.evidence[skip..].to_vec(),
            raised_at: now,
            acknowledged_by: None,
            acknowledged_at: None,
            sealed_note: None,
        };
        let audit = NewAuditEvent::new(AuditAction::AlertRaised, Outcome::Success)
            .target(TargetKind::Alert, Some(alert.id))
            .detail(format!(
                r#"{{"kind":"{}","events":{}}}"#,
                alert.kind.as_str(),
                alert.evidence.len()
            ));
        let Some(alert) = self.store.raise_alert(&alert, audit).await? else {
            return Ok(false);
        };
        tracing::info!(kind = alert.kind.as_str(), alert = %alert.id, "alert raised");
        self.notify_compliance(&alert).await?;
        Ok(true)
    }
}
