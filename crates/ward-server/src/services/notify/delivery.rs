//! Sending what is due: each pending notification is claimed (so one node sends it), a normal
//! one read meanwhile is dropped, and the rest go to each of the user's live devices as one
//! encrypted push per device saying how many messages of which priority wait. A push service
//! that says the subscription is gone (404, 410) loses it; other failures are retried with
//! backoff, then given up.

use std::collections::BTreeMap;

use ward_core::Timestamp;
use ward_core::conversation::Priority;
use ward_core::id::UserId;
use ward_core::notify::{
    Decision, MAX_ATTEMPTS, Notification, NotificationState, NotifyPolicy, PushSubscription,
    backoff_secs, decide, notification_text,
};
use ward_crypto::webpush::{Subscriber, VapidKey, encrypt};

use super::{Notifier, NotifyStats};
use crate::services::ServiceError;

/// Most notifications one pass takes.
const BATCH: u32 = 200;
/// How long a claim keeps other nodes off a notification (a node that stopped mid-send
/// leaves it to be tried again after this).
const LEASE_SECS: i64 = 60;
/// How long a push service keeps a notification for a device that is offline.
const TTL_SECS: u32 = 12 * 3600;
/// The contact a push service is given in the VAPID token.
const VAPID_SUBJECT: &str = "mailto:ward-notifications@localhost";

/// How one push went.
enum Outcome {
    Accepted,
    /// The subscription no longer exists at its push service.
    Gone,
    Failed,
}

impl Notifier {
    /// Sends the notifications due by `now`; how many were sent.
    pub async fn run_due(&self, now: Timestamp) -> Result<usize, ServiceError> {
        let policy = self.policy.get().await?;
        let idle_since = now.minus_secs(policy.session.idle_timeout_secs);
        self.store
            .purge_dead_push_subscriptions(now, idle_since)
            .await?;
        let normal_before = now.minus_secs(policy.notify.normal_delay_secs);
        let due = self
            .store
            .due_notifications(now, normal_before, BATCH)
            .await?;
        let mut by_user: BTreeMap<UserId, Vec<Notification>> = BTreeMap::new();
        for n in due {
            if self
                .store
                .claim_notification(&n, now, now.plus_secs(LEASE_SECS))
                .await?
            {
                by_user.entry(n.user_id).or_default().push(n);
            }
        }
        let mut sent = 0;
        for (user, owed) in by_user {
            let owed = self.drop_read(owed).await?;
            let owed = self.apply_prefs(user, owed, &policy.notify, now).await?;
            if owed.is_empty() {
                continue;
            }
            let devices = self
                .store
                .live_push_subscriptions(user, now, idle_since)
                .await?;
            let accepted = self.push_to(&devices, &owed, now).await?;
            for n in &owed {
                if accepted {
                    self.store
                        .settle_notification(n, NotificationState::Sent)
                        .await?;
                    NotifyStats::count(&self.stats.sent);
                } else if devices.is_empty() || n.attempts + 1 >= MAX_ATTEMPTS {
                    self.store
                        .settle_notification(n, NotificationState::Failed)
                        .await?;
                    NotifyStats::count(&self.stats.failed);
                } else {
                    let next = now.plus_secs(backoff_secs(n.attempts + 1));
                    self.store.retry_notification(n, next).await?;
                    NotifyStats::count(&self.stats.retried);
                }
            }
            sent += usize::from(accepted) * owed.len();
        }
        Ok(sent)
    }

    /// The notifications the user wants now: a priority they turned off is dropped, a normal
    /// one in their quiet hours waits for the hours to end.
    async fn apply_prefs(
        &self,
        user: UserId,
        owed: Vec<Notification>,
        policy: &NotifyPolicy,
        now: Timestamp,
    ) -> Result<Vec<Notification>, ServiceError> {
        let prefs = self.store.notify_prefs(user).await?;
        let mut kept = Vec::with_capacity(owed.len());
        for n in owed {
            match decide(n.priority, &prefs, policy, now) {
                Decision::Send => kept.push(n),
                Decision::Suppress => {
                    self.store
                        .settle_notification(&n, NotificationState::Suppressed)
                        .await?;
                    NotifyStats::count(&self.stats.suppressed);
                }
                Decision::HoldUntil(end) => self.store.retry_notification(&n, end).await?,
            }
        }
        Ok(kept)
    }

    /// The notifications still owed: a normal message the user has read since is dropped.
    async fn drop_read(&self, owed: Vec<Notification>) -> Result<Vec<Notification>, ServiceError> {
        let mut kept = Vec::with_capacity(owed.len());
        for n in owed {
            if n.priority == Priority::Normal {
                let read = self
                    .store
                    .receipt(n.conversation_id, n.user_id)
                    .await?
                    .is_some_and(|r| r.read_seq >= n.message_seq);
                if read {
                    self.store
                        .settle_notification(&n, NotificationState::Suppressed)
                        .await?;
                    NotifyStats::count(&self.stats.suppressed);
                    continue;
                }
            }
            kept.push(n);
        }
        Ok(kept)
    }

    /// One push to each device, saying how many of the owed messages wait and the most urgent
    /// priority among them; whether at least one push service took it.
    async fn push_to(
        &self,
        devices: &[PushSubscription],
        owed: &[Notification],
        now: Timestamp,
    ) -> Result<bool, ServiceError> {
        let top = owed
            .iter()
            .map(|n| n.priority)
            .max_by_key(|p| match p {
                Priority::Normal => 0,
                Priority::Urgent => 1,
                Priority::Stat => 2,
            })
            .unwrap_or(Priority::Normal);
        if devices.is_empty() {
            return Ok(false);
        }
        let vapid = self.keys.vapid_key().await?;
        let mut accepted = false;
        for device in devices {
            let payload = serde_json::json!({
                "title": "Ward",
                "body": notification_text(top, owed.len()),
                "priority": top.as_str(),
                "count": owed.len(),
                "tag": format!("ward-{}", device.id.simple()),
                "url": "/",
            })
            .to_string();
            match self.push(device, &vapid, &payload, top, now).await? {
                Outcome::Accepted => accepted = true,
                Outcome::Gone => {
                    self.store.drop_push_subscription(device.id).await?;
                    NotifyStats::count(&self.stats.gone);
                }
                Outcome::Failed => {}
            }
        }
        Ok(accepted)
    }

    /// Encrypts `payload` for the device and posts it to its push service with a VAPID token.
    async fn push(
        &self,
        device: &PushSubscription,
        vapid: &VapidKey,
        payload: &str,
        priority: Priority,
        now: Timestamp,
    ) -> Result<Outcome, ServiceError> {
        let target = self.open(device).await?;
        let body = encrypt(
            Subscriber {
                p256dh: &target.p256dh,
                auth: &target.auth,
            },
            payload.as_bytes(),
        )?;
        let Ok(url) = reqwest::Url::parse(&target.endpoint) else {
            return Ok(Outcome::Gone);
        };
        let audience = url.origin().ascii_serialization();
        let expires = now.plus_secs(12 * 3600).as_micros() / 1_000_000;
        let authorization = vapid.authorization(&audience, expires, VAPID_SUBJECT)?;
        let urgency = if priority == Priority::Normal {
            "normal"
        } else {
            "high"
        };
        let sent = self
            .http
            .post(url)
            .header("TTL", TTL_SECS.to_string())
            .header("Urgency", urgency)
            .header(
                "Topic",
                format!("ward{}", &device.id.simple().to_string()[..24]),
            )
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await;
        Ok(match sent.map(|r| r.status().as_u16()) {
            Ok(200..=299) => Outcome::Accepted,
            Ok(404 | 410) => Outcome::Gone,
            Ok(status) => {
                tracing::warn!(status, "a push service refused a notification");
                Outcome::Failed
            }
            Err(error) => {
                tracing::warn!(error = %error.without_url(), "a push service could not be reached");
                Outcome::Failed
            }
        })
    }
}
