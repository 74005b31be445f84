//! `/users`, `/roles` and `/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use uuid::Uuid;
use ward_core::audit::AuditAction;
use ward_core::id::UserId;
use ward_core::role::Permission;
use ward_proto::Problem;
use ward_proto::users::{
    CreateUserRequest, Me, PutRoleRequest, RoleList, RoleView, UpdateUserRequest, UserList,
    UserView,
};

use super::AppState;
use super::error::ApiError;
use super::extract::{AnySession, ApiJson, ApiPath, FullSession, Permitted, Requirement};
use super::views::{permission_codes, role_view, session_view, status_from_wire, user_view};
use crate::services::NewUser;

/// Creating accounts needs `users_manage`.
#[derive(Debug)]
pub struct CreateUsers;

impl Requirement for CreateUsers {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::UserCreated;
}

/// Enabling and disabling accounts needs `users_manage`.
#[derive(Debug)]
pub struct ChangeUserStatus;

impl Requirement for ChangeUserStatus {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::UserStatusChanged;
}

/// Creating and changing custom roles needs `policy_manage`.
#[derive(Debug)]
pub struct ManageRoles;

impl Requirement for ManageRoles {
    const PERMISSION: Permission = Permission::PolicyManage;
    const ACTION: AuditAction = AuditAction::RoleChanged;
}

/// Creates a user (needs `users_manage`).
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 409, body = Problem),
        (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<CreateUsers>,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        role: req.role,
        password: SecretString::from(req.password),
    };
    let user = state.services.create_user(Some(&caller), new).await?;
    Ok((StatusCode::CREATED, Json(user_view(&user))))
}

/// Lists every user (needs `users_read`).
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<UserList>, ApiError> {
    let users = state.services.list_users(&caller).await?;
    Ok(Json(UserList {
        users: users.iter().map(user_view).collect(),
    }))
}

/// One user (needs `users_read`).
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .services
        .get_user(&caller, UserId::from_uuid(id))
        .await?;
    Ok(Json(user_view(&user)))
}

/// Enables or disables a user; disabling ends all their sessions (needs `users_manage`).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    Permitted(caller, _): Permitted<ChangeUserStatus>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    let status = status_from_wire(req.status);
    let user = state
        .services
        .set_user_status(&caller, UserId::from_uuid(id), status)
        .await?;
    Ok(Json(user_view(&user)))
}

/// Removes a user's second factor so they enrol again (needs `users_manage`).
#[utoipa::path(delete, path = "/users/{id}/totp", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Reset"), (status = 404, body = Problem)))]
pub async fn reset_totp(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .services
        .reset_totp(&caller, UserId::from_uuid(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller, their permissions and their session.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    AnySession(caller): AnySession,
) -> Result<Json<Me>, ApiError> {
    let mfa_enrolled = state.services.me(&caller).await?;
    Ok(Json(Me {
        user: user_view(&caller.user),
        permissions: permission_codes(&caller.role),
        mfa_enrolled,
        session: session_view(&caller.session, &caller.session),
    }))
}

/// The roles and their permissions (needs `users_read`).
#[utoipa::path(get, path = "/roles", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = RoleList)))]
pub async fn list_roles(
    State(state): State<AppState>,
    FullSession(caller): FullSession,
) -> Result<Json<RoleList>, ApiError> {
    let roles = state.services.list_roles(&caller).await?;
    Ok(Json(RoleList {
        roles: roles.iter().map(role_view).collect(),
    }))
}

/// Creates or changes a custom role (needs `policy_manage`). Built-in roles are fixed (409);
/// the audit and compliance permissions stay with the compliance officer role (422).
#[utoipa::path(put, path = "/roles/{name}", tag = "users", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = PutRoleRequest,
    responses((status = 200, body = RoleView), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
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
    let role = state.services.put_role(&caller, &name, permissions).await?;
    Ok(Json(role_view(&role)))
}
