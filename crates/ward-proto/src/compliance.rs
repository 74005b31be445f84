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
