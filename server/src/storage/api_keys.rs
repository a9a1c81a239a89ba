//! API keys, their roles and their secrets (stored only as SHA-256 digests).

use keydesk_contract::key_format::{self, Secret};
use keydesk_contract::types::{
    Actor, ActorKind, ApiKey, ApiKeyPage, ApiKeySort, ApiKeyStatus, AuditTarget, NamedRef,
    Organization,
};
use keydesk_contract::validation::{name_key, ValidKeyChange, ValidNewKey};
use serde_json::json;
use sqlx::{QueryBuilder, Sqlite, Transaction};
use std::collections::BTreeMap;

use super::audit::{record, AuditEntry};
use super::{granted, new_id, role_refs, Storage};
use crate::auth::Caller;
use crate::time_format;

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

/// The outcome of a change decided on an earlier read of the key.
#[derive(Debug)]
pub enum Written {
    Done(Box<ApiKey>),
    /// The key no longer exists.
    Gone,
    /// It changed (any field) since the read the caller's checks were made on.
    Changed,
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
}

const KEY_COLUMNS: &str = "k.id, k.name, k.description, k.created_by_id, k.created_by_name, \
     k.created_at, k.updated_at, k.generated_at, k.last_used_at, k.expires_at, k.display_prefix, \
     k.version";
const KEY_FROM: &str = " FROM api_keys k";

impl KeyRow {
    fn into_key(self, role_ids: &[String], now: &str) -> ApiKey {
        let expired = self.expires_at.as_deref().is_some_and(|e| e <= now);
        let status = match (&self.display_prefix, expired) {
            (_, true) => ApiKeyStatus::Expired,
            (None, false) => ApiKeyStatus::NotGenerated,
            (Some(_), false) => ApiKeyStatus::Active,
        };
        ApiKey {
            id: self.id,
            name: self.name,
            description: self.description,
            roles: role_refs(role_ids),
            permissions: granted(role_ids).into_iter().map(String::from).collect(),
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
            expires_at: self.expires_at,
            version: self.version as u64,
        }
    }
}

fn key_target(id: &str, name: &str) -> AuditTarget {
    AuditTarget {
        kind: "api_key".into(),
        id: id.into(),
        name: name.into(),
    }
}

/// Restricts a query to keys of one status at time `now`.
fn push_status(q: &mut QueryBuilder<'_, Sqlite>, status: ApiKeyStatus, now: &str) {
    q.push(" AND ");
    match status {
        ApiKeyStatus::Expired => {
            q.push("(k.expires_at IS NOT NULL AND k.expires_at <= ")
                .push_bind(now.to_string())
                .push(")");
        }
        ApiKeyStatus::NotGenerated | ApiKeyStatus::Active => {
            q.push("(k.expires_at IS NULL OR k.expires_at > ")
                .push_bind(now.to_string())
                .push(")");
            q.push(if status == ApiKeyStatus::Active {
                " AND k.display_prefix IS NOT NULL"
            } else {
                " AND k.display_prefix IS NULL"
            });
        }
    }
}

fn push_filters(q: &mut QueryBuilder<'_, Sqlite>, organization_id: &str, f: &KeyFilter, now: &str) {
    q.push(" WHERE k.organization_id = ")
        .push_bind(organization_id.to_string());
    if let Some(search) = &f.search {
        let escaped = name_key(search)
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND k.name_key LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(role) = &f.role {
        q.push(
            " AND EXISTS (SELECT 1 FROM api_key_roles r WHERE r.api_key_id = k.id AND r.role_id = ",
        )
        .push_bind(role.clone())
        .push(")");
    }
    if let Some(status) = f.status {
        push_status(q, status, now);
    }
}

impl Storage {
    async fn key_role_ids(
        &self,
        key_ids: &[&str],
    ) -> Result<BTreeMap<String, Vec<String>>, sqlx::Error> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if key_ids.is_empty() {
            return Ok(map);
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT api_key_id, role_id FROM api_key_roles WHERE api_key_id IN (",
        );
        let mut list = q.separated(", ");
        for id in key_ids {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<(String, String)> = q.build_query_as().fetch_all(&self.pool).await?;
        for (key, role) in rows {
            map.entry(key).or_default().push(role);
        }
        // Present roles in the catalogue's order, not the database's.
        for roles in map.values_mut() {
            roles.sort_by_key(|id| {
                keydesk_contract::roles::BUILT_IN_ROLES
                    .iter()
                    .position(|r| r.id == id)
            });
        }
        Ok(map)
    }

    async fn with_roles(&self, rows: Vec<KeyRow>) -> Result<Vec<ApiKey>, sqlx::Error> {
        let now = time_format::now_text();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut roles = self.key_role_ids(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let role_ids = roles.remove(&row.id).unwrap_or_default();
                row.into_key(&role_ids, &now)
            })
            .collect())
    }

    pub async fn list_keys(
        &self,
        organization_id: &str,
        f: &KeyFilter,
    ) -> Result<ApiKeyPage, sqlx::Error> {
        let now = time_format::now_text();

        let mut count = QueryBuilder::<Sqlite>::new(format!("SELECT COUNT(*) {KEY_FROM}"));
        push_filters(&mut count, organization_id, f, &now);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;

        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {KEY_COLUMNS} {KEY_FROM}"));
        push_filters(&mut q, organization_id, f, &now);
        q.push(match f.sort {
            ApiKeySort::NameAsc => " ORDER BY k.name_key ASC, k.id ASC",
            ApiKeySort::NameDesc => " ORDER BY k.name_key DESC, k.id DESC",
            ApiKeySort::CreatedAsc => " ORDER BY k.created_at ASC, k.id ASC",
            ApiKeySort::CreatedDesc => " ORDER BY k.created_at DESC, k.id DESC",
            ApiKeySort::LastUsed => {
                " ORDER BY (k.last_used_at IS NULL) ASC, k.last_used_at DESC, k.id ASC"
            }
        });
        q.push(" LIMIT ")
            .push_bind(i64::from(f.limit))
            .push(" OFFSET ")
            .push_bind(f.offset as i64);
        let rows: Vec<KeyRow> = q.build_query_as().fetch_all(&self.pool).await?;

        let end = f.offset + rows.len() as u64;
        let next_cursor = (end < total as u64).then(|| end.to_string());
        Ok(ApiKeyPage {
            items: self.with_roles(rows).await?,
            next_cursor,
            total: total as u64,
        })
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
        Ok(self.with_roles(row.into_iter().collect()).await?.pop())
    }

    /// Creates a key without a secret. A taken name fails on the
    /// `api_keys_name_unique` constraint, so concurrent creates cannot both win.
    pub async fn create_key(
        &self,
        caller: &Caller,
        v: &ValidNewKey,
    ) -> Result<ApiKey, sqlx::Error> {
        let now = time_format::now_text();
        let id = new_id("key");
        let expires_at = v
            .expires_in_days
            .map(|d| time_format::in_seconds(i64::from(d) * 86_400));
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, organization_id, name, name_key, description, created_by_type, created_by_id, \
             created_by_name, created_at, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(&caller.organization.id)
        .bind(&v.name)
        .bind(name_key(&v.name))
        .bind(&v.description)
        .bind(if caller.is_key() { "api_key" } else { "user" })
        .bind(&caller.actor.id)
        .bind(&caller.actor.name)
        .bind(&now)
        .bind(&now)
        .bind(&expires_at)
        .execute(&mut *tx)
        .await?;
        set_roles(&mut tx, &id, &v.role_ids).await?;
        let details = json!({ "name": v.name, "description": v.description, "role_ids": v.role_ids, "expires_at": expires_at });
        audit_key(&mut tx, caller, "api_key.created", &id, &v.name, details).await?;
        tx.commit().await?;
        Ok(self
            .get_key(&caller.organization.id, &id)
            .await?
            .expect("the key was just created"))
    }

    /// Applies an edit decided on `current`.
    pub async fn update_key(
        &self,
        caller: &Caller,
        current: &ApiKey,
        change: &ValidKeyChange,
    ) -> Result<Written, sqlx::Error> {
        let now = time_format::now_text();
        let name = change.name.as_deref().unwrap_or(&current.name);
        let description = change
            .description
            .as_deref()
            .unwrap_or(&current.description);
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE api_keys SET name = $1, name_key = $2, description = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND organization_id = $6 AND version = $7",
        )
        .bind(name)
        .bind(name_key(name))
        .bind(description)
        .bind(&now)
        .bind(&current.id)
        .bind(&caller.organization.id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if let Some(refused) = refuse_if_stale(&mut tx, updated.rows_affected(), current).await? {
            return Ok(refused);
        }
        if let Some(role_ids) = &change.role_ids {
            sqlx::query("DELETE FROM api_key_roles WHERE api_key_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
            set_roles(&mut tx, &current.id, role_ids).await?;
        }
        let before: Vec<&str> = current.roles.iter().map(|r| r.id.as_str()).collect();
        let details = json!({
            "name": change.name.as_ref().filter(|n| **n != current.name).map(|n| json!({"from": current.name, "to": n})),
            "description": change.description.as_ref().filter(|d| **d != current.description).map(|d| json!({"from": current.description, "to": d})),
            "role_ids": change.role_ids.as_ref().map(|r| json!({"from": before, "to": r})),
        });
        audit_key(
            &mut tx,
            caller,
            "api_key.updated",
            &current.id,
            name,
            details,
        )
        .await?;
        self.commit_and_read(tx, caller, &current.id).await
    }

    /// Commits a change to a key and answers with the key as it now is.
    async fn commit_and_read(
        &self,
        tx: Transaction<'static, Sqlite>,
        caller: &Caller,
        key_id: &str,
    ) -> Result<Written, sqlx::Error> {
        tx.commit().await?;
        let key = self.get_key(&caller.organization.id, key_id).await?;
        Ok(key.map_or(Written::Gone, |k| Written::Done(Box::new(k))))
    }

    /// Removes a key and its secrets at once; its name is free again.
    /// Refused (`Changed`) if the key changed since `current` was read.
    pub async fn delete_key(
        &self,
        caller: &Caller,
        current: &ApiKey,
    ) -> Result<Written, sqlx::Error> {
        let mut tx = self.write().await?;
        let deleted = sqlx::query(
            "DELETE FROM api_keys WHERE id = $1 AND organization_id = $2 AND version = $3",
        )
        .bind(&current.id)
        .bind(&caller.organization.id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if let Some(refused) = refuse_if_stale(&mut tx, deleted.rows_affected(), current).await? {
            return Ok(refused);
        }
        let details =
            json!({ "role_ids": current.roles.iter().map(|r| &r.id).collect::<Vec<_>>() });
        audit_key(
            &mut tx,
            caller,
            "api_key.deleted",
            &current.id,
            &current.name,
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(Written::Done(Box::new(current.clone())))
    }

    /// Makes `secret` the key's only current secret. Earlier secrets stop
    /// working now, or after `grace_seconds` when that is above zero.
    pub async fn replace_secret(
        &self,
        caller: &Caller,
        current: &ApiKey,
        secret: &Secret,
        grace_seconds: u32,
    ) -> Result<Written, sqlx::Error> {
        let now = time_format::now_text();
        let prefix = key_format::display_prefix(secret.expose());
        let mut tx = self.write().await?;
        let updated = sqlx::query(
            "UPDATE api_keys SET display_prefix = $1, generated_at = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND organization_id = $5 AND version = $6",
        )
        .bind(&prefix)
        .bind(&now)
        .bind(&now)
        .bind(&current.id)
        .bind(&caller.organization.id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if let Some(refused) = refuse_if_stale(&mut tx, updated.rows_affected(), current).await? {
            return Ok(refused);
        }
        if grace_seconds == 0 {
            sqlx::query("DELETE FROM api_key_secrets WHERE api_key_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("UPDATE api_key_secrets SET retires_at = $1 WHERE api_key_id = $2 AND retires_at IS NULL")
                .bind(time_format::in_seconds(i64::from(grace_seconds)))
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO api_key_secrets (digest, api_key_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(key_format::digest(secret))
        .bind(&current.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let details = json!({
            "regenerated": current.status != keydesk_contract::types::ApiKeyStatus::NotGenerated,
            "display_prefix": prefix,
            "grace_period_seconds": grace_seconds,
        });
        audit_key(
            &mut tx,
            caller,
            "api_key.generated",
            &current.id,
            &current.name,
            details,
        )
        .await?;
        self.commit_and_read(tx, caller, &current.id).await
    }

    /// The caller holding the secret with this digest, if it is current (or
    /// within its grace period) and the key has not expired. Only reads: the
    /// use is recorded by [`crate::usage::Usage`], in the background.
    pub async fn caller_for_secret(&self, digest: &str) -> Result<Option<Caller>, sqlx::Error> {
        let now = time_format::now_text();
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT k.id, k.name, o.id, o.name FROM api_key_secrets s \
             JOIN api_keys k ON k.id = s.api_key_id JOIN organizations o ON o.id = k.organization_id \
             WHERE s.digest = $1 AND (s.retires_at IS NULL OR s.retires_at > $2) \
             AND (k.expires_at IS NULL OR k.expires_at > $3)",
        )
        .bind(digest)
        .bind(&now)
        .bind(&now)
        .fetch_optional(&self.pool)
        .await?;
        let Some((key_id, key_name, organization_id, organization_name)) = row else {
            return Ok(None);
        };
        let role_ids = self
            .key_role_ids(&[&key_id])
            .await?
            .remove(&key_id)
            .unwrap_or_default();
        Ok(Some(Caller {
            organization: Organization {
                id: organization_id,
                name: organization_name,
            },
            actor: Actor {
                kind: ActorKind::ApiKey,
                id: key_id,
                name: key_name,
            },
            permissions: granted(&role_ids).into_iter().collect(),
            client: crate::auth::UNKNOWN_CLIENT,
        }))
    }

    /// Writes noted uses (key id, time) in one transaction; a use older than
    /// what is stored changes nothing.
    pub async fn record_last_used(&self, uses: &[(String, String)]) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        for (key_id, at) in uses {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(at)
            .bind(key_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}

/// After a write guarded by `current`'s version touched `updated` rows: why
/// it must not stand, if it must not. The checks (escalation included) were
/// made on `current`; a key that changed since (any field) is refused rather
/// than silently overwritten.
async fn refuse_if_stale(
    tx: &mut Transaction<'static, Sqlite>,
    updated: u64,
    current: &ApiKey,
) -> Result<Option<Written>, sqlx::Error> {
    if updated > 0 {
        return Ok(None);
    }
    let exists: Option<i64> = sqlx::query_scalar("SELECT version FROM api_keys WHERE id = $1")
        .bind(&current.id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(Some(if exists.is_some() {
        Written::Changed
    } else {
        Written::Gone
    }))
}

async fn set_roles(
    tx: &mut Transaction<'static, Sqlite>,
    key_id: &str,
    role_ids: &[String],
) -> Result<(), sqlx::Error> {
    for role_id in role_ids {
        sqlx::query("INSERT INTO api_key_roles (api_key_id, role_id) VALUES ($1, $2)")
            .bind(key_id)
            .bind(role_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn audit_key(
    tx: &mut Transaction<'static, Sqlite>,
    caller: &Caller,
    action: &str,
    key_id: &str,
    key_name: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    record(
        tx,
        AuditEntry {
            organization_id: &caller.organization.id,
            actor: &caller.actor,
            action,
            target: key_target(key_id, key_name),
            details,
        },
    )
    .await
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
        }
    }

    #[test]
    fn status_follows_secret_and_expiry() {
        let now = "2026-06-01T00:00:00.000000Z";
        let status = |r: KeyRow| r.into_key(&["document-viewer".into()], now).status;
        assert_eq!(status(row(None, None)), ApiKeyStatus::NotGenerated);
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
    }
}
