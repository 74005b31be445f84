//! The audit event model (HIPAA 164.312(b)): who did what to which record, when, from where, and
//! with what outcome. Events form a hash chain; this module defines the canonical bytes each
//! link hashes, and the [`ChainHasher`] that ward-crypto implements.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::id::{AuditEventId, PatientId, SessionId, UserId};
use crate::{Timestamp, ValidationError};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The stable code stored in the log and shown on the wire.
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

str_enum!(
    /// What happened.
    AuditAction, "action" {
        LoginSucceeded = "auth.login",
        LoginFailed = "auth.login_failed",
        LoginThrottled = "auth.login_throttled",
        Logout = "auth.logout",
        SessionExpired = "auth.session_expired",
        TotpEnrollmentStarted = "auth.totp_enrollment_started",
        TotpEnrolled = "auth.totp_enrolled",
        TotpReset = "auth.totp_reset",
        ProfileRead = "user.profile_read",
        UsersListed = "user.list",
        UserRead = "user.read",
        UserCreated = "user.create",
        UserStatusChanged = "user.status_change",
        /// A patient account's display name, stored plain by an earlier version, was sealed
        /// (at the server's start).
        UserNameSealed = "user.name_sealed",
        SessionsListed = "session.list",
        SessionRevoked = "session.revoke",
        WipeRequested = "session.wipe_requested",
        WipeConfirmed = "session.wipe_confirmed",
        PolicyRead = "policy.read",
        PolicyChanged = "policy.change",
        RoleChanged = "role.change",
        AuditSearched = "audit.search",
        AuditVerified = "audit.verify",
        CheckpointExported = "audit.checkpoint_export",
        RootKeyRotated = "keys.root_rotated",
        AccessDenied = "access.denied",
        PatientCreated = "patient.create",
        PatientRead = "patient.read",
        PatientsListed = "patient.list",
        PatientLookedUp = "patient.lookup",
        CareTeamChanged = "patient.care_team_change",
        ConversationCreated = "conversation.create",
        ConversationsListed = "conversation.list",
        ConversationRead = "conversation.read",
        MemberAdded = "conversation.member_add",
        MemberRemoved = "conversation.member_remove",
        MessageSent = "message.send",
        MessagesRead = "message.read",
        ReadReceipt = "message.read_receipt",
        ReceiptsRead = "message.receipts_read",
        SyncRead = "sync.read",
        /// A device received messages of a patient's conversation (sync or WebSocket).
        MessagesDelivered = "message.deliver",
        RealtimeConnected = "realtime.connect",
        MessageAcknowledged = "message.ack",
        MessageEscalated = "message.escalate",
        /// An escalation grant ended: acknowledged, or its time ran out.
        EscalationGrantEnded = "escalation.grant_end",
        /// The person an escalation brought in read the message and its context.
        EscalationGrantsRead = "escalation.grants_read",
        ClinicalRoleCreated = "clinical_role.create",
        ClinicalRolesListed = "clinical_role.list",
        ShiftScheduled = "clinical_role.shift_add",
        EscalationRoleSet = "conversation.escalation_role_set",
        RoleHandover = "clinical_role.handover",
        AttachmentUploaded = "attachment.upload",
        AttachmentDownloaded = "attachment.download",
        MessageEdited = "message.edit",
        MessageRecalled = "message.recall",
        MessageVersionsRead = "message.versions_read",
        MessagesExpired = "message.expire",
        LifespanSet = "conversation.lifespan_set",
        MessageScheduled = "message.schedule",
        ScheduledCancelled = "message.schedule_cancel",
        ScheduledListed = "message.schedule_list",
        BreakGlassOpened = "break_glass.open",
        BreakGlassEnded = "break_glass.end",
        AlertsListed = "alert.list",
        AlertAcknowledged = "alert.ack",
        AlertRaised = "alert.raise",
        RetentionSet = "conversation.retention_set",
        EpochDisposed = "retention.dispose",
        HoldPlaced = "legal_hold.place",
        HoldReleased = "legal_hold.release",
        HoldsListed = "legal_hold.list",
        ReportGenerated = "report.generate",
        ConversationExported = "conversation.export",
        DisclosuresRead = "patient.disclosures_read",
        /// An admin asked for a change that needs a compliance officer's approval (or was
        /// refused because no one could approve it).
        PrivilegedChangeRequested = "privileged_change.requested",
        /// A compliance officer approved a request; the change took effect with this event.
        PrivilegedChangeApproved = "privileged_change.approved",
        PrivilegedChangeRejected = "privileged_change.rejected",
        PrivilegedChangesListed = "privileged_change.list",
        /// `ward backup` wrote a sealed backup (detail: its archive id and size).
        BackupCreated = "backup.create",
        /// `ward backup verify` opened a backup whole (detail: its archive id).
        BackupVerified = "backup.verify",
        AccessReviewRead = "access_review.read",
        /// A compliance officer decided whether an account keeps its access.
        AccessReviewed = "access_review.decide",
        ComplianceReportGenerated = "compliance.report",
        ComplianceSelftest = "compliance.selftest",
        /// A device gave its Web Push subscription (endpoint and keys, sealed).
        PushSubscribed = "push.subscribe",
        PushUnsubscribed = "push.unsubscribe",
        NotifyPrefsChanged = "push.preferences_change",
    }
);

str_enum!(
    /// How it ended.
    Outcome, "outcome" {
        Success = "success",
        /// The request was refused for bad credentials or input.
        Failure = "failure",
        /// The caller lacked the permission or membership.
        Denied = "denied",
    }
);

str_enum!(
    /// The kind of record an event is about.
    TargetKind, "target_kind" {
        User = "user",
        Session = "session",
        Policy = "policy",
        AuditLog = "audit_log",
        Keyring = "keyring",
        Conversation = "conversation",
        Message = "message",
        Patient = "patient",
        ClinicalRole = "clinical_role",
        Attachment = "attachment",
        ScheduledMessage = "scheduled_message",
        BreakGlass = "break_glass",
        Alert = "alert",
        LegalHold = "legal_hold",
        PrivilegedChange = "privileged_change",
        Backup = "backup",
    }
);

/// The record an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditTarget {
    pub kind: TargetKind,
    pub id: Option<Uuid>,
}

impl AuditTarget {
    pub const fn new(kind: TargetKind, id: Option<Uuid>) -> Self {
        Self { kind, id }
    }
}

/// An event about to be appended. The store gives it its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub id: AuditEventId,
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub session: Option<SessionId>,
    /// The client's network address, as text.
    pub address: Option<String>,
    pub action: AuditAction,
    pub target: Option<AuditTarget>,
    pub patient: Option<PatientId>,
    pub outcome: Outcome,
    /// Small JSON object with extra facts. Never PHI: no message text, file or patient names.
    pub detail: Option<String>,
}

impl NewAuditEvent {
    /// An event now, by nobody in particular; fill in the rest with the builder methods.
    pub fn new(action: AuditAction, outcome: Outcome) -> Self {
        Self {
            id: AuditEventId::new(),
            at: Timestamp::now(),
            actor: None,
            session: None,
            address: None,
            action,
            target: None,
            patient: None,
            outcome,
            detail: None,
        }
    }

    pub fn target(mut self, kind: TargetKind, id: Option<Uuid>) -> Self {
        self.target = Some(AuditTarget::new(kind, id));
        self
    }

    /// The patient the event concerns, if any (for the accounting of disclosures).
    pub fn patient(mut self, patient: Option<PatientId>) -> Self {
        self.patient = patient;
        self
    }

    pub fn detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// A SHA-256 chain hash.
pub type ChainHash = [u8; 32];

/// The hash before the first event.
pub const GENESIS_HASH: ChainHash = [0; 32];

/// An event in the log, with its position and chain hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain: 1, 2, 3, ... without gaps.
    pub seq: i64,
    pub event: NewAuditEvent,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
}

/// A signed statement that the chain's event `seq` had hash `head` at `signed_at`. Anyone
/// holding it (and the public key) can later check that the log was not rewritten up to `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    pub seq: i64,
    pub head: ChainHash,
    pub signed_at: Timestamp,
    /// The Ed25519 public key that signed it.
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

impl AuditCheckpoint {
    /// The bytes the signature covers: a versioned encoding of `seq`, `head` and `signed_at`.
    pub fn signed_bytes(seq: i64, head: &ChainHash, signed_at: Timestamp) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"ward-audit-checkpoint-v1");
        out.extend_from_slice(&seq.to_be_bytes());
        out.extend_from_slice(head);
        out.extend_from_slice(&signed_at.as_micros().to_be_bytes());
        out
    }
}

/// What is kept of the audit log apart from the main database (in the key vault, the key
/// database or the key directory), where someone who can write only the database cannot reach
/// it: the event from which every link is keyed, and the latest signed checkpoint. It only moves
/// forward: a later checkpoint replaces the kept one, and `keyed_from` never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    /// From this event on every link must be keyed; the events before it were appended before
    /// the deployment's chain was keyed.
    pub keyed_from: i64,
    /// The audit key's Ed25519 signature of [`AuditAnchor::keyed_from_bytes`].
    pub keyed_from_signature: [u8; 64],
    /// The latest signed checkpoint; `None` until the first is signed.
    pub checkpoint: Option<AuditCheckpoint>,
}

impl AuditAnchor {
    /// The bytes `keyed_from_signature` covers: a versioned encoding of `keyed_from`.
    pub fn keyed_from_bytes(keyed_from: i64) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        out.extend_from_slice(b"ward-audit-keyed-from-v1");
        out.extend_from_slice(&keyed_from.to_be_bytes());
        out
    }
}

/// Computes the next link of the audit chain. ward-crypto provides the implementation; the store
/// calls it inside the transaction that appends the event.
pub trait ChainHasher: Send + Sync + std::fmt::Debug {
    fn link(&self, prev: &ChainHash, canonical: &[u8]) -> ChainHash;
}

/// The bytes an event contributes to its chain link: a versioned, length-prefixed encoding of
/// every field, so that no two different events encode the same.
pub fn canonical_bytes(seq: i64, event: &NewAuditEvent) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            Some(bytes) => {
                let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX - 1);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(bytes);
            }
            None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
        }
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"ward-audit-v1");
    field(&mut out, Some(&seq.to_be_bytes()));
    field(&mut out, Some(event.id.as_bytes()));
    field(&mut out, Some(&event.at.as_micros().to_be_bytes()));
    field(&mut out, event.actor.as_ref().map(|id| &id.as_bytes()[..]));
    field(
        &mut out,
        event.session.as_ref().map(|id| &id.as_bytes()[..]),
    );
    field(&mut out, event.address.as_deref().map(str::as_bytes));
    field(&mut out, Some(event.action.as_str().as_bytes()));
    field(&mut out, event.target.map(|t| t.kind.as_str().as_bytes()));
    field(
        &mut out,
        event
            .target
            .and_then(|t| t.id)
            .as_ref()
            .map(|id| &id.as_bytes()[..]),
    );
    field(
        &mut out,
        event.patient.as_ref().map(|id| &id.as_bytes()[..]),
    );
    field(&mut out, Some(event.outcome.as_str().as_bytes()));
    field(&mut out, event.detail.as_deref().map(str::as_bytes));
    out
}

/// What a compliance officer searches the log by. Every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub target: Option<Uuid>,
    pub patient: Option<PatientId>,
    pub action: Option<AuditAction>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Only events with a lower `seq` (for paging backwards from the newest).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Ok(*action));
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Ok(*outcome));
        }
        assert!(AuditAction::parse("nope").is_err());
    }

    #[test]
    fn canonical_bytes_tell_absent_from_empty() {
        let mut a = NewAuditEvent::new(AuditAction::LoginFailed, Outcome::Failure);
        let mut b = a.clone();
        a.address = None;
        b.address = Some(String::new());
        assert_ne!(canonical_bytes(1, &a), canonical_bytes(1, &b));
        assert_ne!(canonical_bytes(1, &a), canonical_bytes(2, &a));
    }
}
