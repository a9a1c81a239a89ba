//! People in the organization. A person can only be given roles whose every
//! permission the caller holds, and only someone who holds everything a
//! person holds may deactivate or activate them (no escalation). Nobody
//! deactivates themselves, and the organization always keeps one active
//! person holding every permission.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use keydesk_contract::permissions;
use keydesk_contract::roles;
use keydesk_contract::types::{CreateUserRequest, User, UserQuery, UserStatus};

use super::auth::busy;
use super::error::{Error, ResultExt};
use super::extract::{Json, Query};
use crate::auth::{password_policy, Caller};
use crate::storage::{StatusChange, Unique};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(read))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/activate", post(activate))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UserQuery>,
) -> Result<Json<Vec<User>>, Error> {
    caller.require(permissions::USERS_RETRIEVE)?;
    Ok(Json(
        state
            .storage
            .list_users(&caller.organization.id, q.status)
            .await?,
    ))
}

/// The person with this id in the caller's organization; another
/// organization's person is as absent as one that never existed.
async fn find(state: &AppState, caller: &Caller, id: &str) -> Result<User, Error> {
    state
        .storage
        .get_user(&caller.organization.id, id)
        .await?
        .ok_or(Error::NotFound("person"))
}

async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<User>, Error> {
    caller.require(permissions::USERS_RETRIEVE)?;
    Ok(Json(find(&state, &caller, &id).await?))
}

async fn deactivate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<User>, Error> {
    caller.require(permissions::USERS_DEACTIVATE)?;
    set_status(&state, &caller, &id, UserStatus::Deactivated).await
}

async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<User>, Error> {
    caller.require(permissions::USERS_ACTIVATE)?;
    set_status(&state, &caller, &id, UserStatus::Active).await
}

async fn set_status(
    state: &AppState,
    caller: &Caller,
    id: &str,
    status: UserStatus,
) -> Result<Json<User>, Error> {
    let person = find(state, caller, id).await?;
    if person.id == caller.actor.id && status != UserStatus::Active {
        return Err(Error::Conflict(
            "You cannot deactivate yourself. Ask another admin.",
        ));
    }
    // Switching someone off or on is acting on all they hold.
    let theirs = roles::union_of(person.roles.iter().map(|r| r.id.as_str()));
    caller.require_all(theirs, "change this person's access")?;
    match state
        .storage
        .set_user_status(caller.author(), id, status)
        .await?
    {
        StatusChange::Done(user) => Ok(Json(*user)),
        StatusChange::Gone => Err(Error::NotFound("person")),
        StatusChange::LastAdministrator => Err(Error::Conflict(
            "This is the last active person who holds every permission; the organization needs one.",
        )),
    }
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateUserRequest>,
) -> Result<(StatusCode, Json<User>), Error> {
    caller.require(permissions::USERS_CREATE)?;
    let valid = req.validate(roles::is_known).map_err(Error::Validation)?;
    caller.require_all(
        roles::union_of(valid.role_ids.iter().map(String::as_str)),
        "give these roles",
    )?;
    let about = password_policy::words_about(&valid.email, &valid.name, &caller.organization.name);
    let about: Vec<&str> = about.iter().map(String::as_str).collect();
    password_policy::check(&req.password, &about).map_err(|m| Error::field("password", m))?;
    let hash = state.passwords.hash(req.password).await.map_err(busy)?;
    let user = state
        .storage
        .create_user(caller.author(), &valid, &hash)
        .await
        .on_constraint(Unique::UserEmail, || {
            Error::field("email", keydesk_contract::validation::EMAIL_TAKEN)
        })?;
    Ok((StatusCode::CREATED, Json(user)))
}
