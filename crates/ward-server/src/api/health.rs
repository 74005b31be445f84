//! `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ward_proto::ProblemType;

use super::AppState;
use super::doc::Unavailable;
use super::error::ApiError;
use crate::services::ServiceError;

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers, and takes writes (after a write failed because storage is
/// full, each check tries a write that changes nothing, so the node is ready again as soon as
/// space is freed, without a restart). A node of a cluster that cannot reach the cluster bus
/// still serves (it delivers from the log) and answers `degraded`.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = String, description = "`ready`, or `degraded` (the cluster \
        bus is unreachable; live delivery reads the log)"), Unavailable))]
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    match state.services.ready().await {
        Ok(()) if state.services.bus().is_some_and(|bus| !bus.connected()) => Ok("degraded"),
        Ok(()) => Ok("ready"),
        Err(ServiceError::StorageFull) => Err(ApiError::new(
            ProblemType::StorageFull,
            "the database's storage is full",
        )),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(
                ProblemType::Unavailable,
                "the database does not answer",
            ))
        }
    }
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let devices = i64::try_from(state.services.hub().connected()).unwrap_or(i64::MAX);
    state.metrics.realtime_devices.set(devices);
    match state.metrics.encode() {
        Ok(text) => {
            let mut response = (StatusCode::OK, text).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        Err(_) => ApiError::bare(ProblemType::Internal).into_response(),
    }
}
