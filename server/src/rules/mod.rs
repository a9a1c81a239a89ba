//! The rules: what may be done, decided here, one module per concept, in
//! the words of docs/concepts.md (each cites its rule's number). The HTTP
//! layer parses a request and answers; storage reads and writes; between
//! them, these decide. Decisions that must be made again inside a write
//! (the last person holding everything, a credential's issuer) are taken
//! by storage under its write lock, with the predicates defined here.

pub mod keys;
pub mod networks;
pub mod people;
pub mod roles;
pub mod sessions;

use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::FieldErrors;

use crate::auth::{Caller, Denied};
use crate::storage::RoleBook;

/// Why a rule said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller may not (rule 2) or would escalate (rule 3): 403.
    Forbidden(Denied),
    /// Fields are not valid (rule 7): 422, a message per field.
    Invalid(FieldErrors),
    /// The thing is in a state that does not allow it: 409.
    Conflict(&'static str),
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Self {
        Refusal::Forbidden(denied)
    }
}

/// One field's refusal.
pub fn invalid(field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(FieldErrors::from([(field.to_string(), message.into())]))
}

/// Rule 3: giving `role_ids` (to a key or a person) needs holding every
/// permission they grant.
pub fn give_roles(
    caller: &Caller,
    book: &RoleBook,
    role_ids: &[String],
    what: &str,
) -> Result<(), Denied> {
    caller.require_all(book.union_of(role_ids.iter().map(String::as_str)), what)
}

/// Rule 3: acting on something that holds `held` needs holding it all.
pub fn act_on(caller: &Caller, held: &[String], what: &str) -> Result<(), Denied> {
    caller.require_all(held.iter().map(String::as_str), what)
}
