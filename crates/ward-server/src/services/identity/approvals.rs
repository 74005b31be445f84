//! Separation of duties. Granting the audit or compliance permissions (an account whose role
//! holds them) and removing the second factor of someone who holds them take two people: an
//! admin asks (`privileged_change.requested`), and someone else who holds the compliance
//! permission approves, which makes the change in the same transaction as its audit events
//! (`privileged_change.approved` and the change's own), or rejects. A request lapses after 24
//! hours. Where no one else could approve (first setup, or the only officer is the one to be
//! reset), the API refuses and names the operator's way, `ward admin`, which is audited too.

use secrecy::ExposeSecret;
use ward_core::Timestamp;
use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::id::UserId;
use ward_core::privileged::{
    Change, ChangeId, ChangeKind, ChangeState, PrivilegedChange, ProposedAccount, is_privileged,
};
use ward_core::role::{Permission, RoleName};
use ward_core::user::{DisplayName, User, UserStatus, Username, check_new_password};
use ward_crypto::password;

use super::Identity;
use crate::services::{Caller, NewUser, ServiceError};

/// The most requests one listing returns, newest first.
const MAX_LISTED: u32 = 500;

/// Why an account with the audit or compliance permissions cannot be requested.
const NO_APPROVER_FOR_ACCOUNT: &str = "no one else holds the compliance permission to approve \
     an account with audit or compliance permissions: create it on the server with \
     `ward admin create-user` (operator authority, audited)";
/// Why a compliance officer's second factor cannot be reset through the API.
const NO_APPROVER_FOR_RESET: &str = "no one else holds the compliance permission to approve \
     removing this second factor: remove it on the server with `ward admin reset-totp` \
     (operator authority, audited)";

/// What an admin's change to an account came to.
#[derive(Debug)]
pub enum AccountChange<T> {
    /// It took effect.
    Done(T),
    /// It needs a second person's approval; this request waits for it.
    Requested(PrivilegedChange),
}

impl Identity {
    /// Creates a user (admins). An account whose role holds the audit or compliance
    /// permissions is not created: a request for it waits for a compliance officer's approval
    /// (and is refused with 409 when no one else could approve it).
    pub async fn add_user(
        &self,
        caller: &Caller,
        new: NewUser,
    ) -> Result<AccountChange<User>, ServiceError> {
        self.access
            .require(caller, Permission::UsersManage, AuditAction::UserCreated)
            .await?;
        let role = RoleName::parse(&new.role)?;
        if !self.role_is_privileged(&role).await? {
            return Ok(AccountChange::Done(
                self.create_user(Some(caller), new).await?,
            ));
        }
        let username = Username::parse(&new.username)?;
        let display_name = DisplayName::parse(&new.display_name)?;
        check_new_password(new.password.expose_secret())?;
        let subject = UserId::new();
        self.require_approver(caller, ChangeKind::CreateUser, subject)
            .await?;
        if self.store.user_by_username(&username).await?.is_some() {
            return Err(ServiceError::Conflict("username is taken"));
        }
        let secret = new.password;
        let password_hash = self
            .hash_work(move || password::hash_password(&secret))
            .await??;
        let account = ProposedAccount {
            username,
            display_name,
            role,
            password_hash,
        };
        let request = self
            .request_privileged_change(caller, Change::CreateUser(account), subject)
            .await?;
        Ok(AccountChange::Requested(request))
    }

    /// Whether the role named holds the audit or compliance permissions (false if there is no
    /// such role).
    async fn role_is_privileged(&self, name: &RoleName) -> Result<bool, ServiceError> {
        Ok(self
            .roles
            .get(name)
            .await?
            .is_some_and(|r| is_privileged(&r)))
    }

    /// For a user whose role holds the audit or compliance permissions, files a request to
    /// remove their second factor instead of removing it; `None` for anyone else (and for no
    /// such user, whom the reset itself then does not find).
    pub(super) async fn request_totp_reset_if_privileged(
        &self,
        caller: &Caller,
        id: UserId,
    ) -> Result<Option<PrivilegedChange>, ServiceError> {
        let Some(user) = self.store.user(id).await? else {
            return Ok(None);
        };
        if !self.role_is_privileged(&user.role).await? {
            return Ok(None);
        }
        if self.store.totp_factor(id).await?.is_none() {
            return Err(ServiceError::NotFound("second factor"));
        }
        self.require_approver(caller, ChangeKind::ResetTotp, id)
            .await?;
        let request = self
            .request_privileged_change(caller, Change::ResetTotp, id)
            .await?;
        Ok(Some(request))
    }

    /// Refuses with 409 (audited) unless an active user other than the caller and `subject`
    /// holds the compliance permission, so that someone could approve the request.
    async fn require_approver(
        &self,
        caller: &Caller,
        kind: ChangeKind,
        subject: UserId,
    ) -> Result<(), ServiceError> {
        let approving_roles: Vec<RoleName> = self
            .store
            .list_roles()
            .await?
            .into_iter()
            .filter(|r| r.allows(Permission::ComplianceManage))
            .map(|r| r.name)
            .collect();
        let someone = self.store.list_users().await?.iter().any(|u| {
            u.status == UserStatus::Active
                && u.id != caller.user.id
                && u.id != subject
                && approving_roles.contains(&u.role)
        });
        if someone {
            return Ok(());
        }
        let detail = serde_json::json!({
            "kind": kind.as_str(),
            "subject": subject.to_string(),
            "refused": "no_approver",
        });
        let event = caller
            .event(AuditAction::PrivilegedChangeRequested, Outcome::Failure)
            .target(TargetKind::User, Some(*subject.as_uuid()))
            .detail(detail.to_string());
        self.store.append_audit(event).await?;
        Err(ServiceError::Conflict(match kind {
            ChangeKind::CreateUser => NO_APPROVER_FOR_ACCOUNT,
            ChangeKind::ResetTotp => NO_APPROVER_FOR_RESET,
        }))
    }

    /// Stores a pending request by the caller, with its audit event.
    async fn request_privileged_change(
        &self,
        caller: &Caller,
        change: Change,
        subject: UserId,
    ) -> Result<PrivilegedChange, ServiceError> {
        let request = PrivilegedChange::request(change, subject, caller.user.id, self.now());
        let event = caller
            .event(AuditAction::PrivilegedChangeRequested, Outcome::Success)
            .target(TargetKind::PrivilegedChange, Some(request.id))
            .detail(change_detail(&request));
        self.store
            .request_privileged_change(&request, event)
            .await?;
        Ok(request)
    }

    /// Requests, newest first, optionally in one state: every request for those who may
    /// decide them (`compliance_manage`), an admin's own for admins.
    pub async fn privileged_changes(
        &self,
        caller: &Caller,
        state: Option<ChangeState>,
    ) -> Result<Vec<PrivilegedChange>, ServiceError> {
        const ACTION: AuditAction = AuditAction::PrivilegedChangesListed;
        let requested_by = if caller.allows(Permission::ComplianceManage) {
            None
        } else {
            self.access
                .require(caller, Permission::UsersManage, ACTION)
                .await?;
            Some(caller.user.id)
        };
        let changes = self
            .store
            .privileged_changes(requested_by, state, self.now(), MAX_LISTED)
            .await?;
        self.store
            .append_audit(caller.event(ACTION, Outcome::Success))
            .await?;
        Ok(changes)
    }

    /// Approves a pending request (`compliance_manage`, never the requester nor, for a
    /// second-factor reset, its subject) and makes the change, with the approval's audit event
    /// and the change's own, in one transaction.
    pub async fn approve_privileged_change(
        &self,
        caller: &Caller,
        id: ChangeId,
    ) -> Result<PrivilegedChange, ServiceError> {
        const ACTION: AuditAction = AuditAction::PrivilegedChangeApproved;
        let request = self.decidable(caller, id, ACTION).await?;
        let now = self.now();
        let approval = caller
            .event(ACTION, Outcome::Success)
            .target(TargetKind::PrivilegedChange, Some(id))
            .detail(change_detail(&request));
        let effect_action = match request.kind() {
            ChangeKind::CreateUser => AuditAction::UserCreated,
            ChangeKind::ResetTotp => AuditAction::TotpReset,
        };
        let effect_detail = serde_json::json!({
            "via": "approval",
            "request": id.to_string(),
            "requested_by": request.requested_by.to_string(),
        });
        let effect = caller
            .event(effect_action, Outcome::Success)
            .target(TargetKind::User, Some(*request.subject.as_uuid()))
            .detail(effect_detail.to_string());
        let approved = self
            .store
            .approve_privileged_change(&request, caller.user.id, now, approval, effect)
            .await?;
        if !approved {
            return Err(ServiceError::Conflict("this request is no longer pending"));
        }
        if request.kind() == ChangeKind::ResetTotp {
            self.end_sessions_after_reset(request.subject).await;
        }
        Ok(decided(request, ChangeState::Approved, caller.user.id, now))
    }

    /// Rejects a pending request (`compliance_manage`, never the requester nor, for a
    /// second-factor reset, its subject); audited.
    pub async fn reject_privileged_change(
        &self,
        caller: &Caller,
        id: ChangeId,
    ) -> Result<PrivilegedChange, ServiceError> {
        const ACTION: AuditAction = AuditAction::PrivilegedChangeRejected;
        let request = self.decidable(caller, id, ACTION).await?;
        let now = self.now();
        let event = caller
            .event(ACTION, Outcome::Success)
            .target(TargetKind::PrivilegedChange, Some(id))
            .detail(change_detail(&request));
        if !self
            .store
            .reject_privileged_change(id, caller.user.id, now, event)
            .await?
        {
            return Err(ServiceError::Conflict("this request is no longer pending"));
        }
        Ok(decided(request, ChangeState::Rejected, caller.user.id, now))
    }

    /// A request the caller may decide now: they hold `compliance_manage` (else 403, audited),
    /// it exists (404), they are a second person (else 403, audited), and it is still pending
    /// (409 once decided or expired).
    async fn decidable(
        &self,
        caller: &Caller,
        id: ChangeId,
        action: AuditAction,
    ) -> Result<PrivilegedChange, ServiceError> {
        self.access
            .require(caller, Permission::ComplianceManage, action)
            .await?;
        let request = self
            .store
            .privileged_change(id)
            .await?
            .ok_or(ServiceError::NotFound("privileged change"))?;
        let own_reset =
            request.kind() == ChangeKind::ResetTotp && request.subject == caller.user.id;
        if request.requested_by == caller.user.id || own_reset {
            self.access.deny(caller, action).await?;
        }
        match request.state_at(self.now()) {
            ChangeState::Pending => Ok(request),
            ChangeState::Expired => Err(ServiceError::Conflict(
                "this request has expired; the admin may ask again",
            )),
            ChangeState::Approved | ChangeState::Rejected => {
                Err(ServiceError::Conflict("this request was decided already"))
            }
        }
    }
}

/// The request as it stands once decided.
fn decided(
    request: PrivilegedChange,
    state: ChangeState,
    by: UserId,
    at: Timestamp,
) -> PrivilegedChange {
    PrivilegedChange {
        state,
        decided_by: Some(by),
        decided_at: Some(at),
        ..request
    }
}

/// The facts a request's audit events carry: its kind, subject, requester and, for a new
/// account, its role (never a password or its hash).
fn change_detail(request: &PrivilegedChange) -> String {
    let role = match &request.change {
        Change::CreateUser(account) => Some(account.role.as_str()),
        Change::ResetTotp => None,
    };
    serde_json::json!({
        "kind": request.kind().as_str(),
        "subject": request.subject.to_string(),
        "requested_by": request.requested_by.to_string(),
        "role": role,
    })
    .to_string()
}
