//! `/policy`: session lengths, second-factor roles, sign-in throttling.

use axum::Json;
use axum::extract::State;
use ward_core::audit::AuditAction;
use ward_core::role::Permission;
use ward_proto::policy::PolicyDocument;

use super::AppState;
use super::doc::{BodyErrors, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiJson, FullSession, Permitted, Requirement};
use super::views::{policy_document, policy_from_document};

/// The organisation policy (needs `policy_manage`).
#[utoipa::path(get, path = "/policy", tag = "policy", security(("bearer" = [])),
    responses((status = 200, body = PolicyDocument), SessionErrors))]
pub async fn get_policy(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<PolicyDocument>, ApiError> {
    let policy = state.services.read_policy(&caller).await?;
    Ok(Json(policy_document(&policy)))
}

/// Changing the policy needs `policy_manage`.
#[derive(Debug)]
pub struct ManagePolicy;

impl Requirement for ManagePolicy {
    const PERMISSION: Permission = Permission::PolicyManage;
    const ACTION: AuditAction = AuditAction::PolicyChanged;
}

/// Replaces the organisation policy (needs `policy_manage`).
#[utoipa::path(put, path = "/policy", tag = "policy", security(("bearer" = [])),
    request_body = PolicyDocument,
    responses((status = 200, body = PolicyDocument), SessionErrors, BodyErrors, NotFound))]
pub async fn put_policy(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ManagePolicy>,
    ApiJson(doc): ApiJson<PolicyDocument>,
) -> Result<Json<PolicyDocument>, ApiError> {
    let policy = state
        .services
        .set_policy(&caller, policy_from_document(doc)?)
        .await?;
    Ok(Json(policy_document(&policy)))
}
