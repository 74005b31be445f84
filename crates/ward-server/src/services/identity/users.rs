//! The user directory: create, list, read, enable or disable, reset a second factor.

use std::collections::BTreeSet;

use secrecy::{ExposeSecret, SecretString};
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::id::UserId;
use ward_core::keys::{Epoch, KeyScope};
use ward_core::role::{Permission, RoleName};
use ward_core::session::EndReason;
use ward_core::user::{DisplayName, User, UserStatus, Username, check_new_password};
use ward_crypto::password;
use ward_crypto::seal::Binding;

use super::Identity;
use crate::cluster::Cache;
use crate::realtime::CloseReason;
use crate::services::{AccountChange, Caller, ServiceError};

/// Patient accounts' names are sealed under the patient-records key, as the registry's
/// demographics are: one epoch, never shredded.
const ACCOUNT_NAMES_EPOCH: Epoch = Epoch::from_index(0);

/// A user to create.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: SecretString,
}

impl Identity {
    /// Creates a user at once: on the operator's authority when `caller` is `None` (the CLI,
    /// which runs with the operator's access to the data directory; audited `"via":"cli"`), or
    /// by an admin. An admin's account whose role holds the audit or compliance permissions
    /// needs a second person's approval: this refuses it (409), and [`Self::add_user`] files
    /// the request instead.
    pub async fn create_user(
        &self,
        caller: Option<&Caller>,
        new: NewUser,
    ) -> Result<User, ServiceError> {
        if let Some(caller) = caller {
            self.access
                .require(caller, Permission::UsersManage, AuditAction::UserCreated)
                .await?;
        }
        let username = Username::parse(&new.username)?;
        let display_name = DisplayName::parse(&new.display_name)?;
        let role = RoleName::parse(&new.role)?;
        check_new_password(new.password.expose_secret())?;
        let Some(found) = self.store.role(&role).await? else {
            return Err(ServiceError::NotFound("role"));
        };
        if caller.is_some() && ward_core::privileged::is_privileged(&found) {
            return Err(ServiceError::Conflict(
                "an account with audit or compliance permissions needs a compliance officer's \
                 approval",
            ));
        }
        let password = new.password;
        let password_hash = self
            .hash_work(move || password::hash_password(&password))
            .await??;
        let id = UserId::new();
        let sealed_display_name = self.seal_account_name(id, &role, &display_name).await?;
        let user = User {
            id,
            username,
            display_name,
            role,
            status: UserStatus::Active,
            password_hash,
            created_at: self.now(),
            sealed_display_name,
        };
        let mut event = match caller {
            Some(caller) => caller.event(AuditAction::UserCreated, Outcome::Success),
            None => {
                ward_core::audit::NewAuditEvent::new(AuditAction::UserCreated, Outcome::Success)
                    .detail(r#"{"via":"cli"}"#.into())
            }
        };
        event = event.target(TargetKind::User, Some(*user.id.as_uuid()));
        self.store.create_user(&stored_form(&user), event).await?;
        Ok(user)
    }

    /// A patient account's display name (PHI) sealed for its row, bound to the account;
    /// `None` for staff, whose names stay plain.
    async fn seal_account_name(
        &self,
        id: UserId,
        role: &RoleName,
        name: &DisplayName,
    ) -> Result<Option<Vec<u8>>, ServiceError> {
        if role.as_str() != RoleName::PATIENT {
            return Ok(None);
        }
        let binding = Binding::AccountDisplayName { user: id };
        let sealed = self
            .keys
            .seal(
                KeyScope::PatientRecords,
                ACCOUNT_NAMES_EPOCH,
                binding,
                name.as_str().as_bytes(),
            )
            .await?;
        Ok(Some(sealed))
    }

    /// The user with their sealed display name opened (an account whose name is plain, as it
    /// is). Only for a caller who may see the account.
    pub(super) async fn open_account_name(&self, mut user: User) -> Result<User, ServiceError> {
        let Some(sealed) = user.sealed_display_name.as_deref() else {
            return Ok(user);
        };
        let binding = Binding::AccountDisplayName { user: user.id };
        let name = self
            .keys
            .open_text(
                KeyScope::PatientRecords,
                ACCOUNT_NAMES_EPOCH,
                binding,
                sealed,
            )
            .await?;
        user.display_name = DisplayName::parse(&name)
            .map_err(|_| ServiceError::Crypto(ward_crypto::CryptoError::Malformed))?;
        Ok(user)
    }

    /// Seals the display names of patient accounts that an earlier version stored plain,
    /// each with its audit event (`user.name_sealed`); run at the server's start. How many it
    /// sealed. Another node doing the same at once seals each account only once.
    pub async fn seal_stored_patient_names(&self) -> Result<usize, ServiceError> {
        let mut sealed = 0;
        for user in self.store.list_users().await? {
            if user.sealed_display_name.is_some() {
                continue;
            }
            let Some(blob) = self
                .seal_account_name(user.id, &user.role, &user.display_name)
                .await?
            else {
                continue;
            };
            let event = NewAuditEvent::new(AuditAction::UserNameSealed, Outcome::Success)
                .target(TargetKind::User, Some(*user.id.as_uuid()))
                .detail(r#"{"via":"start"}"#.into());
            if self.store.seal_display_name(user.id, &blob, event).await? {
                sealed += 1;
            }
        }
        if sealed > 0 {
            self.sessions.invalidate();
        }
        Ok(sealed)
    }

    /// The directory: every staff account, and the patient accounts the caller may see
    /// (`visible_patient_accounts`).
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<User>, ServiceError> {
        self.access
            .require(caller, Permission::UsersRead, AuditAction::UsersListed)
            .await?;
        let visible = self.visible_patient_accounts(caller).await?;
        let mut users = Vec::new();
        for user in self.store.list_users().await? {
            if visible.includes(&user) {
                users.push(self.open_account_name(user).await?);
            }
        }
        self.store
            .append_audit(caller.event(AuditAction::UsersListed, Outcome::Success))
            .await?;
        Ok(users)
    }

    /// A user; a patient account the caller may not see does not exist for them (audited).
    pub async fn get_user(&self, caller: &Caller, id: UserId) -> Result<User, ServiceError> {
        self.access
            .require(caller, Permission::UsersRead, AuditAction::UserRead)
            .await?;
        let user = self.store.user(id).await?;
        let visible = self.visible_patient_accounts(caller).await?;
        let Some(user) = user.filter(|u| visible.includes(u)) else {
            let event = caller
                .event(AuditAction::AccessDenied, Outcome::Denied)
                .target(TargetKind::User, Some(*id.as_uuid()))
                .detail(format!(
                    r#"{{"attempted":"{}"}}"#,
                    AuditAction::UserRead.as_str()
                ));
            self.store.append_audit(event).await?;
            return Err(ServiceError::NotFound("user"));
        };
        let event = caller
            .event(AuditAction::UserRead, Outcome::Success)
            .target(TargetKind::User, Some(*id.as_uuid()));
        self.store.append_audit(event).await?;
        self.open_account_name(user).await
    }

    /// The patient accounts the caller may see: a patient's name is PHI, so staff see only
    /// the accounts of patients on whose care team they are; account managers and compliance
    /// officers see every account.
    async fn visible_patient_accounts(
        &self,
        caller: &Caller,
    ) -> Result<PatientAccounts, ServiceError> {
        if caller.allows(Permission::UsersManage) || caller.allows(Permission::ComplianceManage) {
            return Ok(PatientAccounts::All);
        }
        let own_patients = self.store.patients_of(caller.user.id).await?;
        Ok(PatientAccounts::Only(
            own_patients.into_iter().filter_map(|p| p.user_id).collect(),
        ))
    }

    /// Enables or disables an account; disabling ends every session of it at once.
    pub async fn set_user_status(
        &self,
        caller: &Caller,
        id: UserId,
        status: UserStatus,
    ) -> Result<User, ServiceError> {
        self.access
            .require(
                caller,
                Permission::UsersManage,
                AuditAction::UserStatusChanged,
            )
            .await?;
        if id == caller.user.id && status == UserStatus::Disabled {
            return Err(ServiceError::Conflict(
                "you cannot disable your own account",
            ));
        }
        let event = caller
            .event(AuditAction::UserStatusChanged, Outcome::Success)
            .target(TargetKind::User, Some(*id.as_uuid()))
            .detail(format!(r#"{{"status":"{}"}}"#, status.as_str()));
        self.store
            .set_user_status(id, status, self.now(), event)
            .await?;
        if status == UserStatus::Disabled {
            let reason = CloseReason::SessionEnded(EndReason::UserDisabled.as_str());
            self.publisher.end_user_sessions(id, reason).await;
        } else {
            self.publisher.invalidate(Cache::Sessions).await;
        }
        let user = self
            .store
            .user(id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        self.open_account_name(user).await
    }

    /// Removes a user's second factor so they can enrol again (admins). Every session of
    /// theirs ends at once (sockets closed): they were signed in with the removed factor. For
    /// a user whose role holds the audit or compliance permissions, a request for it waits for
    /// a compliance officer's approval instead.
    pub async fn reset_totp(
        &self,
        caller: &Caller,
        id: UserId,
    ) -> Result<AccountChange<()>, ServiceError> {
        self.access
            .require(caller, Permission::UsersManage, AuditAction::TotpReset)
            .await?;
        if let Some(request) = self.request_totp_reset_if_privileged(caller, id).await? {
            return Ok(AccountChange::Requested(request));
        }
        let event = caller
            .event(AuditAction::TotpReset, Outcome::Success)
            .target(TargetKind::User, Some(*id.as_uuid()));
        self.store.reset_totp(id, self.now(), event).await?;
        self.end_sessions_after_reset(id).await;
        Ok(AccountChange::Done(()))
    }

    /// Forgets the user's cached sessions and closes their sockets, on every node.
    pub(super) async fn end_sessions_after_reset(&self, id: UserId) {
        let reason = CloseReason::SessionEnded(EndReason::FactorReset.as_str());
        self.publisher.end_user_sessions(id, reason).await;
    }

    /// Removes a user's second factor on the operator's authority (the CLI, with access to the
    /// data directory): the way back in for an admin who lost their authenticator.
    pub async fn reset_totp_by_operator(&self, username: &str) -> Result<User, ServiceError> {
        let name = Username::parse(username)?;
        let user = self
            .store
            .user_by_username(&name)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        let event = ward_core::audit::NewAuditEvent::new(AuditAction::TotpReset, Outcome::Success)
            .target(TargetKind::User, Some(*user.id.as_uuid()))
            .detail(r#"{"via":"cli"}"#.into());
        self.store.reset_totp(user.id, self.now(), event).await?;
        self.end_sessions_after_reset(user.id).await;
        Ok(user)
    }

    /// The caller's own profile; whether they have a confirmed second factor.
    pub async fn me(&self, caller: &Caller) -> Result<bool, ServiceError> {
        let enrolled = self
            .store
            .totp_factor(caller.user.id)
            .await?
            .is_some_and(|f| f.confirmed);
        let event = caller
            .event(AuditAction::ProfileRead, Outcome::Success)
            .target(TargetKind::User, Some(*caller.user.id.as_uuid()));
        self.store.append_audit(event).await?;
        Ok(enrolled)
    }
}

/// The account as its row holds it: a sealed name is never passed to the store in plain.
fn stored_form(user: &User) -> User {
    let mut stored = user.clone();
    if stored.sealed_display_name.is_some() {
        stored.display_name = DisplayName::sealed();
    }
    stored
}

/// Which patient accounts a caller may see (staff accounts are visible to all staff).
enum PatientAccounts {
    All,
    Only(BTreeSet<UserId>),
}

impl PatientAccounts {
    fn includes(&self, user: &User) -> bool {
        match self {
            Self::All => true,
            Self::Only(accounts) => {
                user.role.as_str() != RoleName::PATIENT || accounts.contains(&user.id)
            }
        }
    }
}
