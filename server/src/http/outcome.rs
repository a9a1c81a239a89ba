//! The answer to a guarded write, the same for every resource: a change
//! decided on an earlier read of a key, role or person either stands or
//! says why not, in the same words everywhere.

use crate::auth::Caller;
use crate::storage::Outcome;

use super::error::Error;

/// What the written thing is called in answers.
#[derive(Debug, Clone, Copy)]
pub struct Thing {
    /// For 404s: "No such API key."
    pub noun: &'static str,
    /// For 409s: "Someone changed this key meanwhile."
    pub this: &'static str,
}

pub const KEY: Thing = Thing {
    noun: "API key",
    this: "this key",
};
pub const ROLE: Thing = Thing {
    noun: "role",
    this: "this role",
};
pub const PERSON: Thing = Thing {
    noun: "person",
    this: "this person",
};

/// The thing as it now is, or the error that says why the write did not
/// stand; a refusal decided inside the write is logged as any escalation
/// (`action` says what was tried, e.g. "change this person").
pub fn answer<T>(
    caller: &Caller,
    outcome: Outcome<T>,
    thing: Thing,
    action: &str,
) -> Result<T, Error> {
    match outcome {
        Outcome::Done(done) => Ok(*done),
        Outcome::Gone => Err(Error::NotFound(thing.noun)),
        Outcome::Changed => Err(changed_meanwhile(thing)),
        Outcome::InUse(usage) => Err(Error::Conflict(
            format!(
                "{} is in use by {}. Give them other roles first.",
                capitalized(thing.this),
                usage.describe()
            )
            .into(),
        )),
        Outcome::LastAdministrator => Err(Error::Conflict(
            "This change would leave no active person holding every permission; \
             the organization needs one."
                .into(),
        )),
        Outcome::Forbidden(missing) => Err(caller.require_all(missing, action).err().map_or_else(
            || Error::Forbidden(format!("You cannot {action}.")),
            Error::from,
        )),
    }
}

/// A change decided on another version than the one there now.
pub fn changed_meanwhile(thing: Thing) -> Error {
    Error::Conflict(
        format!(
            "Someone changed {} meanwhile. Reload it and try again.",
            thing.this
        )
        .into(),
    )
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
