//! Break-glass access, alerts to compliance officers, and a patient's accounting of
//! disclosures.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;
use ward_core::id::PatientId;
use ward_proto::compliance::{ReportFormat, ReportQuery};
use ward_proto::oversight::{
    AlertList, AlertQuery, AlertView, BreakGlassRequest, BreakGlassView, DisclosureList,
};

use super::AppState;
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, FullSession, Permitted};
use super::requirements::BreakGlass;
use crate::wire::frames::alert_view;
use crate::wire::reports::{disclosure_list, disclosures_csv};

/// Opens a patient's care-team thread to a clinician who is not on the care team
/// (`break_glass` permission), for a stated reason, for `minutes` (default 60, at most 480).
/// Audited, alerts compliance officers, listed in the patient's accounting of disclosures,
/// and ends by itself.
#[utoipa::path(post, path = "/patients/{id}/break-glass", tag = "patients",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = BreakGlassRequest,
    responses((status = 201, body = BreakGlassView), SessionErrors, BodyErrors, NotFound,
        Conflict))]
pub async fn break_glass(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<BreakGlass>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<BreakGlassRequest>,
) -> Result<(StatusCode, Json<BreakGlassView>), ApiError> {
    let opened = state
        .services
        .compliance()
        .open_break_glass(&caller, PatientId::from_uuid(id), &req.reason, req.minutes)
        .await?;
    let g = &opened.grant;
    Ok((
        StatusCode::CREATED,
        Json(BreakGlassView {
            id: g.id,
            patient_id: *g.patient_id.as_uuid(),
            user_id: *g.user_id.as_uuid(),
            conversation_id: *g.conversation_id.as_uuid(),
            reason: opened.reason,
            opened_at: g.opened_at.to_datetime(),
            ends_at: g.ends_at.to_datetime(),
            ended_at: g.ended_at.map(|t| t.to_datetime()),
        }),
    ))
}

/// The newest alerts, or only those not acknowledged (`?open=true`). Compliance officers.
#[utoipa::path(get, path = "/alerts", tag = "audit", security(("bearer" = [])),
    params(AlertQuery),
    responses((status = 200, body = AlertList), SessionErrors, BadRequest))]
pub async fn list_alerts(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> Result<Json<AlertList>, ApiError> {
    let alerts = state
        .services
        .compliance()
        .alerts(&caller, query.open)
        .await?;
    Ok(Json(AlertList {
        alerts: alerts.iter().map(alert_view).collect(),
    }))
}

/// Acknowledges an alert (409 if it was acknowledged already).
#[utoipa::path(post, path = "/alerts/{id}/ack", tag = "audit", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AlertView), SessionErrors, BadRequest, NotFound, Conflict))]
pub async fn acknowledge_alert(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<AlertView>, ApiError> {
    let alert = state
        .services
        .compliance()
        .acknowledge_alert(&caller, id, None)
        .await?;
    Ok(Json(alert_view(&alert)))
}

/// The patient's accounting of disclosures: every audited access to the patient's record,
/// messages and files, newest first, with the purpose where known. Compliance officers.
/// Over `from`..`to` (default: the last 30 days); `format=csv` answers `text/csv`.
#[utoipa::path(get, path = "/patients/{id}/disclosures", tag = "audit",
    security(("bearer" = [])), params(("id" = Uuid, Path), ReportQuery),
    responses((status = 200, description = "The disclosures, as JSON or (`format=csv`) CSV",
            content((DisclosureList = "application/json"), (String = "text/csv"))),
        SessionErrors, BadRequest, NotFound, Validation))]
pub async fn disclosures(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let patient = PatientId::from_uuid(id);
    let period = super::reports::period(&query)?;
    let entries = state
        .services
        .compliance()
        .disclosures(&caller, patient, period)
        .await?;
    if query.format == Some(ReportFormat::Csv) {
        return super::reports::csv_response("disclosures", &disclosures_csv(&entries)?);
    }
    Ok(Json(disclosure_list(patient, &entries)).into_response())
}
