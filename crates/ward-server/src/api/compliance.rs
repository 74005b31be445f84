//! Retention of a conversation (admins) and legal holds (compliance officers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;
use ward_core::id::ConversationId;
use ward_proto::compliance::{
    HoldScope, LegalHoldList, LegalHoldView, PlaceHoldRequest, RetentionRequest,
};

use super::AppState;
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, FullSession, Permitted};
use super::requirements::{PlaceHolds, SetRetention};
use crate::services::PlainHold;

/// Sets how long this conversation keeps its messages (60 s to 100 years), overriding its
/// kind's retention, or returns it to the kind's with `null`.
#[utoipa::path(put, path = "/conversations/{id}/retention", tag = "compliance",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = RetentionRequest,
    responses((status = 204, description = "Set"), SessionErrors, BodyErrors, NotFound))]
pub async fn set_retention(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<SetRetention>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RetentionRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .compliance()
        .set_retention(&caller, ConversationId::from_uuid(id), req.retention_secs)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Places a legal hold on a conversation, a patient's conversations or a user's messages:
/// nothing it covers is disposed of while it lasts, whatever the retention.
#[utoipa::path(post, path = "/legal-holds", tag = "compliance", security(("bearer" = [])),
    request_body = PlaceHoldRequest,
    responses((status = 201, body = LegalHoldView), SessionErrors, BodyErrors, NotFound))]
pub async fn place_hold(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<PlaceHolds>,
    ApiJson(req): ApiJson<PlaceHoldRequest>,
) -> Result<(StatusCode, Json<LegalHoldView>), ApiError> {
    let scope = match req.scope {
        HoldScope::Conversation => ward_core::retention::HoldScope::Conversation,
        HoldScope::Patient => ward_core::retention::HoldScope::Patient,
        HoldScope::User => ward_core::retention::HoldScope::User,
    };
    let hold = state
        .services
        .compliance()
        .place_hold(&caller, scope, req.subject_id, &req.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(hold_view(&hold))))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoldsQuery {
    /// Only holds not released.
    #[serde(default)]
    pub active: bool,
}

/// Legal holds, newest first.
#[utoipa::path(get, path = "/legal-holds", tag = "compliance", security(("bearer" = [])),
    params(HoldsQuery),
    responses((status = 200, body = LegalHoldList), SessionErrors, BadRequest))]
pub async fn list_holds(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<HoldsQuery>,
) -> Result<Json<LegalHoldList>, ApiError> {
    let holds = state
        .services
        .compliance()
        .legal_holds(&caller, query.active)
        .await?;
    Ok(Json(LegalHoldList {
        holds: holds.iter().map(hold_view).collect(),
    }))
}

/// Releases a legal hold; what it covered is disposed of when its retention has passed.
#[utoipa::path(post, path = "/legal-holds/{id}/release", tag = "compliance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = LegalHoldView), SessionErrors, BadRequest, NotFound,
        Conflict))]
pub async fn release_hold(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<LegalHoldView>, ApiError> {
    let hold = state
        .services
        .compliance()
        .release_hold(&caller, id)
        .await?;
    Ok(Json(hold_view(&hold)))
}

fn hold_view(plain: &PlainHold) -> LegalHoldView {
    let h = &plain.hold;
    LegalHoldView {
        id: h.id,
        scope: match h.scope {
            ward_core::retention::HoldScope::Conversation => HoldScope::Conversation,
            ward_core::retention::HoldScope::Patient => HoldScope::Patient,
            ward_core::retention::HoldScope::User => HoldScope::User,
        },
        subject_id: h.subject_id,
        reason: plain.reason.clone(),
        placed_by: *h.placed_by.as_uuid(),
        placed_at: h.placed_at.to_datetime(),
        released_by: h.released_by.map(|u| *u.as_uuid()),
        released_at: h.released_at.map(ward_core::Timestamp::to_datetime),
    }
}
