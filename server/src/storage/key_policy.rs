//! The organization's key policy, and which keys are outside it. Why a key
//! is outside is stored on the key (`policy_violation`), recomputed for
//! every key when the policy changes and cleared when its secret is renewed
//! within the policy; the key check then needs only that column and the
//! policy's `enforce_from`.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::key_policy::{violation, KeyPolicy, KeyPolicyRequest, ViolationReason};

use super::replicas::Forget;
use super::{Author, Storage};

/// A key as a policy judges it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JudgedKey {
    pub id: String,
    pub name: String,
    pub expires_at: Option<String>,
    /// When its current secret was made (else when the key was).
    pub born_at: String,
}

/// Every key of an organization (`$1`) that has a secret, as a policy judges it.
const KEYS_TO_JUDGE: &str =
    "SELECT id, name, expires_at, COALESCE(generated_at, created_at) AS born_at FROM api_keys \
     WHERE organization_id = $1 AND display_prefix IS NOT NULL ORDER BY name_key, id";

/// A policy as stored: require_expiry (0/1), the lifetimes, enforce_from.
type PolicyRow = (i64, Option<i64>, Option<i64>, Option<String>);

impl Storage {
    /// The organization's policy (none set: nothing required).
    pub async fn key_policy(&self, organization_id: &str) -> Result<KeyPolicy, sqlx::Error> {
        let row: Option<PolicyRow> = sqlx::query_as(
            "SELECT require_expiry, max_lifetime_days, default_lifetime_days, enforce_from \
             FROM key_policies WHERE organization_id = $1",
        )
        .bind(organization_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map_or_else(KeyPolicy::default, |(r, max, default, from)| KeyPolicy {
                require_expiry: r != 0,
                max_lifetime_days: max.map(|d| d as u32),
                default_lifetime_days: default.map(|d| d as u32),
                enforce_from: from,
            }),
        )
    }

    /// Every key of the organization that has a secret, as a policy judges it.
    pub async fn keys_to_judge(
        &self,
        organization_id: &str,
    ) -> Result<Vec<JudgedKey>, sqlx::Error> {
        sqlx::query_as(KEYS_TO_JUDGE)
            .bind(organization_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Writes the policy, marks every key outside it (and clears those now
    /// inside), audits the change, and makes every replica's key check
    /// forget what it knew about the organization's keys.
    pub async fn set_key_policy(
        &self,
        author: Author<'_>,
        req: &KeyPolicyRequest,
        enforce_from: &str,
    ) -> Result<KeyPolicy, sqlx::Error> {
        let now = self.now();
        let mut tx = self.write().await?;
        // Read under the write lock: a key generated meanwhile is judged too.
        let keys: Vec<JudgedKey> = sqlx::query_as(KEYS_TO_JUDGE)
            .bind(author.organization_id)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM key_policies WHERE organization_id = $1")
            .bind(author.organization_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO key_policies (organization_id, require_expiry, max_lifetime_days, \
             default_lifetime_days, enforce_from, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(author.organization_id)
        .bind(i64::from(req.require_expiry))
        .bind(req.max_lifetime_days.map(i64::from))
        .bind(req.default_lifetime_days.map(i64::from))
        .bind(enforce_from)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        for key in &keys {
            let reason = judge(req.require_expiry, req.max_lifetime_days, key);
            sqlx::query("UPDATE api_keys SET policy_violation = $1 WHERE id = $2")
                .bind(reason.map(ViolationReason::as_str))
                .bind(&key.id)
                .execute(&mut *tx)
                .await?;
        }
        let target = super::audit::organization_target(&mut tx, author.organization_id).await?;
        let action = AuditAction::OrganizationKeyPolicyUpdated {
            require_expiry: req.require_expiry,
            max_lifetime_days: req.max_lifetime_days,
            default_lifetime_days: req.default_lifetime_days,
            enforce_from: Some(enforce_from.to_string()),
        };
        self.record_change(&mut tx, author, action, target).await?;
        self.commit_forgetting(tx, Forget::Organization(author.organization_id))
            .await?;
        self.key_policy(author.organization_id).await
    }
}

/// Why `key` is outside a policy, if it is.
pub fn judge(
    require_expiry: bool,
    max_lifetime_days: Option<u32>,
    key: &JudgedKey,
) -> Option<ViolationReason> {
    let seconds = |t: &str| crate::time_format::parse(t).map(|t| t.unix_timestamp());
    let born = seconds(&key.born_at).unwrap_or(0);
    let expires = key.expires_at.as_deref().and_then(seconds);
    violation(require_expiry, max_lifetime_days, born, expires)
}

impl Storage {
    /// Requests per key of the organization since `first_day` (written counts).
    pub async fn requests_since(
        &self,
        organization_id: &str,
        first_day: &str,
    ) -> Result<std::collections::HashMap<String, u64>, sqlx::Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT u.api_key_id, CAST(SUM(u.requests) AS BIGINT) FROM key_usage_days u \
             JOIN api_keys k ON k.id = u.api_key_id \
             WHERE k.organization_id = $1 AND u.day >= $2 GROUP BY u.api_key_id",
        )
        .bind(organization_id)
        .bind(first_day)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(k, n)| (k, n.max(0) as u64))
            .collect())
    }
}
