//! People and their organizations, one job per file: [`organizations`],
//! [`accounts`] (signing in, one's own password), [`identities`] (who a
//! person is), [`changes`] (adding and changing people), [`single_sign_on`]
//! (people arriving through their identity provider). What they share is
//! here: reading a person's row, what they hold, voiding what someone else
//! issued them, and the last-admin rule (rule 9).

mod accounts;
mod changes;
mod identities;
mod organizations;
mod single_sign_on;

pub use accounts::{stored_status, Account, Joined};
pub use single_sign_on::SsoPerson;

use keydesk_contract::permissions;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{User, UserStatus};
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet};

use super::RoleBook;

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
    /// 1 when the person has a second factor.
    second_factor: i64,
}

const USER_COLUMNS: &str = "u.id, u.organization_id, o.name AS organization_name, u.name, \
     u.email, u.status, u.created_at, u.last_signed_in_at, u.version, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) \
          OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) THEN 1 ELSE 0 END AS BIGINT) AS second_factor";

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

/// Which of `needed` the caller does not hold, in catalogue order.
fn missing_from(
    needed: &BTreeSet<&'static str>,
    caller_holds: &BTreeSet<&'static str>,
) -> Vec<&'static str> {
    permissions::union(needed.iter().copied().filter(|p| !caller_holds.contains(p)))
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
            second_factor: self.second_factor != 0,
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
    super::insert_holdings(tx, super::Holdings::PersonRoles, u.id, u.role_ids).await
}
