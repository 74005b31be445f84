//! The HIPAA compliance report (JSON, or one printable HTML page), alert sign-offs with a note,
//! and the access review.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;
use ward_core::id::UserId;
use ward_proto::evidence::{
    AccessDecisionKind, AccessDecisionRequest, AccessDecisionView, AccessReviewList,
    ComplianceFormat, ComplianceReportQuery, ComplianceReportView, SignOffRequest,
};
use ward_proto::oversight::AlertView;

use super::AppState;
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath, ApiQuery, FullSession, Permitted, time_param};
use super::requirements::{ReviewAccess, SignOffAlerts};
use crate::services::Period;
use crate::wire::evidence::{
    access_decision_view, access_row_view, compliance_html, compliance_html_csp,
    compliance_report_view,
};
use crate::wire::frames::alert_view;

/// Evidence per HIPAA Security Rule safeguard, read from the running system now: each control
/// of 45 CFR 164.312, the 164.308 specifications software can evidence, 164.310(d)(2)(iv) and
/// 164.528, met, attention or not met with the reason, and the review queues. Compliance
/// officers; audited with the audit head it was made at. `format=html` answers one
/// self-contained printable page.
#[utoipa::path(get, path = "/compliance/report", tag = "compliance", security(("bearer" = [])),
    params(ComplianceReportQuery),
    responses((status = 200, description = "The report, as JSON or (`format=html`) HTML",
            content((ComplianceReportView = "application/json"), (String = "text/html"))),
        SessionErrors, BadRequest, Validation))]
pub async fn compliance_report(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<ComplianceReportQuery>,
) -> Result<Response, ApiError> {
    let from = time_param("from", query.from.as_deref())?;
    let to = time_param("to", query.to.as_deref())?;
    let period = Period::new(from, to).map_err(|e| ApiError::validation(e.field, e.reason))?;
    let report = state
        .services
        .compliance()
        .compliance_report(&caller, period)
        .await?;
    let view = compliance_report_view(&report);
    if query.format == Some(ComplianceFormat::Html) {
        let page = (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                (header::CONTENT_SECURITY_POLICY, compliance_html_csp()),
            ],
            compliance_html(&view),
        );
        return Ok(page.into_response());
    }
    Ok(Json(view).into_response())
}

/// Signs off an alert or a break-glass use with a note (sealed at rest): the review the
/// rules ask of a compliance officer. 409 if it was signed off already.
#[utoipa::path(post, path = "/alerts/{id}/sign-off", tag = "audit", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SignOffRequest,
    responses((status = 200, body = AlertView), SessionErrors, BodyErrors, NotFound, Conflict))]
pub async fn sign_off_alert(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<SignOffAlerts>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SignOffRequest>,
) -> Result<Json<AlertView>, ApiError> {
    let alert = state
        .services
        .compliance()
        .acknowledge_alert(&caller, id, Some(&req.note))
        .await?;
    Ok(Json(alert_view(&alert)))
}

/// Every account with its role, second factor, last sign-in, conversations about patients
/// and latest access-review decision. Compliance officers; audited.
#[utoipa::path(get, path = "/compliance/access-review", tag = "compliance",
    security(("bearer" = [])),
    responses((status = 200, body = AccessReviewList), SessionErrors))]
pub async fn access_review(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<AccessReviewList>, ApiError> {
    let rows = state.services.compliance().access_review(&caller).await?;
    Ok(Json(AccessReviewList {
        accounts: rows.iter().map(access_row_view).collect(),
    }))
}

/// Records whether an account keeps its access (`compliance_manage`); audited. A `remove`
/// decision does not disable the account: the report names it until an administrator does.
#[utoipa::path(post, path = "/compliance/access-review", tag = "compliance",
    security(("bearer" = [])), request_body = AccessDecisionRequest,
    responses((status = 201, body = AccessDecisionView), SessionErrors, BodyErrors, NotFound))]
pub async fn decide_access(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ReviewAccess>,
    ApiJson(req): ApiJson<AccessDecisionRequest>,
) -> Result<(StatusCode, Json<AccessDecisionView>), ApiError> {
    let decision = state
        .services
        .compliance()
        .decide_access(
            &caller,
            UserId::from_uuid(req.user_id),
            req.decision == AccessDecisionKind::Keep,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(access_decision_view(&decision))))
}
