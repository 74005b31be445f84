use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::clinical::{ClinicalRole, EscalationAdvance, EscalationStep, Shift};
use ward_core::conversation::{ConversationKind, EventKind, Priority};
use ward_core::id::{ClinicalRoleId, ShiftId};
use ward_store::{SendOutcome, Store, StoreError};

use crate::messaging::{conversation, message, users};
use crate::{conformance, event};

conformance!(
    acknowledgements_and_escalations_are_taken_once,
    |store: Arc<dyn Store>| async move {
        let ids = users(&store, &["ann", "bob", "cyd"]).await?;
        let group = conversation(ConversationKind::Group, ids[0]);
        store
            .create_conversation(&group, &ids[..2], event(AuditAction::ConversationCreated))
            .await?;
        let mut urgent = message(group.id, ids[0], 1);
        urgent.priority = Priority::Urgent;
        let now = Timestamp::now();
        let SendOutcome::Created { message: sent, .. } = store
            .send_message(&urgent, &[], Some(now), event(AuditAction::MessageSent))
            .await?
        else {
            anyhow::bail!("expected a new message");
        };
        assert_eq!(store.members_at(group.id, sent.event_seq).await?, {
            let mut both = ids[..2].to_vec();
            both.sort();
            both
        });

        // Due now: one escalation, and only one writer can take its first step.
        let due = store.due_escalations(now, 10).await?;
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].message_id, due[0].steps_taken), (sent.id, 0));
        let step = EscalationAdvance {
            escalation: due[0],
            step: Some((EscalationStep::OnCall, Some(ids[2]))),
            next_due: Some(now.plus_secs(60)),
            grant_until: now.plus_secs(3600),
            at: now,
        };
        let taken = store
            .advance_escalation(step, event(AuditAction::MessageEscalated))
            .await?
            .expect("first claim");
        let kinds: Vec<EventKind> = taken.iter().map(|c| c.event.kind).collect();
        assert_eq!(kinds, [EventKind::EscalationOnCall], "no membership change");
        assert!(
            taken[0].recipients.contains(&ids[2]),
            "the on-call holder's devices hear of it"
        );
        assert!(
            !store.is_member(group.id, ids[2]).await?,
            "but is no member"
        );
        let grants = store.escalation_grants(ids[2], now).await?;
        assert_eq!(grants.len(), 1);
        assert_eq!(
            (grants[0].message_id, grants[0].step),
            (sent.id, EscalationStep::OnCall)
        );
        assert!(
            store
                .escalation_grants(ids[2], now.plus_secs(3600))
                .await?
                .is_empty()
        );
        assert_eq!(store.lapsed_grants(now.plus_secs(3600), 10).await?.len(), 1);
        assert!(
            store
                .advance_escalation(step, event(AuditAction::MessageEscalated))
                .await?
                .is_none(),
            "a second claim of the same step takes nothing"
        );
        assert!(store.due_escalations(now, 10).await?.is_empty());

        // Acknowledging is recorded once; a recipient's does not end the holder's grant.
        let ack = store
            .acknowledge(
                sent.id,
                group.id,
                (ids[1], false),
                now,
                event(AuditAction::MessageAcknowledged),
            )
            .await?
            .expect("first ack");
        assert_eq!(ack.event.kind, EventKind::MessageAcknowledged);
        assert!(
            store
                .acknowledge(
                    sent.id,
                    group.id,
                    (ids[1], false),
                    now,
                    event(AuditAction::MessageAcknowledged)
                )
                .await?
                .is_none()
        );
        assert_eq!(store.acks(sent.id).await?, [(ids[1], now)]);
        assert_eq!(store.escalation_grants(ids[2], now).await?.len(), 1);
        // The holder's own acknowledgement settles the message and ends the grant (audited).
        store
            .acknowledge(
                sent.id,
                group.id,
                (ids[2], true),
                now,
                event(AuditAction::MessageAcknowledged),
            )
            .await?
            .expect("holder's ack");
        assert!(store.escalation_grants(ids[2], now).await?.is_empty());
        assert!(
            store
                .lapsed_grants(now.plus_secs(3600), 10)
                .await?
                .is_empty()
        );
        let ends = store
            .search_audit(&ward_core::audit::AuditFilter {
                action: Some(AuditAction::EscalationGrantEnded),
                limit: 10,
                ..Default::default()
            })
            .await?;
        assert_eq!(ends.len(), 1);
        Ok(())
    }
);

conformance!(roles_have_unique_names_and_shifts, |store: Arc<
    dyn Store,
>| async move {
    let ids = users(&store, &["ann", "bob"]).await?;
    let role = ClinicalRole {
        id: ClinicalRoleId::new(),
        name: "Cardiology on-call".into(),
        supervisor_id: Some(ids[1]),
        created_at: Timestamp::now(),
    };
    store
        .create_clinical_role(&role, event(AuditAction::ClinicalRoleCreated))
        .await?;
    let twin = ClinicalRole {
        id: ClinicalRoleId::new(),
        ..role.clone()
    };
    assert!(matches!(
        store
            .create_clinical_role(&twin, event(AuditAction::ClinicalRoleCreated))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.clinical_role(role.id).await?, Some(role.clone()));
    assert_eq!(store.clinical_roles().await?, std::slice::from_ref(&role));

    let now = Timestamp::now();
    let shift = Shift {
        id: ShiftId::new(),
        role_id: role.id,
        user_id: ids[0],
        starts_at: now.minus_secs(60),
        ends_at: now.plus_secs(3600),
    };
    store
        .add_shift(&shift, event(AuditAction::ShiftScheduled))
        .await?;
    assert_eq!(store.shifts_covering(role.id, now).await?, [shift]);
    assert!(
        store
            .shifts_covering(role.id, now.plus_secs(7200))
            .await?
            .is_empty()
    );

    let group = conversation(ConversationKind::Group, ids[0]);
    store
        .create_conversation(&group, &ids, event(AuditAction::ConversationCreated))
        .await?;
    assert_eq!(store.escalation_role(group.id).await?, None);
    store
        .set_escalation_role(
            group.id,
            Some(role.id),
            event(AuditAction::EscalationRoleSet),
        )
        .await?;
    assert_eq!(store.escalation_role(group.id).await?, Some(role.id));
    store
        .set_escalation_role(group.id, None, event(AuditAction::EscalationRoleSet))
        .await?;
    assert_eq!(store.escalation_role(group.id).await?, None);
    Ok(())
});
