//! Domain types to wire types: users, sessions, roles, the policy, audit events and
//! checkpoints, safety findings. Database rows and domain structs never go out as they are.

use ward_core::audit::{AuditCheckpoint, AuditEvent};
use ward_core::policy::Policy;
use ward_core::role::Role;
use ward_core::safety::CheckKind;
use ward_core::session::{Session, SessionScope};
use ward_core::user::{User, UserStatus};
use ward_proto::audit::{AuditCheckpointView, AuditEventView};
use ward_proto::auth::{SessionScope as WireScope, SessionView};
use ward_proto::messaging::{SafetyCheckKind, SafetyFinding};
use ward_proto::policy::{LoginPolicy, PolicyDocument, SessionPolicy};
use ward_proto::users::{RoleView, UserStatus as WireStatus, UserSummary, UserView};

use crate::opened::SafetyReport;

pub fn user_summary(user: &User) -> UserSummary {
    UserSummary {
        id: *user.id.as_uuid(),
        username: user.username.to_string(),
        role: user.role.to_string(),
    }
}

pub fn user_view(user: &User) -> UserView {
    UserView {
        id: *user.id.as_uuid(),
        username: user.username.to_string(),
        display_name: user.display_name.as_str().to_owned(),
        role: user.role.to_string(),
        status: match user.status {
            UserStatus::Active => WireStatus::Active,
            UserStatus::Disabled => WireStatus::Disabled,
        },
        created_at: user.created_at.to_datetime(),
    }
}

pub fn status_from_wire(status: WireStatus) -> UserStatus {
    match status {
        WireStatus::Active => UserStatus::Active,
        WireStatus::Disabled => UserStatus::Disabled,
    }
}

pub fn scope(scope: SessionScope) -> WireScope {
    match scope {
        SessionScope::Full => WireScope::Full,
        SessionScope::MfaEnrollment => WireScope::MfaEnrollment,
    }
}

pub fn session_view(session: &Session, current: &Session) -> SessionView {
    SessionView {
        id: *session.id.as_uuid(),
        device_name: session.device_name.as_str().to_owned(),
        scope: scope(session.scope),
        address: session.address.clone(),
        created_at: session.created_at.to_datetime(),
        last_seen_at: session.last_seen_at.to_datetime(),
        expires_at: session.expires_at.to_datetime(),
        wipe_requested_at: session.wipe_requested_at.map(|t| t.to_datetime()),
        current: session.id == current.id,
    }
}

pub fn role_view(role: &Role) -> RoleView {
    RoleView {
        name: role.name.to_string(),
        permissions: permission_codes(role),
        builtin: role.builtin,
    }
}

pub fn permission_codes(role: &Role) -> Vec<String> {
    role.permissions
        .iter()
        .map(|p| p.code().to_owned())
        .collect()
}

pub fn policy_document(policy: &Policy) -> PolicyDocument {
    PolicyDocument {
        session: SessionPolicy {
            idle_timeout_secs: policy.session.idle_timeout_secs,
            absolute_lifetime_secs: policy.session.absolute_lifetime_secs,
        },
        login: LoginPolicy {
            max_failures_per_account: policy.login.max_failures_per_account,
            max_failures_per_address: policy.login.max_failures_per_address,
            window_secs: policy.login.window_secs,
        },
        mfa_required_roles: policy
            .mfa_required_roles
            .iter()
            .map(ToString::to_string)
            .collect(),
        safety: ward_proto::policy::SafetyPolicy {
            block_identifiers: policy.safety.block_identifiers,
            block_order_text: policy.safety.block_order_text,
        },
        escalation: ward_proto::policy::EscalationPolicy {
            urgent_after_secs: policy.escalation.urgent_after_secs,
            stat_after_secs: policy.escalation.stat_after_secs,
            grant_secs: policy.escalation.grant_secs,
            context_messages: policy.escalation.context_messages,
        },
        monitoring: ward_proto::policy::MonitoringPolicy {
            window_secs: policy.monitoring.window_secs,
            distinct_patients: policy.monitoring.distinct_patients,
            downloads: policy.monitoring.downloads,
            failed_logins: policy.monitoring.failed_logins,
            new_address: policy.monitoring.new_address,
            unusual_hours: policy.monitoring.unusual_hours,
        },
        retention: ward_proto::policy::RetentionPolicy {
            direct: policy.retention.direct,
            group: policy.retention.group,
            channel: policy.retention.channel,
            care_team: policy.retention.care_team,
            patient: policy.retention.patient,
            role: policy.retention.role,
        },
        review: ward_proto::policy::ReviewPolicy {
            sign_off_days: policy.review.sign_off_days,
            access_review_days: policy.review.access_review_days,
            inactive_days: policy.review.inactive_days,
        },
        notify: ward_proto::policy::NotifyPolicy {
            normal_delay_secs: policy.notify.normal_delay_secs,
            force_urgent: policy.notify.force_urgent,
        },
    }
}

pub fn audit_event_view(e: &AuditEvent) -> AuditEventView {
    let ev = &e.event;
    AuditEventView {
        seq: e.seq,
        id: *ev.id.as_uuid(),
        at: ev.at.to_datetime(),
        actor_id: ev.actor.map(|id| *id.as_uuid()),
        session_id: ev.session.map(|id| *id.as_uuid()),
        address: ev.address.clone(),
        action: ev.action.as_str().to_owned(),
        target_kind: ev.target.map(|t| t.kind.as_str().to_owned()),
        target_id: ev.target.and_then(|t| t.id),
        patient_id: ev.patient.map(|id| *id.as_uuid()),
        outcome: ev.outcome.as_str().to_owned(),
        detail: ev
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok()),
        hash: hex(&e.hash),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lowercase or uppercase hex text, if it is exactly `N` bytes of it.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A checkpoint as exported.
pub fn checkpoint_view(checkpoint: &AuditCheckpoint) -> AuditCheckpointView {
    AuditCheckpointView {
        seq: checkpoint.seq,
        head_hash: hex(&checkpoint.head),
        signed_at: checkpoint.signed_at.to_datetime(),
        public_key: hex(&checkpoint.public_key),
        signature: hex(&checkpoint.signature),
    }
}

/// An exported checkpoint read back; `None` if a field is not hex of the right length.
pub fn checkpoint_from_view(view: &AuditCheckpointView) -> Option<AuditCheckpoint> {
    Some(AuditCheckpoint {
        seq: view.seq,
        head: unhex(&view.head_hash)?,
        signed_at: ward_core::Timestamp::from_datetime(view.signed_at),
        public_key: unhex(&view.public_key)?,
        signature: unhex(&view.signature)?,
    })
}

/// Safety findings as the wire shows them.
pub fn safety_findings(report: &SafetyReport) -> Vec<SafetyFinding> {
    report
        .findings
        .iter()
        .map(|f| SafetyFinding {
            check: match f.finding.check {
                CheckKind::Identifier => SafetyCheckKind::Identifier,
                CheckKind::Abbreviation => SafetyCheckKind::Abbreviation,
                CheckKind::OrderText => SafetyCheckKind::OrderText,
            },
            code: f.finding.code.to_owned(),
            start: f.finding.start,
            end: f.finding.end,
            advice: f.finding.advice.to_owned(),
            blocking: f.blocking,
        })
        .collect()
}
