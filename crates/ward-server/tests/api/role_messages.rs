//! Messages to a clinical role: they reach whoever holds the role at send time, in a thread
//! titled with the role, and at hand-over the thread passes to the incoming holder, audited
//! with what was still unacknowledged.

use time::OffsetDateTime;
use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::clinical::{CreateClinicalRoleRequest, ShiftRequest};
use ward_proto::messaging::{ConversationKind, Priority, SendMessageRequest};

use crate::audit::compliance_officer;
use crate::messaging::{id_of, text};
use crate::{TestServer, api_test, assert_problem};

/// A role with the given shifts, in minutes from now.
async fn role_with_shifts(admin: &Client, name: &str, shifts: &[(Uuid, i64, i64)]) -> Uuid {
    let role = admin
        .create_clinical_role(&CreateClinicalRoleRequest {
            name: name.into(),
            supervisor_id: None,
        })
        .await
        .expect("role");
    let now = OffsetDateTime::now_utc();
    for (user, from, to) in shifts {
        admin
            .add_shift(
                role.id,
                &ShiftRequest {
                    user_id: *user,
                    starts_at: now + time::Duration::minutes(*from),
                    ends_at: now + time::Duration::minutes(*to),
                },
            )
            .await
            .expect("shift");
    }
    role.id
}

fn urgent(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        priority: Some(Priority::Urgent),
        ..text(body)
    }
}

api_test!(
    a_message_to_a_role_reaches_its_current_holder_only,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let night = server.user(&admin, "dr.night", "physician").await;
        let day = server.user(&admin, "dr.day", "physician").await;
        let (night_id, day_id) = (id_of(&night).await, id_of(&day).await);
        let role = role_with_shifts(
            &admin,
            "Cardiology on-call",
            &[(night_id, -600, -1), (day_id, -1, 600)],
        )
        .await;

        let page = urgent("Bed 12 chest pain, troponin pending, please call");
        let (sent, created) = nurse.send_to_role(role, &page).await.expect("send to role");
        assert!(created);
        let thread = day
            .get_conversation(sent.conversation_id)
            .await
            .expect("holder sees it");
        assert_eq!(thread.kind, ConversationKind::Role);
        assert_eq!(thread.title.as_deref(), Some("Cardiology on-call"));
        let seen = day
            .list_messages(thread.id, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].body, page.body);
        assert_problem(
            night.list_messages(thread.id, 0, 10).await,
            ProblemType::NotFound,
        );

        let (again, created) = nurse.send_to_role(role, &page).await.expect("retry");
        assert!(!created);
        assert_eq!(again.id, sent.id);
        let (second, _) = nurse
            .send_to_role(role, &text("Family at bedside"))
            .await
            .expect("second");
        assert_eq!(
            second.conversation_id, thread.id,
            "one thread per sender and role"
        );

        assert_problem(
            day.send_to_role(role, &text("to myself")).await,
            ProblemType::Validation,
        );
        assert_problem(
            nurse.add_member(thread.id, night_id).await,
            ProblemType::Conflict,
        );
        let unstaffed = role_with_shifts(&admin, "Charge nurse 4 West", &[]).await;
        assert_problem(
            nurse.send_to_role(unstaffed, &text("anyone?")).await,
            ProblemType::Conflict,
        );
        assert_problem(
            nurse.send_to_role(Uuid::new_v4(), &text("anyone?")).await,
            ProblemType::NotFound,
        );
        server
    }
);

api_test!(
    hand_over_passes_the_thread_to_the_incoming_holder,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let outgoing = server.user(&admin, "dr.out", "physician").await;
        let incoming = server.user(&admin, "dr.in", "physician").await;
        let incoming_id = id_of(&incoming).await;
        let role = role_with_shifts(
            &admin,
            "Cardiology on-call",
            &[(id_of(&outgoing).await, -60, 600)],
        )
        .await;
        let (page, _) = nurse
            .send_to_role(role, &urgent("Bed 12 chest pain, please call"))
            .await
            .expect("send to role");
        let thread = page.conversation_id;
        outgoing
            .list_messages(thread, 0, 10)
            .await
            .expect("outgoing holder has it");

        // The incoming holder's shift starts now; the next hand-over pass (every few seconds
        // in the background; run here at once) hands the thread over.
        let now = OffsetDateTime::now_utc();
        admin
            .add_shift(
                role,
                &ShiftRequest {
                    user_id: incoming_id,
                    starts_at: now,
                    ends_at: now + time::Duration::hours(8),
                },
            )
            .await
            .expect("shift");
        server
            .services
            .clinical()
            .hand_over_role_threads(server.now())
            .await
            .expect("hand-over");
        let handed_over = incoming.list_messages(thread, 0, 10).await.is_ok();
        assert!(handed_over, "the incoming holder never got the thread");
        let messages = incoming
            .list_messages(thread, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(messages[0].id, page.id, "with what was sent before");
        assert_problem(
            outgoing.list_messages(thread, 0, 10).await,
            ProblemType::NotFound,
        );
        let (_, acknowledged) = incoming.acknowledge(page.id).await.expect("ack");
        assert!(acknowledged);

        let compliance = compliance_officer(&server, &admin).await;
        let handovers = compliance
            .search_audit(&AuditQuery {
                target: Some(thread),
                action: Some("clinical_role.handover".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(handovers.len(), 1, "{handovers:?}");
        let detail = handovers[0].detail.as_ref().expect("detail");
        assert_eq!(detail["to"], incoming_id.to_string());
        assert_eq!(detail["unacknowledged"], 1);
        server
    }
);
