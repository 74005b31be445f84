//! The WebSocket: live fan-out to every device, idempotent sends, removal, revocation, wipe.

use std::time::Duration;

use ward_client::realtime::Realtime;
use ward_proto::realtime::ServerFrame;

use crate::messaging::{group, id_of, text};
use crate::{PASSWORD, TestServer, api_test};

/// The next frame that is not a receipt or conversation update, within a bounded wait.
async fn next_message(rt: &mut Realtime) -> Option<ServerFrame> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rt.next()).await {
            Ok(Some(Ok(
                ServerFrame::ReceiptUpdated { .. } | ServerFrame::ConversationUpdated { .. },
            ))) => continue,
            Ok(Some(Ok(frame))) => return Some(frame),
            _ => return None,
        }
    }
}

/// Whether nothing but receipts arrives for a short while.
async fn quiet(rt: &mut Realtime) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_millis(400), rt.next()).await {
            Err(_) => return true,
            Ok(Some(Ok(ServerFrame::ReceiptUpdated { .. }))) => continue,
            Ok(_) => return false,
        }
    }
}

async fn connect(server: &TestServer, client: &ward_client::Client) -> Realtime {
    let mut rt = Realtime::connect(&server.url, client.token().expect("token"), None)
        .await
        .expect("ws");
    assert!(matches!(
        next_message(&mut rt).await,
        Some(ServerFrame::Hello { .. })
    ));
    rt
}

api_test!(
    a_message_reaches_every_device_once,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse_phone = server.user(&admin, "nurse.reyes", "nurse").await;
        let nurse_desk = server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "desk")
            .await
            .expect("desk");
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&doctor, &[id_of(&nurse_phone).await]).await;

        let mut devices = [
            connect(&server, &nurse_phone).await,
            connect(&server, &nurse_desk).await,
            connect(&server, &doctor).await,
        ];
        let message = text("Bed 12 is asking for you");
        let (sent, _) = doctor
            .send_message(conversation, &message)
            .await
            .expect("send");
        for rt in &mut devices {
            match next_message(rt).await {
                Some(ServerFrame::MessageCreated { message, cursor }) => {
                    assert_eq!((message.id, message.seq), (sent.id, sent.seq));
                    assert_eq!(message.body, "Bed 12 is asking for you");
                    rt.ack(&cursor).await.expect("ack");
                }
                other => panic!("expected the message, got {other:?}"),
            }
        }
        let (again, created) = doctor
            .send_message(conversation, &message)
            .await
            .expect("retry");
        assert!(!created);
        assert_eq!((again.id, again.seq), (sent.id, sent.seq));
        for rt in &mut devices {
            assert!(quiet(rt).await, "a retried send produced a second frame");
        }
        let metrics = reqwest::get(format!("{}/metrics", server.url))
            .await
            .expect("metrics");
        let metrics = metrics.text().await.expect("text");
        assert!(metrics.contains("ward_realtime_devices 3"), "{metrics}");
        assert!(metrics.contains("ward_messages_sent_total 1"), "{metrics}");
        // The writer's grouping is reported: at least one batch, never more batches than writes.
        let count = |name: &str| -> u64 {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} missing: {metrics}"))
        };
        let (batches, writes) = (
            count("ward_store_write_batches_total "),
            count("ward_store_writes_total "),
        );
        assert!(
            batches >= 1 && writes >= batches,
            "{batches} batches, {writes} writes"
        );
        // The acks become delivery receipts, written within a second (bounded wait).
        let mut receipts = Vec::new();
        for _ in 0..50 {
            receipts = doctor
                .message_receipts(sent.id)
                .await
                .expect("receipts")
                .recipients;
            if receipts.iter().all(|r| r.delivered) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(receipts.iter().all(|r| r.delivered), "{receipts:?}");
        server
    }
);

api_test!(
    a_removed_member_gets_nothing_more,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let nurse_id = id_of(&nurse).await;
        let conversation = group(&doctor, &[nurse_id]).await;
        let mut rt = connect(&server, &nurse).await;
        doctor
            .remove_member(conversation, nurse_id)
            .await
            .expect("remove");
        assert!(matches!(
            next_message(&mut rt).await,
            Some(ServerFrame::MemberRemoved { .. })
        ));
        doctor
            .send_message(conversation, &text("after removal"))
            .await
            .expect("send");
        assert!(quiet(&mut rt).await, "a removed member received an event");
        let synced = nurse.sync(None, 1000).await.expect("sync").events;
        assert!(
            !synced
                .iter()
                .any(|f| matches!(f, ServerFrame::MessageCreated { .. }))
        );
        assert!(matches!(
            synced.last(),
            Some(ServerFrame::MemberRemoved { .. })
        ));
        server
    }
);

api_test!(
    resume_from_a_cursor_sends_what_was_missed,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let conversation = group(&doctor, &[id_of(&nurse).await]).await;
        let cursor = nurse.sync(None, 1000).await.expect("sync").cursor;
        for i in 0..5 {
            doctor
                .send_message(conversation, &text(&format!("missed {i}")))
                .await
                .expect("send");
        }
        let mut rt = Realtime::connect(&server.url, nurse.token().expect("token"), Some(&cursor))
            .await
            .expect("ws");
        assert!(matches!(
            next_message(&mut rt).await,
            Some(ServerFrame::Hello { .. })
        ));
        for i in 0..5 {
            match next_message(&mut rt).await {
                Some(ServerFrame::MessageCreated { message, .. }) => {
                    assert_eq!(message.body, format!("missed {i}"))
                }
                other => panic!("expected missed {i}, got {other:?}"),
            }
        }
        doctor
            .send_message(conversation, &text("live"))
            .await
            .expect("send");
        match next_message(&mut rt).await {
            Some(ServerFrame::MessageCreated { message, .. }) => assert_eq!(message.body, "live"),
            other => panic!("expected the live message, got {other:?}"),
        }
        server
    }
);

api_test!(
    revocation_and_wipe_close_open_sockets,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let desk = server.user(&admin, "nurse.reyes", "nurse").await;
        let phone = server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "phone")
            .await
            .expect("phone");
        let tablet = server
            .anon()
            .sign_in("nurse.reyes", PASSWORD, "tablet")
            .await
            .expect("tablet");
        let mut phone_rt = connect(&server, &phone).await;
        let mut tablet_rt = connect(&server, &tablet).await;
        desk.revoke_session(phone.me().await.expect("me").session.id)
            .await
            .expect("revoke");
        assert!(matches!(
            next_message(&mut phone_rt).await,
            Some(ServerFrame::SessionRevoked { .. })
        ));
        assert!(
            next_message(&mut phone_rt).await.is_none(),
            "the socket closes"
        );
        desk.wipe_session(tablet.me().await.expect("me").session.id)
            .await
            .expect("wipe");
        assert!(matches!(
            next_message(&mut tablet_rt).await,
            Some(ServerFrame::DeviceWipe)
        ));
        assert!(next_message(&mut tablet_rt).await.is_none());
        let refused = Realtime::connect(&server.url, phone.token().expect("token"), None).await;
        assert!(refused.is_err(), "a revoked token cannot open a socket");
        server
    }
);

api_test!(
    an_enrolment_only_session_gets_no_socket,
    |server: TestServer| async move {
        // root has not enrolled a second factor yet: its session may only do that.
        let enrolling = server
            .anon()
            .sign_in("root", PASSWORD, "new admin")
            .await
            .expect("sign in");
        let token = enrolling.token().expect("token");
        assert!(
            Realtime::connect(&server.url, token, None).await.is_err(),
            "header auth refused"
        );
        let mut rt = Realtime::connect(&server.url, token, Some("0"))
            .await
            .expect("upgrade");
        match next_message(&mut rt).await {
            Some(ServerFrame::Error { problem }) => {
                assert_eq!(
                    problem.problem_type(),
                    Some(ward_proto::ProblemType::MfaEnrollmentRequired)
                );
            }
            other => panic!("expected an error frame, got {other:?}"),
        }
        server
    }
);
