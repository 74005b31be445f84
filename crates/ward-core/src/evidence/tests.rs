//! The rules against made-up facts.

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
