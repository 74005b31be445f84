//! Web Push subscriptions of the caller's device (`/me/push-subscriptions`) and the key
//! browsers subscribe with (`/push/key`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The keys of a browser's `PushSubscription`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    /// The device's P-256 public key, an uncompressed point, base64url.
    #[schema(max_length = 128)]
    pub p256dh: String,
    /// The device's 16-byte authentication secret, base64url.
    #[schema(max_length = 64)]
    pub auth: String,
}

/// `POST /me/push-subscriptions`: the browser's `PushSubscription.toJSON()`. The endpoint must
/// be https (http only on a loopback address). One per device session; a new one replaces it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PushSubscriptionRequest {
    #[schema(max_length = 2048)]
    pub endpoint: String,
    /// Ignored (browsers send it; Ward keeps a subscription as long as its session).
    #[serde(default)]
    pub expiration_time: Option<f64>,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushSubscriptionView {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The key browsers subscribe with (`applicationServerKey`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushKey {
    /// The server's VAPID public key (uncompressed P-256 point), base64url.
    pub public_key: String,
}

/// Hours in which normal messages do not notify (urgent and STAT still do), in the user's local
/// time: minutes after midnight (0 to 1439) and the offset from UTC in minutes (-720 to 840).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub start_minute: i64,
    pub end_minute: i64,
    pub utc_offset_minutes: i64,
}

/// `GET`/`PUT /me/notification-preferences`: what this user is notified of. STAT messages
/// always notify; urgent ones do too while the policy's `notify.force_urgent` is on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    pub normal: bool,
    pub urgent: bool,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}
