//! Sign-in accounts: who an e-mail signs in to, a person setting their own
//! password (joining, if they never had), and noting sign-ins.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{AuditTarget, UserStatus};

use super::{held_in, void_issued_credentials};
use crate::rules::people::within_issuer;
use crate::storage::audit::AuditEntry;
use crate::storage::{Author, Storage};

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

/// How joining (setting one's own password) went.
#[derive(Debug, PartialEq, Eq)]
pub enum Joined {
    /// The person is active with their own password.
    Done,
    /// The credential they used is no longer good (voided, or they now hold
    /// more than whoever issued it).
    CredentialVoid,
}

impl Storage {
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
            let book =
                crate::storage::roles::role_book_with(&mut *tx, author.organization_id).await?;
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
        sqlx::query(&format!(
            "UPDATE sessions SET restriction = {} WHERE digest = $2",
            crate::storage::second_factors::restriction_after_password("$1")
        ))
        .bind(&author.actor.id)
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
        let book =
            crate::storage::roles::role_book_with(&mut *tx, &account.organization_id).await?;
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

    /// Notes a successful sign-in.
    pub async fn signed_in(&self, user_id: &str, at: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET last_signed_in_at = $1 WHERE id = $2")
            .bind(at)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
