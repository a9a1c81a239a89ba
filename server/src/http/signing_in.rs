//! Ending a sign-in, whichever way it went (a password alone, a password
//! and a second step, a passkey alone, an invitation): the session, its
//! cookie, the person's `Me`, and the sign-in in the audit trail. Shared by
//! `auth.rs`, `second_step.rs` and `sso.rs`, so every door issues sessions one way.

use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use keydesk_contract::audit::AuditAction;
use keydesk_contract::second_factors::{SecondFactorChallenge, SecondFactorMethod, SecondFactors};
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, Me};
use std::net::IpAddr;

use super::error::Error;
use super::extract::Json;
use crate::auth::sessions::{self, Restriction};
use crate::storage::{Account, AuditEntry};
use crate::AppState;

pub fn actor_of(account: &Account) -> Actor {
    Actor {
        kind: ActorKind::User,
        id: account.id.clone(),
        name: account.name.clone(),
    }
}

/// An event about a person's own sign-in, in their organization's trail.
pub async fn audit_person(
    state: &AppState,
    account: &Account,
    action: AuditAction,
) -> Result<(), Error> {
    let actor = actor_of(account);
    state
        .storage
        .append_audit(AuditEntry {
            organization_id: &account.organization_id,
            actor: &actor,
            action,
            target: AuditTarget::user(account.id.clone(), account.name.clone()),
        })
        .await?;
    Ok(())
}

/// The sign-in of `account` from `client` succeeded (every step of it):
/// noted, audited, and a session issued. The session may only set up a
/// second factor when the organization requires one the person lacks;
/// `restriction` limits it otherwise (a provisional password).
pub async fn complete(
    state: &AppState,
    account: &Account,
    client: IpAddr,
    restriction: Option<Restriction>,
) -> Result<Response, Error> {
    note_sign_in(state, account, client).await?;
    let restriction = match restriction {
        Some(r) => Some(r),
        None => enrolment_required(state, &account.id).await?,
    };
    signed_in(
        state,
        &account.id,
        &account.email,
        restriction,
        StatusCode::OK,
    )
    .await
}

/// The same, for a sign-in that arrived by a redirect (single sign-on):
/// the session's cookies and a 302 into the app at `location`. The
/// identity provider stands for the second factor.
pub async fn complete_by_redirect(
    state: &AppState,
    account: &Account,
    client: IpAddr,
    location: &str,
) -> Result<Response, Error> {
    note_sign_in(state, account, client).await?;
    let (_, cookies) = open_session(state, &account.id, &account.email, None).await?;
    let mut response = (StatusCode::FOUND, AppendHeaders(cookies)).into_response();
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(location).map_err(|e| Error::Internal(e.to_string()))?,
    );
    Ok(response)
}

async fn note_sign_in(state: &AppState, account: &Account, client: IpAddr) -> Result<(), Error> {
    state
        .storage
        .signed_in(&account.id, &crate::time_format::format(state.clock.now()))
        .await?;
    let signed_in_here = AuditAction::UserSignedIn {
        client_address: Some(client.to_string()),
    };
    audit_person(state, account, signed_in_here).await
}

/// The password was right and the person has a second factor: no session
/// yet, only a pending sign-in (5 minutes) that `POST /auth/second-factor`
/// finishes, and the methods this person has.
pub async fn pending(
    state: &AppState,
    account: &Account,
    factors: &SecondFactors,
) -> Result<Response, Error> {
    let token = sessions::new_token();
    let expires = state.clock.now() + sessions::PENDING_LIFETIME;
    state
        .storage
        .save_pending_sign_in(
            &sessions::digest(&token),
            &account.id,
            &crate::time_format::format(expires),
        )
        .await?;
    let mut methods = Vec::new();
    if factors.totp {
        methods.push(SecondFactorMethod::Totp);
    }
    if !factors.passkeys.is_empty() {
        methods.push(SecondFactorMethod::Passkey);
    }
    if factors.recovery_codes_left > 0 {
        methods.push(SecondFactorMethod::RecoveryCode);
    }
    Ok((
        StatusCode::OK,
        [(header::SET_COOKIE, state.cookie.set_pending(&token))],
        Json(SecondFactorChallenge {
            second_factor_required: true,
            methods,
        }),
    )
        .into_response())
}

/// `Some(EnrolSecondFactor)` when the person's organization requires a
/// second factor and they have none.
pub async fn enrolment_required(
    state: &AppState,
    user_id: &str,
) -> Result<Option<Restriction>, Error> {
    Ok(state
        .storage
        .must_enrol_second_factor(user_id)
        .await?
        .then_some(Restriction::EnrolSecondFactor))
}

/// A new session (a fresh token every time: no session fixation) and `Me`;
/// the browser is also remembered as one that signed in to this account,
/// and any pending sign-in cookie is cleared.
pub async fn signed_in(
    state: &AppState,
    user_id: &str,
    email: &str,
    restriction: Option<Restriction>,
    status: StatusCode,
) -> Result<Response, Error> {
    let (me, cookies) = open_session(state, user_id, email, restriction).await?;
    Ok((status, AppendHeaders(cookies), Json(me)).into_response())
}

/// A new session, its person's `Me`, and the cookies to set.
async fn open_session(
    state: &AppState,
    user_id: &str,
    email: &str,
    restriction: Option<Restriction>,
) -> Result<(Me, [(header::HeaderName, header::HeaderValue); 3]), Error> {
    let token = sessions::start(&state.storage, state.clock.as_ref(), user_id, restriction).await?;
    let me = me_for(state, user_id, restriction).await?;
    let device = state.throttle.device_cookie(email);
    Ok((
        me,
        [
            (header::SET_COOKIE, state.cookie.set(&token)),
            (header::SET_COOKIE, state.cookie.set_device(&device)),
            (header::SET_COOKIE, state.cookie.clear_pending()),
        ],
    ))
}

/// The person's `Me`, with the one step their session must take, if any.
pub async fn me_for(
    state: &AppState,
    user_id: &str,
    restriction: Option<Restriction>,
) -> Result<Me, Error> {
    let me = state
        .storage
        .me(user_id)
        .await?
        .ok_or(Error::Unauthenticated("Sign in to continue."))?;
    Ok(Me {
        required_step: restriction,
        ..me
    })
}
