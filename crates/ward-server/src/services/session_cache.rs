//! Authenticated sessions, cached for a moment: every request needs its session and user, and
//! reading them from the store costs more than the rest of a small request.
//!
//! Any change to a session or a user on this node empties the cache at once (see
//! [`SessionCache::invalidate`]); a change made on another node (PostgreSQL deployments) is
//! seen within [`SESSION_TTL`], as for the policy and the roles.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ward_core::Timestamp;
use ward_core::session::Session;
use ward_core::user::User;

/// How long a node trusts its copy of a session and its user.
pub const SESSION_TTL: Duration = Duration::from_secs(2);
/// Entries kept at most; past this, expired entries are dropped, then all if need be.
const MAX_ENTRIES: usize = 50_000;

/// Sessions and their users by token hash.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: RwLock<HashMap<[u8; 32], Entry>>,
    /// Bumped by every invalidation, so that a lookup that raced with a change is not kept.
    generation: AtomicU64,
}

#[derive(Debug, Clone)]
struct Entry {
    session: Session,
    user: User,
    fetched: Instant,
}

impl SessionCache {
    /// The cached session and user for a token hash, if fetched less than the TTL ago.
    pub fn get(&self, token_hash: &[u8; 32]) -> Option<(Session, User)> {
        let entries = self.entries.read().ok()?;
        let entry = entries.get(token_hash)?;
        (entry.fetched.elapsed() < SESSION_TTL).then(|| (entry.session.clone(), entry.user.clone()))
    }

    /// The generation to pass to [`Self::insert`]; take it before reading the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what was read from the store, unless something changed since `generation`.
    pub fn insert(&self, generation: u64, token_hash: [u8; 32], session: Session, user: User) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if self.generation() != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| e.fetched.elapsed() < SESSION_TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let fetched = Instant::now();
        entries.insert(
            token_hash,
            Entry {
                session,
                user,
                fetched,
            },
        );
    }

    /// Records activity written to the store, so the cached copy does not ask for it again.
    pub fn touched(&self, token_hash: &[u8; 32], at: Timestamp) {
        if let Ok(mut entries) = self.entries.write()
            && let Some(entry) = entries.get_mut(token_hash)
        {
            entry.session.last_seen_at = at;
        }
    }

    /// Forgets everything; called after any change to a session or a user.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ward_core::id::{SessionId, UserId};
    use ward_core::role::RoleName;
    use ward_core::session::{DeviceName, SessionScope};
    use ward_core::user::{DisplayName, UserStatus, Username};

    fn pair() -> (Session, User) {
        let now = Timestamp::now();
        let user = User {
            id: UserId::new(),
            username: Username::parse("nurse.kim").unwrap(),
            display_name: DisplayName::parse("Kim").unwrap(),
            role: RoleName::parse("nurse").unwrap(),
            status: UserStatus::Active,
            password_hash: String::new(),
            created_at: now,
        };
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            token_hash: [7; 32],
            device_name: DeviceName::parse("ward phone").unwrap(),
            scope: SessionScope::Full,
            address: None,
            created_at: now,
            last_seen_at: now,
            expires_at: now.plus_secs(3600),
            ended: None,
            wipe_requested_at: None,
            wipe_confirmed_at: None,
        };
        (session, user)
    }

    #[test]
    fn a_lookup_that_raced_with_a_change_is_not_kept() {
        let cache = SessionCache::default();
        let (session, user) = pair();
        let before = cache.generation();
        cache.invalidate();
        cache.insert(before, [7; 32], session.clone(), user.clone());
        assert!(cache.get(&[7; 32]).is_none());

        cache.insert(cache.generation(), [7; 32], session, user);
        assert!(cache.get(&[7; 32]).is_some());
        cache.invalidate();
        assert!(cache.get(&[7; 32]).is_none());
    }

    #[test]
    fn touching_updates_the_cached_activity() {
        let cache = SessionCache::default();
        let (session, user) = pair();
        cache.insert(cache.generation(), [7; 32], session, user);
        let later = Timestamp::now().plus_secs(60);
        cache.touched(&[7; 32], later);
        assert_eq!(
            cache.get(&[7; 32]).map(|(s, _)| s.last_seen_at),
            Some(later)
        );
    }
}
