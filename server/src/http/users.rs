//! People in the organization. A person can only be given roles whose every
//! permission the caller holds (no escalation).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use keydesk_contract::permissions;
use keydesk_contract::roles;
use keydesk_contract::types::{CreateUserRequest, User};

use super::auth::busy;
use super::error::{Error, ResultExt};
use super::extract::Json;
use crate::auth::{password_policy, Caller};
use crate::storage::Unique;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/users", get(list).post(create))
}

async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<User>>, Error> {
    caller.require(permissions::USERS_RETRIEVE)?;
    Ok(Json(
        state.storage.list_users(&caller.organization.id).await?,
    ))
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
