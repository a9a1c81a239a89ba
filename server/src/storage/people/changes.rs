//! Changing people: adding, changing names and roles, switching access.
//! Each decided on a read (version-guarded), checked again inside its write.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::audit::Change;
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{AuditTarget, User, UserStatus};
use keydesk_contract::validation::{ValidNewUser, ValidUserChange};
use std::collections::BTreeSet;

use super::{
    held_in, insert_user, missing_from, someone_holds_everything, void_issued_credentials, NewUser,
};
use crate::rules::people::issuer_text;
use crate::storage::audit::AuditEntry;
use crate::storage::{insert_holdings, new_id, stale, Author, Holdings, Outcome, Storage};

impl Storage {
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
            second_factor: false,
        })
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
        let book = crate::storage::roles::role_book_with(&mut *tx, author.organization_id).await?;
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
            let book =
                crate::storage::roles::role_book_with(&mut *tx, author.organization_id).await?;
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
            insert_holdings(&mut tx, Holdings::PersonRoles, &current.id, role_ids).await?;
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
