use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::{AuditAction, AuditFilter, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::{PatientId, UserId};
use ward_crypto::audit_chain::ChainVerifier;
use ward_store::Store;

use crate::conformance;

conformance!(concurrent_appends_form_one_chain, |store: Arc<
    dyn Store,
>| async move {
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(NewAuditEvent::new(
                    AuditAction::UsersListed,
                    Outcome::Success,
                ))
                .await
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await??);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=64).collect::<Vec<_>>());

    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = store.audit_chain_page(after, 10).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            verifier.check(event)?;
        }
    }
    assert_eq!(verifier.verified(), 64);
    Ok(())
});

conformance!(audit_search_filters, |store: Arc<dyn Store>| async move {
    let (ada, bea) = (UserId::new(), UserId::new());
    let patient = PatientId::new();
    let t0 = Timestamp::now();
    let mut expected_ada = Vec::new();
    for i in 0..6 {
        let mut e = NewAuditEvent::new(AuditAction::UserRead, Outcome::Success)
            .target(TargetKind::User, Some(*bea.as_uuid()));
        e.at = t0.plus_secs(i);
        e.actor = Some(if i % 2 == 0 { ada } else { bea });
        e.patient = (i == 4).then_some(patient);
        e.address = Some("192.0.2.7".into());
        let seq = store.append_audit(e).await?;
        if i % 2 == 0 {
            expected_ada.push(seq);
        }
    }
    let mut failed = NewAuditEvent::new(AuditAction::LoginFailed, Outcome::Failure);
    failed.at = t0.plus_secs(10);
    store.append_audit(failed).await?;

    let seqs = |events: Vec<ward_core::audit::AuditEvent>| -> Vec<i64> {
        events.into_iter().map(|e| e.seq).collect()
    };
    let all = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    assert_eq!(seqs(store.search_audit(&all).await?), [7, 6, 5, 4, 3, 2, 1]);

    let by_actor = AuditFilter {
        actor: Some(ada),
        ..all.clone()
    };
    expected_ada.reverse();
    assert_eq!(seqs(store.search_audit(&by_actor).await?), expected_ada);

    let by_patient = AuditFilter {
        patient: Some(patient),
        ..all.clone()
    };
    assert_eq!(seqs(store.search_audit(&by_patient).await?), [5]);

    let by_target = AuditFilter {
        target: Some(*bea.as_uuid()),
        ..all.clone()
    };
    assert_eq!(store.search_audit(&by_target).await?.len(), 6);

    let by_action = AuditFilter {
        action: Some(AuditAction::LoginFailed),
        ..all.clone()
    };
    let found = store.search_audit(&by_action).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event.outcome, Outcome::Failure);

    let window = AuditFilter {
        from: Some(t0.plus_secs(2)),
        to: Some(t0.plus_secs(3)),
        ..all.clone()
    };
    assert_eq!(seqs(store.search_audit(&window).await?), [4, 3]);

    let page = AuditFilter {
        before_seq: Some(4),
        limit: 2,
        ..all
    };
    assert_eq!(seqs(store.search_audit(&page).await?), [3, 2]);
    Ok(())
});

conformance!(checkpoints_are_kept_once_per_seq, |store: Arc<
    dyn Store,
>| async move {
    use ward_crypto::audit_signing::AuditSigner;
    use ward_crypto::keyring::SecretKey;

    assert_eq!(store.audit_head().await?, None);
    for _ in 0..3 {
        store
            .append_audit(NewAuditEvent::new(
                AuditAction::UsersListed,
                Outcome::Success,
            ))
            .await?;
    }
    let (seq, head) = store.audit_head().await?.expect("a head");
    let last = store.audit_chain_page(2, 10).await?;
    assert_eq!((seq, head), (3, last[0].hash));

    let signer = AuditSigner::from_seed(&SecretKey::generate()?)?;
    let at = Timestamp::from_micros(1_700_000_000_123_456);
    let later = signer.sign(seq, head, at);
    let earlier = signer.sign(1, store.audit_chain_page(0, 1).await?[0].hash, at);
    assert!(store.insert_checkpoint(&later).await?);
    assert!(store.insert_checkpoint(&earlier).await?);
    // Another node signing the same seq keeps the first.
    assert!(
        !store
            .insert_checkpoint(&signer.sign(seq, head, Timestamp::now()))
            .await?
    );
    assert_eq!(store.checkpoints().await?, vec![earlier, later]);
    Ok(())
});
