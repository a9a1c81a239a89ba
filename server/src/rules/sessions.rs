//! Sessions (rule 13): what a session limited to one step may still do.

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
    }
}
