//! Who is calling and what they may do. The HTTP extractor that builds a
//! [`Caller`] lives in `http/extract.rs`; the rules it enforces live here.

pub mod passkeys;
pub mod password_policy;
pub mod passwords;
pub mod recovery_codes;
pub mod sessions;
pub mod sso;
pub mod throttle;
pub mod totp;

use keydesk_contract::types::{Actor, ActorKind, Organization};
use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::security_log::{self, Refused, Who};
use crate::storage::{Author, Identity};

/// A refusal by the rules: the caller lacks a permission, or would grant or
/// take over more than they hold. The HTTP layer answers it with 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

/// An authenticated caller: a signed-in person or a system holding a key.
#[derive(Debug, Clone)]
pub struct Caller {
    pub organization: Organization,
    pub actor: Actor,
    /// The union of the caller's roles' permissions.
    pub permissions: BTreeSet<&'static str>,
    /// Where the request came from (for the security log).
    pub client: IpAddr,
    /// A key's request: counts the permissions it exercises and refusals.
    meter: Option<crate::usage::KeyMeter>,
    /// A session limited to one step (the extractor lets it reach only that step's routes).
    pub restriction: Option<sessions::Restriction>,
    /// A key's allowed networks (none: anywhere, or a person).
    networks: Option<std::sync::Arc<crate::rules::networks::KeyNetworks>>,
}

impl Caller {
    /// The caller behind `identity`, calling from `client`.
    pub fn new(identity: Identity, client: IpAddr) -> Self {
        Caller {
            organization: identity.organization,
            actor: identity.actor,
            permissions: identity.permissions,
            client,
            meter: None,
            restriction: None,
            networks: identity.networks,
        }
    }

    /// A key's allowed networks, if it has any.
    pub fn networks(&self) -> Option<&crate::rules::networks::KeyNetworks> {
        self.networks.as_deref()
    }

    /// The same caller, a session limited to `restriction`.
    pub fn restricted(self, restriction: Option<sessions::Restriction>) -> Self {
        Caller {
            restriction,
            ..self
        }
    }

    /// Every permission the caller holds.
    pub fn holds(&self) -> &BTreeSet<&'static str> {
        &self.permissions
    }

    /// The same caller, a key whose request `meter` counts.
    pub fn metered(self, meter: crate::usage::KeyMeter) -> Self {
        Caller {
            meter: Some(meter),
            ..self
        }
    }

    /// Counts a permission this request used outside `require` (the
    /// platform's key check asks about one without needing it).
    pub fn exercised(&self, permission: &str) {
        if let Some(meter) = &self.meter {
            meter.exercised(permission);
        }
    }

    /// Counts this request as refused (a key lacking a permission).
    pub fn count_refusal(&self) {
        if let Some(meter) = &self.meter {
            meter.refused();
        }
    }

    /// The caller as the author of a change.
    pub fn author(&self) -> Author<'_> {
        Author {
            organization_id: &self.organization.id,
            actor: &self.actor,
        }
    }

    pub fn is_key(&self) -> bool {
        self.actor.kind == ActorKind::ApiKey
    }

    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    fn who(&self) -> Who<'_> {
        Who {
            organization: Some(&self.organization.id),
            actor: Some(&self.actor),
        }
    }

    /// 403 unless the caller holds `permission`, one of the catalogue's
    /// constants (`permissions::USERS_CREATE`): never text from a request.
    pub fn require(&self, permission: &'static str) -> Result<(), Denied> {
        debug_assert!(
            keydesk_contract::permissions::find(permission).is_some(),
            "{permission} is not in the catalogue"
        );
        if self.can(permission) {
            if let Some(meter) = &self.meter {
                meter.exercised(permission);
            }
            return Ok(());
        }
        self.count_refusal();
        let reason = format!("lacks {permission}");
        security_log::refused(Refused::Forbidden, &reason, self.who(), self.client);
        Err(Denied(format!("This needs the {permission} permission.")))
    }

    /// No privilege escalation (rule 3): 403 unless the caller holds every
    /// permission in `granted`. `what` says what is being granted, for the message.
    pub fn require_all<'a>(
        &self,
        granted: impl IntoIterator<Item = &'a str>,
        what: &str,
    ) -> Result<(), Denied> {
        let missing = keydesk_contract::permissions::not_held(granted, |p| self.can(p));
        if missing.is_empty() {
            return Ok(());
        }
        self.count_refusal();
        let reason = format!("would {what} without {}", missing.join(" "));
        security_log::refused(Refused::Escalation, &reason, self.who(), self.client);
        Err(Denied(format!(
            "You cannot {what}: it grants permissions you do not hold ({}).",
            missing.join(", ")
        )))
    }
}
