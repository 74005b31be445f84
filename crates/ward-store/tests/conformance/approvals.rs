use std::sync::Arc;

use ward_core::Timestamp;
use ward_core::audit::AuditAction;
use ward_core::id::UserId;
use ward_core::privileged::{
    Change, ChangeState, PrivilegedChange, ProposedAccount, REQUEST_LIFETIME_SECS,
};
use ward_core::role::RoleName;
use ward_core::user::{DisplayName, User, Username};
use ward_store::{Store, StoreError, StoreResult};

use crate::{audit_len, conformance, event, user};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

fn new_officer(name: &str) -> anyhow::Result<Change> {
    Ok(Change::CreateUser(ProposedAccount {
        username: Username::parse(name)?,
        display_name: DisplayName::parse("Casey Compliance")?,
        role: RoleName::parse(RoleName::COMPLIANCE_OFFICER)?,
        password_hash: HASH.into(),
    }))
}

/// An admin and a compliance officer, stored.
async fn people(store: &Arc<dyn Store>) -> anyhow::Result<(User, User)> {
    let admin = user("root", "admin");
    let officer = user("officer", "compliance_officer");
    for u in [&admin, &officer] {
        store
            .create_user(u, event(AuditAction::UserCreated))
            .await?;
    }
    Ok((admin, officer))
}

/// Approves a request for a new account, with its two audit events.
async fn approve(
    store: &Arc<dyn Store>,
    request: &PrivilegedChange,
    by: UserId,
    at: Timestamp,
) -> StoreResult<bool> {
    store
        .approve_privileged_change(
            request,
            by,
            at,
            event(AuditAction::PrivilegedChangeApproved),
            event(AuditAction::UserCreated),
        )
        .await
}

conformance!(
    an_approval_creates_the_account_with_both_audit_events,
    |store: Arc<dyn Store>| async move {
        let (admin, officer) = people(&store).await?;
        let now = Timestamp::now();
        let subject = UserId::new();
        let request = PrivilegedChange::request(new_officer("auditor")?, subject, admin.id, now);
        store
            .request_privileged_change(&request, event(AuditAction::PrivilegedChangeRequested))
            .await?;
        assert_eq!(
            store.privileged_change(request.id).await?,
            Some(request.clone())
        );
        assert_eq!(store.user(subject).await?, None);
        let pending = Some(ChangeState::Pending);
        assert_eq!(
            store.privileged_changes(None, pending, now, 10).await?,
            vec![request.clone()]
        );
        assert_eq!(
            store
                .privileged_changes(Some(admin.id), None, now, 10)
                .await?
                .len(),
            1
        );
        assert!(
            store
                .privileged_changes(Some(officer.id), None, now, 10)
                .await?
                .is_empty()
        );

        // A day later the request has lapsed and can no longer be approved.
        let later = now.plus_secs(REQUEST_LIFETIME_SECS);
        assert!(
            store
                .privileged_changes(None, pending, later, 10)
                .await?
                .is_empty()
        );
        let expired = Some(ChangeState::Expired);
        assert_eq!(
            store
                .privileged_changes(None, expired, later, 10)
                .await?
                .len(),
            1
        );
        let before = audit_len(&store).await?;
        assert!(!approve(&store, &request, officer.id, later).await?);
        assert_eq!(audit_len(&store).await?, before);

        let at = now.plus_secs(60);
        assert!(approve(&store, &request, officer.id, at).await?);
        assert_eq!(audit_len(&store).await?, before + 2);
        let made = store.user(subject).await?.expect("the account");
        assert_eq!(made.username.as_str(), "auditor");
        assert_eq!(made.role.as_str(), RoleName::COMPLIANCE_OFFICER);
        assert_eq!(made.password_hash, HASH);
        let decided = store
            .privileged_change(request.id)
            .await?
            .expect("the request");
        assert_eq!(decided.state, ChangeState::Approved);
        assert_eq!(decided.decided_by, Some(officer.id));
        assert_eq!(decided.decided_at, Some(at));
        match &decided.change {
            Change::CreateUser(account) => {
                assert!(account.password_hash.is_empty(), "the hash is not kept")
            }
            Change::ResetTotp => panic!("the kind changed"),
        }

        // Decided once only.
        assert!(!approve(&store, &request, officer.id, at).await?);
        let rejected = store
            .reject_privileged_change(
                request.id,
                officer.id,
                at,
                event(AuditAction::PrivilegedChangeRejected),
            )
            .await?;
        assert!(!rejected);
        assert_eq!(audit_len(&store).await?, before + 2);
        Ok(())
    }
);

conformance!(
    a_change_that_fails_leaves_the_request_pending,
    |store: Arc<dyn Store>| async move {
        let (admin, officer) = people(&store).await?;
        let now = Timestamp::now();
        // The officer has no second factor to remove.
        let request = PrivilegedChange::request(Change::ResetTotp, officer.id, admin.id, now);
        store
            .request_privileged_change(&request, event(AuditAction::PrivilegedChangeRequested))
            .await?;
        let before = audit_len(&store).await?;
        let failed = store
            .approve_privileged_change(
                &request,
                admin.id,
                now,
                event(AuditAction::PrivilegedChangeApproved),
                event(AuditAction::TotpReset),
            )
            .await;
        assert!(matches!(failed, Err(StoreError::NotFound(_))), "{failed:?}");
        assert_eq!(audit_len(&store).await?, before);
        let still = store.privileged_change(request.id).await?.expect("request");
        assert_eq!(still.state, ChangeState::Pending);

        assert!(
            store
                .reject_privileged_change(
                    request.id,
                    admin.id,
                    now,
                    event(AuditAction::PrivilegedChangeRejected),
                )
                .await?
        );
        assert_eq!(audit_len(&store).await?, before + 1);
        let rejected = store.privileged_change(request.id).await?.expect("request");
        assert_eq!(rejected.state, ChangeState::Rejected);
        assert_eq!(rejected.decided_by, Some(admin.id));
        Ok(())
    }
);
