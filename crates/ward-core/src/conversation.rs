//! Conversations, their members and messages.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::id::{ConversationId, PatientId, UserId};
use crate::keys::Epoch;
use crate::{Timestamp, ValidationError};

/// A message's id.
pub type MessageId = Uuid;

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)+ }
            }

            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(ValidationError::new($field, "is not a known value")),
                }
            }
        }
    };
}

code_enum!(
    /// What a conversation is for.
    ConversationKind, "kind" {
        /// Exactly two people; one per pair.
        Direct = "direct",
        Group = "group",
        /// A department or topic that staff may join.
        Channel = "channel",
        /// One per patient; its members follow the care team.
        CareTeam = "care_team",
        /// A patient and chosen staff.
        Patient = "patient",
        /// One sender's thread with a clinical role; its staff member is the role's holder.
        Role = "role",
    }
);

code_enum!(
    /// How urgent a message is.
    Priority, "priority" {
        Normal = "normal",
        Urgent = "urgent",
        Stat = "stat",
    }
);

impl ConversationKind {
    /// Whether a member who joins later reads the messages sent before they joined. A
    /// patient's threads and a role thread are the record of that patient's or that role's
    /// care, which a new care-team member or an incoming role holder must see; anywhere else
    /// a member reads from the moment they joined (compliance reads excepted).
    pub const fn new_members_read_history(self) -> bool {
        matches!(self, Self::CareTeam | Self::Patient | Self::Role)
    }
}

/// A conversation as stored. The title, which may name a patient, is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub sealed_title: Option<Vec<u8>>,
    pub patient_id: Option<PatientId>,
    /// For direct conversations: the two user ids in order, so a pair has one conversation.
    pub direct_key: Option<String>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// How long its messages live on devices, if it has a lifespan.
    pub lifespan_secs: Option<i64>,
}

impl Conversation {
    /// The epoch its title is sealed in (the month it was created).
    pub fn title_epoch(&self) -> Epoch {
        Epoch::of(self.created_at)
    }

    /// The key that makes a direct conversation unique per pair.
    pub fn direct_key(a: UserId, b: UserId) -> String {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        format!("{low}:{high}")
    }
}

/// A conversation title: 1 to 200 characters without control characters.
pub fn check_title(text: &str) -> Result<String, ValidationError> {
    let title = text.trim();
    if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err(ValidationError::new("title", "must be 1 to 200 characters"));
    }
    Ok(title.to_owned())
}

/// Longest message body, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A message body: not empty (after trimming), at most [`MAX_BODY_BYTES`].
pub fn check_body(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::new("body", "must not be empty"));
    }
    if text.len() > MAX_BODY_BYTES {
        return Err(ValidationError::new("body", "must be at most 16 KiB"));
    }
    Ok(())
}

/// A message as stored: the body is sealed with the conversation's key for `epoch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// Position in the conversation: 1, 2, 3, ... without gaps.
    pub seq: i64,
    pub sender_id: UserId,
    /// The sender's idempotency key.
    pub client_id: Uuid,
    pub priority: Priority,
    pub epoch: Epoch,
    pub sealed_body: Vec<u8>,
    /// The list of its attachments, sealed like the body; `None` without attachments.
    pub sealed_attachments: Option<Vec<u8>>,
    pub created_at: Timestamp,
    /// The position of its `message.created` event in the global event log.
    pub event_seq: i64,
    /// When the sender last edited it (earlier versions are kept for compliance).
    pub edited_at: Option<Timestamp>,
    /// When the sender recalled it: recipients no longer see the body.
    pub recalled_at: Option<Timestamp>,
    /// When its lifespan ends and devices are told to delete it.
    pub expires_at: Option<Timestamp>,
    /// When devices were told to delete it (its lifespan ended).
    pub expired_at: Option<Timestamp>,
}

impl Message {
    /// A message recipients may no longer read: recalled, or past its lifespan. Its sealed
    /// body stays on the server for compliance until retention ends.
    pub fn withdrawn(&self) -> bool {
        self.recalled_at.is_some() || self.expired_at.is_some()
    }
}

/// An earlier body of an edited message, kept for compliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageVersion {
    pub message_id: MessageId,
    /// 1 is the body as first sent.
    pub version: i64,
    pub epoch: Epoch,
    pub sealed_body: Vec<u8>,
    /// When the next version replaced it.
    pub replaced_at: Timestamp,
}

/// Shortest and longest lifespan a message or conversation may set, in seconds.
pub const LIFESPAN_SECS: std::ops::RangeInclusive<i64> = 60..=366 * 24 * 3600;

/// A lifespan in seconds: one minute to a year.
pub fn check_lifespan(secs: i64) -> Result<i64, ValidationError> {
    if LIFESPAN_SECS.contains(&secs) {
        Ok(secs)
    } else {
        Err(ValidationError::new(
            "lifespan_secs",
            "must be between 60 seconds and 366 days",
        ))
    }
}

/// Where one member has got to in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    /// Highest message seq one of the member's devices has received.
    pub delivered_seq: i64,
    /// Highest message seq the member has read.
    pub read_seq: i64,
    pub updated_at: Timestamp,
}

code_enum!(
    /// What an entry of the event log records.
    EventKind, "event_kind" {
        MessageCreated = "message.created",
        ReceiptUpdated = "receipt.updated",
        /// Created, or a member added.
        ConversationUpdated = "conversation.updated",
        /// A member removed; the removed member gets this event and nothing after it.
        MemberRemoved = "member.removed",
        /// A member acknowledged an urgent or stat message (`user_id`).
        MessageAcknowledged = "message.acknowledged",
        /// Escalation steps of an unacknowledged message (`user_id`: whom the step brought in).
        EscalationRepeat = "escalation.repeat",
        EscalationOnCall = "escalation.on_call",
        EscalationSupervisor = "escalation.supervisor",
        /// The sender edited a message: devices replace its body.
        MessageEdited = "message.edited",
        /// The sender recalled a message: devices delete its body.
        MessageRecalled = "message.recalled",
        /// A message's lifespan ended: devices delete it.
        MessageExpired = "message.expired",
    }
);

impl EventKind {
    /// An escalation step, whose `user_id` is the person it brought in (who hears of it live
    /// without being a member).
    pub const fn is_escalation_step(self) -> bool {
        matches!(
            self,
            Self::EscalationRepeat | Self::EscalationOnCall | Self::EscalationSupervisor
        )
    }
}

/// One entry of the global event log, which every device syncs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Global position: 1, 2, 3, ... in commit order. Cursors are positions.
    pub seq: i64,
    pub conversation_id: ConversationId,
    pub kind: EventKind,
    pub message_id: Option<MessageId>,
    /// The member a receipt or membership event is about.
    pub user_id: Option<UserId>,
    pub at: Timestamp,
}

/// A committed event and who may see it: the conversation's members at that moment (plus, for
/// a removal, the removed member).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub event: Event,
    pub recipients: Vec<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_keys_ignore_order() {
        let (a, b) = (UserId::new(), UserId::new());
        assert_eq!(
            Conversation::direct_key(a, b),
            Conversation::direct_key(b, a)
        );
    }

    #[test]
    fn bodies_are_bounded() {
        assert!(check_body("BP 90/60, please review").is_ok());
        assert!(check_body("   ").is_err());
        assert!(check_body(&"x".repeat(MAX_BODY_BYTES + 1)).is_err());
        assert!(check_title("4 West charge nurses").is_ok());
        assert!(check_title("").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for kind in ["direct", "group", "channel", "care_team", "patient"] {
            assert_eq!(
                ConversationKind::parse(kind).map(ConversationKind::as_str),
                Ok(kind)
            );
        }
        assert!(Priority::parse("whenever").is_err());
    }
}
