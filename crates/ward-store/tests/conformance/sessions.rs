use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::id::SessionId;
use ward_core::session::{DeviceName, EndReason, Session, SessionScope};
use ward_core::user::User;
use ward_store::{FailureCounts, Store};

use crate::{audit_len, conformance, event, user};

pub(crate) fn session_for(user: &User, now: Timestamp) -> Session {
    let id = SessionId::new();
    let mut token_hash = [0u8; 32];
    token_hash[..16].copy_from_slice(id.as_bytes());
    Session {
        id,
        user_id: user.id,
        token_hash,
        device_name: DeviceName::parse("Ward on test").expect("device"),
        scope: SessionScope::Full,
        address: Some("127.0.0.1".into()),
        created_at: now,
        last_seen_at: now,
        expires_at: now.plus_secs(3600),
        ended: None,
        wipe_requested_at: None,
        wipe_confirmed_at: None,
    }
}

conformance!(sessions_are_found_touched_and_ended, |store: Arc<
    dyn Store,
>| async move {
    let ada = user("ada", "nurse");
    store
        .create_user(&ada, event(AuditAction::UserCreated))
        .await?;
    let t0 = Timestamp::now();
    let phone = session_for(&ada, t0);
    let desk = session_for(&ada, t0.plus_secs(1));
    store
        .create_session(&phone, None, event(AuditAction::LoginSucceeded))
        .await?;
    store
        .create_session(&desk, None, event(AuditAction::LoginSucceeded))
        .await?;

    assert_eq!(
        store.session_by_token(&phone.token_hash).await?,
        Some(phone.clone())
    );
    assert_eq!(store.session_by_token(&[9; 32]).await?, None);
    let listed: Vec<_> = store
        .list_sessions(ada.id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, [desk.id, phone.id], "newest first");

    store.touch_session(phone.id, t0.plus_secs(30)).await?;
    store.touch_session(phone.id, t0.plus_secs(10)).await?; // never moves backwards
    let seen = store.session(phone.id).await?.map(|s| s.last_seen_at);
    assert_eq!(seen, Some(t0.plus_secs(30)));

    let before = audit_len(&store).await?;
    let revoke = |at| {
        store.end_session(
            phone.id,
            at,
            EndReason::Revoked,
            event(AuditAction::SessionRevoked),
        )
    };
    assert!(revoke(t0.plus_secs(40)).await?);
    assert!(!revoke(t0.plus_secs(41)).await?, "ending twice is a no-op");
    assert_eq!(audit_len(&store).await?, before + 1);
    let ended = store.session(phone.id).await?.and_then(|s| s.ended);
    assert_eq!(ended, Some((t0.plus_secs(40), EndReason::Revoked)));
    let listed: Vec<_> = store
        .list_sessions(ada.id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, [desk.id]);
    Ok(())
});

conformance!(remote_wipe_is_ordered_then_confirmed, |store: Arc<
    dyn Store,
>| async move {
    let ada = user("ada", "nurse");
    store
        .create_user(&ada, event(AuditAction::UserCreated))
        .await?;
    let t0 = Timestamp::now();
    let phone = session_for(&ada, t0);
    store
        .create_session(&phone, None, event(AuditAction::LoginSucceeded))
        .await?;

    let confirm = |at| store.confirm_wipe(phone.id, at, event(AuditAction::WipeConfirmed));
    assert!(!confirm(t0).await?, "no confirmation without an order");
    assert!(
        store
            .request_wipe(phone.id, t0.plus_secs(1), event(AuditAction::WipeRequested))
            .await?
    );
    assert!(
        !store
            .request_wipe(phone.id, t0.plus_secs(2), event(AuditAction::WipeRequested))
            .await?
    );
    let pending = store.session(phone.id).await?.expect("session");
    assert_eq!(pending.wipe_requested_at, Some(t0.plus_secs(1)));
    assert_eq!(pending.ended, None);

    assert!(confirm(t0.plus_secs(5)).await?);
    let done = store.session(phone.id).await?.expect("session");
    assert_eq!(done.wipe_confirmed_at, Some(t0.plus_secs(5)));
    assert_eq!(done.ended, Some((t0.plus_secs(5), EndReason::Wiped)));
    Ok(())
});

conformance!(login_failures_are_counted_durably, |store: Arc<
    dyn Store,
>| async move {
    let t0 = Timestamp::now();
    for i in 0..3 {
        let at = t0.plus_secs(i);
        store
            .record_login_failure("ada", Some("10.0.0.1"), at, event(AuditAction::LoginFailed))
            .await?;
    }
    store
        .record_login_failure("bea", Some("10.0.0.1"), t0, event(AuditAction::LoginFailed))
        .await?;
    store
        .record_login_failure("ada", None, t0, event(AuditAction::LoginFailed))
        .await?;

    let counts = store.login_failures("ada", Some("10.0.0.1"), t0).await?;
    assert_eq!(
        counts,
        FailureCounts {
            account: 4,
            address: 4
        }
    );
    let later = store
        .login_failures("ada", Some("10.0.0.1"), t0.plus_secs(2))
        .await?;
    assert_eq!(
        later,
        FailureCounts {
            account: 1,
            address: 1
        }
    );
    let other = store.login_failures("cy", Some("10.0.0.9"), t0).await?;
    assert_eq!(other, FailureCounts::default());
    assert_eq!(audit_len(&store).await?, 5);
    Ok(())
});
