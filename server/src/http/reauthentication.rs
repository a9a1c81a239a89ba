//! Proving again who one is before a sensitive change to one's own account
//! (a new password, an authenticator app, recovery codes): the current
//! password, checked like a sign-in (throttled, so whoever holds a stolen
//! session cannot guess it), refusals in the security log.

use super::error::{busy, throttled, Error};
use crate::auth::Caller;
use crate::security_log::{self, Refused, Who};
use crate::storage::Account;
use crate::AppState;

/// The account of the person calling; a key has none.
pub async fn own_account(state: &AppState, caller: &Caller) -> Result<Account, Error> {
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

/// 422 on `field` unless `password` is the account's current password.
pub async fn confirm_password(
    state: &AppState,
    caller: &Caller,
    account: &Account,
    password: String,
    field: &str,
) -> Result<(), Error> {
    let attempt = state
        .throttle
        .begin_sign_in(&account.email, caller.client, None)
        .await?
        .map_err(throttled(
            "Too many attempts with a wrong current password.",
        ))?;
    let stored = Some(account.password_hash.clone()).filter(|h| !h.is_empty());
    let right = match state.passwords.verify(password, stored).await {
        Ok(right) => right,
        Err(b) => {
            state.throttle.not_checked(&attempt).await?;
            return Err(busy(b));
        }
    };
    if !right {
        security_log::refused(
            Refused::SignInFailed,
            "wrong current password on a change to the account",
            Who {
                organization: Some(&caller.organization.id),
                actor: Some(&caller.actor),
            },
            caller.client,
        );
        return Err(Error::field(field, "The current password is not right."));
    }
    state.throttle.succeeded(&attempt).await?;
    Ok(())
}
