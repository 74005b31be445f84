//! `/audit`: search and verify the audit log and export signed checkpoints (compliance
//! officers).

use axum::Json;
use axum::extract::State;
use ward_core::audit::{AuditAction, AuditFilter};
use ward_core::id::{PatientId, UserId};
use ward_proto::audit::{
    AuditCheckpointView, AuditPage, AuditQuery, AuditVerifyReport, ChainBreakView,
};

use super::AppState;
use super::doc::{BadRequest, Conflict, NotFound, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiQuery, FullSession, page_limit, time_param};
use crate::services::{AuditSearch, MAX_AUDIT_PAGE};
use crate::wire::views::{audit_event_view, checkpoint_view, hex};

const DEFAULT_PAGE: u32 = 100;

/// Searches the audit log, newest first (needs `audit_read`).
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), SessionErrors, BadRequest, Validation))]
pub async fn search_audit(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let search = parse_query(query)?;
    let limit = search.filter.limit;
    let events = state
        .services
        .compliance()
        .search_audit(&caller, search)
        .await?;
    let next_before = (events.len() as u32 >= limit)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    Ok(Json(AuditPage {
        events: events.iter().map(audit_event_view).collect(),
        next_before,
    }))
}

fn parse_query(q: AuditQuery) -> Result<AuditSearch, ApiError> {
    let action = q
        .action
        .map(|a| AuditAction::parse(&a))
        .transpose()
        .map_err(|e| ApiError::validation("action", e.reason))?;
    Ok(AuditSearch {
        filter: AuditFilter {
            actor: q.actor.map(UserId::from_uuid),
            target: q.target,
            patient: q.patient.map(PatientId::from_uuid),
            action,
            from: time_param("from", q.from.as_deref())?,
            to: time_param("to", q.to.as_deref())?,
            before_seq: q.before,
            limit: page_limit("limit", q.limit, DEFAULT_PAGE, MAX_AUDIT_PAGE)?,
        },
    })
}

/// Walks the hash chain and reports the first altered, removed or reordered event.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AuditVerifyReport), SessionErrors))]
pub async fn verify_audit(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<AuditVerifyReport>, ApiError> {
    let outcome = state.services.compliance().verify_audit(&caller).await?;
    Ok(Json(AuditVerifyReport {
        ok: outcome.first_break.is_none(),
        verified_events: outcome.verified,
        head_hash: hex(&outcome.head),
        first_break: outcome.first_break.map(|b| ChainBreakView {
            seq: b.seq(),
            reason: b.to_string(),
        }),
    }))
}

/// Signs the audit chain's head if it moved and returns the latest signed checkpoint, for an
/// outside party to keep and later hold the log against (`ward audit verify --checkpoint`).
#[utoipa::path(get, path = "/audit/checkpoint", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AuditCheckpointView), SessionErrors, NotFound, Conflict))]
pub async fn export_checkpoint(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<AuditCheckpointView>, ApiError> {
    let checkpoint = state
        .services
        .compliance()
        .export_checkpoint_for(&caller)
        .await?;
    Ok(Json(checkpoint_view(&checkpoint)))
}
