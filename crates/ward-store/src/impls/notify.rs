//! [`NotifyStore`] for every [`Backend`].

use async_trait::async_trait;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::audit::NewAuditEvent;
use ward_core::id::{SessionId, UserId};
use ward_core::notify::{Notification, NotificationState, NotifyPrefs, PushSubscription};

use super::{always, audited, changed};
use crate::backend::Backend;
use crate::ops::notify;
use crate::{NotifyStore, StoreResult};

#[async_trait]
impl<B: Backend> NotifyStore for B {
    async fn put_push_subscription(
        &self,
        subscription: &PushSubscription,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let subscription = subscription.clone();
        audited(self, audit, always, move |c| {
            Box::pin(async move { notify::put_subscription(c, &subscription).await })
        })
        .await
    }

    async fn delete_push_subscription_of(
        &self,
        session: SessionId,
        audit: NewAuditEvent,
    ) -> StoreResult<bool> {
        audited(self, audit, changed, move |c| {
            Box::pin(notify::delete_subscription_of(c, session))
        })
        .await
    }

    async fn drop_push_subscription(&self, id: Uuid) -> StoreResult<bool> {
        self.write(move |c| Box::pin(notify::delete_subscription(c, id)))
            .await
    }

    async fn push_subscription_of(
        &self,
        session: SessionId,
    ) -> StoreResult<Option<PushSubscription>> {
        self.read(move |c| Box::pin(notify::subscription_of(c, session)))
            .await
    }

    async fn live_push_subscriptions(
        &self,
        user: UserId,
        now: Timestamp,
        idle_since: Timestamp,
    ) -> StoreResult<Vec<PushSubscription>> {
        self.read(move |c| Box::pin(notify::live_subscriptions(c, user, now, idle_since)))
            .await
    }

    async fn purge_dead_push_subscriptions(
        &self,
        now: Timestamp,
        idle_since: Timestamp,
    ) -> StoreResult<u64> {
        self.write(move |c| Box::pin(notify::purge_dead_subscriptions(c, now, idle_since)))
            .await
    }

    async fn due_notifications(
        &self,
        now: Timestamp,
        normal_before: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        self.read(move |c| Box::pin(notify::due_notifications(c, now, normal_before, limit)))
            .await
    }

    async fn claim_notification(
        &self,
        notification: &Notification,
        now: Timestamp,
        lease: Timestamp,
    ) -> StoreResult<bool> {
        let n = notification.clone();
        self.write(move |c| {
            Box::pin(async move { notify::claim_notification(c, &n, now, lease).await })
        })
        .await
    }

    async fn settle_notification(
        &self,
        notification: &Notification,
        state: NotificationState,
    ) -> StoreResult<()> {
        let n = notification.clone();
        self.write(move |c| {
            Box::pin(async move { notify::settle_notification(c, &n, state).await })
        })
        .await
    }

    async fn retry_notification(
        &self,
        notification: &Notification,
        at: Timestamp,
    ) -> StoreResult<()> {
        let n = notification.clone();
        self.write(move |c| Box::pin(async move { notify::retry_notification(c, &n, at).await }))
            .await
    }

    async fn notify_prefs(&self, user: UserId) -> StoreResult<NotifyPrefs> {
        self.read(move |c| Box::pin(notify::prefs(c, user))).await
    }

    async fn put_notify_prefs(
        &self,
        user: UserId,
        prefs: &NotifyPrefs,
        audit: NewAuditEvent,
    ) -> StoreResult<()> {
        let prefs = *prefs;
        audited(self, audit, always, move |c| {
            Box::pin(async move { notify::put_prefs(c, user, &prefs).await })
        })
        .await
    }
}
