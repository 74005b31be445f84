//! Break-glass access, alerts to compliance officers, and a patient's accounting of
//! disclosures.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /patients/{id}/break-glass`: open the patient's care-team thread in an emergency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRequest {
    /// Why access is needed (10 to 500 characters); compliance officers see it.
    #[schema(min_length = 10, max_length = 500)]
    pub reason: String,
    /// How long access lasts, 1 to 480 minutes (default 60).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 480)]
    pub minutes: Option<i64>,
}

/// A break-glass access.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BreakGlassView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub user_id: Uuid,
    /// The care-team conversation it opens.
    pub conversation_id: Uuid,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    /// When it ends by itself.
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A clinician opened a patient's thread by break-glass.
    BreakGlass,
    /// One user opened many different patients' records within the monitoring window.
    ManyPatients,
    /// One user downloaded many attachments within the window.
    BulkDownload,
    /// Repeated failed sign-ins for one account or from one address.
    FailedLogins,
    /// A sign-in from an address the user never signed in from before.
    NewAddress,
    /// A sign-in at an hour of the day (UTC) outside the user's established pattern.
    UnusualHours,
    /// A request for a change that needs a second person's approval (a role with audit or
    /// compliance permissions, or such a user's second factor reset).
    PrivilegedChange,
}

/// Something compliance officers must look at; `audit_seq` is the audit event that raised
/// it and `evidence` every audit event behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    pub kind: AlertKind,
    /// Whose activity raised it.
    pub subject_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub audit_seq: i64,
    /// The seqs of the audit events behind it, oldest first.
    pub evidence: Vec<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    pub acknowledged_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<AlertView>,
}

/// `GET /alerts?open=true`: only alerts not acknowledged yet.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    #[serde(default)]
    pub open: bool,
}

/// One access to or disclosure of a patient's messages and files (45 CFR 164.528).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DisclosureView {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// What: the audit action (`message.read`, `attachment.download`, `break_glass.open`...).
    pub action: String,
    pub outcome: String,
    /// Why, where known (the reason stated for break-glass).
    pub purpose: Option<String>,
    /// The audit event it comes from.
    pub audit_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DisclosureList {
    pub patient_id: Uuid,
    pub disclosures: Vec<DisclosureView>,
}
