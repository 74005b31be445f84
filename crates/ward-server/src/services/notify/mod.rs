//! Reaching clinicians who are not looking at Ward: each device's Web Push subscription, and
//! the delivery of the notifications a message's transaction owes to subscribed members
//! (urgent and STAT at once, normal ones after a delay and only if still unread), encrypted
//! for the device (RFC 8291) and signed for the push service (VAPID). A notification says how
//! many messages of which priority, never who, about whom or what.

mod delivery;
mod subscriptions;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ward_core::Timestamp;
use ward_core::clock::Clock;
use ward_store::Store;

use super::{Keys, PolicyCache, Shared};

pub use subscriptions::NewSubscription;

/// Counts of what the notifier did since the start, for `/metrics`.
#[derive(Debug, Default)]
pub struct NotifyStats {
    sent: AtomicU64,
    failed: AtomicU64,
    suppressed: AtomicU64,
    retried: AtomicU64,
    gone: AtomicU64,
}

impl NotifyStats {
    /// Notifications a push service accepted for at least one device.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
    /// Notifications given up after their retries, or with no device to take them.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
    /// Notifications not sent because the message was read first.
    pub fn suppressed(&self) -> u64 {
        self.suppressed.load(Ordering::Relaxed)
    }
    /// Attempts that failed and will be tried again.
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }
    /// Subscriptions deleted because their push service said they are gone (404, 410).
    pub fn gone(&self) -> u64 {
        self.gone.load(Ordering::Relaxed)
    }

    fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Push subscriptions and the delivery of notifications.
#[derive(Debug, Clone)]
pub struct Notifier {
    store: Arc<dyn Store>,
    keys: Keys,
    policy: PolicyCache,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    stats: Arc<NotifyStats>,
}

impl Notifier {
    pub(super) fn new(shared: &Shared, stats: Arc<NotifyStats>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            store: Arc::clone(&shared.store),
            keys: shared.keys.clone(),
            policy: shared.policy.clone(),
            clock: Arc::clone(&shared.clock),
            http,
            stats,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
