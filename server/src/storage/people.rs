//! Organizations, users and their roles; the identity behind a session.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::audit::Change;
use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::roles::ADMIN_ROLE_ID;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, Me, Organization, User, UserStatus};
use keydesk_contract::validation::{ValidNewUser, ValidSignUp, ValidUserChange};
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet};

use super::audit::AuditEntry;
use super::{new_id, stale, Author, Identity, Outcome, RoleBook, RolesOf, Storage};
use crate::rules::people::{issuer_text, within_issuer};

/// A person who may sign in, as sign-in needs them.
#[derive(Clone, sqlx::FromRow)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Only an `active` person may sign in, or an `invited` one whose
    /// provisional password someone else set.
    pub status: String,
    pub organization_id: String,
    pub password_hash: String,
    /// Set while the password is provisional: what its setter held, space-separated.
    pub password_set_by_permissions: Option<String>,
}

impl Account {
    /// The stored status; anything unknown is treated as deactivated (fail closed).
    pub fn status(&self) -> UserStatus {
        stored_status(&self.status)
    }
}

/// A stored person status, read one way everywhere: an unknown word (which
/// the schema's CHECK refuses anyway) counts as deactivated.
pub fn stored_status(text: &str) -> UserStatus {
    UserStatus::parse(text).unwrap_or(UserStatus::Deactivated)
}

const ACCOUNT_COLUMNS: &str =
    "id, name, email, status, organization_id, password_hash, password_set_by_permissions";

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
    version: i64,
}

const USER_COLUMNS: &str = "u.id, u.organization_id, o.name AS organization_name, u.name, \
     u.email, u.status, u.created_at, u.last_signed_in_at, u.version";

/// How joining (setting one's own password) went.
#[derive(Debug, PartialEq, Eq)]
pub enum Joined {
    /// The person is active with their own password.
    Done,
    /// The credential they used is no longer good (voided, or they now hold
    /// more than whoever issued it).
    CredentialVoid,
}

/// What a person holds now, as the database has it inside `tx`.
pub(super) async fn held_in(
    tx: &mut Transaction<'static, Any>,
    book: &RoleBook,
    user_id: &str,
) -> Result<BTreeSet<&'static str>, sqlx::Error> {
    let roles: Vec<(String,)> = sqlx::query_as("SELECT role_id FROM user_roles WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(book.union_of(roles.iter().map(|(r,)| r.as_str())))
}

/// Voids every credential of these people that someone else issued and
/// they have not used yet: invitation links, provisional passwords, and
/// sessions still restricted to setting a password. Called whenever what
/// they hold grows, and when they are deactivated.
pub(super) async fn void_issued_credentials(
    tx: &mut Transaction<'static, Any>,
    user_ids: &[&str],
) -> Result<(), sqlx::Error> {
    for user_id in user_ids {
        sqlx::query("DELETE FROM invitations WHERE user_id = $1")
            .bind(*user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE users SET password_hash = '', password_set_by_permissions = NULL \
             WHERE id = $1 AND status = 'invited'",
        )
        .bind(*user_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND restriction IS NOT NULL")
            .bind(*user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Storage {
    /// Creates an organization and its first user, who holds Admin. Returns the user id.
    pub async fn create_organization(
        &self,
        v: &ValidSignUp,
        password_hash: &str,
    ) -> Result<String, sqlx::Error> {
        let now = self.now();
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
        self.record(
            &mut tx,
            AuditEntry {
                organization_id: &organization_id,
                actor: &actor,
                action: AuditAction::OrganizationCreated {},
                target: AuditTarget::organization(organization_id.clone(), v.organization.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// The account of a person, by id.
    pub async fn account_of(&self, user_id: &str) -> Result<Option<Account>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The person sets their own password (`keep` is the session they do it
    /// from): every other session of theirs ends, the kept one may do
    /// everything again, and a person who never joined joins, all in one
    /// transaction with its audit record. Joining with a provisional
    /// password is refused once they hold more than its setter did.
    pub async fn set_own_password(
        &self,
        author: Author<'_>,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<Joined, sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        let account: Option<Account> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(&author.actor.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(account) = account else {
            return Ok(Joined::CredentialVoid);
        };
        let joining = account.status() == UserStatus::Invited;
        if joining {
            let book = super::roles::role_book_with(&mut *tx, author.organization_id).await?;
            let held = held_in(&mut tx, &book, &account.id).await?;
            let limit = account.password_set_by_permissions.as_deref().unwrap_or("");
            if account.password_hash.is_empty() || !within_issuer(&held, limit) {
                void_issued_credentials(&mut tx, &[&account.id]).await?;
                tx.commit().await?;
                return Ok(Joined::CredentialVoid);
            }
        }
        sqlx::query(
            "UPDATE users SET password_hash = $1, password_set_by_permissions = NULL, \
             status = CASE WHEN status = 'invited' THEN 'active' ELSE status END, \
             version = version + 1 WHERE id = $2 AND organization_id = $3",
        )
        .bind(password_hash)
        .bind(&author.actor.id)
        .bind(author.organization_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND digest <> $2")
            .bind(&author.actor.id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE sessions SET restriction = NULL WHERE digest = $1")
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        if joining {
            sqlx::query("DELETE FROM invitations WHERE user_id = $1")
                .bind(&author.actor.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET last_signed_in_at = $1 WHERE id = $2")
                .bind(&now)
                .bind(&author.actor.id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if joining {
            AuditAction::UserJoined {}
        } else {
            AuditAction::UserPasswordChanged {}
        };
        self.record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action,
                target: AuditTarget::user(author.actor.id.clone(), author.actor.name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Joined::Done)
    }

    /// Whether a never-joined person still holds no more than the setter of
    /// their provisional password did; when they hold more, the password
    /// (and any other credential issued to them) is voided here.
    pub async fn within_provisional_limit(&self, account: &Account) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        let book = super::roles::role_book_with(&mut *tx, &account.organization_id).await?;
        let held = held_in(&mut tx, &book, &account.id).await?;
        let limit = account.password_set_by_permissions.as_deref().unwrap_or("");
        if within_issuer(&held, limit) {
            return Ok(true);
        }
        void_issued_credentials(&mut tx, &[&account.id]).await?;
        tx.commit().await?;
        Ok(false)
    }

    /// The account a (lower-cased) email signs in to: the person who joined
    /// with it (one everywhere), else the newest never-joined person whose
    /// provisional password someone set (placeholders are per organization).
    pub async fn account_for(&self, email: &str) -> Result<Option<Account>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE email = $1 \
             AND (status <> 'invited' OR password_hash <> '') \
             ORDER BY CASE WHEN status = 'invited' THEN 1 ELSE 0 END, created_at DESC LIMIT 1"
        ))
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
        }))
    }

    /// Adds a person, `invited` until they set a password of their own
    /// (through an invitation link, or at their first sign-in with the
    /// provisional password `provisional` gives: its hash and what its
    /// setter holds). A placeholder reserves the address in this
    /// organization only.
    pub async fn create_user(
        &self,
        author: Author<'_>,
        v: &ValidNewUser,
        provisional: Option<(&str, &BTreeSet<&'static str>)>,
    ) -> Result<User, sqlx::Error> {
        let status = UserStatus::Invited;
        let now = self.now();
        let user_id = new_id("usr");
        let mut tx = self.write().await?;
        let new = NewUser {
            organization_id: author.organization_id,
            id: &user_id,
            name: &v.name,
            email: &v.email,
            // An empty hash matches no password.
            password_hash: provisional.map_or("", |(hash, _)| hash),
            status,
            role_ids: &v.role_ids,
            created_at: &now,
        };
        insert_user(&mut tx, new).await?;
        if let Some((_, setter_held)) = provisional {
            sqlx::query("UPDATE users SET password_set_by_permissions = $1 WHERE id = $2")
                .bind(issuer_text(setter_held.iter().copied()))
                .bind(&user_id)
                .execute(&mut *tx)
                .await?;
        }
        self.record(
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
            version: 1,
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

    /// Activates or deactivates a person, decided on `current` (refused when
    /// they changed since) by someone holding `caller_holds`, which is
    /// checked again here, under the write lock, against what they hold now.
    /// Deactivation ends every session of theirs and voids every credential
    /// issued to them and not yet used (activating revives none); it is
    /// refused when no other active person would still hold every permission.
    pub async fn set_user_status(
        &self,
        author: Author<'_>,
        current: &User,
        status: UserStatus,
        caller_holds: &BTreeSet<&'static str>,
    ) -> Result<Outcome<User>, sqlx::Error> {
        let mut tx = self.write().await?;
        let book = super::roles::role_book_with(&mut *tx, author.organization_id).await?;
        let held = held_in(&mut tx, &book, &current.id).await?;
        let missing = missing_from(&held, caller_holds);
        if !missing.is_empty() {
            return Ok(Outcome::Forbidden(missing));
        }
        if status != UserStatus::Active {
            void_issued_credentials(&mut tx, &[&current.id]).await?;
        }
        // Someone who never joined (no password of their own) goes back to
        // invited, so only a new invitation link can bring them in.
        let updated = sqlx::query(
            "UPDATE users SET status = CASE WHEN $1 = 'active' AND password_hash = '' \
             THEN 'invited' ELSE $2 END, version = version + 1 \
             WHERE id = $3 AND organization_id = $4 AND version = $5",
        )
        .bind(status.as_str())
        .bind(status.as_str())
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "users", &current.id).await;
        }
        if status != UserStatus::Active {
            if !someone_holds_everything(&mut tx, &book, author.organization_id).await? {
                return Ok(Outcome::LastAdministrator);
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if status == UserStatus::Active {
            AuditAction::UserActivated {}
        } else {
            AuditAction::UserDeactivated {}
        };
        self.record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action,
                target: AuditTarget::user(current.id.clone(), current.name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        self.person_after(author.organization_id, &current.id).await
    }

    async fn person_after(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Outcome<User>, sqlx::Error> {
        Ok(match self.get_user(organization_id, user_id).await? {
            Some(user) => Outcome::Done(Box::new(user)),
            None => Outcome::Gone,
        })
    }
}

/// Which of `needed` the caller does not hold, in catalogue order.
fn missing_from(
    needed: &BTreeSet<&'static str>,
    caller_holds: &BTreeSet<&'static str>,
) -> Vec<&'static str> {
    permissions::union(needed.iter().copied().filter(|p| !caller_holds.contains(p)))
}

impl Storage {
    /// Changes a person's name and roles, decided on `current` (refused when
    /// they changed since), in one transaction with its audit record. What
    /// the caller holds is checked again under the write lock against what
    /// the person holds now and will hold. When they come to hold more,
    /// every credential issued to them and not yet used is void. Refused
    /// when it would leave no active person holding every permission.
    pub async fn update_user(
        &self,
        author: Author<'_>,
        current: &User,
        change: &ValidUserChange,
        caller_holds: &BTreeSet<&'static str>,
    ) -> Result<Outcome<User>, sqlx::Error> {
        let name = change.name.as_deref().unwrap_or(&current.name);
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE users SET name = $1, version = version + 1 \
             WHERE id = $2 AND organization_id = $3 AND version = $4",
        )
        .bind(name)
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "users", &current.id).await;
        }
        if let Some(role_ids) = &change.role_ids {
            let book = super::roles::role_book_with(&mut *tx, author.organization_id).await?;
            let before = held_in(&mut tx, &book, &current.id).await?;
            let after = book.union_of(role_ids.iter().map(String::as_str));
            let mut needed = before.clone();
            needed.extend(after.iter().copied());
            let missing = missing_from(&needed, caller_holds);
            if !missing.is_empty() {
                return Ok(Outcome::Forbidden(missing));
            }
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
            insert_roles(&mut tx, &current.id, role_ids).await?;
            if !after.is_subset(&before) {
                void_issued_credentials(&mut tx, &[&current.id]).await?;
            }
            if !someone_holds_everything(&mut tx, &book, author.organization_id).await? {
                return Ok(Outcome::LastAdministrator);
            }
        }
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
        self.record(
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
        self.person_after(author.organization_id, &current.id).await
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
    Ok(roles
        .values()
        .any(|r| book.granted(r.iter().map(String::as_str)).len() == everything))
}

impl UserRow {
    fn into_user(self, book: &RoleBook, role_ids: &[String]) -> User {
        User {
            id: self.id,
            name: self.name,
            email: self.email,
            roles: book.refs(role_ids),
            status: stored_status(&self.status),
            last_signed_in_at: self.last_signed_in_at,
            created_at: self.created_at,
            version: self.version as u64,
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
    insert_roles(tx, u.id, u.role_ids).await
}

async fn insert_roles(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    role_ids: &[String],
) -> Result<(), sqlx::Error> {
    for role_id in role_ids {
        sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(role_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
