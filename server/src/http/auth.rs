//! Sign-up, sign-in, sign-out and `GET /me`: people and their sessions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use keydesk_contract::types::{Me, SignInRequest, SignUpRequest};
use tower_sessions::Session;

use super::error::{Error, ResultExt};
use super::extract::{Json, SESSION_USER_ID};
use crate::auth::{passwords, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/sign-up", post(sign_up))
        .route("/auth/sign-in", post(sign_in))
        .route("/auth/sign-out", post(sign_out))
        .route("/me", get(me))
}

async fn sign_up(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<SignUpRequest>,
) -> Result<(StatusCode, Json<Me>), Error> {
    let valid = req.validate().map_err(Error::Validation)?;
    let hash = passwords::hash(req.password).await;
    let user_id = state
        .storage
        .create_organization(&valid, &hash)
        .await
        .on_constraint("users_email_unique", || {
            Error::field(
                "email",
                "An account with this email already exists. Sign in instead.",
            )
        })?;
    start_session(&session, &user_id).await?;
    tracing::info!(user = %user_id, "organization created");
    Ok((StatusCode::CREATED, Json(me_for(&state, &user_id).await?)))
}

async fn sign_in(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<SignInRequest>,
) -> Result<Json<Me>, Error> {
    let email = req.email.trim().to_lowercase();
    if let Some(retry_after_seconds) = state.throttle.retry_after(&email) {
        return Err(Error::TooManyAttempts {
            retry_after_seconds,
        });
    }
    let account = state.storage.password_hash_for(&email).await?;
    let (user_id, hash) = account
        .map(|(id, h)| (Some(id), Some(h)))
        .unwrap_or_default();
    // Verify even for an unknown email so both failures look and take the same.
    if !passwords::verify(req.password, hash).await {
        state.throttle.record_failure(&email);
        return Err(Error::InvalidCredentials);
    }
    let user_id = user_id.ok_or(Error::InvalidCredentials)?;
    state.throttle.record_success(&email);
    start_session(&session, &user_id).await?;
    Ok(Json(me_for(&state, &user_id).await?))
}

async fn sign_out(_caller: Caller, session: Session) -> Result<StatusCode, Error> {
    session
        .flush()
        .await
        .map_err(|e| Error::Internal(format!("session store: {e}")))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, Error> {
    if caller.is_key() {
        return Err(Error::Unauthenticated(
            "/me is for people; a key can call /whoami.",
        ));
    }
    Ok(Json(me_for(&state, &caller.actor.id).await?))
}

/// A fresh session id on every sign-in defeats session fixation.
async fn start_session(session: &Session, user_id: &str) -> Result<(), Error> {
    session
        .cycle_id()
        .await
        .map_err(|e| Error::Internal(format!("session store: {e}")))?;
    session
        .insert(SESSION_USER_ID, user_id)
        .await
        .map_err(|e| Error::Internal(format!("session store: {e}")))
}

async fn me_for(state: &AppState, user_id: &str) -> Result<Me, Error> {
    state
        .storage
        .me(user_id)
        .await?
        .ok_or(Error::Unauthenticated("Sign in to continue."))
}
