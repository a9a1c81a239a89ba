//! People (rules 2, 3, 9 and 10): who may add, change, switch off and
//! invite whom, and how long what someone else issued stays good.

use std::collections::BTreeSet;

use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{CreateUserRequest, UpdateUserRequest, User, UserStatus};
use keydesk_contract::validation::{ValidNewUser, ValidUserChange};

use super::{give_roles, invalid, Refusal};
use crate::auth::{password_policy, Caller};
use crate::storage::RoleBook;

/// How long an invitation link works, in days.
pub const INVITATION_DAYS: i64 = 7;

/// What can be done to people, each with the one permission it needs (rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonAction {
    Read,
    Add,
    Invite,
    Change,
    Activate,
    Deactivate,
}

/// Rule 2, asked before looking the person up.
pub fn may(caller: &Caller, action: PersonAction) -> Result<(), Refusal> {
    let permission = match action {
        PersonAction::Read => permissions::USERS_RETRIEVE,
        PersonAction::Add | PersonAction::Invite => permissions::USERS_CREATE,
        PersonAction::Change => permissions::USERS_UPDATE,
        PersonAction::Activate => permissions::USERS_ACTIVATE,
        PersonAction::Deactivate => permissions::USERS_DEACTIVATE,
    };
    Ok(caller.require(permission)?)
}

/// Rule 3: acting on a person (changing, switching, letting them in) needs
/// holding all they hold.
fn act_on(caller: &Caller, book: &RoleBook, person: &User, what: &str) -> Result<(), Refusal> {
    let theirs = book.union_of(person.roles.iter().map(|r| r.id.as_str()));
    Ok(caller.require_all(theirs, what)?)
}

/// A new person (after [`may`]): valid, with roles the caller may give
/// (rule 3), and a password only someone signed in may set (a leaked key
/// must not make a person whose password its holder knows), checked like
/// anyone's.
pub fn add(
    caller: &Caller,
    book: &RoleBook,
    req: &CreateUserRequest,
) -> Result<ValidNewUser, Refusal> {
    let valid = req
        .validate(|id| book.is_known(id))
        .map_err(Refusal::Invalid)?;
    give_roles(caller, book, &valid.role_ids, "give these roles")?;
    if let Some(password) = &req.password {
        if caller.is_key() {
            return Err(invalid(
                "password",
                "A key cannot set a person's password. Add them without one and send them \
                 the invitation link.",
            ));
        }
        let about =
            password_policy::words_about(&valid.email, &valid.name, &caller.organization.name);
        let about: Vec<&str> = about.iter().map(String::as_str).collect();
        password_policy::check(password, &about).map_err(|m| invalid("password", m))?;
    }
    Ok(valid)
}

/// A change to `person`: valid, by someone holding what they hold now and
/// what their new roles grant (rule 3; again inside the write).
pub fn change(
    caller: &Caller,
    book: &RoleBook,
    person: &User,
    req: &UpdateUserRequest,
) -> Result<ValidUserChange, Refusal> {
    let change = req
        .validate(|id| book.is_known(id))
        .map_err(Refusal::Invalid)?;
    act_on(caller, book, person, "change this person")?;
    if let Some(role_ids) = &change.role_ids {
        give_roles(caller, book, role_ids, "give these roles")?;
    }
    Ok(change)
}

/// Switching `person` on or off: nobody switches themselves off (rule 9),
/// and it is acting on all they hold (rule 3).
pub fn switch(
    caller: &Caller,
    book: &RoleBook,
    person: &User,
    to: UserStatus,
) -> Result<(), Refusal> {
    if person.id == caller.actor.id && to != UserStatus::Active {
        return Err(Refusal::Conflict(
            "You cannot deactivate yourself. Ask another admin.",
        ));
    }
    act_on(caller, book, person, "change this person's access")
}

/// A link for `person`: whoever can let someone in with all they hold must
/// hold it too (rules 3 and 10), and only someone who has not joined needs one.
pub fn invite(caller: &Caller, book: &RoleBook, person: &User) -> Result<(), Refusal> {
    act_on(caller, book, person, "invite this person")?;
    if person.status != UserStatus::Invited {
        return Err(Refusal::Conflict(
            "This person has already joined; they can sign in.",
        ));
    }
    Ok(())
}

/// Removing every second factor of `person` (they must set one up again):
/// acting on all they hold (rule 3), and never one's own (that is My
/// account's, with the current password and the organization's rule).
pub fn reset_second_factors(
    caller: &Caller,
    book: &RoleBook,
    person: &User,
) -> Result<(), Refusal> {
    if person.id == caller.actor.id {
        return Err(Refusal::Conflict(
            "Manage your own second factors in My account \u{2192} Security.",
        ));
    }
    act_on(caller, book, person, "reset this person's second factors")
}

/// What an issuer held, as stored beside what they issued (rule 10).
pub fn issuer_text<'a>(held: impl IntoIterator<Item = &'a str>) -> String {
    permissions::union(held).join(" ")
}

/// Rule 10: a credential someone else issued (an invitation link, a
/// provisional password) is good only while its holder holds no more than
/// the issuer did (`issuer_held`, as [`issuer_text`] stored it).
pub fn within_issuer(held: &BTreeSet<&'static str>, issuer_held: &str) -> bool {
    let issuer: BTreeSet<&str> = issuer_held.split_whitespace().collect();
    held.iter().all(|p| issuer.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_is_good_only_within_what_its_issuer_held() {
        let issuer = issuer_text(["renders.retrieve", "documents.retrieve", "users.create"]);
        let viewer: BTreeSet<&'static str> = ["documents.retrieve", "renders.retrieve"].into();
        let admin: BTreeSet<&'static str> = ["documents.retrieve", "users.deactivate"].into();
        assert!(within_issuer(&viewer, &issuer));
        assert!(!within_issuer(&admin, &issuer));
        assert!(within_issuer(&BTreeSet::new(), ""));
        assert!(!within_issuer(&viewer, ""));
    }
}
