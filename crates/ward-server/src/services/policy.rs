//! The organisation policy: read through a short-lived cache (every request needs it), changed
//! by admins.

use std::sync::Arc;

use ward_core::audit::{AuditAction, Outcome, TargetKind};
use ward_core::policy::Policy;

use ward_core::role::{Permission, Role, RoleName};
use ward_store::Store;

use super::ttl_cache::TtlCache;
use super::{CACHE_TTL, Caller, ServiceError, Services};

/// The policy, cached. A read that raced with a change on this node is not kept (the
/// cache's generation moved), so a change is never undone by a read that began before it.
#[derive(Debug, Clone)]
pub struct PolicyCache {
    store: Arc<dyn Store>,
    cached: Arc<TtlCache<(), Policy>>,
}

impl PolicyCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cached: Arc::new(TtlCache::new(CACHE_TTL)),
        }
    }

    pub async fn get(&self) -> Result<Policy, ServiceError> {
        if let Some(policy) = self.cached.get(&()) {
            return Ok(policy);
        }
        let generation = self.cached.generation();
        let policy = self.store.policy().await?;
        self.cached.insert(generation, (), policy.clone());
        Ok(policy)
    }

    /// Keeps the policy this node just stored, and drops any read that began before.
    fn remember(&self, policy: &Policy) {
        self.cached.invalidate();
        self.cached
            .insert(self.cached.generation(), (), policy.clone());
    }
}

/// Roles, cached the same way (every request needs the caller's).
#[derive(Debug, Clone)]
pub struct RoleCache {
    store: Arc<dyn Store>,
    cached: Arc<TtlCache<RoleName, Role>>,
}

impl RoleCache {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cached: Arc::new(TtlCache::new(CACHE_TTL)),
        }
    }

    /// Forgets every cached role; called after a role changes on this node.
    pub fn invalidate(&self) {
        self.cached.invalidate();
    }

    pub async fn get(&self, name: &RoleName) -> Result<Option<Role>, ServiceError> {
        if let Some(role) = self.cached.get(name) {
            return Ok(Some(role));
        }
        let generation = self.cached.generation();
        let role = self.store.role(name).await?;
        if let Some(role) = &role {
            self.cached.insert(generation, name.clone(), role.clone());
        }
        Ok(role)
    }
}

impl Services {
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
        self.policy.remember(&policy);
        Ok(policy)
    }
}
