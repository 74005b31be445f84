//! Urgent-message acknowledgement, clinical roles and their shifts, and a conversation's
//! escalation role.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;
use ward_core::Timestamp;
use ward_core::id::{ClinicalRoleId, ConversationId, UserId};
use ward_proto::clinical::{
    ClinicalRoleList, ClinicalRoleView, CreateClinicalRoleRequest, EscalationGrantList,
    EscalationGrantView, EscalationRoleRequest, ShiftRequest, ShiftView,
};
use ward_proto::messaging::{AckView, MessageView, SendMessageRequest};

use super::AppState;
use super::conversations::{outgoing, sent_answer};
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, FullSession, Permitted};
use super::requirements::{CreateClinicalRoles, ScheduleShifts, SetEscalationRole};
use crate::wire::frames::message_view;

/// Acknowledges an urgent or stat message (201; 200 if already acknowledged). Escalation of
/// the message stops once every recipient has acknowledged.
#[utoipa::path(post, path = "/messages/{id}/ack", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 201, body = AckView),
        (status = 200, description = "Acknowledged before", body = AckView),
        SessionErrors, BadRequest, NotFound, Validation))]
pub async fn acknowledge(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<AckView>), ApiError> {
    let (message, at, created) = state.services.clinical().acknowledge(&caller, id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let view = AckView {
        message_id: message.id,
        user_id: *caller.user.id.as_uuid(),
        acknowledged_at: at.to_datetime(),
    };
    Ok((status, Json(view)))
}

/// The messages escalations brought the caller to (as on-call holder or supervisor), newest
/// first, each with the messages just before it. Not a membership: only these messages, until
/// each is acknowledged or its grant's time (policy `escalation.grant_secs`) runs out. Each
/// read is audited.
#[utoipa::path(get, path = "/escalations", tag = "conversations",
    security(("bearer" = [])),
    responses((status = 200, body = EscalationGrantList), SessionErrors))]
pub async fn escalation_grants(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<EscalationGrantList>, ApiError> {
    let granted = state.services.clinical().escalation_grants(&caller).await?;
    let grants = granted
        .iter()
        .map(|g| EscalationGrantView {
            id: g.grant.id,
            step: step_view(g.grant.step),
            conversation_id: *g.grant.conversation_id.as_uuid(),
            conversation_title: g.conversation.title.clone(),
            granted_at: g.grant.granted_at.to_datetime(),
            ends_at: g.grant.ends_at.to_datetime(),
            message: message_view(&g.message),
            context: g.context.iter().map(message_view).collect(),
        })
        .collect();
    Ok(Json(EscalationGrantList { grants }))
}

fn step_view(step: ward_core::clinical::EscalationStep) -> ward_proto::messaging::EscalationStep {
    use ward_core::clinical::EscalationStep as Step;
    use ward_proto::messaging::EscalationStep as View;
    match step {
        Step::Repeat => View::Repeat,
        Step::OnCall => View::OnCall,
        Step::Supervisor => View::Supervisor,
    }
}

/// Creates a clinical role (admins).
#[utoipa::path(post, path = "/clinical-roles", tag = "clinical-roles",
    security(("bearer" = [])), request_body = CreateClinicalRoleRequest,
    responses((status = 201, body = ClinicalRoleView), SessionErrors, BodyErrors, NotFound,
        Conflict))]
pub async fn create_role(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<CreateClinicalRoles>,
    ApiJson(req): ApiJson<CreateClinicalRoleRequest>,
) -> Result<(StatusCode, Json<ClinicalRoleView>), ApiError> {
    let role = state
        .services
        .clinical()
        .create_clinical_role(&caller, &req.name, req.supervisor_id.map(UserId::from_uuid))
        .await?;
    let view = ClinicalRoleView {
        id: *role.id.as_uuid(),
        name: role.name,
        supervisor_id: role.supervisor_id.map(|u| *u.as_uuid()),
        holder_id: None,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Every clinical role with who holds it now.
#[utoipa::path(get, path = "/clinical-roles", tag = "clinical-roles",
    operation_id = "list_clinical_roles", security(("bearer" = [])),
    responses((status = 200, body = ClinicalRoleList), SessionErrors))]
pub async fn list_roles(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<ClinicalRoleList>, ApiError> {
    let roles = state
        .services
        .clinical()
        .clinical_roles(&caller)
        .await?
        .into_iter()
        .map(|r| ClinicalRoleView {
            id: *r.role.id.as_uuid(),
            name: r.role.name,
            supervisor_id: r.role.supervisor_id.map(|u| *u.as_uuid()),
            holder_id: r.holder.map(|u| *u.as_uuid()),
        })
        .collect();
    Ok(Json(ClinicalRoleList { roles }))
}

/// Schedules a shift of a clinical role (admins).
#[utoipa::path(post, path = "/clinical-roles/{id}/shifts", tag = "clinical-roles",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ShiftRequest,
    responses((status = 201, body = ShiftView), SessionErrors, BodyErrors, NotFound))]
pub async fn add_shift(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ScheduleShifts>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ShiftRequest>,
) -> Result<(StatusCode, Json<ShiftView>), ApiError> {
    let shift = state
        .services
        .clinical()
        .add_shift(
            &caller,
            ClinicalRoleId::from_uuid(id),
            UserId::from_uuid(req.user_id),
            Timestamp::from_datetime(req.starts_at),
            Timestamp::from_datetime(req.ends_at),
        )
        .await?;
    let view = ShiftView {
        id: *shift.id.as_uuid(),
        role_id: *shift.role_id.as_uuid(),
        user_id: *shift.user_id.as_uuid(),
        starts_at: shift.starts_at.to_datetime(),
        ends_at: shift.ends_at.to_datetime(),
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Sets the on-call role this conversation's unacknowledged urgent messages escalate to.
#[utoipa::path(put, path = "/conversations/{id}/escalation-role", tag = "conversations",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = EscalationRoleRequest,
    responses((status = 204, description = "Set"), SessionErrors, BodyErrors, NotFound))]
pub async fn set_escalation_role(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<SetEscalationRole>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<EscalationRoleRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .clinical()
        .set_escalation_role(
            &caller,
            ConversationId::from_uuid(id),
            req.role_id.map(ClinicalRoleId::from_uuid),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a message to whoever holds the role now (201; 200 for a retried `client_id`), in the
/// caller's thread with the role. The holder sees it in a `role` conversation titled with the
/// role's name; at hand-over the thread passes to the next holder. 409 if no one holds the role.
#[utoipa::path(post, path = "/clinical-roles/{id}/messages", tag = "clinical-roles",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SendMessageRequest,
    responses((status = 201, body = MessageView),
        (status = 200, description = "A retried `client_id`", body = MessageView),
        SessionErrors, BodyErrors, NotFound, Conflict))]
pub async fn message_role(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SendMessageRequest>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let sent = state
        .services
        .clinical()
        .send_to_role(&caller, ClinicalRoleId::from_uuid(id), outgoing(req))
        .await?;
    Ok(sent_answer(&state, sent))
}
