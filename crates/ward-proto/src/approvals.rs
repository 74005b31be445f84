//! Separation of duties: privileged changes (an account whose role reads the audit log or
//! manages compliance; removing such a person's second factor) that an admin requests and a
//! second person with the compliance permission approves or rejects.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegedChangeKind {
    /// Create an account whose role holds the audit or compliance permissions.
    CreateUser,
    /// Remove the second factor of someone whose role holds them.
    ResetTotp,
}

/// Where a request is. A pending request lapses after 24 hours (`expired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrivilegedChangeState {
    Pending,
    Approved,
    Rejected,
    Expired,
}

/// The account a `create_user` request would make (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposedAccountView {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// A privileged change: answered with 202 to the admin who asks for it, and listed at
/// `GET /privileged-changes` for those who may decide it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PrivilegedChangeView {
    pub id: Uuid,
    pub kind: PrivilegedChangeKind,
    /// The user the change is about: the id the new account will have, or the user whose
    /// second factor is to be removed.
    pub subject: Uuid,
    /// For `create_user`: the account as it will be made.
    pub account: Option<ProposedAccountView>,
    pub requested_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub state: PrivilegedChangeState,
    pub decided_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PrivilegedChangeList {
    pub changes: Vec<PrivilegedChangeView>,
}
