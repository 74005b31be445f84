//! The compliance report's judgement: given what was read from the running system ([`Facts`]),
//! each control of the catalogue is met, needs attention or is not met, with a one-line reason
//! and the evidence behind it. The server gathers the facts read-only; this decides, so the
//! rules are plain data and unit-testable.

use crate::Timestamp;
use crate::controls::{CONTROLS, Control};
use crate::id::UserId;
use crate::oversight::AlertKind;
use crate::policy::Policy;
use crate::role::RoleName;

/// Longest idle timeout that is still an automatic logoff on a shared ward workstation.
pub const MAX_IDLE_SECS: i64 = 30 * 60;
/// Longest session lifetime before a clinician signs in again.
pub const MAX_LIFETIME_SECS: i64 = 24 * 3600;
/// Age past which the newest backup no longer protects a day's messages.
pub const MAX_BACKUP_AGE_SECS: i64 = 36 * 3600;
/// Age past which the root key should have been rotated.
pub const MAX_ROOT_KEY_AGE_SECS: i64 = 365 * 86_400;
/// Age past which the newest signed checkpoint no longer vouches for recent events.
pub const MAX_CHECKPOINT_AGE_SECS: i64 = 2 * 86_400;

/// The self-tests' names.
pub const WRONG_PASSWORD_REFUSED: &str = "wrong_password_refused";
pub const SEALED_VALUE_NOT_IN_CLEAR: &str = "sealed_value_not_in_clear";
pub const TLS_1_1_REFUSED: &str = "tls_1_1_refused";
pub const AUDIT_CHAIN_VERIFIES: &str = "audit_chain_verifies";

/// How one control stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Met,
    /// Implemented, but something needs a person: a review is due, a setting is lax.
    Attention,
    /// The safeguard is not working now.
    NotMet,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Attention => "attention",
            Self::NotMet => "not_met",
        }
    }
}

/// One account as the report sees it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: UserId,
    pub username: String,
    pub role: RoleName,
    pub active: bool,
    pub created_at: Timestamp,
    /// A confirmed second factor.
    pub second_factor: bool,
    /// Without a factor because one was removed (reset), not because none was ever enrolled.
    pub factor_removed: bool,
    pub last_sign_in: Option<Timestamp>,
    /// When the account was last disabled (for disabled accounts).
    pub disabled_at: Option<Timestamp>,
    /// Sessions that have not ended.
    pub open_sessions: u32,
    /// When the last of its sessions ended.
    pub last_session_end: Option<Timestamp>,
    /// The latest access-review decision: (keep, when).
    pub last_review: Option<(bool, Timestamp)>,
}

/// How one listener or outgoing link protects what crosses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Ward's own TLS (rustls: TLS 1.2 and 1.3 only).
    Tls,
    /// Plain HTTP to a TLS proxy in front of Ward.
    BehindProxy,
    /// Plain, on a loopback address.
    Loopback,
    /// Plain, off loopback.
    Plain,
}

#[derive(Debug, Clone)]
pub struct Listener {
    pub name: String,
    pub address: String,
    pub transport: Transport,
}

/// The audit chain as verified now.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Events verified; or the first event that failed and why.
    pub verified: Result<u64, (i64, String)>,
    /// The newest signed checkpoint: seq, when, head hash (hex), signature valid.
    pub checkpoint: Option<(i64, Timestamp, String, bool)>,
}

/// A backup `ward backup` recorded, and its verification.
#[derive(Debug, Clone)]
pub struct Backup {
    pub at: Timestamp,
    /// The archive's id (in its header).
    pub archive: String,
    pub verified_at: Option<Timestamp>,
}

/// One break-glass use, or one alert, and its sign-off.
#[derive(Debug, Clone)]
pub struct Reviewable {
    pub kind: AlertKind,
    pub raised_at: Timestamp,
    /// Who signed it off, when.
    pub signed_off: Option<(UserId, Timestamp)>,
}

/// How a self-test came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Passed,
    Failed,
    /// It does not apply to this deployment (the detail says why).
    Skipped,
}

impl CheckOutcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "FAILED",
            Self::Skipped => "skipped",
        }
    }
}

/// A self-test's result.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub outcome: CheckOutcome,
    pub detail: String,
}

/// Everything the report judges, read at `now`.
#[derive(Debug, Clone)]
pub struct Facts {
    pub now: Timestamp,
    pub from: Timestamp,
    pub to: Timestamp,
    pub policy: Policy,
    pub accounts: Vec<Account>,
    pub listeners: Vec<Listener>,
    pub chain: Chain,
    /// `None` on PostgreSQL, whose backups Ward does not take.
    pub backups: Option<Vec<Backup>>,
    /// The key vault is apart from the main database.
    pub vault_apart: bool,
    pub root_key_rotated_at: Option<Timestamp>,
    /// The first audit event (the deployment's start).
    pub first_event_at: Option<Timestamp>,
    pub last_disposal: Option<Timestamp>,
    /// Break-glass uses and other alerts of the period, and every one still open.
    pub alerts: Vec<Reviewable>,
    /// In the period.
    pub refusals: u64,
    pub failed_sign_ins: u64,
    pub disclosures: u64,
    pub privileged_changes: u64,
    pub selftest: Vec<Check>,
}

mod rules;
#[cfg(test)]
mod tests;

/// One control judged.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub control: &'static Control,
    pub status: Status,
    pub reason: String,
    pub evidence: Vec<String>,
}

/// Judges every control of the catalogue, in its order.
pub fn assess(facts: &Facts) -> Vec<Assessment> {
    CONTROLS
        .iter()
        .map(|control| {
            let mut v = Verdict::default();
            judge(control.citation, facts, &mut v);
            let (status, reason) = v.worst.unwrap_or((Status::Met, String::new()));
            Assessment {
                control,
                status,
                reason: if reason.is_empty() {
                    "implemented and working".to_owned()
                } else {
                    reason
                },
                evidence: v.evidence,
            }
        })
        .collect()
}

/// The evidence gathered for one control and the worst finding so far.
#[derive(Default)]
pub(super) struct Verdict {
    worst: Option<(Status, String)>,
    evidence: Vec<String>,
}

impl Verdict {
    pub(super) fn note(&mut self, line: impl Into<String>) {
        self.evidence.push(line.into());
    }

    /// Records a finding; the reason shown is the worst one (the first of equals).
    pub(super) fn finding(&mut self, status: Status, reason: impl Into<String>) {
        if self.worst.as_ref().is_none_or(|(s, _)| status > *s) {
            self.worst = Some((status, reason.into()));
        }
    }

    pub(super) fn met(&mut self, reason: impl Into<String>) {
        self.finding(Status::Met, reason);
    }
}

fn judge(citation: &str, f: &Facts, v: &mut Verdict) {
    match citation {
        "164.312(a)(1)" => rules::access_control(f, v),
        "164.312(a)(2)(i)" => rules::unique_ids(f, v),
        "164.312(a)(2)(ii)" => rules::emergency_access(f, v),
        "164.312(a)(2)(iii)" => rules::automatic_logoff(f, v),
        "164.312(a)(2)(iv)" => rules::encryption_at_rest(f, v),
        "164.312(b)" => rules::audit_controls(f, v),
        "164.312(c)(1)" | "164.312(c)(2)" => rules::integrity(f, v),
        "164.312(d)" => rules::authentication(f, v),
        "164.312(e)(1)" | "164.312(e)(2)(i)" | "164.312(e)(2)(ii)" => rules::transmission(f, v),
        "164.308(a)(1)(ii)(D)" => rules::activity_review(f, v),
        "164.308(a)(3)(ii)(C)" => rules::termination(f, v),
        "164.308(a)(4)(ii)(B)" => rules::access_authorization(f, v),
        "164.308(a)(4)(ii)(C)" => rules::access_modification(f, v),
        "164.308(a)(5)(ii)(C)" => rules::login_monitoring(f, v),
        "164.308(a)(5)(ii)(D)" => rules::password_management(f, v),
        "164.308(a)(6)(ii)" => rules::response(f, v),
        "164.308(a)(7)(ii)(A)" | "164.310(d)(2)(iv)" => rules::backups(f, v),
        "164.528" => rules::disclosures(f, v),
        _ => v.finding(Status::NotMet, "no evidence rule for this control"),
    }
    rules::selftest(citation, f, v);
}
