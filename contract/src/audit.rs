//! What the audit trail records, typed: the server writes an [`AuditAction`],
//! the web app reads the same type back from an event. On the wire it is the
//! event's `action` and `details` (docs/api.md), unchanged. Detail fields default
//! when absent, so details hidden from a reader still read as their action;
//! an action this version does not know reads as [`AuditAction::Other`] and
//! is shown by its wire name.

use serde::Serialize;
use serde_json::{json, Value};

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

impl<T: PartialEq + Clone> Change<T> {
    /// The change from `from` to `to`, or `None` when nothing changed (an
    /// edit records only what it changed).
    pub fn between(from: &T, to: &T) -> Option<Self> {
        (from != to).then(|| Change {
            from: from.clone(),
            to: to.clone(),
        })
    }
}

// Each action's wire name, once. (A derived, adjacently tagged Deserialize
// cost the web app 30 KB of wasm; reading the JSON value by hand costs little.)
const ORGANIZATION_CREATED: &str = "organization.created";
const USER_CREATED: &str = "user.created";
const USER_SIGNED_IN: &str = "user.signed_in";
const USER_LOCKED_OUT: &str = "user.locked_out";
const USER_PASSWORD_CHANGED: &str = "user.password_changed";
const USER_SIGNED_OUT_EVERYWHERE: &str = "user.signed_out_everywhere";
const USER_DEACTIVATED: &str = "user.deactivated";
const USER_INVITED: &str = "user.invited";
const USER_JOINED: &str = "user.joined";
const USER_UPDATED: &str = "user.updated";
const USER_ACTIVATED: &str = "user.activated";
const API_KEY_CREATED: &str = "api_key.created";
const API_KEY_UPDATED: &str = "api_key.updated";
const API_KEY_GENERATED: &str = "api_key.generated";
const API_KEY_DELETED: &str = "api_key.deleted";
const API_KEY_DISABLED: &str = "api_key.disabled";
const API_KEY_ENABLED: &str = "api_key.enabled";
const ROLE_CREATED: &str = "role.created";
const ROLE_UPDATED: &str = "role.updated";
const ROLE_DELETED: &str = "role.deleted";
const USER_SECOND_FACTOR_ADDED: &str = "user.second_factor_added";
const USER_SECOND_FACTOR_REMOVED: &str = "user.second_factor_removed";
const USER_RECOVERY_CODE_USED: &str = "user.recovery_code_used";
const USER_RECOVERY_CODES_REPLACED: &str = "user.recovery_codes_replaced";
const USER_SECOND_FACTORS_RESET: &str = "user.second_factors_reset";
const ORGANIZATION_SECURITY_UPDATED: &str = "organization.security_updated";
const ORGANIZATION_SSO_UPDATED: &str = "organization.sso_updated";
const ORGANIZATION_SSO_REMOVED: &str = "organization.sso_removed";
const USER_SSO_REFUSED: &str = "user.sso_refused";
const ORGANIZATION_KEY_POLICY_UPDATED: &str = "organization.key_policy_updated";
const API_KEY_LEAKED: &str = "api_key.leaked";
const API_KEY_DECOY_USED: &str = "api_key.decoy_used";
const API_KEY_NETWORKS_CHANGED: &str = "api_key.networks_changed";
const API_KEY_NETWORK_REFUSED: &str = "api_key.network_refused";
const EVENT_DESTINATION_CREATED: &str = "organization.event_destination_created";
const EVENT_DESTINATION_UPDATED: &str = "organization.event_destination_updated";
const EVENT_DESTINATION_SECRET_ROTATED: &str = "organization.event_destination_secret_rotated";
const EVENT_DESTINATION_DELETED: &str = "organization.event_destination_deleted";

/// Every action's wire name, in the order above: the event types an
/// event destination may pick besides those of [`crate::events`].
pub const ACTIONS: &[&str] = &[
    ORGANIZATION_CREATED,
    USER_CREATED,
    USER_SIGNED_IN,
    USER_LOCKED_OUT,
    USER_PASSWORD_CHANGED,
    USER_SIGNED_OUT_EVERYWHERE,
    USER_DEACTIVATED,
    USER_INVITED,
    USER_JOINED,
    USER_UPDATED,
    USER_ACTIVATED,
    API_KEY_CREATED,
    API_KEY_UPDATED,
    API_KEY_GENERATED,
    API_KEY_DELETED,
    API_KEY_DISABLED,
    API_KEY_ENABLED,
    ROLE_CREATED,
    ROLE_UPDATED,
    ROLE_DELETED,
    USER_SECOND_FACTOR_ADDED,
    USER_SECOND_FACTOR_REMOVED,
    USER_RECOVERY_CODE_USED,
    USER_RECOVERY_CODES_REPLACED,
    USER_SECOND_FACTORS_RESET,
    ORGANIZATION_SECURITY_UPDATED,
    ORGANIZATION_SSO_UPDATED,
    ORGANIZATION_SSO_REMOVED,
    USER_SSO_REFUSED,
    ORGANIZATION_KEY_POLICY_UPDATED,
    API_KEY_LEAKED,
    API_KEY_DECOY_USED,
    API_KEY_NETWORKS_CHANGED,
    API_KEY_NETWORK_REFUSED,
    EVENT_DESTINATION_CREATED,
    EVENT_DESTINATION_UPDATED,
    EVENT_DESTINATION_SECRET_ROTATED,
    EVENT_DESTINATION_DELETED,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditAction {
    OrganizationCreated {},
    UserCreated {
        email: String,
        role_ids: Vec<String>,
    },
    UserSignedIn {
        client_address: Option<String>,
    },
    /// A person's account was locked for one address after repeated failures.
    UserLockedOut {
        client_address: Option<String>,
    },
    /// A person changed their own password (their other sessions ended).
    UserPasswordChanged {},
    /// A person ended every session of theirs.
    UserSignedOutEverywhere {},
    /// A person can no longer sign in; their sessions ended.
    UserDeactivated {},
    /// A one-time invitation link was issued (any earlier one is void).
    UserInvited {
        expires_at: Option<String>,
    },
    /// An invited person accepted and set their password.
    UserJoined {},
    /// A person's name or roles changed; only what changed is set.
    UserUpdated {
        name: Option<Change<String>>,
        role_ids: Option<Change<Vec<String>>>,
    },
    UserActivated {},
    ApiKeyCreated {
        name: String,
        description: String,
        role_ids: Vec<String>,
        expires_at: Option<String>,
    },
    /// Only what changed is set.
    ApiKeyUpdated {
        name: Option<Change<String>>,
        description: Option<Change<String>>,
        role_ids: Option<Change<Vec<String>>>,
    },
    ApiKeyGenerated {
        /// A secret existed before (regenerate) rather than none (generate).
        regenerated: bool,
        display_prefix: Option<String>,
        grace_period_seconds: u32,
    },
    ApiKeyDeleted {
        role_ids: Vec<String>,
    },
    /// Switched off: its secrets answer 401 until enabled.
    ApiKeyDisabled {},
    /// Switched on again.
    ApiKeyEnabled {},
    RoleCreated {
        description: String,
        permissions: Vec<String>,
    },
    /// Only what changed is set.
    RoleUpdated {
        name: Option<Change<String>>,
        description: Option<Change<String>>,
        permissions: Option<Change<Vec<String>>>,
    },
    RoleDeleted {
        permissions: Vec<String>,
    },
    /// A person set up a second factor: `method` is `totp` or `passkey`
    /// (with the passkey's name).
    UserSecondFactorAdded {
        method: String,
        name: Option<String>,
    },
    /// A person removed one of their second factors.
    UserSecondFactorRemoved {
        method: String,
        name: Option<String>,
    },
    /// A recovery code stood in for a second factor at sign-in.
    UserRecoveryCodeUsed {
        codes_left: u32,
    },
    /// A new set of recovery codes; the old set is void.
    UserRecoveryCodesReplaced {},
    /// Someone holding `users.update` removed every second factor of a
    /// person, who must set one up again.
    UserSecondFactorsReset {},
    /// The organization's sign-in rules changed.
    OrganizationSecurityUpdated {
        require_second_factor: bool,
    },
    /// Single sign-on was set up or changed (never its client secret).
    OrganizationSsoUpdated {
        issuer: String,
        client_id: String,
        email_domains: Vec<String>,
        require_sso: bool,
    },
    /// Single sign-on was removed: everyone signs in with a password again.
    OrganizationSsoRemoved {},
    /// A sign-in through the identity provider was refused; `reason` is a
    /// refusal code (`sso_no_role`, `sso_deactivated`, …).
    UserSsoRefused {
        reason: String,
        email: Option<String>,
    },
    /// The key policy changed; keys outside it stop at `enforce_from`.
    OrganizationKeyPolicyUpdated {
        require_expiry: bool,
        max_lifetime_days: Option<u32>,
        default_lifetime_days: Option<u32>,
        enforce_from: Option<String>,
    },
    /// Its secret was reported leaked (`POST /leaked-keys`): disabled at once.
    ApiKeyLeaked {
        client_address: Option<String>,
    },
    /// A decoy key's secret was used: from where, and by what.
    ApiKeyDecoyUsed {
        client_address: Option<String>,
        user_agent: Option<String>,
    },
    /// Where the key may be used from, and what a call from elsewhere gets.
    ApiKeyNetworksChanged {
        allowed_networks: Change<Vec<String>>,
        network_mode: Change<String>,
    },
    /// A key was used from outside its allowed networks; `enforced`: refused.
    ApiKeyNetworkRefused {
        client_address: Option<String>,
        enforced: bool,
    },
    /// An event destination was added, changed (its URL, events, or
    /// switched on or off), given a new signing secret, or removed.
    EventDestinationChanged {
        change: DestinationChange,
        destination_id: String,
        url: String,
    },
    /// An action this version does not know.
    Other,
}

/// What happened to an event destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestinationChange {
    Created,
    Updated,
    SecretRotated,
    Deleted,
}

impl DestinationChange {
    fn action(self) -> &'static str {
        match self {
            DestinationChange::Created => EVENT_DESTINATION_CREATED,
            DestinationChange::Updated => EVENT_DESTINATION_UPDATED,
            DestinationChange::SecretRotated => EVENT_DESTINATION_SECRET_ROTATED,
            DestinationChange::Deleted => EVENT_DESTINATION_DELETED,
        }
    }
}

impl AuditAction {
    /// The wire form: the event's `action` and `details`.
    pub fn to_parts(&self) -> (String, Value) {
        let (action, details) = match self {
            AuditAction::OrganizationCreated {} => (ORGANIZATION_CREATED, json!({})),
            AuditAction::UserCreated { email, role_ids } => (
                USER_CREATED,
                json!({ "email": email, "role_ids": role_ids }),
            ),
            AuditAction::UserSignedIn { client_address } => {
                (USER_SIGNED_IN, json!({ "client_address": client_address }))
            }
            AuditAction::UserLockedOut { client_address } => {
                (USER_LOCKED_OUT, json!({ "client_address": client_address }))
            }
            AuditAction::UserPasswordChanged {} => (USER_PASSWORD_CHANGED, json!({})),
            AuditAction::UserSignedOutEverywhere {} => (USER_SIGNED_OUT_EVERYWHERE, json!({})),
            AuditAction::UserDeactivated {} => (USER_DEACTIVATED, json!({})),
            AuditAction::UserInvited { expires_at } => {
                (USER_INVITED, json!({ "expires_at": expires_at }))
            }
            AuditAction::UserJoined {} => (USER_JOINED, json!({})),
            AuditAction::UserUpdated { name, role_ids } => {
                (USER_UPDATED, json!({ "name": name, "role_ids": role_ids }))
            }
            AuditAction::UserActivated {} => (USER_ACTIVATED, json!({})),
            AuditAction::ApiKeyCreated {
                name,
                description,
                role_ids,
                expires_at,
            } => (
                API_KEY_CREATED,
                json!({ "name": name, "description": description, "role_ids": role_ids, "expires_at": expires_at }),
            ),
            AuditAction::ApiKeyUpdated {
                name,
                description,
                role_ids,
            } => (
                API_KEY_UPDATED,
                json!({ "name": name, "description": description, "role_ids": role_ids }),
            ),
            AuditAction::ApiKeyGenerated {
                regenerated,
                display_prefix,
                grace_period_seconds,
            } => (
                API_KEY_GENERATED,
                json!({ "regenerated": regenerated, "display_prefix": display_prefix, "grace_period_seconds": grace_period_seconds }),
            ),
            AuditAction::ApiKeyDeleted { role_ids } => {
                (API_KEY_DELETED, json!({ "role_ids": role_ids }))
            }
            AuditAction::ApiKeyDisabled {} => (API_KEY_DISABLED, json!({})),
            AuditAction::ApiKeyEnabled {} => (API_KEY_ENABLED, json!({})),
            AuditAction::RoleCreated {
                description,
                permissions,
            } => (
                ROLE_CREATED,
                json!({ "description": description, "permissions": permissions }),
            ),
            AuditAction::RoleUpdated {
                name,
                description,
                permissions,
            } => (
                ROLE_UPDATED,
                json!({ "name": name, "description": description, "permissions": permissions }),
            ),
            AuditAction::RoleDeleted { permissions } => {
                (ROLE_DELETED, json!({ "permissions": permissions }))
            }
            AuditAction::UserSecondFactorAdded { method, name } => (
                USER_SECOND_FACTOR_ADDED,
                json!({ "method": method, "name": name }),
            ),
            AuditAction::UserSecondFactorRemoved { method, name } => (
                USER_SECOND_FACTOR_REMOVED,
                json!({ "method": method, "name": name }),
            ),
            AuditAction::UserRecoveryCodeUsed { codes_left } => {
                (USER_RECOVERY_CODE_USED, json!({ "codes_left": codes_left }))
            }
            AuditAction::UserRecoveryCodesReplaced {} => (USER_RECOVERY_CODES_REPLACED, json!({})),
            AuditAction::UserSecondFactorsReset {} => (USER_SECOND_FACTORS_RESET, json!({})),
            AuditAction::OrganizationSecurityUpdated {
                require_second_factor,
            } => (
                ORGANIZATION_SECURITY_UPDATED,
                json!({ "require_second_factor": require_second_factor }),
            ),
            AuditAction::OrganizationSsoUpdated {
                issuer,
                client_id,
                email_domains,
                require_sso,
            } => (
                ORGANIZATION_SSO_UPDATED,
                json!({ "issuer": issuer, "client_id": client_id, "email_domains": email_domains, "require_sso": require_sso }),
            ),
            AuditAction::OrganizationSsoRemoved {} => (ORGANIZATION_SSO_REMOVED, json!({})),
            AuditAction::UserSsoRefused { reason, email } => (
                USER_SSO_REFUSED,
                json!({ "reason": reason, "email": email }),
            ),
            AuditAction::ApiKeyLeaked { client_address } => {
                (API_KEY_LEAKED, json!({ "client_address": client_address }))
            }
            AuditAction::ApiKeyDecoyUsed {
                client_address,
                user_agent,
            } => (
                API_KEY_DECOY_USED,
                json!({ "client_address": client_address, "user_agent": user_agent }),
            ),
            AuditAction::ApiKeyNetworksChanged {
                allowed_networks,
                network_mode,
            } => (
                API_KEY_NETWORKS_CHANGED,
                json!({ "allowed_networks": allowed_networks, "network_mode": network_mode }),
            ),
            AuditAction::ApiKeyNetworkRefused {
                client_address,
                enforced,
            } => (
                API_KEY_NETWORK_REFUSED,
                json!({ "client_address": client_address, "enforced": enforced }),
            ),
            AuditAction::EventDestinationChanged {
                change,
                destination_id,
                url,
            } => (
                change.action(),
                json!({ "destination_id": destination_id, "url": url }),
            ),
            AuditAction::OrganizationKeyPolicyUpdated {
                require_expiry,
                max_lifetime_days,
                default_lifetime_days,
                enforce_from,
            } => (
                ORGANIZATION_KEY_POLICY_UPDATED,
                json!({ "require_expiry": require_expiry, "max_lifetime_days": max_lifetime_days,
                        "default_lifetime_days": default_lifetime_days, "enforce_from": enforce_from }),
            ),
            AuditAction::Other => ("other", json!({})),
        };
        (action.to_string(), details)
    }

    /// Reads an event's `action` and `details`; never fails. Missing detail
    /// fields (details hidden from this reader) read as empty.
    pub fn from_parts(action: &str, details: &Value) -> Self {
        let text = |k: &str| details.get(k).and_then(Value::as_str).map(String::from);
        let list = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let changed_text = |k: &str| {
            let c = details.get(k)?;
            Some(Change {
                from: c.get("from")?.as_str()?.to_string(),
                to: c.get("to")?.as_str()?.to_string(),
            })
        };
        let changed_list = |k: &str| {
            details.get(k).filter(|c| c.is_object()).map(|c| Change {
                from: list(c.get("from")),
                to: list(c.get("to")),
            })
        };
        match action {
            ORGANIZATION_CREATED => AuditAction::OrganizationCreated {},
            USER_CREATED => AuditAction::UserCreated {
                email: text("email").unwrap_or_default(),
                role_ids: list(details.get("role_ids")),
            },
            USER_SIGNED_IN => AuditAction::UserSignedIn {
                client_address: text("client_address"),
            },
            USER_LOCKED_OUT => AuditAction::UserLockedOut {
                client_address: text("client_address"),
            },
            USER_PASSWORD_CHANGED => AuditAction::UserPasswordChanged {},
            USER_SIGNED_OUT_EVERYWHERE => AuditAction::UserSignedOutEverywhere {},
            USER_DEACTIVATED => AuditAction::UserDeactivated {},
            USER_INVITED => AuditAction::UserInvited {
                expires_at: text("expires_at"),
            },
            USER_JOINED => AuditAction::UserJoined {},
            USER_UPDATED => AuditAction::UserUpdated {
                name: changed_text("name"),
                role_ids: changed_list("role_ids"),
            },
            USER_ACTIVATED => AuditAction::UserActivated {},
            API_KEY_CREATED => AuditAction::ApiKeyCreated {
                name: text("name").unwrap_or_default(),
                description: text("description").unwrap_or_default(),
                role_ids: list(details.get("role_ids")),
                expires_at: text("expires_at"),
            },
            API_KEY_UPDATED => AuditAction::ApiKeyUpdated {
                name: changed_text("name"),
                description: changed_text("description"),
                role_ids: changed_list("role_ids"),
            },
            API_KEY_GENERATED => AuditAction::ApiKeyGenerated {
                regenerated: details
                    .get("regenerated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                display_prefix: text("display_prefix"),
                grace_period_seconds: details
                    .get("grace_period_seconds")
                    .and_then(Value::as_u64)
                    .and_then(|s| u32::try_from(s).ok())
                    .unwrap_or(0),
            },
            API_KEY_DELETED => AuditAction::ApiKeyDeleted {
                role_ids: list(details.get("role_ids")),
            },
            API_KEY_DISABLED => AuditAction::ApiKeyDisabled {},
            API_KEY_ENABLED => AuditAction::ApiKeyEnabled {},
            ROLE_CREATED => AuditAction::RoleCreated {
                description: text("description").unwrap_or_default(),
                permissions: list(details.get("permissions")),
            },
            ROLE_UPDATED => AuditAction::RoleUpdated {
                name: changed_text("name"),
                description: changed_text("description"),
                permissions: changed_list("permissions"),
            },
            ROLE_DELETED => AuditAction::RoleDeleted {
                permissions: list(details.get("permissions")),
            },
            USER_SECOND_FACTOR_ADDED => AuditAction::UserSecondFactorAdded {
                method: text("method").unwrap_or_default(),
                name: text("name"),
            },
            USER_SECOND_FACTOR_REMOVED => AuditAction::UserSecondFactorRemoved {
                method: text("method").unwrap_or_default(),
                name: text("name"),
            },
            USER_RECOVERY_CODE_USED => AuditAction::UserRecoveryCodeUsed {
                codes_left: details
                    .get("codes_left")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
            },
            USER_RECOVERY_CODES_REPLACED => AuditAction::UserRecoveryCodesReplaced {},
            USER_SECOND_FACTORS_RESET => AuditAction::UserSecondFactorsReset {},
            ORGANIZATION_SECURITY_UPDATED => AuditAction::OrganizationSecurityUpdated {
                require_second_factor: details
                    .get("require_second_factor")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            ORGANIZATION_SSO_UPDATED => AuditAction::OrganizationSsoUpdated {
                issuer: text("issuer").unwrap_or_default(),
                client_id: text("client_id").unwrap_or_default(),
                email_domains: list(details.get("email_domains")),
                require_sso: details
                    .get("require_sso")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            ORGANIZATION_SSO_REMOVED => AuditAction::OrganizationSsoRemoved {},
            USER_SSO_REFUSED => AuditAction::UserSsoRefused {
                reason: text("reason").unwrap_or_default(),
                email: text("email"),
            },
            ORGANIZATION_KEY_POLICY_UPDATED => AuditAction::OrganizationKeyPolicyUpdated {
                require_expiry: details
                    .get("require_expiry")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                max_lifetime_days: details
                    .get("max_lifetime_days")
                    .and_then(Value::as_u64)
                    .and_then(|d| u32::try_from(d).ok()),
                default_lifetime_days: details
                    .get("default_lifetime_days")
                    .and_then(Value::as_u64)
                    .and_then(|d| u32::try_from(d).ok()),
                enforce_from: text("enforce_from"),
            },
            API_KEY_LEAKED => AuditAction::ApiKeyLeaked {
                client_address: text("client_address"),
            },
            API_KEY_DECOY_USED => AuditAction::ApiKeyDecoyUsed {
                client_address: text("client_address"),
                user_agent: text("user_agent"),
            },
            API_KEY_NETWORKS_CHANGED => {
                let change = |k: &str| details.get(k);
                let strings = |v: Option<&Value>| list(v);
                let text_of =
                    |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
                let nets = change("allowed_networks");
                let mode = change("network_mode");
                AuditAction::ApiKeyNetworksChanged {
                    allowed_networks: Change {
                        from: strings(nets.and_then(|c| c.get("from"))),
                        to: strings(nets.and_then(|c| c.get("to"))),
                    },
                    network_mode: Change {
                        from: text_of(mode.and_then(|c| c.get("from"))),
                        to: text_of(mode.and_then(|c| c.get("to"))),
                    },
                }
            }
            API_KEY_NETWORK_REFUSED => AuditAction::ApiKeyNetworkRefused {
                client_address: text("client_address"),
                enforced: details
                    .get("enforced")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
            EVENT_DESTINATION_CREATED
            | EVENT_DESTINATION_UPDATED
            | EVENT_DESTINATION_SECRET_ROTATED
            | EVENT_DESTINATION_DELETED => AuditAction::EventDestinationChanged {
                change: [
                    DestinationChange::Created,
                    DestinationChange::Updated,
                    DestinationChange::SecretRotated,
                    DestinationChange::Deleted,
                ]
                .into_iter()
                .find(|c| c.action() == action)
                .unwrap_or(DestinationChange::Updated),
                destination_id: text("destination_id").unwrap_or_default(),
                url: text("url").unwrap_or_default(),
            },
            _ => AuditAction::Other,
        }
    }
}

impl crate::types::AuditEvent {
    /// What happened, typed.
    pub fn what(&self) -> AuditAction {
        AuditAction::from_parts(&self.action, &self.details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_wire_form() {
        let s = |v: &str| v.to_string();
        let all = [
            AuditAction::OrganizationCreated {},
            AuditAction::UserCreated {
                email: s("ada@acme.io"),
                role_ids: vec![s("admin")],
            },
            AuditAction::UserSignedIn {
                client_address: Some(s("198.51.100.7")),
            },
            AuditAction::UserLockedOut {
                client_address: Some(s("203.0.113.66")),
            },
            AuditAction::ApiKeyCreated {
                name: s("Billing_Reader"),
                description: s("Reads invoices"),
                role_ids: vec![s("billing-reader")],
                expires_at: None,
            },
            AuditAction::ApiKeyUpdated {
                name: Some(Change {
                    from: s("Billing"),
                    to: s("Billing_Reader"),
                }),
                description: None,
                role_ids: Some(Change {
                    from: vec![s("admin")],
                    to: vec![s("developer")],
                }),
            },
            AuditAction::ApiKeyGenerated {
                regenerated: true,
                display_prefix: Some(s("kd_live_AbCd")),
                grace_period_seconds: 3600,
            },
            AuditAction::ApiKeyDeleted {
                role_ids: vec![s("developer")],
            },
            AuditAction::ApiKeyDisabled {},
            AuditAction::ApiKeyEnabled {},
            AuditAction::RoleCreated {
                description: s("Reads what support needs"),
                permissions: vec![s("documents.retrieve")],
            },
            AuditAction::RoleUpdated {
                name: None,
                description: None,
                permissions: Some(Change {
                    from: vec![s("documents.retrieve")],
                    to: vec![s("documents.retrieve"), s("renders.retrieve")],
                }),
            },
            AuditAction::RoleDeleted {
                permissions: vec![s("renders.retrieve")],
            },
            AuditAction::UserSecondFactorAdded {
                method: s("passkey"),
                name: Some(s("Work laptop")),
            },
            AuditAction::UserSecondFactorRemoved {
                method: s("totp"),
                name: None,
            },
            AuditAction::UserRecoveryCodeUsed { codes_left: 9 },
            AuditAction::UserRecoveryCodesReplaced {},
            AuditAction::UserSecondFactorsReset {},
            AuditAction::OrganizationSecurityUpdated {
                require_second_factor: true,
            },
            AuditAction::OrganizationSsoUpdated {
                issuer: s("https://login.acme.io"),
                client_id: s("keydesk"),
                email_domains: vec![s("acme.io")],
                require_sso: true,
            },
            AuditAction::OrganizationSsoRemoved {},
            AuditAction::OrganizationKeyPolicyUpdated {
                require_expiry: true,
                max_lifetime_days: Some(90),
                default_lifetime_days: Some(30),
                enforce_from: Some(s("2026-12-14T00:00:00.000000Z")),
            },
            AuditAction::UserSsoRefused {
                reason: s("sso_no_role"),
                email: Some(s("eve@acme.io")),
            },
            AuditAction::ApiKeyLeaked {
                client_address: Some(s("203.0.113.9")),
            },
            AuditAction::ApiKeyNetworksChanged {
                allowed_networks: Change {
                    from: vec![],
                    to: vec![s("203.0.113.0/24")],
                },
                network_mode: Change {
                    from: s("enforce"),
                    to: s("report"),
                },
            },
            AuditAction::ApiKeyNetworkRefused {
                client_address: Some(s("198.51.100.7")),
                enforced: true,
            },
            AuditAction::ApiKeyDecoyUsed {
                client_address: Some(s("203.0.113.9")),
                user_agent: Some(s("curl/8.5.0")),
            },
            AuditAction::EventDestinationChanged {
                change: DestinationChange::SecretRotated,
                destination_id: s("dst_1"),
                url: s("https://hooks.acme.io/keydesk"),
            },
            AuditAction::EventDestinationChanged {
                change: DestinationChange::Deleted,
                destination_id: s("dst_1"),
                url: s("https://hooks.acme.io/keydesk"),
            },
        ];
        for a in all {
            let (action, details) = a.to_parts();
            assert_eq!(AuditAction::from_parts(&action, &details), a, "{action}");
        }
        let (action, details) = AuditAction::ApiKeyUpdated {
            name: Some(Change {
                from: s("Billing"),
                to: s("Billing_Reader"),
            }),
            description: None,
            role_ids: None,
        }
        .to_parts();
        assert_eq!(action, "api_key.updated");
        assert_eq!(details["name"]["from"], "Billing");
        assert!(details["description"].is_null());
    }

    #[test]
    fn hidden_details_still_read_as_their_action_and_unknown_actions_as_other() {
        assert_eq!(
            AuditAction::from_parts("user.created", &json!({})),
            AuditAction::UserCreated {
                email: String::new(),
                role_ids: vec![]
            }
        );
        assert_eq!(
            AuditAction::from_parts("webhook.fired", &json!({"x": 1})),
            AuditAction::Other
        );
    }
}
