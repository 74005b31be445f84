//! Privileged changes: granting the audit or compliance permissions (creating an account whose
//! role holds them) and removing the second factor of someone who holds them. Separation of
//! duties keeps these from any one person: an administrator asks, and a second person who
//! holds the compliance permission approves or rejects. Only the operator, with access to the
//! server (`ward admin`), acts alone, and that is audited too.

use uuid::Uuid;

use crate::id::UserId;
use crate::role::{Permission, Role, RoleName};
use crate::user::{DisplayName, User, UserStatus, Username};
use crate::{Timestamp, ValidationError};

/// A request's id.
pub type ChangeId = Uuid;

/// How long a request waits for a decision before it lapses.
pub const REQUEST_LIFETIME_SECS: i64 = 24 * 3600;

/// The permissions whose grant or whose holders' second factor needs a second person.
pub const OVERSIGHT_PERMISSIONS: [Permission; 2] =
    [Permission::AuditRead, Permission::ComplianceManage];

/// Whether holders of `role` read the audit log or manage compliance, so that granting the
/// role, or resetting a holder's second factor, needs a second person's approval.
pub fn is_privileged(role: &Role) -> bool {
    OVERSIGHT_PERMISSIONS.iter().any(|p| role.allows(*p))
}

/// An account a request would create. The password is kept only as its Argon2id hash, exactly
/// as the user row will hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedAccount {
    pub username: Username,
    pub display_name: DisplayName,
    pub role: RoleName,
    pub password_hash: String,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create this account (its id is the request's subject).
    CreateUser(ProposedAccount),
    /// Remove the subject's second factor and end their sessions.
    ResetTotp,
}

impl Change {
    pub const fn kind(&self) -> ChangeKind {
        match self {
            Self::CreateUser(_) => ChangeKind::CreateUser,
            Self::ResetTotp => ChangeKind::ResetTotp,
        }
    }
}

/// The kind of a request, as stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    CreateUser,
    ResetTotp,
}

impl ChangeKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CreateUser => "create_user",
            Self::ResetTotp => "reset_totp",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "create_user" => Ok(Self::CreateUser),
            "reset_totp" => Ok(Self::ResetTotp),
            _ => Err(ValidationError::new("kind", "is not a known value")),
        }
    }
}

/// Where a request is. `Expired` is never stored: a pending request past its `expires_at` is
/// expired ([`PrivilegedChange::state_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeState {
    Pending,
    Approved,
    Rejected,
    Expired,
}

impl ChangeState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            "expired" => Ok(Self::Expired),
            _ => Err(ValidationError::new("state", "is not a known value")),
        }
    }
}

/// A request for a privileged change, and its decision once made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegedChange {
    pub id: ChangeId,
    pub change: Change,
    /// The account created, or whose second factor is removed.
    pub subject: UserId,
    pub requested_by: UserId,
    pub requested_at: Timestamp,
    pub expires_at: Timestamp,
    /// As stored: pending, approved or rejected.
    pub state: ChangeState,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<Timestamp>,
}

impl PrivilegedChange {
    /// A new request by `requested_by`, pending until `now` plus [`REQUEST_LIFETIME_SECS`].
    pub fn request(change: Change, subject: UserId, requested_by: UserId, now: Timestamp) -> Self {
        Self {
            id: Uuid::now_v7(),
            change,
            subject,
            requested_by,
            requested_at: now,
            expires_at: now.plus_secs(REQUEST_LIFETIME_SECS),
            state: ChangeState::Pending,
            decided_by: None,
            decided_at: None,
        }
    }

    pub const fn kind(&self) -> ChangeKind {
        self.change.kind()
    }

    /// The state at `now`: a pending request whose time is up has expired.
    pub fn state_at(&self, now: Timestamp) -> ChangeState {
        if self.state == ChangeState::Pending && now >= self.expires_at {
            ChangeState::Expired
        } else {
            self.state
        }
    }

    /// The account an approved `CreateUser` request makes, created at `at`.
    pub fn new_user(&self, at: Timestamp) -> Option<User> {
        match &self.change {
            Change::CreateUser(account) => Some(User {
                id: self.subject,
                username: account.username.clone(),
                display_name: account.display_name.clone(),
                role: account.role.clone(),
                status: UserStatus::Active,
                password_hash: account.password_hash.clone(),
                created_at: at,
                // Only staff roles hold the audit or compliance permissions: a staff name.
                sealed_display_name: None,
            }),
            Change::ResetTotp => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::builtin_roles;

    #[test]
    fn only_the_compliance_officer_role_is_privileged() {
        let privileged: Vec<String> = builtin_roles()
            .iter()
            .filter(|r| is_privileged(r))
            .map(|r| r.name.as_str().to_owned())
            .collect();
        assert_eq!(privileged, vec![RoleName::COMPLIANCE_OFFICER.to_owned()]);
    }

    #[test]
    fn a_pending_request_expires_after_a_day() {
        let now = Timestamp::from_micros(1_000_000);
        let request =
            PrivilegedChange::request(Change::ResetTotp, UserId::new(), UserId::new(), now);
        assert_eq!(request.state_at(now), ChangeState::Pending);
        let later = now.plus_secs(REQUEST_LIFETIME_SECS);
        assert_eq!(request.state_at(later.minus_secs(1)), ChangeState::Pending);
        assert_eq!(request.state_at(later), ChangeState::Expired);
        assert!(request.new_user(now).is_none());
    }

    #[test]
    fn codes_round_trip() {
        for kind in [ChangeKind::CreateUser, ChangeKind::ResetTotp] {
            assert_eq!(ChangeKind::parse(kind.as_str()), Ok(kind));
        }
        for state in [
            ChangeState::Pending,
            ChangeState::Approved,
            ChangeState::Rejected,
            ChangeState::Expired,
        ] {
            assert_eq!(ChangeState::parse(state.as_str()), Ok(state));
        }
        assert!(ChangeState::parse("maybe").is_err());
    }
}
