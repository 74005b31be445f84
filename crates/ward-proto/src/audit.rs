//! Audit search and verification.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEventView {
    pub seq: i64,
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub address: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub outcome: String,
    pub detail: Option<serde_json::Value>,
    /// Hex SHA-256 chain hash of this event.
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub events: Vec<AuditEventView>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

/// Filters for `GET /api/v1/audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Events by this user.
    pub actor: Option<Uuid>,
    /// Events about this record.
    pub target: Option<Uuid>,
    /// Events about this patient.
    pub patient: Option<Uuid>,
    /// Events with this action code, e.g. `auth.login_failed`.
    pub action: Option<String>,
    /// From this time (RFC 3339), inclusive.
    pub from: Option<String>,
    /// Up to this time (RFC 3339), inclusive.
    pub to: Option<String>,
    /// Only events older than this sequence number (paging).
    pub before: Option<i64>,
    /// At most this many events (1 to 1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditVerifyReport {
    /// True if every event links to the one before and matches its hash.
    pub ok: bool,
    pub verified_events: i64,
    /// Hex hash of the last verified event.
    pub head_hash: String,
    pub first_break: Option<ChainBreakView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChainBreakView {
    pub seq: i64,
    pub reason: String,
}

/// A signed audit checkpoint, as exported for an outside party. The signature is Ed25519 over
/// `"ward-audit-checkpoint-v1" || seq (8 bytes, big-endian) || head hash (32 bytes) ||
/// signed_at in microseconds since the Unix epoch (8 bytes, big-endian)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditCheckpointView {
    pub seq: i64,
    /// Hex chain hash of event `seq`.
    pub head_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
    /// Hex Ed25519 public key.
    pub public_key: String,
    /// Hex Ed25519 signature.
    pub signature: String,
}
