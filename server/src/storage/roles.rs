//! Roles as an organization sees them: the built-in ones (contract data, the
//! same everywhere) and its own custom roles (stored). Everything that turns
//! role ids into names or permissions goes through a [`RoleBook`], so a
//! custom role counts everywhere a built-in one does: in the key check, a
//! session's permissions, escalation checks and the last-admin rule.

use keydesk_contract::audit::{AuditAction, Change};
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{AuditTarget, Role, RoleRef, RoleUsage};
use keydesk_contract::validation::{name_key, ValidNewRole, ValidRoleChange};
use keydesk_contract::{permissions, roles};
use sqlx::{Any, Executor, Transaction};
use std::collections::{BTreeMap, BTreeSet};

use super::replicas::Forget;
use super::{insert_holdings, new_id, stale, Author, Holdings, Outcome, Storage};

/// Prefix of a custom role's id; built-in ids never start with it.
const CUSTOM_ROLE_PREFIX: &str = "role";

/// Every role an organization can use: the built-in ones (the contract's,
/// shared by every organization) first, then its custom roles by name.
/// What they grant is the contract's [`RoleSet`], the same rules the web
/// app applies to the same list.
#[derive(Debug, Clone, Default)]
pub struct RoleBook {
    custom: Vec<Role>,
}

impl RoleSet for RoleBook {
    fn role(&self, id: &str) -> Option<&Role> {
        roles::built_in().role(id).or_else(|| self.custom.role(id))
    }

    fn union_of<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut granted = roles::built_in().union_of(ids.iter().copied());
        granted.extend(self.custom.union_of(ids.iter().copied()));
        granted
    }

    fn refs(&self, ids: &[String]) -> Vec<RoleRef> {
        let mut refs = roles::built_in().refs(ids);
        refs.extend(self.custom.refs(ids));
        refs
    }
}

impl RoleBook {
    /// Every role, in list order.
    pub fn all(&self) -> Vec<Role> {
        roles::built_in()
            .iter()
            .chain(self.custom.iter())
            .cloned()
            .collect()
    }
}

/// Loads an organization's roles through any connection, so a write can
/// decide on the roles as they are inside its own transaction.
pub(super) async fn role_book_with(
    db: impl Executor<'_, Database = Any>,
    organization_id: &str,
) -> Result<RoleBook, sqlx::Error> {
    let rows: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT r.id, r.name, r.description, r.version, p.permission FROM roles r \
         LEFT JOIN role_permissions p ON p.role_id = r.id \
         WHERE r.organization_id = $1 ORDER BY r.name_key, r.id",
    )
    .bind(organization_id)
    .fetch_all(db)
    .await?;
    let mut custom: Vec<Role> = Vec::new();
    for (id, name, description, version, permission) in rows {
        if custom.last().is_none_or(|r| r.id != id) {
            custom.push(Role {
                id,
                name,
                description,
                built_in: false,
                permissions: Vec::new(),
                used_by: None,
                version: version as u64,
            });
        }
        let role = custom.last_mut().expect("pushed above");
        // A permission the catalogue no longer has grants nothing.
        if let Some(p) = permission.as_deref().and_then(permissions::find) {
            role.permissions.push(p.id.to_string());
        }
    }
    for role in &mut custom {
        role.permissions = permissions::union(role.permissions.iter().map(String::as_str))
            .into_iter()
            .map(String::from)
            .collect();
    }
    Ok(RoleBook { custom })
}

/// How many keys and people hold each role of the organization.
async fn usage_with(
    db: &mut sqlx::AnyConnection,
    organization_id: &str,
) -> Result<BTreeMap<String, RoleUsage>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT role_id, SUM(is_key), SUM(1 - is_key) FROM ( \
           SELECT r.role_id, 1 AS is_key FROM api_key_roles r JOIN api_keys k ON k.id = r.api_key_id \
           WHERE k.organization_id = $1 \
           UNION ALL \
           SELECT r.role_id, 0 AS is_key FROM user_roles r JOIN users u ON u.id = r.user_id \
           WHERE u.organization_id = $2 \
         ) AS held GROUP BY role_id",
    )
    .bind(organization_id)
    .bind(organization_id)
    .fetch_all(&mut *db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, keys, users)| {
            let usage = RoleUsage {
                api_keys: keys.max(0) as u64,
                users: users.max(0) as u64,
            };
            (id, usage)
        })
        .collect())
}

impl Storage {
    /// The roles an organization can use.
    pub async fn role_book(&self, organization_id: &str) -> Result<RoleBook, sqlx::Error> {
        role_book_with(&self.pool, organization_id).await
    }

    /// Enough of the organization's roles to read these role ids: when all
    /// are built in (the common case) no database read is needed.
    pub(super) async fn role_book_for<'a>(
        &self,
        organization_id: &str,
        mut role_ids: impl Iterator<Item = &'a String>,
    ) -> Result<RoleBook, sqlx::Error> {
        if role_ids.all(|id| roles::is_known(id)) {
            return Ok(RoleBook::default());
        }
        self.role_book(organization_id).await
    }

    /// Every role of the organization with how many keys and people hold it.
    pub async fn list_roles(&self, organization_id: &str) -> Result<Vec<Role>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let book = role_book_with(&mut *conn, organization_id).await?;
        let usage = usage_with(&mut conn, organization_id).await?;
        Ok(book
            .all()
            .into_iter()
            .map(|mut r| {
                r.used_by = Some(usage.get(&r.id).copied().unwrap_or_default());
                r
            })
            .collect())
    }

    /// One role of the organization with its usage.
    pub async fn get_role(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<Role>, sqlx::Error> {
        Ok(self
            .list_roles(organization_id)
            .await?
            .into_iter()
            .find(|r| r.id == id))
    }

    /// Creates a custom role. A taken name fails on `roles_name_unique`.
    pub async fn create_role(
        &self,
        author: Author<'_>,
        v: &ValidNewRole,
    ) -> Result<Role, sqlx::Error> {
        let now = self.now();
        let id = new_id(CUSTOM_ROLE_PREFIX);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO roles (id, organization_id, name, name_key, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(author.organization_id)
        .bind(&v.name)
        .bind(name_key(&v.name))
        .bind(&v.description)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        insert_holdings(&mut tx, Holdings::RolePermissions, &id, &v.permissions).await?;
        let created = AuditAction::RoleCreated {
            description: v.description.clone(),
            permissions: v.permissions.clone(),
        };
        self.record_change(&mut tx, author, created, AuditTarget::role(&id, &v.name))
            .await?;
        tx.commit().await?;
        Ok(self
            .get_role(author.organization_id, &id)
            .await?
            .expect("the role was just created"))
    }

    /// Applies an edit decided on `current`. Refused when the role changed
    /// since; when it changes what a key or person holds who holds more than
    /// the editor (`caller_holds`); or when taking permissions away would
    /// leave no active person holding every permission (all checked under
    /// the write lock, on the roles as they will be). People who have not
    /// joined yet and come to hold more lose the links and passwords issued
    /// to them.
    pub async fn update_role(
        &self,
        author: Author<'_>,
        current: &Role,
        change: &ValidRoleChange,
        caller_holds: &BTreeSet<&'static str>,
    ) -> Result<Outcome<Role>, sqlx::Error> {
        let now = self.now();
        let name = change.name.as_deref().unwrap_or(&current.name);
        let description = change
            .description
            .as_deref()
            .unwrap_or(&current.description);
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE roles SET name = $1, name_key = $2, description = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND organization_id = $6 AND version = $7",
        )
        .bind(name)
        .bind(name_key(name))
        .bind(description)
        .bind(&now)
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "roles", &current.id).await;
        }
        if let Some(permissions) = &change.permissions {
            let before = role_book_with(&mut *tx, author.organization_id).await?;
            sqlx::query("DELETE FROM role_permissions WHERE role_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
            insert_holdings(&mut tx, Holdings::RolePermissions, &current.id, permissions).await?;
            let book = role_book_with(&mut *tx, author.organization_id).await?;
            let mut missing: BTreeSet<&'static str> = BTreeSet::new();
            let mut grown_invitees: Vec<String> = Vec::new();
            for (holder, roles, invited) in holders_of(&mut tx, &current.id).await? {
                let had = before.union_of(roles.iter().map(String::as_str));
                let has = book.union_of(roles.iter().map(String::as_str));
                if had == has {
                    continue;
                }
                // Changing what they hold is acting on all they held.
                missing.extend(had.iter().filter(|p| !caller_holds.contains(*p)));
                if invited && !has.is_subset(&had) {
                    grown_invitees.push(holder);
                }
            }
            if !missing.is_empty() {
                return Ok(Outcome::Forbidden(permissions::union(missing)));
            }
            let grown: Vec<&str> = grown_invitees.iter().map(String::as_str).collect();
            super::people::void_issued_credentials(&mut tx, &grown).await?;
            if !super::people::someone_holds_everything(&mut tx, &book, author.organization_id)
                .await?
            {
                return Ok(Outcome::LastAdministrator);
            }
        }
        let updated = AuditAction::RoleUpdated {
            name: change
                .name
                .as_ref()
                .and_then(|n| Change::between(&current.name, n)),
            description: change
                .description
                .as_ref()
                .and_then(|d| Change::between(&current.description, d)),
            permissions: change
                .permissions
                .as_ref()
                .and_then(|p| Change::between(&current.permissions, p)),
        };
        self.record_change(
            &mut tx,
            author,
            updated,
            AuditTarget::role(&current.id, name),
        )
        .await?;
        // Any key of the organization may hold the role.
        self.commit_forgetting(tx, Forget::Organization(author.organization_id))
            .await?;
        Ok(
            match self.get_role(author.organization_id, &current.id).await? {
                Some(role) => Outcome::Done(Box::new(role)),
                None => Outcome::Gone,
            },
        )
    }

    /// Removes a custom role nobody holds. Whether anyone holds it is
    /// decided under the write lock, so a key or person given the role at
    /// the same moment either lands first (and the removal is refused) or
    /// finds the role gone (and is refused).
    pub async fn delete_role(
        &self,
        author: Author<'_>,
        current: &Role,
    ) -> Result<Outcome<Role>, sqlx::Error> {
        let mut tx = self.write().await?;
        let usage = usage_with(&mut tx, author.organization_id)
            .await?
            .remove(&current.id)
            .unwrap_or_default();
        if !usage.is_unused() {
            return Ok(Outcome::InUse(usage));
        }
        let deleted = sqlx::query(
            "DELETE FROM roles WHERE id = $1 AND organization_id = $2 AND version = $3",
        )
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return stale(&mut tx, "roles", &current.id).await;
        }
        let deleted = AuditAction::RoleDeleted {
            permissions: current.permissions.clone(),
        };
        self.record_change(
            &mut tx,
            author,
            deleted,
            AuditTarget::role(&current.id, &current.name),
        )
        .await?;
        self.commit_forgetting(tx, Forget::Organization(author.organization_id))
            .await?;
        Ok(Outcome::Done(Box::new(current.clone())))
    }
}

/// Every key and person holding `role_id`: (id, all their role ids, whether
/// they are a person who has not joined yet).
async fn holders_of(
    tx: &mut Transaction<'static, Any>,
    role_id: &str,
) -> Result<Vec<(String, Vec<String>, bool)>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT r.api_key_id, r.role_id, 0 FROM api_key_roles r WHERE r.api_key_id IN \
           (SELECT api_key_id FROM api_key_roles WHERE role_id = $1) \
         UNION ALL \
         SELECT r.user_id, r.role_id, CASE WHEN u.status = 'invited' THEN 1 ELSE 0 END \
         FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id IN \
           (SELECT user_id FROM user_roles WHERE role_id = $2)",
    )
    .bind(role_id)
    .bind(role_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut holders: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
    for (holder, role, invited) in rows {
        let entry = holders.entry(holder).or_default();
        entry.0.push(role);
        entry.1 = invited == 1;
    }
    Ok(holders
        .into_iter()
        .map(|(holder, (roles, invited))| (holder, roles, invited))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> RoleBook {
        RoleBook {
            custom: vec![Role {
                id: "role_support".into(),
                name: "Support".into(),
                description: String::new(),
                built_in: false,
                permissions: vec!["renders.retrieve".into(), "users.retrieve".into()],
                used_by: None,
                version: 1,
            }],
        }
    }

    #[test]
    fn custom_roles_grant_like_built_in_ones() {
        let b = book();
        let granted = b.granted(["billing-reader", "role_support"]);
        assert!(granted.contains(&"users.retrieve"));
        assert!(granted.contains(&"billing.retrieve"));
        assert!(b.granted(["role_gone"]).is_empty());
    }

    #[test]
    fn references_list_built_in_roles_first_and_skip_unknown_ones() {
        let b = book();
        let refs = b.refs(&[
            "role_support".to_string(),
            "role_gone".to_string(),
            "developer".to_string(),
        ]);
        let names: Vec<&str> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Developer", "Support"]);
    }
}
