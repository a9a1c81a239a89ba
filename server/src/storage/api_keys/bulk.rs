//! Bulk actions: several keys disabled, enabled or removed in one write,
//! each change audited, all or nothing (one key changed since it was read
//! and none changes).

use keydesk_contract::audit::AuditAction;
use keydesk_contract::bulk::BulkAction;
use keydesk_contract::types::{ApiKey, ApiKeyStatus, AuditTarget};

use crate::storage::replicas::Forget;
use crate::storage::{stale, Author, Outcome, Storage};

impl Storage {
    /// Applies `action` to every key of `keys` (as read when the caller's
    /// rights were checked); `Changed` or `Gone` and nothing is written if
    /// any of them changed meanwhile.
    pub async fn bulk_change(
        &self,
        author: Author<'_>,
        keys: &[ApiKey],
        action: BulkAction,
    ) -> Result<Outcome<()>, sqlx::Error> {
        let mut tx = self.write().await?;
        let now = self.now();
        for key in keys {
            let (sql, audited) = match action {
                BulkAction::Delete => (
                    "DELETE FROM api_keys WHERE id = $1 AND organization_id = $2 AND version = $3",
                    AuditAction::ApiKeyDeleted {
                        role_ids: key.roles.iter().map(|r| r.id.clone()).collect(),
                    },
                ),
                BulkAction::Disable if key.status == ApiKeyStatus::Disabled => continue,
                BulkAction::Enable if key.status != ApiKeyStatus::Disabled => continue,
                BulkAction::Disable => (
                    "UPDATE api_keys SET disabled_at = $4, updated_at = $4, version = version + 1 \
                     WHERE id = $1 AND organization_id = $2 AND version = $3",
                    AuditAction::ApiKeyDisabled {},
                ),
                BulkAction::Enable => (
                    "UPDATE api_keys SET disabled_at = NULL, updated_at = $4, version = version + 1 \
                     WHERE id = $1 AND organization_id = $2 AND version = $3 AND $4 IS NOT NULL",
                    AuditAction::ApiKeyEnabled {},
                ),
            };
            let mut query = sqlx::query(sql)
                .bind(&key.id)
                .bind(author.organization_id)
                .bind(key.version as i64);
            if action != BulkAction::Delete {
                query = query.bind(&now);
            }
            if query.execute(&mut *tx).await?.rows_affected() == 0 {
                // Dropping the transaction undoes every change made so far.
                return stale(&mut tx, "api_keys", &key.id).await;
            }
            self.record_change(
                &mut tx,
                author,
                audited,
                AuditTarget::api_key(&key.id, &key.name),
            )
            .await?;
        }
        self.commit_forgetting(tx, Forget::Organization(author.organization_id))
            .await?;
        Ok(Outcome::Done(Box::new(())))
    }
}
