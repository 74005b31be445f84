//! `/auth/*` and `/me/totp*`: sign-in, sign-out, wipe confirmation, second factor.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use secrecy::SecretString;
use ward_proto::auth::{LoginRequest, LoginResponse, TotpConfirmRequest, TotpEnrollment};

use super::AppState;
use super::doc::{
    BodyErrors, Conflict, SessionErrors, TooManyRequests, Unauthenticated, Unavailable,
};
use super::error::ApiError;
use super::extract::{AnySession, ApiJson, session_token};
use super::web_session::clear_browser;
use crate::services::{ClientAddress, LoginInput, LoginOutcome};
use crate::wire::views::{scope, user_summary};

/// Signs a device in.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "A new session", body = LoginResponse),
        BodyErrors, Unauthenticated, TooManyRequests, Unavailable))]
pub async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let outcome = sign_in(&state, address, req).await?;
    Ok(Json(LoginResponse {
        token: outcome.token.expose().to_owned(),
        session_id: *outcome.session.id.as_uuid(),
        user: user_summary(&outcome.user),
        expires_at: outcome.session.expires_at.to_datetime(),
        scope: scope(outcome.session.scope),
        idle_timeout_secs: outcome.idle_timeout_secs,
    }))
}

/// Checks the credentials and opens a session, counting failures for the metrics.
pub(super) async fn sign_in(
    state: &AppState,
    address: ClientAddress,
    req: LoginRequest,
) -> Result<LoginOutcome, ApiError> {
    let input = LoginInput {
        username: req.username,
        password: SecretString::from(req.password),
        device_name: req.device_name,
        totp_code: req.totp_code,
    };
    let outcome = state
        .services
        .identity()
        .login(input, address)
        .await
        .inspect_err(|e| {
            if matches!(e, crate::services::ServiceError::InvalidCredentials) {
                state.metrics.login_failures.inc();
            }
        })?;
    Ok(outcome)
}

/// Ends the session making the request.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), SessionErrors))]
pub async fn logout(
    State(state): State<AppState>,
    AnySession(caller): AnySession,
) -> Result<impl IntoResponse, ApiError> {
    state.services.identity().logout(&caller).await?;
    Ok((clear_browser(state.secure_cookies)?, StatusCode::NO_CONTENT))
}

/// Confirms that this device erased its data after a remote wipe order; ends the session.
#[utoipa::path(post, path = "/auth/wipe-confirmation", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Wipe recorded"), SessionErrors, Conflict))]
pub async fn wipe_confirmation(
    State(state): State<AppState>,
    address: ClientAddress,
    method: Method,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let token = session_token(&method, &headers)?;
    state
        .services
        .identity()
        .confirm_wipe(token, address)
        .await?;
    Ok((clear_browser(state.secure_cookies)?, StatusCode::NO_CONTENT))
}

/// Starts setting up a TOTP second factor.
#[utoipa::path(post, path = "/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 201, body = TotpEnrollment), SessionErrors, Conflict))]
pub async fn begin_totp(
    State(state): State<AppState>,
    AnySession(caller): AnySession,
) -> Result<(StatusCode, Json<TotpEnrollment>), ApiError> {
    let started = state.services.identity().begin_totp(&caller).await?;
    Ok((
        StatusCode::CREATED,
        Json(TotpEnrollment {
            secret: started.secret_base32,
            otpauth_uri: started.otpauth_uri,
        }),
    ))
}

/// Confirms the second factor with a first code; the session becomes a full one.
#[utoipa::path(post, path = "/me/totp/confirm", tag = "auth", security(("bearer" = [])),
    request_body = TotpConfirmRequest,
    responses((status = 204, description = "Enrolled"), SessionErrors, BodyErrors, Conflict))]
pub async fn confirm_totp(
    State(state): State<AppState>,
    AnySession(caller): AnySession,
    ApiJson(req): ApiJson<TotpConfirmRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .identity()
        .confirm_totp(&caller, &req.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
