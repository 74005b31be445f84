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

/// Rows of `data_keys` in the PostgreSQL database at `url`.
async fn key_rows(url: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM data_keys")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    n
}

/// On PostgreSQL the data keys live in the key database, never in the main one that `pg_dump`
/// and PITR archive; keys an earlier version kept there move over; a destroyed key is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_data_keys_in_the_key_database() {
    let Some(db) = ward_store::testing::TestDatabase::postgres().await else {
        return;
    };
    let ward_store::StoreConfig::Postgres {
        url,
        key_store_url: Some(key_url),
        key_dir,
        ..
    } = db.config.clone()
    else {
        panic!("a PostgreSQL test database has a key database");
    };
    let open = |key_store_url: Option<String>| {
        let config = ward_store::StoreConfig::Postgres {
            url: url.clone(),
            max_connections: 2,
            key_store_url,
            key_dir: key_dir.clone(),
        };
        async move {
            ward_store::open(&config, Arc::new(ward_crypto::audit_chain::Sha256Chain))
                .await
                .expect("open store")
        }
    };
    let conversation = KeyScope::Conversation(ConversationId::new());

    // An earlier version, without a key database, kept the key in the main database.
    let legacy = open(None).await;
    legacy
        .insert_data_key(&record(conversation, 670, 1))
        .await
        .expect("insert");
    legacy.close().await;
    assert_eq!(key_rows(&url).await, 1);

    let store = open(Some(key_url.clone())).await;
    assert_eq!(key_rows(&url).await, 0, "moved out of the main database");
    assert_eq!(key_rows(&key_url).await, 1);
    let moved = store
        .data_key(conversation, Epoch::from_index(670))
        .await
        .expect("read");
    assert_eq!(moved.map(|r| r.wrapped.ciphertext), Some(vec![1; 60]));

    store
        .insert_data_key(&record(conversation, 671, 2))
        .await
        .expect("insert");
    assert_eq!((key_rows(&url).await, key_rows(&key_url).await), (0, 2));

    store
        .destroy_data_key(conversation, Epoch::from_index(670))
        .await
        .expect("destroy");
    assert_eq!(key_rows(&key_url).await, 1);
    assert_eq!(
        store
            .data_key(conversation, Epoch::from_index(670))
            .await
            .expect("read"),
        None
    );
    store.close().await;
    db.drop_database().await;
}
