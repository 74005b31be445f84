use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::conversation::{ConversationKind, EventKind};
use ward_store::{SendOutcome, Store};

use crate::messaging::{conversation, message, users};
use crate::{conformance, event};

conformance!(
    edits_keep_versions_and_recalls_and_expiry_are_final,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
            .await?;
        let first = message(group.id, ids[0], 1);
        let SendOutcome::Created { message: sent, .. } = store
            .send_message(&first, &[], None, event(AuditAction::MessageSent))
            .await?
        else {
            anyhow::bail!("expected a new message");
        };

        let now = Timestamp::now();
        let edit = |by, body: u8| {
            let store = Arc::clone(&store);
            let sent = sent.clone();
            async move {
                store
                    .edit_message(
                        &sent,
                        by,
                        sent.epoch,
                        vec![body; 48],
                        now,
                        event(AuditAction::MessageEdited),
                    )
                    .await
            }
        };
        assert!(edit(ids[1], 7).await?.is_none(), "only the sender edits");
        let committed = edit(ids[0], 2).await?.expect("edited");
        assert_eq!(committed.event.kind, EventKind::MessageEdited);
        assert_eq!(committed.recipients.len(), 2);
        edit(ids[0], 3).await?.expect("edited again");
        let versions = store.message_versions(sent.id).await?;
        assert_eq!(
            versions
                .iter()
                .map(|v| (v.version, v.sealed_body[0]))
                .collect::<Vec<_>>(),
            [(1, first.sealed_body[0]), (2, 2)],
            "each replaced body is kept, oldest first"
        );
        let stored = store.message(sent.id).await?.expect("message");
        assert_eq!(stored.sealed_body, vec![3; 48]);
        assert!(stored.edited_at.is_some());

        let recall = |by| store.recall_message(&sent, by, now, event(AuditAction::MessageRecalled));
        assert!(recall(ids[1]).await?.is_none(), "only the sender recalls");
        let committed = recall(ids[0]).await?.expect("recalled");
        assert_eq!(committed.event.kind, EventKind::MessageRecalled);
        assert!(recall(ids[0]).await?.is_none(), "once");
        assert!(
            edit(ids[0], 4).await?.is_none(),
            "a recalled message is not edited"
        );
        assert!(
            store
                .message(sent.id)
                .await?
                .expect("kept")
                .recalled_at
                .is_some()
        );

        // Expiry: due messages once each, events for the members.
        let mut short = message(group.id, ids[1], 5);
        short.expires_at = Some(now.minus_secs(1));
        store
            .send_message(&short, &[], None, event(AuditAction::MessageSent))
            .await?;
        let due = store.expiring_messages(now, 10).await?;
        assert_eq!(due, [(short.id, group.id)]);
        let expired = store
            .expire_messages(&due, now, event(AuditAction::MessagesExpired))
            .await?;
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].event.kind, EventKind::MessageExpired);
        assert!(store.expiring_messages(now, 10).await?.is_empty());
        let again = store
            .expire_messages(&due, now, event(AuditAction::MessagesExpired))
            .await?;
        assert!(again.is_empty(), "a message expires once");
        Ok(())
    }
);
