//! Invitations: a one-time link that lets an invited person set their
//! password. Only the token's digest is stored; a new invitation voids the
//! old one; accepting uses it up.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget, UserStatus};

use std::collections::BTreeSet;

use super::audit::AuditEntry;
use super::people::{held_in, void_issued_credentials};
use super::{Author, Storage};
use crate::rules::people::{issuer_text, within_issuer};

/// How accepting an invitation went.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// The person with this id joined.
    Joined(String),
    /// No live link with this token for someone who has not joined.
    NoSuchLink,
    /// The person now holds more than the link's issuer did: voided.
    HoldsMoreThanIssuer,
}

impl Storage {
    /// Makes `digest` the person's only live invitation, until `expires_at`,
    /// issued by the author holding `issuer_holds`: the link works only while
    /// the person holds no more than that.
    pub async fn create_invitation(
        &self,
        author: Author<'_>,
        user: &keydesk_contract::types::User,
        issuer_holds: &BTreeSet<&'static str>,
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
            "INSERT INTO invitations (digest, user_id, created_at, expires_at, issued_by_id, \
             issued_by_permissions) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(digest)
        .bind(&user.id)
        .bind(now)
        .bind(expires_at)
        .bind(&author.actor.id)
        .bind(issuer_text(issuer_holds.iter().copied()))
        .execute(&mut *tx)
        .await?;
        self.record(
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
    /// password hash and becomes active. Refused when there is no such live
    /// invitation for an invited person (used, voided or expired), and when
    /// the person now holds more than whoever issued the link (which voids it).
    pub async fn accept_invitation(
        &self,
        digest: &str,
        now: &str,
        password_hash: &str,
    ) -> Result<Accepted, sqlx::Error> {
        let mut tx = self.write().await?;
        let found: Option<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.name, u.organization_id, u.status, i.issued_by_permissions \
             FROM invitations i JOIN users u ON u.id = i.user_id \
             WHERE i.digest = $1 AND i.expires_at > $2",
        )
        .bind(digest)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((user_id, name, organization_id, status, issuer_held)) = found else {
            return Ok(Accepted::NoSuchLink);
        };
        if status != UserStatus::Invited.as_str() {
            return Ok(Accepted::NoSuchLink);
        }
        let book = super::roles::role_book_with(&mut *tx, &organization_id).await?;
        let held = held_in(&mut tx, &book, &user_id).await?;
        if !within_issuer(&held, &issuer_held) {
            void_issued_credentials(&mut tx, &[&user_id]).await?;
            tx.commit().await?;
            return Ok(Accepted::HoldsMoreThanIssuer);
        }
        sqlx::query(
            "UPDATE users SET password_hash = $1, status = $2, password_set_by_permissions = NULL, \
             version = version + 1 WHERE id = $3",
        )
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
        self.record(
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
        Ok(Accepted::Joined(user_id))
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
