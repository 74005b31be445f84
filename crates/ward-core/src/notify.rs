//! Notifications to clinicians who are not looking at Ward: Web Push subscriptions (one per
//! device session) and the notifications owed to a user for a message. What a notification
//! says is fixed here and carries no PHI: no sender, patient, text or conversation title, only
//! how many messages of which priority.

use uuid::Uuid;

use crate::Timestamp;
use crate::conversation::Priority;
use crate::id::{ConversationId, SessionId, UserId};

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

/// How long a normal message waits, unread, before it notifies (urgent and STAT notify at
/// once).
pub const NORMAL_DELAY_SECS: i64 = 120;

/// Attempts before a notification is given up.
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
    fn retries_back_off() {
        assert_eq!(
            (1..=5).map(backoff_secs).collect::<Vec<_>>(),
            vec![5, 10, 20, 40, 80]
        );
    }
}
