//! The store trait of notifications: push subscriptions (one per device session) and the
//! notifications owed to subscribed users, which a message's own transaction writes.
//! Implemented once for every backend in `impls/notify.rs`.

use async_trait::async_trait;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::id::{SessionId, UserId};
use ward_core::notify::{Notification, NotificationState, NotifyPrefs, PushSubscription};

use crate::StoreResult;

#[async_trait]
pub trait NotifyStore: Send + Sync {
    /// Keeps a session's subscription (replacing its earlier one), with its audit event.
    async fn put_push_subscription(
        &self,
        subscription: &PushSubscription,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
    /// Removes a session's subscription, with its audit event; false if it had none.
    async fn delete_push_subscription_of(
        &self,
        session: SessionId,
        audit: NewAuditEvent,
    ) -> StoreResult<bool>;
    /// Removes a subscription its push service said is gone (404/410).
    async fn drop_push_subscription(&self, id: Uuid) -> StoreResult<bool>;
    async fn push_subscription_of(
        &self,
        session: SessionId,
    ) -> StoreResult<Option<PushSubscription>>;
    /// A user's subscriptions whose sessions live: not ended, not past their lifetime, used
    /// after `idle_since`.
    async fn live_push_subscriptions(
        &self,
        user: UserId,
        now: Timestamp,
        idle_since: Timestamp,
    ) -> StoreResult<Vec<PushSubscription>>;
    /// Deletes the subscriptions of sessions that ended, lapsed or idled out; how many.
    async fn purge_dead_push_subscriptions(
        &self,
        now: Timestamp,
        idle_since: Timestamp,
    ) -> StoreResult<u64>;
    /// Pending notifications due by `now` (urgent and stat at once, normal ones created at or
    /// before `normal_before`), oldest attempt first.
    async fn due_notifications(
        &self,
        now: Timestamp,
        normal_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    /// Takes a due notification for one attempt until `lease`; false if another node did.
    async fn claim_notification(
        &self,
        notification: &Notification,
        now: Timestamp,
        lease: Timestamp,
    ) -> StoreResult<bool>;
    /// Sent or suppressed (forgotten), or failed (kept).
    async fn settle_notification(
        &self,
        notification: &Notification,
        state: NotificationState,
    ) -> StoreResult<()>;
    /// Tries it again at `at`.
    async fn retry_notification(
        &self,
        notification: &Notification,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// A user's notification preferences (the defaults until set).
    async fn notify_prefs(&self, user: UserId) -> StoreResult<NotifyPrefs>;
    /// Sets a user's notification preferences, with the audit event.
    async fn put_notify_prefs(
        &self,
        user: UserId,
        prefs: &NotifyPrefs,
        audit: NewAuditEvent,
    ) -> StoreResult<()>;
}
