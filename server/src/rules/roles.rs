//! Roles (rules 3 and 11): who may create, edit and remove them, and that
//! built-in ones never change.

use keydesk_contract::permissions;
use keydesk_contract::types::{CreateRoleRequest, Role, UpdateRoleRequest};
use keydesk_contract::validation::{ValidNewRole, ValidRoleChange};

use super::{act_on, Refusal};
use crate::auth::{Caller, Denied};

/// What can be done to roles, each with the one permission it needs (rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleAction {
    Read,
    Create,
    Edit,
    Remove,
}

/// Rule 2, asked before looking the role up.
pub fn may(caller: &Caller, action: RoleAction) -> Result<(), Refusal> {
    let permission = match action {
        RoleAction::Read => permissions::ROLES_RETRIEVE,
        RoleAction::Create => permissions::ROLES_CREATE,
        RoleAction::Edit => permissions::ROLES_UPDATE,
        RoleAction::Remove => permissions::ROLES_DELETE,
    };
    Ok(caller.require(permission)?)
}

/// Whoever may create keys or add people must see the roles they pick
/// from; anyone else needs `roles.retrieve`.
pub fn may_list(caller: &Caller) -> Result<(), Refusal> {
    if caller.can(permissions::SERVICE_ACCOUNTS_CREATE) || caller.can(permissions::USERS_CREATE) {
        return Ok(());
    }
    may(caller, RoleAction::Read)
}

/// A new custom role (after [`may`]): valid, granting only what the
/// caller holds (rule 3).
pub fn create(caller: &Caller, req: &CreateRoleRequest) -> Result<ValidNewRole, Refusal> {
    let valid = req.validate().map_err(Refusal::Invalid)?;
    act_on(
        caller,
        &valid.permissions,
        "create a role with these permissions",
    )?;
    Ok(valid)
}

/// Built-in roles are the same everywhere and never change (rule 11).
pub fn custom_only(role: &Role) -> Result<(), Refusal> {
    if !role.built_in {
        return Ok(());
    }
    Err(Refusal::Forbidden(Denied(format!(
        "{} is a built-in role and cannot be changed. Duplicate it to start a custom role.",
        role.name
    ))))
}

/// An edit of `current`: valid, by someone holding what it grants now and
/// will grant (rule 3). Whether its holders hold more than the editor is
/// decided inside the write, where they cannot change meanwhile.
pub fn edit(
    caller: &Caller,
    current: &Role,
    req: &UpdateRoleRequest,
) -> Result<ValidRoleChange, Refusal> {
    let change = req.validate().map_err(Refusal::Invalid)?;
    act_on(caller, &current.permissions, "change this role")?;
    if let Some(permissions) = &change.permissions {
        act_on(caller, permissions, "give this role these permissions")?;
    }
    Ok(change)
}

/// Removing `current` needs holding what it grants (rule 3); whether anyone
/// holds it is decided inside the write.
pub fn remove(caller: &Caller, current: &Role) -> Result<(), Refusal> {
    Ok(act_on(caller, &current.permissions, "remove this role")?)
}
