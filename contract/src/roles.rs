//! The built-in roles (docs/concepts.md). They cannot be edited and are the same
//! in every organization, so they live here as data rather than in a database.
//! And [`RoleSet`]: what a set of roles, built-in and custom, grants, decided
//! one way for the server and the web app alike.

use crate::permissions;
use crate::types::{Role, RoleRef};
use std::collections::BTreeSet;

/// A built-in role: a named set of permission grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInRole {
    /// Stable id, used in `role_ids`.
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Grant patterns: `"*"`, `"resource.*"` or exact permission ids.
    grants: &'static [&'static str],
}

impl BuiltInRole {
    /// Every permission id this role grants, in catalogue order.
    pub fn permissions(&self) -> Vec<&'static str> {
        let set: BTreeSet<&str> = self
            .grants
            .iter()
            .flat_map(|g| permissions::expand(g))
            .collect();
        permissions::in_catalogue_order(|id| set.contains(id))
    }
}

/// The id of the role a new organization's first user receives.
pub const ADMIN_ROLE_ID: &str = "admin";

pub const BUILT_IN_ROLES: &[BuiltInRole] = &[
    BuiltInRole {
        id: ADMIN_ROLE_ID,
        name: "Admin",
        description: "Full access to everything in the organization, including people, roles and billing.",
        grants: &["*"],
    },
    BuiltInRole {
        id: "developer",
        name: "Developer",
        description: "Builds integrations: manages API keys, webhooks, templates, renders, documents and folders.",
        grants: &[
            "service-accounts.*",
            "webhooks.*",
            "renders.*",
            "templates.*",
            "documents.*",
            "folders.*",
            "roles.retrieve",
            "audit-events.retrieve",
        ],
    },
    BuiltInRole {
        id: "document-generation-manager",
        name: "Document Generation Manager",
        description: "Runs document generation: templates, renders, documents and folders.",
        grants: &["renders.*", "templates.*", "documents.*", "folders.*", "audit-events.retrieve"],
    },
    BuiltInRole {
        id: "document-viewer",
        name: "Document Viewer",
        description: "Reads generated documents and renders, nothing else.",
        grants: &["documents.retrieve", "renders.retrieve"],
    },
    BuiltInRole {
        id: "billing-reader",
        name: "Billing Reader",
        description: "Reads the plan, invoices and organization details.",
        grants: &["billing.retrieve", "accounts.retrieve"],
    },
];

/// The built-in role with this id.
pub fn find(id: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES.iter().find(|r| r.id == id)
}

/// Whether a role with this id exists.
pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}

/// Where a role stands in lists: built-in roles in their defined order.
pub fn position(id: &str) -> usize {
    BUILT_IN_ROLES
        .iter()
        .position(|r| r.id == id)
        .unwrap_or(usize::MAX)
}

/// Every built-in role as the API shows it, in list order.
pub fn built_in() -> &'static [Role] {
    static ROLES: std::sync::OnceLock<Vec<Role>> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| BUILT_IN_ROLES.iter().map(Role::from).collect())
}

/// What roles grant. Implemented for a list of roles as the API shows them
/// (built-in first, then custom ones): the server's role book and the web
/// app's role list answer through these same rules.
pub trait RoleSet {
    /// The role with this id, if the set has it.
    fn role(&self, id: &str) -> Option<&Role>;

    fn is_known(&self, id: &str) -> bool {
        self.role(id).is_some()
    }

    /// The union of these roles' permissions (unknown ids, and permissions
    /// the catalogue no longer has, grant nothing).
    fn union_of<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str>;

    /// [`RoleSet::union_of`] in catalogue order.
    fn granted<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
        permissions::union(self.union_of(ids))
    }

    /// References to these roles, in list order; unknown ids are skipped.
    fn refs(&self, ids: &[String]) -> Vec<RoleRef>;

    /// [`RoleSet::granted`] of role ids as the API lists them, as the API
    /// lists permissions.
    fn granted_ids(&self, ids: &[String]) -> Vec<String> {
        self.granted(ids.iter().map(String::as_str))
            .into_iter()
            .map(String::from)
            .collect()
    }
}

/// [`missing_for`] someone holding exactly `held` (as the API lists them).
pub fn missing_from(role: &Role, held: &[String]) -> Vec<&'static str> {
    missing_for(role, |p| held.iter().any(|h| h == p))
}

impl RoleSet for [Role] {
    fn role(&self, id: &str) -> Option<&Role> {
        self.iter().find(|r| r.id == id)
    }

    fn union_of<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
        ids.into_iter()
            .filter_map(|id| self.role(id))
            .flat_map(|r| r.permissions.iter())
            .filter_map(|p| permissions::find(p))
            .map(|p| p.id)
            .collect()
    }

    fn refs(&self, ids: &[String]) -> Vec<RoleRef> {
        self.iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| RoleRef {
                id: r.id.clone(),
                name: r.name.clone(),
            })
            .collect()
    }
}

/// What of `role` someone holding `holds` lacks: empty when they may give it
/// (rule 3). A permission the catalogue no longer has grants nothing, so it
/// is never lacking.
pub fn missing_for(role: &Role, holds: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let granted = role
        .permissions
        .iter()
        .filter_map(|p| permissions::find(p))
        .map(|p| p.id);
    permissions::not_held(granted, holds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grants_every_permission() {
        assert_eq!(
            find("admin").unwrap().permissions().len(),
            permissions::CATALOGUE.len()
        );
    }

    #[test]
    fn developer_grants_what_the_product_table_says() {
        let p = find("developer").unwrap().permissions();
        for id in [
            "service-accounts.refresh",
            "webhooks.delete",
            "folders.create",
            "roles.retrieve",
            "audit-events.retrieve",
        ] {
            assert!(p.contains(&id), "{id}");
        }
        for id in [
            "roles.create",
            "users.retrieve",
            "billing.retrieve",
            "accounts.update",
        ] {
            assert!(!p.contains(&id), "{id}");
        }
    }

    #[test]
    fn small_roles_are_exact() {
        assert_eq!(
            find("document-viewer").unwrap().permissions(),
            ["renders.retrieve", "documents.retrieve"]
        );
        assert_eq!(
            find("billing-reader").unwrap().permissions(),
            ["accounts.retrieve", "billing.retrieve"]
        );
    }

    #[test]
    fn a_set_of_roles_unites_built_in_and_custom_ones_and_ignores_unknown_ones() {
        let mut all = built_in().to_vec();
        all.push(Role {
            id: "role_support".into(),
            name: "Support".into(),
            description: String::new(),
            built_in: false,
            permissions: vec!["users.retrieve".into(), "gone.permission".into()],
            used_by: None,
            version: 1,
        });
        let u = all.union_of(["document-viewer", "billing-reader", "role_support", "ghost"]);
        assert_eq!(u.len(), 5, "{u:?}");
        assert!(u.contains("users.retrieve"));
        let refs = all.refs(&["role_support".into(), "ghost".into(), "developer".into()]);
        let names: Vec<&str> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Developer", "Support"],
            "list order, unknown skipped"
        );
        let support = all.role("role_support").unwrap();
        assert_eq!(
            missing_for(support, |p| p == "renders.retrieve"),
            ["users.retrieve"]
        );
        assert!(missing_for(support, |p| p == "users.retrieve").is_empty());
    }

    #[test]
    fn every_grant_pattern_matches_something() {
        for role in BUILT_IN_ROLES {
            for g in role.grants {
                assert!(
                    permissions::expand(g).next().is_some(),
                    "{} grants {g} which matches nothing",
                    role.name
                );
            }
        }
    }
}
