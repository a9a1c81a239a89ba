//! The second step of signing in, and signing in with a passkey alone.
//!
//! After the right password, a person with a second factor holds only a
//! pending sign-in cookie (5 minutes, `signing_in::pending`). Each answer
//! here is counted by the sign-in throttle like a password guess, before it
//! is checked; a TOTP code's step and a recovery code are spent by one
//! conditional write (never twice, whichever replica sees it), and a
//! WebAuthn challenge is taken from the database once. Only when the step
//! succeeds is a session issued.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use keydesk_contract::audit::AuditAction;
use keydesk_contract::second_factors::{PasskeySignInRequest, SecondStepRequest, WebAuthnOptions};
use keydesk_contract::types::UserStatus;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ceremonies::{keep, relying_party, stored_passkeys, SECOND_STEP, SIGN_IN};
use super::client::ClientAddr;
use super::error::{throttled, Error};
use super::extract::Json;
use super::signing_in::{self, actor_of, audit_person};
use crate::auth::passkeys::{self, RelyingParty};
use crate::auth::throttle::Attempt;
use crate::auth::{recovery_codes, sessions, totp};
use crate::security_log::{self, Refused, Who};
use crate::storage::{Account, Author};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(second_factor))
        .routes(routes!(second_factor_challenge))
        .routes(routes!(passkey_challenge))
        .routes(routes!(passkey_sign_in))
}

const TIMED_OUT: &str =
    "This sign-in timed out (it waits 5 minutes for the second step): enter your password again.";

#[utoipa::path(
    operation_id = "auth_second_factor",
    tag = "Sessions",
    post,
    path = "/auth/second-factor",
    summary = "Finish signing in with a second factor",
    description = "Exactly one of `code` (authenticator app), `recovery_code` or `passkey` (an assertion). Needs the pending sign-in cookie `POST /auth/sign-in` set.",
    request_body = keydesk_contract::second_factors::SecondStepRequest,
    responses((status = 200, description = "Signed in: sets the session cookie", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ),
    security(()))]
async fn second_factor(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<SecondStepRequest>,
) -> Result<Response, Error> {
    let given = [
        req.code.is_some(),
        req.recovery_code.is_some(),
        req.passkey.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(Error::field(
            "code",
            "Give one of code, recovery_code or passkey.",
        ));
    }
    let token = state
        .cookie
        .read_pending(&headers)
        .ok_or(Error::Unauthenticated(TIMED_OUT))?;
    let pending = sessions::digest(token);
    let account = pending_account(&state, &pending).await?;
    let attempt = begin(&state, &account, client, &headers).await?;
    let accepted = if let Some(code) = &req.code {
        totp_accepted(&state, &account, code).await?
    } else if let Some(code) = &req.recovery_code {
        recovery_code_accepted(&state, &account, code).await?
    } else {
        let assertion = req.passkey.as_ref().unwrap_or(&Value::Null);
        passkey_accepted(&state, &account, assertion).await?
    };
    if let Err(why) = accepted {
        return Err(failed(&state, &account, client, &attempt, why).await?);
    }
    state.throttle.succeeded(&attempt).await?;
    // Two tabs finishing one pending sign-in: one session, not two.
    if !state.storage.end_pending_sign_in(&pending).await? {
        return Err(Error::Unauthenticated(TIMED_OUT));
    }
    signing_in::complete(&state, &account, client, None).await
}

#[utoipa::path(
    operation_id = "auth_second_factor_challenge",
    tag = "Sessions",
    post,
    path = "/auth/second-factor/challenge",
    summary = "WebAuthn request options for the second step, with the person's passkeys",
    responses((status = 200, description = "Options for `navigator.credentials.get`", body = keydesk_contract::second_factors::WebAuthnOptions),
        crate::http::error::Errors
    ),
    security(()))]
async fn second_factor_challenge(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<WebAuthnOptions>, Error> {
    let token = state
        .cookie
        .read_pending(&headers)
        .ok_or(Error::Unauthenticated(TIMED_OUT))?;
    let account = pending_account(&state, &sessions::digest(token)).await?;
    let keys = stored_passkeys(&state, &account.id).await?;
    if keys.is_empty() {
        return Err(Error::Conflict(
            "You have no passkey: use another method.".into(),
        ));
    }
    let begun = relying_party(&state)?
        .begin_second_step(&keys)
        .map_err(|e| Error::Internal(e.0))?;
    keep(&state, &begun, SECOND_STEP, Some(&account.id)).await?;
    Ok(Json(WebAuthnOptions {
        public_key: begun.options["publicKey"].clone(),
    }))
}

#[utoipa::path(
    operation_id = "auth_passkey_challenge",
    tag = "Sessions",
    post,
    path = "/auth/passkey/challenge",
    summary = "WebAuthn request options to sign in with a passkey alone",
    responses((status = 200, description = "Options for `navigator.credentials.get` (any discoverable credential of this site)", body = keydesk_contract::second_factors::WebAuthnOptions),
        crate::http::error::Errors
    ),
    security(()))]
async fn passkey_challenge(State(state): State<AppState>) -> Result<Json<WebAuthnOptions>, Error> {
    let begun = relying_party(&state)?
        .begin_sign_in()
        .map_err(|e| Error::Internal(e.0))?;
    let expires = state.clock.now() + passkeys::CEREMONY_LIFETIME;
    let kept = state
        .storage
        .save_sign_in_ceremony(
            &begun.challenge_digest,
            &begun.state,
            &crate::time_format::format(expires),
            state.live_passkey_sign_ins,
        )
        .await?;
    if !kept {
        return Err(Error::Unavailable {
            message: "Too many passkey sign-ins are under way. Try again in a minute.",
            retry_after_seconds: 60,
        });
    }
    Ok(Json(WebAuthnOptions {
        public_key: begun.options["publicKey"].clone(),
    }))
}

#[utoipa::path(
    operation_id = "auth_passkey",
    tag = "Sessions",
    post,
    path = "/auth/passkey",
    summary = "Sign in with a passkey alone",
    request_body = keydesk_contract::second_factors::PasskeySignInRequest,
    responses((status = 200, description = "Signed in: sets the session cookie", body = keydesk_contract::types::Me),
        crate::http::error::Errors
    ),
    security(()))]
async fn passkey_sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<PasskeySignInRequest>,
) -> Result<Response, Error> {
    const REFUSED: &str =
        "This passkey was not accepted. Try again, or sign in with your password.";
    let refuse = |reason: &str| {
        security_log::refused(Refused::SecondStepFailed, reason, Who::default(), client);
        Error::WrongSecondStep(REFUSED)
    };
    let rp = relying_party(&state)?;
    let ceremony = match passkeys::challenge_digest_of(&req.assertion) {
        Some(digest) => state.storage.take_ceremony(&digest).await?,
        None => None,
    };
    let Some(ceremony) = ceremony.filter(|c| c.purpose == SIGN_IN) else {
        return Err(refuse("passkey answer to no live sign-in challenge"));
    };
    let Ok((handle, credential_id)) = rp.identify(&req.assertion) else {
        return Err(refuse("passkey answer without a user handle"));
    };
    let row = state.storage.passkey_by_credential(&credential_id).await?;
    let Some(row) = row.filter(|r| RelyingParty::user_handle(&r.user_id) == handle) else {
        return Err(refuse("unknown passkey"));
    };
    let account = state.storage.account_of(&row.user_id).await?;
    let Some(account) = account.filter(|a| a.status() == UserStatus::Active) else {
        return Err(refuse("passkey of a person who may not sign in"));
    };
    let attempt = begin(&state, &account, client, &headers).await?;
    let checked = passkeys::passkey_from(&row.credential)
        .ok_or_else(|| passkeys::Rejected("stored passkey unreadable".into()))
        .and_then(|key| rp.finish_sign_in(&req.assertion, &ceremony.state, key));
    match checked {
        Ok(key) => {
            state
                .storage
                .passkey_used(&row.id, &passkeys::passkey_text(&key))
                .await?;
            state.throttle.succeeded(&attempt).await?;
            signing_in::complete(&state, &account, client, None).await
        }
        Err(why) => {
            failed(&state, &account, client, &attempt, why.0).await?;
            Err(Error::WrongSecondStep(REFUSED))
        }
    }
}

/// The active person a pending sign-in is for.
async fn pending_account(state: &AppState, digest: &str) -> Result<Account, Error> {
    let user_id = state
        .storage
        .pending_sign_in(digest)
        .await?
        .ok_or(Error::Unauthenticated(TIMED_OUT))?;
    state
        .storage
        .account_of(&user_id)
        .await?
        .filter(|a| a.status() == UserStatus::Active)
        .ok_or(Error::Unauthenticated(TIMED_OUT))
}

/// Counts the attempt against the sign-in throttle before it is checked.
async fn begin(
    state: &AppState,
    account: &Account,
    client: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<Attempt, Error> {
    let device = state.cookie.read_device(headers);
    state
        .throttle
        .begin_sign_in(&account.email, client, device)
        .await?
        .map_err(|t| {
            let actor = actor_of(account);
            security_log::refused(
                Refused::SignInThrottled,
                t.reason.as_str(),
                Who {
                    organization: Some(&account.organization_id),
                    actor: Some(&actor),
                },
                client,
            );
            throttled("Too many sign-in attempts.")(t)
        })
}

/// A wrong answer: logged (never the code), and a lock-out audited.
async fn failed(
    state: &AppState,
    account: &Account,
    client: std::net::IpAddr,
    attempt: &Attempt,
    why: String,
) -> Result<Error, Error> {
    let actor = actor_of(account);
    security_log::refused(
        Refused::SecondStepFailed,
        &why,
        Who {
            organization: Some(&account.organization_id),
            actor: Some(&actor),
        },
        client,
    );
    if attempt.locks_pair_if_failed {
        let locked = AuditAction::UserLockedOut {
            client_address: Some(client.to_string()),
        };
        audit_person(state, account, locked).await?;
    }
    Ok(Error::WrongSecondStep(
        "That is not right, or it was already used. Try again.",
    ))
}

type Checked = Result<(), String>;

async fn totp_accepted(state: &AppState, account: &Account, code: &str) -> Result<Checked, Error> {
    let Some(row) = state.storage.totp_of(&account.id).await? else {
        return Ok(Err("no authenticator app".into()));
    };
    if row.confirmed_at.is_none() {
        return Ok(Err("authenticator app not confirmed".into()));
    }
    let Some(secret) = totp::TotpSecret::open(&state.server_key, &account.id, &row.sealed_secret)
    else {
        return Ok(Err(
            "authenticator secret does not open with this server key".into(),
        ));
    };
    let now = state.clock.now().unix_timestamp();
    let typed = keydesk_contract::second_factors::typed_code(code);
    let Some(step) = totp::verify(&secret, &typed, now, row.last_used_step) else {
        return Ok(Err("wrong or spent authenticator code".into()));
    };
    if !state.storage.spend_totp_step(&account.id, step).await? {
        return Ok(Err("authenticator code spent meanwhile".into()));
    }
    Ok(Ok(()))
}

async fn recovery_code_accepted(
    state: &AppState,
    account: &Account,
    code: &str,
) -> Result<Checked, Error> {
    let digest = recovery_codes::digest(&state.server_key, &account.id, code);
    let actor = actor_of(account);
    let author = Author {
        organization_id: &account.organization_id,
        actor: &actor,
    };
    Ok(
        match state.storage.spend_recovery_code(author, &digest).await? {
            Some(_) => Ok(()),
            None => Err("wrong or spent recovery code".into()),
        },
    )
}

async fn passkey_accepted(
    state: &AppState,
    account: &Account,
    assertion: &Value,
) -> Result<Checked, Error> {
    let ceremony = match passkeys::challenge_digest_of(assertion) {
        Some(digest) => state.storage.take_ceremony(&digest).await?,
        None => None,
    };
    let Some(ceremony) = ceremony
        .filter(|c| c.purpose == SECOND_STEP && c.user_id.as_deref() == Some(account.id.as_str()))
    else {
        return Ok(Err(
            "passkey answer to no live challenge of this sign-in".into()
        ));
    };
    let rows = state.storage.passkeys_of(&account.id).await?;
    let keys = rows
        .iter()
        .filter_map(|r| passkeys::passkey_from(&r.credential))
        .collect();
    match relying_party(state)?.finish_second_step(assertion, &ceremony.state, keys) {
        Ok(key) => {
            let id = rows
                .iter()
                .find(|r| {
                    passkeys::passkey_from(&r.credential)
                        .is_some_and(|k| k.cred_id() == key.cred_id())
                })
                .map(|r| r.id.clone())
                .unwrap_or_default();
            state
                .storage
                .passkey_used(&id, &passkeys::passkey_text(&key))
                .await?;
            Ok(Ok(()))
        }
        Err(e) => Ok(Err(e.0)),
    }
}
