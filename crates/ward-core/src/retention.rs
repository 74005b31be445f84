//! Retention and legal hold: how long each kind of conversation keeps its messages before
//! they are disposed of (by destroying the key of each closed epoch whose messages are all past
//! retention), and the holds that stop disposal.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::conversation::ConversationKind;
use crate::id::UserId;
use crate::keys::Epoch;
use crate::{Timestamp, ValidationError};

/// Shortest retention (a minute, for drills; hospitals keep years) and the longest (a
/// century).
pub const MIN_RETENTION_SECS: i64 = 60;
pub const MAX_RETENTION_SECS: i64 = 100 * 366 * 24 * 3600;

/// How long each kind of conversation keeps its messages, in seconds; `None` keeps them
/// until a policy says otherwise. An admin may override it per conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub direct: Option<i64>,
    pub group: Option<i64>,
    pub channel: Option<i64>,
    pub care_team: Option<i64>,
    pub patient: Option<i64>,
    pub role: Option<i64>,
}

impl RetentionPolicy {
    /// The retention of a conversation of this kind.
    pub const fn for_kind(&self, kind: ConversationKind) -> Option<i64> {
        match kind {
            ConversationKind::Direct => self.direct,
            ConversationKind::Group => self.group,
            ConversationKind::Channel => self.channel,
            ConversationKind::CareTeam => self.care_team,
            ConversationKind::Patient => self.patient,
            ConversationKind::Role => self.role,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, secs) in [
            ("retention.direct", self.direct),
            ("retention.group", self.group),
            ("retention.channel", self.channel),
            ("retention.care_team", self.care_team),
            ("retention.patient", self.patient),
            ("retention.role", self.role),
        ] {
            if let Some(secs) = secs {
                check_retention(field, secs)?;
            }
        }
        Ok(())
    }
}

/// A retention in seconds, within bounds.
pub fn check_retention(field: &'static str, secs: i64) -> Result<i64, ValidationError> {
    if (MIN_RETENTION_SECS..=MAX_RETENTION_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(ValidationError::new(
            field,
            "must be between 60 seconds and 100 years",
        ))
    }
}

/// What a legal hold covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldScope {
    /// One conversation.
    Conversation,
    /// Every conversation about one patient (care-team and patient threads).
    Patient,
    /// Every epoch holding a message one user sent.
    User,
}

impl HoldScope {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Conversation => "conversation",
            Self::Patient => "patient",
            Self::User => "user",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "conversation" => Ok(Self::Conversation),
            "patient" => Ok(Self::Patient),
            "user" => Ok(Self::User),
            _ => Err(ValidationError::new("scope", "is not a known hold scope")),
        }
    }
}

pub type HoldId = Uuid;

/// A legal hold: while it lasts, nothing it covers is disposed of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHold {
    pub id: HoldId,
    pub scope: HoldScope,
    /// The conversation, patient or user held.
    pub subject_id: Uuid,
    /// The reason, sealed under the compliance records key of `epoch`.
    pub epoch: Epoch,
    pub sealed_reason: Vec<u8>,
    pub placed_by: UserId,
    pub placed_at: Timestamp,
    pub released_by: Option<UserId>,
    pub released_at: Option<Timestamp>,
}

/// A closed epoch of a conversation whose messages may all be past retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochCandidate {
    pub conversation_id: crate::id::ConversationId,
    pub kind: ConversationKind,
    pub patient_id: Option<crate::id::PatientId>,
    /// The conversation's own retention, overriding its kind's.
    pub retention_secs: Option<i64>,
    pub epoch: Epoch,
    /// When its newest message was sent.
    pub last_sent_at: Timestamp,
    pub messages: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_bounded_and_per_kind() {
        let policy = RetentionPolicy {
            group: Some(30 * 24 * 3600),
            ..RetentionPolicy::default()
        };
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(
            policy.for_kind(ConversationKind::Group),
            Some(30 * 24 * 3600)
        );
        assert_eq!(policy.for_kind(ConversationKind::CareTeam), None);
        let too_short = RetentionPolicy {
            direct: Some(59),
            ..RetentionPolicy::default()
        };
        assert!(too_short.validate().is_err());
        assert_eq!(HoldScope::parse("patient"), Ok(HoldScope::Patient));
        assert!(HoldScope::parse("everything").is_err());
    }
}
