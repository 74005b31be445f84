//! Clinical roles, their shifts, and where a conversation's urgent messages escalate.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClinicalRoleRequest {
    /// "Cardiology on-call", "Charge nurse 4 West": 2 to 80 characters.
    #[schema(min_length = 2, max_length = 80)]
    pub name: String,
    /// Whom an escalation through this role reaches last.
    #[serde(default)]
    pub supervisor_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClinicalRoleView {
    pub id: Uuid,
    pub name: String,
    pub supervisor_id: Option<Uuid>,
    /// Who holds the role now (absent: nobody is scheduled).
    pub holder_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClinicalRoleList {
    pub roles: Vec<ClinicalRoleView>,
}

/// A shift: `user_id` holds the role from `starts_at` until `ends_at` (at most 7 days). Where
/// shifts overlap, the one that started last holds the role (the hand-over).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftRequest {
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShiftView {
    pub id: Uuid,
    pub role_id: Uuid,
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
}

/// The on-call role a conversation's unacknowledged urgent messages escalate to (`null` to
/// clear it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationRoleRequest {
    pub role_id: Option<Uuid>,
}

/// A message an escalation brought the caller to: they may read it and the messages just
/// before it, acknowledge it (`POST /messages/{id}/ack`) and answer in its conversation
/// (`POST /conversations/{id}/messages`) until the message is settled or `ends_at`. They are
/// not a member of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EscalationGrantView {
    pub id: Uuid,
    /// The step that brought them in.
    pub step: crate::messaging::EscalationStep,
    pub conversation_id: Uuid,
    /// The conversation's title, if it has one.
    pub conversation_title: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub message: crate::messaging::MessageView,
    /// The messages just before it (a policy number), oldest first.
    pub context: Vec<crate::messaging::MessageView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EscalationGrantList {
    pub grants: Vec<EscalationGrantView>,
}
