//! Changes to messages after sending (edit, recall, versions for compliance, lifespans) and
//! scheduled sends.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::messaging::Priority;

/// `PUT /conversations/{id}/lifespan`: how long new messages live on devices; `null` clears.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifespanRequest {
    /// 60 seconds to 366 days.
    #[schema(minimum = 60, maximum = 31622400)]
    pub lifespan_secs: Option<i64>,
}

/// `PATCH /messages/{id}`: the sender's new body. The earlier one is kept for compliance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditMessageRequest {
    #[schema(min_length = 1)]
    pub body: String,
    /// The sender has seen the safety findings for the new body and saves it anyway.
    #[serde(default)]
    pub confirm_findings: bool,
}

/// A message's earlier bodies, for compliance (`GET /messages/{id}/versions`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageVersions {
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    /// The body now (kept even when recalled or expired).
    pub body: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub recalled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expired_at: Option<OffsetDateTime>,
    /// Earlier bodies, oldest first.
    pub versions: Vec<MessageVersionView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageVersionView {
    /// 1 is the body as first sent.
    pub version: i64,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub replaced_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduledState {
    Pending,
    /// Its time came and it is being sent; too late to cancel.
    Sending,
    Sent,
    Cancelled,
    /// Its time came but it could not be sent; `failure` says why.
    Failed,
}

/// A message scheduled for later.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduledMessageView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub client_id: Uuid,
    pub body: String,
    pub priority: Priority,
    #[serde(with = "time::serde::rfc3339")]
    pub send_at: OffsetDateTime,
    pub state: ScheduledState,
    pub message_id: Option<Uuid>,
    pub failure: Option<String>,
}

/// The answer to a send retried with a `client_id` used before (200): what the first request
/// made, and nothing new. A plain send gets its message back; a send with `send_at` gets its
/// scheduled message (whatever its state now). The request says which, so a client knows which
/// it reads.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RetriedSend {
    Sent(crate::messaging::MessageView),
    Scheduled(ScheduledMessageView),
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduledList {
    pub scheduled: Vec<ScheduledMessageView>,
}
