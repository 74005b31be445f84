//! The organisation policy and the custom roles, read and changed by admins.

use std::collections::BTreeSet;

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::policy::Policy;
use ward_core::role::{Permission, Role, RoleName};

use super::Identity;
use crate::cluster::Cache;
use crate::services::{Caller, ServiceError};

impl Identity {
    /// The current policy (admins only).
    pub async fn read_policy(&self, caller: &Caller) -> Result<Policy, ServiceError> {
        self.access
            .require(caller, Permission::PolicyManage, AuditAction::PolicyRead)
            .await?;
        let policy = self.policy.get().await?;
        self.store
            .append_audit(
                caller
                    .event(AuditAction::PolicyRead, Outcome::Success)
                    .target(TargetKind::Policy, None),
            )
            .await?;
        Ok(policy)
    }

    /// Replaces the policy (admins only). Takes effect at once on this node.
    pub async fn set_policy(
        &self,
        caller: &Caller,
        policy: Policy,
    ) -> Result<Policy, ServiceError> {
        self.access
            .require(caller, Permission::PolicyManage, AuditAction::PolicyChanged)
            .await?;
        policy.validate()?;
        for role in &policy.mfa_required_roles {
            if self.store.role(role).await?.is_none() {
                return Err(ServiceError::NotFound("role"));
            }
        }
        let event = caller
            .event(AuditAction::PolicyChanged, Outcome::Success)
            .target(TargetKind::Policy, None);
        self.store.set_policy(&policy, self.now(), event).await?;
        self.publisher.invalidate(Cache::Policy).await;
        self.policy.remember(&policy);
        Ok(policy)
    }

    /// Creates or changes a custom role (admins with the policy permission). Built-in roles
    /// are fixed (409); audit and compliance permissions cannot be granted (422). Holders of
    /// the role get the new permissions on their next request on this node, and within the
    /// role cache's two seconds on others.
    pub async fn put_role(
        &self,
        caller: &Caller,
        name: &str,
        permissions: BTreeSet<Permission>,
    ) -> Result<Role, ServiceError> {
        self.access
            .require(caller, Permission::PolicyManage, AuditAction::RoleChanged)
            .await?;
        let role = Role::custom(RoleName::parse(name)?, permissions)?;
        let codes: Vec<&str> = role.permissions.iter().map(|p| p.code()).collect();
        let event = caller
            .event(AuditAction::RoleChanged, Outcome::Success)
            .detail(
                serde_json::json!({ "role": role.name.as_str(), "permissions": codes }).to_string(),
            );
        if !self.store.put_role(&role, event).await? {
            return Err(ServiceError::Conflict("built-in roles cannot be changed"));
        }
        self.publisher.invalidate(Cache::Roles).await;
        Ok(role)
    }

    pub async fn list_roles(&self, caller: &Caller) -> Result<Vec<Role>, ServiceError> {
        self.access
            .require(caller, Permission::UsersRead, AuditAction::UsersListed)
            .await?;
        Ok(self.store.list_roles().await?)
    }
}
