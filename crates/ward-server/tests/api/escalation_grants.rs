//! Escalation never changes who is in a conversation: the recipients of an urgent or stat
//! message are fixed when it is sent, and whom an escalation step brings in (the on-call holder,
//! then the supervisor) gets a grant to that one message, with a little context, to read,
//! acknowledge and answer. Later messages do not reach them or count them as recipients, and
//! the hand-over sweep leaves them alone. Every grant and its end is audited and appears in the
//! patient's accounting of disclosures.

use time::OffsetDateTime;
use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::{CreatePatientRequest, EscalationStep, Priority, SendMessageRequest};

use crate::audit::compliance_officer;
use crate::messaging::{id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn stat(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        priority: Some(Priority::Stat),
        ..text(body)
    }
}

/// A role held by `holder` for the next ten hours, supervised by `supervisor`.
async fn on_call_role(admin: &Client, name: &str, holder: Uuid, supervisor: Uuid) -> Uuid {
    let role = admin
        .create_clinical_role(&CreateClinicalRoleRequest {
            name: name.into(),
            supervisor_id: Some(supervisor),
        })
        .await
        .expect("role");
    let now = OffsetDateTime::now_utc();
    admin
        .add_shift(
            role.id,
            &ShiftRequest {
                user_id: holder,
                starts_at: now - time::Duration::minutes(1),
                ends_at: now + time::Duration::hours(10),
            },
        )
        .await
        .expect("shift");
    role.id
}

/// Moves the clock on a second at a time, taking every due escalation step each time.
async fn escalate(server: &TestServer, seconds: i64) {
    for _ in 0..seconds {
        server.advance(1);
        server
            .services
            .clinical()
            .run_due_escalations(server.now())
            .await
            .expect("escalate");
    }
}

api_test!(
    an_escalation_grants_the_message_and_never_membership,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let resident = server.user(&admin, "dr.lee", "physician").await;
        let on_call = server.user(&admin, "dr.day", "physician").await;
        let chief = server.user(&admin, "dr.chief", "physician").await;
        let (on_call_id, chief_id) = (id_of(&on_call).await, id_of(&chief).await);
        let role = on_call_role(&admin, "Medicine on-call", on_call_id, chief_id).await;

        let mut policy = admin.get_policy().await.expect("policy");
        policy.escalation.stat_after_secs = 1;
        policy.escalation.context_messages = 2;
        admin.put_policy(&policy).await.expect("policy");

        let patient = nurse
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-550021".into(),
                family_name: "Brown".into(),
                given_name: "Ann".into(),
                birth_date: time::macros::date!(1948 - 03 - 04),
                user_id: None,
                care_team: vec![
                    id_of(&nurse).await,
                    id_of(&doctor).await,
                    id_of(&resident).await,
                ],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("care-team thread");
        nurse
            .set_escalation_role(thread, Some(role))
            .await
            .expect("escalation role");
        let members_before = nurse.get_conversation(thread).await.expect("get").members;

        for body in ["Slept poorly", "BP 92/50 at 0200", "Now 78/40 and drowsy"] {
            nurse.send_message(thread, &text(body)).await.expect("send");
        }
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
        let file = nurse
            .upload_attachment(thread, Some("vitals.pdf"), pdf.clone())
            .await
            .expect("upload");
        let (first, _) = nurse
            .send_message(
                thread,
                &SendMessageRequest {
                    attachments: vec![file.id],
                    ..stat("Bed 7 hypotensive, please come")
                },
            )
            .await
            .expect("send stat");

        // Nobody answers: repeat, then the on-call holder, then the supervisor, a second apart.
        escalate(&server, 3).await;
        let after = nurse.get_conversation(thread).await.expect("get").members;
        assert_eq!(
            after, members_before,
            "escalation changed who is in the thread"
        );
        assert_problem(
            on_call.list_messages(thread, 0, 10).await,
            ProblemType::NotFound,
        );

        // The on-call holder sees the message, with the two messages before it, and nothing else.
        let grants = on_call.escalation_grants().await.expect("grants").grants;
        assert_eq!(grants.len(), 1, "{grants:?}");
        let grant = &grants[0];
        assert_eq!(grant.step, EscalationStep::OnCall);
        assert_eq!(grant.message.id, first.id);
        assert_eq!(grant.message.body, "Bed 7 hypotensive, please come");
        let context: Vec<&str> = grant.context.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(context, ["BP 92/50 at 0200", "Now 78/40 and drowsy"]);
        assert_eq!(grant.conversation_id, thread);
        // The message's file is theirs to open too, nothing else of the thread's.
        let download = on_call
            .download_attachment(file.id)
            .await
            .expect("download");
        assert_eq!(download.bytes, pdf);
        let supervisor = chief.escalation_grants().await.expect("grants").grants;
        assert_eq!(supervisor.len(), 1);
        assert_eq!(supervisor[0].step, EscalationStep::Supervisor);

        // They answer in the thread (the members get it) and acknowledge: the grants end.
        let (reply, _) = on_call
            .send_message(thread, &text("On my way, 5 minutes"))
            .await
            .expect("the on-call holder answers");
        let seen = doctor
            .list_messages(thread, 0, 20)
            .await
            .expect("list")
            .messages;
        assert!(seen.iter().any(|m| m.id == reply.id));
        let (_, created) = on_call.acknowledge(first.id).await.expect("ack");
        assert!(created);
        assert!(
            on_call
                .escalation_grants()
                .await
                .expect("grants")
                .grants
                .is_empty()
        );
        assert!(
            chief
                .escalation_grants()
                .await
                .expect("grants")
                .grants
                .is_empty()
        );
        assert_problem(
            on_call.download_attachment(file.id).await,
            ProblemType::NotFound,
        );
        assert_problem(
            on_call.send_message(thread, &text("One more thing")).await,
            ProblemType::NotFound,
        );

        // A later stat message goes to the members only; both acknowledge within the delay and
        // it never escalates.
        let (second, _) = nurse
            .send_message(thread, &stat("Bed 7 lactate 4.1"))
            .await
            .expect("send stat");
        doctor.acknowledge(second.id).await.expect("ack");
        resident.acknowledge(second.id).await.expect("ack");
        escalate(&server, 3).await;
        let receipts = nurse.message_receipts(second.id).await.expect("receipts");
        let recipients: Vec<Uuid> = receipts.recipients.iter().map(|r| r.user_id).collect();
        assert!(!recipients.contains(&on_call_id) && !recipients.contains(&chief_id));
        assert_eq!(recipients.len(), 2, "{recipients:?}");
        assert!(
            on_call
                .escalation_grants()
                .await
                .expect("grants")
                .grants
                .is_empty()
        );

        let compliance = compliance_officer(&server, &admin).await;
        let escalated = compliance
            .search_audit(&AuditQuery {
                target: Some(second.id),
                action: Some("message.escalate".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert!(
            escalated
                .iter()
                .all(|e| e.detail.as_ref().is_some_and(|d| d["step"].is_null())),
            "acknowledged in time, yet escalated: {escalated:?}"
        );
        // Every grant, each read and each end is in the patient's accounting of disclosures.
        let disclosures = compliance
            .disclosures(patient.id)
            .await
            .expect("disclosures")
            .disclosures;
        let by = |actor: Uuid, action: &str| {
            disclosures
                .iter()
                .filter(|d| d.action == action && (d.actor_id == Some(actor) || actor.is_nil()))
                .count()
        };
        assert!(by(Uuid::nil(), "message.escalate") >= 3);
        assert_eq!(by(on_call_id, "escalation.grants_read"), 1);
        assert_eq!(by(chief_id, "escalation.grants_read"), 1);
        let ended = compliance
            .search_audit(&AuditQuery {
                target: Some(first.id),
                action: Some("escalation.grant_end".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(
            ended.len(),
            2,
            "both grants end when the on-call holder acknowledges"
        );
        assert_eq!(by(Uuid::nil(), "escalation.grant_end"), 2);
        server
    }
);

api_test!(
    a_grant_runs_out_and_hand_over_leaves_the_supervisor_alone,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let holder = server.user(&admin, "dr.day", "physician").await;
        let chief = server.user(&admin, "dr.chief", "physician").await;
        let chief_id = id_of(&chief).await;
        let role = on_call_role(&admin, "Cardiology on-call", id_of(&holder).await, chief_id).await;
        let mut policy = admin.get_policy().await.expect("policy");
        policy.escalation.urgent_after_secs = 1;
        policy.escalation.grant_secs = 60;
        admin.put_policy(&policy).await.expect("policy");

        let (page, _) = nurse
            .send_to_role(
                role,
                &SendMessageRequest {
                    priority: Some(Priority::Urgent),
                    ..text("Bed 12 chest pain, please call")
                },
            )
            .await
            .expect("send to role");
        let thread = page.conversation_id;
        let members = nurse.get_conversation(thread).await.expect("get").members;
        escalate(&server, 3).await;
        let grants = chief.escalation_grants().await.expect("grants").grants;
        assert_eq!(grants.len(), 1, "the supervisor was brought in");
        assert_eq!(
            nurse.get_conversation(thread).await.expect("get").members,
            members,
            "the supervisor is not a member"
        );

        // The hand-over sweep has nothing to do: no shift changed.
        server
            .services
            .clinical()
            .hand_over_role_threads(server.now())
            .await
            .expect("hand-over");
        let compliance = compliance_officer(&server, &admin).await;
        let handovers = compliance
            .search_audit(&AuditQuery {
                action: Some("clinical_role.handover".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert!(handovers.is_empty(), "{handovers:?}");

        // A minute on, the grant has run out: gone, and audited as expired.
        server.advance(61);
        // (The server's own pass may have ended it first.)
        server
            .services
            .clinical()
            .end_lapsed_grants(server.now())
            .await
            .expect("lapse");
        assert!(
            chief
                .escalation_grants()
                .await
                .expect("grants")
                .grants
                .is_empty()
        );
        assert_problem(chief.acknowledge(page.id).await, ProblemType::NotFound);
        let expired = compliance
            .search_audit(&AuditQuery {
                target: Some(page.id),
                action: Some("escalation.grant_end".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert!(
            expired
                .iter()
                .any(|e| e.detail.as_ref().is_some_and(|d| d["reason"] == "expired"))
        );
        server
    }
);
