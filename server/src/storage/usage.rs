//! What keys did, as `crate::usage` counts it: written in batches, read for
//! a key's usage view, the inventory and least-privilege suggestions.

use std::collections::{BTreeMap, HashMap};

use super::Storage;

/// Counts not yet written. Keys: key id; (key id, day); (key id, permission, day).
#[derive(Debug, Default)]
pub struct UsageBatch {
    /// key id → (last use, client address).
    pub last_used: HashMap<String, (String, String)>,
    /// (key id, day) → (requests, refused).
    pub days: HashMap<(String, String), (u64, u64)>,
    /// (key id, permission, day) → (requests, last use).
    pub permissions: HashMap<(String, String, String), (u64, String)>,
    /// (key id, network it was used from) → (requests, last use).
    pub networks: HashMap<(String, String), (u64, String)>,
}

impl UsageBatch {
    pub fn is_empty(&self) -> bool {
        self.last_used.is_empty()
            && self.days.is_empty()
            && self.permissions.is_empty()
            && self.networks.is_empty()
    }

    /// Adds `other`'s counts to these (a failed write's, back for a retry).
    pub fn merge(&mut self, other: UsageBatch) {
        for (key, (at, from)) in other.last_used {
            match self.last_used.get(&key) {
                Some((mine, _)) if *mine >= at => {}
                _ => {
                    self.last_used.insert(key, (at, from));
                }
            }
        }
        for (day, (requests, refused)) in other.days {
            let mine = self.days.entry(day).or_insert((0, 0));
            mine.0 += requests;
            mine.1 += refused;
        }
        for (at, (requests, last)) in other.permissions {
            let mine = self.permissions.entry(at).or_insert((0, last.clone()));
            mine.0 += requests;
            if mine.1 < last {
                mine.1 = last;
            }
        }
        for (at, (requests, last)) in other.networks {
            let mine = self.networks.entry(at).or_insert((0, last.clone()));
            mine.0 += requests;
            if mine.1 < last {
                mine.1 = last;
            }
        }
    }
}

/// A key's requests and refusals on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub day: String,
    pub requests: u64,
    pub refused: u64,
}

/// How a key used one permission in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionUse {
    pub permission: String,
    pub requests: u64,
    pub last_used_at: String,
}

impl Storage {
    /// Writes a batch in one transaction. Counts of a key removed meanwhile
    /// are dropped (its rows would be removed with it anyway).
    pub async fn record_usage(&self, batch: &UsageBatch) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        for (key_id, (at, from)) in &batch.last_used {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1, last_used_from = $2 WHERE id = $3 \
                 AND (last_used_at IS NULL OR last_used_at < $4)",
            )
            .bind(at)
            .bind(from)
            .bind(key_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        for ((key_id, day), (requests, refused)) in &batch.days {
            sqlx::query(
                "INSERT INTO key_usage_days (api_key_id, day, requests, refused) \
                 SELECT id, $1, $2, $3 FROM api_keys WHERE id = $4 \
                 ON CONFLICT (api_key_id, day) DO UPDATE SET \
                 requests = key_usage_days.requests + excluded.requests, \
                 refused = key_usage_days.refused + excluded.refused",
            )
            .bind(day)
            .bind(*requests as i64)
            .bind(*refused as i64)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        }
        for ((key_id, permission, day), (requests, last)) in &batch.permissions {
            sqlx::query(
                "INSERT INTO key_permission_days (api_key_id, permission, day, requests, last_used_at) \
                 SELECT id, $1, $2, $3, $4 FROM api_keys WHERE id = $5 \
                 ON CONFLICT (api_key_id, permission, day) DO UPDATE SET \
                 requests = key_permission_days.requests + excluded.requests, \
                 last_used_at = CASE WHEN excluded.last_used_at > key_permission_days.last_used_at \
                 THEN excluded.last_used_at ELSE key_permission_days.last_used_at END",
            )
            .bind(permission)
            .bind(day)
            .bind(*requests as i64)
            .bind(last)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        }
        for ((key_id, network), (requests, last)) in &batch.networks {
            sqlx::query(
                "INSERT INTO key_networks_seen (api_key_id, network, requests, last_used_at) \
                 SELECT id, $1, $2, $3 FROM api_keys WHERE id = $4 \
                 ON CONFLICT (api_key_id, network) DO UPDATE SET \
                 requests = key_networks_seen.requests + excluded.requests, \
                 last_used_at = CASE WHEN excluded.last_used_at > key_networks_seen.last_used_at \
                 THEN excluded.last_used_at ELSE key_networks_seen.last_used_at END",
            )
            .bind(network)
            .bind(*requests as i64)
            .bind(last)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The networks a key was used from: (network, requests, last use).
    pub async fn key_networks_seen(
        &self,
        key_id: &str,
    ) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT network, requests, last_used_at FROM key_networks_seen WHERE api_key_id = $1",
        )
        .bind(key_id)
        .fetch_all(&self.pool)
        .await
    }

    /// A key's requests and refusals per day since `first_day` (days
    /// without any are absent), oldest first.
    pub async fn key_days(
        &self,
        key_id: &str,
        first_day: &str,
    ) -> Result<Vec<DayCount>, sqlx::Error> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT day, requests, refused FROM key_usage_days \
             WHERE api_key_id = $1 AND day >= $2 ORDER BY day",
        )
        .bind(key_id)
        .bind(first_day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(day, requests, refused)| DayCount {
                day,
                requests: requests.max(0) as u64,
                refused: refused.max(0) as u64,
            })
            .collect())
    }

    /// The permissions each key of the organization exercised since
    /// `first_day` (or only `key_id`'s, for one key's views): key id → uses,
    /// in permission order.
    pub async fn permissions_used(
        &self,
        organization_id: &str,
        key_id: Option<&str>,
        first_day: &str,
    ) -> Result<BTreeMap<String, Vec<PermissionUse>>, sqlx::Error> {
        // (A sum of BIGINTs is NUMERIC on PostgreSQL: cast back for both engines.)
        let mut q = super::sql::Sql::new(
            "SELECT u.api_key_id, u.permission, CAST(SUM(u.requests) AS BIGINT), MAX(u.last_used_at) \
             FROM key_permission_days u JOIN api_keys k ON k.id = u.api_key_id \
             WHERE k.organization_id = ",
        );
        q.bind_text(organization_id)
            .push(" AND u.day >= ")
            .bind_text(first_day);
        if let Some(key_id) = key_id {
            q.push(" AND u.api_key_id = ").bind_text(key_id);
        }
        q.push(" GROUP BY u.api_key_id, u.permission ORDER BY u.api_key_id, u.permission");
        let rows: Vec<(String, String, i64, String)> = q.query_as().fetch_all(&self.pool).await?;
        let mut used: BTreeMap<String, Vec<PermissionUse>> = BTreeMap::new();
        for (key_id, permission, requests, last_used_at) in rows {
            used.entry(key_id).or_default().push(PermissionUse {
                permission,
                requests: requests.max(0) as u64,
                last_used_at,
            });
        }
        Ok(used)
    }

    /// The permissions each of these keys exercised since `first_day`.
    pub async fn used_by_keys(
        &self,
        key_ids: &[&str],
        first_day: &str,
    ) -> Result<BTreeMap<String, Vec<String>>, sqlx::Error> {
        let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if key_ids.is_empty() {
            return Ok(used);
        }
        let mut q = super::sql::Sql::new(
            "SELECT DISTINCT api_key_id, permission FROM key_permission_days WHERE day >= ",
        );
        q.bind_text(first_day).push(" AND api_key_id IN ");
        q.bind_list(key_ids.iter().copied());
        let rows: Vec<(String, String)> = q.query_as().fetch_all(&self.pool).await?;
        for (key, permission) in rows {
            used.entry(key).or_default().push(permission);
        }
        Ok(used)
    }

    /// Removes counts of days before `first_kept_day`.
    pub async fn delete_old_usage(&self, first_kept_day: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM key_usage_days WHERE day < $1")
            .bind(first_kept_day)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM key_permission_days WHERE day < $1")
            .bind(first_kept_day)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
