//! A member reads a channel or group from the moment they joined: the earlier messages, their
//! receipts, acknowledgements and files are not theirs (answered as if they did not exist, and
//! audited), while a patient's threads keep their history for the care team.

use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::{
    ConversationKind, CreateConversationRequest, CreatePatientRequest, Priority, SendMessageRequest,
};
use ward_proto::workflow::EditMessageRequest;

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn urgent(body: &str) -> SendMessageRequest {
    SendMessageRequest {
        priority: Some(Priority::Urgent),
        ..text(body)
    }
}

/// Sends an urgent message carrying a file, then a plain one after `late` joins; checks what
/// `late` may read.
async fn check_reads_from_joining(
    compliance: &Client,
    sender: &Client,
    late: &Client,
    conversation: uuid::Uuid,
    join: impl std::future::Future<Output = ()>,
) {
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let file = sender
        .upload_attachment(conversation, Some("labs.pdf"), pdf)
        .await
        .expect("upload");
    let earlier = SendMessageRequest {
        attachments: vec![file.id],
        ..urgent("Before you joined: K+ 6.1 on the morning labs")
    };
    let (before, _) = sender
        .send_message(conversation, &earlier)
        .await
        .expect("send before");
    join.await;
    let (after, _) = sender
        .send_message(conversation, &text("After you joined: BMP repeated"))
        .await
        .expect("send after");

    let page = late.list_messages(conversation, 0, 50).await.expect("list");
    let ids: Vec<_> = page.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![after.id], "only what was sent since joining");
    assert_problem(
        late.message_receipts(before.id).await,
        ProblemType::NotFound,
    );
    assert_problem(late.acknowledge(before.id).await, ProblemType::NotFound);
    assert_problem(
        late.download_attachment(file.id).await,
        ProblemType::NotFound,
    );
    late.message_receipts(after.id)
        .await
        .expect("receipts of a message sent since joining");
    assert_problem(
        late.mark_read(conversation, before.seq).await,
        ProblemType::Validation,
    );
    // The sender edits the earlier message: its new body does not reach the late member,
    // live or through sync.
    let mut socket = ward_client::realtime::Realtime::connect(
        late.base_url(),
        late.token().expect("token"),
        None,
    )
    .await
    .expect("socket");
    sender
        .edit_message(
            before.id,
            &EditMessageRequest {
                body: "EDITED after you joined: K+ 6.3".into(),
                confirm_findings: false,
            },
        )
        .await
        .expect("edit");
    sender
        .send_message(conversation, &text("a marker after the edit"))
        .await
        .expect("marker");
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("open")
            .expect("frame");
        let json = serde_json::to_string(&frame).expect("json");
        assert!(!json.contains("EDITED"), "live edit leaked: {json}");
        if json.contains("a marker after the edit") {
            break;
        }
    }
    let synced = late.sync(None, 500).await.expect("sync");
    let json = serde_json::to_string(&synced.events).expect("json");
    assert!(!json.contains("EDITED"), "synced edit leaked: {json}");
    assert!(json.contains("a marker after the edit"), "{json}");

    // Compliance reads are not limited by membership.
    let export = compliance
        .export_conversation(conversation)
        .await
        .expect("export");
    assert_eq!(export.messages.len(), 3);
    let refused = |action: &'static str| async move {
        compliance
            .search_audit(&AuditQuery {
                actor: Some(id_of(late).await),
                action: Some(action.into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events
            .into_iter()
            .filter(|e| e.outcome == "denied")
            .count()
    };
    assert_eq!(
        refused("access.denied").await,
        2,
        "receipts and ack refused"
    );
    assert_eq!(refused("attachment.download").await, 1, "the file refused");
}

api_test!(
    a_channel_member_reads_from_joining,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
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
        let compliance = compliance_officer(&server, &admin).await;
        check_reads_from_joining(&compliance, &doctor, &nurse, channel, async {
            nurse.join_channel(channel).await.expect("join");
        })
        .await;
        server
    }
);

api_test!(
    a_member_added_to_a_group_reads_from_joining,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let pharmacist = server.user(&admin, "rph.lee", "pharmacist").await;
        let conversation = group(&doctor, &[id_of(&nurse).await]).await;
        let added = id_of(&pharmacist).await;
        let compliance = compliance_officer(&server, &admin).await;
        check_reads_from_joining(&compliance, &doctor, &pharmacist, conversation, async {
            doctor
                .add_member(conversation, added)
                .await
                .expect("add member");
        })
        .await;
        server
    }
);

api_test!(
    a_new_care_team_member_reads_the_patients_thread,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let patient = doctor
            .create_patient(&CreatePatientRequest {
                mrn: "MRN-88231".into(),
                family_name: "Doe".into(),
                given_name: "Jane".into(),
                birth_date: time::macros::date!(1961 - 04 - 02),
                user_id: None,
                care_team: vec![id_of(&doctor).await],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("care-team thread");
        let (before, _) = doctor
            .send_message(thread, &text("Plan discussed with the family"))
            .await
            .expect("send");
        let added = doctor
            .request(
                reqwest::Method::POST,
                &format!("/patients/{}/care-team", patient.id),
            )
            .json(&serde_json::json!({ "user_id": id_of(&nurse).await }))
            .send()
            .await
            .expect("add to care team");
        assert!(added.status().is_success(), "{}", added.status());
        let page = nurse.list_messages(thread, 0, 50).await.expect("list");
        assert_eq!(page.messages.first().map(|m| m.id), Some(before.id));
        server
    }
);
