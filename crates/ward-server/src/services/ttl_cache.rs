//! A map whose entries a node trusts for a short time: what every request reads, kept so the
//! store is not asked each time. Any change made on this node empties it at once
//! ([`TtlCache::invalidate`]); a change made on another node (PostgreSQL deployments) is seen
//! within the time to live.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Entries kept at most; past this, expired entries are dropped, then all if need be.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: RwLock<HashMap<K, (V, Instant)>>,
    /// Bumped by every invalidation, so that a lookup that raced with a change is not kept.
    generation: AtomicU64,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::default(),
            generation: AtomicU64::default(),
        }
    }

    /// The cached value, if fetched less than the time to live ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.read().ok()?;
        let (value, fetched) = entries.get(key)?;
        (fetched.elapsed() < self.ttl).then(|| value.clone())
    }

    /// The generation to pass to [`Self::insert`]; take it before reading the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what was read from the store, unless something changed since `generation`.
    pub fn insert(&self, generation: u64, key: K, value: V) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if self.generation() != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, fetched)| fetched.elapsed() < self.ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (value, Instant::now()));
    }

    /// Changes a cached value in place (to match a write this node just made).
    pub fn update(&self, key: &K, change: impl FnOnce(&mut V)) {
        if let Ok(mut entries) = self.entries.write()
            && let Some((value, _)) = entries.get_mut(key)
        {
            change(value);
        }
    }

    /// Forgets everything; called after any change to what it holds.
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

    #[test]
    fn a_lookup_that_raced_with_a_change_is_not_kept() {
        let cache = TtlCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.invalidate();
        cache.insert(before, 7, "stale");
        assert_eq!(cache.get(&7), None);

        cache.insert(cache.generation(), 7, "fresh");
        assert_eq!(cache.get(&7), Some("fresh"));
        cache.update(&7, |v| *v = "changed");
        assert_eq!(cache.get(&7), Some("changed"));
        cache.invalidate();
        assert_eq!(cache.get(&7), None);
    }

    #[test]
    fn entries_expire() {
        let cache = TtlCache::new(Duration::ZERO);
        cache.insert(cache.generation(), 7, "gone");
        assert_eq!(cache.get(&7), None);
    }
}
