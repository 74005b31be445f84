//! `/sessions`: the caller's devices, revocation and remote wipe.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;
use ward_core::id::{SessionId, UserId};
use ward_proto::auth::{SessionList, SessionsQuery};

use super::AppState;
use super::doc::{BadRequest, Conflict, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, FullSession};
use crate::wire::views::session_view;

/// Live sessions, one per device: the caller's own, or another user's (needs
/// `sessions_manage`).
#[utoipa::path(get, path = "/sessions", tag = "sessions", security(("bearer" = [])),
    params(SessionsQuery),
    responses((status = 200, body = SessionList), SessionErrors, BadRequest))]
pub async fn list_sessions(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<SessionsQuery>,
) -> Result<Json<SessionList>, ApiError> {
    let user = query.user.map(UserId::from_uuid);
    let sessions = state
        .services
        .identity()
        .list_sessions(&caller, user)
        .await?;
    Ok(Json(SessionList {
        sessions: sessions
            .iter()
            .map(|s| session_view(s, &caller.session))
            .collect(),
    }))
}

/// Ends a session at once; its next request is refused.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Revoked"), SessionErrors, BadRequest, NotFound))]
pub async fn revoke_session(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .identity()
        .revoke_session(&caller, SessionId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Orders the session's device to erase its Ward data at its next contact.
#[utoipa::path(post, path = "/sessions/{id}/wipe", tag = "sessions", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 202, description = "Wipe ordered"), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn wipe_session(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .identity()
        .request_wipe(&caller, SessionId::from_uuid(id))
        .await?;
    Ok(StatusCode::ACCEPTED)
}
