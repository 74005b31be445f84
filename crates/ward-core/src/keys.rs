//! What the key store keeps: data keys per scope and epoch, each wrapped by a root key.

use crate::id::ConversationId;
use crate::{Timestamp, ValidationError};

/// What a data key protects. Each conversation has its own keys; account secrets (TOTP) have
/// theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyScope {
    Conversation(ConversationId),
    AccountSecrets,
    /// Patient demographics.
    PatientRecords,
    /// The key of the MRN blind index.
    PatientIndex,
    /// The seed of the Ed25519 key that signs audit checkpoints. Never shredded.
    AuditSigning,
    /// Compliance records (legal hold reasons). Never shredded.
    ComplianceRecords,
    /// The key of one backup archive, wrapped into the archive's header (never stored).
    BackupArchive,
    /// The key that seals and authenticates what nodes send each other over the cluster bus.
    /// Never shredded.
    ClusterBus,
    /// The secret of the application server's VAPID key (Web Push). Never shredded.
    WebPush,
}

impl KeyScope {
    /// A short stable code for the kind of scope, stored beside the scope id.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Conversation(_) => "conversation",
            Self::AccountSecrets => "account_secrets",
            Self::PatientRecords => "patient_records",
            Self::PatientIndex => "patient_index",
            Self::AuditSigning => "audit_signing",
            Self::ComplianceRecords => "compliance_records",
            Self::BackupArchive => "backup_archive",
            Self::ClusterBus => "cluster_bus",
            Self::WebPush => "web_push",
        }
    }

    /// The scope's id; the nil UUID for scopes that are not a record.
    pub fn id(&self) -> uuid::Uuid {
        match self {
            Self::Conversation(id) => *id.as_uuid(),
            Self::AccountSecrets
            | Self::PatientRecords
            | Self::PatientIndex
            | Self::AuditSigning
            | Self::ComplianceRecords
            | Self::BackupArchive
            | Self::ClusterBus
            | Self::WebPush => uuid::Uuid::nil(),
        }
    }

    pub fn from_parts(kind: &str, id: uuid::Uuid) -> Result<Self, ValidationError> {
        match kind {
            "conversation" => Ok(Self::Conversation(ConversationId::from_uuid(id))),
            "account_secrets" => Ok(Self::AccountSecrets),
            "patient_records" => Ok(Self::PatientRecords),
            "patient_index" => Ok(Self::PatientIndex),
            "audit_signing" => Ok(Self::AuditSigning),
            "compliance_records" => Ok(Self::ComplianceRecords),
            "backup_archive" => Ok(Self::BackupArchive),
            "cluster_bus" => Ok(Self::ClusterBus),
            "web_push" => Ok(Self::WebPush),
            _ => Err(ValidationError::new("key_scope", "is not a known scope")),
        }
    }
}

/// A key epoch: a calendar month counted from January 1970, so one key protects at most a
/// month of a conversation and retention can destroy old months whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Epoch(i64);

impl Epoch {
    pub const fn from_index(index: i64) -> Self {
        Self(index)
    }

    pub const fn index(self) -> i64 {
        self.0
    }

    /// The epoch a moment falls in.
    pub fn of(at: Timestamp) -> Self {
        let date = at.to_datetime();
        Self(i64::from(date.year() - 1970) * 12 + i64::from(u8::from(date.month())) - 1)
    }
}

/// How long a key epoch lasts: a calendar month, or (for retention drills and tests) a fixed
/// number of seconds. Retention destroys whole epochs, so it can dispose of nothing finer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EpochLength {
    #[default]
    Month,
    Secs(i64),
}

impl EpochLength {
    /// The epoch a moment falls in.
    pub fn epoch_of(self, at: Timestamp) -> Epoch {
        match self {
            Self::Month => Epoch::of(at),
            Self::Secs(secs) => Epoch(at.as_micros().div_euclid(secs.max(1) * 1_000_000)),
        }
    }
}

impl EpochLength {
    /// When `epoch` begins and when the next one does: what an epoch is named by in audit
    /// events, whatever its length.
    pub fn bounds(self, epoch: Epoch) -> (Timestamp, Timestamp) {
        match self {
            Self::Month => (month_start(epoch.0), month_start(epoch.0 + 1)),
            Self::Secs(secs) => {
                let micros = secs.max(1).saturating_mul(1_000_000);
                let start = epoch.0.saturating_mul(micros);
                (
                    Timestamp::from_micros(start),
                    Timestamp::from_micros(start.saturating_add(micros)),
                )
            }
        }
    }
}

/// The first moment (UTC) of month `index`, counted from January 1970.
fn month_start(index: i64) -> Timestamp {
    let year = i32::try_from(1970 + index.div_euclid(12)).unwrap_or(i32::MAX);
    let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
    let date = time::Month::try_from(month)
        .ok()
        .and_then(|month| time::Date::from_calendar_date(year, month, 1).ok());
    match date {
        Some(date) => Timestamp::from_datetime(date.midnight().assume_utc()),
        // Beyond the calendar's range: the largest moment there is.
        None => Timestamp::from_micros(i64::MAX),
    }
}

/// A data key encrypted under a root key. Only ward-crypto can open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which root key wrapped it (a fingerprint, not the key).
    pub root_key_id: String,
    pub ciphertext: Vec<u8>,
}

/// A wrapped data key and where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeyRecord {
    pub scope: KeyScope,
    pub epoch: Epoch,
    pub wrapped: WrappedKey,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_months() {
        let at = Timestamp::from_micros(1_763_900_000_000_000); // 2025-11-23
        let epoch = Epoch::of(at);
        assert_eq!(Epoch::of(Timestamp::from_micros(0)).index(), 0);
        let (start, end) = EpochLength::Month.bounds(epoch);
        assert_eq!(start.to_string(), "2025-11-01T00:00:00Z");
        assert_eq!(end.to_string(), "2025-12-01T00:00:00Z");
        let december = EpochLength::Month.bounds(Epoch::of(Timestamp::from_micros(
            1_765_000_000_000_000, // 2025-12-06
        )));
        assert_eq!(december.1.to_string(), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn drill_epochs_are_named_by_their_real_times() {
        let length = EpochLength::Secs(2);
        let at = Timestamp::from_micros(1_763_900_001_500_000);
        let (start, end) = length.bounds(length.epoch_of(at));
        assert_eq!(start.as_micros(), 1_763_900_000_000_000);
        assert_eq!(end.as_micros(), 1_763_900_002_000_000);
        assert!(start <= at && at < end);
    }

    #[test]
    fn scopes_round_trip() {
        let scope = KeyScope::Conversation(ConversationId::new());
        assert_eq!(KeyScope::from_parts(scope.kind(), scope.id()), Ok(scope));
        assert!(KeyScope::from_parts("other", scope.id()).is_err());
    }
}
