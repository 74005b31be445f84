use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::role::{Permission, RoleName};
use ward_core::user::{DisplayName, SEALED_DISPLAY_NAME, UserStatus, Username};
use ward_store::{Store, StoreError, TotpFactor};

use crate::{audit_len, conformance, event, user};

conformance!(
    builtin_roles_are_seeded,
    |store: Arc<dyn Store>| async move {
        let roles = store.list_roles().await?;
        assert_eq!(roles.len(), 7);
        let nurse = store
            .role(&RoleName::parse("nurse")?)
            .await?
            .expect("nurse");
        assert!(nurse.builtin && nurse.allows(Permission::MessagesSend));
        assert!(store.role(&RoleName::parse("janitor")?).await?.is_none());
        Ok(())
    }
);

conformance!(users_are_created_found_and_unique, |store: Arc<
    dyn Store,
>| async move {
    let ada = user("ada", "physician");
    store
        .create_user(&ada, event(AuditAction::UserCreated))
        .await?;
    assert_eq!(store.user(ada.id).await?, Some(ada.clone()));
    assert_eq!(
        store.user_by_username(&Username::parse("ADA")?).await?,
        Some(ada.clone())
    );
    assert_eq!(audit_len(&store).await?, 1);

    let twin = user("ada", "nurse");
    let dup = store
        .create_user(&twin, event(AuditAction::UserCreated))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(store.user(twin.id).await?, None);
    assert_eq!(
        audit_len(&store).await?,
        1,
        "a refused change leaves no audit event"
    );

    let ghost = user("ghost", "no_such_role");
    let missing = store
        .create_user(&ghost, event(AuditAction::UserCreated))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound("role"))),
        "{missing:?}"
    );

    store
        .create_user(&user("bea", "nurse"), event(AuditAction::UserCreated))
        .await?;
    let names: Vec<_> = store
        .list_users()
        .await?
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    assert_eq!(names, ["ada", "bea"]);
    Ok(())
});

conformance!(
    concurrent_writes_fail_alone,
    |store: Arc<dyn Store>| async move {
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = Arc::clone(&store);
            // Every fourth name repeats an earlier one and must fail without hurting the others.
            let name = if i % 4 == 3 {
                format!("user{}", i - 1)
            } else {
                format!("user{i}")
            };
            tasks.push(tokio::spawn(async move {
                store
                    .create_user(&user(&name, "staff"), event(AuditAction::UserCreated))
                    .await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await? {
                Ok(()) => ok += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        assert_eq!(ok, 30);
        assert_eq!(store.list_users().await?.len(), 30);
        assert_eq!(audit_len(&store).await?, 30);
        Ok(())
    }
);

conformance!(disabling_a_user_ends_their_sessions, |store: Arc<
    dyn Store,
>| async move {
    let ada = user("ada", "physician");
    store
        .create_user(&ada, event(AuditAction::UserCreated))
        .await?;
    let session = crate::sessions::session_for(&ada, Timestamp::now());
    store
        .create_session(&session, None, event(AuditAction::LoginSucceeded))
        .await?;
    let now = Timestamp::now();
    store
        .set_user_status(
            ada.id,
            UserStatus::Disabled,
            now,
            event(AuditAction::UserStatusChanged),
        )
        .await?;
    assert_eq!(
        store.user(ada.id).await?.map(|u| u.status),
        Some(UserStatus::Disabled)
    );
    assert!(store.list_sessions(ada.id).await?.is_empty());
    let ended = store.session(session.id).await?.and_then(|s| s.ended);
    assert_eq!(ended.map(|(_, r)| r.as_str()), Some("user_disabled"));
    let nobody = ward_core::id::UserId::new();
    let missing = store
        .set_user_status(
            nobody,
            UserStatus::Active,
            now,
            event(AuditAction::UserStatusChanged),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    Ok(())
});

conformance!(a_sealed_display_name_is_stored_only_sealed, |store: Arc<
    dyn Store,
>| async move {
    // Created sealed: the plain column holds the placeholder, whatever the struct held.
    let mut pat = user("pat.jones", "patient");
    pat.sealed_display_name = Some(vec![7; 40]);
    store
        .create_user(&pat, event(AuditAction::UserCreated))
        .await?;
    let stored = store.user(pat.id).await?.expect("stored");
    assert_eq!(stored.display_name, DisplayName::sealed());
    assert_eq!(stored.sealed_display_name, Some(vec![7; 40]));

    // Stored plain (as an earlier version did), then sealed once, audited once.
    let old = user("sam.garcia", "patient");
    store
        .create_user(&old, event(AuditAction::UserCreated))
        .await?;
    assert_eq!(store.user(old.id).await?, Some(old.clone()));
    let before = audit_len(&store).await?;
    let sealed = store
        .seal_display_name(old.id, &[9; 40], event(AuditAction::UserNameSealed))
        .await?;
    assert!(sealed);
    let stored = store.user(old.id).await?.expect("stored");
    assert_eq!(stored.display_name.as_str(), SEALED_DISPLAY_NAME);
    assert_eq!(stored.sealed_display_name, Some(vec![9; 40]));
    assert_eq!(audit_len(&store).await?, before + 1);

    // A second node sealing it again, or an unknown account: nothing written or audited.
    let again = store
        .seal_display_name(old.id, &[1; 40], event(AuditAction::UserNameSealed))
        .await?;
    assert!(!again);
    let nobody = ward_core::id::UserId::new();
    let missing = store
        .seal_display_name(nobody, &[1; 40], event(AuditAction::UserNameSealed))
        .await?;
    assert!(!missing);
    let stored = store.user(old.id).await?.expect("stored");
    assert_eq!(stored.sealed_display_name, Some(vec![9; 40]));
    assert_eq!(audit_len(&store).await?, before + 1);
    Ok(())
});

conformance!(
    totp_enrollment_and_replay,
    |store: Arc<dyn Store>| async move {
        let ada = user("ada", "admin");
        store
            .create_user(&ada, event(AuditAction::UserCreated))
            .await?;
        let factor = TotpFactor {
            user_id: ada.id,
            sealed_secret: vec![1, 2, 3],
            confirmed: false,
            last_used_step: None,
            created_at: Timestamp::now(),
        };
        store
            .begin_totp_enrollment(&factor, event(AuditAction::TotpEnrollmentStarted))
            .await?;
        let mut enrolling = crate::sessions::session_for(&ada, Timestamp::now());
        enrolling.scope = ward_core::session::SessionScope::MfaEnrollment;
        store
            .create_session(&enrolling, None, event(AuditAction::LoginSucceeded))
            .await?;

        store
            .complete_totp_enrollment(ada.id, 100, enrolling.id, event(AuditAction::TotpEnrolled))
            .await?;
        let stored = store.totp_factor(ada.id).await?.expect("factor");
        assert!(stored.confirmed);
        assert_eq!(stored.last_used_step, Some(100));
        let scope = store.session(enrolling.id).await?.map(|s| s.scope);
        assert_eq!(scope, Some(ward_core::session::SessionScope::Full));

        let again = store.begin_totp_enrollment(&factor, event(AuditAction::TotpEnrollmentStarted));
        assert!(matches!(again.await, Err(StoreError::Conflict(_))));

        // A code for step 100 was used; a sign-in with it again creates nothing.
        let replay = crate::sessions::session_for(&ada, Timestamp::now());
        let refused = store.create_session(&replay, Some(100), event(AuditAction::LoginSucceeded));
        assert!(matches!(refused.await, Err(StoreError::Conflict(_))));
        assert_eq!(store.session(replay.id).await?, None);
        let fresh = crate::sessions::session_for(&ada, Timestamp::now());
        store
            .create_session(&fresh, Some(101), event(AuditAction::LoginSucceeded))
            .await?;
        assert_eq!(
            store
                .totp_factor(ada.id)
                .await?
                .and_then(|f| f.last_used_step),
            Some(101)
        );

        store
            .reset_totp(ada.id, Timestamp::now(), event(AuditAction::TotpReset))
            .await?;
        assert_eq!(store.totp_factor(ada.id).await?, None);
        // The sessions signed in with the removed factor end with it.
        let ended = store.session(fresh.id).await?.and_then(|s| s.ended);
        assert_eq!(ended.map(|(_, r)| r.as_str()), Some("factor_reset"));
        assert!(store.list_sessions(ada.id).await?.is_empty());
        let twice = store
            .reset_totp(ada.id, Timestamp::now(), event(AuditAction::TotpReset))
            .await;
        assert!(matches!(twice, Err(StoreError::NotFound(_))));
        Ok(())
    }
);
