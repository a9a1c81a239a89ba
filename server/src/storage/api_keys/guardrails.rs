//! Guardrails on keys: a secret reported leaked disables its key at once
//! (marked leaked until it gets a new secret), and a decoy's secret raises
//! an alarm, in the audit trail and as an event, every time it is used.

use keydesk_contract::audit::AuditAction;
use keydesk_contract::types::{Actor, ActorKind, AuditTarget};

use crate::storage::replicas::Forget;
use crate::storage::{Author, Storage};

/// keydesk acting on a leak report.
fn leak_report() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: "leak-report".into(),
        name: "Leak report".into(),
    }
}

/// keydesk raising a decoy's alarm.
fn decoy_alarm() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: "decoy-alarm".into(),
        name: "Decoy alarm".into(),
    }
}

/// The key a secret digest belongs to (any of its secrets, in grace too).
type Owner = (String, String, String, i64, Option<String>);

impl Storage {
    /// A secret reported leaked from `address`: its key (if it is one of
    /// keydesk's) is disabled and marked leaked; a decoy's raises its alarm.
    /// Answers nothing: the reporter learns nothing either way.
    pub async fn report_leak(&self, digest: &str, address: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let owner: Option<Owner> = sqlx::query_as(
            "SELECT k.id, k.organization_id, k.name, k.decoy, k.leaked_at FROM api_key_secrets s \
             JOIN api_keys k ON k.id = s.api_key_id WHERE s.digest = $1",
        )
        .bind(digest)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((key_id, organization_id, name, decoy, leaked_at)) = owner else {
            return Ok(());
        };
        let target = AuditTarget::api_key(&key_id, &name);
        if decoy != 0 {
            let action = AuditAction::ApiKeyDecoyUsed {
                client_address: Some(address.to_string()),
                user_agent: Some("a leak report".to_string()),
            };
            self.record_as(&mut tx, decoy_alarm(), &organization_id, action, target)
                .await?;
            return tx.commit().await;
        }
        if leaked_at.is_some() {
            return Ok(()); // reported before; nothing new
        }
        let now = self.now();
        sqlx::query(
            "UPDATE api_keys SET disabled_at = COALESCE(disabled_at, $1), leaked_at = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4",
        )
        .bind(&now)
        .bind(&now)
        .bind(&now)
        .bind(&key_id)
        .execute(&mut *tx)
        .await?;
        let action = AuditAction::ApiKeyLeaked {
            client_address: Some(address.to_string()),
        };
        self.record_as(&mut tx, leak_report(), &organization_id, action, target)
            .await?;
        self.commit_forgetting(
            tx,
            Forget::Key {
                organization_id: &organization_id,
                key_id: &key_id,
            },
        )
        .await
    }

    /// A decoy's secret was presented: the alarm, with where from and what.
    pub async fn decoy_used(
        &self,
        key_id: &str,
        address: &str,
        user_agent: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.write().await?;
        let key: Option<(String, String)> = sqlx::query_as(
            "SELECT organization_id, name FROM api_keys WHERE id = $1 AND decoy = 1",
        )
        .bind(key_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((organization_id, name)) = key else {
            return Ok(());
        };
        let action = AuditAction::ApiKeyDecoyUsed {
            client_address: Some(address.to_string()),
            user_agent: user_agent.map(str::to_string),
        };
        let target = AuditTarget::api_key(key_id, &name);
        self.record_as(&mut tx, decoy_alarm(), &organization_id, action, target)
            .await?;
        tx.commit().await
    }

    /// Records `action` by keydesk itself (`actor`) inside `tx`.
    async fn record_as(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        actor: Actor,
        organization_id: &str,
        action: AuditAction,
        target: AuditTarget,
    ) -> Result<(), sqlx::Error> {
        let author = Author {
            organization_id,
            actor: &actor,
        };
        self.record_change(tx, author, action, target).await
    }
}
