//! Invitations: a one-time link that lets an invited person set their
//! password. Only the token's digest is stored; a new invitation voids the
//! old one; accepting uses it up.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, UserStatus};

use super::audit::{record, AuditEntry};
use super::{Author, Storage};

impl Storage {
    /// Makes `digest` the person's only live invitation, until `expires_at`.
    pub async fn create_invitation(
        &self,
        author: Author<'_>,
        user: &keydesk_contract::types::User,
        digest: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM invitations WHERE user_id = $1")
            .bind(&user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO invitations (digest, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest)
        .bind(&user.id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            AuditEntry {
                organization_id: author.organization_id,
                actor: author.actor,
                action: AuditAction::UserInvited {
                    expires_at: Some(expires_at.to_string()),
                },
                target: AuditTarget::user(user.id.clone(), user.name.clone()),
            },
        )
        .await?;
        tx.commit().await
    }

    /// Uses up the invitation with this digest: the invited person gets this
    /// password hash and becomes active. `None` when there is no such live
    /// invitation for an invited person (used, voided or expired).
    pub async fn accept_invitation(
        &self,
        digest: &str,
        now: &str,
        password_hash: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        let mut tx = self.write().await?;
        let found: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.name, u.organization_id, u.status FROM invitations i \
             JOIN users u ON u.id = i.user_id WHERE i.digest = $1 AND i.expires_at > $2",
        )
        .bind(digest)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, name, organization_id, status)) = found else {
            return Ok(None);
        };
        if status != UserStatus::Invited.as_str() {
            return Ok(None);
        }
        sqlx::query("UPDATE users SET password_hash = $1, status = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(UserStatus::Active.as_str())
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM invitations WHERE user_id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        let actor = Actor {
            kind: ActorKind::User,
            id: user_id.clone(),
            name: name.clone(),
        };
        record(
            &mut tx,
            AuditEntry {
                organization_id: &organization_id,
                actor: &actor,
                action: AuditAction::UserJoined {},
                target: AuditTarget::user(user_id.clone(), name),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    /// The invited person behind a live invitation (to check a new password
    /// against their own details before accepting).
    pub async fn invitee(
        &self,
        digest: &str,
        now: &str,
    ) -> Result<Option<(String, String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT u.email, u.name, o.name FROM invitations i JOIN users u ON u.id = i.user_id \
             JOIN organizations o ON o.id = u.organization_id \
             WHERE i.digest = $1 AND i.expires_at > $2 AND u.status = 'invited'",
        )
        .bind(digest)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }
}
