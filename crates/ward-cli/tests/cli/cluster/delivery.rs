//! Three nodes: delivery, receipts, a scheduled send, revocation, a disabled user, policy and
//! role changes, removal, forged notices and alerts, each through one node and seen on another.

use std::time::{Duration, Instant};

use ward_client::Client;
use ward_proto::messaging::{CreatePatientRequest, SendMessageRequest};
use ward_proto::realtime::ServerFrame;
use ward_proto::users::{UpdateUserRequest, UserStatus};

use super::{Deployment, body_of, device, frames_until, group, user};
use crate::{PASSWORD, enrolled_admin, message};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_deliver_revoke_and_remove_across_the_bus() {
    let Some(deployment) = Deployment::start().await else {
        return;
    };
    let (a, b, c) = (deployment.node(), deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&a.client(), "chief").await;
    let (ann, _) = user(&admin, &a, "ann", "nurse").await;
    let (bob, bob_id) = user(&admin, &c, "bob", "nurse").await;
    let conversation = group(&ann, vec![bob_id]).await;

    // A message sent through node A reaches Bob's device on node C, live, in order, once.
    let mut bob_on_c = device(&c.url, &bob, None).await;
    let mut ann_on_b = device(&b.url, &ann, None).await;
    for i in 0..20 {
        ann.send_message(conversation, &message(&format!("message {i}")))
            .await
            .expect("send");
    }
    ann.send_message(conversation, &message("marker"))
        .await
        .expect("send");
    let frames = frames_until(&mut bob_on_c, |f| body_of(f) == Some("marker")).await;
    let bodies: Vec<_> = frames.iter().filter_map(body_of).collect();
    let expected: Vec<String> = (0..20).map(|i| format!("message {i}")).collect();
    assert_eq!(bodies[..20], expected, "in order, each once, none missing");
    assert_eq!(bodies.len(), 21);

    // Bob's acknowledgement on C moves the receipt Ann's device on B hears of.
    let cursor = match frames.last() {
        Some(ServerFrame::MessageCreated { cursor, .. }) => cursor.clone(),
        other => panic!("{other:?}"),
    };
    bob_on_c.ack(&cursor).await.expect("ack");
    let receipts = frames_until(&mut ann_on_b, |f| {
        matches!(f, ServerFrame::ReceiptUpdated { receipt, .. }
            if receipt.user_id == bob_id && receipt.delivered_up_to == 21)
    })
    .await;
    assert_eq!(
        receipts.iter().filter_map(body_of).count(),
        21,
        "Ann's own messages reached her device on B too"
    );

    // A scheduled send goes out once, though all three nodes look for due sends every second.
    let scheduled = SendMessageRequest {
        send_at: Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(2)),
        ..message("scheduled once")
    };
    ann.schedule_message(conversation, &scheduled)
        .await
        .expect("schedule");
    frames_until(&mut bob_on_c, |f| body_of(f) == Some("scheduled once")).await;
    // Three more seconds: three more runs of every node's job.
    tokio::time::sleep(Duration::from_secs(3)).await;
    ann.send_message(conversation, &message("after the schedule"))
        .await
        .expect("send");
    let later = frames_until(&mut bob_on_c, |f| body_of(f) == Some("after the schedule")).await;
    assert!(
        later.iter().all(|f| body_of(f) != Some("scheduled once")),
        "the scheduled message went out twice"
    );
    let stored = ann
        .list_messages(conversation, 0, 1000)
        .await
        .expect("list")
        .messages;
    assert_eq!(
        stored.iter().filter(|m| m.body == "scheduled once").count(),
        1
    );

    // A session revoked through A: its socket on B closes within a second, and C refuses it.
    let phone = b
        .client()
        .sign_in("bob", PASSWORD, "bob's phone")
        .await
        .expect("sign in");
    let phone_session = phone.me().await.expect("me").session.id;
    let phone_on_c = Client::new(&c.url)
        .expect("client")
        .authed(phone.token().expect("token"));
    // C now holds the session in its cache.
    phone_on_c.me().await.expect("the phone's session on C");
    let mut phone_on_b = device(&b.url, &phone, None).await;
    let revoked_at = Instant::now();
    bob.authed(bob.token().expect("token"))
        .revoke_session(phone_session)
        .await
        .expect("revoke");
    let ended = frames_until(&mut phone_on_b, |f| {
        matches!(f, ServerFrame::SessionRevoked { .. })
    })
    .await;
    let took = revoked_at.elapsed();
    assert!(
        matches!(ended.last(), Some(ServerFrame::SessionRevoked { reason }) if reason == "revoked")
    );
    assert!(took < Duration::from_secs(1), "closed after {took:?}");
    let refused = phone_on_c.me().await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(401),
        "the next request on C, whose cached copy the bus dropped"
    );

    // A user disabled through A is refused on C at once (C had the session cached).
    let (eve, eve_id) = user(&admin, &c, "eve", "nurse").await;
    eve.me().await.expect("Eve's session on C");
    let disable = UpdateUserRequest {
        status: UserStatus::Disabled,
    };
    admin.update_user(eve_id, &disable).await.expect("disable");
    let refused = eve.me().await;
    assert_eq!(
        refused.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(401),
        "a disabled user on another node"
    );
    eprintln!("cluster: a revocation through A closed the socket on B in {took:?}");

    // A policy changed through A is what C reads, though C had it cached.
    let admin_on_c = Client::new(&c.url)
        .expect("client")
        .authed(admin.token().expect("token"));
    let mut policy = admin_on_c.get_policy().await.expect("policy on C");
    policy.session.idle_timeout_secs = 1200;
    admin.put_policy(&policy).await.expect("policy through A");
    // The notice that drops C's copy crosses the bus on its own: within a second, not before
    // the answer to A (bounded wait).
    let mut read = None;
    for _ in 0..50 {
        let now = admin_on_c.get_policy().await.expect("policy on C");
        if now.session.idle_timeout_secs == 1200 {
            read = Some(now);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(read.is_some(), "C dropped its cached policy");

    // A role narrowed through A takes effect on C within a second, though C had it cached.
    admin
        .put_role("unit_clerk", &["users_read"])
        .await
        .expect("role");
    let (clerk, _) = user(&admin, &c, "clerk", "unit_clerk").await;
    clerk.list_users().await.expect("users_read on C");
    admin
        .put_role("unit_clerk", &["patients_read"])
        .await
        .expect("role narrowed");
    let mut status = None;
    for _ in 0..50 {
        status = clerk
            .list_users()
            .await
            .err()
            .and_then(|e| e.status())
            .map(|s| s.as_u16());
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, Some(403), "C dropped its cached role");

    // Bob removed through A: his socket on C gets member.removed, then nothing of that
    // conversation (a marker in another conversation shows the stream went on).
    let other = group(&ann, vec![bob_id]).await;
    ann.remove_member(conversation, bob_id)
        .await
        .expect("remove");
    ann.send_message(conversation, &message("after the removal"))
        .await
        .expect("send");
    ann.send_message(other, &message("second marker"))
        .await
        .expect("send");
    let frames = frames_until(&mut bob_on_c, |f| body_of(f) == Some("second marker")).await;
    let removed = frames.iter().position(|f| {
        matches!(f, ServerFrame::MemberRemoved { conversation_id, user_id, .. }
            if *conversation_id == conversation && *user_id == bob_id)
    });
    assert!(removed.is_some(), "member.removed reached C: {frames:?}");
    assert!(
        frames
            .iter()
            .all(|f| body_of(f) != Some("after the removal")),
        "nothing after the removal"
    );

    // Garbage and forgeries published on the bus's subject are dropped and counted; delivery
    // goes on.
    let intruder = async_nats::connect(deployment.nats.url())
        .await
        .expect("nats");
    for payload in [&b"not a notice"[..], br#"{"type":"close_user"}"#] {
        intruder
            .publish("ward.bus.notices", payload.to_vec().into())
            .await
            .expect("publish");
    }
    intruder.flush().await.expect("flush");
    ann.send_message(other, &message("after the garbage"))
        .await
        .expect("send");
    frames_until(&mut bob_on_c, |f| body_of(f) == Some("after the garbage")).await;
    let metrics = reqwest::get(format!("{}/metrics", c.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"ward_bus_notices_dropped_total{reason="unauthentic"} 2"#),
        "{metrics}"
    );

    // An alert reaches the compliance officer's devices on every node, whichever node's
    // monitoring raised it (so at least two of them heard of it over the bus).
    let (officer, _) = enrolled_admin(&a.client(), "officer").await;
    let mut officers = Vec::new();
    for node in [&a, &b, &c] {
        officers.push(device(&node.url, &officer, None).await);
    }
    let ann_id = ann.me().await.expect("me").user.id;
    for i in 0..30 {
        let patient = ann
            .create_patient(&CreatePatientRequest {
                mrn: format!("MRN-{:04}", 7000 + i),
                family_name: format!("Family{i}"),
                given_name: "Alex".into(),
                birth_date: time::macros::date!(1960 - 03 - 04),
                user_id: None,
                care_team: vec![ann_id],
            })
            .await
            .expect("patient");
        let thread = patient.care_team_conversation_id.expect("thread");
        ann.list_messages(thread, 0, 10).await.expect("read");
    }
    for (socket, node) in officers.iter_mut().zip(["A", "B", "C"]) {
        let frames = frames_until(socket, |f| matches!(f, ServerFrame::AlertRaised { .. })).await;
        assert!(
            matches!(frames.last(), Some(ServerFrame::AlertRaised { alert }) if alert.subject_id == Some(ann_id)),
            "the officer's device on {node}"
        );
    }

    for node in [a, b, c] {
        assert!(node.stop());
    }
    deployment.drop_database().await;
}
