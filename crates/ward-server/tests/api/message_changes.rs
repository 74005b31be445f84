//! Edit, recall and lifespan: members see the change live and in sync, the sender alone may
//! make it, compliance still reads every version, and expired messages leave every device.

use ward_proto::ProblemType;
use ward_proto::messaging::SendMessageRequest;
use ward_proto::realtime::ServerFrame;
use ward_proto::workflow::EditMessageRequest;

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

fn edit(body: &str) -> EditMessageRequest {
    EditMessageRequest {
        body: body.into(),
        confirm_findings: false,
    }
}

api_test!(
    the_sender_edits_and_recalls_and_compliance_keeps_every_version,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;
        let (sent, _) = nurse
            .send_message(conversation, &text("Bed 12 BP 90/60 at 06:00"))
            .await
            .expect("send");

        let edited = nurse
            .edit_message(sent.id, &edit("Bed 12 BP 85/55 at 06:00, repeat due"))
            .await
            .expect("edit");
        assert_eq!(edited.body, "Bed 12 BP 85/55 at 06:00, repeat due");
        assert!(edited.edited_at.is_some());
        let seen = doctor
            .list_messages(conversation, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(seen[0].body, edited.body, "members see the new body");
        assert!(seen[0].edited_at.is_some(), "marked as edited");

        // Only the sender may edit or recall; the new body passes the safety checks.
        assert_problem(
            doctor
                .edit_message(sent.id, &edit("changed by someone else"))
                .await,
            ProblemType::Forbidden,
        );
        assert_problem(doctor.recall_message(sent.id).await, ProblemType::Forbidden);
        assert_problem(
            nurse
                .edit_message(sent.id, &edit("Give 10 U insulin QD"))
                .await,
            ProblemType::SafetyReview,
        );
        assert_problem(
            nurse.edit_message(sent.id, &edit("  ")).await,
            ProblemType::Validation,
        );
        let outsider = server.user(&admin, "dr.outside", "physician").await;
        assert_problem(
            outsider.recall_message(sent.id).await,
            ProblemType::NotFound,
        );

        let recalled = nurse.recall_message(sent.id).await.expect("recall");
        assert!(recalled.recalled);
        assert!(recalled.body.is_empty());
        let seen = doctor
            .list_messages(conversation, 0, 10)
            .await
            .expect("list")
            .messages;
        assert!(
            seen[0].recalled && seen[0].body.is_empty(),
            "the body is gone"
        );
        let events = doctor.sync(None, 1000).await.expect("sync").events;
        assert!(events.iter().any(|f| matches!(
            f, ServerFrame::MessageRecalled { message_id, .. } if *message_id == sent.id
        )));
        assert!(events.iter().any(|f| matches!(
            f, ServerFrame::MessageEdited { message, .. } if message.id == sent.id
        )));
        assert!(
            !events.iter().any(|f| matches!(
                f, ServerFrame::MessageCreated { message, .. } if message.body.contains("BP")
            )),
            "sync never serves a recalled body"
        );
        assert_problem(
            nurse.edit_message(sent.id, &edit("too late")).await,
            ProblemType::Conflict,
        );
        assert_problem(nurse.recall_message(sent.id).await, ProblemType::Conflict);

        // A recalled message's file stops downloading too.
        let pdf =
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        let file = nurse
            .upload_attachment(conversation, Some("labs.pdf"), pdf.to_vec())
            .await
            .expect("upload");
        let (with_file, _) = nurse
            .send_message(
                conversation,
                &SendMessageRequest {
                    attachments: vec![file.id],
                    ..text("Labs attached")
                },
            )
            .await
            .expect("send");
        doctor.download_attachment(file.id).await.expect("download");
        nurse.recall_message(with_file.id).await.expect("recall");
        assert_problem(
            doctor.download_attachment(file.id).await,
            ProblemType::NotFound,
        );

        // Compliance reads every version; clinicians may not.
        assert_problem(
            doctor.message_versions(sent.id).await,
            ProblemType::Forbidden,
        );
        let compliance = compliance_officer(&server, &admin).await;
        let history = compliance
            .message_versions(sent.id)
            .await
            .expect("versions");
        assert_eq!(history.body, "Bed 12 BP 85/55 at 06:00, repeat due");
        assert!(history.recalled_at.is_some());
        let earlier: Vec<_> = history.versions.iter().map(|v| v.body.as_str()).collect();
        assert_eq!(earlier, ["Bed 12 BP 90/60 at 06:00"]);
        assert_eq!(history.versions[0].version, 1);
        server
    }
);

api_test!(
    messages_past_their_lifespan_leave_every_device,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&nurse, &[id_of(&doctor).await]).await;

        assert_problem(
            nurse.set_lifespan(conversation, Some(5)).await,
            ProblemType::Validation,
        );
        let view = nurse
            .set_lifespan(conversation, Some(60))
            .await
            .expect("lifespan");
        assert_eq!(view.lifespan_secs, Some(60));
        let (short, _) = nurse
            .send_message(conversation, &text("Door code for the med room is 4471"))
            .await
            .expect("send");
        assert!(
            short.expires_at.is_some(),
            "the conversation's lifespan applies"
        );
        let (kept, _) = nurse
            .send_message(
                conversation,
                &SendMessageRequest {
                    lifespan_secs: Some(3600),
                    ..text("Handover notes for tonight")
                },
            )
            .await
            .expect("send");
        assert_problem(
            nurse
                .send_message(
                    conversation,
                    &SendMessageRequest {
                        lifespan_secs: Some(1),
                        ..text("too short")
                    },
                )
                .await,
            ProblemType::Validation,
        );

        // The lifespan is a minute: the clock moves past it and the expiry pass runs.
        server.advance(61);
        server
            .services
            .messaging()
            .expire_due_messages(server.now())
            .await
            .expect("expiry");
        let events = doctor.sync(None, 1000).await.expect("sync").events;
        let expired = events.iter().any(|f| {
            matches!(
                f, ServerFrame::MessageExpired { message_id, .. } if *message_id == short.id
            )
        });
        assert!(expired, "devices are told to delete the message");
        let seen = doctor
            .list_messages(conversation, 0, 10)
            .await
            .expect("list")
            .messages;
        let gone = seen.iter().find(|m| m.id == short.id).expect("tombstone");
        assert!(gone.expired && gone.body.is_empty());
        let other = seen.iter().find(|m| m.id == kept.id).expect("kept");
        assert_eq!(other.body, "Handover notes for tonight");
        assert!(!other.expired);

        // The server keeps the sealed body for compliance.
        let compliance = compliance_officer(&server, &admin).await;
        let history = compliance
            .message_versions(short.id)
            .await
            .expect("versions");
        assert_eq!(history.body, "Door code for the med room is 4471");
        assert!(history.expired_at.is_some());
        server
    }
);
