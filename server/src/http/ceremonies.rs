//! WebAuthn ceremonies under way, kept in the database until the browser
//! answers (any replica may receive the answer), and the stored passkeys
//! they are checked against. Shared by adding a passkey (`second_factors.rs`)
//! and signing in with one (`second_step.rs`).

use super::error::Error;
use crate::auth::passkeys;
use crate::AppState;

/// keydesk as a relying party, or why passkeys are off here.
pub fn relying_party(state: &AppState) -> Result<&passkeys::RelyingParty, Error> {
    state.relying_party.as_deref().ok_or_else(|| {
        Error::Conflict(
            "Passkeys are off on this server: its public URL names an IP address, and browsers \
             allow passkeys only on a host name. Ask the operator to set --public-url."
                .into(),
        )
    })
}

/// Purposes of a ceremony, as stored.
pub const REGISTER: &str = "register";
pub const SECOND_STEP: &str = "second_step";
pub const SIGN_IN: &str = "sign_in";

/// The person's passkeys as webauthn-rs reads them.
pub async fn stored_passkeys(
    state: &AppState,
    user_id: &str,
) -> Result<Vec<webauthn_rs::prelude::Passkey>, Error> {
    Ok(state
        .storage
        .passkeys_of(user_id)
        .await?
        .iter()
        .filter_map(|r| passkeys::passkey_from(&r.credential))
        .collect())
}

/// Keeps a begun ceremony until its browser answers.
pub async fn keep(
    state: &AppState,
    begun: &passkeys::Begun,
    purpose: &str,
    user_id: Option<&str>,
) -> Result<(), Error> {
    let expires = state.clock.now() + passkeys::CEREMONY_LIFETIME;
    state
        .storage
        .save_ceremony(
            &begun.challenge_digest,
            purpose,
            user_id,
            &begun.state,
            &crate::time_format::format(expires),
        )
        .await?;
    Ok(())
}
