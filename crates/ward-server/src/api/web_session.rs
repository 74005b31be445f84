//! `/auth/web-session`: sign-in for the web client. The session token goes into an HttpOnly,
//! SameSite=Strict cookie that no script can read; the page gets only the session's
//! anti-forgery token, which it sends back in the `x-csrf-token` header.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::IntoResponse;
use ward_crypto::token::SessionToken;
use ward_proto::auth::{LoginRequest, WebSession};
use ward_proto::{Problem, ProblemType};

use super::AppState;
use super::auth::sign_in;
use super::error::ApiError;
use super::extract::{ApiJson, SESSION_COOKIE, session_cookie};
use super::views::{scope, user_summary};
use crate::services::{ClientAddress, ServiceError};

/// Signs a browser in: the token is set as a cookie, never put in the body.
#[utoipa::path(post, path = "/auth/web-session", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "A new session; the token is in the ward_session cookie", body = WebSession),
        (status = 401, description = "Wrong credentials, or a one-time code is needed", body = Problem),
        (status = 429, description = "Too many failed sign-ins", body = Problem),
    ))]
pub async fn open_web_session(
    State(state): State<AppState>,
    address: ClientAddress,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let outcome = sign_in(&state, address, req).await?;
    let body = WebSession {
        session_id: *outcome.session.id.as_uuid(),
        user: user_summary(&outcome.user),
        expires_at: outcome.session.expires_at.to_datetime(),
        scope: scope(outcome.session.scope),
        idle_timeout_secs: outcome.idle_timeout_secs,
        csrf_token: outcome.token.csrf_token(),
    };
    let cookie = session_cookie_header(outcome.token.expose(), state.secure_cookies)?;
    Ok(([(SET_COOKIE, cookie)], Json(body)))
}

/// The browser's current session (after a reload): who is signed in and the anti-forgery token.
#[utoipa::path(get, path = "/auth/web-session", tag = "auth",
    responses((status = 200, body = WebSession), (status = 401, body = Problem)))]
pub async fn current_web_session(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
) -> Result<Json<WebSession>, ApiError> {
    let token = session_cookie(&headers)
        .and_then(SessionToken::parse)
        .ok_or(ServiceError::Unauthenticated)?;
    let caller = state.services.authenticate(token.expose(), address).await?;
    Ok(Json(WebSession {
        session_id: *caller.session.id.as_uuid(),
        user: user_summary(&caller.user),
        expires_at: caller.session.expires_at.to_datetime(),
        scope: scope(caller.session.scope),
        idle_timeout_secs: state.services.idle_timeout_secs().await?,
        csrf_token: token.csrf_token(),
    }))
}

/// Headers that end a browser session: the cookie is expired and the page's stored data and
/// cache are cleared (`Clear-Site-Data`). Harmless for clients that use bearer tokens.
pub fn clear_browser(secure: bool) -> [(HeaderName, HeaderValue); 2] {
    let cookie = format!(
        "{SESSION_COOKIE}=; Max-Age=0; {}",
        cookie_attributes(secure)
    );
    [
        (
            SET_COOKIE,
            HeaderValue::try_from(cookie).unwrap_or(HeaderValue::from_static("")),
        ),
        (
            HeaderName::from_static("clear-site-data"),
            HeaderValue::from_static("\"cache\", \"storage\""),
        ),
    ]
}

fn session_cookie_header(token: &str, secure: bool) -> Result<HeaderValue, ApiError> {
    // No Max-Age: a session cookie, gone when the browser closes; the server's idle and absolute
    // limits still apply to the session itself.
    HeaderValue::try_from(format!(
        "{SESSION_COOKIE}={token}; {}",
        cookie_attributes(secure)
    ))
    .map_err(|_| {
        ApiError::new(
            ProblemType::Internal,
            "the session cookie could not be made",
        )
    })
}

/// Sent only to the API, never readable by scripts, never sent on cross-site requests; `Secure`
/// whenever the server is reached over TLS (directly or through a TLS-terminating proxy).
fn cookie_attributes(secure: bool) -> &'static str {
    if secure {
        "Path=/api/; HttpOnly; SameSite=Strict; Secure"
    } else {
        "Path=/api/; HttpOnly; SameSite=Strict"
    }
}
