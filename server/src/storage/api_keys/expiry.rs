//! Expiry warnings: keys that stop soon, and calls made with expired
//! secrets (noted at most once a minute per key, off the key check's
//! success path: only a refused key is looked for).

use keydesk_contract::expiry::{ExpiredButUsed, ExpiringKey, ExpiryWarnings};

use crate::storage::Storage;

impl Storage {
    /// Notes that the secret with `digest` was presented after its key
    /// expired (if that is why it was refused), from `address`. A read
    /// first: a flood of unknown keys costs reads, never write locks.
    pub async fn note_expired_use(
        &self,
        digest: &str,
        now: &str,
        a_minute_ago: &str,
        address: &str,
    ) -> Result<(), sqlx::Error> {
        let expired: Option<(String,)> = sqlx::query_as(
            "SELECT k.id FROM api_key_secrets s JOIN api_keys k ON k.id = s.api_key_id \
             WHERE s.digest = $1 AND k.expires_at IS NOT NULL AND k.expires_at <= $2 \
             AND (k.expired_use_at IS NULL OR k.expired_use_at < $3)",
        )
        .bind(digest)
        .bind(now)
        .bind(a_minute_ago)
        .fetch_optional(&self.pool)
        .await?;
        let Some((key_id,)) = expired else {
            return Ok(());
        };
        sqlx::query(
            "UPDATE api_keys SET expired_use_at = $1, expired_use_from = $2 \
             WHERE id = $3 AND (expired_use_at IS NULL OR expired_use_at < $4)",
        )
        .bind(now)
        .bind(address)
        .bind(&key_id)
        .bind(a_minute_ago)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// The organization's keys expiring between `now` and `until`, and its
    /// expired keys called after they expired.
    pub async fn expiry_warnings(
        &self,
        organization_id: &str,
        now: &str,
        until: &str,
    ) -> Result<ExpiryWarnings, sqlx::Error> {
        let soon: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, name, expires_at FROM api_keys WHERE organization_id = $1 \
             AND disabled_at IS NULL AND display_prefix IS NOT NULL \
             AND expires_at > $2 AND expires_at <= $3 ORDER BY expires_at, id",
        )
        .bind(organization_id)
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let used: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT id, name, expires_at, expired_use_at, expired_use_from FROM api_keys \
             WHERE organization_id = $1 AND expires_at <= $2 AND expired_use_at IS NOT NULL \
             AND expired_use_at > expires_at ORDER BY expired_use_at DESC, id",
        )
        .bind(organization_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(ExpiryWarnings {
            expiring_soon: soon
                .into_iter()
                .map(|(id, name, expires_at)| ExpiringKey {
                    id,
                    name,
                    expires_at,
                })
                .collect(),
            expired_but_used: used
                .into_iter()
                .map(|(id, name, expires_at, at, from)| ExpiredButUsed {
                    id,
                    name,
                    expires_at,
                    last_call_at: at,
                    last_call_from: from,
                })
                .collect(),
        })
    }
}
