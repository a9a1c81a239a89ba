//! Sessions (rule 13): what a session limited to one step may still do:
//! set its own password, or set up the second factor its organization requires.

use axum::http::Method;

use crate::auth::sessions::Restriction;

/// A session limited to `step` may read who it is, take the step, and sign
/// out; nothing else.
pub fn step_allows(step: Restriction, method: &Method, path: &str) -> bool {
    match step {
        Restriction::SetPassword => matches!(
            (method, path),
            (&Method::GET, "/me") | (&Method::POST, "/me/password" | "/auth/sign-out")
        ),
        Restriction::EnrolSecondFactor => matches!(
            (method, path),
            (&Method::GET, "/me" | "/me/second-factors")
                | (
                    &Method::POST,
                    "/me/totp"
                        | "/me/totp/confirm"
                        | "/me/passkeys/challenge"
                        | "/me/passkeys"
                        | "/auth/sign-out"
                )
        ),
    }
}
