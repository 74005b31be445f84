//! The HTTP API under `/api/v1`, the health endpoints and the OpenAPI document.
//!
//! A handler is: extract (session, path, body), one service call, map the result. Handlers live
//! one file per resource; this module wires them into a router.

mod approvals;
mod attachments;
mod audit;
mod auth;
mod clinical;
mod compliance;
mod conversations;
mod doc;
pub mod error;
mod evidence;
mod extract;
mod health;
mod message_changes;
mod notify;
mod oversight;
mod patients;
mod policy;
mod reports;
mod requirements;
mod scheduled;
mod sessions;
mod sync;
mod users;
mod web;
mod web_session;
mod ws;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::metrics::Metrics;
use crate::services::Services;

/// Largest JSON body accepted.
pub const MAX_JSON_BODY: usize = 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an upload may take to arrive (100 MB at about 1.5 Mbit/s).
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub services: Services,
    pub metrics: Arc<Metrics>,
    /// Proxies whose `X-Forwarded-For` (and, for the web client's WebSocket origin,
    /// `X-Forwarded-Proto`) is believed.
    pub trusted_proxies: Arc<[IpAddr]>,
    /// Whether browsers reach the server over TLS (its own listener or a TLS-terminating
    /// proxy), so that session cookies are `Secure` and the web client's origin is `https`.
    pub secure_cookies: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Ward API", description = "Secure clinical messaging. Errors are RFC 9457 problem details."),
    modifiers(&BearerAuth),
    components(
        schemas(ward_proto::Problem),
        responses(
            doc::BadRequest,
            doc::Unauthenticated,
            doc::Forbidden,
            doc::NotFound,
            doc::Conflict,
            doc::Gone,
            doc::PayloadTooLarge,
            doc::UnsupportedMediaType,
            doc::Validation,
            doc::TooManyRequests,
            doc::Unavailable,
        ),
    ),
    tags(
        (name = "auth", description = "Sign-in, sign-out, second factor"),
        (name = "users", description = "Users and roles"),
        (name = "sessions", description = "Devices and remote wipe"),
        (name = "policy", description = "Organisation policy"),
        (name = "audit", description = "Audit log"),
        (name = "compliance", description = "Retention and legal holds"),
        (name = "patients", description = "Patient registry and care teams"),
        (name = "conversations", description = "Conversations, messages, receipts"),
        (name = "attachments", description = "Files: upload, download, thumbnails"),
        (name = "realtime", description = "WebSocket and sync"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The web client's session, which every route also takes (with the anti-forgery header
        // on requests that change something); only `GET /auth/web-session` needs it.
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(extract::SESSION_COOKIE))),
        );
    }
}

fn api_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(
            web_session::open_web_session,
            web_session::current_web_session
        ))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::wipe_confirmation))
        .routes(routes!(auth::begin_totp))
        .routes(routes!(auth::confirm_totp))
        .routes(routes!(users::me))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::reset_totp))
        .routes(routes!(approvals::list_changes))
        .routes(routes!(approvals::approve_change))
        .routes(routes!(approvals::reject_change))
        .routes(routes!(users::list_roles))
        .routes(routes!(users::put_role))
        .routes(routes!(sessions::list_sessions))
        .routes(routes!(sessions::revoke_session))
        .routes(routes!(sessions::wipe_session))
        .routes(routes!(policy::get_policy, policy::put_policy))
        .routes(routes!(audit::search_audit))
        .routes(routes!(audit::verify_audit))
        .routes(routes!(audit::export_checkpoint))
        .routes(routes!(patients::create_patient, patients::list_patients))
        .routes(routes!(patients::get_patient))
        .routes(routes!(patients::lookup_patient))
        .routes(routes!(patients::add_care_team_member))
        .routes(routes!(patients::remove_care_team_member))
        .routes(routes!(
            conversations::create_conversation,
            conversations::list_conversations
        ))
        .routes(routes!(conversations::get_conversation))
        .routes(routes!(conversations::list_channels))
        .routes(routes!(conversations::add_member))
        .routes(routes!(conversations::remove_member))
        .routes(routes!(conversations::join))
        .routes(routes!(
            conversations::send_message,
            conversations::list_messages
        ))
        .routes(routes!(conversations::check_message))
        .routes(routes!(conversations::mark_read))
        .routes(routes!(conversations::message_receipts))
        .routes(routes!(clinical::acknowledge))
        .routes(routes!(clinical::escalation_grants))
        .routes(routes!(clinical::create_role, clinical::list_roles))
        .routes(routes!(clinical::add_shift))
        .routes(routes!(clinical::set_escalation_role))
        .routes(routes!(clinical::message_role))
        .routes(routes!(message_changes::edit_message))
        .routes(routes!(message_changes::recall_message))
        .routes(routes!(message_changes::message_versions))
        .routes(routes!(message_changes::set_lifespan))
        .routes(routes!(scheduled::list_scheduled))
        .routes(routes!(scheduled::cancel_scheduled))
        .routes(routes!(oversight::break_glass))
        .routes(routes!(oversight::list_alerts))
        .routes(routes!(oversight::acknowledge_alert))
        .routes(routes!(evidence::sign_off_alert))
        .routes(routes!(notify::push_key))
        .routes(routes!(notify::subscribe, notify::unsubscribe))
        .routes(routes!(notify::preferences, notify::set_preferences))
        .routes(routes!(evidence::compliance_report))
        .routes(routes!(evidence::access_review, evidence::decide_access))
        .routes(routes!(oversight::disclosures))
        .routes(routes!(compliance::set_retention))
        .routes(routes!(compliance::place_hold, compliance::list_holds))
        .routes(routes!(compliance::release_hold))
        .routes(routes!(reports::report))
        .routes(routes!(reports::export_conversation))
        .routes(routes!(reports::export_patient))
        .routes(routes!(sync::sync))
        .layer(timeout(REQUEST_TIMEOUT))
}

/// Uploads stream a body of up to the configured size, so they get longer than other requests.
fn attachments_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attachments::upload))
        .routes(routes!(attachments::download))
        .routes(routes!(attachments::thumbnail))
        .layer(timeout(UPLOAD_TIMEOUT))
}

/// The WebSocket: no request timeout, the connection outlives the upgrade.
fn realtime_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ws::connect))
}

fn timeout(limit: Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limit)
}

/// Every documented route, and the OpenAPI document that describes them.
fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            api_v1().merge(attachments_v1()).merge(realtime_v1()),
        )
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .split_for_parts();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    (api, openapi)
}

/// The OpenAPI document this build serves at `/api/v1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().1
}

/// The whole HTTP surface with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = documented_routes();
    let openapi = Arc::new(openapi);
    let metrics = Arc::clone(&state.metrics);

    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let openapi = Arc::clone(&openapi);
            async move { axum::Json(openapi.as_ref().clone()) }
        }),
    )
    .route("/metrics", axum::routing::get(health::metrics))
    .fallback(web::serve)
    .method_not_allowed_fallback(error::method_not_allowed)
    .with_state(state)
    .layer(axum::middleware::from_fn_with_state(
        metrics,
        crate::metrics::record,
    ))
    .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
    .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
    .layer(security_header(header::CACHE_CONTROL, "no-store"))
    .layer(security_header(header::REFERRER_POLICY, "no-referrer"))
    .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
    .layer(security_header(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; sandbox",
    ))
    .layer(TraceLayer::new_for_http().make_span_with(crate::telemetry::request_span))
    .layer(SetSensitiveRequestHeadersLayer::new([
        header::AUTHORIZATION,
        header::COOKIE,
        // A file's name may name a patient.
        HeaderName::from_static(ward_proto::messaging::FILE_NAME_HEADER),
    ]))
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
