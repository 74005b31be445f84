//! Roles are data: a named set of permissions. Seven roles are built in and fixed; an
//! organisation may add its own (without the audit and compliance permissions).

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Something a user may do. Every endpoint names the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the user directory.
    UsersRead,
    /// Create, change and disable users.
    UsersManage,
    /// List, revoke and wipe other users' sessions.
    SessionsManage,
    /// Change organisation policies and roles.
    PolicyManage,
    /// Search and verify the audit log.
    AuditRead,
    /// Legal holds, exports, retention decisions.
    ComplianceManage,
    /// See patients on one's care teams.
    PatientsRead,
    /// Register patients and manage care teams.
    PatientsManage,
    /// Start conversations.
    ConversationsCreate,
    /// Join open channels.
    ChannelsJoin,
    /// Send messages in conversations one is a member of.
    MessagesSend,
    /// Open a patient's thread in an emergency, with a stated reason.
    BreakGlass,
}

impl Permission {
    pub const ALL: [Self; 12] = [
        Self::UsersRead,
        Self::UsersManage,
        Self::SessionsManage,
        Self::PolicyManage,
        Self::AuditRead,
        Self::ComplianceManage,
        Self::PatientsRead,
        Self::PatientsManage,
        Self::ConversationsCreate,
        Self::ChannelsJoin,
        Self::MessagesSend,
        Self::BreakGlass,
    ];

    /// The permission's name on the wire and in the database (as serde writes it).
    pub const fn code(self) -> &'static str {
        match self {
            Self::UsersRead => "users_read",
            Self::UsersManage => "users_manage",
            Self::SessionsManage => "sessions_manage",
            Self::PolicyManage => "policy_manage",
            Self::AuditRead => "audit_read",
            Self::ComplianceManage => "compliance_manage",
            Self::PatientsRead => "patients_read",
            Self::PatientsManage => "patients_manage",
            Self::ConversationsCreate => "conversations_create",
            Self::ChannelsJoin => "channels_join",
            Self::MessagesSend => "messages_send",
            Self::BreakGlass => "break_glass",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or(ValidationError::new(
                "permissions",
                "names a permission that does not exist",
            ))
    }
}

/// The name of a role: 2 to 40 lowercase ASCII letters, digits and `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleName(String);

impl RoleName {
    pub const ADMIN: &'static str = "admin";
    pub const COMPLIANCE_OFFICER: &'static str = "compliance_officer";
    pub const PHYSICIAN: &'static str = "physician";
    pub const NURSE: &'static str = "nurse";
    pub const PHARMACIST: &'static str = "pharmacist";
    pub const STAFF: &'static str = "staff";
    pub const PATIENT: &'static str = "patient";

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let ok = (2..=40).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValidationError::new(
                "role",
                "must be 2 to 40 lowercase letters, digits or '_'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Built-in names are known valid.
    fn builtin(name: &'static str) -> Self {
        Self(name.to_owned())
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A role and what it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: RoleName,
    pub permissions: BTreeSet<Permission>,
    pub builtin: bool,
}

impl Role {
    /// A custom role. Audit and compliance permissions stay with the built-in compliance
    /// officer role: an administrator who could grant them could read the audit of their own
    /// actions, which separation of duties forbids.
    pub fn custom(
        name: RoleName,
        permissions: BTreeSet<Permission>,
    ) -> Result<Self, ValidationError> {
        if permissions
            .iter()
            .any(|p| matches!(p, Permission::AuditRead | Permission::ComplianceManage))
        {
            return Err(ValidationError::new(
                "permissions",
                "audit and compliance permissions belong to the compliance officer role only",
            ));
        }
        Ok(Self {
            name,
            permissions,
            builtin: false,
        })
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// The seven roles every deployment starts with.
///
/// Duties are separated: the admin manages accounts and policy but cannot read the audit log;
/// the compliance officer reads the audit log but cannot manage accounts.
pub fn builtin_roles() -> Vec<Role> {
    use Permission::*;
    let clinician = [
        UsersRead,
        PatientsRead,
        ConversationsCreate,
        ChannelsJoin,
        MessagesSend,
    ];
    let table: [(&'static str, Vec<Permission>); 7] = [
        (
            RoleName::ADMIN,
            vec![
                UsersRead,
                UsersManage,
                SessionsManage,
                PolicyManage,
                ConversationsCreate,
                ChannelsJoin,
                MessagesSend,
            ],
        ),
        (
            RoleName::COMPLIANCE_OFFICER,
            vec![UsersRead, AuditRead, ComplianceManage, PatientsRead],
        ),
        (
            RoleName::PHYSICIAN,
            [&clinician[..], &[PatientsManage, BreakGlass]].concat(),
        ),
        (
            RoleName::NURSE,
            [&clinician[..], &[PatientsManage, BreakGlass]].concat(),
        ),
        (RoleName::PHARMACIST, clinician.to_vec()),
        (
            RoleName::STAFF,
            [&clinician[..], &[PatientsManage]].concat(),
        ),
        (RoleName::PATIENT, vec![MessagesSend]),
    ];
    table
        .into_iter()
        .map(|(name, permissions)| Role {
            name: RoleName::builtin(name),
            permissions: permissions.into_iter().collect(),
            builtin: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn permission_codes_are_the_serde_names() {
        for p in Permission::ALL {
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json.as_str(), Some(p.code()));
            assert_eq!(Permission::parse(p.code()), Ok(p));
        }
        assert!(Permission::parse("superuser").is_err());
    }

    #[test]
    fn custom_roles_cannot_hold_audit_or_compliance_permissions() {
        let name = RoleName::parse("unit_clerk").unwrap();
        let clerk = Role::custom(name.clone(), [Permission::UsersRead].into()).unwrap();
        assert!(!clerk.builtin);
        for p in [Permission::AuditRead, Permission::ComplianceManage] {
            assert!(Role::custom(name.clone(), [Permission::UsersRead, p].into()).is_err());
        }
    }

    use super::*;

    #[test]
    fn builtin_roles_separate_duties() {
        let roles = builtin_roles();
        let role = |name: &str| roles.iter().find(|r| r.name.as_str() == name);
        let admin = role("admin")
            .map(|r| r.permissions.clone())
            .unwrap_or_default();
        let compliance = role("compliance_officer")
            .map(|r| r.permissions.clone())
            .unwrap_or_default();
        assert!(admin.contains(&Permission::UsersManage));
        assert!(!admin.contains(&Permission::AuditRead));
        assert!(compliance.contains(&Permission::AuditRead));
        assert!(!compliance.contains(&Permission::UsersManage));
        let patient = role("patient")
            .map(|r| r.permissions.clone())
            .unwrap_or_default();
        assert_eq!(
            patient.into_iter().collect::<Vec<_>>(),
            vec![Permission::MessagesSend]
        );
        assert_eq!(roles.len(), 7);
    }

    #[test]
    fn role_names_are_checked() {
        assert!(RoleName::parse("charge_nurse").is_ok());
        assert!(RoleName::parse("Admin").is_err());
        assert!(RoleName::parse("a").is_err());
    }
}
