//! Creating, editing and removing keys. Each change is decided by the caller
//! on a read of the key and written only if the key is still at that
//! version; each is recorded in the audit trail in the same transaction.

use keydesk_contract::audit::{AuditAction, Change};
use keydesk_contract::types::{ApiKey, AuditTarget};
use keydesk_contract::validation::{name_key, ValidKeyChange, ValidNewKey};
use sqlx::{Any, Transaction};

use crate::storage::replicas::Forget;
use crate::storage::{insert_holdings, new_id, stale, Author, Holdings, Outcome, Storage};

impl Storage {
    /// Creates a key without a secret. A taken name fails on the
    /// `api_keys_name_unique` constraint, so concurrent creates cannot both win.
    pub async fn create_key(
        &self,
        author: Author<'_>,
        v: &ValidNewKey,
        expires_at: Option<&str>,
    ) -> Result<ApiKey, sqlx::Error> {
        let now = self.now();
        let id = new_id("key");
        let expires_at = expires_at.map(String::from);
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, organization_id, name, name_key, description, created_by_type, created_by_id, \
             created_by_name, created_at, updated_at, expires_at, decoy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id)
        .bind(author.organization_id)
        .bind(&v.name)
        .bind(name_key(&v.name))
        .bind(&v.description)
        .bind(author.actor.kind.as_str())
        .bind(&author.actor.id)
        .bind(&author.actor.name)
        .bind(&now)
        .bind(&now)
        .bind(&expires_at)
        .bind(i64::from(v.decoy))
        .execute(&mut *tx)
        .await?;
        insert_holdings(&mut tx, Holdings::KeyRoles, &id, &v.role_ids).await?;
        let created = AuditAction::ApiKeyCreated {
            name: v.name.clone(),
            description: v.description.clone(),
            role_ids: v.role_ids.clone(),
            expires_at: expires_at.clone(),
        };
        self.record_change(&mut tx, author, created, AuditTarget::api_key(&id, &v.name))
            .await?;
        tx.commit().await?;
        Ok(self
            .get_key(author.organization_id, &id)
            .await?
            .expect("the key was just created"))
    }

    /// Applies an edit decided on `current`.
    pub async fn update_key(
        &self,
        author: Author<'_>,
        current: &ApiKey,
        change: &ValidKeyChange,
    ) -> Result<Outcome<ApiKey>, sqlx::Error> {
        let now = self.now();
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
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "api_keys", &current.id).await;
        }
        if let Some(role_ids) = &change.role_ids {
            sqlx::query("DELETE FROM api_key_roles WHERE api_key_id = $1")
                .bind(&current.id)
                .execute(&mut *tx)
                .await?;
            insert_holdings(&mut tx, Holdings::KeyRoles, &current.id, role_ids).await?;
        }
        let updated = AuditAction::ApiKeyUpdated {
            name: change
                .name
                .as_ref()
                .and_then(|n| Change::between(&current.name, n)),
            description: change
                .description
                .as_ref()
                .and_then(|d| Change::between(&current.description, d)),
            role_ids: change.role_ids.as_ref().map(|r| Change {
                from: current.roles.iter().map(|r| r.id.clone()).collect(),
                to: r.clone(),
            }),
        };
        self.record_change(
            &mut tx,
            author,
            updated,
            AuditTarget::api_key(&current.id, name),
        )
        .await?;
        self.commit_and_read(tx, author, &current.id).await
    }

    /// Commits a change to a key and answers with the key as it now is.
    pub(super) async fn commit_and_read(
        &self,
        tx: Transaction<'static, Any>,
        author: Author<'_>,
        key_id: &str,
    ) -> Result<Outcome<ApiKey>, sqlx::Error> {
        // Before the change is acknowledged, the key check forgets the old answer.
        self.commit_forgetting(
            tx,
            Forget::Key {
                organization_id: author.organization_id,
                key_id,
            },
        )
        .await?;
        let key = self.get_key(author.organization_id, key_id).await?;
        Ok(key.map_or(Outcome::Gone, |k| Outcome::Done(Box::new(k))))
    }

    /// Removes a key and its secrets at once; its name is free again.
    /// Refused (`Changed`) if the key changed since `current` was read.
    pub async fn delete_key(
        &self,
        author: Author<'_>,
        current: &ApiKey,
    ) -> Result<Outcome<ApiKey>, sqlx::Error> {
        let mut tx = self.write().await?;
        let deleted = sqlx::query(
            "DELETE FROM api_keys WHERE id = $1 AND organization_id = $2 AND version = $3",
        )
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return stale(&mut tx, "api_keys", &current.id).await;
        }
        let deleted = AuditAction::ApiKeyDeleted {
            role_ids: current.roles.iter().map(|r| r.id.clone()).collect(),
        };
        self.record_change(
            &mut tx,
            author,
            deleted,
            AuditTarget::api_key(&current.id, &current.name),
        )
        .await?;
        self.commit_forgetting(
            tx,
            Forget::Key {
                organization_id: author.organization_id,
                key_id: &current.id,
            },
        )
        .await?;
        Ok(Outcome::Done(Box::new(current.clone())))
    }
}

impl Storage {
    /// Switches a key off (its secrets answer 401) or on again. Nothing
    /// else changes; switching to the state it is in changes nothing.
    /// Refused (`Changed`) if the key changed since `current` was read.
    pub async fn set_key_disabled(
        &self,
        author: Author<'_>,
        current: &ApiKey,
        disabled: bool,
    ) -> Result<Outcome<ApiKey>, sqlx::Error> {
        let is_disabled = current.status == keydesk_contract::types::ApiKeyStatus::Disabled;
        if is_disabled == disabled {
            return Ok(Outcome::Done(Box::new(current.clone())));
        }
        let mut tx = self.write().await?;
        let now = self.now();
        let updated = sqlx::query(
            "UPDATE api_keys SET disabled_at = $1, updated_at = $2, version = version + 1 \
             WHERE id = $3 AND organization_id = $4 AND version = $5",
        )
        .bind(disabled.then(|| now.clone()))
        .bind(&now)
        .bind(&current.id)
        .bind(author.organization_id)
        .bind(current.version as i64)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return stale(&mut tx, "api_keys", &current.id).await;
        }
        let action = if disabled {
            AuditAction::ApiKeyDisabled {}
        } else {
            AuditAction::ApiKeyEnabled {}
        };
        self.record_change(
            &mut tx,
            author,
            action,
            AuditTarget::api_key(&current.id, &current.name),
        )
        .await?;
        self.commit_and_read(tx, author, &current.id).await
    }
}
