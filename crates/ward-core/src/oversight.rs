//! Break-glass access to a patient's care-team thread, and the alerts that compliance officers
//! receive about it.

use uuid::Uuid;

use crate::id::{ConversationId, PatientId, UserId};
use crate::keys::Epoch;
use crate::{Timestamp, ValidationError};

/// A break-glass grant's id.
pub type GrantId = Uuid;
/// An alert's id.
pub type AlertId = Uuid;

/// Default and longest break-glass access, in minutes.
pub const DEFAULT_BREAK_GLASS_MINUTES: i64 = 60;
pub const MAX_BREAK_GLASS_MINUTES: i64 = 8 * 60;

/// Time-limited access of a clinician who is not on a patient's care team to the patient's
/// care-team thread, for a stated reason. The reason is sealed with the thread's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassGrant {
    pub id: GrantId,
    pub patient_id: PatientId,
    pub user_id: UserId,
    /// The patient's care-team conversation, which the grant makes the user a member of.
    pub conversation_id: ConversationId,
    /// The epoch whose key sealed the reason.
    pub epoch: Epoch,
    pub sealed_reason: Vec<u8>,
    pub opened_at: Timestamp,
    /// When the access ends by itself.
    pub ends_at: Timestamp,
    /// When it ended (`None` while it lasts).
    pub ended_at: Option<Timestamp>,
}

/// A break-glass reason: 10 to 500 characters, no control characters other than newlines.
pub fn check_reason(text: &str) -> Result<String, ValidationError> {
    let reason = text.trim();
    let length = reason.chars().count();
    if length < 10 {
        return Err(ValidationError::new(
            "reason",
            "must state why access is needed (at least 10 characters)",
        ));
    }
    if length > 500 || reason.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ValidationError::new(
            "reason",
            "must be at most 500 characters without control characters",
        ));
    }
    Ok(reason.to_owned())
}

/// How long a break-glass access lasts: 1 minute to [`MAX_BREAK_GLASS_MINUTES`].
pub fn check_minutes(minutes: Option<i64>) -> Result<i64, ValidationError> {
    let minutes = minutes.unwrap_or(DEFAULT_BREAK_GLASS_MINUTES);
    if (1..=MAX_BREAK_GLASS_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(ValidationError::new("minutes", "must be between 1 and 480"))
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// A clinician opened a patient's thread by break-glass.
    BreakGlass,
    /// One user opened many different patients' records in a short window.
    ManyPatients,
    /// One user downloaded many attachments in a short window.
    BulkDownload,
    /// Repeated failed sign-ins for one account or from one address.
    FailedLogins,
    /// A sign-in from an address the user never signed in from before.
    NewAddress,
    /// A sign-in at an hour outside the user's pattern.
    UnusualHours,
    /// Someone asked for a change that needs a second person (a role with audit or compliance
    /// permissions, or such a user's second factor reset).
    PrivilegedChange,
}

impl AlertKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BreakGlass => "break_glass",
            Self::ManyPatients => "many_patients",
            Self::BulkDownload => "bulk_download",
            Self::FailedLogins => "failed_logins",
            Self::NewAddress => "new_address",
            Self::UnusualHours => "unusual_hours",
            Self::PrivilegedChange => "privileged_change",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "break_glass" => Ok(Self::BreakGlass),
            "many_patients" => Ok(Self::ManyPatients),
            "bulk_download" => Ok(Self::BulkDownload),
            "failed_logins" => Ok(Self::FailedLogins),
            "new_address" => Ok(Self::NewAddress),
            "unusual_hours" => Ok(Self::UnusualHours),
            "privileged_change" => Ok(Self::PrivilegedChange),
            _ => Err(ValidationError::new("kind", "is not a known alert kind")),
        }
    }
}

/// Something compliance officers must look at, linked to the audit event behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub kind: AlertKind,
    /// Whose activity raised it.
    pub subject_id: Option<UserId>,
    pub patient_id: Option<PatientId>,
    /// The audit event that raised it.
    pub audit_seq: i64,
    /// Every audit event behind it, oldest first (for a rule over a window: the events in
    /// that window; otherwise just `audit_seq`).
    pub evidence: Vec<i64>,
    pub raised_at: Timestamp,
    pub acknowledged_by: Option<UserId>,
    pub acknowledged_at: Option<Timestamp>,
    /// The compliance officer's sign-off note, sealed under the compliance-records key.
    pub sealed_note: Option<Vec<u8>>,
}

/// Longest sign-off note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A sign-off note: trimmed, something said, not too long.
pub fn check_note(note: &str) -> Result<&str, ValidationError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(ValidationError::new("note", "must say something"));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ValidationError::new(
            "note",
            "must be at most 2000 characters",
        ));
    }
    Ok(note)
}

/// A compliance officer's access-review decision about one account: keep its access or
/// remove it. The latest decision per account is the one that counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDecision {
    pub id: Uuid,
    pub user_id: UserId,
    /// The role the account had when it was reviewed.
    pub role: crate::role::RoleName,
    pub keep: bool,
    pub reviewed_by: UserId,
    pub reviewed_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_must_say_something() {
        assert!(check_reason("Cardiac arrest in ED, covering resident").is_ok());
        assert!(check_reason("   ").is_err());
        assert!(check_reason("urgent").is_err());
        assert!(check_reason(&"x".repeat(501)).is_err());
        assert!(check_reason("patient arrived\u{0}in ED now").is_err());
    }

    #[test]
    fn durations_are_bounded() {
        assert_eq!(check_minutes(None), Ok(DEFAULT_BREAK_GLASS_MINUTES));
        assert_eq!(check_minutes(Some(5)), Ok(5));
        assert!(check_minutes(Some(0)).is_err());
        assert!(check_minutes(Some(MAX_BREAK_GLASS_MINUTES + 1)).is_err());
    }
}
