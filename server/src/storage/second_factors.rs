//! People's second factors: the authenticator app (sealed secret, last
//! accepted step), recovery codes (digests), passkeys, WebAuthn ceremonies
//! under way, sign-ins waiting for their second step, and the
//! organization's rule that everyone has one. Every change is written with
//! its audit record; a spent code or challenge is spent by one conditional
//! write, so two replicas cannot both accept it.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::second_factors::{PasskeySummary, SecondFactors};
use keydesk_contract::types::AuditTarget;
use sqlx::{Any, Transaction};

use super::{new_id, Author, Storage};

/// A person's authenticator app as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub sealed_secret: String,
    pub confirmed_at: Option<String>,
    pub last_used_step: Option<i64>,
}

/// A passkey as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub credential: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A WebAuthn ceremony taken (it is gone from the table once taken).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ceremony {
    pub purpose: String,
    pub user_id: Option<String>,
    pub state: String,
    pub expires_at: String,
}

/// Why removing a second factor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Removed,
    NotFound,
    /// The organization requires a second factor and this is the last one.
    LastRequired,
}

/// SQL: the person `$user` has a second factor (a confirmed app or a passkey).
const HAS_FACTOR: &str =
    "(EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = {u} AND t.confirmed_at IS NOT NULL) \
     OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = {u}))";

fn has_factor(user_column: &str) -> String {
    HAS_FACTOR.replace("{u}", user_column)
}

/// SQL: the restriction a session of the person `user_param` starts with
/// after setting their own password: set up a second factor, when their
/// organization requires one they lack; else none.
pub(super) fn restriction_after_password(user_param: &str) -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM users u JOIN organizations o ON o.id = u.organization_id \
         WHERE u.id = {user_param} AND o.second_factor_required_since IS NOT NULL AND NOT {}) \
         THEN 'enrol_second_factor' ELSE NULL END",
        has_factor("u.id")
    )
}

impl Storage {
    /// What the person has set up, and whether their organization requires it.
    pub async fn second_factors(&self, user_id: &str) -> Result<SecondFactors, sqlx::Error> {
        let totp: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        let (left,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let (required,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users u JOIN organizations o ON o.id = u.organization_id \
             WHERE u.id = $1 AND o.second_factor_required_since IS NOT NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        let passkeys = self
            .passkeys_of(user_id)
            .await?
            .into_iter()
            .map(|p| PasskeySummary {
                id: p.id,
                name: p.name,
                created_at: p.created_at,
                last_used_at: p.last_used_at,
            })
            .collect();
        Ok(SecondFactors {
            totp: totp.is_some(),
            passkeys,
            recovery_codes_left: left as u32,
            required: required > 0,
        })
    }

    /// The person's authenticator app, confirmed or not.
    pub async fn totp_of(&self, user_id: &str) -> Result<Option<TotpRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT sealed_secret, confirmed_at, last_used_step FROM totp_factors WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Starts setting up an app with `sealed_secret`, replacing one not yet
    /// confirmed. `false` when a confirmed one exists (remove it first).
    pub async fn begin_totp(
        &self,
        user_id: &str,
        sealed_secret: &str,
    ) -> Result<bool, sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        let confirmed: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if confirmed.is_some() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO totp_factors (user_id, sealed_secret, created_at) VALUES ($1, $2, $3)",
        )
        .bind(user_id)
        .bind(sealed_secret)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Confirms the pending app with the step its first code belongs to,
    /// and stores a new set of recovery codes (the old set void); the
    /// person's sessions that had to set up a second factor may now do
    /// everything. `false` when there was no pending app (or it changed).
    pub async fn confirm_totp(
        &self,
        author: Author<'_>,
        sealed_secret: &str,
        step: i64,
        recovery_digests: &[String],
    ) -> Result<bool, sqlx::Error> {
        let now = self.now();
        let user_id = &author.actor.id;
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE totp_factors SET confirmed_at = $1, last_used_step = $2 \
             WHERE user_id = $3 AND sealed_secret = $4 AND confirmed_at IS NULL",
        )
        .bind(&now)
        .bind(step)
        .bind(user_id)
        .bind(sealed_secret)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        replace_recovery_codes(&mut tx, user_id, recovery_digests, &now).await?;
        lift_enrol_restriction(&mut tx, user_id).await?;
        let action = AuditAction::UserSecondFactorAdded {
            method: "totp".into(),
            name: None,
        };
        self.record_change(&mut tx, author, action, oneself(author))
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Spends the code of `step` for the person's confirmed app: `false`
    /// when that step (or a later one) was already used, whichever replica
    /// saw it.
    pub async fn spend_totp_step(&self, user_id: &str, step: i64) -> Result<bool, sqlx::Error> {
        sqlx::query(
            "UPDATE totp_factors SET last_used_step = $1 WHERE user_id = $2 \
             AND confirmed_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $3)",
        )
        .bind(step)
        .bind(user_id)
        .bind(step)
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected() == 1)
    }

    /// Removes the person's app (and, when it was their last factor, their
    /// recovery codes), unless the organization requires a second factor
    /// and it is their last.
    pub async fn remove_totp(&self, author: Author<'_>) -> Result<Removal, sqlx::Error> {
        let user_id = &author.actor.id;
        let mut tx = self.write().await?;
        let (confirmed, passkeys) = factor_counts(&mut tx, user_id).await?;
        if confirmed == 0 {
            // A pending, unconfirmed app is simply dropped.
            sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Removal::NotFound);
        }
        if passkeys == 0 && required_for(&mut tx, user_id).await? {
            return Ok(Removal::LastRequired);
        }
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if passkeys == 0 {
            delete_recovery_codes(&mut tx, user_id).await?;
        }
        let action = AuditAction::UserSecondFactorRemoved {
            method: "totp".into(),
            name: None,
        };
        self.record_change(&mut tx, author, action, oneself(author))
            .await?;
        tx.commit().await?;
        Ok(Removal::Removed)
    }

    /// A new set of recovery codes for a person who has a second factor;
    /// the old set is void. `false` when they have none to recover.
    pub async fn replace_recovery_codes(
        &self,
        author: Author<'_>,
        digests: &[String],
    ) -> Result<bool, sqlx::Error> {
        let now = self.now();
        let user_id = &author.actor.id;
        let mut tx = self.write().await?;
        let (confirmed, passkeys) = factor_counts(&mut tx, user_id).await?;
        if confirmed + passkeys == 0 {
            return Ok(false);
        }
        replace_recovery_codes(&mut tx, user_id, digests, &now).await?;
        self.record_change(
            &mut tx,
            author,
            AuditAction::UserRecoveryCodesReplaced {},
            oneself(author),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Spends one recovery code: `Some(codes left)` when it was unused.
    pub async fn spend_recovery_code(
        &self,
        author: Author<'_>,
        digest: &str,
    ) -> Result<Option<u32>, sqlx::Error> {
        let now = self.now();
        let user_id = &author.actor.id;
        let mut tx = self.write().await?;
        let spent = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND digest = $3 AND used_at IS NULL",
        )
        .bind(&now)
        .bind(user_id)
        .bind(digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if spent == 0 {
            return Ok(None);
        }
        let (left,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        let action = AuditAction::UserRecoveryCodeUsed {
            codes_left: left as u32,
        };
        self.record_change(&mut tx, author, action, oneself(author))
            .await?;
        tx.commit().await?;
        Ok(Some(left as u32))
    }

    /// Whether the person has recovery codes left.
    pub async fn has_recovery_codes(&self, user_id: &str) -> Result<bool, sqlx::Error> {
        Ok(self.second_factors(user_id).await?.recovery_codes_left > 0)
    }

    /// The person's passkeys, oldest first.
    pub async fn passkeys_of(&self, user_id: &str) -> Result<Vec<PasskeyRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, user_id, name, credential, created_at, last_used_at FROM passkeys \
             WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The passkey with this credential id, whoever's it is.
    pub async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<PasskeyRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, user_id, name, credential, created_at, last_used_at FROM passkeys \
             WHERE credential_id = $1",
        )
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Adds a verified passkey. A credential id already registered (by
    /// anyone) breaks [`super::Rule::PasskeyCredential`]. The person's
    /// first second factor also brings their recovery codes.
    pub async fn add_passkey(
        &self,
        author: Author<'_>,
        name: &str,
        credential_id: &str,
        credential: &str,
        recovery_digests: &[String],
    ) -> Result<(PasskeySummary, bool), sqlx::Error> {
        let now = self.now();
        let user_id = &author.actor.id;
        let id = new_id("pk");
        let mut tx = self.write().await?;
        let (confirmed, passkeys) = factor_counts(&mut tx, user_id).await?;
        let first = confirmed + passkeys == 0;
        sqlx::query(
            "INSERT INTO passkeys (id, user_id, name, credential_id, credential, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(name)
        .bind(credential_id)
        .bind(credential)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if first {
            replace_recovery_codes(&mut tx, user_id, recovery_digests, &now).await?;
        }
        lift_enrol_restriction(&mut tx, user_id).await?;
        let action = AuditAction::UserSecondFactorAdded {
            method: "passkey".into(),
            name: Some(name.to_string()),
        };
        self.record_change(&mut tx, author, action, oneself(author))
            .await?;
        tx.commit().await?;
        let summary = PasskeySummary {
            id,
            name: name.to_string(),
            created_at: now,
            last_used_at: None,
        };
        Ok((summary, first))
    }

    /// Stores a passkey's moved-on counter and when it was used.
    pub async fn passkey_used(&self, id: &str, credential: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
            .bind(credential)
            .bind(self.now())
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Removes one of the person's passkeys (same rule as [`Storage::remove_totp`]).
    pub async fn remove_passkey(
        &self,
        author: Author<'_>,
        id: &str,
    ) -> Result<Removal, sqlx::Error> {
        let user_id = &author.actor.id;
        let mut tx = self.write().await?;
        let name: Option<(String,)> =
            sqlx::query_as("SELECT name FROM passkeys WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name,)) = name else {
            return Ok(Removal::NotFound);
        };
        let (confirmed, passkeys) = factor_counts(&mut tx, user_id).await?;
        let last = confirmed + passkeys == 1;
        if last && required_for(&mut tx, user_id).await? {
            return Ok(Removal::LastRequired);
        }
        sqlx::query("DELETE FROM passkeys WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if last {
            delete_recovery_codes(&mut tx, user_id).await?;
        }
        let action = AuditAction::UserSecondFactorRemoved {
            method: "passkey".into(),
            name: Some(name),
        };
        self.record_change(&mut tx, author, action, oneself(author))
            .await?;
        tx.commit().await?;
        Ok(Removal::Removed)
    }

    /// Removes every second factor of a person of the author's organization
    /// and ends their sessions: they set one up again at their next
    /// sign-in if the organization requires it. `false` when there is no
    /// such person.
    pub async fn reset_second_factors(
        &self,
        author: Author<'_>,
        user_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        let person: Option<(String,)> =
            sqlx::query_as("SELECT name FROM users WHERE id = $1 AND organization_id = $2")
                .bind(user_id)
                .bind(author.organization_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name,)) = person else {
            return Ok(false);
        };
        for table in [
            "totp_factors",
            "passkeys",
            "recovery_codes",
            "sessions",
            "pending_sign_ins",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE users SET version = version + 1 WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.record_change(
            &mut tx,
            author,
            AuditAction::UserSecondFactorsReset {},
            AuditTarget::user(user_id.to_string(), name),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Keeps a WebAuthn ceremony's state until its browser answers.
    pub async fn save_ceremony(
        &self,
        challenge_digest: &str,
        purpose: &str,
        user_id: Option<&str>,
        state: &str,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (challenge_digest, purpose, user_id, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(challenge_digest)
        .bind(purpose)
        .bind(user_id)
        .bind(state)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Keeps a passkey-alone sign-in's ceremony, unless `cap` of them are
    /// live already (expired ones are dropped first): `false` then.
    pub async fn save_sign_in_ceremony(
        &self,
        challenge_digest: &str,
        state: &str,
        expires_at: &str,
        cap: u32,
    ) -> Result<bool, sqlx::Error> {
        let now = self.now();
        sqlx::query(
            "DELETE FROM webauthn_ceremonies WHERE purpose = 'sign_in' AND expires_at <= $1",
        )
        .bind(&now)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (challenge_digest, purpose, user_id, state, expires_at) \
             SELECT $1, 'sign_in', NULL, $2, $3 \
             WHERE (SELECT COUNT(*) FROM webauthn_ceremonies WHERE purpose = 'sign_in') < $4",
        )
        .bind(challenge_digest)
        .bind(state)
        .bind(expires_at)
        .bind(i64::from(cap))
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected() == 1)
    }

    /// Takes the ceremony a challenge belongs to: it is deleted, so the
    /// same answer never finds it again. Expired ones are not returned.
    pub async fn take_ceremony(
        &self,
        challenge_digest: &str,
    ) -> Result<Option<Ceremony>, sqlx::Error> {
        let now = self.now();
        let taken: Option<Ceremony> = sqlx::query_as(
            "DELETE FROM webauthn_ceremonies WHERE challenge_digest = $1 \
             RETURNING purpose, user_id, state, expires_at",
        )
        .bind(challenge_digest)
        .fetch_optional(&self.pool)
        .await?;
        Ok(taken.filter(|c| c.expires_at > now))
    }

    /// Remembers a sign-in whose password was right, waiting for its second step.
    pub async fn save_pending_sign_in(
        &self,
        digest: &str,
        user_id: &str,
        expires_at: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO pending_sign_ins (digest, user_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(digest)
        .bind(user_id)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The person a pending sign-in is for, while it lasts.
    pub async fn pending_sign_in(&self, digest: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT user_id FROM pending_sign_ins WHERE digest = $1 AND expires_at > $2",
        )
        .bind(digest)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(u,)| u))
    }

    /// Ends a pending sign-in (its second step succeeded).
    pub async fn end_pending_sign_in(&self, digest: &str) -> Result<bool, sqlx::Error> {
        sqlx::query("DELETE FROM pending_sign_ins WHERE digest = $1")
            .bind(digest)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected() == 1)
    }

    /// Deletes pending sign-ins and ceremonies past their end.
    pub async fn delete_ended_second_steps(&self) -> Result<(), sqlx::Error> {
        let now = self.now();
        for table in ["pending_sign_ins", "webauthn_ceremonies"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(&now)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Whether the person must set up a second factor before anything
    /// else: their organization requires one and they have none.
    pub async fn must_enrol_second_factor(&self, user_id: &str) -> Result<bool, sqlx::Error> {
        let (n,): (i64,) = sqlx::query_as(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users u JOIN organizations o ON o.id = u.organization_id \
             WHERE u.id = $1 AND o.second_factor_required_since IS NOT NULL AND NOT {}",
            has_factor("u.id")
        ))
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Whether the organization requires a second factor of everyone.
    pub async fn second_factor_required(&self, organization_id: &str) -> Result<bool, sqlx::Error> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT second_factor_required_since FROM organizations WHERE id = $1")
                .bind(organization_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(matches!(row, Some((Some(_),))))
    }

    /// Requires a second factor of everyone in the author's organization,
    /// or stops requiring it. Turning it on limits the live sessions of
    /// people without one to setting one up, at once.
    pub async fn require_second_factor(
        &self,
        author: Author<'_>,
        required: bool,
    ) -> Result<(), sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        let (was,): (Option<String>,) =
            sqlx::query_as("SELECT second_factor_required_since FROM organizations WHERE id = $1")
                .bind(author.organization_id)
                .fetch_one(&mut *tx)
                .await?;
        if was.is_some() == required {
            return Ok(());
        }
        sqlx::query("UPDATE organizations SET second_factor_required_since = $1 WHERE id = $2")
            .bind(required.then_some(now.as_str()))
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        if required {
            sqlx::query(&format!(
                "UPDATE sessions SET restriction = 'enrol_second_factor' \
                 WHERE restriction IS NULL AND user_id IN (SELECT u.id FROM users u \
                 WHERE u.organization_id = $1 AND NOT {})",
                has_factor("u.id")
            ))
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE sessions SET restriction = NULL WHERE restriction = 'enrol_second_factor' \
                 AND user_id IN (SELECT id FROM users WHERE organization_id = $1)",
            )
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        }
        let target = super::audit::organization_target(&mut tx, author.organization_id).await?;
        self.record_change(
            &mut tx,
            author,
            AuditAction::OrganizationSecurityUpdated {
                require_second_factor: required,
            },
            target,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn oneself(author: Author<'_>) -> AuditTarget {
    AuditTarget::user(author.actor.id.clone(), author.actor.name.clone())
}

/// (confirmed apps, passkeys) of a person, inside `tx`.
async fn factor_counts(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL), \
                (SELECT COUNT(*) FROM passkeys WHERE user_id = $2)",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await
}

/// Whether the person's organization requires a second factor, inside `tx`.
async fn required_for(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM users u JOIN organizations o ON o.id = u.organization_id \
         WHERE u.id = $1 AND o.second_factor_required_since IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

async fn replace_recovery_codes(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    digests: &[String],
    now: &str,
) -> Result<(), sqlx::Error> {
    delete_recovery_codes(tx, user_id).await?;
    for digest in digests {
        sqlx::query("INSERT INTO recovery_codes (user_id, digest, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(digest)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn delete_recovery_codes(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

/// The person's sessions that had to set up a second factor may now do everything.
async fn lift_enrol_restriction(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET restriction = NULL WHERE user_id = $1 AND restriction = 'enrol_second_factor'",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
