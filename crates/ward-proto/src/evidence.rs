//! The HIPAA compliance report (`GET /compliance/report`, `ward compliance report`) and the
//! reviews it shows: alert sign-offs and the access review.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The period and format of the compliance report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceReportQuery {
    /// From this time (RFC 3339); 30 days before `to` if absent.
    pub from: Option<String>,
    /// Up to this time (RFC 3339); now if absent.
    pub to: Option<String>,
    /// `json` (the default) or `html` (one self-contained printable page).
    #[param(inline)]
    pub format: Option<ComplianceFormat>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceFormat {
    #[default]
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Met,
    /// Implemented, but a person must act: a review is due or a setting is lax.
    Attention,
    /// The safeguard is not working now.
    NotMet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    Required,
    Addressable,
}

/// One safeguard of 45 CFR 164 and how it stands now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ControlView {
    /// `164.312(a)(2)(iii)`.
    pub citation: String,
    pub title: String,
    pub obligation: Obligation,
    pub status: ControlStatus,
    /// Why, in one line.
    pub reason: String,
    /// What was read from the running system.
    pub evidence: Vec<String>,
    /// What in Ward implements it.
    pub features: Vec<String>,
    /// The automated tests that prove it.
    pub tests: Vec<String>,
}

/// A break-glass use or an alert, and its sign-off.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewItemView {
    pub alert_id: Uuid,
    pub kind: crate::oversight::AlertKind,
    /// The username whose activity raised it.
    pub subject: Option<String>,
    pub patient_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub raised_at: OffsetDateTime,
    pub signed_off_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub signed_off_at: Option<OffsetDateTime>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessDecisionKind {
    Keep,
    Remove,
}

/// One account in the access review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessReviewRow {
    pub user_id: Uuid,
    pub username: String,
    pub role: String,
    pub active: bool,
    pub second_factor: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in: Option<OffsetDateTime>,
    /// Care-team and patient conversations it belongs to.
    pub patient_conversations: u64,
    pub decision: Option<AccessDecisionKind>,
    pub reviewed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessReviewList {
    pub accounts: Vec<AccessReviewRow>,
}

/// `POST /compliance/access-review`: whether an account keeps its access.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessDecisionRequest {
    pub user_id: Uuid,
    pub decision: AccessDecisionKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessDecisionView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub decision: AccessDecisionKind,
    pub reviewed_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub reviewed_at: OffsetDateTime,
}

/// `POST /alerts/{id}/sign-off`: a compliance officer's review of an alert or break-glass use.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    /// What was reviewed and concluded (1 to 2000 characters); sealed at rest.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    Passed,
    Failed,
    /// Does not apply to this deployment (the detail says why).
    Skipped,
}

/// One live check of `ward compliance selftest`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SelftestView {
    pub name: String,
    pub outcome: CheckOutcome,
    pub detail: String,
}

/// The audit log's head when the report was made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditHeadView {
    pub seq: i64,
    /// The chain hash of event `seq` (hex).
    pub hash: String,
}

/// The compliance report: each control with its live evidence, and the reviews.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ComplianceReportView {
    pub organisation: String,
    /// The version of Ward that made it.
    pub version: String,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub audit_head: Option<AuditHeadView>,
    pub controls: Vec<ControlView>,
    pub break_glass: Vec<ReviewItemView>,
    pub alerts: Vec<ReviewItemView>,
    pub access_review: Vec<AccessReviewRow>,
    pub selftest: Vec<SelftestView>,
}
