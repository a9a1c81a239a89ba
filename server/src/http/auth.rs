//! Sign-up, sign-in, sign-out and `GET /me`: people and their sessions.
//!
//! Sign-in is guarded in this order: the email's length and form (cheap,
//! before anything is remembered about it), the throttle (which counts the
//! attempt before the password is checked), then the password on a bounded
//! hashing slot. Every failure is a security-log line; successes and
//! lock-outs are also in the organization's audit trail.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{
    AcceptInvitationRequest, FieldErrors, Me, SignInRequest, SignUpRequest, UserStatus,
};
use keydesk_contract::validation;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::client::ClientAddr;
use super::error::{address_has_an_account, busy, throttled, Error, ResultExt};
use super::extract::{Json, SessionToken};
use super::signing_in::{self, actor_of, audit_person, me_for, signed_in};
use crate::auth::sessions::Restriction;
use crate::auth::{password_policy, sessions, Caller};
use crate::security_log::{self, Refused, Who};
use crate::storage::{Accepted, Rule};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
        .routes(routes!(accept_invitation))
        .routes(routes!(me))
}

#[utoipa::path(
    operation_id = "auth_sign_up",
    tag = "Sessions",
    post,
    path = "/auth/sign-up",
    summary = "Create an organization and its first person",
    request_body = keydesk_contract::types::SignUpRequest,
    responses((status = 201, description = "The organization and its first person (Admin), signed in: sets the session cookie", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ),
    security(()))]
async fn sign_up(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(req): Json<SignUpRequest>,
) -> Result<Response, Error> {
    let (valid, mut errors) = match req.validate() {
        Ok(v) => (Some(v), FieldErrors::new()),
        Err(e) => (None, e),
    };
    if !errors.contains_key("password") {
        let about = password_policy::words_about(&req.email, &req.name, &req.organization);
        let about: Vec<&str> = about.iter().map(String::as_str).collect();
        if let Err(message) = password_policy::check(&req.password, &about) {
            errors.insert("password".into(), message);
        }
    }
    let valid = match valid {
        Some(v) if errors.is_empty() => v,
        _ => return Err(Error::Validation(errors)),
    };
    state.throttle.begin_sign_up(client).await?.map_err(|t| {
        security_log::refused(
            Refused::SignUpThrottled,
            t.reason.as_str(),
            Who::default(),
            client,
        );
        throttled("Too many new organizations from this address.")(t)
    })?;
    let hash = state.passwords.hash(req.password).await.map_err(busy)?;
    let user_id = state
        .storage
        .create_organization(&valid, &hash)
        .await
        .on_constraint(Rule::UserEmail, || {
            Error::field(
                "email",
                format!("{} Sign in instead.", validation::EMAIL_TAKEN),
            )
        })?;
    tracing::info!(user = %user_id, "organization created");
    signed_in(&state, &user_id, &valid.email, None, StatusCode::CREATED).await
}

#[utoipa::path(
    operation_id = "auth_sign_in",
    tag = "Sessions",
    post,
    path = "/auth/sign-in",
    summary = "Sign in",
    request_body = keydesk_contract::types::SignInRequest,
    responses((status = 200, description = "Signed in: sets the session cookie. For a person with a second factor, a `SecondFactorChallenge` instead: no session yet, a pending sign-in cookie valid 5 minutes for `POST /auth/second-factor`", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ),
    security(()))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<SignInRequest>,
) -> Result<Response, Error> {
    // Bounded and well-formed before anything is remembered about it.
    let email = validation::email(&req.email).map_err(|m| Error::field("email", m))?;
    if req.password.chars().count() > 4 * validation::PASSWORD_MAX {
        return Err(Error::InvalidCredentials);
    }
    let device = state.cookie.read_device(&headers);
    let attempt = state
        .throttle
        .begin_sign_in(&email, client, device)
        .await?
        .map_err(|t| {
            security_log::refused(
                Refused::SignInThrottled,
                t.reason.as_str(),
                Who::default(),
                client,
            );
            throttled("Too many sign-in attempts.")(t)
        })?;
    let account = state.storage.account_for(&email).await?;
    // Only an active person may sign in, or one who never joined with the
    // provisional password someone set for them; anyone else is answered
    // as a wrong password (after the same work), so the answer does not tell.
    let provisional = account
        .as_ref()
        .is_some_and(|a| a.status() == UserStatus::Invited);
    let may_sign_in = account
        .as_ref()
        .is_some_and(|a| a.status() == UserStatus::Active || provisional);
    // No password at all (never joined) is checked against the dummy hash,
    // so its timing does not tell a pending invitation from a wrong password.
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .filter(|h| !h.is_empty());
    // Verify even for an unknown email so both failures look and take the same.
    let verified = match state.passwords.verify(req.password, hash).await {
        Ok(right) => right && may_sign_in,
        Err(b) => {
            // Never checked: not a guess.
            state.throttle.not_checked(&attempt).await?;
            return Err(busy(b));
        }
    };
    let outlived = match &account {
        Some(a) if verified && provisional => !state.storage.within_provisional_limit(a).await?,
        _ => false,
    };
    if !verified || outlived {
        let known = account;
        let actor = known.as_ref().map(actor_of);
        security_log::refused(
            Refused::SignInFailed,
            match &known {
                _ if outlived => "provisional password outlived what its setter held",
                Some(a) if a.status() != UserStatus::Active && !provisional => "account not active",
                Some(_) => "wrong password",
                None => "unknown email",
            },
            Who {
                organization: known.as_ref().map(|a| a.organization_id.as_str()),
                actor: actor.as_ref(),
            },
            client,
        );
        if let (Some(account), true) = (&known, attempt.locks_pair_if_failed) {
            let locked = AuditAction::UserLockedOut {
                client_address: Some(client.to_string()),
            };
            audit_person(&state, account, locked).await?;
        }
        return Err(Error::InvalidCredentials);
    }
    // A verified password belongs to a known account.
    let account = account.ok_or(Error::InvalidCredentials)?;
    if state
        .storage
        .password_closed_by_sso(&account.organization_id, &account.id)
        .await?
    {
        // Not a guess either; but this door is closed to them.
        state.throttle.not_checked(&attempt).await?;
        let actor = actor_of(&account);
        security_log::refused(
            Refused::SignInFailed,
            "password sign-in while single sign-on is required",
            Who {
                organization: Some(&account.organization_id),
                actor: Some(&actor),
            },
            client,
        );
        return Err(Error::SsoRequired);
    }
    let factors = state.storage.second_factors(&account.id).await?;
    if factors.any() && !provisional {
        // The password was no guess, but the sign-in is not done: its
        // window keeps counting until the second step succeeds too.
        state.throttle.not_checked(&attempt).await?;
        return signing_in::pending(&state, &account, &factors).await;
    }
    state.throttle.succeeded(&attempt).await?;
    // A password someone else set opens only the step of setting one's own.
    let restriction = provisional.then_some(Restriction::SetPassword);
    signing_in::complete(&state, &account, client, restriction).await
}

/// An invited person sets their password and lands signed in. A used,
/// voided or expired link answers 401, like any other unknown token.
#[utoipa::path(
    operation_id = "auth_accept_invitation",
    tag = "Sessions",
    post,
    path = "/auth/accept-invitation",
    summary = "Accept an invitation: set a password and join",
    request_body = keydesk_contract::types::AcceptInvitationRequest,
    responses((status = 200, description = "Joined and signed in", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ),
    security(()))]
async fn accept_invitation(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(req): Json<AcceptInvitationRequest>,
) -> Result<Response, Error> {
    let digest = sessions::digest(req.token.trim());
    let now = crate::time_format::format(state.clock.now());
    let refused = || {
        security_log::refused(
            Refused::InvalidKey,
            "unknown, used or expired invitation",
            Who::default(),
            client,
        );
        Error::Unauthenticated("This invitation link is not valid: it was used, replaced by a newer one, or has expired. Ask for a new one.")
    };
    let Some((email, name, organization)) = state.storage.invitee(&digest, &now).await? else {
        return Err(refused());
    };
    let about = password_policy::words_about(&email, &name, &organization);
    let about: Vec<&str> = about.iter().map(String::as_str).collect();
    password_policy::check(&req.password, &about).map_err(|m| Error::field("password", m))?;
    let hash = state.passwords.hash(req.password).await.map_err(busy)?;
    let accepted = state
        .storage
        .accept_invitation(&digest, &now, &hash)
        .await
        .on_constraint(Rule::UserEmail, address_has_an_account)?;
    let user_id = match accepted {
        Accepted::Joined(user_id) => user_id,
        Accepted::NoSuchLink => return Err(refused()),
        Accepted::HoldsMoreThanIssuer => {
            security_log::refused(
                Refused::InvalidKey,
                "invitation outlived what its issuer held",
                Who::default(),
                client,
            );
            return Err(refused());
        }
    };
    state.storage.signed_in(&user_id, &now).await?;
    let restriction = signing_in::enrolment_required(&state, &user_id).await?;
    signed_in(&state, &user_id, &email, restriction, StatusCode::OK).await
}

#[utoipa::path(
    operation_id = "auth_sign_out",
    tag = "Sessions",
    post,
    path = "/auth/sign-out",
    summary = "Sign out",
    responses((status = 204, description = "Signed out: the session ends and its cookie is cleared"),
        crate::http::error::Errors
    ))]
async fn sign_out(
    State(state): State<AppState>,
    _caller: Caller,
    SessionToken(token): SessionToken,
) -> Result<Response, Error> {
    if let Some(token) = token {
        sessions::end(&state.storage, &token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.cookie.clear())],
    )
        .into_response())
}

#[utoipa::path(
    operation_id = "auth_me",
    tag = "Sessions",
    get,
    path = "/me",
    summary = "The signed-in person",
    responses((status = 200, description = "The signed-in person, their organization and permissions", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ))]
async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, Error> {
    if caller.is_key() {
        return Err(Error::Unauthenticated(
            "/me is for people; a key can call /whoami.",
        ));
    }
    Ok(Json(
        me_for(&state, &caller.actor.id, caller.restriction).await?,
    ))
}
