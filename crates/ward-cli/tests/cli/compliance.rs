//! `ward compliance report` and `ward compliance selftest` from a data directory: every control
//! judged, backups and their verification found in the audit log, the self-test's checks run
//! and reported, a tampered event named, TLS 1.1 refused by a real TLS listener, and bad
//! arguments refused with exit 2 and nothing created.

use std::path::Path;
use std::process::Output;

use ward_core::controls::CONTROLS;
use ward_proto::evidence::{CheckOutcome, ComplianceReportView, ControlStatus};
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::users::CreateUserRequest;

use crate::audit_tamper::flip_byte_in;
use crate::{PASSWORD, Running, create_user, enrolled_admin, ward};

/// The MRN of the patient the self-test looks for in the database files.
const MRN: &str = "MRN-SELFTEST-4471";

fn compliance(args: &[&str], data_dir: &Path) -> Output {
    ward()
        .arg("compliance")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run ward compliance")
}

fn report(data_dir: &Path) -> ComplianceReportView {
    let out = compliance(&["report", "--format", "json"], data_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

fn status(report: &ComplianceReportView, citation: &str) -> (ControlStatus, String) {
    let c = report
        .controls
        .iter()
        .find(|c| c.citation == citation)
        .expect("control");
    (c.status, c.reason.clone())
}

/// A deployment with an enrolled admin, a nurse and one patient, stopped.
async fn deployment(dir: &Path) {
    assert!(create_user(dir, "chief", "admin").status.success());
    let ward = Running::start(&["serve"], dir);
    let (admin, _) = enrolled_admin(&ward.client(), "chief").await;
    let request = CreateUserRequest {
        username: "nurse.kim".into(),
        display_name: "Nurse Kim".into(),
        role: "nurse".into(),
        password: PASSWORD.into(),
    };
    let nurse_id = admin.create_user(&request).await.expect("nurse").id;
    let nurse = ward
        .client()
        .sign_in("nurse.kim", PASSWORD, "ward pc")
        .await
        .expect("nurse signs in");
    nurse
        .create_patient(&CreatePatientRequest {
            mrn: MRN.into(),
            family_name: "Haldane".into(),
            given_name: "Ruth".into(),
            birth_date: time::macros::date!(1948 - 07 - 19),
            user_id: None,
            care_team: vec![nurse_id],
        })
        .await
        .expect("patient");
    admin.logout().await.expect("logout");
    assert!(ward.stop());
}

#[tokio::test]
async fn the_report_and_selftest_read_the_data_directory() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    deployment(&data).await;

    // No backup yet: attention. A backup and its verification are found in the audit log.
    let before = report(&data);
    let listed: Vec<&str> = before
        .controls
        .iter()
        .map(|c| c.citation.as_str())
        .collect();
    assert_eq!(
        listed,
        CONTROLS.iter().map(|c| c.citation).collect::<Vec<_>>()
    );
    let (backup, reason) = status(&before, "164.308(a)(7)(ii)(A)");
    assert_eq!(backup, ControlStatus::Attention);
    assert!(reason.contains("no backup"), "{reason}");
    let archive = dir.path().join("monday.ward-backup");
    let made = ward()
        .args(["backup", "--data-dir"])
        .arg(&data)
        .arg("--out")
        .arg(&archive)
        .output()
        .expect("backup");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (backup, reason) = status(&report(&data), "164.310(d)(2)(iv)");
    assert_eq!(backup, ControlStatus::Attention);
    assert!(reason.contains("not verified"), "{reason}");
    let checked = ward()
        .args(["backup", "verify"])
        .arg(&archive)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("verify");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );

    // The self-test: a wrong password refused and audited, the patient's MRN not in clear,
    // the chain verified; no TLS here (loopback), so that check is skipped, with the reason.
    let selftest = compliance(&["selftest"], &data);
    let printed = String::from_utf8_lossy(&selftest.stdout).into_owned();
    assert!(selftest.status.success(), "{printed}");
    for passed in [
        "wrong_password_refused",
        "sealed_value_not_in_clear",
        "audit_chain_verifies",
    ] {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with(passed) && l.contains(" passed ")),
            "{passed}: {printed}"
        );
    }
    assert!(
        printed.contains("tls_1_1_refused            skipped"),
        "{printed}"
    );

    // Fresh: nothing is not met; the backup is met; the self-test is in the report.
    let fresh = report(&data);
    for c in &fresh.controls {
        assert_ne!(
            c.status,
            ControlStatus::NotMet,
            "{}: {}",
            c.citation,
            c.reason
        );
    }
    assert_eq!(status(&fresh, "164.308(a)(7)(ii)(A)").0, ControlStatus::Met);
    assert_eq!(fresh.selftest.len(), 4, "{:?}", fresh.selftest);
    assert!(
        fresh
            .selftest
            .iter()
            .all(|c| c.outcome != CheckOutcome::Failed)
    );
    let html = compliance(&["report", "--format", "html"], &data);
    let page = String::from_utf8_lossy(&html.stdout);
    assert!(html.status.success() && page.starts_with("<!doctype html>"));
    assert!(page.contains("164.312(e)(2)(ii)") && page.contains("Self-test"));

    // One altered audit event: integrity and audit controls are not met, naming it.
    flip_byte_in(&data.join("ward.db"), b"auth.logout", 6);
    let tampered = report(&data);
    for citation in ["164.312(b)", "164.312(c)(1)"] {
        let (state, reason) = status(&tampered, citation);
        assert_eq!(state, ControlStatus::NotMet, "{citation}");
        assert!(reason.contains("fails verification at event "), "{reason}");
    }
    let failed = compliance(&["selftest"], &data);
    assert_eq!(failed.status.code(), Some(1));
}

#[test]
fn bad_arguments_are_refused_with_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    for args in [
        vec!["report", "--format", "xml"],
        vec![
            "report",
            "--from",
            "2026-02-01T00:00:00Z",
            "--to",
            "2026-01-01T00:00:00Z",
        ],
        vec!["report", "--from", "yesterday"],
        vec!["report"],
        vec!["selftest"],
    ] {
        let out = compliance(&args, &empty);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.is_empty() && out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            std::fs::read_dir(&empty).expect("ls").count(),
            0,
            "{args:?}"
        );
    }
}

#[tokio::test]
async fn a_tls_listener_refuses_tls_1_1() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    assert!(create_user(&data, "chief", "admin").status.success());
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let mut serve = ward();
    serve
        .env("WARD_TLS_CERT_FILE", &cert_path)
        .env("WARD_TLS_KEY_FILE", &key_path);
    let running = Running::start_command(serve, &["serve"], &data);
    let listen = running
        .url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_owned();
    let out = ward()
        .env("WARD_TLS_CERT_FILE", &cert_path)
        .env("WARD_TLS_KEY_FILE", &key_path)
        .env("WARD_LISTEN", &listen)
        .args(["compliance", "selftest", "--data-dir"])
        .arg(&data)
        .output()
        .expect("selftest");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = printed
        .lines()
        .find(|l| l.starts_with("tls_1_1_refused"))
        .unwrap_or_else(|| panic!("no TLS check: {printed}"));
    assert!(line.contains(" passed "), "{printed}");
    assert!(running.stop());
}

#[tokio::test]
async fn a_fresh_demo_organisation_meets_or_needs_attention_on_every_control() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    let demo = Running::start(&["demo"], &data);
    let nurse = demo
        .client()
        .sign_in("nurse.reyes", "ward-demo-password", "demo")
        .await
        .expect("demo nurse signs in");
    // The demo seeds its content once it listens, the direct conversation last: wait for it
    // (bounded), then for the seeding's sign-outs.
    let mut seeded = false;
    for _ in 0..100 {
        let listed = nurse.list_conversations().await.expect("list");
        if listed
            .conversations
            .iter()
            .any(|c| c.kind == ward_proto::messaging::ConversationKind::Direct)
        {
            seeded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(seeded, "the demo content did not appear");
    assert!(demo.stop());

    let fresh = report(&data);
    let listed: Vec<&str> = fresh.controls.iter().map(|c| c.citation.as_str()).collect();
    assert_eq!(
        listed,
        CONTROLS.iter().map(|c| c.citation).collect::<Vec<_>>()
    );
    for c in &fresh.controls {
        assert_ne!(
            c.status,
            ControlStatus::NotMet,
            "{}: {}",
            c.citation,
            c.reason
        );
        assert!(!c.reason.is_empty(), "{}", c.citation);
    }
    assert_eq!(fresh.organisation, "Ward");
    // The demo's admin and compliance officer enrol at their first sign-in.
    let (status_d, reason) = status(&fresh, "164.312(d)");
    assert_eq!(status_d, ControlStatus::Attention);
    assert!(
        reason.contains("admin") && reason.contains("compliance"),
        "{reason}"
    );
}
