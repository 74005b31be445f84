//! Scheduled messages: listing and cancelling. Scheduling is a send with `send_at`.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;
use ward_proto::workflow::{ScheduledList, ScheduledMessageView, ScheduledState};

use super::AppState;
use super::doc::{BadRequest, Conflict, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiPath, FullSession};
use crate::services::PlainScheduled;
use crate::wire::frames::priority as priority_to_wire;

/// The caller's scheduled messages still pending, soonest first.
#[utoipa::path(get, path = "/scheduled-messages", tag = "conversations",
    security(("bearer" = [])), responses((status = 200, body = ScheduledList), SessionErrors))]
pub async fn list_scheduled(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<ScheduledList>, ApiError> {
    let scheduled = state
        .services
        .messaging()
        .pending_scheduled(&caller)
        .await?;
    Ok(Json(ScheduledList {
        scheduled: scheduled.iter().map(scheduled_view).collect(),
    }))
}

/// Cancels one of the caller's scheduled messages before its time (409 once sent).
#[utoipa::path(delete, path = "/scheduled-messages/{id}", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ScheduledMessageView), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn cancel_scheduled(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ScheduledMessageView>, ApiError> {
    let cancelled = state
        .services
        .messaging()
        .cancel_scheduled(&caller, id)
        .await?;
    Ok(Json(scheduled_view(&cancelled)))
}

pub(super) fn scheduled_view(p: &PlainScheduled) -> ScheduledMessageView {
    use ward_core::scheduled::ScheduledState as State;
    let s = &p.scheduled;
    ScheduledMessageView {
        id: s.id,
        conversation_id: *s.conversation_id.as_uuid(),
        client_id: s.client_id,
        body: p.body.clone(),
        priority: priority_to_wire(s.priority),
        send_at: s.send_at.to_datetime(),
        state: match s.state {
            State::Pending => ScheduledState::Pending,
            State::Sending => ScheduledState::Sending,
            State::Sent => ScheduledState::Sent,
            State::Cancelled => ScheduledState::Cancelled,
            State::Failed => ScheduledState::Failed,
        },
        message_id: s.message_id,
        failure: s.failure.clone(),
    }
}
