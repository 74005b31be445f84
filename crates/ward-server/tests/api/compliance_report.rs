//! The HIPAA compliance report over the real API: every control of the catalogue judged from
//! live state, lax settings and missing factors named, break-glass uses and the access review
//! signed off by a compliance officer (audited), and the printable page self-contained.

use ward_client::Client;
use ward_core::controls::CONTROLS;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::evidence::{
    AccessDecisionKind, ComplianceReportQuery, ComplianceReportView, ControlStatus,
};
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::oversight::BreakGlassRequest;

use crate::audit::compliance_officer;
use crate::messaging::id_of;
use crate::{TestServer, api_test, assert_problem};

async fn report(officer: &Client) -> ComplianceReportView {
    officer
        .compliance_report(&ComplianceReportQuery::default())
        .await
        .expect("report")
}

/// A control's status and reason.
fn control(report: &ComplianceReportView, citation: &str) -> (ControlStatus, String) {
    let c = report
        .controls
        .iter()
        .find(|c| c.citation == citation)
        .unwrap_or_else(|| panic!("{citation} missing"));
    (c.status, c.reason.clone())
}

api_test!(
    the_report_judges_every_control_from_live_state,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let officer = compliance_officer(&server, &admin).await;
        let physician = server.user(&admin, "dr.lee", "physician").await;

        let first = report(&officer).await;
        let listed: Vec<&str> = first.controls.iter().map(|c| c.citation.as_str()).collect();
        let catalogue: Vec<&str> = CONTROLS.iter().map(|c| c.citation).collect();
        assert_eq!(listed, catalogue);
        for c in &first.controls {
            assert_ne!(
                c.status,
                ControlStatus::NotMet,
                "{}: {}",
                c.citation,
                c.reason
            );
            assert!(
                !c.reason.is_empty() && !c.evidence.is_empty(),
                "{}",
                c.citation
            );
            assert!(
                !c.tests.is_empty() && !c.features.is_empty(),
                "{}",
                c.citation
            );
        }
        assert_eq!(control(&first, "164.312(a)(2)(iii)").0, ControlStatus::Met);
        assert_eq!(control(&first, "164.312(d)").0, ControlStatus::Met);
        let head = first.audit_head.as_ref().expect("audit head");
        assert!(head.seq > 0 && head.hash.len() == 64, "{head:?}");

        // Only compliance officers; a bad period is refused.
        assert_problem(
            physician
                .compliance_report(&ComplianceReportQuery::default())
                .await,
            ProblemType::Forbidden,
        );
        let backwards = ComplianceReportQuery {
            from: Some("2026-02-01T00:00:00Z".into()),
            to: Some("2026-01-01T00:00:00Z".into()),
            format: None,
        };
        assert_problem(
            officer.compliance_report(&backwards).await,
            ProblemType::Validation,
        );

        // A two-hour idle timeout needs attention.
        let mut policy = admin.get_policy().await.expect("policy");
        policy.session.idle_timeout_secs = 7200;
        admin.put_policy(&policy).await.expect("set policy");
        let (status, reason) = control(&report(&officer).await, "164.312(a)(2)(iii)");
        assert_eq!(status, ControlStatus::Attention);
        assert!(reason.contains("120 min"), "{reason}");

        // An admin without a second factor: person authentication is not met, naming them.
        let root = id_of(&admin).await;
        admin
            .reset_totp(root)
            .await
            .expect("reset the admin's factor");
        let (status, reason) = control(&report(&officer).await, "164.312(d)");
        assert_eq!(status, ControlStatus::NotMet);
        assert!(reason.contains("root"), "{reason}");

        // Every report is audited, by the officer.
        let events = officer
            .search_audit(&AuditQuery {
                action: Some("compliance.report".into()),
                ..Default::default()
            })
            .await
            .expect("audit");
        assert_eq!(events.events.len(), 3, "{events:?}");
        server
    }
);

api_test!(
    break_glass_and_access_reviews_are_signed_off_and_audited,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        // Sessions that outlive the day the sign-off is due in (a session keeps the lifetime
        // of the policy it was made under, so this comes first).
        let mut policy = admin.get_policy().await.expect("policy");
        policy.session.idle_timeout_secs = 86_400;
        policy.session.absolute_lifetime_secs = 30 * 86_400;
        policy.review.sign_off_days = 1;
        admin.put_policy(&policy).await.expect("set policy");
        let officer = compliance_officer(&server, &admin).await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let er = server.user(&admin, "dr.er", "physician").await;
        let er_id = id_of(&er).await;
        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-7781".into(),
                family_name: "Okafor".into(),
                given_name: "Ada".into(),
                birth_date: time::macros::date!(1961 - 03 - 04),
                user_id: None,
                care_team: vec![id_of(&nurse).await],
            })
            .await
            .expect("patient");
        er.break_glass(
            patient.id,
            &BreakGlassRequest {
                reason: "Unresponsive in ED, need allergy history".into(),
                minutes: None,
            },
        )
        .await
        .expect("break glass");

        let fresh = report(&officer).await;
        assert_eq!(control(&fresh, "164.312(a)(2)(ii)").0, ControlStatus::Met);
        assert_eq!(fresh.break_glass.len(), 1);
        let alert = fresh.break_glass[0].alert_id;
        assert_eq!(fresh.break_glass[0].subject.as_deref(), Some("dr.er"));

        // Not signed off within the policy's day: attention.
        server.advance(13 * 3600);
        for client in [&officer, &er] {
            client.me().await.expect("keep the session alive");
        }
        server.advance(13 * 3600);
        let (status, reason) = control(&report(&officer).await, "164.312(a)(2)(ii)");
        assert_eq!(status, ControlStatus::Attention);
        assert!(
            reason.contains("1 break-glass uses not signed off within 1 days"),
            "{reason}"
        );

        // Bad sign-offs change nothing.
        assert_problem(
            officer.sign_off_alert(alert, "   ").await,
            ProblemType::Validation,
        );
        assert_problem(
            er.sign_off_alert(alert, "looks fine").await,
            ProblemType::Forbidden,
        );
        assert_problem(
            officer.sign_off_alert(uuid::Uuid::now_v7(), "x").await,
            ProblemType::NotFound,
        );
        let note = "Reviewed with the ED lead: clinically justified";
        let signed = officer.sign_off_alert(alert, note).await.expect("sign off");
        assert!(signed.acknowledged_at.is_some());
        assert_problem(
            officer.sign_off_alert(alert, note).await,
            ProblemType::Conflict,
        );
        // Signed off (late, which the evidence says): met; the note is in the report.
        let after = report(&officer).await;
        assert_eq!(control(&after, "164.312(a)(2)(ii)").0, ControlStatus::Met);
        assert_eq!(after.break_glass[0].note.as_deref(), Some(note));
        assert_eq!(
            after.break_glass[0].signed_off_by.as_deref(),
            Some("compliance")
        );

        // The access review: every account listed; a decision to remove one is named.
        let review = officer.access_review().await.expect("review");
        let nurse_row = review
            .accounts
            .iter()
            .find(|a| a.username == "nurse.reyes")
            .expect("nurse listed");
        assert_eq!(nurse_row.patient_conversations, 1, "the care-team thread");
        assert!(review.accounts.iter().any(|a| a.username == "dr.er"));
        assert_problem(
            er.decide_access(er_id, AccessDecisionKind::Keep).await,
            ProblemType::Forbidden,
        );
        assert_problem(
            officer
                .decide_access(uuid::Uuid::now_v7(), AccessDecisionKind::Keep)
                .await,
            ProblemType::NotFound,
        );
        officer
            .decide_access(er_id, AccessDecisionKind::Remove)
            .await
            .expect("decide");
        let (status, reason) = control(&report(&officer).await, "164.308(a)(4)(ii)(C)");
        assert_eq!(status, ControlStatus::Attention);
        assert!(reason.contains("dr.er"), "{reason}");
        let (status, reason) = control(&report(&officer).await, "164.308(a)(4)(ii)(B)");
        assert_eq!(status, ControlStatus::Attention);
        assert!(reason.contains("nurse.reyes"), "{reason}");
        for account in &review.accounts {
            let keep = if account.username == "dr.er" {
                AccessDecisionKind::Remove
            } else {
                AccessDecisionKind::Keep
            };
            officer
                .decide_access(account.user_id, keep)
                .await
                .expect("decide");
        }
        assert_eq!(
            control(&report(&officer).await, "164.308(a)(4)(ii)(B)").0,
            ControlStatus::Met
        );

        // Each sign-off and decision is in the audit log.
        let audited = |action: &'static str| {
            let officer = officer.clone();
            async move {
                officer
                    .search_audit(&AuditQuery {
                        action: Some(action.into()),
                        ..Default::default()
                    })
                    .await
                    .expect("audit")
                    .events
            }
        };
        let acks = audited("alert.ack").await;
        assert_eq!(acks.len(), 1, "{acks:?}");
        assert_eq!(
            acks[0].detail.as_ref().and_then(|d| d.get("note")),
            Some(&serde_json::Value::Bool(true))
        );
        assert_eq!(
            audited("access_review.decide").await.len(),
            1 + review.accounts.len()
        );
        server
    }
);

api_test!(
    the_printable_report_is_one_self_contained_page,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let officer = compliance_officer(&server, &admin).await;
        let html = officer
            .compliance_report_html(&ComplianceReportQuery::default())
            .await
            .expect("html");
        assert!(html.starts_with("<!doctype html>"), "{html}");
        for c in CONTROLS {
            assert!(html.contains(c.citation), "{} missing", c.citation);
        }
        for outside in ["<script", "src=", "href=", "url(", "@import"] {
            assert!(!html.contains(outside), "{outside} in the page");
        }
        server
    }
);
