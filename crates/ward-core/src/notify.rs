//! Notifications to clinicians who are not looking at Ward: Web Push subscriptions (one per
//! device session) and the notifications owed to a user for a message. What a notification
//! says is fixed here and carries no PHI: no sender, patient, text or conversation title, only
//! how many messages of which priority.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::conversation::Priority;
use crate::id::{ConversationId, SessionId, UserId};
use crate::{Timestamp, ValidationError};

/// A device's push subscription; its endpoint and keys are sealed (`sealed`), since the
/// endpoint lets whoever holds it put text on the device's lock screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    pub id: Uuid,
    pub session_id: SessionId,
    pub user_id: UserId,
    pub sealed: Vec<u8>,
    pub created_at: Timestamp,
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationState {
    Pending,
    /// A push service accepted it for at least one of the user's devices.
    Sent,
    /// Not sent: the user read the message first.
    Suppressed,
    /// Given up after the retries, or no device could take it.
    Failed,
}

impl NotificationState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Suppressed => "suppressed",
            Self::Failed => "failed",
        }
    }
}

/// A notification owed to a user for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub user_id: UserId,
    pub event_seq: i64,
    pub conversation_id: ConversationId,
    pub message_seq: i64,
    pub priority: Priority,
    pub created_at: Timestamp,
    pub attempts: i64,
}

/// The organisation's rules for notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyPolicy {
    /// How long a normal message waits, unread, before it notifies (urgent and STAT notify at
    /// once).
    pub normal_delay_secs: i64,
    /// Urgent messages notify whatever a user's preferences say (STAT always do).
    pub force_urgent: bool,
}

impl Default for NotifyPolicy {
    fn default() -> Self {
        Self {
            normal_delay_secs: 120,
            force_urgent: true,
        }
    }
}

impl NotifyPolicy {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if !(0..=24 * 3600).contains(&self.normal_delay_secs) {
            return Err(ValidationError::new(
                "notify.normal_delay_secs",
                "must be between 0 seconds and 24 hours",
            ));
        }
        Ok(())
    }
}

/// Hours in which normal messages do not notify (urgent and STAT still do), in the user's
/// local time given as an offset from UTC. A range past midnight (22:00 to 07:00) is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// Minutes after local midnight, 0 to 1439.
    pub start_minute: i64,
    pub end_minute: i64,
    /// The user's offset from UTC in minutes (-720 to 840).
    pub utc_offset_minutes: i64,
}

impl QuietHours {
    /// When the quiet hours that `at` falls in end; `None` if `at` is outside them.
    pub fn ends_after(&self, at: Timestamp) -> Option<Timestamp> {
        let secs = at.as_micros().div_euclid(1_000_000) + self.utc_offset_minutes * 60;
        let minute = secs.div_euclid(60).rem_euclid(24 * 60);
        let (start, end) = (self.start_minute, self.end_minute);
        let inside = if start <= end {
            (start..end).contains(&minute)
        } else {
            minute >= start || minute < end
        };
        if !inside {
            return None;
        }
        let wait = (end - minute).rem_euclid(24 * 60);
        Some(at.plus_secs(wait * 60 - secs.rem_euclid(60)))
    }
}

/// What a user wants to be notified of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyPrefs {
    /// Normal messages notify (after the delay, if still unread).
    pub normal: bool,
    /// Urgent messages notify (the policy may insist). STAT messages always do.
    pub urgent: bool,
    pub quiet_hours: Option<QuietHours>,
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        Self {
            normal: true,
            urgent: true,
            quiet_hours: None,
        }
    }
}

impl NotifyPrefs {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(q) = self.quiet_hours {
            for (field, minute) in [
                ("quiet_hours.start_minute", q.start_minute),
                ("quiet_hours.end_minute", q.end_minute),
            ] {
                if !(0..24 * 60).contains(&minute) {
                    return Err(ValidationError::new(field, "must be between 0 and 1439"));
                }
            }
            if q.start_minute == q.end_minute {
                return Err(ValidationError::new(
                    "quiet_hours.end_minute",
                    "must differ from the start",
                ));
            }
            if !(-720..=840).contains(&q.utc_offset_minutes) {
                return Err(ValidationError::new(
                    "quiet_hours.utc_offset_minutes",
                    "must be between -720 and 840",
                ));
            }
        }
        Ok(())
    }
}

/// What to do with a notification now, given the user's preferences and the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// The user does not want this priority.
    Suppress,
    /// Quiet hours: try again when they end.
    HoldUntil(Timestamp),
}

/// Decides for one notification of `priority` at `now`.
pub fn decide(
    priority: Priority,
    prefs: &NotifyPrefs,
    policy: &NotifyPolicy,
    now: Timestamp,
) -> Decision {
    match priority {
        Priority::Stat => Decision::Send,
        Priority::Urgent if prefs.urgent || policy.force_urgent => Decision::Send,
        Priority::Urgent => Decision::Suppress,
        Priority::Normal if !prefs.normal => Decision::Suppress,
        Priority::Normal => match prefs.quiet_hours.and_then(|q| q.ends_after(now)) {
            Some(end) => Decision::HoldUntil(end),
            None => Decision::Send,
        },
    }
}

/// Attempts before a notification is given up (a hold for quiet hours counts as one).
pub const MAX_ATTEMPTS: i64 = 5;

/// How long after a failed attempt the next one is made: 5 s, 10 s, 20 s, 40 s.
pub const fn backoff_secs(attempts: i64) -> i64 {
    let shift = if attempts < 1 {
        0
    } else if attempts > 6 {
        6
    } else {
        attempts - 1
    };
    5 << shift
}

/// What the lock screen shows for `count` messages, the most urgent of which is `priority`:
/// "Ward: 1 new urgent message". Priority and count only.
pub fn notification_text(priority: Priority, count: usize) -> String {
    let kind = match priority {
        Priority::Stat => "STAT ",
        Priority::Urgent => "urgent ",
        Priority::Normal => "",
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("Ward: {count} new {kind}message{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_says_priority_and_count_only() {
        assert_eq!(
            notification_text(Priority::Urgent, 1),
            "Ward: 1 new urgent message"
        );
        assert_eq!(
            notification_text(Priority::Normal, 3),
            "Ward: 3 new messages"
        );
        assert_eq!(
            notification_text(Priority::Stat, 2),
            "Ward: 2 new STAT messages"
        );
    }

    #[test]
    fn quiet_hours_hold_normal_messages_only_and_end_on_time() {
        // 23:30 UTC; quiet 22:00 to 07:00 at UTC+1: 00:30 local, inside.
        let at = Timestamp::from_micros(1_796_513_400_000_000);
        let quiet = QuietHours {
            start_minute: 22 * 60,
            end_minute: 7 * 60,
            utc_offset_minutes: 60,
        };
        let prefs = NotifyPrefs {
            quiet_hours: Some(quiet),
            ..NotifyPrefs::default()
        };
        let policy = NotifyPolicy::default();
        let ends = Timestamp::from_micros(1_796_536_800_000_000); // 06:00Z = 07:00 local
        assert_eq!(
            decide(Priority::Normal, &prefs, &policy, at),
            Decision::HoldUntil(ends)
        );
        assert_eq!(
            decide(Priority::Urgent, &prefs, &policy, at),
            Decision::Send
        );
        assert_eq!(
            decide(Priority::Normal, &prefs, &policy, ends),
            Decision::Send
        );
        let no_urgent = NotifyPrefs {
            urgent: false,
            ..prefs
        };
        assert_eq!(
            decide(Priority::Urgent, &no_urgent, &policy, at),
            Decision::Send,
            "forced"
        );
        let free = NotifyPolicy {
            force_urgent: false,
            ..policy
        };
        assert_eq!(
            decide(Priority::Urgent, &no_urgent, &free, at),
            Decision::Suppress
        );
        assert_eq!(
            decide(Priority::Stat, &no_urgent, &free, at),
            Decision::Send
        );
        assert!(
            NotifyPrefs {
                quiet_hours: Some(QuietHours {
                    start_minute: 1440,
                    ..quiet
                }),
                ..prefs
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn retries_back_off() {
        assert_eq!(
            (1..=5).map(backoff_secs).collect::<Vec<_>>(),
            vec![5, 10, 20, 40, 80]
        );
    }
}
