//! Monitoring rules over the audit stream: pure state fed one event at a time, which says
//! when someone's activity crosses a threshold compliance officers must hear about.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, AuditEvent, Outcome};
use crate::id::UserId;
use crate::oversight::AlertKind;
use crate::{Timestamp, ValidationError};

/// Thresholds of the monitoring rules; each counts within one sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringPolicy {
    pub window_secs: i64,
    /// Distinct patients whose records one user opens within the window.
    pub distinct_patients: u32,
    /// Attachments one user downloads, or conversations they export, within the window.
    pub downloads: u32,
    /// Failed sign-ins from one address, or for one account, within the window.
    pub failed_logins: u32,
    /// Alert when someone signs in from an address they never signed in from before.
    pub new_address: bool,
    /// Alert when someone with an established pattern signs in at an hour of the day (UTC)
    /// none of their recent sign-ins came within an hour of.
    #[serde(default = "enabled")]
    pub unusual_hours: bool,
}

const fn enabled() -> bool {
    true
}

impl Default for MonitoringPolicy {
    fn default() -> Self {
        Self {
            window_secs: 60,
            distinct_patients: 30,
            downloads: 20,
            failed_logins: 10,
            new_address: true,
            unusual_hours: true,
        }
    }
}

impl MonitoringPolicy {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(10..=24 * 3600).contains(&self.window_secs) {
            return Err(ValidationError::new(
                "monitoring.window_secs",
                "must be between 10 seconds and 24 hours",
            ));
        }
        for (field, value) in [
            ("monitoring.distinct_patients", self.distinct_patients),
            ("monitoring.downloads", self.downloads),
            ("monitoring.failed_logins", self.failed_logins),
        ] {
            if !(2..=100_000).contains(&value) {
                return Err(ValidationError::new(field, "must be between 2 and 100000"));
            }
        }
        Ok(())
    }
}

/// A rule crossed: what, by whom, and the audit events behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: AlertKind,
    pub subject: Option<UserId>,
    /// The seqs of the events that crossed the threshold, oldest first; the last raised it.
    pub evidence: Vec<i64>,
}

/// Earlier sign-ins a user needs before their hours count as a pattern.
pub const USUAL_HOURS_BASELINE: usize = 20;

/// Whether a sign-in at `hour` (0-23) is outside the pattern of `earlier` sign-in hours: none
/// within an hour of it, once there are enough of them to be a pattern.
pub fn unusual_hour(hour: u8, earlier: &[u8]) -> bool {
    let near = |h: &u8| {
        let d = (i16::from(*h) - i16::from(hour)).rem_euclid(24);
        d <= 1 || d >= 23
    };
    earlier.len() >= USUAL_HOURS_BASELINE && !earlier.iter().any(near)
}

/// Whether an action opens a patient's records (what the distinct-patients rule counts).
const fn opens_patient_records(action: AuditAction) -> bool {
    matches!(
        action,
        AuditAction::PatientRead
            | AuditAction::ConversationRead
            | AuditAction::MessagesRead
            | AuditAction::AttachmentDownloaded
            | AuditAction::MessageVersionsRead
    )
}

/// Events in one window, with what made each count.
#[derive(Debug, Default)]
struct Window<K> {
    events: VecDeque<(Timestamp, i64, K)>,
    /// Until when this key stays quiet after raising an alert (one alert per window).
    quiet_until: Option<Timestamp>,
}

impl<K: Eq + std::hash::Hash + Clone> Window<K> {
    fn push(&mut self, at: Timestamp, seq: i64, key: K, window_secs: i64) {
        let start = at.plus_secs(-window_secs);
        while self.events.front().is_some_and(|(t, _, _)| *t < start) {
            self.events.pop_front();
        }
        self.events.push_back((at, seq, key));
    }

    /// The evidence if the window holds `threshold` distinct keys (or events, when every key is
    /// the same), unless it raised within the last window.
    fn crossed(
        &mut self,
        at: Timestamp,
        threshold: u32,
        window_secs: i64,
        distinct: bool,
    ) -> Option<Vec<i64>> {
        if self.quiet_until.is_some_and(|until| at < until) {
            return None;
        }
        let count = if distinct {
            self.events
                .iter()
                .map(|(_, _, k)| k)
                .collect::<HashSet<_>>()
                .len()
        } else {
            self.events.len()
        };
        if count < threshold as usize {
            return None;
        }
        self.quiet_until = Some(at.plus_secs(window_secs));
        Some(self.events.iter().map(|(_, seq, _)| *seq).collect())
    }
}

/// The rules' state: recent activity per user and per address.
#[derive(Debug, Default)]
pub struct Monitor {
    patients: HashMap<UserId, Window<uuid::Uuid>>,
    downloads: HashMap<UserId, Window<()>>,
    failed_by_address: HashMap<String, Window<()>>,
    failed_by_account: HashMap<UserId, Window<()>>,
}

impl Monitor {
    /// Feeds the next event of the stream; what it makes cross a threshold. A sign-in from a
    /// new address needs the user's history, so the caller judges that one
    /// ([`Monitor::is_sign_in`]).
    pub fn observe(&mut self, event: &AuditEvent, policy: &MonitoringPolicy) -> Vec<Finding> {
        let (e, seq, secs) = (&event.event, event.seq, policy.window_secs);
        let mut findings = Vec::new();
        if let (Some(actor), Some(patient)) = (e.actor, e.patient)
            && e.outcome == Outcome::Success
            && opens_patient_records(e.action)
        {
            let window = self.patients.entry(actor).or_default();
            window.push(e.at, seq, *patient.as_uuid(), secs);
            if let Some(evidence) = window.crossed(e.at, policy.distinct_patients, secs, true) {
                findings.push(finding(AlertKind::ManyPatients, Some(actor), evidence));
            }
        }
        if let Some(actor) = e.actor
            && matches!(
                e.action,
                AuditAction::AttachmentDownloaded | AuditAction::ConversationExported
            )
            && e.outcome == Outcome::Success
        {
            let window = self.downloads.entry(actor).or_default();
            window.push(e.at, seq, (), secs);
            if let Some(evidence) = window.crossed(e.at, policy.downloads, secs, false) {
                findings.push(finding(AlertKind::BulkDownload, Some(actor), evidence));
            }
        }
        if matches!(
            e.action,
            AuditAction::LoginFailed | AuditAction::LoginThrottled
        ) {
            let by_account = e.actor.map(|actor| (actor, &mut self.failed_by_account));
            if let Some((actor, windows)) = by_account {
                let window = windows.entry(actor).or_default();
                window.push(e.at, seq, (), secs);
                if let Some(evidence) = window.crossed(e.at, policy.failed_logins, secs, false) {
                    findings.push(finding(AlertKind::FailedLogins, Some(actor), evidence));
                }
            }
            if let Some(address) = &e.address {
                let window = self.failed_by_address.entry(address.clone()).or_default();
                window.push(e.at, seq, (), secs);
                if let Some(evidence) = window.crossed(e.at, policy.failed_logins, secs, false) {
                    findings.push(finding(AlertKind::FailedLogins, e.actor, evidence));
                }
            }
        }
        // A request that waits for a second person is brought to those who may approve it.
        if e.action == AuditAction::PrivilegedChangeRequested && e.outcome == Outcome::Success {
            findings.push(finding(AlertKind::PrivilegedChange, e.actor, vec![seq]));
        }
        findings
    }

    /// A successful sign-in, whose address the caller holds against the user's history.
    pub fn is_sign_in(event: &AuditEvent) -> bool {
        event.event.action == AuditAction::LoginSucceeded
            && event.event.outcome == Outcome::Success
            && event.event.actor.is_some()
            && event.event.address.is_some()
    }

    /// Forgets windows that ended long ago, so memory follows current activity.
    pub fn prune(&mut self, now: Timestamp, policy: &MonitoringPolicy) {
        let start = now.plus_secs(-2 * policy.window_secs);
        fn keep<K, W>(map: &mut HashMap<K, Window<W>>, start: Timestamp) {
            map.retain(|_, w| w.events.back().is_some_and(|(t, _, _)| *t >= start));
        }
        keep(&mut self.patients, start);
        keep(&mut self.downloads, start);
        keep(&mut self.failed_by_address, start);
        keep(&mut self.failed_by_account, start);
    }
}

fn finding(kind: AlertKind, subject: Option<UserId>, evidence: Vec<i64>) -> Finding {
    Finding {
        kind,
        subject,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::NewAuditEvent;
    use crate::id::PatientId;

    fn read(seq: i64, actor: UserId, patient: PatientId, at: Timestamp) -> AuditEvent {
        let mut event =
            NewAuditEvent::new(AuditAction::MessagesRead, Outcome::Success).patient(Some(patient));
        event.actor = Some(actor);
        event.at = at;
        AuditEvent {
            seq,
            event,
            prev_hash: [0; 32],
            hash: [0; 32],
        }
    }

    #[test]
    fn thirty_patients_in_a_minute_raise_one_alert() {
        let policy = MonitoringPolicy::default();
        let (mut monitor, nurse) = (Monitor::default(), UserId::new());
        let start = Timestamp::from_micros(1_000_000_000_000);
        let patients: Vec<PatientId> = (0..40).map(|_| PatientId::new()).collect();
        let mut raised = Vec::new();
        for (i, patient) in patients.iter().enumerate() {
            let at = start.plus_secs(i as i64);
            // The same patient read again counts once.
            raised.extend(monitor.observe(&read(2 * i as i64, nurse, *patient, at), &policy));
            raised.extend(monitor.observe(&read(2 * i as i64 + 1, nurse, *patient, at), &policy));
        }
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].kind, AlertKind::ManyPatients);
        assert_eq!(raised[0].subject, Some(nurse));
        assert_eq!(raised[0].evidence.len(), 59);
        assert_eq!(raised[0].evidence.last(), Some(&58));
    }

    #[test]
    fn a_privileged_change_request_raises_an_alert_and_a_refused_one_does_not() {
        let policy = MonitoringPolicy::default();
        let (mut monitor, admin) = (Monitor::default(), UserId::new());
        let mut event = |seq: i64, outcome: Outcome| {
            let mut new = NewAuditEvent::new(AuditAction::PrivilegedChangeRequested, outcome);
            new.actor = Some(admin);
            let event = AuditEvent {
                seq,
                event: new,
                prev_hash: [0; 32],
                hash: [0; 32],
            };
            monitor.observe(&event, &policy)
        };
        assert!(event(7, Outcome::Failure).is_empty());
        let raised = event(8, Outcome::Success);
        assert_eq!(
            raised,
            [Finding {
                kind: AlertKind::PrivilegedChange,
                subject: Some(admin),
                evidence: vec![8],
            }]
        );
    }

    #[test]
    fn reads_spread_beyond_the_window_raise_nothing() {
        let policy = MonitoringPolicy::default();
        let (mut monitor, nurse) = (Monitor::default(), UserId::new());
        let start = Timestamp::from_micros(1_000_000_000_000);
        for i in 0..60 {
            let at = start.plus_secs(i * 3);
            let event = read(i, nurse, PatientId::new(), at);
            assert!(monitor.observe(&event, &policy).is_empty());
        }
    }

    #[test]
    fn unusual_hours_need_a_pattern_first() {
        let days: Vec<u8> = (0..USUAL_HOURS_BASELINE)
            .map(|i| 8 + (i % 9) as u8)
            .collect();
        assert!(!unusual_hour(3, &days[..5]), "no pattern yet");
        assert!(unusual_hour(3, &days));
        assert!(!unusual_hour(17, &days), "an hour after the latest");
        let night: Vec<u8> = vec![23; USUAL_HOURS_BASELINE];
        assert!(!unusual_hour(0, &night), "across midnight");
    }

    #[test]
    fn failed_sign_ins_from_one_address_raise_an_alert() {
        let policy = MonitoringPolicy::default();
        let mut monitor = Monitor::default();
        let mut raised = Vec::new();
        for seq in 0..12 {
            let mut event = NewAuditEvent::new(AuditAction::LoginFailed, Outcome::Failure);
            event.address = Some("192.0.2.7".into());
            let event = AuditEvent {
                seq,
                event,
                prev_hash: [0; 32],
                hash: [0; 32],
            };
            raised.extend(monitor.observe(&event, &policy));
        }
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].kind, AlertKind::FailedLogins);
        assert_eq!(raised[0].evidence.len(), 10);
    }
}
