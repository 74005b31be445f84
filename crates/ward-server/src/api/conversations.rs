//! `/conversations`: conversations, members, messages and read receipts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_proto::messaging::{
    AckView, ChannelList, ChannelView, ConversationList, ConversationView,
    CreateConversationRequest, MemberRequest, MessageList, MessageReceipts, MessageView,
    MessagesQuery, ReadRequest, RecipientState, SafetyCheckRequest, SafetyCheckResult,
    SendMessageRequest,
};
use ward_proto::workflow::{RetriedSend, ScheduledMessageView};

use super::AppState;
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, FullSession, Permitted, page_limit};
use super::requirements::CreateConversations;
use crate::services::{MAX_PAGE, NewConversation, Outgoing};
use crate::wire::frames::{conversation_view, kind_from_wire, message_view, priority_from_wire};
use crate::wire::views::safety_findings;

/// Messages in a page when the query does not say.
const DEFAULT_PAGE: u32 = 100;

/// Starts a conversation; the creator is always a member. An existing direct conversation of
/// the pair comes back with 200.
#[utoipa::path(post, path = "/conversations", tag = "conversations", security(("bearer" = [])),
    request_body = CreateConversationRequest,
    responses((status = 201, body = ConversationView),
        (status = 200, description = "The pair's existing direct conversation", body = ConversationView),
        SessionErrors, BodyErrors, NotFound))]
pub async fn create_conversation(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<CreateConversations>,
    ApiJson(req): ApiJson<CreateConversationRequest>,
) -> Result<(StatusCode, Json<ConversationView>), ApiError> {
    let new = NewConversation {
        kind: kind_from_wire(req.kind),
        title: req.title,
        member_ids: req.member_ids.into_iter().map(UserId::from_uuid).collect(),
        patient_id: req.patient_id.map(PatientId::from_uuid),
    };
    let (conversation, created) = state
        .services
        .messaging()
        .create_conversation(&caller, new)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(conversation_view(&conversation, None))))
}

/// The caller's conversations, with unread counts.
#[utoipa::path(get, path = "/conversations", tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = ConversationList), SessionErrors))]
pub async fn list_conversations(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<ConversationList>, ApiError> {
    let list = state
        .services
        .messaging()
        .list_conversations(&caller)
        .await?;
    let conversations = list
        .iter()
        .map(|(c, last, read)| conversation_view(c, Some((*last, *read))))
        .collect();
    Ok(Json(ConversationList { conversations }))
}

/// Every channel, with whether the caller is in it (staff who may join channels).
#[utoipa::path(get, path = "/channels", tag = "conversations", security(("bearer" = [])),
    responses((status = 200, body = ChannelList), SessionErrors))]
pub async fn list_channels(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<ChannelList>, ApiError> {
    let channels = state.services.messaging().list_channels(&caller).await?;
    let me = caller.user.id;
    Ok(Json(ChannelList {
        channels: channels
            .iter()
            .map(|c| ChannelView {
                id: *c.conversation.id.as_uuid(),
                title: c.title.clone(),
                member_count: c.members.len(),
                joined: c.members.contains(&me),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationView), SessionErrors, BadRequest, NotFound))]
pub async fn get_conversation(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConversationView>, ApiError> {
    let conversation = state
        .services
        .messaging()
        .get_conversation(&caller, ConversationId::from_uuid(id))
        .await?;
    Ok(Json(conversation_view(&conversation, None)))
}

/// Adds a member (group, channel and patient conversations).
#[utoipa::path(post, path = "/conversations/{id}/members", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MemberRequest,
    responses((status = 200, body = ConversationView), SessionErrors, BodyErrors, NotFound,
        Conflict))]
pub async fn add_member(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<MemberRequest>,
) -> Result<Json<ConversationView>, ApiError> {
    let id = ConversationId::from_uuid(id);
    let conversation = state
        .services
        .messaging()
        .add_member(&caller, id, UserId::from_uuid(req.user_id))
        .await?;
    Ok(Json(conversation_view(&conversation, None)))
}

/// Removes a member, or leaves. From this answer on, the removed member gets nothing more of it.
#[utoipa::path(delete, path = "/conversations/{id}/members/{user_id}", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204, description = "Removed"), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn remove_member(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath((id, user)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    let id = ConversationId::from_uuid(id);
    state
        .services
        .messaging()
        .remove_member(&caller, id, UserId::from_uuid(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Joins a channel.
#[utoipa::path(post, path = "/conversations/{id}/join", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationView), SessionErrors, BadRequest, NotFound))]
pub async fn join(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConversationView>, ApiError> {
    let conversation = state
        .services
        .messaging()
        .join_channel(&caller, ConversationId::from_uuid(id))
        .await?;
    Ok(Json(conversation_view(&conversation, None)))
}

/// Sends a message. Answered after it is durably stored; the same `client_id` again returns
/// the same message with 200 and stores nothing. A body with clinical safety findings is
/// answered 422 `safety-review` (send again with `confirm_findings`) or, where policy blocks
/// the finding, `safety-blocked`; either way with the findings, and nothing is stored.
/// With `send_at`, the message is scheduled instead: 202 with the scheduled message (200 with
/// it for a retried `client_id`), sent at that time unless cancelled.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SendMessageRequest,
    responses((status = 201, description = "Sent", body = MessageView),
        (status = 200, description = "A retried `client_id`: the message it sent, or with `send_at` the message it scheduled", body = RetriedSend),
        (status = 202, description = "Scheduled (`send_at`)", body = ScheduledMessageView),
        SessionErrors, BodyErrors, NotFound, Conflict))]
pub async fn send_message(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SendMessageRequest>,
) -> Result<Response, ApiError> {
    let conversation = ConversationId::from_uuid(id);
    if let Some(send_at) = req.send_at {
        let (scheduled, created) = state
            .services
            .messaging()
            .schedule_message(
                &caller,
                conversation,
                outgoing(req),
                Timestamp::from_datetime(send_at),
            )
            .await?;
        let status = if created {
            StatusCode::ACCEPTED
        } else {
            StatusCode::OK
        };
        return Ok((status, Json(super::scheduled::scheduled_view(&scheduled))).into_response());
    }
    let sent = state
        .services
        .messaging()
        .send_message(&caller, conversation, outgoing(req))
        .await?;
    Ok(sent_answer(&state, sent).into_response())
}

/// The answer to a send: 201 for a new message (counted), 200 for a retried `client_id`.
pub(super) fn sent_answer(
    state: &AppState,
    (message, created): (crate::services::PlainMessage, bool),
) -> (StatusCode, Json<MessageView>) {
    let status = if created {
        state.metrics.messages_sent.inc();
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(message_view(&message)))
}

/// A send request as the services take it (REST and WebSocket alike).
pub(super) fn outgoing(req: SendMessageRequest) -> Outgoing {
    Outgoing {
        client_id: req.client_id,
        body: req.body,
        priority: req
            .priority
            .map(priority_from_wire)
            .unwrap_or(ward_core::conversation::Priority::Normal),
        confirm_findings: req.confirm_findings,
        attachments: req.attachments,
        lifespan_secs: req.lifespan_secs,
    }
}

/// Runs the clinical safety checks on a draft without sending it (for a composer that shows
/// findings while the clinician types). Sending runs the same checks again.
#[utoipa::path(post, path = "/conversations/{id}/messages/check", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SafetyCheckRequest,
    responses((status = 200, body = SafetyCheckResult), SessionErrors, BodyErrors, NotFound))]
pub async fn check_message(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SafetyCheckRequest>,
) -> Result<Json<SafetyCheckResult>, ApiError> {
    let report = state
        .services
        .messaging()
        .review_message(&caller, ConversationId::from_uuid(id), &req.body)
        .await?;
    Ok(Json(SafetyCheckResult {
        blocked: report.blocked(),
        findings: safety_findings(&report),
    }))
}

/// Messages after `after`, in seq order.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path), MessagesQuery),
    responses((status = 200, body = MessageList), SessionErrors, BadRequest, NotFound,
        Validation))]
pub async fn list_messages(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<MessagesQuery>,
) -> Result<Json<MessageList>, ApiError> {
    let after = query.after.unwrap_or(0);
    let limit = page_limit("limit", query.limit, DEFAULT_PAGE, MAX_PAGE)?;
    let page = state
        .services
        .messaging()
        .list_messages(&caller, ConversationId::from_uuid(id), after, limit)
        .await?;
    Ok(Json(MessageList {
        messages: page.messages.iter().map(message_view).collect(),
        acknowledgements: page
            .acks
            .iter()
            .map(|(message, user, at)| AckView {
                message_id: *message,
                user_id: *user.as_uuid(),
                acknowledged_at: at.to_datetime(),
            })
            .collect(),
    }))
}

/// Marks messages up to `up_to_seq` as read; the other members see the receipt.
#[utoipa::path(post, path = "/conversations/{id}/read", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ReadRequest,
    responses((status = 204, description = "Recorded"), SessionErrors, BodyErrors, NotFound))]
pub async fn mark_read(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReadRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .messaging()
        .mark_read(&caller, ConversationId::from_uuid(id), req.up_to_seq)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who has received, read and (for urgent and stat messages) acknowledged a message.
#[utoipa::path(get, path = "/messages/{id}/receipts", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MessageReceipts), SessionErrors, BadRequest, NotFound))]
pub async fn message_receipts(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MessageReceipts>, ApiError> {
    let (message, receipts, acks) = state
        .services
        .messaging()
        .message_receipts(&caller, id)
        .await?;
    let recipients = receipts
        .iter()
        .map(|r| RecipientState {
            user_id: *r.user_id.as_uuid(),
            delivered: r.delivered_seq >= message.seq,
            read: r.read_seq >= message.seq,
            acknowledged_at: acks
                .iter()
                .find(|(user, _)| *user == r.user_id)
                .map(|(_, at)| at.to_datetime()),
        })
        .collect();
    Ok(Json(MessageReceipts {
        message_id: message.id,
        recipients,
    }))
}
