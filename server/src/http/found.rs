//! Finding the thing a path names, in the caller's organization. Another
//! organization's key, person or role is as absent as one that never
//! existed (rule 1): every resource answers 404 the same way, from here.

use keydesk_contract::types::{ApiKey, Role, User};

use super::error::Error;
use crate::auth::Caller;
use crate::AppState;

pub async fn key(state: &AppState, caller: &Caller, id: &str) -> Result<ApiKey, Error> {
    state
        .storage
        .get_key(&caller.organization.id, id)
        .await?
        .ok_or(Error::NotFound("API key"))
}

pub async fn person(state: &AppState, caller: &Caller, id: &str) -> Result<User, Error> {
    state
        .storage
        .get_user(&caller.organization.id, id)
        .await?
        .ok_or(Error::NotFound("person"))
}

/// A built-in role, or a custom one of the caller's organization.
pub async fn role(state: &AppState, caller: &Caller, id: &str) -> Result<Role, Error> {
    state
        .storage
        .get_role(&caller.organization.id, id)
        .await?
        .ok_or(Error::NotFound("role"))
}
