//! The signed-in person's own account: change the password (every other
//! session of theirs ends) and sign out everywhere (every session ends).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{AuditTarget, ChangePasswordRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::{address_has_an_account, busy, throttled, Error, ResultExt};
use super::extract::{Json, SessionToken};
use crate::auth::{password_policy, sessions, Caller};
use crate::security_log::{self, Refused, Who};
use crate::storage::{Account, AuditEntry, Joined, Rule};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(sign_out_everywhere))
}

/// The account of the person calling; a key has none.
async fn own_account(state: &AppState, caller: &Caller) -> Result<Account, Error> {
    if caller.is_key() {
        return Err(Error::Unauthenticated(
            "This is for people signed in; a key has no password.",
        ));
    }
    state
        .storage
        .account_of(&caller.actor.id)
        .await?
        .ok_or(Error::Unauthenticated("Sign in to continue."))
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
    // Whoever holds a stolen session must not get to guess the password.
    let attempt = state
        .throttle
        .begin_sign_in(&account.email, caller.client, None)
        .await?
        .map_err(throttled(
            "Too many attempts with a wrong current password.",
        ))?;
    let stored = Some(account.password_hash).filter(|h| !h.is_empty());
    let right = match state
        .passwords
        .verify(req.current_password.clone(), stored)
        .await
    {
        Ok(right) => right,
        Err(b) => {
            state.throttle.not_checked(&attempt).await?;
            return Err(busy(b));
        }
    };
    if !right {
        security_log::refused(
            Refused::SignInFailed,
            "wrong current password on password change",
            Who {
                organization: Some(&caller.organization.id),
                actor: Some(&caller.actor),
            },
            caller.client,
        );
        return Err(Error::field(
            "current_password",
            "The current password is not right.",
        ));
    }
    state.throttle.succeeded(&attempt).await?;
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
