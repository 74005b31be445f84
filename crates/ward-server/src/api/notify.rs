//! Web Push: the key browsers subscribe with, and the caller's device subscription.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ward_core::notify::NotifyPrefs;
use ward_proto::notify::{
    NotificationPreferences, PushKey, PushSubscriptionRequest, PushSubscriptionView, QuietHours,
};

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

/// What this user is notified of: normal and urgent messages (STAT always; urgent too while
/// the policy insists), and quiet hours in which normal messages wait.
#[utoipa::path(get, path = "/me/notification-preferences", tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationPreferences), SessionErrors))]
pub async fn preferences(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let prefs = state.services.notifier().preferences(&caller).await?;
    Ok(Json(preferences_view(prefs)))
}

/// Sets what this user is notified of; audited.
#[utoipa::path(put, path = "/me/notification-preferences", tag = "notifications",
    security(("bearer" = [])), request_body = NotificationPreferences,
    responses((status = 200, body = NotificationPreferences), SessionErrors, BodyErrors))]
pub async fn set_preferences(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiJson(req): ApiJson<NotificationPreferences>,
) -> Result<Json<NotificationPreferences>, ApiError> {
    let prefs = NotifyPrefs {
        normal: req.normal,
        urgent: req.urgent,
        quiet_hours: req.quiet_hours.map(|q| ward_core::notify::QuietHours {
            start_minute: q.start_minute,
            end_minute: q.end_minute,
            utc_offset_minutes: q.utc_offset_minutes,
        }),
    };
    let prefs = state
        .services
        .notifier()
        .set_preferences(&caller, prefs)
        .await?;
    Ok(Json(preferences_view(prefs)))
}

fn preferences_view(p: NotifyPrefs) -> NotificationPreferences {
    NotificationPreferences {
        normal: p.normal,
        urgent: p.urgent,
        quiet_hours: p.quiet_hours.map(|q| QuietHours {
            start_minute: q.start_minute,
            end_minute: q.end_minute,
            utc_offset_minutes: q.utc_offset_minutes,
        }),
    }
}
