//! The compliance report's judgement: given what was read from the running system ([`Facts`]),
//! each control of the catalogue is met, needs attention or is not met, with a one-line reason
//! and the evidence behind it. The server gathers the facts read-only; this decides, so the
//! rules are plain data and unit-testable.

use std::fmt::Write as _;

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
struct Verdict {
    worst: Option<(Status, String)>,
    evidence: Vec<String>,
}

impl Verdict {
    fn note(&mut self, line: impl Into<String>) {
        self.evidence.push(line.into());
    }

    /// Records a finding; the reason shown is the worst one (the first of equals).
    fn finding(&mut self, status: Status, reason: impl Into<String>) {
        if self.worst.as_ref().is_none_or(|(s, _)| status > *s) {
            self.worst = Some((status, reason.into()));
        }
    }

    fn met(&mut self, reason: impl Into<String>) {
        self.finding(Status::Met, reason);
    }
}

fn judge(citation: &str, f: &Facts, v: &mut Verdict) {
    match citation {
        "164.312(a)(1)" => access_control(f, v),
        "164.312(a)(2)(i)" => unique_ids(f, v),
        "164.312(a)(2)(ii)" => emergency_access(f, v),
        "164.312(a)(2)(iii)" => automatic_logoff(f, v),
        "164.312(a)(2)(iv)" => encryption_at_rest(f, v),
        "164.312(b)" => audit_controls(f, v),
        "164.312(c)(1)" | "164.312(c)(2)" => integrity(f, v),
        "164.312(d)" => authentication(f, v),
        "164.312(e)(1)" | "164.312(e)(2)(i)" | "164.312(e)(2)(ii)" => transmission(f, v),
        "164.308(a)(1)(ii)(D)" => activity_review(f, v),
        "164.308(a)(3)(ii)(C)" => termination(f, v),
        "164.308(a)(4)(ii)(B)" => access_authorization(f, v),
        "164.308(a)(4)(ii)(C)" => access_modification(f, v),
        "164.308(a)(5)(ii)(C)" => login_monitoring(f, v),
        "164.308(a)(5)(ii)(D)" => password_management(f, v),
        "164.308(a)(6)(ii)" => response(f, v),
        "164.308(a)(7)(ii)(A)" | "164.310(d)(2)(iv)" => backups(f, v),
        "164.528" => disclosures(f, v),
        _ => v.finding(Status::NotMet, "no evidence rule for this control"),
    }
    selftest(citation, f, v);
}

fn days(secs: i64) -> i64 {
    secs / 86_400
}

fn age_days(f: &Facts, at: Timestamp) -> i64 {
    days((f.now.as_micros() - at.as_micros()) / 1_000_000)
}

fn active(f: &Facts) -> impl Iterator<Item = &Account> {
    f.accounts.iter().filter(|a| a.active)
}

/// Active workforce accounts: those the access review covers (patients are not workforce).
fn workforce(f: &Facts) -> impl Iterator<Item = &Account> {
    active(f).filter(|a| a.role.as_str() != RoleName::PATIENT)
}

fn access_control(f: &Facts, v: &mut Verdict) {
    let roles: std::collections::BTreeSet<&str> = active(f).map(|a| a.role.as_str()).collect();
    v.note(format!(
        "{} active accounts in {} roles: {}",
        active(f).count(),
        roles.len(),
        roles.into_iter().collect::<Vec<_>>().join(", ")
    ));
    v.note(format!(
        "{} requests refused and audited in the period",
        f.refusals
    ));
    v.met("every route checks permission and membership; refusals are audited");
}

fn unique_ids(f: &Facts, v: &mut Verdict) {
    let mut names: Vec<&str> = f.accounts.iter().map(|a| a.username.as_str()).collect();
    names.sort_unstable();
    let total = names.len();
    names.dedup();
    v.note(format!(
        "{total} accounts, {} distinct usernames",
        names.len()
    ));
    if names.len() == total {
        v.met("every account has its own username; every audit event names its actor");
    } else {
        v.finding(Status::NotMet, "two accounts share a username");
    }
}

fn emergency_access(f: &Facts, v: &mut Verdict) {
    let days_allowed = f.policy.review.sign_off_days;
    let uses: Vec<&Reviewable> = f
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::BreakGlass)
        .collect();
    let (overdue, late) = overdue(f, &uses, days_allowed);
    v.note(format!(
        "{} break-glass uses; {} signed off ({late} later than {days_allowed} days)",
        uses.len(),
        uses.iter().filter(|u| u.signed_off.is_some()).count()
    ));
    if overdue > 0 {
        v.finding(
            Status::Attention,
            format!("{overdue} break-glass uses not signed off within {days_allowed} days"),
        );
    } else {
        v.met("break-glass is available, time-limited and every use is reviewed in time");
    }
}

/// How many of these are still not signed off `days_allowed` after being raised, and how many
/// were signed off, but later than that (evidence, not a finding: the review was done).
fn overdue(f: &Facts, items: &[&Reviewable], days_allowed: i64) -> (usize, usize) {
    let due = |r: &Reviewable| r.raised_at.plus_secs(days_allowed * 86_400);
    let open = items
        .iter()
        .filter(|r| r.signed_off.is_none() && f.now > due(r))
        .count();
    let late = items
        .iter()
        .filter(|r| r.signed_off.is_some_and(|(_, at)| at > due(r)))
        .count();
    (open, late)
}

fn automatic_logoff(f: &Facts, v: &mut Verdict) {
    let s = &f.policy.session;
    v.note(format!(
        "idle timeout {} min; session lifetime {} h",
        s.idle_timeout_secs / 60,
        s.absolute_lifetime_secs / 3600
    ));
    if s.idle_timeout_secs > MAX_IDLE_SECS {
        v.finding(
            Status::Attention,
            format!(
                "idle timeout is {} min, longer than {} min",
                s.idle_timeout_secs / 60,
                MAX_IDLE_SECS / 60
            ),
        );
    } else if s.absolute_lifetime_secs > MAX_LIFETIME_SECS {
        v.finding(
            Status::Attention,
            format!(
                "sessions last {} h, longer than {} h",
                s.absolute_lifetime_secs / 3600,
                MAX_LIFETIME_SECS / 3600
            ),
        );
    } else {
        v.met("idle sessions end by themselves and close their sockets");
    }
}

fn encryption_at_rest(f: &Facts, v: &mut Verdict) {
    v.note("AES-256-GCM per conversation and month; data keys wrapped by the root key");
    v.note(if f.vault_apart {
        "data keys kept in a key vault apart from the main database"
    } else {
        "data keys kept in the main database (PostgreSQL without key_store_url)"
    });
    let r = &f.policy.retention;
    let kept: Vec<String> = [
        ("direct", r.direct),
        ("group", r.group),
        ("channel", r.channel),
        ("care team", r.care_team),
        ("patient", r.patient),
        ("role", r.role),
    ]
    .iter()
    .filter_map(|(kind, secs)| secs.map(|s| format!("{kind} {} days", days(s))))
    .collect();
    v.note(if kept.is_empty() {
        "retention: messages kept until a policy says otherwise".to_owned()
    } else {
        format!("retention: {}", kept.join(", "))
    });
    match f.last_disposal {
        Some(at) => v.note(format!("retention last destroyed a month's key {at}")),
        None => v.note("retention has destroyed no key yet"),
    }
    let rotated = f.root_key_rotated_at.or(f.first_event_at);
    match f.root_key_rotated_at {
        Some(at) => v.note(format!("root key last rotated {at}")),
        None => v.note("root key not rotated since the deployment began"),
    }
    if !f.vault_apart {
        v.finding(
            Status::Attention,
            "data keys are in the main database: a copy of it holds them",
        );
    } else if let Some(at) = rotated.filter(|at| age_days(f, *at) > days(MAX_ROOT_KEY_AGE_SECS)) {
        v.finding(
            Status::Attention,
            format!("root key not rotated for {} days", age_days(f, at)),
        );
    } else {
        v.met("PHI is sealed at rest under keys kept outside the database");
    }
}

fn chain_findings(f: &Facts, v: &mut Verdict) {
    match &f.chain.verified {
        Ok(events) => v.note(format!("audit chain verified now: {events} events")),
        Err((seq, why)) => {
            v.note(format!("audit chain broken at event {seq}: {why}"));
            v.finding(
                Status::NotMet,
                format!("the audit log fails verification at event {seq}: {why}"),
            );
        }
    }
    match &f.chain.checkpoint {
        Some((seq, at, head, signature_ok)) => {
            v.note(format!(
                "latest signed checkpoint: event {seq} at {at}, head {head}"
            ));
            if !signature_ok {
                v.finding(
                    Status::NotMet,
                    format!("the checkpoint at event {seq} has a bad signature"),
                );
            } else if age_days(f, *at) > days(MAX_CHECKPOINT_AGE_SECS) {
                v.finding(
                    Status::Attention,
                    format!("the latest checkpoint is {} days old", age_days(f, *at)),
                );
            }
        }
        None => v.finding(Status::Attention, "no signed checkpoint yet"),
    }
}

fn audit_controls(f: &Facts, v: &mut Verdict) {
    chain_findings(f, v);
    v.met("every access is audited in a verified hash chain");
}

fn integrity(f: &Facts, v: &mut Verdict) {
    chain_findings(f, v);
    v.note("message bodies and attachments are authenticated by AES-GCM bound to their place");
    v.met("stored records and the audit log verify");
}

fn authentication(f: &Facts, v: &mut Verdict) {
    let roles = &f.policy.mfa_required_roles;
    let (used, new): (Vec<&Account>, Vec<&Account>) = active(f)
        .filter(|a| roles.contains(&a.role) && !a.second_factor)
        .partition(|a| a.factor_removed);
    let names = |accounts: &[&Account]| {
        let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
        shorten(&names)
    };
    v.note(format!(
        "second factor required for: {}",
        roles
            .iter()
            .map(RoleName::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    v.note(format!(
        "lockout after {} failed sign-ins per account in {} min",
        f.policy.login.max_failures_per_account,
        f.policy.login.window_secs / 60
    ));
    // An account whose factor was removed is one password away from enrolling a new one:
    // until it does, its second factor is not in place. One never enrolled enrols at its
    // first sign-in, before it can do anything else.
    if !used.is_empty() {
        v.finding(
            Status::NotMet,
            format!(
                "{} accounts that need a second factor have none: {}",
                used.len(),
                names(&used)
            ),
        );
    }
    if !new.is_empty() {
        v.finding(
            Status::Attention,
            format!(
                "{} new accounts must enrol a second factor at their first sign-in: {}",
                new.len(),
                names(&new)
            ),
        );
    }
    v.met("every account that needs a second factor has one");
}

fn transmission(f: &Facts, v: &mut Verdict) {
    for l in &f.listeners {
        let how = match l.transport {
            Transport::Tls => "TLS 1.2 and 1.3 only (rustls)",
            Transport::BehindProxy => "plain HTTP to a TLS proxy in front",
            Transport::Loopback => "plain on loopback only",
            Transport::Plain => "plain, off loopback",
        };
        v.note(format!("{} {}: {how}", l.name, l.address));
        match l.transport {
            Transport::Plain => v.finding(
                Status::NotMet,
                format!("{} at {} is not encrypted", l.name, l.address),
            ),
            Transport::BehindProxy => v.finding(
                Status::Attention,
                format!("{} relies on a proxy's TLS", l.name),
            ),
            Transport::Tls | Transport::Loopback => {}
        }
    }
    v.met("nothing crosses the network unencrypted");
}

fn activity_review(f: &Facts, v: &mut Verdict) {
    let m = &f.policy.monitoring;
    let rules = [
        ("many patients", m.distinct_patients > 0),
        ("bulk downloads", m.downloads > 0),
        ("failed sign-ins", m.failed_logins > 0),
        ("new address", m.new_address),
        ("unusual hours", m.unusual_hours),
    ];
    let on: Vec<&str> = rules.iter().filter(|r| r.1).map(|r| r.0).collect();
    v.note(format!("monitoring rules enabled: {}", on.join(", ")));
    if on.len() < rules.len() {
        v.finding(
            Status::Attention,
            format!("{} monitoring rules are off", rules.len() - on.len()),
        );
    }
    sign_offs(f, v, |k| k != AlertKind::BreakGlass, "alerts");
    v.met("activity is monitored and its alerts are reviewed");
}

/// Notes and judges the sign-off of the alerts `which` selects.
fn sign_offs(f: &Facts, v: &mut Verdict, which: impl Fn(AlertKind) -> bool, what: &str) {
    let days_allowed = f.policy.review.sign_off_days;
    let items: Vec<&Reviewable> = f.alerts.iter().filter(|a| which(a.kind)).collect();
    let open = items.iter().filter(|a| a.signed_off.is_none()).count();
    let oldest = items
        .iter()
        .filter(|a| a.signed_off.is_none())
        .map(|a| age_days(f, a.raised_at))
        .max();
    let (overdue, late) = overdue(f, &items, days_allowed);
    let mut line = format!("{} {what}, {open} not signed off", items.len());
    if let Some(age) = oldest {
        let _ = write!(line, " (oldest {age} days)");
    }
    if late > 0 {
        let _ = write!(line, "; {late} signed off later than {days_allowed} days");
    }
    v.note(line);
    if overdue > 0 {
        v.finding(
            Status::Attention,
            format!("{overdue} {what} not signed off within {days_allowed} days"),
        );
    }
}

fn termination(f: &Facts, v: &mut Verdict) {
    let disabled: Vec<&Account> = f.accounts.iter().filter(|a| !a.active).collect();
    v.note(format!("{} disabled accounts", disabled.len()));
    for a in &disabled {
        let when = a
            .disabled_at
            .map_or_else(|| "unknown".to_owned(), |t| t.to_string());
        let end = a
            .last_session_end
            .map_or_else(|| "none".to_owned(), |t| t.to_string());
        v.note(format!(
            "{}: disabled {when}; last session ended {end}",
            a.username
        ));
        if a.open_sessions > 0 {
            v.finding(
                Status::NotMet,
                format!(
                    "disabled account {} still has {} open sessions",
                    a.username, a.open_sessions
                ),
            );
        }
    }
    v.met("disabling an account ends its sessions at once");
}

fn access_authorization(f: &Facts, v: &mut Verdict) {
    let days_allowed = f.policy.review.access_review_days;
    let since = f.now.minus_secs(days_allowed * 86_400);
    let unreviewed: Vec<&str> = workforce(f)
        .filter(|a| a.last_review.is_none_or(|(_, at)| at < since))
        .map(|a| a.username.as_str())
        .collect();
    v.note(format!(
        "{} of {} active workforce accounts reviewed in the last {days_allowed} days",
        workforce(f).count() - unreviewed.len(),
        workforce(f).count()
    ));
    if unreviewed.is_empty() {
        v.met("every active account's access was reviewed in time");
    } else {
        v.finding(
            Status::Attention,
            format!(
                "access review due for {} accounts: {}",
                unreviewed.len(),
                shorten(&unreviewed)
            ),
        );
    }
}

fn access_modification(f: &Facts, v: &mut Verdict) {
    let inactive_days = f.policy.review.inactive_days;
    let since = f.now.minus_secs(inactive_days * 86_400);
    let dormant: Vec<&str> = workforce(f)
        .filter(|a| a.last_sign_in.unwrap_or(a.created_at) < since)
        .map(|a| a.username.as_str())
        .collect();
    let to_remove: Vec<&str> = workforce(f)
        .filter(|a| a.last_review.is_some_and(|(keep, _)| !keep))
        .map(|a| a.username.as_str())
        .collect();
    v.note(format!(
        "{} privileged changes (needing a second person) in the period",
        f.privileged_changes
    ));
    v.note(format!(
        "{} active accounts not used for {inactive_days} days",
        dormant.len()
    ));
    if !to_remove.is_empty() {
        v.finding(
            Status::Attention,
            format!(
                "the access review marked {} active accounts for removal: {}",
                to_remove.len(),
                shorten(&to_remove)
            ),
        );
    }
    if !dormant.is_empty() {
        v.finding(
            Status::Attention,
            format!(
                "{} accounts not used for {inactive_days} days: {}",
                dormant.len(),
                shorten(&dormant)
            ),
        );
    }
    v.met("role changes are audited and privileged ones approved by a second person");
}

fn login_monitoring(f: &Facts, v: &mut Verdict) {
    v.note(format!(
        "{} failed sign-ins in the period",
        f.failed_sign_ins
    ));
    v.note(format!(
        "alert after {} failed sign-ins in {} min",
        f.policy.monitoring.failed_logins,
        f.policy.monitoring.window_secs / 60
    ));
    if f.policy.monitoring.failed_logins == 0 {
        v.finding(Status::Attention, "the failed sign-in rule is off");
    }
    sign_offs(
        f,
        v,
        |k| matches!(k, AlertKind::FailedLogins | AlertKind::NewAddress),
        "sign-in alerts",
    );
    v.met("failed sign-ins are throttled, audited and alerted");
}

fn password_management(f: &Facts, v: &mut Verdict) {
    v.note("passwords hashed with Argon2id; never stored or logged in clear");
    v.note(format!(
        "lockout after {} failures per account, {} per address, in {} min",
        f.policy.login.max_failures_per_account,
        f.policy.login.max_failures_per_address,
        f.policy.login.window_secs / 60
    ));
    v.met("passwords are hashed and guessing is throttled");
}

fn response(f: &Facts, v: &mut Verdict) {
    sign_offs(f, v, |_| true, "alerts");
    v.met("incidents reach compliance officers live and are signed off");
}

fn backups(f: &Facts, v: &mut Verdict) {
    let Some(backups) = &f.backups else {
        v.note("PostgreSQL: backed up with pg_dump or point-in-time recovery, outside Ward");
        v.finding(
            Status::Attention,
            "Ward cannot see PostgreSQL backups: attach the database's backup records",
        );
        return;
    };
    let Some(latest) = backups.iter().max_by_key(|b| b.at) else {
        v.note("no backup recorded");
        v.finding(Status::Attention, "no backup recorded by `ward backup`");
        return;
    };
    v.note(format!(
        "{} backups recorded; latest {} (archive {})",
        backups.len(),
        latest.at,
        latest.archive
    ));
    match latest.verified_at {
        Some(at) => v.note(format!("latest backup verified {at}")),
        None => v.finding(
            Status::Attention,
            "the latest backup was not verified (`ward backup verify`)",
        ),
    }
    let age_hours = (f.now.as_micros() - latest.at.as_micros()) / 3_600_000_000;
    if age_hours * 3600 > MAX_BACKUP_AGE_SECS {
        v.finding(
            Status::Attention,
            format!("the latest backup is {age_hours} hours old"),
        );
    }
    v.met("a recent backup exists and was verified");
}

fn disclosures(f: &Facts, v: &mut Verdict) {
    v.note(format!(
        "{} disclosures recorded in the period",
        f.disclosures
    ));
    v.met("each patient's accounting of disclosures is available on request");
}

/// The self-tests that evidence a control.
fn selftest(citation: &str, f: &Facts, v: &mut Verdict) {
    let relevant = |name: &str| match name {
        WRONG_PASSWORD_REFUSED => citation == "164.312(d)" || citation == "164.308(a)(5)(ii)(C)",
        SEALED_VALUE_NOT_IN_CLEAR => citation == "164.312(a)(2)(iv)",
        TLS_1_1_REFUSED => citation.starts_with("164.312(e)"),
        AUDIT_CHAIN_VERIFIES => citation == "164.312(b)" || citation == "164.312(c)(1)",
        _ => false,
    };
    for check in f.selftest.iter().filter(|c| relevant(c.name)) {
        v.note(format!(
            "self-test {}: {} ({})",
            check.name,
            check.outcome.as_str(),
            check.detail
        ));
        if check.outcome == CheckOutcome::Failed {
            v.finding(
                Status::NotMet,
                format!("self-test {} failed: {}", check.name, check.detail),
            );
        }
    }
}

/// A list of names, cut after five.
fn shorten(names: &[&str]) -> String {
    let mut text = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 5 {
        let _ = write!(text, " and {} more", names.len() - 5);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, role: &str) -> Account {
        Account {
            id: UserId::new(),
            username: name.to_owned(),
            role: RoleName::parse(role).unwrap(),
            active: true,
            created_at: Timestamp::from_micros(0),
            second_factor: true,
            factor_removed: false,
            last_sign_in: Some(now().minus_secs(3600)),
            disabled_at: None,
            open_sessions: 1,
            last_session_end: None,
            last_review: Some((true, now().minus_secs(86_400))),
        }
    }

    fn now() -> Timestamp {
        Timestamp::from_micros(1_800_000_000_000_000)
    }

    fn healthy() -> Facts {
        Facts {
            now: now(),
            from: now().minus_secs(30 * 86_400),
            to: now(),
            policy: Policy::default(),
            accounts: vec![account("admin", "admin"), account("dr.lee", "physician")],
            listeners: vec![Listener {
                name: "api".into(),
                address: "0.0.0.0:443".into(),
                transport: Transport::Tls,
            }],
            chain: Chain {
                verified: Ok(10),
                checkpoint: Some((10, now().minus_secs(60), "ab".into(), true)),
            },
            backups: Some(vec![Backup {
                at: now().minus_secs(3600),
                archive: "cd".into(),
                verified_at: Some(now()),
            }]),
            vault_apart: true,
            root_key_rotated_at: None,
            first_event_at: Some(now().minus_secs(86_400)),
            last_disposal: None,
            alerts: Vec::new(),
            refusals: 0,
            failed_sign_ins: 0,
            disclosures: 0,
            privileged_changes: 0,
            selftest: Vec::new(),
        }
    }

    fn status_of(facts: &Facts, citation: &str) -> (Status, String) {
        let a = assess(facts);
        let a = a.iter().find(|a| a.control.citation == citation).unwrap();
        (a.status, a.reason.clone())
    }

    #[test]
    fn a_healthy_deployment_meets_every_control() {
        let all = assess(&healthy());
        assert_eq!(all.len(), CONTROLS.len());
        for a in &all {
            assert_eq!(
                a.status,
                Status::Met,
                "{}: {}",
                a.control.citation,
                a.reason
            );
            assert!(!a.evidence.is_empty(), "{}", a.control.citation);
        }
    }

    #[test]
    fn lax_settings_and_missing_factors_are_named() {
        let mut f = healthy();
        f.policy.session.idle_timeout_secs = 7200;
        f.accounts[0].second_factor = false;
        assert_eq!(status_of(&f, "164.312(d)").0, Status::Attention);
        f.accounts[0].factor_removed = true;
        assert_eq!(
            status_of(&f, "164.312(a)(2)(iii)"),
            (
                Status::Attention,
                "idle timeout is 120 min, longer than 30 min".into()
            )
        );
        let (status, reason) = status_of(&f, "164.312(d)");
        assert_eq!(status, Status::NotMet);
        assert!(reason.contains("admin"), "{reason}");
    }

    #[test]
    fn a_broken_chain_fails_integrity_and_audit_naming_the_event() {
        let mut f = healthy();
        f.chain.verified = Err((7, "hash mismatch".into()));
        for citation in ["164.312(b)", "164.312(c)(1)"] {
            let (status, reason) = status_of(&f, citation);
            assert_eq!(status, Status::NotMet);
            assert!(reason.contains("event 7"), "{reason}");
        }
    }

    #[test]
    fn reviews_are_due_after_the_policy_days() {
        let mut f = healthy();
        let old = now().minus_secs(8 * 86_400);
        f.alerts.push(Reviewable {
            kind: AlertKind::BreakGlass,
            raised_at: old,
            signed_off: None,
        });
        assert_eq!(status_of(&f, "164.312(a)(2)(ii)").0, Status::Attention);
        f.alerts[0].signed_off = Some((UserId::new(), old.plus_secs(86_400)));
        assert_eq!(status_of(&f, "164.312(a)(2)(ii)").0, Status::Met);
        // Signed off late: the review was done; the evidence says it was late.
        f.alerts[0].signed_off = Some((UserId::new(), now()));
        let all = assess(&f);
        let bg = all
            .iter()
            .find(|a| a.control.citation == "164.312(a)(2)(ii)")
            .unwrap();
        assert_eq!(bg.status, Status::Met);
        assert!(
            bg.evidence[0].contains("1 later than 7 days"),
            "{:?}",
            bg.evidence
        );
        f.accounts[1].last_review = None;
        let (status, reason) = status_of(&f, "164.308(a)(4)(ii)(B)");
        assert_eq!(status, Status::Attention);
        assert!(reason.contains("dr.lee"), "{reason}");
    }

    #[test]
    fn disabled_accounts_with_sessions_and_plain_links_are_not_met() {
        let mut f = healthy();
        f.accounts[1].active = false;
        assert_eq!(status_of(&f, "164.308(a)(3)(ii)(C)").0, Status::NotMet);
        f.accounts[1].open_sessions = 0;
        assert_eq!(status_of(&f, "164.308(a)(3)(ii)(C)").0, Status::Met);
        f.listeners[0].transport = Transport::Plain;
        assert_eq!(status_of(&f, "164.312(e)(1)").0, Status::NotMet);
    }
}
