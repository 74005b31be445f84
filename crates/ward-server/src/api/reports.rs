//! Compliance reports as JSON or CSV, the accounting of disclosures as CSV, and the
//! e-discovery export of a conversation or a patient's conversations.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;
use ward_core::id::{ConversationId, PatientId, UserId};
use ward_proto::ProblemType;
use ward_proto::compliance::{
    ConversationExport, ExportedAttachment, ExportedMessage, PatientExport, Report, ReportFormat,
    ReportQuery,
};

use super::AppState;
use super::doc::{BadRequest, NotFound, PayloadTooLarge, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery, FullSession, time_param};
use crate::services::{self, Period, ReportKind};
use crate::wire::frames::conversation_view;
use crate::wire::reports::{audit_csv, report_document};

/// A report over a period: `user-activity` (with `user`), `failed-logins` or `exports`
/// (attachment downloads and compliance exports). `format=csv` answers `text/csv`.
#[utoipa::path(get, path = "/reports/{kind}", tag = "compliance", security(("bearer" = [])),
    params(("kind" = String, Path, description = "`user-activity`, `failed-logins` or `exports`"),
        ReportQuery),
    responses((status = 200, description = "The report, as JSON or (`format=csv`) CSV",
            content((Report = "application/json"), (String = "text/csv"))),
        SessionErrors, BadRequest, NotFound, Validation))]
pub async fn report(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let kind = match kind.as_str() {
        "user-activity" => ReportKind::UserActivity,
        "failed-logins" => ReportKind::FailedLogins,
        "exports" => ReportKind::Exports,
        _ => return Err(ApiError::new(ProblemType::NotFound, "no such report")),
    };
    let period = period(&query)?;
    let user = query.user.map(UserId::from_uuid);
    let rows = state
        .services
        .compliance()
        .report(&caller, kind, user, period)
        .await?;
    if query.format == Some(ReportFormat::Csv) {
        return csv_response(kind.as_str(), &audit_csv(&rows)?);
    }
    let document = report_document(kind.as_str(), period.from, period.to, &rows);
    Ok(Json(document).into_response())
}

/// The period a query asks for, checked.
pub fn period(query: &ReportQuery) -> Result<Period, ApiError> {
    let from = time_param("from", query.from.as_deref())?;
    let to = time_param("to", query.to.as_deref())?;
    Period::new(from, to).map_err(|e| ApiError::validation(e.field, e.reason))
}

pub fn csv_response(name: &str, body: &[u8]) -> Result<Response, ApiError> {
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body.to_vec(),
    )
        .into_response())
}

/// Exports a conversation for e-discovery: every message with its earlier versions and files
/// (compliance officers; audited).
#[utoipa::path(get, path = "/conversations/{id}/export", tag = "compliance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ConversationExport), SessionErrors, BadRequest, NotFound,
        PayloadTooLarge))]
pub async fn export_conversation(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConversationExport>, ApiError> {
    let export = state
        .services
        .compliance()
        .export_conversation(&caller, ConversationId::from_uuid(id))
        .await?;
    Ok(Json(export_view(&export)))
}

/// Exports every conversation about a patient (compliance officers; audited).
#[utoipa::path(get, path = "/patients/{id}/export", tag = "compliance",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PatientExport), SessionErrors, BadRequest, NotFound,
        PayloadTooLarge))]
pub async fn export_patient(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PatientExport>, ApiError> {
    let exports = state
        .services
        .compliance()
        .export_patient(&caller, PatientId::from_uuid(id))
        .await?;
    Ok(Json(PatientExport {
        patient_id: id,
        conversations: exports.iter().map(export_view).collect(),
    }))
}

fn export_view(export: &services::ConversationExport) -> ConversationExport {
    ConversationExport {
        conversation: conversation_view(&export.conversation, None),
        messages: export
            .messages
            .iter()
            .map(|m| ExportedMessage {
                id: m.message.id,
                seq: m.message.seq,
                sender_id: *m.message.sender_id.as_uuid(),
                created_at: m.message.created_at.to_datetime(),
                priority: m.message.priority.as_str().to_owned(),
                body: m.body.clone(),
                disposed: m.body.is_none(),
                versions: m.versions.clone(),
                recalled: m.message.recalled_at.is_some(),
                expired: m.message.expired_at.is_some(),
                attachments: m
                    .attachments
                    .iter()
                    .map(|(info, content)| ExportedAttachment {
                        id: info.id,
                        name: info.name.clone(),
                        media_type: info.media_type.clone(),
                        size: info.size,
                        content_base64: STANDARD.encode(content),
                    })
                    .collect(),
            })
            .collect(),
    }
}
