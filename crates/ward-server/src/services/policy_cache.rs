//! The organisation policy: read through a short-lived cache (every request needs it), changed
//! by admins.

use std::sync::Arc;

use ward_core::policy::Policy;

use ward_core::role::{Role, RoleName};
use ward_store::Store;

use super::ttl_cache::TtlCache;
use super::{CACHE_TTL, ServiceError};

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

    /// Forgets the cached policy (another node changed it).
    pub(crate) fn invalidate(&self) {
        self.cached.invalidate();
    }

    /// Keeps the policy this node just stored, and drops any read that began before.
    pub(crate) fn remember(&self, policy: &Policy) {
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
