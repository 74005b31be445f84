//! Conversations, messages, receipts, patients and sync over HTTP.

use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::{
    ConversationKind, CreateConversationRequest, CreatePatientRequest, SendMessageRequest,
};
use ward_proto::realtime::ServerFrame;

use crate::{PASSWORD, TestServer, api_test, assert_problem};

pub fn text(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        client_id: Uuid::new_v4(),
        body: body.into(),
        priority: None,
        confirm_findings: false,
        attachments: Vec::new(),
        send_at: None,
        lifespan_secs: None,
    }
}

pub async fn group(creator: &Client, members: &[Uuid]) -> Uuid {
    let req = CreateConversationRequest {
        kind: ConversationKind::Group,
        title: Some("4 West night shift".into()),
        member_ids: members.to_vec(),
        patient_id: None,
    };
    creator
        .create_conversation(&req)
        .await
        .expect("create group")
        .id
}

pub async fn id_of(client: &Client) -> Uuid {
    client.me().await.expect("me").user.id
}

api_test!(
    messages_are_sealed_ordered_and_idempotent,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;

        let first = text("K+ 5.9 on the 06:00 BMP, please review");
        let (sent, created) = nurse
            .send_message(conversation, &first)
            .await
            .expect("send");
        assert!(created);
        assert_eq!(sent.seq, 1);
        let (again, created) = nurse
            .send_message(conversation, &first)
            .await
            .expect("retry");
        assert!(!created, "a retry creates nothing");
        assert_eq!((again.id, again.seq), (sent.id, sent.seq));
        let mut changed = first.clone();
        changed.body = "something else".into();
        assert_problem(
            nurse.send_message(conversation, &changed).await,
            ProblemType::Conflict,
        );

        for i in 2..=5 {
            doctor
                .send_message(conversation, &text(&format!("reply {i}")))
                .await
                .expect("reply");
        }
        let page = nurse
            .list_messages(conversation, 2, 2)
            .await
            .expect("page")
            .messages;
        assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(page[0].body, "reply 3");

        // Bad input: nothing stored.
        assert_problem(
            nurse.send_message(conversation, &text("   ")).await,
            ProblemType::Validation,
        );
        let huge = "x".repeat(17 * 1024);
        assert_problem(
            nurse.send_message(conversation, &text(&huge)).await,
            ProblemType::Validation,
        );
        let raw = nurse
            .request(
                reqwest::Method::POST,
                &format!("/conversations/{conversation}/messages"),
            )
            .json(&serde_json::json!({"client_id": "not-a-uuid", "body": "hi"}))
            .send()
            .await
            .expect("send");
        assert_eq!(raw.status().as_u16(), 422);
        assert_problem(
            nurse.send_message(Uuid::now_v7(), &text("hi")).await,
            ProblemType::NotFound,
        );
        let all = nurse
            .list_messages(conversation, 0, 100)
            .await
            .expect("list")
            .messages;
        assert_eq!(all.len(), 5);
        server
    }
);

api_test!(
    read_receipts_reach_the_sender,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let doctor_id = id_of(&doctor).await;
        let conversation = group(&nurse, &[doctor_id]).await;
        let (m1, _) = nurse
            .send_message(conversation, &text("first"))
            .await
            .expect("send");
        let (m2, _) = nurse
            .send_message(conversation, &text("second"))
            .await
            .expect("send");

        let listed = doctor
            .list_conversations()
            .await
            .expect("list")
            .conversations;
        assert_eq!(listed[0].unread, Some(2));
        doctor.mark_read(conversation, m1.seq).await.expect("read");
        let receipts = nurse
            .message_receipts(m1.id)
            .await
            .expect("receipts")
            .recipients;
        assert_eq!(receipts.len(), 1);
        assert_eq!(receipts[0].user_id, doctor_id);
        assert!(receipts[0].read && receipts[0].delivered);
        let second = nurse
            .message_receipts(m2.id)
            .await
            .expect("receipts")
            .recipients;
        assert!(!second[0].read);
        assert_eq!(
            doctor
                .list_conversations()
                .await
                .expect("list")
                .conversations[0]
                .unread,
            Some(1)
        );
        assert_problem(
            doctor.mark_read(conversation, 99).await,
            ProblemType::Validation,
        );
        server
    }
);

api_test!(
    an_offline_device_catches_up_with_exactly_what_it_missed,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;
        let start = doctor.sync(None, 1000).await.expect("sync").cursor;

        for i in 0..500 {
            nurse
                .send_message(conversation, &text(&format!("vitals update {i}")))
                .await
                .expect("send");
        }
        let mut cursor = start.clone();
        let mut bodies = Vec::new();
        loop {
            let page = doctor.sync(Some(&cursor), 200).await.expect("sync");
            for frame in page.events {
                if let ServerFrame::MessageCreated { message, .. } = frame {
                    bodies.push((message.seq, message.body));
                }
            }
            cursor = page.cursor;
            if !page.more {
                break;
            }
        }
        assert_eq!(bodies.len(), 500);
        for (i, (seq, body)) in bodies.iter().enumerate() {
            assert_eq!(*seq, i as i64 + 1);
            assert_eq!(body, &format!("vitals update {i}"));
        }
        // Only this device's own delivery receipts are new since; no message comes twice.
        let after = doctor.sync(Some(&cursor), 200).await.expect("sync");
        assert!(
            after
                .events
                .iter()
                .all(|f| matches!(f, ServerFrame::ReceiptUpdated { .. })),
            "nothing twice"
        );
        assert!(!after.more);

        assert_problem(doctor.sync(Some("soon"), 10).await, ProblemType::Validation);
        assert_problem(
            doctor.sync(Some("999999999"), 10).await,
            ProblemType::Validation,
        );
        server
    }
);

api_test!(
    patients_see_only_their_own_thread,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_id = id_of(&nurse).await;
        let jones = server.user(&admin, "patient.jones", "patient").await;
        let garcia = server.user(&admin, "patient.garcia", "patient").await;
        let register = |mrn: &str, family: &str, account: Uuid| CreatePatientRequest {
            mrn: mrn.into(),
            family_name: family.into(),
            given_name: "Sam".into(),
            birth_date: time::macros::date!(1950 - 01 - 02),
            user_id: Some(account),
            care_team: vec![nurse_id],
        };
        let p_jones = nurse
            .create_patient(&register("MRN-1001", "Jones", id_of(&jones).await))
            .await
            .expect("register");
        let p_garcia = nurse
            .create_patient(&register("MRN-1002", "Garcia", id_of(&garcia).await))
            .await
            .expect("register");
        assert_problem(
            nurse
                .create_patient(&register("mrn-1001", "Twin", id_of(&garcia).await))
                .await,
            ProblemType::Conflict,
        );
        // The birth date travels as the schema says: YYYY-MM-DD.
        let raw: serde_json::Value = nurse
            .request(reqwest::Method::GET, &format!("/patients/{}", p_jones.id))
            .send()
            .await
            .expect("get patient")
            .json()
            .await
            .expect("json");
        assert_eq!(raw["birth_date"], "1950-01-02");
        let care_thread = p_jones.care_team_conversation_id.expect("care-team thread");
        nurse
            .send_message(care_thread, &text("Jones slept well overnight"))
            .await
            .expect("send");

        let facing = |patient: Uuid| CreateConversationRequest {
            kind: ConversationKind::Patient,
            title: Some("Your care team".into()),
            member_ids: vec![],
            patient_id: Some(patient),
        };
        let jones_thread = nurse
            .create_conversation(&facing(p_jones.id))
            .await
            .expect("patient thread")
            .id;
        let garcia_thread = nurse
            .create_conversation(&facing(p_garcia.id))
            .await
            .expect("patient thread")
            .id;
        nurse
            .send_message(garcia_thread, &text("Your results are in"))
            .await
            .expect("send");

        let mine: Vec<_> = jones
            .list_conversations()
            .await
            .expect("list")
            .conversations
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(mine, [jones_thread]);
        assert_problem(
            jones.get_conversation(garcia_thread).await,
            ProblemType::NotFound,
        );
        assert_problem(
            jones.list_messages(garcia_thread, 0, 10).await,
            ProblemType::NotFound,
        );
        assert_problem(
            jones.list_messages(care_thread, 0, 10).await,
            ProblemType::NotFound,
        );
        assert_problem(
            jones.send_message(garcia_thread, &text("hello?")).await,
            ProblemType::NotFound,
        );
        assert_problem(jones.get_patient(p_garcia.id).await, ProblemType::NotFound);
        assert_eq!(
            jones
                .get_patient(p_jones.id)
                .await
                .expect("own record")
                .family_name,
            "Jones"
        );
        let synced = jones.sync(None, 1000).await.expect("sync").events;
        assert!(synced.iter().all(|f| !matches!(f, ServerFrame::MessageCreated { message, .. } if message.conversation_id != jones_thread)));
        let group_req = CreateConversationRequest {
            kind: ConversationKind::Group,
            title: None,
            member_ids: vec![],
            patient_id: None,
        };
        assert_problem(
            jones.create_conversation(&group_req).await,
            ProblemType::Forbidden,
        );

        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let query = AuditQuery {
            actor: Some(id_of(&jones).await),
            action: Some("access.denied".into()),
            ..Default::default()
        };
        let denied = compliance.search_audit(&query).await.expect("audit").events;
        assert!(denied.len() >= 5, "{denied:?}");
        assert!(denied.iter().any(|e| e.target_id == Some(garcia_thread)));
        assert!(denied.iter().any(|e| e.patient_id == Some(p_garcia.id)));
        let _ = PASSWORD;
        server
    }
);

/// Nodes cache a sender's conversation for a moment; a member removed on another node is still
/// refused at once (the send's write checks membership), audited, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_removed_on_another_node_cannot_send() {
    crate::with_server("postgres", |server: TestServer| async move {
        let other = server.second_node().await.expect("a PostgreSQL server");
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse_id = id_of(&nurse).await;
        let conversation = group(&doctor, &[nurse_id]).await;
        nurse
            .send_message(conversation, &text("First"))
            .await
            .expect("send");

        let doctor_elsewhere = Client::new(&other.url)
            .expect("client")
            .authed(doctor.token().expect("token"));
        doctor_elsewhere
            .remove_member(conversation, nurse_id)
            .await
            .expect("remove on the other node");
        assert_problem(
            nurse
                .send_message(conversation, &text("After removal"))
                .await,
            ProblemType::NotFound,
        );
        let stored = doctor
            .list_messages(conversation, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(stored.len(), 1, "nothing stored after the removal");
        let compliance = crate::audit::compliance_officer(&server, &admin).await;
        let denied = compliance
            .search_audit(&AuditQuery {
                action: Some("access.denied".into()),
                actor: Some(nurse_id),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(denied.len(), 1, "{denied:?}");
        assert_eq!(denied[0].target_id, Some(conversation));
        server
    })
    .await;
}

api_test!(
    staff_browse_and_join_channels,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let patient = server.user(&admin, "pat.jones", "patient").await;
        let channel = doctor
            .create_conversation(&CreateConversationRequest {
                kind: ConversationKind::Channel,
                title: Some("Pharmacy questions".into()),
                member_ids: Vec::new(),
                patient_id: None,
            })
            .await
            .expect("channel")
            .id;
        let private = group(&doctor, &[id_of(&admin).await]).await;

        let listed = nurse.list_channels().await.expect("directory").channels;
        assert_eq!(listed.len(), 1, "groups are not in the directory");
        assert_eq!(listed[0].id, channel);
        assert_eq!(listed[0].title.as_deref(), Some("Pharmacy questions"));
        assert_eq!((listed[0].member_count, listed[0].joined), (1, false));

        let joined = nurse.join_channel(channel).await.expect("join");
        assert!(joined.members.contains(&id_of(&nurse).await));
        nurse
            .send_message(channel, &text("Is there a shortage of IV potassium?"))
            .await
            .expect("send once joined");
        let listed = nurse.list_channels().await.expect("directory").channels;
        assert_eq!((listed[0].member_count, listed[0].joined), (2, true));

        // A group is not joinable; a patient has no directory and joins nothing.
        assert_problem(nurse.join_channel(private).await, ProblemType::NotFound);
        assert_problem(patient.list_channels().await, ProblemType::Forbidden);
        assert_problem(patient.join_channel(channel).await, ProblemType::Forbidden);
        assert_eq!(
            doctor
                .list_messages(private, 0, 10)
                .await
                .expect("list")
                .messages
                .len(),
            0
        );
        server
    }
);
