use std::sync::Arc;

use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::attachment::Attachment;
use ward_core::audit::AuditAction;
use ward_core::conversation::{ConversationKind, Message};
use ward_core::id::{ConversationId, UserId};
use ward_core::keys::Epoch;
use ward_store::{SendOutcome, Store, StoreError};

use crate::messaging::{conversation, message, users};
use crate::{conformance, event};

fn upload(conversation: ConversationId, uploader: UserId, created_at: Timestamp) -> Attachment {
    Attachment {
        id: Uuid::now_v7(),
        conversation_id: conversation,
        uploader_id: uploader,
        epoch: Epoch::from_index(670),
        media_type: "application/pdf".into(),
        size: 0,
        chunk_count: 0,
        sealed_name: None,
        sealed_thumbnail: None,
        metadata: "{}".into(),
        message_id: None,
        created_at,
    }
}

/// Uploads two chunks and finishes the upload.
async fn finished(store: &Arc<dyn Store>, a: &Attachment) -> anyhow::Result<Attachment> {
    store.begin_attachment(a).await?;
    store.put_attachment_chunk(a.id, 0, vec![1; 64]).await?;
    store.put_attachment_chunk(a.id, 1, vec![2; 32]).await?;
    let done = Attachment {
        size: 70,
        chunk_count: 2,
        sealed_name: Some(vec![3; 40]),
        sealed_thumbnail: Some(vec![4; 50]),
        metadata: r#"{"status":"not_stripped"}"#.into(),
        ..a.clone()
    };
    store
        .finish_attachment(&done, event(AuditAction::AttachmentUploaded))
        .await?;
    Ok(done)
}

async fn send_with(
    store: &Arc<dyn Store>,
    m: &Message,
    attachments: &[Uuid],
) -> Result<SendOutcome, StoreError> {
    store
        .send_message(m, attachments, None, event(AuditAction::MessageSent))
        .await
}

conformance!(
    uploads_finish_only_whole_and_read_back_by_chunk,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
            .await?;

        let a = upload(group.id, ids[0], Timestamp::now());
        store.begin_attachment(&a).await?;
        store.put_attachment_chunk(a.id, 0, vec![1; 64]).await?;
        assert!(store.attachment(a.id).await?.is_none(), "not ready yet");
        let claims_two = Attachment {
            chunk_count: 2,
            ..a.clone()
        };
        let short = store
            .finish_attachment(&claims_two, event(AuditAction::AttachmentUploaded))
            .await;
        assert!(matches!(short, Err(StoreError::Conflict(_))), "{short:?}");
        store.discard_upload(a.id).await?;
        let late = store.put_attachment_chunk(a.id, 1, vec![2; 8]).await;
        assert!(matches!(late, Err(StoreError::NotFound(_))), "{late:?}");

        let b = finished(&store, &upload(group.id, ids[0], Timestamp::now())).await?;
        assert_eq!(store.attachment(b.id).await?, Some(b.clone()));
        assert_eq!(store.attachment_chunk(b.id, 1).await?, Some(vec![2; 32]));
        assert_eq!(store.attachment_chunk(b.id, 2).await?, None);
        let late = store.put_attachment_chunk(b.id, 2, vec![2; 8]).await;
        assert!(
            matches!(late, Err(StoreError::NotFound(_))),
            "a finished upload is sealed"
        );
        Ok(())
    }
);

conformance!(
    a_send_takes_only_its_senders_unattached_uploads,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
            .await?;
        let other = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&other, &ids, event(AuditAction::ConversationCreated))
            .await?;
        let mine = finished(&store, &upload(group.id, ids[0], Timestamp::now())).await?;
        let bobs = finished(&store, &upload(group.id, ids[1], Timestamp::now())).await?;
        let elsewhere = finished(&store, &upload(other.id, ids[0], Timestamp::now())).await?;

        for refused in [&bobs, &elsewhere] {
            let m = message(group.id, ids[0], 1);
            let sent = send_with(&store, &m, &[mine.id, refused.id]).await;
            assert!(matches!(sent, Err(StoreError::Invalid(_))), "{sent:?}");
            assert!(store.message(m.id).await?.is_none(), "nothing half-stored");
        }
        assert_eq!(
            store.attachment(mine.id).await?.and_then(|a| a.message_id),
            None
        );

        let m = Message {
            sealed_attachments: Some(vec![9; 60]),
            ..message(group.id, ids[0], 2)
        };
        let SendOutcome::Created { message: sent, .. } = send_with(&store, &m, &[mine.id]).await?
        else {
            anyhow::bail!("expected a new message");
        };
        assert_eq!(sent.seq, 1, "refused sends took no seq");
        assert_eq!(
            store
                .message(m.id)
                .await?
                .and_then(|m| m.sealed_attachments),
            Some(vec![9; 60])
        );
        assert_eq!(
            store.attachment(mine.id).await?.and_then(|a| a.message_id),
            Some(m.id)
        );

        let again = send_with(&store, &message(group.id, ids[0], 3), &[mine.id]).await;
        assert!(
            matches!(again, Err(StoreError::Invalid(_))),
            "attached once only"
        );
        Ok(())
    }
);

conformance!(uploads_left_unfinished_are_swept, |store: Arc<
    dyn Store,
>| async move {
    let ids = users(&store, &["ann"]).await?;
    let group = conversation(ConversationKind::Group, ids[0]);
    store
        .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
        .await?;
    let now = Timestamp::now();
    let abandoned = upload(
        group.id,
        ids[0],
        Timestamp::from_micros(now.as_micros() - 7_200_000_000),
    );
    store.begin_attachment(&abandoned).await?;
    store
        .put_attachment_chunk(abandoned.id, 0, vec![1; 8])
        .await?;
    let recent = upload(group.id, ids[0], now);
    store.begin_attachment(&recent).await?;
    let done = finished(&store, &upload(group.id, ids[0], Timestamp::from_micros(0))).await?;

    let swept = store
        .discard_stale_uploads(Timestamp::from_micros(now.as_micros() - 3_600_000_000))
        .await?;
    assert_eq!(swept, 1);
    let late = store
        .put_attachment_chunk(abandoned.id, 1, vec![1; 8])
        .await;
    assert!(matches!(late, Err(StoreError::NotFound(_))));
    store.put_attachment_chunk(recent.id, 0, vec![1; 8]).await?;
    assert!(
        store.attachment(done.id).await?.is_some(),
        "finished uploads stay"
    );
    Ok(())
});
