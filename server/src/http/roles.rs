//! The permission catalogue, and the roles that bundle it: the built-in ones
//! (read-only) and the organization's custom roles.
//!
//! No escalation: a caller creates a role only with permissions they hold,
//! and edits or removes one only when they hold every permission it grants
//! before and after. An edit applies at once to every key and person holding
//! the role, so it is version-guarded like a key's (`If-Match` optional), and
//! refused when it would leave no active person holding every permission.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use keydesk_contract::permissions;
use keydesk_contract::types::{CreateRoleRequest, Permission, Role, UpdateRoleRequest};
use keydesk_contract::validation;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{Error, ResultExt};
use super::extract::Json;
use super::found;
use super::outcome::{self, answer};
use crate::auth::Caller;
use crate::rules::roles::{self, RoleAction};
use crate::storage::Rule;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_permissions))
        .routes(routes!(list_roles, create))
        .routes(routes!(read, update, remove))
}

#[utoipa::path(
    operation_id = "roles_list_permissions",
    tag = "Roles and permissions",
    get,
    path = "/permissions",
    summary = "The permission catalogue",
    responses((status = 200, description = "The permission catalogue", body = Vec<keydesk_contract::types::Permission>),
        crate::http::error::Errors
    ))]
async fn list_permissions(_caller: Caller) -> Json<Vec<Permission>> {
    Json(
        permissions::CATALOGUE
            .iter()
            .map(Permission::from)
            .collect(),
    )
}

#[utoipa::path(
    operation_id = "roles_list_roles",
    tag = "Roles and permissions",
    get,
    path = "/roles",
    summary = "List roles",
    responses((status = 200, description = "Built-in and custom roles", body = Vec<keydesk_contract::types::Role>),
        crate::http::error::Errors
    ))]
async fn list_roles(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Role>>, Error> {
    roles::may_list(&caller)?;
    Ok(Json(
        state.storage.list_roles(&caller.organization.id).await?,
    ))
}

#[utoipa::path(
    operation_id = "roles_read",
    tag = "Roles and permissions",
    get,
    path = "/roles/{id}",
    summary = "Read a role",
    params(("id" = String, Path, description = "The role's id")),
    responses((status = 200, description = "The role, with who holds it", body = keydesk_contract::types::Role),
        crate::http::error::Errors
    ))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Role>, Error> {
    roles::may(&caller, RoleAction::Read)?;
    Ok(Json(found::role(&state, &caller, &id).await?))
}

fn name_taken() -> Error {
    Error::field("name", validation::ROLE_NAME_TAKEN)
}

#[utoipa::path(
    operation_id = "roles_create",
    tag = "Roles and permissions",
    post,
    path = "/roles",
    summary = "Create a custom role",
    request_body = keydesk_contract::types::CreateRoleRequest,
    responses((status = 201, description = "The new custom role", body = keydesk_contract::types::Role),
        crate::http::error::Errors
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateRoleRequest>,
) -> Result<(StatusCode, Json<Role>), Error> {
    roles::may(&caller, RoleAction::Create)?;
    let valid = roles::create(&caller, &req)?;
    let role = state
        .storage
        .create_role(caller.author(), &valid)
        .await
        .on_constraint(Rule::RoleName, name_taken)?;
    Ok((StatusCode::CREATED, Json(role)))
}

#[utoipa::path(
    operation_id = "roles_update",
    tag = "Roles and permissions",
    patch,
    path = "/roles/{id}",
    summary = "Edit a custom role",
    params(("id" = String, Path, description = "The role's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on, e.g. `\"3\"`")),
    request_body = keydesk_contract::types::UpdateRoleRequest,
    responses((status = 200, description = "The role as it now is", body = keydesk_contract::types::Role),
        crate::http::error::Errors
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<UpdateRoleRequest>,
) -> Result<Json<Role>, Error> {
    roles::may(&caller, RoleAction::Edit)?;
    let current = found::role(&state, &caller, &id).await?;
    roles::custom_only(&current)?;
    check_if_match(&headers, &current)?;
    let change = roles::edit(&caller, &current, &req)?;
    let written = state
        .storage
        .update_role(caller.author(), &current, &change, caller.holds())
        .await
        .on_constraint(Rule::RoleName, name_taken)?;
    // Forbidden here: some key or person holding the role holds more than the editor.
    Ok(Json(answer(
        &caller,
        written,
        outcome::ROLE,
        "change what this role's holders hold",
    )?))
}

#[utoipa::path(
    operation_id = "roles_remove",
    tag = "Roles and permissions",
    delete,
    path = "/roles/{id}",
    summary = "Remove a custom role nobody holds",
    params(("id" = String, Path, description = "The role's id"), ("If-Match" = Option<String>, Header, description = "The version the removal was decided on")),
    responses((status = 204, description = "Removed"),
        crate::http::error::Errors
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    roles::may(&caller, RoleAction::Remove)?;
    let current = found::role(&state, &caller, &id).await?;
    roles::custom_only(&current)?;
    check_if_match(&headers, &current)?;
    roles::remove(&caller, &current)?;
    let removed = state.storage.delete_role(caller.author(), &current).await?;
    answer(&caller, removed, outcome::ROLE, "remove this role")?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a change the client decided on another version than `current`.
fn check_if_match(headers: &HeaderMap, current: &Role) -> Result<(), Error> {
    if super::extract::IfMatch::from_headers(headers)?.allows(current.version) {
        Ok(())
    } else {
        Err(outcome::changed_meanwhile(outcome::ROLE))
    }
}
