//! Organizations, users and their roles; the identity behind a session.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::audit::Change;
use keydesk_contract::permissions;
use keydesk_contract::roles::ADMIN_ROLE_ID;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, Me, Organization, User, UserStatus};
use keydesk_contract::validation::{ValidNewUser, ValidSignUp, ValidUserChange};
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;

use super::audit::{record, AuditEntry};
use super::{new_id, Author, Identity, RoleBook, RolesOf, Storage};
use crate::time_format;

/// A person who may sign in, as sign-in needs them.
#[derive(Clone, sqlx::FromRow)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Only an `active` person may sign in.
    pub status: String,
    pub organization_id: String,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    organization_id: String,
    organization_name: String,
    name: String,
    email: String,
    status: String,
    created_at: String,
    last_signed_in_at: Option<String>,
}

const USER_COLUMNS: &str = "u.id, u.organization_id, o.name AS organization_name, u.name, \
     u.email, u.status, u.created_at, u.last_signed_in_at";

/// How a status change went.
#[derive(Debug)]
pub enum StatusChange {
    Done(Box<User>),
    /// No such person in the organization.
    Gone,
    /// It would leave no active person holding every permission.
    LastAdministrator,
}

impl Storage {
    /// Creates an organization and its first user, who holds Admin. Returns the user id.
    pub async fn create_organization(
        &self,
        v: &ValidSignUp,
        password_hash: &str,
    ) -> Result<String, sqlx::Error> {
        let now = time_format::now_text();
        let organization_id = new_id("org");
        let user_id = new_id("usr");
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&organization_id)
            .bind(&v.organization)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        let new = NewUser {
            organization_id: &organization_id,
            id: &user_id,
            name: &v.name,
            email: &v.email,
            password_hash,
            status: UserStatus::Active,
            role_ids: &[ADMIN_ROLE_ID.into()],
            created_at: &now,
        };
        insert_user(&mut tx, new).await?;
        let actor = Actor {
            kind: ActorKind::User,
            id: user_id.clone(),
            name: v.name.clone(),
        };
        record(
            &mut tx,
            AuditEntry {
                organization_id: &organization_id,
                actor: &actor,
                action: AuditAction::OrganizationCreated {},
                target: AuditTarget {
                    kind: "organization".into(),
                    id: organization_id.clone(),
                    name: v.organization.clone(),
                },
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// The account of a person, by id.
    pub async fn account_of(&self, user_id: &str) -> Result<Option<Account>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, name, email, status, organization_id, password_hash FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Sets a person's password hash, and records it in the audit trail.
    pub async fn set_password(
        &self,
        author: Author<'_>,
        password_hash: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND organization_id = $3")
            .bind(password_hash)
            .bind(&author.actor.id)
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action: AuditAction::UserPasswordChanged {},
                target: AuditTarget::user(author.actor.id.clone(), author.actor.name.clone()),
            },
        )
        .await?;
        tx.commit().await
    }

    /// The account behind a (lower-cased) email, with its password hash.
    pub async fn account_for(&self, email: &str) -> Result<Option<Account>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, name, email, status, organization_id, password_hash FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await
    }

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
                .granted(&role_ids)
                .into_iter()
                .map(String::from)
                .collect(),
            organization: Organization {
                id: row.organization_id.clone(),
                name: row.organization_name.clone(),
            },
            user: row.into_user(&book, &role_ids),
        }))
    }

    /// The person behind a session; `None` if they no longer exist or may
    /// not act (deactivated).
    pub async fn identity_for_user(&self, user_id: &str) -> Result<Option<Identity>, sqlx::Error> {
        let me = self.me(user_id).await?;
        let me = me.filter(|me| me.user.status == UserStatus::Active);
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
        }))
    }

    /// Adds a person. Without a password hash they are `invited`: they
    /// cannot sign in until they accept an invitation and set one.
    pub async fn create_user(
        &self,
        author: Author<'_>,
        v: &ValidNewUser,
        password_hash: Option<&str>,
    ) -> Result<User, sqlx::Error> {
        let status = if password_hash.is_some() {
            UserStatus::Active
        } else {
            UserStatus::Invited
        };
        let now = time_format::now_text();
        let user_id = new_id("usr");
        let mut tx = self.write().await?;
        let new = NewUser {
            organization_id: author.organization_id,
            id: &user_id,
            name: &v.name,
            email: &v.email,
            // An empty hash matches no password.
            password_hash: password_hash.unwrap_or(""),
            status,
            role_ids: &v.role_ids,
            created_at: &now,
        };
        insert_user(&mut tx, new).await?;
        record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action: AuditAction::UserCreated {
                    email: v.email.clone(),
                    role_ids: v.role_ids.clone(),
                },
                target: AuditTarget::user(user_id.clone(), v.name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        let book = self
            .role_book_for(author.organization_id, v.role_ids.iter())
            .await?;
        Ok(User {
            id: user_id,
            name: v.name.clone(),
            email: v.email.clone(),
            roles: book.refs(&v.role_ids),
            status,
            created_at: now,
            last_signed_in_at: None,
        })
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
}

impl Storage {
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

    /// Notes a successful sign-in.
    pub async fn signed_in(&self, user_id: &str, at: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET last_signed_in_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Activates or deactivates a person. Deactivation ends every session of
    /// theirs in the same transaction, and is refused when no other active
    /// person would still hold every permission (checked under the write
    /// lock, so two admins cannot deactivate each other at once).
    pub async fn set_user_status(
        &self,
        author: Author<'_>,
        user_id: &str,
        status: UserStatus,
    ) -> Result<StatusChange, sqlx::Error> {
        let mut tx = self.write().await?;
        let target: Option<(String,)> =
            sqlx::query_as("SELECT name FROM users WHERE id = $1 AND organization_id = $2")
                .bind(user_id)
                .bind(author.organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name,)) = target else {
            return Ok(StatusChange::Gone);
        };
        // Someone who never joined (no password yet) goes back to invited,
        // so a new invitation link can still bring them in.
        sqlx::query(
            "UPDATE users SET status = CASE WHEN $1 = 'active' AND password_hash = '' \
             THEN 'invited' ELSE $2 END WHERE id = $3",
        )
        .bind(status.as_str())
        .bind(status.as_str())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if status != UserStatus::Active {
            let book = super::roles::role_book_with(&mut *tx, author.organization_id).await?;
            if !someone_holds_everything(&mut tx, &book, author.organization_id).await? {
                return Ok(StatusChange::LastAdministrator);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if status == UserStatus::Active {
            AuditAction::UserActivated {}
        } else {
            AuditAction::UserDeactivated {}
        };
        record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action,
                target: AuditTarget::user(user_id, name),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(
            match self.get_user(author.organization_id, user_id).await? {
                Some(user) => StatusChange::Done(Box::new(user)),
                None => StatusChange::Gone,
            },
        )
    }
}

impl Storage {
    /// Changes a person's name and roles, in one transaction with its audit
    /// record. Refused when it would leave no active person holding every
    /// permission (checked under the write lock).
    pub async fn update_user(
        &self,
        author: Author<'_>,
        current: &User,
        change: &ValidUserChange,
    ) -> Result<StatusChange, sqlx::Error> {
        let mut tx = self.write().await?;
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM users WHERE id = $1 AND organization_id = $2")
                .bind(&current.id)
                .bind(author.organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Ok(StatusChange::Gone);
        }
        if let Some(role_ids) = &change.role_ids {
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
            for role_id in role_ids {
                sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
                    .bind(&current.id)
                    .bind(role_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let book = super::roles::role_book_with(&mut *tx, author.organization_id).await?;
            if !someone_holds_everything(&mut tx, &book, author.organization_id).await? {
                return Ok(StatusChange::LastAdministrator);
            }
        }
        let name = change.name.as_deref().unwrap_or(&current.name);
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(&current.id)
            .execute(&mut *tx)
            .await?;
        let before: Vec<String> = current.roles.iter().map(|r| r.id.clone()).collect();
        let action = AuditAction::UserUpdated {
            name: change
                .name
                .as_ref()
                .and_then(|n| Change::between(&current.name, n)),
            role_ids: change
                .role_ids
                .as_ref()
                .and_then(|r| Change::between(&before, r)),
        };
        record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action,
                target: AuditTarget::user(current.id.clone(), name.to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(
            match self.get_user(author.organization_id, &current.id).await? {
                Some(user) => StatusChange::Done(Box::new(user)),
                None => StatusChange::Gone,
            },
        )
    }
}

/// Whether some active person of the organization holds every permission,
/// as the database has it inside `tx` (after the change being decided) and
/// with the roles of `book`.
pub(super) async fn someone_holds_everything(
    tx: &mut Transaction<'static, Any>,
    book: &RoleBook,
    organization_id: &str,
) -> Result<bool, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, r.role_id FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE u.organization_id = $1 AND u.status = 'active'",
    )
    .bind(organization_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (user, role) in rows {
        roles.entry(user).or_default().push(role);
    }
    let everything = permissions::CATALOGUE.len();
    Ok(roles.values().any(|r| book.granted(r).len() == everything))
}

impl UserRow {
    fn into_user(self, book: &RoleBook, role_ids: &[String]) -> User {
        User {
            id: self.id,
            name: self.name,
            email: self.email,
            roles: book.refs(role_ids),
            status: UserStatus::parse(&self.status).unwrap_or(UserStatus::Active),
            last_signed_in_at: self.last_signed_in_at,
            created_at: self.created_at,
        }
    }
}

/// A person to insert, with their roles.
struct NewUser<'a> {
    organization_id: &'a str,
    id: &'a str,
    name: &'a str,
    email: &'a str,
    password_hash: &'a str,
    status: UserStatus,
    role_ids: &'a [String],
    created_at: &'a str,
}

async fn insert_user(
    tx: &mut Transaction<'static, Any>,
    u: NewUser<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, organization_id, name, email, password_hash, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(u.id)
    .bind(u.organization_id)
    .bind(u.name)
    .bind(u.email)
    .bind(u.password_hash)
    .bind(u.status.as_str())
    .bind(u.created_at)
    .execute(&mut **tx)
    .await?;
    for role_id in u.role_ids {
        sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
            .bind(u.id)
            .bind(role_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
