//! Retention by crypto-shredding, and legal hold: once a closed key epoch's messages are all
//! past retention its key is destroyed (audited) and they read as disposed for everyone,
//! compliance included, on every node; a held conversation survives until its hold is
//! released.

use ward_client::Client;
use ward_core::Timestamp;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::compliance::{HoldScope, PlaceHoldRequest};

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{Node, TestServer, api_test, assert_problem};

/// Whether the first message of `conversation` reads as disposed.
async fn disposed(reader: &Client, conversation: uuid::Uuid) -> bool {
    let messages = reader
        .list_messages(conversation, 0, 10)
        .await
        .expect("list")
        .messages;
    messages.first().is_some_and(|m| m.disposed)
}

/// A pass of retention, then what each node's next disposal pass does besides: forget the
/// keys destroyed since `since`, on whichever node (the server's own pass may win the race).
async fn dispose(server: &TestServer, other: Option<&Node>, since: Timestamp) {
    server
        .services
        .compliance()
        .dispose_due(server.now())
        .await
        .expect("disposal");
    let others = other.map(|node| &node.services);
    for services in std::iter::once(&server.services).chain(others) {
        services
            .compliance()
            .forget_shredded_keys(since)
            .await
            .expect("forget");
    }
}

fn hold(scope: HoldScope, subject: uuid::Uuid, reason: &str) -> PlaceHoldRequest {
    PlaceHoldRequest {
        scope,
        subject_id: subject,
        reason: reason.into(),
    }
}

api_test!(
    past_retention_epochs_are_shredded_unless_held,
    |server: TestServer| async move {
        // Two-second key epochs, so an epoch closes while the test watches.
        let mut server = server;
        server.config.key_epoch_secs = Some(2);
        let server = server.restart().await;
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let doctor_id = id_of(&doctor).await;
        let held = group(&nurse, &[doctor_id]).await;
        let open = group(&nurse, &[doctor_id]).await;
        nurse
            .send_message(held, &text("Pending litigation: keep"))
            .await
            .expect("send");
        let (disposable, _) = nurse
            .send_message(open, &text("Routine: may go"))
            .await
            .expect("send");
        // On PostgreSQL a second node reads it too, so that node holds the key in memory.
        let node = server.second_node().await;
        let doctor_elsewhere = node.as_ref().map(|node| {
            Client::new(&node.url)
                .expect("client")
                .authed(doctor.token().expect("token"))
        });
        if let Some(elsewhere) = &doctor_elsewhere {
            let read = elsewhere.list_messages(open, 0, 10).await.expect("list");
            assert_eq!(read.messages[0].body, "Routine: may go");
        }

        assert_problem(
            nurse.set_retention(open, Some(60)).await,
            ProblemType::Forbidden,
        );
        assert_problem(
            admin.set_retention(open, Some(59)).await,
            ProblemType::Validation,
        );
        assert_problem(
            admin.set_retention(uuid::Uuid::new_v4(), Some(60)).await,
            ProblemType::NotFound,
        );
        admin
            .set_retention(held, Some(60))
            .await
            .expect("retention");
        admin
            .set_retention(open, Some(60))
            .await
            .expect("retention");

        let compliance = compliance_officer(&server, &admin).await;
        let reason = "Matter 2026-114, counsel's instruction";
        assert_problem(
            compliance
                .place_hold(&hold(HoldScope::Conversation, held, ""))
                .await,
            ProblemType::Validation,
        );
        assert_problem(
            compliance
                .place_hold(&hold(HoldScope::Patient, uuid::Uuid::new_v4(), reason))
                .await,
            ProblemType::NotFound,
        );
        assert_problem(
            nurse
                .place_hold(&hold(HoldScope::Conversation, held, reason))
                .await,
            ProblemType::Forbidden,
        );
        let placed = compliance
            .place_hold(&hold(HoldScope::Conversation, held, reason))
            .await
            .expect("hold");
        assert_eq!(placed.reason, reason);

        // Past retention (a minute, and the two-second epoch long closed), the unheld epoch is
        // disposed of; the held one is not.
        let before = server.now();
        server.advance(61);
        dispose(&server, node.as_ref(), before).await;
        assert!(
            disposed(&doctor, open).await,
            "the open epoch was disposed of"
        );
        if let Some(elsewhere) = &doctor_elsewhere {
            assert!(
                disposed(elsewhere, open).await,
                "every node drops the destroyed key, whichever node destroyed it"
            );
        }
        let gone = &doctor
            .list_messages(open, 0, 10)
            .await
            .expect("list")
            .messages[0];
        assert!(gone.body.is_empty() && gone.attachments.is_empty());
        assert_problem(
            compliance.message_versions(disposable.id).await,
            ProblemType::Disposed,
        );
        let kept = doctor
            .list_messages(held, 0, 10)
            .await
            .expect("list")
            .messages;
        assert_eq!(kept[0].body, "Pending litigation: keep");
        assert!(!kept[0].disposed);

        let disposals = compliance
            .search_audit(&AuditQuery {
                action: Some("retention.dispose".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        assert_eq!(disposals.len(), 1, "{disposals:?}");
        assert_eq!(disposals[0].target_id, Some(open));
        let detail = disposals[0].detail.clone().expect("detail");
        assert_eq!(detail["messages"], 1);
        assert_eq!(detail["key"], "destroyed");
        // The epoch is named by its real start and end (two seconds apart here), not a month.
        let moment = |field: &str| {
            let text = detail[field].as_str().expect(field);
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .expect("an RFC 3339 time")
        };
        let (starts, ends) = (moment("epoch_start"), moment("epoch_end"));
        assert_eq!(ends - starts, time::Duration::seconds(2));
        assert!(starts.year() >= 2026 && starts.year() < 2100, "{starts}");

        // Released, the held conversation follows its retention.
        let released = compliance.release_hold(placed.id).await.expect("release");
        assert!(released.released_at.is_some());
        assert_problem(
            compliance.release_hold(placed.id).await,
            ProblemType::Conflict,
        );
        assert!(
            compliance
                .list_holds(true)
                .await
                .expect("holds")
                .holds
                .is_empty()
        );
        dispose(&server, node.as_ref(), before).await;
        assert!(disposed(&doctor, held).await, "disposed once released");
        // New messages go on in a fresh epoch.
        let (fresh, _) = nurse
            .send_message(open, &text("Next shift"))
            .await
            .expect("send");
        assert_eq!(fresh.body, "Next shift");
        server
    }
);
