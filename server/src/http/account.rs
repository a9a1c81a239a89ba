//! The signed-in person's own account: change the password (every other
//! session of theirs ends) and sign out everywhere (every session ends).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{AuditTarget, ChangePasswordRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{address_has_an_account, busy, Error, ResultExt};
use super::extract::{Json, SessionToken};
use super::reauthentication::{confirm_password, own_account};
use crate::auth::{password_policy, sessions, Caller};
use crate::storage::{AuditEntry, Joined, Rule};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(sign_out_everywhere))
}

#[utoipa::path(
    operation_id = "account_change_password",
    tag = "My account",
    post,
    path = "/me/password",
    summary = "Change my password",
    request_body = keydesk_contract::types::ChangePasswordRequest,
    responses((status = 204, description = "Changed; every other session of the person ends"),
        crate::http::error::Errors
    ))]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    SessionToken(token): SessionToken,
    Json(req): Json<ChangePasswordRequest>,
) -> Result<StatusCode, Error> {
    let account = own_account(&state, &caller).await?;
    let about =
        password_policy::words_about(&account.email, &account.name, &caller.organization.name);
    let about: Vec<&str> = about.iter().map(String::as_str).collect();
    password_policy::check(&req.new_password, &about)
        .map_err(|m| Error::field("new_password", m))?;
    confirm_password(
        &state,
        &caller,
        &account,
        req.current_password.clone(),
        "current_password",
    )
    .await?;
    if req.new_password == req.current_password {
        return Err(Error::field(
            "new_password",
            "The new password must differ from the current one.",
        ));
    }
    let hash = state.passwords.hash(req.new_password).await.map_err(busy)?;
    let keep = token.as_deref().map(sessions::digest);
    // The new password, the end of every other session and (for someone who
    // never joined) joining, in one transaction.
    match state
        .storage
        .set_own_password(caller.author(), &hash, keep.as_deref())
        .await
        .on_constraint(Rule::UserEmail, address_has_an_account)?
    {
        Joined::Done => Ok(StatusCode::NO_CONTENT),
        Joined::CredentialVoid => Err(Error::Unauthenticated(
            "The password you signed in with was set by someone else and is no longer valid. \
             Ask for an invitation link.",
        )),
    }
}

#[utoipa::path(
    operation_id = "account_sign_out_everywhere",
    tag = "My account",
    post,
    path = "/auth/sign-out-everywhere",
    summary = "Sign out everywhere",
    responses((status = 204, description = "Every session of the person ends"),
        crate::http::error::Errors
    ))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, Error> {
    let account = own_account(&state, &caller).await?;
    state.storage.end_sessions_of(&account.id, None).await?;
    state
        .storage
        .append_audit(AuditEntry {
            organization_id: &caller.organization.id,
            actor: &caller.actor,
            action: AuditAction::UserSignedOutEverywhere {},
            target: AuditTarget::user(account.id.clone(), account.name.clone()),
        })
        .await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.cookie.clear())],
    )
        .into_response())
}
