//! A person arriving through their organization's identity provider: found
//! by the provider's subject, else by their address (then linked), else
//! created (just in time) with no password. Their roles follow the
//! provider's at every sign-in, except where that would leave nobody
//! holding everything (rule 9): then they keep theirs. A person
//! deactivated in keydesk stays out whatever the provider says.

use keydesk_contract::audit::{AuditAction, Change};
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, UserStatus};

use super::{insert_user, someone_holds_everything, stored_status, NewUser};
use crate::storage::{new_id, AuditEntry, Holdings, Storage};

/// How an SSO sign-in met keydesk's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoPerson {
    /// The person to sign in (their id).
    Admitted(String),
    /// Deactivated in keydesk: they stay out.
    Deactivated,
}

impl Storage {
    /// The person the provider vouched for, found, linked or created, with
    /// the roles the organization's rules give them.
    pub async fn sso_person(
        &self,
        organization_id: &str,
        subject: &str,
        email: &str,
        name: &str,
        role_ids: &[String],
    ) -> Result<SsoPerson, sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        let found: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, name, status FROM users WHERE organization_id = $1 \
             AND (sso_subject = $2 OR (sso_subject IS NULL AND email = $3)) \
             ORDER BY CASE WHEN sso_subject = $4 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(organization_id)
        .bind(subject)
        .bind(email)
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, current_name, status)) = found else {
            let id = new_id("usr");
            insert_user(
                &mut tx,
                NewUser {
                    organization_id,
                    id: &id,
                    name,
                    email,
                    password_hash: "",
                    status: UserStatus::Active,
                    role_ids,
                    created_at: &now,
                },
            )
            .await?;
            sqlx::query("UPDATE users SET sso_subject = $1 WHERE id = $2")
                .bind(subject)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            let actor = person(&id, name);
            let action = AuditAction::UserCreated {
                email: email.to_string(),
                role_ids: role_ids.to_vec(),
            };
            self.record(&mut tx, entry(organization_id, &actor, action, &id, name))
                .await?;
            tx.commit().await?;
            return Ok(SsoPerson::Admitted(id));
        };
        if stored_status(&status) == UserStatus::Deactivated {
            return Ok(SsoPerson::Deactivated);
        }
        // Linked, and a never-joined placeholder joins through the provider.
        sqlx::query(
            "UPDATE users SET sso_subject = $1, status = 'active', password_set_by_permissions = NULL, \
             version = version + 1 WHERE id = $2",
        )
        .bind(subject)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM invitations WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let before: Vec<(String,)> =
            sqlx::query_as("SELECT role_id FROM user_roles WHERE user_id = $1 ORDER BY role_id")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
        let before: Vec<String> = before.into_iter().map(|(r,)| r).collect();
        let mut after = role_ids.to_vec();
        after.sort();
        if before != after {
            let book = crate::storage::roles::role_book_with(&mut *tx, organization_id).await?;
            set_roles(&mut tx, &id, &after).await?;
            if someone_holds_everything(&mut tx, &book, organization_id).await? {
                let actor = person(&id, &current_name);
                let action = AuditAction::UserUpdated {
                    name: None,
                    role_ids: Change::between(&before, &after),
                };
                self.record(
                    &mut tx,
                    entry(organization_id, &actor, action, &id, &current_name),
                )
                .await?;
            } else {
                // Rule 9 outranks the provider: the last holder of
                // everything keeps what they hold.
                set_roles(&mut tx, &id, &before).await?;
                tracing::warn!(user = %id, "single sign-on would leave nobody holding every permission; roles kept");
            }
        }
        tx.commit().await?;
        Ok(SsoPerson::Admitted(id))
    }
}

async fn set_roles(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    role_ids: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    crate::storage::insert_holdings(tx, Holdings::PersonRoles, id, role_ids).await
}

fn person(id: &str, name: &str) -> Actor {
    Actor {
        kind: ActorKind::User,
        id: id.to_string(),
        name: name.to_string(),
    }
}

fn entry<'a>(
    organization_id: &'a str,
    actor: &'a Actor,
    action: AuditAction,
    id: &str,
    name: &str,
) -> AuditEntry<'a> {
    AuditEntry {
        organization_id,
        actor,
        action,
        target: AuditTarget::user(id.to_string(), name.to_string()),
    }
}
