//! The permission catalogue and the roles that bundle it, so people can plan keys.

use axum::routing::get;
use axum::Router;
use keydesk_contract::types::{Permission, Role};
use keydesk_contract::{permissions, roles};

use super::error::Error;
use super::extract::Json;
use crate::auth::Caller;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/permissions", get(list_permissions))
        .route("/roles", get(list_roles))
}

async fn list_permissions(_caller: Caller) -> Json<Vec<Permission>> {
    Json(
        permissions::CATALOGUE
            .iter()
            .map(Permission::from)
            .collect(),
    )
}

async fn list_roles(caller: Caller) -> Result<Json<Vec<Role>>, Error> {
    // Whoever may create keys must be able to see the roles they pick from.
    if !caller.can(permissions::SERVICE_ACCOUNTS_CREATE) {
        caller.require(permissions::ROLES_RETRIEVE)?;
    }
    Ok(Json(roles::BUILT_IN_ROLES.iter().map(Role::from).collect()))
}
