//! Secrets: making a key's current secret (generate and regenerate, with an
//! optional grace period for the old one) and finding the key behind a
//! presented secret (the key check, read-only).

use keydesk_contract::audit::AuditAction;
use keydesk_contract::key_format::{self, Secret};
use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{Actor, ActorKind, ApiKey, GeneratedSecret, NamedRef, Organization};

use crate::storage::{stale, Author, Identity, Outcome, Storage};

impl Storage {
    /// Makes `secret` the key's only current secret. Earlier secrets stop
    /// working now, or after `grace_seconds` when that is above zero.
    /// The new secret expires at `expires_at` (its lifetime: regenerating
    /// renews an expired key), within the key policy, so the key is no
    /// longer outside it.
    pub async fn replace_secret(
        &self,
        author: Author<'_>,
        current: &ApiKey,
        secret: &Secret,
        grace_seconds: u32,
        expires_at: Option<&str>,
    ) -> Result<Outcome<ApiKey>, sqlx::Error> {
        let now = self.now();
        let prefix = key_format::display_prefix(secret.expose());
        // A leaked secret gets no grace, and the new one switches the key on again.
        let leaked = current.status == keydesk_contract::types::ApiKeyStatus::Leaked;
        let grace_seconds = if leaked { 0 } else { grace_seconds };
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE api_keys SET display_prefix = $1, generated_at = $2, updated_at = $3, \
             expires_at = $4, policy_violation = NULL, expired_use_at = NULL, expired_use_from = NULL, \
             disabled_at = CASE WHEN leaked_at IS NULL THEN disabled_at END, leaked_at = NULL, \
             version = version + 1 WHERE id = $5 AND organization_id = $6 AND version = $7",
        )
        .bind(&prefix)
        .bind(&now)
        .bind(&now)
        .bind(expires_at)
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "api_keys", &current.id).await;
        }
        if grace_seconds == 0 {
            sqlx::query("DELETE FROM api_key_secrets WHERE api_key_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("UPDATE api_key_secrets SET retires_at = $1 WHERE api_key_id = $2 AND retires_at IS NULL")
                .bind(self.in_seconds(i64::from(grace_seconds)))
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO api_key_secrets (digest, api_key_id, created_at, generated_by_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(key_format::digest(secret))
        .bind(&current.id)
        .bind(&now)
        .bind(&author.actor.id)
        .execute(&mut *tx)
        .await?;
        let generated = AuditAction::ApiKeyGenerated {
            regenerated: current.status != keydesk_contract::types::ApiKeyStatus::NotGenerated,
            display_prefix: Some(prefix),
            grace_period_seconds: grace_seconds,
        };
        self.record_change(
            &mut tx,
            author,
            generated,
            keydesk_contract::types::AuditTarget::api_key(&current.id, &current.name),
        )
        .await?;
        self.commit_and_read(tx, author, &current.id).await
    }

    /// The organization's keys whose current secret `user_id` generated, by name.
    pub async fn secrets_generated_by(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Vec<GeneratedSecret>, sqlx::Error> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT k.id, k.name, s.created_at FROM api_key_secrets s \
             JOIN api_keys k ON k.id = s.api_key_id \
             WHERE k.organization_id = $1 AND s.generated_by_id = $2 AND s.retires_at IS NULL \
             ORDER BY k.name_key, k.id",
        )
        .bind(organization_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, generated_at)| GeneratedSecret {
                api_key: NamedRef { id, name },
                generated_at,
            })
            .collect())
    }

    /// The key holding the secret with this digest, if it is current (or
    /// within its grace period) and the key has not expired. Only reads: the
    /// use is recorded by [`crate::usage::Usage`], in the background. A key
    /// seen recently is answered from memory (see [`super::super::key_cache`]).
    /// `now` is the server clock's time, so tests can move past an expiry.
    pub async fn identity_for_secret(
        &self,
        digest: &str,
        now: &str,
    ) -> Result<Option<Identity>, sqlx::Error> {
        if let Some(known) = self.key_cache.get(digest, now) {
            // With replicas, only while nothing changed anywhere since.
            if known.epoch.is_none()
                || self
                    .key_checks_epoch(&known.identity.organization.id)
                    .await?
                    == known.epoch
            {
                return Ok(Some(known.identity));
            }
            self.key_cache.forget_digest(digest);
        }
        let ticket = self.key_cache.ticket();
        type Row = (
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        // A key outside the key policy works until the policy's enforce_from.
        let row: Option<Row> = sqlx::query_as(
            "SELECT k.id, k.name, o.id, o.name, o.key_checks_epoch, k.expires_at, s.retires_at, \
             CASE WHEN k.policy_violation IS NOT NULL THEN p.enforce_from END, k.allowed_networks, k.network_mode \
             FROM api_key_secrets s \
             JOIN api_keys k ON k.id = s.api_key_id JOIN organizations o ON o.id = k.organization_id \
             LEFT JOIN key_policies p ON p.organization_id = k.organization_id \
             WHERE s.digest = $1 AND k.disabled_at IS NULL AND k.decoy = 0 \
             AND (s.retires_at IS NULL OR s.retires_at > $2) \
             AND (k.expires_at IS NULL OR k.expires_at > $3) \
             AND NOT (k.policy_violation IS NOT NULL AND p.enforce_from IS NOT NULL AND p.enforce_from <= $4)",
        )
        .bind(digest)
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some((
            key_id,
            key_name,
            organization_id,
            organization_name,
            epoch,
            expires_at,
            retires_at,
            stops_at,
            allowed_networks,
            network_mode,
        )) = row
        else {
            return Ok(None);
        };
        let role_ids = self
            .key_role_ids(&[&key_id])
            .await?
            .remove(&key_id)
            .unwrap_or_default();
        let book = self
            .role_book_for(&organization_id, role_ids.iter())
            .await?;
        let identity = Identity {
            organization: Organization {
                id: organization_id,
                name: organization_name,
            },
            actor: Actor {
                kind: ActorKind::ApiKey,
                id: key_id,
                name: key_name,
            },
            permissions: book
                .granted(role_ids.iter().map(String::as_str))
                .into_iter()
                .collect(),
            networks: crate::rules::networks::KeyNetworks::from_stored(
                allowed_networks.as_deref(),
                &network_mode,
            )
            .map(std::sync::Arc::new),
        };
        // The secret stops at the earliest of the key's expiry, the end of
        // its grace period and (outside the key policy) the policy's enforce_from.
        let valid_until = [expires_at, retires_at, stops_at]
            .into_iter()
            .flatten()
            .min();
        // The epoch was read with the key, before its roles: a change in
        // between leaves the entry behind the epoch, so it is read again.
        let epoch = (self.engine == super::super::Engine::Postgres).then_some(epoch);
        self.key_cache
            .remember(ticket, digest, &identity, valid_until, epoch);
        Ok(Some(identity))
    }
}
