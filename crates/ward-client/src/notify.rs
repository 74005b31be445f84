//! Web Push: the server's key and this device's subscription.

use reqwest::Method;
use ward_proto::notify::{
    NotificationPreferences, PushKey, PushSubscriptionRequest, PushSubscriptionView,
};

use crate::{Client, ClientResult};

impl Client {
    pub async fn push_key(&self) -> ClientResult<PushKey> {
        Self::json(self.request(Method::GET, "/push/key")).await
    }

    pub async fn subscribe_push(
        &self,
        req: &PushSubscriptionRequest,
    ) -> ClientResult<PushSubscriptionView> {
        Self::json(self.with_body(Method::POST, "/me/push-subscriptions", req)).await
    }

    pub async fn unsubscribe_push(&self) -> ClientResult<()> {
        Self::empty(self.request(Method::DELETE, "/me/push-subscriptions")).await
    }

    pub async fn notification_preferences(&self) -> ClientResult<NotificationPreferences> {
        Self::json(self.request(Method::GET, "/me/notification-preferences")).await
    }

    pub async fn set_notification_preferences(
        &self,
        prefs: &NotificationPreferences,
    ) -> ClientResult<NotificationPreferences> {
        Self::json(self.with_body(Method::PUT, "/me/notification-preferences", prefs)).await
    }
}
