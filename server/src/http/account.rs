//! The signed-in person's own account: change the password (every other
//! session of theirs ends) and sign out everywhere (every session ends).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{AuditTarget, ChangePasswordRequest};

use super::auth::{busy, throttled};
use super::error::Error;
use super::extract::{Json, SessionToken};
use crate::auth::{password_policy, sessions, Caller};
use crate::security_log::{self, Refused, Who};
use crate::storage::{Account, AuditEntry};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/password", post(change_password))
        .route("/auth/sign-out-everywhere", post(sign_out_everywhere))
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
    path = "/api/v1/me/password",
    summary = "Change my password",
    request_body = keydesk_contract::types::ChangePasswordRequest,
    responses((status = 204, description = "Changed; every other session of the person ends"),
        crate::http::openapi::Errors
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
        .begin_sign_in(&account.email, caller.client)
        .await?
        .map_err(throttled(
            "Too many attempts with a wrong current password.",
        ))?;
    let right = state
        .passwords
        .verify(req.current_password.clone(), Some(account.password_hash))
        .await
        .map_err(busy)?;
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
    state.storage.set_password(caller.author(), &hash).await?;
    let keep = token.as_deref().map(sessions::digest);
    state
        .storage
        .end_sessions_of(&caller.actor.id, keep.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    operation_id = "account_sign_out_everywhere",
    tag = "My account",
    post,
    path = "/api/v1/auth/sign-out-everywhere",
    summary = "Sign out everywhere",
    responses((status = 204, description = "Every session of the person ends"),
        crate::http::openapi::Errors
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
