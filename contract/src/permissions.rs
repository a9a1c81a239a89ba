//! The permission catalogue (docs/concepts.md). A permission is `resource.action`
//! and is only ever granted through roles.

/// One permission of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionDef {
    /// `resource.action`, e.g. `service-accounts.create`.
    pub id: &'static str,
    pub resource: &'static str,
    pub action: &'static str,
    /// One line a person can read when deciding whether to grant it.
    pub description: &'static str,
}

/// Writes the catalogue once: a named constant per permission id (so a
/// mistyped id does not compile) and the table of definitions.
macro_rules! catalogue {
    ($( $name:ident = $resource:literal . $action:literal => $description:literal ),* $(,)?) => {
        $(
            #[doc = $description]
            pub const $name: &str = concat!($resource, ".", $action);
        )*

        /// Every permission, grouped by resource in display order.
        pub const CATALOGUE: &[PermissionDef] = &[ $( PermissionDef {
            id: $name,
            resource: $resource,
            action: $action,
            description: $description,
        } ),* ];
    };
}

catalogue! {
    ACCOUNTS_RETRIEVE = "accounts"."retrieve" => "View the organization's own information",
    ACCOUNTS_UPDATE = "accounts"."update" => "Change the organization's own information",
    BILLING_RETRIEVE = "billing"."retrieve" => "View the plan and invoices",
    BILLING_UPDATE = "billing"."update" => "Change the plan and payment details",
    USERS_RETRIEVE = "users"."retrieve" => "View the people in the organization",
    USERS_CREATE = "users"."create" => "Add people to the organization",
    USERS_UPDATE = "users"."update" => "Change people's names and roles",
    USERS_ACTIVATE = "users"."activate" => "Let a deactivated person sign in again",
    USERS_DEACTIVATE = "users"."deactivate" => "Stop a person from signing in",
    ROLES_RETRIEVE = "roles"."retrieve" => "View roles and the permissions they grant",
    ROLES_CREATE = "roles"."create" => "Add custom roles",
    ROLES_UPDATE = "roles"."update" => "Change the permissions of custom roles",
    ROLES_DELETE = "roles"."delete" => "Remove custom roles",
    SERVICE_ACCOUNTS_RETRIEVE = "service-accounts"."retrieve" => "View API keys, their roles and status",
    SERVICE_ACCOUNTS_CREATE = "service-accounts"."create" => "Create API keys",
    SERVICE_ACCOUNTS_UPDATE = "service-accounts"."update" => "Rename API keys and change their roles",
    SERVICE_ACCOUNTS_DELETE = "service-accounts"."delete" => "Remove API keys, disconnecting the systems that use them",
    SERVICE_ACCOUNTS_REFRESH = "service-accounts"."refresh" => "Generate or regenerate an API key's secret",
    FOLDERS_RETRIEVE = "folders"."retrieve" => "View document folders",
    FOLDERS_CREATE = "folders"."create" => "Create document folders",
    FOLDERS_UPDATE = "folders"."update" => "Rename and move document folders",
    FOLDERS_DELETE = "folders"."delete" => "Delete document folders",
    TEMPLATES_RETRIEVE = "templates"."retrieve" => "View document templates",
    TEMPLATES_CREATE = "templates"."create" => "Create document templates",
    TEMPLATES_UPDATE = "templates"."update" => "Change document templates",
    TEMPLATES_DELETE = "templates"."delete" => "Delete document templates",
    RENDERS_RETRIEVE = "renders"."retrieve" => "View renders and their results",
    RENDERS_CREATE = "renders"."create" => "Generate documents from templates",
    RENDERS_DELETE = "renders"."delete" => "Delete renders",
    DOCUMENTS_RETRIEVE = "documents"."retrieve" => "View and download stored documents",
    DOCUMENTS_CREATE = "documents"."create" => "Upload documents",
    DOCUMENTS_DELETE = "documents"."delete" => "Delete stored documents",
    WEBHOOKS_RETRIEVE = "webhooks"."retrieve" => "View event delivery endpoints",
    WEBHOOKS_CREATE = "webhooks"."create" => "Add event delivery endpoints",
    WEBHOOKS_UPDATE = "webhooks"."update" => "Change event delivery endpoints",
    WEBHOOKS_DELETE = "webhooks"."delete" => "Remove event delivery endpoints",
    AUDIT_EVENTS_RETRIEVE = "audit-events"."retrieve" => "View the audit trail",
}

/// The catalogue entry for `id`, if it exists.
pub fn find(id: &str) -> Option<&'static PermissionDef> {
    CATALOGUE.iter().find(|p| p.id == id)
}

/// Expands a grant pattern (`"*"`, `"renders.*"` or an exact id) into catalogue ids.
pub fn expand(pattern: &str) -> impl Iterator<Item = &'static str> + '_ {
    CATALOGUE
        .iter()
        .filter(move |p| match pattern.strip_suffix(".*") {
            _ if pattern == "*" => true,
            Some(resource) => p.resource == resource,
            None => p.id == pattern,
        })
        .map(|p| p.id)
}

/// The permissions for which `included` holds, in catalogue order: the one
/// order permissions are shown and sent in.
pub fn in_catalogue_order(included: impl Fn(&str) -> bool) -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .map(|p| p.id)
        .filter(|id| included(id))
        .collect()
}

/// The union of the permissions that these sets grant, in catalogue order:
/// what a key or person with roles granting them holds.
pub fn union<'a>(granted: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let set: std::collections::BTreeSet<&str> = granted.into_iter().collect();
    in_catalogue_order(|id| set.contains(id))
}

/// The no-escalation rule (rule 3 of docs/concepts.md), in one place: of the permissions
/// something would `grant`, those the granter does not `hold`. Granting is
/// allowed only when this is empty.
pub fn not_held<'a>(
    grant: impl IntoIterator<Item = &'a str>,
    holds: impl Fn(&str) -> bool,
) -> Vec<&'a str> {
    grant.into_iter().filter(|p| !holds(p)).collect()
}

/// Groups permission ids by resource, in catalogue order, for display
/// ("These permissions will be granted to ...").
pub fn group_by_resource<'a>(
    ids: impl IntoIterator<Item = &'a str>,
) -> Vec<(&'static str, Vec<&'static PermissionDef>)> {
    let wanted: std::collections::BTreeSet<&str> = ids.into_iter().collect();
    let mut groups: Vec<(&'static str, Vec<&'static PermissionDef>)> = Vec::new();
    for p in CATALOGUE.iter().filter(|p| wanted.contains(p.id)) {
        match groups.last_mut() {
            Some((resource, list)) if *resource == p.resource => list.push(p),
            _ => groups.push((p.resource, vec![p])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_documented_catalogue_is_the_catalogue() {
        // docs/concepts.md lists each resource with its actions; it must
        // say what the code grants, no more and no less.
        let doc = include_str!("../../docs/concepts.md");
        let table = doc
            .split("## The permission catalogue")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the catalogue section");
        let mut documented: Vec<String> = Vec::new();
        for row in table
            .lines()
            .filter(|l| l.starts_with("| ") && !l.contains("---"))
        {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            if cells[1] == "resource" {
                continue;
            }
            for action in cells[2].split(", ") {
                documented.push(format!("{}.{action}", cells[1]));
            }
        }
        let coded: Vec<String> = CATALOGUE.iter().map(|p| p.id.to_string()).collect();
        assert_eq!(documented, coded);
    }

    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for p in CATALOGUE {
            assert!(seen.insert(p.id), "duplicate {}", p.id);
            assert_eq!(p.id, format!("{}.{}", p.resource, p.action));
            assert!(!p.description.is_empty());
        }
    }

    #[test]
    fn every_resource_of_the_product_catalogue_is_present() {
        let resources: std::collections::BTreeSet<_> =
            CATALOGUE.iter().map(|p| p.resource).collect();
        for r in [
            "accounts",
            "billing",
            "users",
            "roles",
            "service-accounts",
            "folders",
            "templates",
            "renders",
            "documents",
            "webhooks",
            "audit-events",
        ] {
            assert!(resources.contains(r), "{r} missing");
        }
    }

    #[test]
    fn expand_understands_wildcards() {
        assert_eq!(expand("*").count(), CATALOGUE.len());
        let renders: Vec<_> = expand("renders.*").collect();
        assert_eq!(
            renders,
            ["renders.retrieve", "renders.create", "renders.delete"]
        );
        assert_eq!(
            expand("roles.retrieve").collect::<Vec<_>>(),
            ["roles.retrieve"]
        );
        assert_eq!(expand("nope.retrieve").count(), 0);
    }

    #[test]
    fn not_held_lists_exactly_what_is_missing() {
        let held = ["billing.retrieve", "accounts.retrieve"];
        let holds = |p: &str| held.contains(&p);
        assert!(not_held(["billing.retrieve"], holds).is_empty());
        assert_eq!(
            not_held(["billing.retrieve", "roles.create", "users.create"], holds),
            ["roles.create", "users.create"]
        );
    }

    #[test]
    fn grouping_keeps_catalogue_order_and_drops_unknown_ids() {
        let groups = group_by_resource([
            "renders.create",
            "billing.retrieve",
            "renders.retrieve",
            "bogus",
        ]);
        let shape: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|(r, ps)| (*r, ps.iter().map(|p| p.id).collect()))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("billing", vec!["billing.retrieve"]),
                ("renders", vec!["renders.retrieve", "renders.create"]),
            ]
        );
    }
}
