//! Retention and legal holds.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// `PUT /conversations/{id}/retention`: how long this conversation keeps its messages,
/// overriding its kind's retention (60 seconds to 100 years); `null` returns to the kind's.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRequest {
    #[schema(minimum = 60)]
    pub retention_secs: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldScope {
    /// One conversation.
    Conversation,
    /// Every conversation about one patient.
    Patient,
    /// Every message one user sent (with the rest of its key epoch).
    User,
}

/// `POST /legal-holds`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceHoldRequest {
    pub scope: HoldScope,
    /// The conversation, patient or user to hold.
    pub subject_id: Uuid,
    /// Why (10 to 500 characters), e.g. the matter it is for.
    #[schema(min_length = 10, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalHoldView {
    pub id: Uuid,
    pub scope: HoldScope,
    pub subject_id: Uuid,
    pub reason: String,
    pub placed_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub placed_at: OffsetDateTime,
    pub released_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalHoldList {
    pub holds: Vec<LegalHoldView>,
}

/// How a report comes back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    /// `text/csv`, one row per audit event, with a header row.
    Csv,
}

/// The period and format of a report (`GET /reports/{kind}`, `GET /patients/{id}/disclosures`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The user (required for `user-activity`).
    pub user: Option<Uuid>,
    /// From this time (RFC 3339); 30 days before `to` if absent.
    pub from: Option<String>,
    /// Up to this time (RFC 3339); now if absent.
    pub to: Option<String>,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// A report as JSON: the audit events it covers, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// `user-activity`, `failed-logins` or `exports`.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub rows: Vec<crate::audit::AuditEventView>,
}

/// A file a message carried, with its contents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedAttachment {
    pub id: Uuid,
    pub name: Option<String>,
    pub media_type: String,
    pub size: u64,
    /// The file, base64.
    pub content_base64: String,
}

/// A message as exported for e-discovery: every version, its files, its state.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedMessage {
    pub id: Uuid,
    pub seq: i64,
    pub sender_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub priority: String,
    /// The current body; absent once retention disposed of it.
    pub body: Option<String>,
    pub disposed: bool,
    /// Earlier bodies of an edited message, oldest first.
    pub versions: Vec<String>,
    pub recalled: bool,
    pub expired: bool,
    pub attachments: Vec<ExportedAttachment>,
}

/// A conversation as exported.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationExport {
    pub conversation: crate::messaging::ConversationView,
    pub messages: Vec<ExportedMessage>,
}

/// Every conversation about a patient, as exported.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PatientExport {
    pub patient_id: Uuid,
    pub conversations: Vec<ConversationExport>,
}
