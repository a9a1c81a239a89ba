//! People in the organization. A person can only be given roles whose every
//! permission the caller holds, and only someone who holds everything a
//! person holds may deactivate or activate them (no escalation). Nobody
//! deactivates themselves, and the organization always keeps one active
//! person holding every permission.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use keydesk_contract::types::{
    CreateUserRequest, GeneratedSecret, Invitation, UpdateUserRequest, User, UserQuery, UserStatus,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{busy, throttled, Error, ResultExt};
use super::extract::{IfMatch, Json, Query};
use super::found;
use super::outcome::{self, answer};
use crate::auth::{sessions, Caller};
use crate::rules::keys::{self, KeyAction};
use crate::rules::people::{self, PersonAction};
use crate::storage::Rule;
use crate::{time_format, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
        .routes(routes!(deactivate))
        .routes(routes!(activate))
        .routes(routes!(invite))
        .routes(routes!(generated_secrets))
}

/// A one-time link for an invited person, shown once. The token is in the
/// fragment (`#...`), which browsers never send to a server or a referrer.
#[utoipa::path(
    operation_id = "users_invite",
    tag = "People",
    post,
    path = "/users/{id}/invitation",
    summary = "Issue an invitation link",
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "A one-time link, shown once, valid 7 days", body = keydesk_contract::types::Invitation),
        crate::http::error::Errors
    ))]
async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Invitation>, Error> {
    people::may(&caller, PersonAction::Invite)?;
    let person = found::person(&state, &caller, &id).await?;
    let book = state.storage.role_book(&caller.organization.id).await?;
    people::invite(&caller, &book, &person)?;
    let token = sessions::new_token();
    let now = state.clock.now();
    let expires_at = time_format::format(now + time::Duration::days(people::INVITATION_DAYS));
    state
        .storage
        .create_invitation(
            caller.author(),
            &person,
            caller.holds(),
            &sessions::digest(&token),
            &time_format::format(now),
            &expires_at,
        )
        .await?;
    // From the configured public address, never from the request's Host or
    // Origin, which whoever sends the request chooses.
    Ok(Json(Invitation {
        url: format!("{}/invitation#{token}", state.public_url),
        expires_at,
    }))
}

#[utoipa::path(
    operation_id = "users_list",
    tag = "People",
    get,
    path = "/users",
    summary = "List people",
    params(keydesk_contract::types::UserQuery),
    responses((status = 200, description = "People of the organization", body = Vec<keydesk_contract::types::User>),
        crate::http::error::Errors
    ))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UserQuery>,
) -> Result<Json<Vec<User>>, Error> {
    people::may(&caller, PersonAction::Read)?;
    Ok(Json(
        state
            .storage
            .list_users(&caller.organization.id, q.status)
            .await?,
    ))
}

#[utoipa::path(
    operation_id = "users_read",
    tag = "People",
    get,
    path = "/users/{id}",
    summary = "Read a person",
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "The person", body = keydesk_contract::types::User),
        crate::http::error::Errors
    ))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<User>, Error> {
    people::may(&caller, PersonAction::Read)?;
    Ok(Json(found::person(&state, &caller, &id).await?))
}

/// Changes a person's name or roles; takes effect on their next request.
#[utoipa::path(
    operation_id = "users_update",
    tag = "People",
    patch,
    path = "/users/{id}",
    summary = "Change a person's name or roles",
    params(("id" = String, Path, description = "The person's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on, e.g. `\"3\"`")),
    request_body = keydesk_contract::types::UpdateUserRequest,
    responses((status = 200, description = "The person as they now are", body = keydesk_contract::types::User),
        crate::http::error::Errors
    ))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    if_match: IfMatch,
    Json(req): Json<UpdateUserRequest>,
) -> Result<Json<User>, Error> {
    people::may(&caller, PersonAction::Change)?;
    let person = found::person(&state, &caller, &id).await?;
    if !if_match.allows(person.version) {
        return Err(outcome::changed_meanwhile(outcome::PERSON));
    }
    let book = state.storage.role_book(&caller.organization.id).await?;
    let change = people::change(&caller, &book, &person, &req)?;
    let written = state
        .storage
        .update_user(caller.author(), &person, &change, caller.holds())
        .await
        .on_constraint(Rule::RoleExists, super::error::role_removed)?;
    Ok(Json(answer(
        &caller,
        written,
        outcome::PERSON,
        "change this person",
    )?))
}

#[utoipa::path(
    operation_id = "users_deactivate",
    tag = "People",
    post,
    path = "/users/{id}/deactivate",
    summary = "Deactivate a person",
    params(("id" = String, Path, description = "The person's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on")),
    responses((status = 200, description = "Deactivated: their sessions end at once, and links or passwords issued to them and not yet used are void", body = keydesk_contract::types::User),
        crate::http::error::Errors
    ))]
async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Json<User>, Error> {
    people::may(&caller, PersonAction::Deactivate)?;
    set_status(&state, &caller, &id, if_match, UserStatus::Deactivated).await
}

#[utoipa::path(
    operation_id = "users_activate",
    tag = "People",
    post,
    path = "/users/{id}/activate",
    summary = "Activate a person",
    params(("id" = String, Path, description = "The person's id"), ("If-Match" = Option<String>, Header, description = "The version the change was decided on")),
    responses((status = 200, description = "Active again (or invited, if they never joined: they need a new link)", body = keydesk_contract::types::User),
        crate::http::error::Errors
    ))]
async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Json<User>, Error> {
    people::may(&caller, PersonAction::Activate)?;
    set_status(&state, &caller, &id, if_match, UserStatus::Active).await
}

async fn set_status(
    state: &AppState,
    caller: &Caller,
    id: &str,
    if_match: IfMatch,
    status: UserStatus,
) -> Result<Json<User>, Error> {
    let person = found::person(state, caller, id).await?;
    if !if_match.allows(person.version) {
        return Err(outcome::changed_meanwhile(outcome::PERSON));
    }
    let book = state.storage.role_book(&caller.organization.id).await?;
    people::switch(caller, &book, &person, status)?;
    let written = state
        .storage
        .set_user_status(caller.author(), &person, status, caller.holds())
        .await?;
    Ok(Json(answer(
        caller,
        written,
        outcome::PERSON,
        "change this person's access",
    )?))
}

/// Keys whose current secret this person generated: after deactivating
/// them, those are the secrets they saw.
#[utoipa::path(
    operation_id = "users_generated_secrets",
    tag = "People",
    get,
    path = "/users/{id}/generated-secrets",
    summary = "Keys whose current secret this person generated",
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 200, description = "Each key and when its secret was generated", body = Vec<keydesk_contract::types::GeneratedSecret>),
        crate::http::error::Errors
    ))]
async fn generated_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<GeneratedSecret>>, Error> {
    people::may(&caller, PersonAction::Read)?;
    keys::may(&caller, KeyAction::Read)?;
    let person = found::person(&state, &caller, &id).await?;
    Ok(Json(
        state
            .storage
            .secrets_generated_by(&caller.organization.id, &person.id)
            .await?,
    ))
}

#[utoipa::path(
    operation_id = "users_create",
    tag = "People",
    post,
    path = "/users",
    summary = "Add a person",
    request_body = keydesk_contract::types::CreateUserRequest,
    responses((status = 201, description = "The person (invited when no password was given)", body = keydesk_contract::types::User),
        crate::http::error::Errors
    ))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateUserRequest>,
) -> Result<(StatusCode, Json<User>), Error> {
    people::may(&caller, PersonAction::Add)?;
    let book = state.storage.role_book(&caller.organization.id).await?;
    let valid = people::add(&caller, &book, &req)?;
    state
        .throttle
        .begin_adding_person(&caller.organization.id)
        .await?
        .map_err(throttled("Too many people added to this organization."))?;
    // Invited either way: they join by setting a password of their own,
    // through an invitation link or at their first sign-in with this one.
    let hash = match req.password {
        Some(password) => Some(state.passwords.hash(password).await.map_err(busy)?),
        None => None,
    };
    let provisional = hash.as_deref().map(|h| (h, caller.holds()));
    let user = state
        .storage
        .create_user(caller.author(), &valid, provisional)
        .await
        .on_constraint(Rule::OrganizationEmail, || {
            Error::field("email", keydesk_contract::validation::EMAIL_TAKEN_HERE)
        })
        .on_constraint(Rule::RoleExists, super::error::role_removed)?;
    Ok((StatusCode::CREATED, Json(user)))
}
