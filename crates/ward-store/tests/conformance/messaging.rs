use std::sync::Arc;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::conversation::{
    Committed, Conversation, ConversationKind, EventKind, Message, Priority,
};
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_core::keys::Epoch;
use ward_core::patient::PatientRecord;
use ward_store::{SendOutcome, Store, StoreError};

use crate::{conformance, event, user};

pub async fn users(store: &Arc<dyn Store>, names: &[&str]) -> anyhow::Result<Vec<UserId>> {
    let mut ids = Vec::new();
    for name in names {
        let u = user(name, "nurse");
        store
            .create_user(&u, event(AuditAction::UserCreated))
            .await?;
        ids.push(u.id);
    }
    Ok(ids)
}

pub fn conversation(kind: ConversationKind, creator: UserId) -> Conversation {
    Conversation {
        id: ConversationId::new(),
        kind,
        sealed_title: Some(vec![7; 40]),
        patient_id: None,
        direct_key: None,
        created_by: creator,
        created_at: Timestamp::now(),
        lifespan_secs: None,
    }
}

pub fn message(conversation: ConversationId, sender: UserId, body: u8) -> Message {
    Message {
        id: Uuid::now_v7(),
        conversation_id: conversation,
        seq: 0,
        sender_id: sender,
        client_id: Uuid::new_v4(),
        priority: Priority::Normal,
        epoch: Epoch::from_index(670),
        sealed_body: vec![body; 48],
        sealed_attachments: None,
        created_at: Timestamp::now(),
        event_seq: 0,
        edited_at: None,
        recalled_at: None,
        expires_at: None,
        expired_at: None,
    }
}

async fn send(store: &Arc<dyn Store>, m: &Message) -> anyhow::Result<Message> {
    Ok(send_new(store, m).await?.0)
}

/// Sends a new message: the message and the event it committed.
async fn send_new(store: &Arc<dyn Store>, m: &Message) -> anyhow::Result<(Message, Committed)> {
    match store
        .send_message(m, &[], None, event(AuditAction::MessageSent))
        .await?
    {
        SendOutcome::Created { message, committed } => Ok((message, committed)),
        SendOutcome::Existing(_) => anyhow::bail!("expected a new message"),
    }
}

conformance!(
    messages_get_gap_free_seqs_once_per_client_id,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob", "cyd"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        let created = store
            .create_conversation(&group, &ids[..2], event(AuditAction::ConversationCreated))
            .await?;
        assert_eq!(created.event.kind, EventKind::ConversationUpdated);
        assert_eq!(created.recipients.len(), 2);

        let mut tasks = Vec::new();
        for i in 0..20 {
            let store = Arc::clone(&store);
            let m = message(group.id, ids[i % 2], i as u8);
            tasks.push(tokio::spawn(async move { send(&store, &m).await }));
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await??.seq);
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=20).collect::<Vec<_>>());

        let first = message(group.id, ids[0], 99);
        let stored = send(&store, &first).await?;
        assert_eq!(stored.seq, 21);
        match store
            .send_message(&first, &[], None, event(AuditAction::MessageSent))
            .await?
        {
            SendOutcome::Existing(existing) => assert_eq!(existing, stored),
            other => panic!("a retried send created something: {other:?}"),
        }
        let stranger = message(group.id, ids[2], 1);
        let outsider = store
            .send_message(&stranger, &[], None, event(AuditAction::MessageSent))
            .await;
        assert!(matches!(outsider, Err(StoreError::NotFound(_))));

        let page = store.messages(group.id, 10, 5).await?;
        assert_eq!(
            page.iter().map(|m| m.seq).collect::<Vec<_>>(),
            [11, 12, 13, 14, 15]
        );
        let listed = store.conversations_of(ids[1]).await?;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].last_seq, 21);
        Ok(())
    }
);

conformance!(
    removed_members_see_nothing_after_their_removal,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
            .await?;
        let before = send(&store, &message(group.id, ids[0], 1)).await?;
        let removal = store
            .remove_member(
                group.id,
                ids[1],
                Timestamp::now(),
                event(AuditAction::MemberRemoved),
            )
            .await?
            .expect("removed");
        assert!(
            removal.recipients.contains(&ids[1]),
            "the removed member learns of it"
        );
        send(&store, &message(group.id, ids[0], 2)).await?;

        let seen: Vec<_> = store
            .events_for(ids[1], 0, 100)
            .await?
            .into_iter()
            .map(|i| i.event)
            .collect();
        let kinds: Vec<_> = seen.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::ConversationUpdated,
                EventKind::MessageCreated,
                EventKind::MemberRemoved
            ]
        );
        assert_eq!(seen[1].message_id, Some(before.id));
        assert!(!store.is_member(group.id, ids[1]).await?);
        assert_eq!(store.events_for(ids[0], 0, 100).await?.len(), 4);
        let none = store.remove_member(
            group.id,
            ids[1],
            Timestamp::now(),
            event(AuditAction::MemberRemoved),
        );
        assert_eq!(none.await?, None);
        Ok(())
    }
);

conformance!(
    the_log_names_the_recipients_live_delivery_did,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob", "cyd"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        let created = store
            .create_conversation(&group, &ids[..2], event(AuditAction::ConversationCreated))
            .await?;
        let mut live = vec![created];
        live.push(send_new(&store, &message(group.id, ids[0], 1)).await?.1);
        live.push(
            store
                .remove_member(
                    group.id,
                    ids[1],
                    Timestamp::now(),
                    event(AuditAction::MemberRemoved),
                )
                .await?
                .expect("removed"),
        );
        live.push(send_new(&store, &message(group.id, ids[0], 2)).await?.1);

        let start = live[0].event.seq - 1;
        let end = live[live.len() - 1].event.seq;
        let logged = store.events_between(start, end, 100).await?;
        assert_eq!(logged.len(), live.len(), "every position, none twice");
        for (read, committed) in logged.iter().zip(&live) {
            assert_eq!(read.item.event, committed.event);
            let (mut a, mut b) = (read.recipients.clone(), committed.recipients.clone());
            a.sort();
            b.sort();
            assert_eq!(a, b, "recipients of {:?}", committed.event.kind);
        }
        assert!(
            logged[1].item.message.is_some(),
            "a message comes with its event"
        );
        assert!(
            !logged[3].recipients.contains(&ids[1]),
            "nothing after a removal"
        );
        assert_eq!(
            store.events_between(start, end, 2).await?.len(),
            2,
            "bounded"
        );
        assert!(store.events_between(end, end + 10, 100).await?.is_empty());
        Ok(())
    }
);

conformance!(
    read_and_delivery_receipts_move_forward_only,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob"]).await?;
        let direct = conversation(ConversationKind::Direct, ids[0]);
        store
            .create_conversation(&direct, &ids, event(AuditAction::ConversationCreated))
            .await?;
        let mut last = None;
        for i in 0..3 {
            last = Some(send(&store, &message(direct.id, ids[0], i)).await?);
        }
        let last = last.expect("sent");
        let bob_session = ward_core::id::SessionId::new();
        let bob = store.user(ids[1]).await?.expect("bob");
        let session = crate::sessions::session_for(&bob, Timestamp::now());
        let session = ward_core::session::Session {
            id: bob_session,
            ..session
        };
        store
            .create_session(&session, None, event(AuditAction::LoginSucceeded))
            .await?;

        let delivered = store
            .record_delivery(bob_session, ids[1], last.event_seq, Timestamp::now())
            .await?;
        assert_eq!(delivered.len(), 1);
        assert!(
            store
                .record_delivery(bob_session, ids[1], last.event_seq, Timestamp::now())
                .await?
                .is_empty()
        );
        let read = store
            .mark_read(
                direct.id,
                ids[1],
                2,
                Timestamp::now(),
                event(AuditAction::ReadReceipt),
            )
            .await?;
        assert!(read.is_some());
        let again = store.mark_read(
            direct.id,
            ids[1],
            1,
            Timestamp::now(),
            event(AuditAction::ReadReceipt),
        );
        assert_eq!(again.await?, None, "read positions never move back");
        let receipts = store.receipts(direct.id).await?;
        let bobs = receipts
            .iter()
            .find(|r| r.user_id == ids[1])
            .expect("bob's receipt");
        assert_eq!((bobs.delivered_seq, bobs.read_seq), (3, 2));
        let anns = receipts
            .iter()
            .find(|r| r.user_id == ids[0])
            .expect("ann's receipt");
        assert_eq!(anns.read_seq, 3, "a sender has read their own messages");
        let summary = store.conversations_of(ids[1]).await?;
        assert_eq!(summary[0].last_seq - summary[0].read_seq, 1, "one unread");
        Ok(())
    }
);

conformance!(patients_have_one_care_team_conversation, |store: Arc<
    dyn Store,
>| async move {
    let ids = users(&store, &["ann", "bob", "cyd"]).await?;
    let patient = PatientRecord {
        id: PatientId::new(),
        mrn_index: [3; 32],
        sealed_demographics: vec![1; 64],
        user_id: None,
        created_at: Timestamp::now(),
    };
    let mut thread = conversation(ConversationKind::CareTeam, ids[0]);
    thread.patient_id = Some(patient.id);
    store
        .create_patient(
            &patient,
            &ids[..2],
            &thread,
            event(AuditAction::PatientCreated),
        )
        .await?;
    assert_eq!(
        store.patient_by_mrn_index(&[3; 32]).await?,
        Some(patient.clone())
    );
    assert_eq!(
        store
            .care_team_conversation(patient.id)
            .await?
            .map(|c| c.id),
        Some(thread.id)
    );
    assert_eq!(store.patients_of(ids[1]).await?.len(), 1);
    assert!(store.patients_of(ids[2]).await?.is_empty());

    let twin = PatientRecord {
        id: PatientId::new(),
        ..patient.clone()
    };
    let mut other = conversation(ConversationKind::CareTeam, ids[0]);
    other.patient_id = Some(twin.id);
    let dup = store.create_patient(&twin, &ids[..1], &other, event(AuditAction::PatientCreated));
    assert!(
        matches!(dup.await, Err(StoreError::Conflict(_))),
        "an MRN is registered once"
    );

    let now = Timestamp::now();
    let added = store
        .set_care_team_member(
            patient.id,
            ids[2],
            true,
            now,
            event(AuditAction::CareTeamChanged),
        )
        .await?;
    assert!(added.is_some());
    assert!(
        store.is_member(thread.id, ids[2]).await?,
        "the thread follows the care team"
    );
    store
        .set_care_team_member(
            patient.id,
            ids[0],
            false,
            now,
            event(AuditAction::CareTeamChanged),
        )
        .await?;
    assert!(!store.is_member(thread.id, ids[0]).await?);
    assert_eq!(store.care_team(patient.id).await?.len(), 2);
    Ok(())
});
