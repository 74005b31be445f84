//! `/privileged-changes`: requests for changes that need a second person (an account with the
//! audit or compliance permissions, removing such a person's second factor), listed for those
//! who may decide them and approved or rejected by someone other than the requester.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::privileged::{Change, ChangeKind, ChangeState, PrivilegedChange};
use ward_proto::approvals::{
    PrivilegedChangeKind, PrivilegedChangeList, PrivilegedChangeState, PrivilegedChangeView,
    ProposedAccountView,
};

use super::AppState;
use super::doc::{BadRequest, Conflict, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, FullSession};

/// Which requests to list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Only requests in this state (`pending` leaves out those that expired).
    #[param(inline)]
    pub state: Option<PrivilegedChangeState>,
}

/// Privileged-change requests, newest first: every request for those who hold
/// `compliance_manage`, their own for admins.
#[utoipa::path(get, path = "/privileged-changes", tag = "users", security(("bearer" = [])),
    params(ChangesQuery),
    responses((status = 200, body = PrivilegedChangeList), SessionErrors, BadRequest))]
pub async fn list_changes(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Result<Json<PrivilegedChangeList>, ApiError> {
    let wanted = query.state.map(state_from_wire);
    let changes = state
        .services
        .identity()
        .privileged_changes(&caller, wanted)
        .await?;
    let now = state.services.now();
    Ok(Json(PrivilegedChangeList {
        changes: changes.iter().map(|c| change_view(c, now)).collect(),
    }))
}

/// Approves a pending request and makes its change (needs `compliance_manage`; never the
/// requester's own, nor the reset of one's own second factor).
#[utoipa::path(post, path = "/privileged-changes/{id}/approve", tag = "users",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PrivilegedChangeView), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn approve_change(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PrivilegedChangeView>, ApiError> {
    let change = state
        .services
        .identity()
        .approve_privileged_change(&caller, id)
        .await?;
    Ok(Json(change_view(&change, state.services.now())))
}

/// Rejects a pending request (needs `compliance_manage`; never the requester's own).
#[utoipa::path(post, path = "/privileged-changes/{id}/reject", tag = "users",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PrivilegedChangeView), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn reject_change(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PrivilegedChangeView>, ApiError> {
    let change = state
        .services
        .identity()
        .reject_privileged_change(&caller, id)
        .await?;
    Ok(Json(change_view(&change, state.services.now())))
}

/// A request on the wire, its state as of `now` (never its password hash).
pub(super) fn change_view(change: &PrivilegedChange, now: Timestamp) -> PrivilegedChangeView {
    let account = match &change.change {
        Change::CreateUser(account) => Some(ProposedAccountView {
            username: account.username.as_str().to_owned(),
            display_name: account.display_name.as_str().to_owned(),
            role: account.role.as_str().to_owned(),
        }),
        Change::ResetTotp => None,
    };
    PrivilegedChangeView {
        id: change.id,
        kind: match change.kind() {
            ChangeKind::CreateUser => PrivilegedChangeKind::CreateUser,
            ChangeKind::ResetTotp => PrivilegedChangeKind::ResetTotp,
        },
        subject: *change.subject.as_uuid(),
        account,
        requested_by: *change.requested_by.as_uuid(),
        requested_at: change.requested_at.to_datetime(),
        expires_at: change.expires_at.to_datetime(),
        state: match change.state_at(now) {
            ChangeState::Pending => PrivilegedChangeState::Pending,
            ChangeState::Approved => PrivilegedChangeState::Approved,
            ChangeState::Rejected => PrivilegedChangeState::Rejected,
            ChangeState::Expired => PrivilegedChangeState::Expired,
        },
        decided_by: change.decided_by.map(|u| *u.as_uuid()),
        decided_at: change.decided_at.map(Timestamp::to_datetime),
    }
}

fn state_from_wire(state: PrivilegedChangeState) -> ChangeState {
    match state {
        PrivilegedChangeState::Pending => ChangeState::Pending,
        PrivilegedChangeState::Approved => ChangeState::Approved,
        PrivilegedChangeState::Rejected => ChangeState::Rejected,
        PrivilegedChangeState::Expired => ChangeState::Expired,
    }
}
