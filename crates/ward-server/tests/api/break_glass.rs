//! Break-glass: a clinician off the care team opens a patient's thread for a stated reason;
//! the audit records it, compliance officers get an alert live, the accounting of disclosures
//! lists it with its reason, and the access ends by itself.

use std::time::Duration;

use ward_client::realtime::Realtime;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::CreatePatientRequest;
use ward_proto::oversight::{AlertKind, BreakGlassRequest};
use ward_proto::realtime::ServerFrame;

use crate::audit::compliance_officer;
use crate::messaging::{id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn request(reason: &str, minutes: Option<i64>) -> BreakGlassRequest {
    BreakGlassRequest {
        reason: reason.into(),
        minutes,
    }
}

api_test!(
    break_glass_is_audited_alerted_disclosed_and_ends_by_itself,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let er_doctor = server.user(&admin, "dr.er", "physician").await;
        let pharmacist = server.user(&admin, "rph.lee", "pharmacist").await;
        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-2001".into(),
                family_name: "Jones".into(),
                given_name: "Sam".into(),
                birth_date: time::macros::date!(1950 - 01 - 02),
                user_id: None,
                care_team: vec![id_of(&nurse).await],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("care-team thread");
        nurse
            .send_message(thread, &text("Allergic to penicillin, anaphylaxis 2019"))
            .await
            .expect("send");
        assert_problem(
            er_doctor.list_messages(thread, 0, 10).await,
            ProblemType::NotFound,
        );

        let compliance = compliance_officer(&server, &admin).await;
        let mut officer_rt =
            Realtime::connect(&server.url, compliance.token().expect("token"), None)
                .await
                .expect("ws");

        // Bad input and missing permission change nothing.
        let reason = "Patient arrived in ED unresponsive, need allergy history";
        assert_problem(
            er_doctor
                .break_glass(patient.id, &request("urgent", None))
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            er_doctor
                .break_glass(patient.id, &request(reason, Some(0)))
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            pharmacist
                .break_glass(patient.id, &request(reason, None))
                .await,
            ProblemType::Forbidden,
        );
        assert_problem(
            er_doctor
                .break_glass(uuid::Uuid::new_v4(), &request(reason, None))
                .await,
            ProblemType::NotFound,
        );
        assert_problem(
            nurse.break_glass(patient.id, &request(reason, None)).await,
            ProblemType::Conflict,
        );

        let access = er_doctor
            .break_glass(patient.id, &request(reason, Some(1)))
            .await
            .expect("break glass");
        assert_eq!(access.conversation_id, thread);
        let seen = er_doctor
            .list_messages(thread, 0, 10)
            .await
            .expect("the thread opens")
            .messages;
        assert_eq!(seen[0].body, "Allergic to penicillin, anaphylaxis 2019");
        assert_problem(
            er_doctor
                .break_glass(patient.id, &request(reason, None))
                .await,
            ProblemType::Conflict,
        );

        // The compliance officer is alerted live, and the alert lists and acknowledges.
        let er_id = id_of(&er_doctor).await;
        let mut alerted = None;
        for _ in 0..50 {
            match tokio::time::timeout(Duration::from_secs(5), officer_rt.next()).await {
                Ok(Some(Ok(ServerFrame::AlertRaised { alert }))) => {
                    alerted = Some(alert);
                    break;
                }
                Ok(Some(Ok(_))) => continue,
                _ => break,
            }
        }
        let alert = alerted.expect("an alert frame");
        assert_eq!(alert.kind, AlertKind::BreakGlass);
        assert_eq!(alert.subject_id, Some(er_id));
        assert_eq!(alert.patient_id, Some(patient.id));
        assert_problem(er_doctor.list_alerts(false).await, ProblemType::Forbidden);
        let open = compliance.list_alerts(true).await.expect("alerts").alerts;
        assert_eq!(open.iter().map(|a| a.id).collect::<Vec<_>>(), [alert.id]);
        let audited = compliance
            .search_audit(&AuditQuery {
                action: Some("break_glass.open".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(audited.len(), 1);
        assert_eq!(
            audited[0].seq, alert.audit_seq,
            "the alert links its audit event"
        );
        assert_eq!(audited[0].actor_id, Some(er_id));
        compliance.acknowledge_alert(alert.id).await.expect("ack");
        assert_problem(
            compliance.acknowledge_alert(alert.id).await,
            ProblemType::Conflict,
        );
        assert!(
            compliance
                .list_alerts(true)
                .await
                .expect("alerts")
                .alerts
                .is_empty()
        );

        // The accounting of disclosures lists the access with its reason, and the read.
        let disclosures = compliance
            .disclosures(patient.id)
            .await
            .expect("disclosures")
            .disclosures;
        let opened = disclosures
            .iter()
            .find(|d| d.action == "break_glass.open")
            .expect("break-glass listed");
        assert_eq!(opened.purpose.as_deref(), Some(reason));
        assert!(
            disclosures
                .iter()
                .any(|d| d.action == "message.read" && d.actor_id == Some(er_id)),
            "the break-glass read is listed"
        );
        assert_problem(
            compliance.disclosures(uuid::Uuid::new_v4()).await,
            ProblemType::NotFound,
        );

        // The access ends by itself after its minute: the clock moves past it and the pass
        // that ends due accesses runs.
        server.advance(61);
        server
            .services
            .compliance()
            .end_due_break_glass(server.now())
            .await
            .expect("break-glass ends");
        let ended = er_doctor.list_messages(thread, 0, 10).await.is_err();
        assert!(ended, "the thread closes again");
        let events = er_doctor.sync(None, 1000).await.expect("sync").events;
        assert!(events.iter().any(|f| matches!(
            f, ServerFrame::MemberRemoved { conversation_id, .. } if *conversation_id == thread
        )));
        let ended_events = compliance
            .search_audit(&AuditQuery {
                action: Some("break_glass.end".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(ended_events.len(), 1);
        officer_rt.close().await;
        server
    }
);
