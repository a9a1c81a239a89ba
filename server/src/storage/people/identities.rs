//! Who a person is: `GET /me`, the identity behind a session, one person
//! and the list of people.

use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{Actor, ActorKind, Me, Organization, User, UserStatus};
use std::collections::BTreeMap;

use super::{UserRow, USER_COLUMNS};
use crate::storage::{Identity, RolesOf, Storage};

impl Storage {
    async fn user_row(&self, user_id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    async fn user_role_ids(
        &self,
        user_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<String>>, sqlx::Error> {
        self.roles_of(RolesOf::Users, user_ids).await
    }

    /// The signed-in person as `GET /me` shows them.
    pub async fn me(&self, user_id: &str) -> Result<Option<Me>, sqlx::Error> {
        let Some(row) = self.user_row(user_id).await? else {
            return Ok(None);
        };
        let role_ids = self
            .user_role_ids(&[user_id])
            .await?
            .remove(user_id)
            .unwrap_or_default();
        let book = self
            .role_book_for(&row.organization_id, role_ids.iter())
            .await?;
        Ok(Some(Me {
            permissions: book
                .granted(role_ids.iter().map(String::as_str))
                .into_iter()
                .map(String::from)
                .collect(),
            organization: Organization {
                id: row.organization_id.clone(),
                name: row.organization_name.clone(),
            },
            user: row.into_user(&book, &role_ids),
            required_step: None,
        }))
    }

    /// The person behind a session; `None` if they no longer exist or may
    /// not act (deactivated, or not joined unless `joining`: a session
    /// restricted to setting their own password).
    pub async fn identity_for_user(
        &self,
        user_id: &str,
        joining: bool,
    ) -> Result<Option<Identity>, sqlx::Error> {
        let me = self.me(user_id).await?;
        let me = me.filter(|me| match me.user.status {
            UserStatus::Active => true,
            UserStatus::Invited => joining,
            UserStatus::Deactivated => false,
        });
        Ok(me.map(|me| Identity {
            actor: Actor {
                kind: ActorKind::User,
                id: me.user.id,
                name: me.user.name,
            },
            organization: me.organization,
            permissions: me
                .permissions
                .iter()
                .filter_map(|p| permissions::find(p))
                .map(|p| p.id)
                .collect(),
            networks: None,
        }))
    }

    /// The people of an organization by name, optionally only those with `status`.
    pub async fn list_users(
        &self,
        organization_id: &str,
        status: Option<UserStatus>,
    ) -> Result<Vec<User>, sqlx::Error> {
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.organization_id \
             WHERE u.organization_id = $1 AND ($2 IS NULL OR u.status = $3) ORDER BY u.name, u.id"
        ))
        .bind(organization_id)
        .bind(status.map(UserStatus::as_str))
        .bind(status.map(UserStatus::as_str))
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut roles = if ids.is_empty() {
            BTreeMap::new()
        } else {
            self.user_role_ids(&ids).await?
        };
        let book = self
            .role_book_for(organization_id, roles.values().flatten())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let role_ids = roles.remove(&r.id).unwrap_or_default();
                r.into_user(&book, &role_ids)
            })
            .collect())
    }
    /// A person of the organization, if there is one with this id.
    pub async fn get_user(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Option<User>, sqlx::Error> {
        Ok(self
            .me(user_id)
            .await?
            .filter(|me| me.organization.id == organization_id)
            .map(|me| me.user))
    }
}
