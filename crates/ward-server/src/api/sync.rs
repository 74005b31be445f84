//! `/sync`: everything a device missed since its cursor.

use axum::Json;
use axum::extract::State;
use ward_proto::realtime::{SyncPage, SyncQuery};

use super::AppState;
use super::doc::{BadRequest, SessionErrors, Validation};
use super::error::ApiError;
use super::extract::{ApiQuery, FullSession, page_limit};
use crate::services::MAX_SYNC_PAGE;
use crate::wire::frames::{cursor, parse_cursor};

const DEFAULT_PAGE: u32 = 1000;

/// Events after `since`, in order, each with its cursor; call again while `more` is true.
#[utoipa::path(get, path = "/sync", tag = "realtime", security(("bearer" = [])),
    params(SyncQuery),
    responses((status = 200, body = SyncPage), SessionErrors, BadRequest, Validation))]
pub async fn sync(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiQuery(query): ApiQuery<SyncQuery>,
) -> Result<Json<SyncPage>, ApiError> {
    let since = match query.since.as_deref() {
        Some(text) => {
            parse_cursor(text).ok_or_else(|| ApiError::validation("since", "is not a cursor"))?
        }
        None => 0,
    };
    let limit = page_limit("limit", query.limit, DEFAULT_PAGE, MAX_SYNC_PAGE)?;
    let page = state
        .services
        .messaging()
        .sync(&caller, since, limit)
        .await?;
    Ok(Json(SyncPage {
        events: page.frames,
        cursor: cursor(page.cursor),
        more: page.more,
    }))
}
