//! Editing and recalling a message, its versions for compliance, and a conversation's
//! lifespan.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;
use ward_core::id::ConversationId;
use ward_proto::messaging::{ConversationView, MessageView};
use ward_proto::workflow::{
    EditMessageRequest, LifespanRequest, MessageVersionView, MessageVersions,
};

use super::AppState;
use super::doc::{BadRequest, BodyErrors, Conflict, Gone, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, FullSession, Permitted};
use super::requirements::SetLifespans;
use crate::wire::frames::{conversation_view, message_view};

/// The sender edits a message. Members get `message.edited`; the earlier body is kept for
/// compliance. The new body passes the safety checks as a send does (422 with findings).
#[utoipa::path(patch, path = "/messages/{id}", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = EditMessageRequest,
    responses((status = 200, body = MessageView), SessionErrors, BodyErrors, NotFound,
        Conflict))]
pub async fn edit_message(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<EditMessageRequest>,
) -> Result<Json<MessageView>, ApiError> {
    let message = state
        .services
        .messaging()
        .edit_message(&caller, id, &req.body, req.confirm_findings)
        .await?;
    Ok(Json(message_view(&message)))
}

/// The sender recalls a message: members get `message.recalled` and no longer see its body
/// or attachments. Anyone else: 403.
#[utoipa::path(post, path = "/messages/{id}/recall", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MessageView), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn recall_message(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MessageView>, ApiError> {
    let message = state
        .services
        .messaging()
        .recall_message(&caller, id)
        .await?;
    Ok(Json(message_view(&message)))
}

/// Every body a message has had, recalled or expired ones included (compliance officers).
#[utoipa::path(get, path = "/messages/{id}/versions", tag = "audit",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MessageVersions), SessionErrors, BadRequest, NotFound,
        Gone))]
pub async fn message_versions(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MessageVersions>, ApiError> {
    let history = state
        .services
        .messaging()
        .message_history(&caller, id)
        .await?;
    let m = &history.message;
    Ok(Json(MessageVersions {
        message_id: m.id,
        conversation_id: *m.conversation_id.as_uuid(),
        sender_id: *m.sender_id.as_uuid(),
        body: history.body,
        recalled_at: m.recalled_at.map(|t| t.to_datetime()),
        expired_at: m.expired_at.map(|t| t.to_datetime()),
        versions: history
            .versions
            .into_iter()
            .map(|(version, body, replaced_at)| MessageVersionView {
                version,
                body,
                replaced_at: replaced_at.to_datetime(),
            })
            .collect(),
    }))
}

/// Sets how long the conversation's new messages live on devices (60 s to 366 days), or
/// clears it with `null`. Members get `conversation.updated`.
#[utoipa::path(put, path = "/conversations/{id}/lifespan", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = LifespanRequest,
    responses((status = 200, body = ConversationView), SessionErrors, BodyErrors, NotFound))]
pub async fn set_lifespan(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<SetLifespans>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<LifespanRequest>,
) -> Result<Json<ConversationView>, ApiError> {
    let conversation = state
        .services
        .messaging()
        .set_lifespan(&caller, ConversationId::from_uuid(id), req.lifespan_secs)
        .await?;
    Ok(Json(conversation_view(&conversation, None)))
}
