//! A person's own second factors (My account → Security): an authenticator
//! app (set up with the current password, confirmed with a code), passkeys
//! (any number, named), recovery codes (ten, shown once); and resetting
//! someone else's (People, `users.update`). Removing the last factor while
//! the organization requires one answers 409.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use keydesk_contract::second_factors::{
    self as contract, AddPasskeyRequest, AddedPasskey, PasswordConfirmation, RecoveryCodes,
    SecondFactors, TotpConfirmation, TotpEnrolment, WebAuthnOptions,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ceremonies::{keep, relying_party, stored_passkeys, REGISTER};
use super::error::{Error, ResultExt};
use super::extract::Json;
use super::found;
use super::reauthentication::{confirm_password, own_account};
use crate::auth::passkeys;
use crate::auth::{recovery_codes, totp, Caller};
use crate::rules::people::{self, PersonAction};
use crate::security_log::{self, Refused, Who};
use crate::storage::{Removal, Rule};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(begin_totp, remove_totp))
        .routes(routes!(confirm_totp))
        .routes(routes!(passkey_challenge))
        .routes(routes!(add_passkey))
        .routes(routes!(remove_passkey))
        .routes(routes!(new_recovery_codes))
        .routes(routes!(reset))
}

const LAST_REQUIRED: &str = "Your organization requires a second factor and this is your last \
     one: add another (an authenticator app or a passkey) before removing it.";

#[utoipa::path(
    operation_id = "me_second_factors",
    tag = "My account",
    get,
    path = "/me/second-factors",
    summary = "My second factors",
    responses((status = 200, description = "What the signed-in person has set up", body = keydesk_contract::second_factors::SecondFactors),
        crate::http::error::Errors
    ))]
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<SecondFactors>, Error> {
    let account = own_account(&state, &caller).await?;
    Ok(Json(state.storage.second_factors(&account.id).await?))
}

#[utoipa::path(
    operation_id = "me_totp_begin",
    tag = "My account",
    post,
    path = "/me/totp",
    summary = "Set up an authenticator app",
    description = "Needs the current password. The secret is shown once and is pending until `POST /me/totp/confirm`.",
    request_body = keydesk_contract::second_factors::PasswordConfirmation,
    responses((status = 200, description = "The new secret, its otpauth URI and a QR code of it", body = keydesk_contract::second_factors::TotpEnrolment),
        crate::http::error::Errors
    ))]
async fn begin_totp(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<PasswordConfirmation>,
) -> Result<Json<TotpEnrolment>, Error> {
    let account = own_account(&state, &caller).await?;
    confirm_password(&state, &caller, &account, req.password, "password").await?;
    let secret = totp::TotpSecret::random();
    let sealed = secret.seal(&state.server_key, &account.id);
    if !state.storage.begin_totp(&account.id, &sealed).await? {
        return Err(Error::Conflict(
            "An authenticator app is already set up. Remove it first to set up another.".into(),
        ));
    }
    let uri = secret.otpauth_uri(
        &format!("keydesk ({})", caller.organization.name),
        &account.email,
    );
    Ok(Json(TotpEnrolment {
        secret: secret.base32(),
        qr_svg: totp::qr_svg(&uri),
        otpauth_uri: uri,
    }))
}

#[utoipa::path(
    operation_id = "me_totp_confirm",
    tag = "My account",
    post,
    path = "/me/totp/confirm",
    summary = "Confirm the authenticator app with a code",
    request_body = keydesk_contract::second_factors::TotpConfirmation,
    responses((status = 200, description = "Confirmed: the app is asked at sign-in. Ten recovery codes, shown once (any earlier set is void)", body = keydesk_contract::second_factors::RecoveryCodes),
        crate::http::error::Errors
    ))]
async fn confirm_totp(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<TotpConfirmation>,
) -> Result<Json<RecoveryCodes>, Error> {
    let account = own_account(&state, &caller).await?;
    let pending = state
        .storage
        .totp_of(&account.id)
        .await?
        .filter(|t| t.confirmed_at.is_none())
        .ok_or_else(|| Error::Conflict("Start setting up an authenticator app first.".into()))?;
    let secret = totp::TotpSecret::open(&state.server_key, &account.id, &pending.sealed_secret)
        .ok_or_else(|| Error::Internal("a pending authenticator secret does not open".into()))?;
    let typed = contract::typed_code(&req.code);
    let now = state.clock.now().unix_timestamp();
    let Some(step) = totp::verify(&secret, &typed, now, None) else {
        security_log::refused(
            Refused::SecondStepFailed,
            "wrong code confirming an authenticator app",
            Who {
                organization: Some(&caller.organization.id),
                actor: Some(&caller.actor),
            },
            caller.client,
        );
        return Err(Error::field(
            "code",
            "That code is not right. Check the app shows keydesk and that this device's clock is right.",
        ));
    };
    let (codes, digests) = recovery_codes::new_set(&state.server_key, &account.id);
    if !state
        .storage
        .confirm_totp(caller.author(), &pending.sealed_secret, step, &digests)
        .await?
    {
        return Err(Error::Conflict(
            "The app being set up changed meanwhile: start again.".into(),
        ));
    }
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

#[utoipa::path(
    operation_id = "me_totp_remove",
    tag = "My account",
    delete,
    path = "/me/totp",
    summary = "Remove the authenticator app",
    request_body = keydesk_contract::second_factors::PasswordConfirmation,
    responses((status = 204, description = "Removed (with the recovery codes, if it was the last second factor)"),
        crate::http::error::Errors
    ))]
async fn remove_totp(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<PasswordConfirmation>,
) -> Result<StatusCode, Error> {
    let account = own_account(&state, &caller).await?;
    confirm_password(&state, &caller, &account, req.password, "password").await?;
    match state.storage.remove_totp(caller.author()).await? {
        Removal::Removed => Ok(StatusCode::NO_CONTENT),
        Removal::NotFound => Err(Error::NotFound("authenticator app")),
        Removal::LastRequired => Err(Error::Conflict(LAST_REQUIRED.into())),
    }
}

#[utoipa::path(
    operation_id = "me_passkeys_challenge",
    tag = "My account",
    post,
    path = "/me/passkeys/challenge",
    summary = "WebAuthn creation options to add a passkey",
    responses((status = 200, description = "Options for `navigator.credentials.create`", body = keydesk_contract::second_factors::WebAuthnOptions),
        crate::http::error::Errors
    ))]
async fn passkey_challenge(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<WebAuthnOptions>, Error> {
    let account = own_account(&state, &caller).await?;
    let existing = stored_passkeys(&state, &account.id).await?;
    let begun = relying_party(&state)?
        .begin_registration(&account.id, &account.email, &account.name, &existing)
        .map_err(|e| Error::Internal(e.0))?;
    keep(&state, &begun, REGISTER, Some(&account.id)).await?;
    Ok(Json(WebAuthnOptions {
        public_key: begun.options["publicKey"].clone(),
    }))
}

#[utoipa::path(
    operation_id = "me_passkeys_add",
    tag = "My account",
    post,
    path = "/me/passkeys",
    summary = "Add a passkey",
    request_body = keydesk_contract::second_factors::AddPasskeyRequest,
    responses((status = 201, description = "Added; the first second factor also brings ten recovery codes, shown once", body = keydesk_contract::second_factors::AddedPasskey),
        crate::http::error::Errors
    ))]
async fn add_passkey(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<AddPasskeyRequest>,
) -> Result<(StatusCode, Json<AddedPasskey>), Error> {
    let account = own_account(&state, &caller).await?;
    let name = contract::passkey_name(&req.name).map_err(|m| Error::field("name", m))?;
    let refused = |reason: &str| {
        security_log::refused(
            Refused::SecondStepFailed,
            reason,
            Who {
                organization: Some(&caller.organization.id),
                actor: Some(&caller.actor),
            },
            caller.client,
        );
        Error::field(
            "credential",
            "The passkey could not be verified. Start again from \u{201c}Add a passkey\u{201d}.",
        )
    };
    let ceremony = match passkeys::challenge_digest_of(&req.credential) {
        Some(digest) => state.storage.take_ceremony(&digest).await?,
        None => None,
    };
    let Some(ceremony) = ceremony
        .filter(|c| c.purpose == REGISTER && c.user_id.as_deref() == Some(account.id.as_str()))
    else {
        return Err(refused(
            "passkey for no live registration challenge of this person",
        ));
    };
    let key = relying_party(&state)?
        .finish_registration(&req.credential, &ceremony.state)
        .map_err(|e| refused(&e.0))?;
    let credential_id = passkeys::credential_id_text(key.cred_id());
    let (codes, digests) = recovery_codes::new_set(&state.server_key, &account.id);
    let (passkey, first) = state
        .storage
        .add_passkey(
            caller.author(),
            &name,
            &credential_id,
            &passkeys::passkey_text(&key),
            &digests,
        )
        .await
        .on_constraint(Rule::PasskeyCredential, || {
            Error::field("credential", "This passkey is already registered.")
        })?;
    Ok((
        StatusCode::CREATED,
        Json(AddedPasskey {
            passkey,
            recovery_codes: first.then_some(codes),
        }),
    ))
}

#[utoipa::path(
    operation_id = "me_passkeys_remove",
    tag = "My account",
    delete,
    path = "/me/passkeys/{id}",
    summary = "Remove a passkey",
    params(("id" = String, Path, description = "The passkey's id")),
    responses((status = 204, description = "Removed"),
        crate::http::error::Errors
    ))]
async fn remove_passkey(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    own_account(&state, &caller).await?;
    match state.storage.remove_passkey(caller.author(), &id).await? {
        Removal::Removed => Ok(StatusCode::NO_CONTENT),
        Removal::NotFound => Err(Error::NotFound("passkey")),
        Removal::LastRequired => Err(Error::Conflict(LAST_REQUIRED.into())),
    }
}

#[utoipa::path(
    operation_id = "me_recovery_codes_replace",
    tag = "My account",
    post,
    path = "/me/recovery-codes",
    summary = "New recovery codes",
    request_body = keydesk_contract::second_factors::PasswordConfirmation,
    responses((status = 200, description = "Ten new codes, shown once; the old set is void", body = keydesk_contract::second_factors::RecoveryCodes),
        crate::http::error::Errors
    ))]
async fn new_recovery_codes(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<PasswordConfirmation>,
) -> Result<Json<RecoveryCodes>, Error> {
    let account = own_account(&state, &caller).await?;
    confirm_password(&state, &caller, &account, req.password, "password").await?;
    let (codes, digests) = recovery_codes::new_set(&state.server_key, &account.id);
    if !state
        .storage
        .replace_recovery_codes(caller.author(), &digests)
        .await?
    {
        return Err(Error::Conflict(
            "Set up a second factor first: recovery codes stand in for one.".into(),
        ));
    }
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

#[utoipa::path(
    operation_id = "users_reset_second_factors",
    tag = "People",
    delete,
    path = "/users/{id}/second-factors",
    summary = "Reset a person's second factors",
    params(("id" = String, Path, description = "The person's id")),
    responses((status = 204, description = "Every second factor and recovery code of theirs is removed and their sessions end; they set one up again at their next sign-in if the organization requires it"),
        crate::http::error::Errors
    ))]
async fn reset(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    people::may(&caller, PersonAction::Change)?;
    let person = found::person(&state, &caller, &id).await?;
    let book = state.storage.role_book(&caller.organization.id).await?;
    people::reset_second_factors(&caller, &book, &person)?;
    if !state
        .storage
        .reset_second_factors(caller.author(), &person.id)
        .await?
    {
        return Err(Error::NotFound("person"));
    }
    Ok(StatusCode::NO_CONTENT)
}
