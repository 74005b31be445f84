//! `/users`, `/roles` and `/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use uuid::Uuid;
use ward_core::id::UserId;
use ward_core::role::Permission;
use ward_proto::approvals::PrivilegedChangeView;
use ward_proto::users::{
    CreateUserRequest, Me, PutRoleRequest, RoleList, RoleView, UpdateUserRequest, UserList,
    UserView,
};

use super::AppState;
use super::approvals::change_view;
use super::doc::{BadRequest, BodyErrors, Conflict, NotFound, SessionErrors};
use super::error::ApiError;
use super::extract::{AnySession, ApiJson, ApiPath, FullSession, Permitted};
use super::requirements::{ChangeUserStatus, CreateUsers, ManageRoles};
use crate::services::{AccountChange, NewUser};
use crate::wire::views::{permission_codes, role_view, session_view, status_from_wire, user_view};

/// Creates a user (needs `users_manage`). An account whose role holds the audit or compliance
/// permissions is not created: 202 with the request that waits for a compliance officer's
/// approval, or 409 when no one else could approve it (then `ward admin create-user`).
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses((status = 201, body = UserView),
        (status = 202, description = "Waits for approval", body = PrivilegedChangeView),
        SessionErrors, BodyErrors, NotFound, Conflict))]
pub async fn create_user(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<CreateUsers>,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<Response, ApiError> {
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        role: req.role,
        password: SecretString::from(req.password),
    };
    Ok(
        match state.services.identity().add_user(&caller, new).await? {
            AccountChange::Done(user) => {
                (StatusCode::CREATED, Json(user_view(&user))).into_response()
            }
            AccountChange::Requested(request) => {
                let view = change_view(&request, request.requested_at);
                (StatusCode::ACCEPTED, Json(view)).into_response()
            }
        },
    )
}

/// Lists every user (needs `users_read`).
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), SessionErrors))]
pub async fn list_users(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<UserList>, ApiError> {
    let users = state.services.identity().list_users(&caller).await?;
    Ok(Json(UserList {
        users: users.iter().map(user_view).collect(),
    }))
}

/// One user (needs `users_read`).
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), SessionErrors, BadRequest, NotFound))]
pub async fn get_user(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .services
        .identity()
        .get_user(&caller, UserId::from_uuid(id))
        .await?;
    Ok(Json(user_view(&user)))
}

/// Enables or disables a user; disabling ends all their sessions (needs `users_manage`).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), SessionErrors, BodyErrors, NotFound, Conflict))]
pub async fn update_user(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ChangeUserStatus>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    let status = status_from_wire(req.status);
    let user = state
        .services
        .identity()
        .set_user_status(&caller, UserId::from_uuid(id), status)
        .await?;
    Ok(Json(user_view(&user)))
}

/// Removes a user's second factor so they enrol again (needs `users_manage`). For someone
/// whose role holds the audit or compliance permissions: 202 with the request that waits for
/// another compliance officer's approval, or 409 when no one else could approve it (then
/// `ward admin reset-totp`).
#[utoipa::path(delete, path = "/users/{id}/totp", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Reset"),
        (status = 202, description = "Waits for approval", body = PrivilegedChangeView),
        SessionErrors, BadRequest, NotFound, Conflict))]
pub async fn reset_totp(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let outcome = state
        .services
        .identity()
        .reset_totp(&caller, UserId::from_uuid(id))
        .await?;
    Ok(match outcome {
        AccountChange::Done(()) => StatusCode::NO_CONTENT.into_response(),
        AccountChange::Requested(request) => {
            let view = change_view(&request, request.requested_at);
            (StatusCode::ACCEPTED, Json(view)).into_response()
        }
    })
}

/// The caller, their permissions and their session.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me), SessionErrors))]
pub async fn me(
    State(state): State<AppState>,
    AnySession(caller): AnySession,
) -> Result<Json<Me>, ApiError> {
    let mfa_enrolled = state.services.identity().me(&caller).await?;
    Ok(Json(Me {
        user: user_view(&caller.user),
        permissions: permission_codes(&caller.role),
        mfa_enrolled,
        session: session_view(&caller.session, &caller.session),
    }))
}

/// The roles and their permissions (needs `users_read`).
#[utoipa::path(get, path = "/roles", tag = "users", operation_id = "list_roles",
    security(("bearer" = [])), responses((status = 200, body = RoleList), SessionErrors))]
pub async fn list_roles(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<RoleList>, ApiError> {
    let roles = state.services.identity().list_roles(&caller).await?;
    Ok(Json(RoleList {
        roles: roles.iter().map(role_view).collect(),
    }))
}

/// Creates or changes a custom role (needs `policy_manage`). Built-in roles are fixed (409);
/// the audit and compliance permissions stay with the compliance officer role (422).
#[utoipa::path(put, path = "/roles/{name}", tag = "users", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = PutRoleRequest,
    responses((status = 200, body = RoleView), SessionErrors, BodyErrors, Conflict))]
pub async fn put_role(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ManageRoles>,
    ApiPath(name): ApiPath<String>,
    ApiJson(req): ApiJson<PutRoleRequest>,
) -> Result<Json<RoleView>, ApiError> {
    let permissions = req
        .permissions
        .iter()
        .map(|code| Permission::parse(code))
        .collect::<Result<_, _>>()
        .map_err(crate::services::ServiceError::from)?;
    let role = state
        .services
        .identity()
        .put_role(&caller, &name, permissions)
        .await?;
    Ok(Json(role_view(&role)))
}
