//! API keys (rules 2 to 7): who may do what to a key, and what a key's
//! status is.

use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{ApiKey, ApiKeyStatus, CreateApiKeyRequest, UpdateApiKeyRequest};
use keydesk_contract::validation::{ValidKeyChange, ValidNewKey};

use super::{act_on, give_roles, invalid, Refusal};
use crate::auth::Caller;
use crate::storage::RoleBook;

/// What can be done to keys, each with the one permission it needs (rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Read,
    Create,
    Edit,
    Remove,
    /// Generate or regenerate the secret.
    Generate,
    /// Disable or enable.
    Switch,
}

impl KeyAction {
    fn permission(self) -> &'static str {
        match self {
            KeyAction::Read => permissions::SERVICE_ACCOUNTS_RETRIEVE,
            KeyAction::Create => permissions::SERVICE_ACCOUNTS_CREATE,
            KeyAction::Edit | KeyAction::Switch => permissions::SERVICE_ACCOUNTS_UPDATE,
            KeyAction::Remove => permissions::SERVICE_ACCOUNTS_DELETE,
            KeyAction::Generate => permissions::SERVICE_ACCOUNTS_REFRESH,
        }
    }
}

/// Rule 2, asked first, before looking anything up (so a caller without
/// the permission learns nothing, not even whether the key exists).
pub fn may(caller: &Caller, action: KeyAction) -> Result<(), Refusal> {
    Ok(caller.require(action.permission())?)
}

/// A new key (after [`may`]): valid (rule 7), with roles the caller may
/// give (rule 3).
pub fn create(
    caller: &Caller,
    book: &RoleBook,
    req: &CreateApiKeyRequest,
) -> Result<ValidNewKey, Refusal> {
    let valid = req
        .validate(|id| book.is_known(id))
        .map_err(Refusal::Invalid)?;
    give_roles(caller, book, &valid.role_ids, "give this key these roles")?;
    Ok(valid)
}

/// An edit of `current`: valid, by someone holding what the key holds and
/// what its new roles grant (rule 3: the edit path is no way around it).
pub fn edit(
    caller: &Caller,
    book: &RoleBook,
    current: &ApiKey,
    req: &UpdateApiKeyRequest,
) -> Result<ValidKeyChange, Refusal> {
    let change = req
        .validate(|id| book.is_known(id))
        .map_err(Refusal::Invalid)?;
    act_on(caller, &current.permissions, "change this key")?;
    if let Some(role_ids) = &change.role_ids {
        give_roles(caller, book, role_ids, "give this key these roles")?;
    }
    Ok(change)
}

/// Where `current` may be used from, when the request changes it: the
/// ranges checked and canonical, and the mode; changing it needs what
/// editing the key needs (rule 3).
pub fn networks(
    caller: &Caller,
    current: &ApiKey,
    req: &UpdateApiKeyRequest,
) -> Result<Option<(Vec<String>, keydesk_contract::types::NetworkMode)>, Refusal> {
    if req.allowed_networks.is_none() && req.network_mode.is_none() {
        return Ok(None);
    }
    let written = req
        .allowed_networks
        .as_ref()
        .unwrap_or(&current.allowed_networks);
    let nets = super::networks::canonical(written)
        .map_err(|message| Refusal::Invalid([("allowed_networks".to_string(), message)].into()))?;
    act_on(
        caller,
        &current.permissions,
        "change where this key may be used from",
    )?;
    Ok(Some((
        nets,
        req.network_mode.unwrap_or(current.network_mode),
    )))
}

/// A (new) secret for `current`: obtaining a secret is obtaining the key's
/// powers (rule 3). The lifetime belongs to the secret, so an expired key
/// is renewed by regenerating it (see [`expiry`]).
pub fn generate(caller: &Caller, current: &ApiKey) -> Result<(), Refusal> {
    Ok(act_on(
        caller,
        &current.permissions,
        "generate a secret for this key",
    )?)
}

/// Disabling or enabling `current` (rule 6): switching a key on gives its
/// secret its powers back, so only for someone holding them.
pub fn switch(caller: &Caller, current: &ApiKey, disabled: bool) -> Result<(), Refusal> {
    // Its secret is out there: switching it on would hand it back.
    if !disabled && current.status == ApiKeyStatus::Leaked {
        return Err(Refusal::Conflict(
            "This key's secret was reported leaked: regenerate it to switch it on with a new secret.",
        ));
    }
    let what = if disabled {
        "disable this key"
    } else {
        "enable this key"
    };
    Ok(act_on(caller, &current.permissions, what)?)
}

/// Removing `current` (rule 6) is taking its system's powers away: only for
/// someone holding them.
pub fn remove(caller: &Caller, current: &ApiKey) -> Result<(), Refusal> {
    Ok(act_on(caller, &current.permissions, "remove this key")?)
}

/// What a key is, besides its secret and expiry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks {
    pub disabled: bool,
    /// Disabled by a leak report.
    pub leaked: bool,
    pub decoy: bool,
}

/// A key's status at `now` (fixed-width time text): a decoy is always one;
/// switched off wins next (it is what a person must undo first; leaked if a
/// report did it), then expired, then whether it has a secret at all.
pub fn status(has_secret: bool, marks: Marks, expires_at: Option<&str>, now: &str) -> ApiKeyStatus {
    if marks.decoy {
        return ApiKeyStatus::Decoy;
    }
    if marks.disabled && marks.leaked {
        return ApiKeyStatus::Leaked;
    }
    let expired = expires_at.is_some_and(|e| e <= now);
    match (marks.disabled, expired, has_secret) {
        (true, _, _) => ApiKeyStatus::Disabled,
        (false, true, _) => ApiKeyStatus::Expired,
        (false, false, false) => ApiKeyStatus::NotGenerated,
        (false, false, true) => ApiKeyStatus::Active,
    }
}

/// When a new secret expires, under the organization's key `policy`, at
/// `now`: the time asked for (`asked`), else a lifetime in days asked for,
/// else the policy's default lifetime, else the lifetime the key's previous
/// secret had (`previous`: its expiry and birth), else never. Refused
/// (422 on `expires_at`) when that is in the past, beyond the policy's
/// maximum, or never while the policy requires an expiry.
pub fn expiry(
    policy: &keydesk_contract::key_policy::KeyPolicy,
    now: time::OffsetDateTime,
    asked: Option<&str>,
    asked_days: Option<u32>,
    previous: Option<(&str, &str)>,
) -> Result<Option<String>, Refusal> {
    use crate::time_format::{format, parse};
    let days = |d: u32| now + time::Duration::days(i64::from(d));
    let chosen = match (asked.filter(|a| !a.is_empty()), asked_days) {
        (Some(text), _) => {
            let at = parse(text).ok_or_else(|| {
                invalid(
                    "expires_at",
                    "Give the expiry as a time, e.g. 2027-03-01T00:00:00Z.",
                )
            })?;
            if at <= now {
                return Err(invalid("expires_at", "The expiry must be in the future."));
            }
            Some(at)
        }
        (None, Some(d)) => Some(days(d)),
        (None, None) => match (policy.default_lifetime_days, previous) {
            (Some(d), _) => Some(days(d)),
            (None, Some((expires, born))) => match (parse(expires), parse(born)) {
                (Some(e), Some(b)) if e > b => Some(now + (e - b)),
                _ => None,
            },
            (None, None) => None,
        },
    };
    if let (Some(at), Some(max)) = (chosen, policy.max_lifetime_days) {
        // A minute's slack: "90 days" typed as a date lands a little past it.
        if at > days(max) + time::Duration::minutes(1) {
            return Err(invalid(
                "expires_at",
                format!("The key policy lets a key live at most {max} days."),
            ));
        }
    }
    if chosen.is_none() && (policy.require_expiry || policy.max_lifetime_days.is_some()) {
        return Err(invalid(
            "expires_at",
            "The key policy requires an expiry: choose when the key expires.",
        ));
    }
    Ok(chosen.map(format))
}
