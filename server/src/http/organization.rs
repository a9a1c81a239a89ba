//! The organization's own rules (Settings → Security): whether everyone
//! must have a second factor. Reading needs `accounts.retrieve`, changing
//! `accounts.update`; whoever turns the rule on must have a second factor
//! themselves, so the organization keeps someone who can still get in with
//! everything (the last-admin rule). Single sign-on's configuration is `sso.rs`.

use axum::extract::State;
use keydesk_contract::permissions;
use keydesk_contract::second_factors::{OrganizationSecurity, UpdateOrganizationSecurity};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::Json;
use crate::auth::Caller;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(security, update_security))
}

#[utoipa::path(
    operation_id = "organization_security",
    tag = "Organization",
    get,
    path = "/organization/security",
    summary = "The organization's sign-in rules",
    responses((status = 200, description = "Whether a second factor is required, and single sign-on (null when not set up)", body = keydesk_contract::second_factors::OrganizationSecurity),
        crate::http::error::Errors
    ))]
async fn security(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<OrganizationSecurity>, Error> {
    caller.require(permissions::ACCOUNTS_RETRIEVE)?;
    Ok(Json(OrganizationSecurity {
        require_second_factor: state
            .storage
            .second_factor_required(&caller.organization.id)
            .await?,
        sso: state
            .storage
            .sso_config(&caller.organization.id)
            .await?
            .map(|c| c.view(state.sso_redirect_uri())),
    }))
}

#[utoipa::path(
    operation_id = "organization_security_update",
    tag = "Organization",
    put,
    path = "/organization/security",
    summary = "Change the organization's sign-in rules",
    description = "With `require_second_factor`, people without one get sessions that may only set one up (their live sessions too, at once).",
    request_body = keydesk_contract::second_factors::UpdateOrganizationSecurity,
    responses((status = 200, description = "The rules now", body = keydesk_contract::second_factors::OrganizationSecurity),
        crate::http::error::Errors
    ))]
async fn update_security(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<UpdateOrganizationSecurity>,
) -> Result<Json<OrganizationSecurity>, Error> {
    caller.require(permissions::ACCOUNTS_UPDATE)?;
    if req.require_second_factor {
        let own = if caller.is_key() {
            false
        } else {
            state.storage.second_factors(&caller.actor.id).await?.any()
        };
        if !own {
            return Err(Error::Conflict(
                "Set up a second factor for yourself first (My account \u{2192} Security): \
                 requiring one of everyone starts with the person who requires it."
                    .into(),
            ));
        }
    }
    state
        .storage
        .require_second_factor(caller.author(), req.require_second_factor)
        .await?;
    crate::security_log::sign_in_rules_changed(
        if req.require_second_factor {
            "second_factor_required"
        } else {
            "second_factor_not_required"
        },
        &caller.organization.id,
        &caller.actor,
        caller.client,
    );
    Ok(Json(OrganizationSecurity {
        require_second_factor: req.require_second_factor,
        sso: state
            .storage
            .sso_config(&caller.organization.id)
            .await?
            .map(|c| c.view(state.sso_redirect_uri())),
    }))
}
