//! API keys, their roles and their secrets (stored only as SHA-256 digests),
//! one job per file: [`listing`] (search, filter, sort, page), [`changes`]
//! (create, edit, remove, each version-guarded and audited) and [`secrets`]
//! (generate, and the key check).

mod bulk;
mod changes;
mod expiry;
mod guardrails;
mod listing;
mod secrets;

pub use expiry::Expiring;

use keydesk_contract::roles::RoleSet;
use keydesk_contract::types::{ApiKey, ApiKeySort, ApiKeyStatus, NamedRef};
use std::collections::BTreeMap;

use super::{RoleBook, RolesOf, Storage};

/// What `GET /api-keys` asks for, already validated.
#[derive(Debug, Clone)]
pub struct KeyFilter {
    pub search: Option<String>,
    pub role: Option<String>,
    pub status: Option<ApiKeyStatus>,
    pub sort: ApiKeySort,
    pub offset: u64,
    pub limit: u32,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    name: String,
    description: String,
    created_by_id: String,
    created_by_name: String,
    created_at: String,
    updated_at: String,
    generated_at: Option<String>,
    last_used_at: Option<String>,
    expires_at: Option<String>,
    display_prefix: Option<String>,
    version: i64,
    disabled_at: Option<String>,
    last_used_from: Option<String>,
    policy_violation: Option<String>,
    policy_enforce_from: Option<String>,
    leaked_at: Option<String>,
    decoy: i64,
    allowed_networks: Option<String>,
    network_mode: String,
}

const KEY_COLUMNS: &str = "k.id, k.name, k.description, k.created_by_id, k.created_by_name, \
     k.created_at, k.updated_at, k.generated_at, k.last_used_at, k.expires_at, k.display_prefix, \
     k.version, k.disabled_at, k.last_used_from, k.policy_violation, \
     p.enforce_from AS policy_enforce_from, k.leaked_at, k.decoy, k.allowed_networks, k.network_mode";
const KEY_FROM: &str =
    " FROM api_keys k LEFT JOIN key_policies p ON p.organization_id = k.organization_id";

impl KeyRow {
    fn into_key(self, book: &RoleBook, role_ids: &[String], now: &str) -> ApiKey {
        let status = crate::rules::keys::status(
            self.display_prefix.is_some(),
            crate::rules::keys::Marks {
                disabled: self.disabled_at.is_some(),
                leaked: self.leaked_at.is_some(),
                decoy: self.decoy != 0,
            },
            self.expires_at.as_deref(),
            now,
        );
        ApiKey {
            id: self.id,
            name: self.name,
            description: self.description,
            roles: book.refs(role_ids),
            permissions: book
                .granted(role_ids.iter().map(String::as_str))
                .into_iter()
                .map(String::from)
                .collect(),
            status,
            display_prefix: self.display_prefix,
            created_by: NamedRef {
                id: self.created_by_id,
                name: self.created_by_name,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
            generated_at: self.generated_at,
            last_used_at: self.last_used_at,
            last_used_from: self.last_used_from,
            unused_permissions: None,
            expires_at: self.expires_at,
            policy_violation: self
                .policy_violation
                .as_deref()
                .and_then(keydesk_contract::key_policy::ViolationReason::parse)
                .map(|reason| keydesk_contract::key_policy::PolicyViolation {
                    reason,
                    enforce_from: self.policy_enforce_from.clone(),
                }),
            version: self.version as u64,
            allowed_networks: self
                .allowed_networks
                .as_deref()
                .and_then(|list| serde_json::from_str(list).ok())
                .unwrap_or_default(),
            network_mode: keydesk_contract::types::NetworkMode::parse(&self.network_mode)
                .unwrap_or_default(),
        }
    }
}

impl Storage {
    async fn key_role_ids(
        &self,
        key_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<String>>, sqlx::Error> {
        self.roles_of(RolesOf::ApiKeys, key_ids).await
    }

    async fn with_roles(
        &self,
        organization_id: &str,
        rows: Vec<KeyRow>,
    ) -> Result<Vec<ApiKey>, sqlx::Error> {
        let now = self.now();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut roles = self.key_role_ids(&ids).await?;
        let book = self
            .role_book_for(organization_id, roles.values().flatten())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let role_ids = roles.remove(&row.id).unwrap_or_default();
                row.into_key(&book, &role_ids, &now)
            })
            .collect())
    }

    /// Every key of the organization, by name (the inventory).
    pub async fn all_keys(&self, organization_id: &str) -> Result<Vec<ApiKey>, sqlx::Error> {
        let rows: Vec<KeyRow> = sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} {KEY_FROM} WHERE k.organization_id = $1 ORDER BY k.name_key, k.id"
        ))
        .bind(organization_id)
        .fetch_all(&self.pool)
        .await?;
        self.with_roles(organization_id, rows).await
    }

    pub async fn get_key(
        &self,
        organization_id: &str,
        id: &str,
    ) -> Result<Option<ApiKey>, sqlx::Error> {
        let row: Option<KeyRow> = sqlx::query_as(&format!(
            "SELECT {KEY_COLUMNS} {KEY_FROM} WHERE k.organization_id = $1 AND k.id = $2"
        ))
        .bind(organization_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(self
            .with_roles(organization_id, row.into_iter().collect())
            .await?
            .pop())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(prefix: Option<&str>, expires_at: Option<&str>) -> KeyRow {
        KeyRow {
            id: "key_1".into(),
            name: "K".into(),
            description: String::new(),
            created_by_id: "usr_1".into(),
            created_by_name: "Ada".into(),
            created_at: "2026-01-01T00:00:00.000000Z".into(),
            updated_at: "2026-01-01T00:00:00.000000Z".into(),
            generated_at: None,
            last_used_at: None,
            expires_at: expires_at.map(String::from),
            display_prefix: prefix.map(String::from),
            version: 1,
            disabled_at: None,
            last_used_from: None,
            policy_violation: None,
            policy_enforce_from: None,
            leaked_at: None,
            decoy: 0,
            allowed_networks: None,
            network_mode: "enforce".into(),
        }
    }

    #[test]
    fn status_follows_secret_and_expiry() {
        let now = "2026-06-01T00:00:00.000000Z";
        let status = |r: KeyRow| {
            r.into_key(&RoleBook::default(), &["document-viewer".into()], now)
                .status
        };
        assert_eq!(status(row(None, None)), ApiKeyStatus::NotGenerated);
        let disabled = |r: KeyRow| KeyRow {
            disabled_at: Some("2026-05-01T00:00:00.000000Z".into()),
            ..r
        };
        assert_eq!(
            status(disabled(row(
                Some("kd_live_AbCd"),
                Some("2026-01-02T00:00:00.000000Z")
            ))),
            ApiKeyStatus::Disabled,
            "switched off shows first, even when expired"
        );
        assert_eq!(
            status(row(Some("kd_live_AbCd"), None)),
            ApiKeyStatus::Active
        );
        assert_eq!(
            status(row(
                Some("kd_live_AbCd"),
                Some("2026-07-01T00:00:00.000000Z")
            )),
            ApiKeyStatus::Active
        );
        assert_eq!(
            status(row(
                Some("kd_live_AbCd"),
                Some("2026-05-01T00:00:00.000000Z")
            )),
            ApiKeyStatus::Expired
        );
        assert_eq!(
            status(row(None, Some("2026-05-01T00:00:00.000000Z"))),
            ApiKeyStatus::Expired
        );
        let leaked = KeyRow {
            leaked_at: Some("2026-05-01T00:00:00.000000Z".into()),
            ..disabled(row(Some("kd_live_AbCd"), None))
        };
        assert_eq!(status(leaked), ApiKeyStatus::Leaked);
        let decoy = KeyRow {
            decoy: 1,
            ..row(Some("kd_live_AbCd"), Some("2026-05-01T00:00:00.000000Z"))
        };
        assert_eq!(status(decoy), ApiKeyStatus::Decoy, "a decoy is always one");
    }
}
