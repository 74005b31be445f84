//! Messages scheduled to be sent later (an appointment reminder, say). At its time a scheduled
//! message goes through the same send path as any other, safety checks included.

use uuid::Uuid;

use crate::attachment::AttachmentId;
use crate::conversation::{MessageId, Priority};
use crate::id::{ConversationId, SessionId, UserId};
use crate::keys::Epoch;
use crate::{Timestamp, ValidationError};

pub type ScheduledId = Uuid;

/// How long a claimed send may take before another pass takes it over (the send is
/// idempotent by client id, so a takeover never doubles it).
pub const CLAIM_TIMEOUT_SECS: i64 = 60;

/// Furthest ahead a message may be scheduled, in seconds.
pub const MAX_SCHEDULE_AHEAD_SECS: i64 = 366 * 24 * 3600;

/// Where a scheduled message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduledState {
    Pending,
    /// Its time came and a scheduler claimed it; being sent (cancelling is too late).
    Sending,
    Sent,
    Cancelled,
    /// Its time came but it could not be sent (the sender lost membership or permission, or a
    /// safety check now blocks it).
    Failed,
}

impl ScheduledState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "pending" => Ok(Self::Pending),
            "sending" => Ok(Self::Sending),
            "sent" => Ok(Self::Sent),
            "cancelled" => Ok(Self::Cancelled),
            "failed" => Ok(Self::Failed),
            _ => Err(ValidationError::new("state", "is not a known value")),
        }
    }
}

/// A message waiting for its time. The body is sealed with the conversation's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledMessage {
    pub id: ScheduledId,
    pub conversation_id: ConversationId,
    pub sender_id: UserId,
    /// The session that scheduled it; the send is recorded against it.
    pub session_id: SessionId,
    /// The client id the message will be sent with (a retried send stores nothing twice).
    pub client_id: Uuid,
    pub priority: Priority,
    pub epoch: Epoch,
    pub sealed_body: Vec<u8>,
    pub attachments: Vec<AttachmentId>,
    /// The message's lifespan, if it has one.
    pub lifespan_secs: Option<i64>,
    pub send_at: Timestamp,
    pub state: ScheduledState,
    /// The message it became, once sent.
    pub message_id: Option<MessageId>,
    /// Why it failed, without PHI.
    pub failure: Option<String>,
    pub created_at: Timestamp,
}

/// A send time: in the future, at most [`MAX_SCHEDULE_AHEAD_SECS`] ahead.
pub fn check_send_at(send_at: Timestamp, now: Timestamp) -> Result<Timestamp, ValidationError> {
    if send_at <= now {
        return Err(ValidationError::new("send_at", "must be in the future"));
    }
    if send_at > now.plus_secs(MAX_SCHEDULE_AHEAD_SECS) {
        return Err(ValidationError::new(
            "send_at",
            "must be at most a year ahead",
        ));
    }
    Ok(send_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_times_are_in_the_future() {
        let now = Timestamp::now();
        assert!(check_send_at(now.plus_secs(60), now).is_ok());
        assert!(check_send_at(now, now).is_err());
        assert!(check_send_at(now.minus_secs(1), now).is_err());
        assert!(check_send_at(now.plus_secs(MAX_SCHEDULE_AHEAD_SECS + 1), now).is_err());
    }

    #[test]
    fn states_round_trip() {
        for state in ["pending", "sending", "sent", "cancelled", "failed"] {
            assert_eq!(
                ScheduledState::parse(state).map(ScheduledState::as_str),
                Ok(state)
            );
        }
    }
}
