//! The built-in roles (docs/concepts.md). They cannot be edited and are the same
//! in every organization, so they live here as data rather than in a database.

use crate::permissions;
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

/// The union of the permissions of these roles, in catalogue order.
pub fn granted_by<'a>(role_ids: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    permissions::union(union_of(role_ids))
}

/// The union of the permissions of these roles (unknown ids grant nothing).
pub fn union_of<'a>(role_ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
    role_ids
        .into_iter()
        .filter_map(find)
        .flat_map(|r| r.permissions())
        .collect()
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
    fn union_combines_and_ignores_unknown_roles() {
        let u = union_of(["document-viewer", "billing-reader", "ghost"]);
        assert_eq!(u.len(), 4);
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
