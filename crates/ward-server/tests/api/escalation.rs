//! Urgent messages: acknowledgement by each recipient, escalation along the chain (repeat,
//! on-call holder, supervisor) when nobody acknowledges, across a restart; acknowledging stops it.

use time::OffsetDateTime;
use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::{EscalationStep, Priority, SendMessageRequest};
use ward_proto::realtime::ServerFrame;

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn urgent(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        priority: Some(Priority::Urgent),
        ..text(body)
    }
}

/// The escalation steps of `message` that `client` can see, with whom each brought in.
async fn steps_of(client: &Client, message: Uuid) -> Vec<(EscalationStep, Option<Uuid>)> {
    let events = client.sync(None, 1000).await.expect("sync").events;
    events
        .into_iter()
        .filter_map(|frame| match frame {
            ServerFrame::MessageEscalated {
                message_id,
                step,
                target_user_id,
                ..
            } if message_id == message => Some((step, target_user_id)),
            _ => None,
        })
        .collect()
}

api_test!(
    unacknowledged_urgent_messages_escalate_to_the_on_call_holder,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let night = server.create(&admin, "dr.night", "physician").await;
        let day = server.create(&admin, "dr.day", "physician").await;
        let chief = server.create(&admin, "dr.chief", "physician").await;

        let role = admin
            .create_clinical_role(&CreateClinicalRoleRequest {
                name: "Cardiology on-call".into(),
                supervisor_id: Some(chief),
            })
            .await
            .expect("role");
        let now = OffsetDateTime::now_utc();
        let shift = |user, from: i64, to: i64| ShiftRequest {
            user_id: user,
            starts_at: now + time::Duration::minutes(from),
            ends_at: now + time::Duration::minutes(to),
        };
        admin
            .add_shift(role.id, &shift(night, -600, -1))
            .await
            .expect("night shift");
        admin
            .add_shift(role.id, &shift(day, -1, 600))
            .await
            .expect("day shift");
        let roles = nurse.list_clinical_roles().await.expect("roles").roles;
        assert_eq!(
            roles[0].holder_id,
            Some(day),
            "the day shift holds the role now"
        );

        // Bad input: a shift ending before it starts, a role by a non-admin.
        assert_problem(
            admin.add_shift(role.id, &shift(day, 10, 5)).await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse
                .create_clinical_role(&CreateClinicalRoleRequest {
                    name: "Charge nurse 4 West".into(),
                    supervisor_id: None,
                })
                .await,
            ProblemType::Forbidden,
        );

        let mut policy = admin.get_policy().await.expect("policy");
        policy.escalation.urgent_after_secs = 1;
        admin.put_policy(&policy).await.expect("policy");

        let conversation = group(&nurse, &[id_of(&doctor).await]).await;
        nurse
            .set_escalation_role(conversation, Some(role.id))
            .await
            .expect("escalation role");
        let (ignored, _) = nurse
            .send_message(conversation, &urgent("Troponin rising in bed 12"))
            .await
            .expect("send");
        let (answered, _) = nurse
            .send_message(conversation, &urgent("Please call back about bed 14"))
            .await
            .expect("send");
        let (routine, _) = nurse
            .send_message(conversation, &text("Routine update"))
            .await
            .expect("send");

        // Acknowledgement: only recipients, only urgent or stat, once.
        let (ack, created) = doctor.acknowledge(answered.id).await.expect("ack");
        assert!(created);
        assert_eq!(ack.user_id, id_of(&doctor).await);
        let (_, created) = doctor.acknowledge(answered.id).await.expect("ack again");
        assert!(!created, "a second acknowledgement changes nothing");
        assert_problem(
            doctor.acknowledge(routine.id).await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse.acknowledge(answered.id).await,
            ProblemType::Validation,
        );
        let outsider = server.user(&admin, "dr.outside", "physician").await;
        assert_problem(
            outsider.acknowledge(answered.id).await,
            ProblemType::NotFound,
        );
        // A page of messages carries its acknowledgements (for a device that was closed).
        let page = nurse
            .list_messages(conversation, 0, 10)
            .await
            .expect("list");
        let acks: Vec<_> = page
            .acknowledgements
            .iter()
            .map(|a| (a.message_id, a.user_id))
            .collect();
        assert_eq!(acks, [(answered.id, id_of(&doctor).await)]);
        let later = nurse
            .list_messages(conversation, answered.seq, 10)
            .await
            .expect("list");
        assert!(later.acknowledgements.is_empty(), "only the page's own");

        // The escalation lives in the database: a restart in the middle changes nothing.
        let server = server.restart().await;
        // The restarted server listens on a new port; the sessions carry over.
        let moved = |client: &Client| server.anon().authed(client.token().expect("token"));
        let (admin, nurse, doctor) = (moved(&admin), moved(&nurse), moved(&doctor));
        // A step is due a policy delay (one second) after the last: the clock moves on a second
        // at a time and each due step is taken (here or by the server's own pass, once).
        for _ in 0..3 {
            server.advance(1);
            server
                .services
                .clinical()
                .run_due_escalations(server.now())
                .await
                .expect("escalate");
        }
        let steps = steps_of(&doctor, ignored.id).await;
        assert_eq!(
            steps,
            [
                (EscalationStep::Repeat, None),
                (EscalationStep::OnCall, Some(day)),
                (EscalationStep::Supervisor, Some(chief)),
            ]
        );
        assert!(
            steps_of(&doctor, answered.id).await.is_empty(),
            "acknowledged: no escalation"
        );

        // The on-call holder is brought to the message (not into the thread); the previous
        // holder is not.
        let day_client = server
            .anon()
            .sign_in("dr.day", crate::PASSWORD, "pager")
            .await
            .expect("sign in");
        let granted = day_client
            .escalation_grants()
            .await
            .expect("on-call holder reads")
            .grants;
        assert!(granted.iter().any(|g| g.message.id == ignored.id));
        assert_problem(
            day_client.list_messages(conversation, 0, 10).await,
            ProblemType::NotFound,
        );
        let night_client = server
            .anon()
            .sign_in("dr.night", crate::PASSWORD, "pager")
            .await
            .expect("sign in");
        assert_problem(
            night_client.list_messages(conversation, 0, 10).await,
            ProblemType::NotFound,
        );

        // The sender sees who acknowledged; each step is audited.
        let receipts = nurse.message_receipts(answered.id).await.expect("receipts");
        let doctor_id = id_of(&doctor).await;
        assert!(
            receipts
                .recipients
                .iter()
                .any(|r| r.user_id == doctor_id && r.acknowledged_at.is_some())
        );
        let compliance = compliance_officer(&server, &admin).await;
        let audited = compliance
            .search_audit(&AuditQuery {
                target: Some(ignored.id),
                action: Some("message.escalate".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(audited.len(), 3);
        server
    }
);
