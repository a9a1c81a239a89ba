//! Expiry warnings: keys that stop soon, and calls made with expired
//! secrets (noted at most once a minute per key, off the key check's
//! success path: only a refused key is looked for). Both are also events:
//! `api_key.expiring` once per key, secret and threshold (30, 7, 1 days),
//! and `api_key.expired_but_used` at most once a day per key.

use keydesk_contract::events::{API_KEY_EXPIRED_BUT_USED, API_KEY_EXPIRING};
use keydesk_contract::expiry::{ExpiredButUsed, ExpiringKey, ExpiryWarnings};
use serde_json::json;

use crate::storage::{new_id, Storage};

/// A key whose secret expires within the widest threshold.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Expiring {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
}

/// A refused secret's key, if it is a decoy or expired and worth a note:
/// id, organization, name, expiry, last expired-use event, decoy.
type RefusedRow = (String, String, String, Option<String>, Option<String>, i64);

impl Storage {
    /// A refused secret with `digest`, from `address`: if it is a decoy's,
    /// answers the decoy's id (its alarm is the caller's to raise); if its key
    /// expired, notes it (at most once a minute per key). One read either
    /// way, as for a secret nobody knows: a flood of unknown keys costs
    /// reads, never write locks, and a decoy looks like any unknown key.
    pub async fn note_refused_secret(
        &self,
        digest: &str,
        now: &str,
        a_minute_ago: &str,
        address: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        let refused: Option<RefusedRow> = sqlx::query_as(
            "SELECT k.id, k.organization_id, k.name, k.expires_at, k.expired_use_event_at, k.decoy \
             FROM api_key_secrets s JOIN api_keys k ON k.id = s.api_key_id \
             WHERE s.digest = $1 AND (k.decoy = 1 OR (k.expires_at IS NOT NULL AND k.expires_at <= $2 \
             AND (k.expired_use_at IS NULL OR k.expired_use_at < $3)))",
        )
        .bind(digest)
        .bind(now)
        .bind(a_minute_ago)
        .fetch_optional(&self.pool)
        .await?;
        let Some((key_id, organization_id, name, expires_at, last_event, decoy)) = refused else {
            return Ok(None);
        };
        if decoy != 0 {
            return Ok(Some(key_id));
        }
        let expires_at = expires_at.unwrap_or_default();
        let a_day_ago = self.in_seconds(-86_400);
        if last_event.is_none_or(|at| at < a_day_ago) {
            self.note_expired_use_with_event(
                (&key_id, &organization_id, &name, &expires_at),
                now,
                &a_day_ago,
                address,
            )
            .await?;
            return Ok(None);
        }
        sqlx::query(
            "UPDATE api_keys SET expired_use_at = $1, expired_use_from = $2 \
             WHERE id = $3 AND (expired_use_at IS NULL OR expired_use_at < $4)",
        )
        .bind(now)
        .bind(address)
        .bind(&key_id)
        .bind(a_minute_ago)
        .execute(&self.pool)
        .await?;
        Ok(None)
    }

    /// The note, and an `api_key.expired_but_used` event unless another
    /// replica sent one within the day.
    async fn note_expired_use_with_event(
        &self,
        (key_id, organization_id, name, expires_at): (&str, &str, &str, &str),
        now: &str,
        a_day_ago: &str,
        address: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE api_keys SET expired_use_at = $1, expired_use_from = $2 WHERE id = $3")
            .bind(now)
            .bind(address)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        let due = sqlx::query(
            "UPDATE api_keys SET expired_use_event_at = $1 WHERE id = $2 \
             AND (expired_use_event_at IS NULL OR expired_use_event_at < $3)",
        )
        .bind(now)
        .bind(key_id)
        .bind(a_day_ago)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if due {
            let data = json!({
                "api_key": {"id": key_id, "name": name},
                "expires_at": expires_at,
                "address": address,
            });
            self.emit(
                &mut tx,
                organization_id,
                &new_id("evt"),
                API_KEY_EXPIRED_BUT_USED,
                now,
                data,
            )
            .await?;
        }
        tx.commit().await
    }

    /// Keys with a secret, switched on, expiring after `now` and by `until`
    /// (the widest threshold ahead), across organizations.
    pub async fn keys_expiring_by(
        &self,
        now: &str,
        until: &str,
    ) -> Result<Vec<Expiring>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, organization_id, name, expires_at, last_used_at FROM api_keys \
             WHERE disabled_at IS NULL AND display_prefix IS NOT NULL \
             AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at, id",
        )
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await
    }

    /// Sends `api_key.expiring` for `key` at threshold `days` (also marking
    /// the wider thresholds `passed`, crossed at the same time), unless it
    /// was sent for this secret already: once per key, lifetime and
    /// threshold, whichever replica notices first.
    pub async fn notice_expiring(
        &self,
        key: &Expiring,
        days: i64,
        passed: &[i64],
        requests_last_7_days: u64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.write().await?;
        let fresh = sqlx::query(
            "INSERT INTO api_key_expiry_notices (api_key_id, expires_at, days) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&key.id)
        .bind(&key.expires_at)
        .bind(days)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !fresh {
            return Ok(false);
        }
        for wider in passed {
            sqlx::query(
                "INSERT INTO api_key_expiry_notices (api_key_id, expires_at, days) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&key.id)
            .bind(&key.expires_at)
            .bind(wider)
            .execute(&mut *tx)
            .await?;
        }
        let now = self.now();
        let data = json!({
            "api_key": {"id": key.id, "name": key.name},
            "days": days,
            "expires_at": key.expires_at,
            "last_used_at": key.last_used_at,
            "requests_last_7_days": requests_last_7_days,
        });
        self.emit(
            &mut tx,
            &key.organization_id,
            &new_id("evt"),
            API_KEY_EXPIRING,
            &now,
            data,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether `api_key.expiring` was sent for `key`'s secret at `days`.
    pub async fn expiring_noticed(&self, key: &Expiring, days: i64) -> Result<bool, sqlx::Error> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM api_key_expiry_notices WHERE api_key_id = $1 AND expires_at = $2 AND days = $3",
        )
        .bind(&key.id)
        .bind(&key.expires_at)
        .bind(days)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
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
