//! The rule of each control: what evidence it notes and when it needs attention or is not met.

use std::fmt::Write as _;

use super::*;

pub(super) fn days(secs: i64) -> i64 {
    secs / 86_400
}

pub(super) fn age_days(f: &Facts, at: Timestamp) -> i64 {
    days((f.now.as_micros() - at.as_micros()) / 1_000_000)
}

pub(super) fn active(f: &Facts) -> impl Iterator<Item = &Account> {
    f.accounts.iter().filter(|a| a.active)
}

/// Active workforce accounts: those the access review covers (patients are not workforce).
pub(super) fn workforce(f: &Facts) -> impl Iterator<Item = &Account> {
    active(f).filter(|a| a.role.as_str() != RoleName::PATIENT)
}

pub(super) fn access_control(f: &Facts, v: &mut Verdict) {
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

pub(super) fn unique_ids(f: &Facts, v: &mut Verdict) {
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

pub(super) fn emergency_access(f: &Facts, v: &mut Verdict) {
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
pub(super) fn overdue(f: &Facts, items: &[&Reviewable], days_allowed: i64) -> (usize, usize) {
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

pub(super) fn automatic_logoff(f: &Facts, v: &mut Verdict) {
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

pub(super) fn encryption_at_rest(f: &Facts, v: &mut Verdict) {
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

pub(super) fn chain_findings(f: &Facts, v: &mut Verdict) {
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

pub(super) fn audit_controls(f: &Facts, v: &mut Verdict) {
    chain_findings(f, v);
    v.met("every access is audited in a verified hash chain");
}

pub(super) fn integrity(f: &Facts, v: &mut Verdict) {
    chain_findings(f, v);
    v.note("message bodies and attachments are authenticated by AES-GCM bound to their place");
    v.met("stored records and the audit log verify");
}

pub(super) fn authentication(f: &Facts, v: &mut Verdict) {
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

pub(super) fn transmission(f: &Facts, v: &mut Verdict) {
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

pub(super) fn activity_review(f: &Facts, v: &mut Verdict) {
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
pub(super) fn sign_offs(f: &Facts, v: &mut Verdict, which: impl Fn(AlertKind) -> bool, what: &str) {
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

pub(super) fn termination(f: &Facts, v: &mut Verdict) {
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

pub(super) fn access_authorization(f: &Facts, v: &mut Verdict) {
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

pub(super) fn access_modification(f: &Facts, v: &mut Verdict) {
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

pub(super) fn login_monitoring(f: &Facts, v: &mut Verdict) {
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

pub(super) fn password_management(f: &Facts, v: &mut Verdict) {
    v.note("passwords hashed with Argon2id; never stored or logged in clear");
    v.note(format!(
        "lockout after {} failures per account, {} per address, in {} min",
        f.policy.login.max_failures_per_account,
        f.policy.login.max_failures_per_address,
        f.policy.login.window_secs / 60
    ));
    v.met("passwords are hashed and guessing is throttled");
}

pub(super) fn response(f: &Facts, v: &mut Verdict) {
    sign_offs(f, v, |_| true, "alerts");
    v.met("incidents reach compliance officers live and are signed off");
}

pub(super) fn backups(f: &Facts, v: &mut Verdict) {
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

pub(super) fn disclosures(f: &Facts, v: &mut Verdict) {
    v.note(format!(
        "{} disclosures recorded in the period",
        f.disclosures
    ));
    v.met("each patient's accounting of disclosures is available on request");
}

/// The self-tests that evidence a control.
pub(super) fn selftest(citation: &str, f: &Facts, v: &mut Verdict) {
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
pub(super) fn shorten(names: &[&str]) -> String {
    let mut text = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 5 {
        let _ = write!(text, " and {} more", names.len() - 5);
    }
    text
}
