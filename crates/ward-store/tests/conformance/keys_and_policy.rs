use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::id::ConversationId;
use ward_core::keys::{DataKeyRecord, Epoch, KeyScope, WrappedKey};
use ward_core::policy::Policy;
use ward_store::Store;

use crate::{conformance, event};

fn record(scope: KeyScope, epoch: i64, bytes: u8) -> DataKeyRecord {
    DataKeyRecord {
        scope,
        epoch: Epoch::from_index(epoch),
        wrapped: WrappedKey {
            root_key_id: "root-a".into(),
            ciphertext: vec![bytes; 60],
        },
        created_at: Timestamp::now(),
    }
}

conformance!(data_keys_are_kept_once_per_scope_and_epoch, |store: Arc<
    dyn Store,
>| async move {
    let conversation = KeyScope::Conversation(ConversationId::new());
    let first = store.insert_data_key(&record(conversation, 670, 1)).await?;
    let raced = store.insert_data_key(&record(conversation, 670, 2)).await?;
    assert_eq!(raced.wrapped, first.wrapped, "the first key written wins");
    store.insert_data_key(&record(conversation, 671, 3)).await?;
    store
        .insert_data_key(&record(KeyScope::AccountSecrets, 0, 4))
        .await?;
    assert_eq!(store.data_keys().await?.len(), 3);
    let got = store.data_key(conversation, Epoch::from_index(671)).await?;
    assert_eq!(got.map(|r| r.wrapped.ciphertext), Some(vec![3; 60]));
    assert_eq!(
        store.data_key(conversation, Epoch::from_index(1)).await?,
        None
    );

    let mut rewrapped = store.data_keys().await?;
    for r in &mut rewrapped {
        r.wrapped.root_key_id = "root-b".into();
    }
    store
        .replace_wrapped_keys(&rewrapped, event(AuditAction::RootKeyRotated))
        .await?;
    assert!(
        store
            .data_keys()
            .await?
            .iter()
            .all(|r| r.wrapped.root_key_id == "root-b")
    );
    Ok(())
});

conformance!(
    policy_defaults_and_changes,
    |store: Arc<dyn Store>| async move {
        assert_eq!(store.policy().await?, Policy::default());
        let mut policy = Policy::default();
        policy.session.idle_timeout_secs = 300;
        policy.mfa_required_roles.clear();
        store
            .set_policy(&policy, Timestamp::now(), event(AuditAction::PolicyChanged))
            .await?;
        assert_eq!(store.policy().await?, policy);
        policy.login.max_failures_per_account = 5;
        store
            .set_policy(&policy, Timestamp::now(), event(AuditAction::PolicyChanged))
            .await?;
        assert_eq!(store.policy().await?.login.max_failures_per_account, 5);
        store.ping().await?;
        Ok(())
    }
);
