//! Web Push: the key browsers subscribe with, and the caller's device subscription.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ward_proto::notify::{PushKey, PushSubscriptionRequest, PushSubscriptionView};

use super::AppState;
use super::doc::{BodyErrors, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{ApiJson, FullSession};
use crate::services::NewSubscription;

/// The server's VAPID public key, for `PushManager.subscribe({applicationServerKey})`.
#[utoipa::path(get, path = "/push/key", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = PushKey), SessionErrors))]
pub async fn push_key(
    State(state): State<AppState>,
    FullSession(_caller): FullSession,
) -> Result<Json<PushKey>, ApiError> {
    let public_key = state.services.notifier().public_key().await?;
    Ok(Json(PushKey { public_key }))
}

/// Keeps this device's push subscription (replacing its earlier one); it ends with the
/// session (sign-out, revocation, wipe, idle or lifetime expiry). Notifications carry no PHI:
/// only how many messages of which priority wait. Audited.
#[utoipa::path(post, path = "/me/push-subscriptions", tag = "notifications",
    security(("bearer" = [])), request_body = PushSubscriptionRequest,
    responses((status = 201, body = PushSubscriptionView), SessionErrors, BodyErrors))]
pub async fn subscribe(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiJson(req): ApiJson<PushSubscriptionRequest>,
) -> Result<(StatusCode, Json<PushSubscriptionView>), ApiError> {
    let new = NewSubscription {
        endpoint: req.endpoint,
        p256dh: req.keys.p256dh,
        auth: req.keys.auth,
    };
    let subscription = state.services.notifier().subscribe(&caller, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(PushSubscriptionView {
            id: subscription.id,
            created_at: subscription.created_at.to_datetime(),
        }),
    ))
}

/// Removes this device's push subscription (404 if it has none). Audited.
#[utoipa::path(delete, path = "/me/push-subscriptions", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), SessionErrors, NotFound))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<StatusCode, ApiError> {
    state.services.notifier().unsubscribe(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
